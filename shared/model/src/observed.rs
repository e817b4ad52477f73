//! What exists in VPC Lattice: the inventory the plan is diffed against.
//!
//! Forward actions here name target groups by id (or ARN), as Lattice returns them.

use serde::{Deserialize, Serialize};

use crate::lattice::{HttpMatch, ListenerProtocol, RuleAction, Target, TargetGroupConfig, TargetGroupType};
use crate::names::{TAG_MANAGED_BY, Tags};
pub use crate::readiness::TargetHealth;

pub mod policies;

pub use policies::{ObservedAccessLogSubscription, ObservedAuth};

/// The observed Lattice inventory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedState {
    /// Service networks visible to the account (owned or shared).
    pub service_networks: Vec<ObservedServiceNetwork>,
    /// Services, with their associations, listeners and rules.
    pub services: Vec<ObservedService>,
    /// Target groups with their targets.
    pub target_groups: Vec<ObservedTargetGroup>,
    /// Auth settings of the services and service networks we own that were read in full.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auth: Vec<ObservedAuth>,
    /// Access log subscriptions we own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_log_subscriptions: Vec<ObservedAccessLogSubscription>,
    /// Issued ACM certificates, when some route needed one discovered; `None` when they were
    /// not read (translation then leaves discovered certificates out without judging them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificates: Option<Vec<crate::certificates::ObservedCertificate>>,
    /// ARNs of the services and target groups built from their fingerprint tag instead of read
    /// in detail (see [`crate::fingerprint::synthesize`]).
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub unverified: std::collections::BTreeSet<String>,
}

/// A service network: of the account, or shared with it through AWS RAM (its ARN names
/// another account).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedServiceNetwork {
    /// `sn-...`
    pub id: String,
    /// ARN.
    pub arn: String,
    /// Name.
    pub name: String,
    /// Tags (those of service networks we neither own nor asked about are not read).
    #[serde(default)]
    pub tags: Tags,
    /// `numberOfAssociatedVPCs` as listed (every VPC, not only the cluster's), when known.
    #[serde(default, rename = "numberOfAssociatedVPCs", skip_serializing_if = "Option::is_none")]
    pub associated_vpcs: Option<i64>,
    /// `numberOfAssociatedServices` as listed, when known.
    #[serde(default, rename = "numberOfAssociatedServices", skip_serializing_if = "Option::is_none")]
    pub associated_services: Option<i64>,
    /// Associations of the cluster's VPC with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vpc_associations: Vec<ObservedVpcAssociation>,
}

/// An association of the cluster's VPC with a service network.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedVpcAssociation {
    /// `snva-...`
    pub id: String,
    /// ARN.
    pub arn: String,
    /// Lifecycle status (`ACTIVE`, `CREATE_IN_PROGRESS`, `UPDATE_FAILED`, ...).
    pub status: String,
    /// The VPC.
    pub vpc_id: String,
    /// Security groups, when read (only those of our associations are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_group_ids: Option<Vec<String>>,
    /// Tags (ours only; others are not read).
    #[serde(default)]
    pub tags: Tags,
}

/// A service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedService {
    /// `svc-...`
    pub id: String,
    /// ARN.
    pub arn: String,
    /// Name.
    pub name: String,
    /// Custom domain name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_domain_name: Option<String>,
    /// Certificate ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_arn: Option<String>,
    /// Lattice-assigned DNS name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_name: Option<String>,
    /// Lifecycle status (`ACTIVE`, `CREATE_IN_PROGRESS`, ...).
    pub status: String,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// Associations with service networks.
    #[serde(default)]
    pub associations: Vec<ObservedAssociation>,
    /// Listeners with their rules.
    #[serde(default)]
    pub listeners: Vec<ObservedListener>,
}

/// A service-network-to-service association.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedAssociation {
    /// `snsa-...`
    pub id: String,
    /// ARN.
    pub arn: String,
    /// Id of the service network.
    pub service_network_id: String,
    /// Name of the service network.
    pub service_network_name: String,
    /// Lifecycle status.
    pub status: String,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
}

/// A listener.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedListener {
    /// `listener-...`
    pub id: String,
    /// ARN.
    pub arn: String,
    /// Name.
    pub name: String,
    /// Protocol.
    pub protocol: ListenerProtocol,
    /// Port.
    pub port: i32,
    /// Default action.
    pub default_action: RuleAction,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// Non-default rules.
    #[serde(default)]
    pub rules: Vec<ObservedRule>,
}

/// A non-default listener rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedRule {
    /// `rule-...`
    pub id: String,
    /// ARN.
    pub arn: String,
    /// Name.
    pub name: String,
    /// Priority.
    pub priority: i32,
    /// Match (`httpMatch`).
    #[serde(rename = "match")]
    pub matcher: HttpMatch,
    /// Action.
    pub action: RuleAction,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
}

/// A target group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedTargetGroup {
    /// `tg-...`
    pub id: String,
    /// ARN.
    pub arn: String,
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: TargetGroupType,
    /// Configuration as Lattice reports it (defaults filled in).
    pub config: TargetGroupConfig,
    /// Lifecycle status.
    pub status: String,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// ARNs of the services using it.
    #[serde(default)]
    pub service_arns: Vec<String>,
    /// Registered targets that are not draining.
    #[serde(default)]
    pub targets: Vec<Target>,
    /// Health of every registered target, draining ones included, as `ListTargets` reports it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub health: Vec<TargetHealth>,
}

/// Whether a resource's tags carry our `ManagedBy` value.
pub fn is_owned(tags: &Tags, managed_by: &str) -> bool {
    tags.get(TAG_MANAGED_BY).is_some_and(|v| v == managed_by)
}

impl ObservedState {
    /// The service network with this name, id or ARN.
    pub fn service_network(&self, name_or_id: &str) -> Option<&ObservedServiceNetwork> {
        self.service_networks.iter().find(|sn| sn.name == name_or_id || sn.id == name_or_id || sn.arn == name_or_id)
    }

    /// The service with this name.
    pub fn service(&self, name: &str) -> Option<&ObservedService> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The target group with this name.
    pub fn target_group(&self, name: &str) -> Option<&ObservedTargetGroup> {
        self.target_groups.iter().find(|tg| tg.name == name)
    }

    /// The auth settings of the service or service network with this id, when read.
    pub fn auth_of(&self, resource_id: &str) -> Option<&ObservedAuth> {
        self.auth.iter().find(|a| a.resource_id == resource_id)
    }
}
