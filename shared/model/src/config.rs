//! Who we are in AWS and which VPC Lattice quotas we plan against.

use serde::{Deserialize, Serialize};

use crate::webhook::WebhookSetting;

/// The `spec.controllerName` of every GatewayClass this controller owns.
pub const CONTROLLER_NAME: &str = "application-networking.k8s.aws/gateway-api-controller";

/// The AWS identity of one cluster: the values that make up the `ManagedBy` tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// AWS account that owns the Lattice resources (12 digits).
    pub account_id: String,
    /// Name of the EKS cluster.
    pub cluster_name: String,
    /// VPC of the cluster (`vpc-...`).
    pub vpc_id: String,
    /// AWS region of the Lattice resources.
    pub region: String,
}

impl Identity {
    /// The value of the `application-networking.k8s.aws/ManagedBy` tag:
    /// `<account>/<cluster>/<vpc>`, exactly as the existing controller writes it.
    pub fn managed_by(&self) -> String {
        format!("{}/{}/{}", self.account_id, self.cluster_name, self.vpc_id)
    }
}

/// VPC Lattice quotas and hard API limits the translation must respect.
///
/// Adjustable quotas default to the AWS defaults; raise them when the account's quotas were raised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quotas {
    /// Rules per listener, the default rule not counted (adjustable quota, default 10).
    pub rules_per_listener: usize,
    /// Listeners per service (adjustable quota, default 2).
    pub listeners_per_service: usize,
    /// Target groups one service may reference (adjustable quota, default 10).
    pub target_groups_per_service: usize,
    /// Targets per target group (adjustable quota, default 1,000).
    pub targets_per_target_group: usize,
    /// Header matches per rule (hard API limit 5).
    pub header_matches_per_rule: usize,
    /// Weighted target groups in one forward action (hard API limit 10).
    pub target_groups_per_action: usize,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            rules_per_listener: 10,
            listeners_per_service: 2,
            target_groups_per_service: 10,
            targets_per_target_group: 1000,
            header_matches_per_rule: 5,
            target_groups_per_action: 10,
        }
    }
}

/// Everything the translation needs besides the cluster objects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// The AWS identity of the cluster.
    pub identity: Identity,
    /// Quotas to plan against.
    pub quotas: Quotas,
    /// `DEFAULT_SERVICE_NETWORK`: a service network created when missing, with an association of
    /// the cluster's VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_service_network: Option<String>,
    /// `ENABLE_SERVICE_NETWORK_OVERRIDE`: every Gateway maps to the default service network
    /// instead of the one named like the Gateway (needs `default_service_network`).
    #[serde(default)]
    pub service_network_override: bool,
    /// `READINESS_WEBHOOK_URL`: whether the readiness gate webhook configuration is kept by
    /// whole-cluster runs (see [`crate::webhook`]).
    #[serde(default, skip_serializing_if = "WebhookSetting::is_unmanaged")]
    pub readiness_webhook: WebhookSetting,
    /// The garbage-collection safety valve (`GC_MAX_DELETE_PERCENT`, `GC_MIN_DELETE`, the
    /// mass-delete override); see [`crate::plan::valve`].
    #[serde(default)]
    pub gc: crate::plan::valve::GcLimit,
}

impl Config {
    /// A configuration with default quotas and no default service network.
    pub fn new(identity: Identity) -> Self {
        Self {
            identity,
            quotas: Quotas::default(),
            default_service_network: None,
            service_network_override: false,
            readiness_webhook: WebhookSetting::Unmanaged,
            gc: crate::plan::valve::GcLimit::default(),
        }
    }

    /// The service network every Gateway maps to in override mode, if that mode is on.
    pub fn override_network(&self) -> Option<&str> {
        self.default_service_network.as_deref().filter(|_| self.service_network_override)
    }

    /// Checks the service network settings: the default name must be a valid VPC Lattice
    /// service network name, and override mode needs it. The error names the setting.
    pub fn validate_service_networks(&self) -> Result<(), String> {
        if let Some(name) = &self.default_service_network
            && let Err(problem) = crate::names::check_service_network_name(name)
        {
            return Err(format!("DEFAULT_SERVICE_NETWORK {name:?}: {problem}"));
        }
        if self.service_network_override && self.default_service_network.is_none() {
            return Err("ENABLE_SERVICE_NETWORK_OVERRIDE needs DEFAULT_SERVICE_NETWORK".to_owned());
        }
        Ok(())
    }
}
