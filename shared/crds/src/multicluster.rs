//! ServiceExport and ServiceImport: services shared between clusters through VPC Lattice
//! target groups.

use kube_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Exports the Service of the same name (or the one named by the
/// `application-networking.k8s.aws/service-name` annotation) as VPC Lattice target groups.
/// Only exports annotated `application-networking.k8s.aws/federation: amazon-vpc-lattice` are
/// handled.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "application-networking.k8s.aws",
    version = "v1alpha1",
    kind = "ServiceExport",
    doc = "Exports a Service to other clusters as VPC Lattice target groups.",
    plural = "serviceexports",
    namespaced,
    status = "ServiceExportStatus",
    crates(kube_core = "::kube_core")
)]
#[serde(rename_all = "camelCase")]
pub struct ServiceExportSpec {
    /// Ports to export, one target group each; without it the legacy
    /// `application-networking.k8s.aws/port` annotation decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported_ports: Option<Vec<ExportedPort>>,
}

/// One exported port.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportedPort {
    /// Port of the Service.
    #[schemars(range(min = 1, max = 65535))]
    pub port: i32,
    /// Kind of route that will use it: `HTTP`, `GRPC` or `TLS`.
    #[schemars(extend("enum" = ["HTTP", "GRPC", "TLS"]))]
    pub route_type: String,
}

/// Status of a ServiceExport: its conditions.
pub type ServiceExportStatus = crate::ConditionStatus;

/// A service exported by other clusters, usable as a route backend. Its spec follows the
/// multi-cluster services API; routing is decided by its annotations.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "application-networking.k8s.aws",
    version = "v1alpha1",
    kind = "ServiceImport",
    doc = "A service exported by other clusters, usable as a route backend.",
    plural = "serviceimports",
    namespaced,
    status = "ServiceImportStatus",
    crates(kube_core = "::kube_core")
)]
#[serde(rename_all = "camelCase")]
pub struct ServiceImportSpec {
    /// Ports of the imported service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ServiceImportPort>,
    /// Cluster-set IPs (informational).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<String>,
    /// `ClusterSetIP` or `Headless`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["ClusterSetIP", "Headless"]))]
    pub kind: Option<String>,
    /// `None` or `ClientIP` (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_affinity: Option<String>,
    /// Session affinity settings (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_affinity_config: Option<k8s_openapi::api::core::v1::SessionAffinityConfig>,
}

/// A port of an imported service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceImportPort {
    /// Port name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `TCP`, `UDP` or `SCTP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Application protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
    /// Port number.
    pub port: i32,
}

/// Status of a ServiceImport.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceImportStatus {
    /// Clusters that export the service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<ClusterStatus>,
}

/// A cluster exporting an imported service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterStatus {
    /// Cluster name.
    pub cluster: String,
}
