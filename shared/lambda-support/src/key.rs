//! The unit of work: which object of which cluster changed.

use std::fmt;

use model::snapshot::ObjectRef;
use reconciler::ReadScope;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Route kinds: a key of one of them reconciles that route alone.
pub const ROUTE_KINDS: [&str; 3] = ["HTTPRoute", "GRPCRoute", "TLSRoute"];

/// Kinds whose change a reconcile can act on: the routes, and the kinds that reach a whole cluster.
const KNOWN_KINDS: [&str; 17] = [
    "HTTPRoute",
    "GRPCRoute",
    "TLSRoute",
    "Gateway",
    "GatewayClass",
    "ReferenceGrant",
    "Service",
    "EndpointSlice",
    "Namespace",
    "ServiceImport",
    "ServiceExport",
    "TargetGroupPolicy",
    "VpcAssociationPolicy",
    "AccessLogPolicy",
    "IAMAuthPolicy",
    "ServiceNetwork",
    "Cluster",
];

/// `{cluster, kind, namespace, name}`: the body of a queue message, the `detail` of an EventBridge
/// event and the payload of a direct invoke. `namespace` is empty (and left out of JSON) for
/// cluster-scoped kinds (`GatewayClass`, `Namespace`, `ServiceNetwork`, `Cluster`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    /// The EKS cluster (one of `CLUSTER_NAMES`).
    pub cluster: String,
    /// The Kubernetes kind (`HTTPRoute`, `Service`, ...) or `Cluster` for the whole cluster.
    pub kind: String,
    /// The namespace.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// The object's name.
    #[serde(default)]
    pub name: String,
    /// `"verify": true`: read every VPC Lattice resource in scope in full, whatever its
    /// fingerprint tag says (drift detection).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verify: bool,
}

impl Key {
    /// A key for the whole of `cluster`.
    pub fn cluster(cluster: &str) -> Self {
        Self {
            cluster: cluster.to_owned(),
            kind: "Cluster".to_owned(),
            namespace: String::new(),
            name: cluster.to_owned(),
            verify: false,
        }
    }

    /// Whether the key names a route.
    pub fn is_route(&self) -> bool {
        ROUTE_KINDS.contains(&self.kind.as_str())
    }

    /// Checks the fields a reconcile needs: a cluster, a known kind, and for a route its
    /// namespace and name.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |problem| Err(Error::InvalidKey { key: self.to_string(), problem });
        if self.cluster.is_empty() {
            return invalid("no cluster");
        }
        if !KNOWN_KINDS.contains(&self.kind.as_str()) {
            return invalid("unknown kind");
        }
        if self.is_route() && (self.namespace.is_empty() || self.name.is_empty()) {
            return invalid("a route needs a namespace and a name");
        }
        Ok(())
    }

    /// What a reconcile for this key reads: the route alone for a route kind, otherwise the whole
    /// cluster (a Service, EndpointSlice, Gateway, ReferenceGrant or Namespace can affect any
    /// route).
    pub fn read_scope(&self) -> ReadScope {
        if self.is_route() {
            ReadScope::Route(ObjectRef::new(&self.kind, &self.namespace, &self.name))
        } else {
            ReadScope::All
        }
    }

    /// The FIFO message group: one object's messages are processed in order, one at a time.
    pub fn group_id(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}/{}", self.cluster, self.kind, self.namespace, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kind: &str, namespace: &str, name: &str) -> Key {
        Key { cluster: "demo".into(), kind: kind.into(), namespace: namespace.into(), name: name.into(), verify: false }
    }

    #[test]
    fn routes_are_reconciled_alone_and_everything_else_reaches_the_cluster() {
        assert_eq!(
            key("GRPCRoute", "shop", "cart").read_scope(),
            ReadScope::Route(ObjectRef::new("GRPCRoute", "shop", "cart"))
        );
        for kind in ["Service", "EndpointSlice", "Gateway", "ReferenceGrant", "Namespace", "Cluster"] {
            assert_eq!(key(kind, "shop", "x").read_scope(), ReadScope::All, "{kind}");
        }
    }

    #[test]
    fn keys_are_validated_and_round_trip_through_json() {
        assert!(key("HTTPRoute", "", "a").validate().is_err());
        assert!(key("Deployment", "a", "b").validate().is_err());
        assert!(Key::cluster("demo").validate().is_ok());
        let json = serde_json::to_string(&Key::cluster("demo")).expect("json");
        assert_eq!(json, r#"{"cluster":"demo","kind":"Cluster","name":"demo"}"#);
        let back: Key = serde_json::from_str(&json).expect("key");
        assert_eq!(back, Key::cluster("demo"));
        assert_eq!(key("HTTPRoute", "shop", "a").group_id(), "demo/HTTPRoute/shop/a");
    }
}
