//! The kinds the controller reads, where the API server serves them, and which version it serves of each
//! (found out once per client with discovery, for the groups whose versions differ between clusters).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};

use model::route::GATEWAY_GROUP;
use model::snapshot::{AWS_GROUP, MCS_GROUP};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use crate::client::Cluster;
use crate::error::Error;

/// A kind of object and the resource that serves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Kind {
    /// Kind as the API spells it.
    pub kind: &'static str,
    /// API group (`""` for the core group).
    pub group: &'static str,
    /// Versions the controller can read, most preferred first.
    pub versions: &'static [&'static str],
    /// Resource name in request paths.
    pub plural: &'static str,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
    /// Whether the kind may be missing or served in other versions, so discovery must be asked; the core and
    /// `discovery.k8s.io/v1` kinds are always served.
    pub discover: bool,
}

/// GatewayClass.
pub(crate) const GATEWAY_CLASS: Kind = gateway("GatewayClass", "gatewayclasses", false, &["v1", "v1beta1"]);
/// Gateway.
pub(crate) const GATEWAY: Kind = gateway("Gateway", "gateways", true, &["v1", "v1beta1"]);
/// HTTPRoute.
pub(crate) const HTTP_ROUTE: Kind = gateway("HTTPRoute", "httproutes", true, &["v1", "v1beta1"]);
/// GRPCRoute.
pub(crate) const GRPC_ROUTE: Kind = gateway("GRPCRoute", "grpcroutes", true, &["v1"]);
/// TLSRoute (Standard `v1` from Gateway API 1.5, experimental `v1alpha3`/`v1alpha2` before).
pub(crate) const TLS_ROUTE: Kind = gateway("TLSRoute", "tlsroutes", true, &["v1", "v1alpha3", "v1alpha2"]);
/// ReferenceGrant (`v1` from Gateway API 1.5, `v1beta1` before).
pub(crate) const REFERENCE_GRANT: Kind = gateway("ReferenceGrant", "referencegrants", true, &["v1", "v1beta1"]);
/// Namespace.
pub(crate) const NAMESPACE: Kind = core("Namespace", "", "namespaces", false);
/// Service.
pub(crate) const SERVICE: Kind = core("Service", "", "services", true);
/// EndpointSlice.
pub(crate) const ENDPOINT_SLICE: Kind = core("EndpointSlice", "discovery.k8s.io", "endpointslices", true);
/// Pod (read one by one, for readiness gates; never listed).
pub(crate) const POD: Kind = core("Pod", "", "pods", true);
/// external-dns's DNSEndpoint, served only where its CRD is installed.
pub(crate) const DNS_ENDPOINT: Kind = Kind {
    kind: "DNSEndpoint",
    group: "externaldns.k8s.io",
    versions: &["v1alpha1"],
    plural: "dnsendpoints",
    namespaced: true,
    discover: true,
};
/// MutatingWebhookConfiguration (cluster-scoped, built in): the readiness gate webhook's.
pub(crate) const MUTATING_WEBHOOK_CONFIGURATION: Kind =
    core("MutatingWebhookConfiguration", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", false);
/// The existing controller's ServiceImport.
pub(crate) const AWS_SERVICE_IMPORT: Kind = service_import(AWS_GROUP);
/// The multi-cluster services API's ServiceImport.
pub(crate) const MCS_SERVICE_IMPORT: Kind = service_import(MCS_GROUP);

/// ServiceExport.
pub(crate) const SERVICE_EXPORT: Kind = aws("ServiceExport", "serviceexports", true);
/// TargetGroupPolicy.
pub(crate) const TARGET_GROUP_POLICY: Kind = aws("TargetGroupPolicy", "targetgrouppolicies", true);
/// VpcAssociationPolicy.
pub(crate) const VPC_ASSOCIATION_POLICY: Kind = aws("VpcAssociationPolicy", "vpcassociationpolicies", true);
/// AccessLogPolicy.
pub(crate) const ACCESS_LOG_POLICY: Kind = aws("AccessLogPolicy", "accesslogpolicies", true);
/// IAMAuthPolicy.
pub(crate) const IAM_AUTH_POLICY: Kind = aws("IAMAuthPolicy", "iamauthpolicies", true);
/// ServiceNetwork (cluster-scoped).
pub(crate) const SERVICE_NETWORK: Kind = aws("ServiceNetwork", "servicenetworks", false);

/// The policy kinds that can change a route's Lattice resources, which a route's scoped read lists.
pub(crate) const ROUTE_POLICIES: [Kind; 3] = [TARGET_GROUP_POLICY, ACCESS_LOG_POLICY, IAM_AUTH_POLICY];

/// Every kind a full snapshot holds, in the order they are listed.
pub(crate) const ALL: [Kind; 17] = [
    GATEWAY_CLASS,
    GATEWAY,
    HTTP_ROUTE,
    GRPC_ROUTE,
    TLS_ROUTE,
    REFERENCE_GRANT,
    NAMESPACE,
    SERVICE,
    ENDPOINT_SLICE,
    AWS_SERVICE_IMPORT,
    MCS_SERVICE_IMPORT,
    SERVICE_EXPORT,
    TARGET_GROUP_POLICY,
    VPC_ASSOCIATION_POLICY,
    ACCESS_LOG_POLICY,
    IAM_AUTH_POLICY,
    SERVICE_NETWORK,
];

/// A kind of group `application-networking.k8s.aws`, version `v1alpha1`; it is only served where
/// its CRD is installed.
const fn aws(kind: &'static str, plural: &'static str, namespaced: bool) -> Kind {
    Kind { kind, group: AWS_GROUP, versions: &["v1alpha1"], plural, namespaced, discover: true }
}

const fn gateway(
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    versions: &'static [&'static str],
) -> Kind {
    Kind { kind, group: GATEWAY_GROUP, versions, plural, namespaced, discover: true }
}

