//! The ServiceNetwork kind: a VPC Lattice service network managed from the cluster.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A VPC Lattice service network named like the object (cluster-scoped, empty spec).
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "application-networking.k8s.aws",
    version = "v1alpha1",
    kind = "ServiceNetwork",
    doc = "A VPC Lattice service network named like this object.",
    plural = "servicenetworks",
    status = "ServiceNetworkStatus",
    crates(kube_core = "::kube_core"),
    printcolumn = r#"{"name":"ID","type":"string","jsonPath":".status.serviceNetworkID"}"#
)]
pub struct ServiceNetworkSpec {}

/// Status of a ServiceNetwork: the Lattice ids and `Accepted`/`Programmed` conditions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceNetworkStatus {
    /// ARN of the service network.
    #[serde(rename = "serviceNetworkARN", default, skip_serializing_if = "Option::is_none")]
    pub service_network_arn: Option<String>,
    /// Id of the service network (`sn-...`).
    #[serde(rename = "serviceNetworkID", default, skip_serializing_if = "Option::is_none")]
    pub service_network_id: Option<String>,
    /// Conditions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}
