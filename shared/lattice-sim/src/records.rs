//! The resource records kept in the state, one per Lattice resource kind.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::state::{Lifecycle, Meta};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ServiceNetwork {
    pub meta: Meta,
    pub name: String,
    pub auth_type: String,
    pub sharing_enabled: Option<bool>,
    /// Set for a service network another account owns and shares with this one through AWS RAM:
    /// that account's id. Such a service network can be read and associated, not changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_from: Option<String>,
    /// A shared service network `ListServiceNetworks` does not show (found only by id, ARN or
    /// through associations).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unlisted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Service {
    pub meta: Meta,
    pub name: String,
    pub custom_domain_name: Option<String>,
    pub certificate_arn: Option<String>,
    pub auth_type: String,
    pub dns_name: String,
    pub life: Lifecycle,
}

/// One weighted target group of a forward action; `identifier` is echoed as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct WeightedTg {
    pub identifier: String,
    pub tg_id: String,
    pub weight: u32,
}

/// A listener default action or rule action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Action {
    Forward(Vec<WeightedTg>),
    FixedResponse(u16),
}

impl Action {
    pub fn to_json(&self) -> Value {
        match self {
            Action::Forward(tgs) => {
                let list: Vec<Value> =
                    tgs.iter().map(|t| json!({"targetGroupIdentifier": t.identifier, "weight": t.weight})).collect();
                json!({"forward": {"targetGroups": list}})
            }
            Action::FixedResponse(code) => json!({"fixedResponse": {"statusCode": code}}),
        }
    }

    pub fn tg_ids(&self) -> Vec<&str> {
        match self {
            Action::Forward(tgs) => tgs.iter().map(|t| t.tg_id.as_str()).collect(),
            Action::FixedResponse(_) => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Listener {
    pub meta: Meta,
    pub name: String,
    pub protocol: String,
    pub port: u16,
    pub service_id: String,
    pub default_action: Action,
    pub default_rule_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Rule {
    pub meta: Meta,
    pub name: String,
    pub listener_id: String,
    pub service_id: String,
    pub is_default: bool,
    pub priority: Option<u32>,
    pub matcher: Option<Value>,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct HealthCheck {
    pub enabled: bool,
    pub protocol: Option<String>,
    pub protocol_version: Option<String>,
    pub port: Option<u16>,
    pub path: Option<String>,
    pub interval: u32,
    pub timeout: u32,
    pub healthy: u32,
    pub unhealthy: u32,
    pub matcher: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TgConfig {
    pub port: Option<u16>,
    pub protocol: Option<String>,
    pub protocol_version: Option<String>,
    pub ip_address_type: Option<String>,
    pub vpc_identifier: Option<String>,
    pub health_check: Option<HealthCheck>,
    pub lambda_event_structure_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Target {
    pub id: String,
    pub port: Option<u16>,
    pub seq: u64,
    pub registered_at: u64,
    pub draining_until: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TargetGroup {
    pub meta: Meta,
    pub name: String,
    pub tg_type: String,
    pub config: Option<TgConfig>,
    pub life: Lifecycle,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Snsa {
    pub meta: Meta,
    pub service_id: String,
    pub sn_id: String,
    pub life: Lifecycle,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Snva {
    pub meta: Meta,
    pub sn_id: String,
    pub vpc_id: String,
    pub security_group_ids: Vec<String>,
    pub private_dns_enabled: Option<bool>,
    pub dns_options: Option<Value>,
    pub life: Lifecycle,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AccessLog {
    pub meta: Meta,
    pub resource_id: String,
    pub resource_arn: String,
    pub destination_arn: String,
    pub log_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AuthPolicy {
    pub policy: String,
    pub created_at: u64,
    pub updated_at: u64,
}