const fn core(kind: &'static str, group: &'static str, plural: &'static str, namespaced: bool) -> Kind {
    Kind { kind, group, versions: &["v1"], plural, namespaced, discover: false }
}

const fn service_import(group: &'static str) -> Kind {
    Kind {
        kind: "ServiceImport",
        group,
        versions: &["v1alpha1"],
        plural: "serviceimports",
        namespaced: true,
        discover: true,
    }
}

/// The route kind spelled `kind`, if the controller reads it.
pub(crate) fn route_kind(kind: &str) -> Option<Kind> {
    [HTTP_ROUTE, GRPC_ROUTE, TLS_ROUTE].into_iter().find(|k| k.kind == kind)
}

/// The kind whose status the controller writes, spelled `kind`.
pub(crate) fn status_kind(kind: &str) -> Option<Kind> {
    [
        GATEWAY_CLASS,
        GATEWAY,
        HTTP_ROUTE,
        GRPC_ROUTE,
        TLS_ROUTE,
        SERVICE_EXPORT,
        TARGET_GROUP_POLICY,
        VPC_ASSOCIATION_POLICY,
        ACCESS_LOG_POLICY,
        IAM_AUTH_POLICY,
        SERVICE_NETWORK,
    ]
    .into_iter()
    .find(|k| k.kind == kind)
}

/// The ServiceImport kind of `group`, if it is one of the two the controller reads.
pub(crate) fn service_import_kind(group: &str) -> Option<Kind> {
    [AWS_SERVICE_IMPORT, MCS_SERVICE_IMPORT].into_iter().find(|k| k.group == group)
}

/// Characters left as they are in a query value or path segment (RFC 3986 unreserved).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encodes a query value or path segment.
pub(crate) fn encode(value: &str) -> String {
    utf8_percent_encode(value, UNRESERVED).to_string()
}

impl Kind {
    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() { version.to_owned() } else { format!("{}/{version}", self.group) }
    }

    /// Request path of the collection (in `namespace`, or across all namespaces when `None`) or, with `name`, of
    /// one object.
    pub fn path(&self, version: &str, namespace: Option<&str>, name: Option<&str>) -> String {
        let mut path =
            if self.group.is_empty() { format!("/api/{version}") } else { format!("/apis/{}/{version}", self.group) };
        if let Some(namespace) = namespace.filter(|_| self.namespaced) {
            path.push_str("/namespaces/");
            path.push_str(&encode(namespace));
        }
        path.push('/');
        path.push_str(self.plural);
        if let Some(name) = name {
            path.push('/');
            path.push_str(&encode(name));
        }
        path
    }

    /// `plural.group`, as `kubectl` names a resource.
    pub fn resource(&self) -> String {
        if self.group.is_empty() { self.plural.to_owned() } else { format!("{}.{}", self.plural, self.group) }
    }
}

/// What discovery found so far: the resources served per `group/version` (`None`: the group version is not
/// served at all). Filled lazily, so a scoped read only asks about the groups it needs.
#[derive(Debug, Default)]
pub(crate) struct Discovery {
    served: Mutex<BTreeMap<String, Option<BTreeSet<String>>>>,
}

impl Discovery {
    fn lookup(&self, group_version: &str) -> Option<Option<BTreeSet<String>>> {
        self.served.lock().unwrap_or_else(PoisonError::into_inner).get(group_version).cloned()
    }

    fn remember(&self, group_version: String, resources: Option<BTreeSet<String>>) {
        self.served.lock().unwrap_or_else(PoisonError::into_inner).insert(group_version, resources);
    }

