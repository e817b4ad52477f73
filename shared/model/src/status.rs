//! Status values the core computes for the objects whose status we own, and their JSON form
//! (`{apiVersion, kind, metadata: {namespace, name}, status}`).

use std::collections::BTreeMap;

use gateway_api::gatewayclasses::GatewayClassStatus;
use gateway_api::gateways::GatewayStatus;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use serde::{Deserialize, Serialize};

pub use crds::{PolicyStatus, ServiceExportStatus, ServiceNetworkStatus};

/// A parent reference as written in route status (group and kind always filled in).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentRef {
    /// API group of the parent.
    #[serde(default = "default_group")]
    pub group: String,
    /// Kind of the parent.
    #[serde(default = "default_kind")]
    pub kind: String,
    /// Namespace, when the route named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name of the parent.
    pub name: String,
    /// Listener name, when the route named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
    /// Listener port, when the route named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
}

fn default_group() -> String {
    "gateway.networking.k8s.io".to_owned()
}

fn default_kind() -> String {
    "Gateway".to_owned()
}

/// One entry of a route's `status.parents`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteParentStatus {
    /// The parent reference, copied from the spec.
    pub parent_ref: ParentRef,
    /// The controller that wrote this entry.
    pub controller_name: String,
    /// Conditions.
    pub conditions: Vec<Condition>,
}

/// A route's status (same shape for HTTPRoute, GRPCRoute and TLSRoute).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteStatus {
    /// Per-parent entries.
    pub parents: Vec<RouteParentStatus>,
}

/// The status of one object.
#[derive(Clone, Debug, PartialEq)]
pub enum ObjectStatus {
    /// A GatewayClass.
    GatewayClass(GatewayClassStatus),
    /// A Gateway.
    Gateway(GatewayStatus),
    /// A route.
    Route(RouteStatus),
    /// A policy (TargetGroupPolicy, VpcAssociationPolicy, AccessLogPolicy, IAMAuthPolicy).
    Policy(PolicyStatus),
    /// A ServiceExport.
    ServiceExport(ServiceExportStatus),
    /// A ServiceNetwork object.
    ServiceNetwork(ServiceNetworkStatus),
}

/// The status we would write on one object, and the annotations we would set on it.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusEntry {
    /// `apiVersion` of the object.
    pub api_version: String,
    /// Kind.
    pub kind: String,
    /// Namespace (`None` for cluster-scoped objects).
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// The status.
    pub status: ObjectStatus,
    /// Annotations to set (routes: Lattice DNS name and service ARN).
    pub annotations: BTreeMap<String, String>,
}

impl StatusEntry {
    /// The JSON form of the output contract.
    pub fn to_json(&self) -> serde_json::Value {
        let status = match &self.status {
            ObjectStatus::GatewayClass(s) => serde_json::to_value(s),
            ObjectStatus::Gateway(s) => serde_json::to_value(s),
            ObjectStatus::Route(s) => serde_json::to_value(s),
            ObjectStatus::Policy(s) => serde_json::to_value(s),
            ObjectStatus::ServiceExport(s) => serde_json::to_value(s),
            ObjectStatus::ServiceNetwork(s) => serde_json::to_value(s),
        }
        .unwrap_or(serde_json::Value::Null);
        let mut metadata = serde_json::Map::new();
        if let Some(ns) = &self.namespace {
            metadata.insert("namespace".into(), ns.clone().into());
        }
        metadata.insert("name".into(), self.name.clone().into());
        if !self.annotations.is_empty() {
            metadata.insert("annotations".into(), serde_json::json!(self.annotations));
        }
        serde_json::json!({
            "apiVersion": self.api_version,
            "kind": self.kind,
            "metadata": metadata,
            "status": status,
        })
    }

    /// All conditions of the entry, with where they sit (`""`, a listener name, or a parent
    /// name), for people-facing summaries.
    pub fn conditions(&self) -> Vec<(String, &Condition)> {
        match &self.status {
            ObjectStatus::GatewayClass(s) => s.conditions.iter().flatten().map(|c| (String::new(), c)).collect(),
            ObjectStatus::Gateway(s) => {
                let mut out: Vec<(String, &Condition)> =
                    s.conditions.iter().flatten().map(|c| (String::new(), c)).collect();
                for l in s.listeners.iter().flatten() {
                    out.extend(l.conditions.iter().map(|c| (format!("listener {}", l.name), c)));
                }
                out
            }
            ObjectStatus::Route(s) => s
                .parents
                .iter()
                .flat_map(|p| p.conditions.iter().map(move |c| (format!("parent {}", p.parent_ref.name), c)))
                .collect(),
            ObjectStatus::Policy(s) => s.conditions.iter().map(|c| (String::new(), c)).collect(),
            ObjectStatus::ServiceExport(s) => s.conditions.iter().map(|c| (String::new(), c)).collect(),
            ObjectStatus::ServiceNetwork(s) => s.conditions.iter().map(|c| (String::new(), c)).collect(),
        }
    }
}
