//! Maps request paths to discovery documents and resource endpoints.

use crate::config::ApiGroup;
use crate::resources::{ResourceType, find};
use crate::store::{Key, key};

/// A resource endpoint: a collection, an object, or an object's status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ResourceRoute {
    /// The resource type.
    pub r: &'static ResourceType,
    /// The version in the path.
    pub version: &'static str,
    /// The namespace in the path (absent for cluster-scoped resources and all-namespaces lists).
    pub namespace: Option<String>,
    /// The object name, absent for a collection.
    pub name: Option<String>,
    /// Whether the path ends in `/status`.
    pub status: bool,
}

impl ResourceRoute {
    /// The storage key of the named object.
    pub(crate) fn key(&self) -> Option<Key> {
        self.name.as_deref().map(|name| key(self.r, self.namespace.as_deref(), name))
    }
}

/// What a path addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    /// `/version`.
    Version,
    /// `/api`.
    CoreVersions,
    /// `/apis`.
    Groups,
    /// `/apis/{group}`.
    Group(ApiGroup),
    /// `/api/v1` or `/apis/{group}/{version}`.
    GroupVersion(ApiGroup, String),
    /// A resource endpoint.
    Resource(ResourceRoute),
}

fn resource_route(group: ApiGroup, version: &str, segments: &[&str]) -> Option<Route> {
    let (namespace, rest) = match segments {
        ["namespaces", ns, rest @ ..] if !rest.is_empty() && rest != ["status"] => (Some(*ns), rest),
        _ => (None, segments),
    };
    let (plural, name, status) = match rest {
        [plural] => (*plural, None, false),
        [plural, name] => (*plural, Some(*name), false),
        [plural, name, "status"] => (*plural, Some(*name), true),
        _ => return None,
    };
    let r = find(group.name(), version, plural)?;
    let version = r.versions.iter().find(|v| **v == version)?;
    // A namespaced resource is addressed in a namespace, or listed across namespaces; a cluster-scoped
    // one never has a namespace.
    let scoped_ok =
        matches!((r.namespaced, namespace, name), (true, Some(_), _) | (false, None, _) | (true, None, None));
    if !scoped_ok || (status && !r.status) || name.is_some_and(str::is_empty) || namespace == Some("") {
        return None;
    }
    Some(Route::Resource(ResourceRoute {
        r,
        version,
        namespace: namespace.map(String::from),
        name: name.map(String::from),
        status,
    }))
}

/// The route of a path, given the groups the server serves; `None` is 404.
pub(crate) fn parse(path: &str, present: &[ApiGroup]) -> Option<Route> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let served = |g: ApiGroup| present.contains(&g).then_some(g);
    match segments.as_slice() {
        ["version"] => Some(Route::Version),
        ["api"] => served(ApiGroup::Core).map(|_| Route::CoreVersions),
        ["api", "v1"] => served(ApiGroup::Core).map(|g| Route::GroupVersion(g, "v1".into())),
        ["api", "v1", rest @ ..] => resource_route(served(ApiGroup::Core)?, "v1", rest),
        ["apis"] => Some(Route::Groups),
        ["apis", group] => served(ApiGroup::from_name(group)?).filter(|g| *g != ApiGroup::Core).map(Route::Group),
        ["apis", group, version] => {
            let g = served(ApiGroup::from_name(group)?).filter(|g| *g != ApiGroup::Core)?;
            crate::resources::resource_list(g, version)?;
            Some(Route::GroupVersion(g, version.to_string()))
        }
        ["apis", group, version, rest @ ..] => {
            let g = served(ApiGroup::from_name(group)?).filter(|g| *g != ApiGroup::Core)?;
            resource_route(g, version, rest)
        }
        _ => None,
    }
}

/// The storage key of an object path, whatever the group's presence (for faults and write counters).
pub(crate) fn object_key(path: &str) -> Option<Key> {
    match parse(path, &ApiGroup::ALL)? {
        Route::Resource(route) => route.key(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(path: &str) -> Option<ResourceRoute> {
        match parse(path, &ApiGroup::ALL) {
            Some(Route::Resource(r)) => Some(r),
            _ => None,
        }
    }

    #[test]
    fn core_namespaces_and_namespaced_services() {
        let ns = resource("/api/v1/namespaces/shop").expect("namespace object");
        assert_eq!((ns.r.plural, ns.namespace.as_deref(), ns.name.as_deref()), ("namespaces", None, Some("shop")));
        let status = resource("/api/v1/namespaces/shop/status").expect("namespace status");
        assert!(status.status);
        let svcs = resource("/api/v1/namespaces/shop/services").expect("services");
        assert_eq!((svcs.r.plural, svcs.namespace.as_deref(), svcs.name), ("services", Some("shop"), None));
        let all = resource("/api/v1/services").expect("all services");
        assert_eq!(all.namespace, None);
        assert!(resource("/api/v1/services/web").is_none());
    }

    #[test]
    fn group_paths() {
        let route = resource("/apis/gateway.networking.k8s.io/v1beta1/namespaces/shop/httproutes/rates/status")
            .expect("status");
        assert_eq!((route.version, route.status), ("v1beta1", true));
        assert!(resource("/apis/gateway.networking.k8s.io/v1/namespaces/shop/referencegrants/g/status").is_none());
        assert!(resource("/apis/gateway.networking.k8s.io/v1/gatewayclasses/amazon-vpc-lattice").is_some());
        assert!(resource("/apis/gateway.networking.k8s.io/v1/namespaces/shop/gatewayclasses").is_none());
        assert!(resource("/apis/gateway.networking.k8s.io/v1alpha2/namespaces/shop/httproutes").is_none());
        assert!(resource("/apis/application-networking.k8s.aws/v1alpha1/servicenetworks/sn").is_some());
    }

    #[test]
    fn absent_groups_have_no_routes() {
        let present = [ApiGroup::Core, ApiGroup::Gateway];
        assert_eq!(parse("/apis/application-networking.k8s.aws", &present), None);
        assert_eq!(parse("/apis/application-networking.k8s.aws/v1alpha1/serviceexports", &present), None);
        assert!(parse("/apis/gateway.networking.k8s.io/v1", &present).is_some());
        assert_eq!(parse("/apis/gateway.networking.k8s.io/v9", &present), None);
        assert_eq!(
            object_key("/apis/application-networking.k8s.aws/v1alpha1/servicenetworks/sn").map(|k| k.3),
            Some("sn".to_string())
        );
    }
}
