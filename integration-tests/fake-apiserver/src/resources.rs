//! The resource types the server knows, and the discovery documents that describe them.

use serde_json::{Value, json};

use crate::config::ApiGroup;

/// One served resource type, as a CRD or a built-in API would declare it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ResourceType {
    /// The API group this resource belongs to.
    pub api_group: ApiGroup,
    /// Every version served; the same stored object is returned with the requested `apiVersion`.
    pub versions: &'static [&'static str],
    /// The plural name used in paths.
    pub plural: &'static str,
    /// The singular name.
    pub singular: &'static str,
    /// The `kind` of one object; lists are `<kind>List`.
    pub kind: &'static str,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
    /// Whether `/status` is a subresource (then main writes ignore `.status`).
    pub status: bool,
    /// Short names shown in discovery.
    pub short_names: &'static [&'static str],
}

impl ResourceType {
    /// The API group name; empty for the core group.
    pub(crate) fn group(&self) -> &'static str {
        self.api_group.name()
    }

    /// Whether this resource is served by a CustomResourceDefinition (rather than built in).
    pub(crate) fn is_custom(&self) -> bool {
        matches!(self.api_group, ApiGroup::Gateway | ApiGroup::ApplicationNetworking | ApiGroup::ExternalDns)
    }

    /// `apiVersion` for a version of this resource: `v1` in the core group, `group/version` elsewhere.
    pub(crate) fn api_version(&self, version: &str) -> String {
        if self.group().is_empty() { version.to_string() } else { format!("{}/{version}", self.group()) }
    }

    /// The name used in messages: `plural.group` (or `plural` in the core group).
    pub(crate) fn qualified(&self) -> String {
        if self.group().is_empty() { self.plural.to_string() } else { format!("{}.{}", self.plural, self.group()) }
    }

    /// The version the server prefers (the first listed).
    pub(crate) fn preferred_version(&self) -> &'static str {
        self.versions[0]
    }
}

const GATEWAY_BOTH: &[&str] = &["v1", "v1beta1"];
const V1: &[&str] = &["v1"];
const V1ALPHA1: &[&str] = &["v1alpha1"];

macro_rules! resource {
    ($group:ident, $versions:expr, $plural:literal, $singular:literal, $kind:literal, $namespaced:literal, $status:literal, $short:expr) => {
        ResourceType {
            api_group: ApiGroup::$group,
            versions: $versions,
            plural: $plural,
            singular: $singular,
            kind: $kind,
            namespaced: $namespaced,
            status: $status,
            short_names: $short,
        }
    };
}

/// Every resource type the server can serve, in discovery order.
pub(crate) static RESOURCES: &[ResourceType] = &[
    resource!(Core, V1, "namespaces", "namespace", "Namespace", false, true, &["ns"]),
    resource!(Core, V1, "services", "service", "Service", true, true, &["svc"]),
    resource!(Core, V1, "pods", "pod", "Pod", true, true, &["po"]),
    resource!(Discovery, V1, "endpointslices", "endpointslice", "EndpointSlice", true, false, &[]),
    resource!(Gateway, GATEWAY_BOTH, "gatewayclasses", "gatewayclass", "GatewayClass", false, true, &["gc"]),
    resource!(Gateway, GATEWAY_BOTH, "gateways", "gateway", "Gateway", true, true, &["gtw"]),
    resource!(Gateway, GATEWAY_BOTH, "httproutes", "httproute", "HTTPRoute", true, true, &[]),
    resource!(Gateway, V1, "grpcroutes", "grpcroute", "GRPCRoute", true, true, &[]),
    resource!(Gateway, V1, "tlsroutes", "tlsroute", "TLSRoute", true, true, &[]),
    resource!(Gateway, GATEWAY_BOTH, "referencegrants", "referencegrant", "ReferenceGrant", true, false, &["refgrant"]),
    resource!(ApplicationNetworking, V1ALPHA1, "serviceimports", "serviceimport", "ServiceImport", true, false, &[]),
    resource!(ApplicationNetworking, V1ALPHA1, "serviceexports", "serviceexport", "ServiceExport", true, true, &[]),
    resource!(
        ApplicationNetworking,
        V1ALPHA1,
        "targetgrouppolicies",
        "targetgrouppolicy",
        "TargetGroupPolicy",
        true,
        true,
        &["tgp"]
    ),
    resource!(
        ApplicationNetworking,
        V1ALPHA1,
        "vpcassociationpolicies",
        "vpcassociationpolicy",
        "VpcAssociationPolicy",
        true,
        true,
        &["vap"]
    ),
    resource!(
        ApplicationNetworking,
        V1ALPHA1,
        "accesslogpolicies",
        "accesslogpolicy",
        "AccessLogPolicy",
        true,
        true,
        &["alp"]
    ),
    resource!(
        ApplicationNetworking,
        V1ALPHA1,
        "iamauthpolicies",
        "iamauthpolicy",
        "IAMAuthPolicy",
        true,
        true,
        &["iap"]
    ),
    resource!(
        ApplicationNetworking,
        V1ALPHA1,
        "servicenetworks",
        "servicenetwork",
        "ServiceNetwork",
        false,
        true,
        &["sn"]
    ),
    resource!(ExternalDns, V1ALPHA1, "dnsendpoints", "dnsendpoint", "DNSEndpoint", true, true, &[]),
    resource!(
        AdmissionRegistration,
        V1,
        "mutatingwebhookconfigurations",
        "mutatingwebhookconfiguration",
        "MutatingWebhookConfiguration",
        false,
        false,
        &[]
    ),
];

