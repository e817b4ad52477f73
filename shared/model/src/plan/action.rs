//! Plan actions: one per Lattice API call, with the API's own request fields.
//!
//! Identifiers name the resource by id when it exists, or by name when the same plan creates it
//! (service, target group and service network names are unique per account; listener names per
//! service; rule names per listener). The executor resolves names to ids as it goes.

use serde::{Deserialize, Serialize};

use crate::lattice::{ListenerProtocol, RuleAction, RuleMatch, Target, TargetGroupConfig, TargetGroupType};
use crate::names::Tags;

mod policies;

pub use super::action_networks::{
    CreateServiceNetworkVpcAssociation, ServiceNetworkRef, UpdateServiceNetworkVpcAssociation, VpcAssociationRef,
};
pub use policies::{
    AccessLogSubscriptionRef, CreateAccessLogSubscription, DeleteAuthPolicy, PutAuthPolicy,
    UpdateAccessLogSubscription, UpdateServiceNetwork,
};

/// Most targets one `RegisterTargets` or `DeregisterTargets` call takes.
pub const MAX_TARGETS_PER_CALL: usize = 100;
/// Most rule updates one `BatchUpdateRule` call takes.
pub const MAX_RULES_PER_BATCH: usize = 10;

/// One Lattice (or tagging) API call, serialized as `{"op": "<Operation>", "request": {...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", content = "request")]
#[allow(missing_docs, reason = "each variant is the Lattice operation of the same name")]
pub enum Action {
    CreateServiceNetwork(CreateServiceNetwork),
    CreateService(CreateService),
    UpdateService(UpdateService),
    DeleteService(ServiceRef),
    CreateServiceNetworkServiceAssociation(CreateServiceNetworkServiceAssociation),
    DeleteServiceNetworkServiceAssociation(AssociationRef),
    CreateListener(CreateListener),
    UpdateListener(UpdateListener),
    DeleteListener(ListenerRef),
    CreateRule(CreateRule),
    BatchUpdateRule(BatchUpdateRule),
    DeleteRule(RuleRef),
    CreateTargetGroup(CreateTargetGroup),
    UpdateTargetGroup(UpdateTargetGroup),
    DeleteTargetGroup(TargetGroupRef),
    RegisterTargets(Targets),
    DeregisterTargets(Targets),
    TagResource(TagResource),
    UntagResource(UntagResource),
    UpdateServiceNetwork(UpdateServiceNetwork),
    PutAuthPolicy(PutAuthPolicy),
    DeleteAuthPolicy(DeleteAuthPolicy),
    CreateAccessLogSubscription(CreateAccessLogSubscription),
    UpdateAccessLogSubscription(UpdateAccessLogSubscription),
    DeleteAccessLogSubscription(AccessLogSubscriptionRef),
    DeleteServiceNetwork(ServiceNetworkRef),
    CreateServiceNetworkVpcAssociation(CreateServiceNetworkVpcAssociation),
    UpdateServiceNetworkVpcAssociation(UpdateServiceNetworkVpcAssociation),
    DeleteServiceNetworkVpcAssociation(VpcAssociationRef),
}

impl Action {
    /// The Lattice API operation name.
    pub fn op(&self) -> &'static str {
        match self {
            Self::CreateServiceNetwork(_) => "CreateServiceNetwork",
            Self::CreateService(_) => "CreateService",
            Self::UpdateService(_) => "UpdateService",
            Self::DeleteService(_) => "DeleteService",
            Self::CreateServiceNetworkServiceAssociation(_) => "CreateServiceNetworkServiceAssociation",
            Self::DeleteServiceNetworkServiceAssociation(_) => "DeleteServiceNetworkServiceAssociation",
            Self::CreateListener(_) => "CreateListener",
            Self::UpdateListener(_) => "UpdateListener",
            Self::DeleteListener(_) => "DeleteListener",
            Self::CreateRule(_) => "CreateRule",
            Self::BatchUpdateRule(_) => "BatchUpdateRule",
            Self::DeleteRule(_) => "DeleteRule",
            Self::CreateTargetGroup(_) => "CreateTargetGroup",
            Self::UpdateTargetGroup(_) => "UpdateTargetGroup",
            Self::DeleteTargetGroup(_) => "DeleteTargetGroup",
            Self::RegisterTargets(_) => "RegisterTargets",
            Self::DeregisterTargets(_) => "DeregisterTargets",
            Self::TagResource(_) => "TagResource",
            Self::UntagResource(_) => "UntagResource",
            Self::UpdateServiceNetwork(_) => "UpdateServiceNetwork",
            Self::PutAuthPolicy(_) => "PutAuthPolicy",
            Self::DeleteAuthPolicy(_) => "DeleteAuthPolicy",
            Self::CreateAccessLogSubscription(_) => "CreateAccessLogSubscription",
            Self::UpdateAccessLogSubscription(_) => "UpdateAccessLogSubscription",
            Self::DeleteAccessLogSubscription(_) => "DeleteAccessLogSubscription",
            Self::DeleteServiceNetwork(_) => "DeleteServiceNetwork",
            Self::CreateServiceNetworkVpcAssociation(_) => "CreateServiceNetworkVpcAssociation",
            Self::UpdateServiceNetworkVpcAssociation(_) => "UpdateServiceNetworkVpcAssociation",
            Self::DeleteServiceNetworkVpcAssociation(_) => "DeleteServiceNetworkVpcAssociation",
        }
    }
}

