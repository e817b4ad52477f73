//! Builders of ServiceNetwork objects and VpcAssociationPolicies.

use serde_json::{Value, json};

use super::objects::{AddTo, from_json, meta};
use crate::snapshot::ClusterSnapshot;

/// Builder of a ServiceNetwork object.
pub struct ServiceNetworkB(Value);

/// A ServiceNetwork object named `name`.
pub fn mk_network_object(name: &str) -> ServiceNetworkB {
    ServiceNetworkB(json!({
        "apiVersion": "application-networking.k8s.aws/v1alpha1",
        "kind": "ServiceNetwork",
        "metadata": meta(None, name),
        "spec": {},
    }))
}

impl ServiceNetworkB {
    /// Sets `metadata.annotations[key]`.
    pub fn annotation(mut self, key: &str, value: &str) -> Self {
        self.0["metadata"]["annotations"][key] = json!(value);
        self
    }
}

impl AddTo for ServiceNetworkB {
    fn add_to(self, s: &mut ClusterSnapshot) {
        s.service_networks.push(from_json(self.0));
    }
}

/// Builder of a VpcAssociationPolicy.
pub struct VapB(Value);

/// A VpcAssociationPolicy `ns/name` on Gateway `gateway` of the same namespace.
pub fn mk_vap(ns: &str, name: &str, gateway: &str) -> VapB {
    VapB(json!({
        "apiVersion": "application-networking.k8s.aws/v1alpha1",
        "kind": "VpcAssociationPolicy",
        "metadata": meta(Some(ns), name),
        "spec": {"targetRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": gateway}},
    }))
}

impl VapB {
    /// `spec.securityGroupIds`.
    pub fn groups(mut self, ids: &[&str]) -> Self {
        self.0["spec"]["securityGroupIds"] = json!(ids);
        self
    }

    /// `spec.associateWithVpc`.
    pub fn associate(mut self, on: bool) -> Self {
        self.0["spec"]["associateWithVpc"] = json!(on);
        self
    }

    /// `metadata.creationTimestamp`.
    pub fn created(mut self, at: &str) -> Self {
        self.0["metadata"]["creationTimestamp"] = json!(at);
        self
    }

    /// Sets `metadata.annotations[key]`.
    pub fn annotation(mut self, key: &str, value: &str) -> Self {
        self.0["metadata"]["annotations"][key] = json!(value);
        self
    }
}

impl AddTo for VapB {
    fn add_to(self, s: &mut ClusterSnapshot) {
        s.vpc_association_policies.push(from_json(self.0));
    }
}