/// The resource type with this group, version and plural, if the server knows it.
pub(crate) fn find(group: &str, version: &str, plural: &str) -> Option<&'static ResourceType> {
    RESOURCES.iter().find(|r| r.group() == group && r.plural == plural && r.versions.contains(&version))
}

/// The resource type of an object with this `apiVersion` and `kind`, and the version named.
pub(crate) fn find_kind(api_version: &str, kind: &str) -> Option<(&'static ResourceType, &'static str)> {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    RESOURCES.iter().filter(|r| r.group() == group && r.kind == kind).find_map(|r| {
        let version = r.versions.iter().find(|v| **v == version)?;
        Some((r, *version))
    })
}

/// The versions served for a group, preferred first, given the resources it has.
fn group_versions(group: ApiGroup) -> Vec<&'static str> {
    let mut versions: Vec<&'static str> = Vec::new();
    for r in RESOURCES.iter().filter(|r| r.api_group == group) {
        for v in r.versions {
            if !versions.contains(v) {
                versions.push(v);
            }
        }
    }
    versions
}

fn group_document(group: ApiGroup) -> Value {
    let versions: Vec<Value> = group_versions(group)
        .into_iter()
        .map(|v| json!({"groupVersion": format!("{}/{v}", group.name()), "version": v}))
        .collect();
    let preferred = versions.first().cloned().unwrap_or(Value::Null);
    json!({"name": group.name(), "versions": versions, "preferredVersion": preferred})
}

/// `GET /api`: the core group's versions.
pub(crate) fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

/// `GET /apis`: the named groups that are present.
pub(crate) fn group_list(present: &[ApiGroup]) -> Value {
    let groups: Vec<Value> = present.iter().filter(|g| **g != ApiGroup::Core).map(|g| group_document(*g)).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `GET /apis/{group}`: one group's versions.
pub(crate) fn group(group: ApiGroup) -> Value {
    let mut doc = group_document(group);
    if let Some(map) = doc.as_object_mut() {
        map.insert("kind".into(), "APIGroup".into());
        map.insert("apiVersion".into(), "v1".into());
    }
    doc
}

/// `GET /api/v1` or `GET /apis/{group}/{version}`: the resources of one group version, if any.
pub(crate) fn resource_list(group: ApiGroup, version: &str) -> Option<Value> {
    let mut resources = Vec::new();
    for r in RESOURCES.iter().filter(|r| r.api_group == group && r.versions.contains(&version)) {
        let verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
        let mut entry = json!({
            "name": r.plural,
            "singularName": r.singular,
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": verbs,
        });
        if !r.short_names.is_empty()
            && let Some(map) = entry.as_object_mut()
        {
            map.insert("shortNames".into(), json!(r.short_names));
        }
        if r.is_custom()
            && let Some(map) = entry.as_object_mut()
        {
            map.insert("categories".into(), json!(categories(group)));
        }
        resources.push(entry);
        if r.status {
            resources.push(json!({
                "name": format!("{}/status", r.plural),
                "singularName": "",
                "namespaced": r.namespaced,
                "kind": r.kind,
                "verbs": ["get", "patch", "update"],
            }));
        }
    }
    if resources.is_empty() {
        return None;
    }
    let group_version =
        if group == ApiGroup::Core { version.to_string() } else { format!("{}/{version}", group.name()) };
    Some(json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}))
}

fn categories(group: ApiGroup) -> &'static [&'static str] {
    match group {
        ApiGroup::Gateway => &["gateway-api"],
        ApiGroup::ExternalDns => &[],
        _ => &["all"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_gateway_version_of_shared_storage() {
        let v1 = find("gateway.networking.k8s.io", "v1", "httproutes");
        let beta = find("gateway.networking.k8s.io", "v1beta1", "httproutes");
        assert!(v1.is_some());
        assert_eq!(v1, beta);
        assert!(find("gateway.networking.k8s.io", "v1beta1", "grpcroutes").is_none());
    }

    #[test]
    fn finds_kinds_by_api_version() {
        let (r, v) = find_kind("v1", "Service").expect("service");
        assert_eq!((r.plural, v), ("services", "v1"));
        let (r, v) = find_kind("gateway.networking.k8s.io/v1beta1", "Gateway").expect("gateway");
        assert_eq!((r.plural, v), ("gateways", "v1beta1"));
        assert!(find_kind("gateway.networking.k8s.io/v1alpha2", "Gateway").is_none());
    }

    #[test]
    fn status_subresource_is_listed_after_its_resource() {
        let list = resource_list(ApiGroup::Gateway, "v1").expect("gateway v1");
        let names: Vec<&str> =
            list["resources"].as_array().into_iter().flatten().filter_map(|r| r["name"].as_str()).collect();
        assert!(names.contains(&"httproutes/status"));
        assert!(!names.contains(&"referencegrants/status"));
        assert!(resource_list(ApiGroup::Gateway, "v1alpha2").is_none());
    }
}