    /// Drops what is known about `group`, so the next read asks again (after a list found it gone).
    pub(crate) fn forget(&self, group: &str) {
        let prefix = format!("{group}/");
        self.served.lock().unwrap_or_else(PoisonError::into_inner).retain(|gv, _| !gv.starts_with(&prefix));
    }
}

/// The resource names of an `APIResourceList`.
fn resource_names(list: &Value) -> BTreeSet<String> {
    list.get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("name").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

impl Cluster {
    /// The version of `kind` the API server serves, preferring the kind's first version; `None` when it serves
    /// none of them (the CRD is not installed: an absent feature, not an error). Asks the server once per
    /// `group/version` and client; a failed discovery request is an error.
    pub(crate) async fn served_version(&self, kind: &Kind) -> Result<Option<&'static str>, Error> {
        if !kind.discover {
            return Ok(kind.versions.first().copied());
        }
        for version in kind.versions {
            let group_version = kind.api_version(version);
            let resources = match self.discovery.lookup(&group_version) {
                Some(resources) => resources,
                None => {
                    let operation = format!("discover {group_version}");
                    let path = format!("/apis/{group_version}");
                    let found = self.get(&operation, &path).await.map_err(|source| Error::Discover {
                        group_version: group_version.clone(),
                        source: Box::new(source),
                    })?;
                    let resources = found.as_ref().map(resource_names);
                    self.discovery.remember(group_version, resources.clone());
                    resources
                }
            };
            if resources.is_some_and(|r| r.contains(kind.plural)) {
                return Ok(Some(version));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_api_layout() {
        assert_eq!(HTTP_ROUTE.path("v1", None, None), "/apis/gateway.networking.k8s.io/v1/httproutes");
        assert_eq!(
            HTTP_ROUTE.path("v1", Some("shop"), Some("rates")),
            "/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/rates"
        );
        assert_eq!(
            GATEWAY_CLASS.path("v1", Some("ignored"), Some("amazon-vpc-lattice")),
            "/apis/gateway.networking.k8s.io/v1/gatewayclasses/amazon-vpc-lattice"
        );
        assert_eq!(NAMESPACE.path("v1", None, Some("shop")), "/api/v1/namespaces/shop");
        assert_eq!(SERVICE.path("v1", Some("shop"), None), "/api/v1/namespaces/shop/services");
        assert_eq!(ENDPOINT_SLICE.path("v1", None, None), "/apis/discovery.k8s.io/v1/endpointslices");
        assert_eq!(MCS_SERVICE_IMPORT.api_version("v1alpha1"), "multicluster.x-k8s.io/v1alpha1");
        assert_eq!(SERVICE.api_version("v1"), "v1");
        assert_eq!(SERVICE.resource(), "services");
        assert_eq!(REFERENCE_GRANT.resource(), "referencegrants.gateway.networking.k8s.io");
    }

    #[test]
    fn values_are_percent_encoded() {
        assert_eq!(encode("kubernetes.io/service-name=rates"), "kubernetes.io%2Fservice-name%3Drates");
        assert_eq!(encode("eyJ2Ijoi+/="), "eyJ2Ijoi%2B%2F%3D");
    }

    #[test]
    fn lookups_by_kind_and_group() {
        assert_eq!(route_kind("GRPCRoute"), Some(GRPC_ROUTE));
        assert_eq!(route_kind("Gateway"), None);
        assert_eq!(status_kind("GatewayClass"), Some(GATEWAY_CLASS));
        assert_eq!(status_kind("ReferenceGrant"), None);
        assert_eq!(service_import_kind(AWS_GROUP), Some(AWS_SERVICE_IMPORT));
        assert_eq!(service_import_kind("example.com"), None);
    }

    #[test]
    fn forgetting_a_group_keeps_the_others() {
        let discovery = Discovery::default();
        discovery.remember("gateway.networking.k8s.io/v1".to_owned(), Some(BTreeSet::new()));
        discovery.remember("multicluster.x-k8s.io/v1alpha1".to_owned(), None);
        discovery.forget(GATEWAY_GROUP);
        assert_eq!(discovery.lookup("gateway.networking.k8s.io/v1"), None);
        assert_eq!(discovery.lookup("multicluster.x-k8s.io/v1alpha1"), Some(None));
    }

    #[test]
    fn resource_lists_give_their_names() {
        let list = serde_json::json!({"kind": "APIResourceList", "resources": [
            {"name": "httproutes", "kind": "HTTPRoute"}, {"name": "httproutes/status"}, {"kind": "no name"}
        ]});
        let names: Vec<String> = resource_names(&list).into_iter().collect();
        assert_eq!(names, ["httproutes", "httproutes/status"]);
    }
}