/// `CreateServiceNetwork` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateServiceNetwork {
    /// Name.
    pub name: String,
    /// Tags.
    pub tags: Tags,
}

/// `CreateService` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateService {
    /// Name.
    pub name: String,
    /// Custom domain name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_domain_name: Option<String>,
    /// Certificate ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_arn: Option<String>,
    /// Tags.
    pub tags: Tags,
}

/// `UpdateService` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateService {
    /// Service id or name.
    pub service_identifier: String,
    /// New certificate ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_arn: Option<String>,
    /// New `authType` (`NONE` or `AWS_IAM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
}

/// Identifies a service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRef {
    /// Service id or name.
    pub service_identifier: String,
}

/// `CreateServiceNetworkServiceAssociation` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateServiceNetworkServiceAssociation {
    /// Service id or name.
    pub service_identifier: String,
    /// Service network id or name.
    pub service_network_identifier: String,
    /// Tags.
    pub tags: Tags,
}

/// Identifies a service-network-to-service association.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationRef {
    /// Association id.
    pub service_network_service_association_identifier: String,
}

/// `CreateListener` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateListener {
    /// Service id or name.
    pub service_identifier: String,
    /// Name.
    pub name: String,
    /// Protocol.
    pub protocol: ListenerProtocol,
    /// Port.
    pub port: i32,
    /// Default action.
    pub default_action: RuleAction,
    /// Tags.
    pub tags: Tags,
}

/// `UpdateListener` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateListener {
    /// Service id or name.
    pub service_identifier: String,
    /// Listener id or name.
    pub listener_identifier: String,
    /// New default action.
    pub default_action: RuleAction,
}

/// Identifies a listener.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerRef {
    /// Service id or name.
    pub service_identifier: String,
    /// Listener id or name.
    pub listener_identifier: String,
}

/// `CreateRule` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRule {
    /// Service id or name.
    pub service_identifier: String,
    /// Listener id or name.
    pub listener_identifier: String,
    /// Name.
    pub name: String,
    /// Match.
    #[serde(rename = "match")]
    pub matcher: RuleMatch,
    /// Priority.
    pub priority: i32,
    /// Action.
    pub action: RuleAction,
    /// Tags.
    pub tags: Tags,
}

/// `BatchUpdateRule` request (at most 10 rules).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchUpdateRule {
    /// Service id or name.
    pub service_identifier: String,
    /// Listener id or name.
    pub listener_identifier: String,
    /// Rule updates.
    pub rules: Vec<RuleUpdate>,
}

/// One entry of `BatchUpdateRule`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleUpdate {
    /// Rule id.
    pub rule_identifier: String,
    /// New match.
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub matcher: Option<RuleMatch>,
    /// New priority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// New action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<RuleAction>,
}

/// Identifies a rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleRef {
    /// Service id or name.
    pub service_identifier: String,
    /// Listener id or name.
    pub listener_identifier: String,
    /// Rule id.
    pub rule_identifier: String,
}

/// `CreateTargetGroup` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTargetGroup {
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: TargetGroupType,
    /// Configuration.
    pub config: TargetGroupConfig,
    /// Tags.
    pub tags: Tags,
}

/// `UpdateTargetGroup` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTargetGroup {
    /// Target group id or name.
    pub target_group_identifier: String,
    /// New health check.
    pub health_check: serde_json::Value,
}

/// Identifies a target group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupRef {
    /// Target group id or name.
    pub target_group_identifier: String,
}

/// `RegisterTargets` / `DeregisterTargets` request (at most 100 targets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Targets {
    /// Target group id or name.
    pub target_group_identifier: String,
    /// Targets.
    pub targets: Vec<Target>,
}

/// `TagResource` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagResource {
    /// ARN of the resource.
    pub resource_arn: String,
    /// Tags to add or overwrite.
    pub tags: Tags,
}

/// `UntagResource` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UntagResource {
    /// ARN of the resource.
    pub resource_arn: String,
    /// Keys to remove.
    pub tag_keys: Vec<String>,
}
