//! The cluster objects translation reads, as the Kubernetes API (or a manifest file) has them.
//!
//! Gateway API kinds use the `gateway-api` crate's types; core kinds use `k8s-openapi`.

use std::collections::BTreeMap;

use gateway_api::gatewayclasses::GatewayClass;
use gateway_api::gateways::Gateway;
use gateway_api::grpcroutes::GrpcRoute;
use gateway_api::httproutes::HttpRoute;
use gateway_api::referencegrants::ReferenceGrant;
use gateway_api::tlsroutes::TlsRoute;
use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

/// Group of the Kubernetes multi-cluster services API.
pub const MCS_GROUP: &str = "multicluster.x-k8s.io";
/// Group of the existing controller's own kinds (ServiceImport, ServiceExport, policies).
pub const AWS_GROUP: &str = "application-networking.k8s.aws";

/// `kind/namespace/name` of a namespaced object (namespace empty for cluster-scoped ones).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ObjectRef {
    /// Kind.
    pub kind: String,
    /// Namespace, empty for cluster-scoped objects.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjectRef {
    /// A reference to `kind` `namespace/name`.
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        Self { kind: kind.to_owned(), namespace: namespace.to_owned(), name: name.to_owned() }
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// A ServiceImport used as a backend; only its identity and annotations matter here.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceImport {
    /// API group: `multicluster.x-k8s.io` or `application-networking.k8s.aws`.
    pub group: String,
    /// Metadata (namespace, name, annotations).
    pub metadata: ObjectMeta,
}

/// Everything translation reads from one cluster.
#[derive(Clone, Debug, Default)]
pub struct ClusterSnapshot {
    /// GatewayClasses (all controllers; translation picks ours).
    pub gateway_classes: Vec<GatewayClass>,
    /// Gateways.
    pub gateways: Vec<Gateway>,
    /// HTTPRoutes.
    pub http_routes: Vec<HttpRoute>,
    /// GRPCRoutes.
    pub grpc_routes: Vec<GrpcRoute>,
    /// TLSRoutes.
    pub tls_routes: Vec<TlsRoute>,
    /// ReferenceGrants (v1 and v1beta1 share one shape).
    pub reference_grants: Vec<ReferenceGrant>,
    /// Namespaces (for `allowedRoutes` selectors).
    pub namespaces: Vec<Namespace>,
    /// Services.
    pub services: Vec<Service>,
    /// EndpointSlices.
    pub endpoint_slices: Vec<EndpointSlice>,
    /// ServiceImports of either group.
    pub service_imports: Vec<ServiceImport>,
    /// ServiceExports (`application-networking.k8s.aws`).
    pub service_exports: Vec<crds::ServiceExport>,
    /// TargetGroupPolicies.
    pub target_group_policies: Vec<crds::TargetGroupPolicy>,
    /// VpcAssociationPolicies.
    pub vpc_association_policies: Vec<crds::VpcAssociationPolicy>,
    /// AccessLogPolicies.
    pub access_log_policies: Vec<crds::AccessLogPolicy>,
    /// IAMAuthPolicies.
    pub iam_auth_policies: Vec<crds::IamAuthPolicy>,
    /// ServiceNetwork objects (cluster-scoped).
    pub service_networks: Vec<crds::ServiceNetwork>,
    /// Spec fields present in the source that the typed objects do not carry, by object
    /// (JSON paths like `spec.rules[0].sessionPersistence`). Translation rejects them visibly.
    pub unknown_fields: BTreeMap<ObjectRef, Vec<String>>,
    /// Objects that exist but could not be read (a wrong type, an unknown enum value). Nothing
    /// that depends on them is changed or deleted: see [`crate::protect`].
    pub unreadable: Vec<ObjectRef>,
}

/// Namespace of an object's metadata, or `""`.
pub fn namespace_of(meta: &ObjectMeta) -> &str {
    meta.namespace.as_deref().unwrap_or("")
}

/// Name of an object's metadata, or `""`.
pub fn name_of(meta: &ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or("")
}

/// Finds spec fields of `raw` that did not survive a round trip through the typed object
/// (`typed` is the typed object serialized back to JSON). `null` values count as absent.
/// Paths are written like `spec.rules[0].sessionPersistence`.
pub fn unknown_fields(raw: &serde_json::Value, typed: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(raw_spec), Some(typed_spec)) = (raw.get("spec"), typed.get("spec")) {
        collect_unknown(raw_spec, typed_spec, "spec", &mut out);
    }
    out
}

fn collect_unknown(raw: &serde_json::Value, typed: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    use serde_json::Value;
    match (raw, typed) {
        (Value::Object(r), Value::Object(t)) => {
            for (key, value) in r {
                if value.is_null() {
                    continue;
                }
                let child = format!("{path}.{key}");
                match t.get(key) {
                    Some(tv) => collect_unknown(value, tv, &child, out),
                    None => out.push(child),
                }
            }
        }
        (Value::Array(r), Value::Array(t)) => {
            for (i, (rv, tv)) in r.iter().zip(t.iter()).enumerate() {
                collect_unknown(rv, tv, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_lists_dropped_keys_but_not_nulls() {
        let raw = json!({"spec": {"rules": [{"sessionPersistence": {"x": 1}, "matches": []}], "hostnames": null}});
        let typed = json!({"spec": {"rules": [{"matches": []}]}});
        assert_eq!(unknown_fields(&raw, &typed), vec!["spec.rules[0].sessionPersistence".to_owned()]);
    }
}
