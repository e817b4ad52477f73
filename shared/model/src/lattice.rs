//! VPC Lattice resource shapes, written with the Lattice API's own field names (camelCase) so
//! that desired state, plans and observed state read exactly like API requests and responses.

use serde::{Deserialize, Serialize};

use crate::names::Tags;

pub mod policies;

pub use policies::{AccessLogSubscriptionSpec, AuthPolicySpec, PolicyResource, PolicyResourceType};

/// Which Kubernetes object a Lattice service or target group is built for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerKey {
    /// Kind of the owner (`HTTPRoute`, `GRPCRoute`, `TLSRoute`).
    pub kind: String,
    /// Namespace of the owner.
    pub namespace: String,
    /// Name of the owner.
    pub name: String,
}

impl std::fmt::Display for OwnerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

/// The whole desired Lattice state of a cluster (or of a scope of it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DesiredState {
    /// Service networks the Gateways map to.
    pub service_networks: Vec<ServiceNetworkSpec>,
    /// One service per accepted route.
    pub services: Vec<ServiceSpec>,
    /// Target groups of the routes' backends.
    pub target_groups: Vec<TargetGroupSpec>,
    /// IAM auth policies of services and service networks (IAMAuthPolicy).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auth_policies: Vec<AuthPolicySpec>,
    /// Access log subscriptions of services and service networks (AccessLogPolicy).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_log_subscriptions: Vec<AccessLogSubscriptionSpec>,
    /// Names of every Gateway of ours, accepted or not: a service network named like one (by
    /// name or id) is never deleted.
    #[serde(skip)]
    pub gateway_names: std::collections::BTreeSet<String>,
}

/// A service network Gateways map to, or one we create.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceNetworkSpec {
    /// Name (the Gateway's name) or id of the service network.
    pub name: String,
    /// Gateways (`namespace/name`) that map to it.
    pub gateways: Vec<String>,
    /// Tags to create it with when it is missing (`DEFAULT_SERVICE_NETWORK`, a ServiceNetwork
    /// object); absent when it must exist already.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// An existing service network of this name without any `ManagedBy` tag is taken over by
    /// tagging it (ServiceNetwork objects).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub adopt: bool,
    /// What the association of the cluster's VPC with it should be; absent: no opinion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_association: Option<VpcAssociationSpec>,
}

/// The association of the cluster's VPC with a service network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpcAssociationSpec {
    /// The cluster's VPC.
    pub vpc_identifier: String,
    /// Whether the association should exist (`associateWithVpc`); when not, ours is deleted.
    pub associate: bool,
    /// Security groups, compared without order; absent: whatever the association has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_group_ids: Option<Vec<String>>,
    /// Tags, including `ManagedBy`.
    pub tags: Tags,
    /// What asked for it, for refusals: `VpcAssociationPolicy ns/name` or `DEFAULT_SERVICE_NETWORK`.
    #[serde(skip)]
    pub source: String,
}

/// A Lattice service with its listeners and rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpec {
    /// Service name (unique per account).
    pub name: String,
    /// Custom domain name (the route's first hostname); immutable once created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_domain_name: Option<String>,
    /// ACM certificate for HTTPS listeners.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_arn: Option<String>,
    /// Tags, including `ManagedBy`.
    pub tags: Tags,
    /// Names (or ids) of the service networks to associate the service with.
    pub service_networks: Vec<String>,
    /// Listeners of the service.
    pub listeners: Vec<ListenerSpec>,
    /// The route this service is built for.
    #[serde(skip)]
    pub owner: Option<OwnerKey>,
    /// `ManagedBy` value of another owner the route allows us to take the service over from
    /// (annotation `application-networking.k8s.aws/allow-takeover-from`).
    #[serde(skip)]
    pub takeover_from: Option<String>,
}

/// Listener protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ListenerProtocol {
    /// Plain HTTP.
    Http,
    /// HTTPS terminated by Lattice.
    Https,
    /// TLS passed through to the targets.
    TlsPassthrough,
}

impl ListenerProtocol {
    /// The short form used in listener names: `http`, `https`, `tls`.
    pub fn short(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
            Self::TlsPassthrough => "tls",
        }
    }

    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "HTTP",
            Self::Https => "HTTPS",
            Self::TlsPassthrough => "TLS_PASSTHROUGH",
        }
    }
}

/// A listener with its rules (the default rule is `defaultAction`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerSpec {
    /// Listener name (unique per service).
    pub name: String,
    /// Protocol.
    pub protocol: ListenerProtocol,
    /// Port.
    pub port: i32,
    /// Action of the default rule.
    pub default_action: RuleAction,
    /// Non-default rules, ordered by priority.
    pub rules: Vec<RuleSpec>,
    /// Tags, including `ManagedBy`.
    pub tags: Tags,
}

/// A listener rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleSpec {
    /// Rule name (unique per listener).
    pub name: String,
    /// Priority, 1 is evaluated first.
    pub priority: i32,
    /// What the rule matches.
    #[serde(rename = "match")]
    pub matcher: RuleMatch,
    /// What the rule does.
    pub action: RuleAction,
    /// Tags, including `ManagedBy`.
    pub tags: Tags,
}

/// `RuleAction` union: forward to weighted target groups, or answer a fixed status code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleAction {
    /// Forward to target groups.
    Forward(ForwardAction),
    /// Answer with a fixed status code (404 or 500).
    FixedResponse(FixedResponseAction),
}

impl RuleAction {
    /// A fixed response with `status_code`.
    pub fn fixed(status_code: i32) -> Self {
        Self::FixedResponse(FixedResponseAction { status_code })
    }
}

/// Forward action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForwardAction {
    /// Weighted target groups (1 to 10).
    pub target_groups: Vec<WeightedTargetGroup>,
}

/// A target group and its weight (0 to 999).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeightedTargetGroup {
    /// In desired state: the target group's name; in observed state and plans: its id, or its
    /// name when it is created by the same plan.
    pub target_group_identifier: String,
    /// Relative weight.
    pub weight: i32,
}

/// Fixed-response action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FixedResponseAction {
    /// HTTP status code.
    pub status_code: i32,
}

/// `RuleMatch` union; Lattice knows only HTTP matches.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleMatch {
    /// An HTTP match.
    HttpMatch(HttpMatch),
}

/// HTTP match: all given parts must match.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpMatch {
    /// HTTP method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_match: Option<PathMatch>,
    /// Header matches (at most 5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub header_matches: Vec<HeaderMatch>,
}

/// Path match.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathMatch {
    /// Exact or prefix.
    #[serde(rename = "match")]
    pub matcher: PathMatchType,
    /// Whether the match is case sensitive.
    pub case_sensitive: bool,
}

/// `PathMatchType` union.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PathMatchType {
    /// Exact path.
    Exact(String),
    /// Path prefix.
    Prefix(String),
}

/// Header match.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeaderMatch {
    /// Header name.
    pub name: String,
    /// How the value matches.
    #[serde(rename = "match")]
    pub matcher: HeaderMatchType,
    /// Whether the value match is case sensitive.
    pub case_sensitive: bool,
}

/// `HeaderMatchType` union.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HeaderMatchType {
    /// Exact value.
    Exact(String),
    /// Value prefix.
    Prefix(String),
    /// Value contains.
    Contains(String),
}

/// Target group type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetGroupType {
    /// IP targets (pods).
    Ip,
    /// Lambda function.
    Lambda,
    /// EC2 instances.
    Instance,
    /// An Application Load Balancer.
    Alb,
}

/// A target group with the targets it should have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupSpec {
    /// Name (unique per account).
    pub name: String,
    /// Type (always `IP` for Kubernetes backends).
    #[serde(rename = "type")]
    pub kind: TargetGroupType,
    /// Immutable configuration (health check excepted).
    pub config: TargetGroupConfig,
    /// Tags, including `ManagedBy` and the identity tags.
    pub tags: Tags,
    /// Targets that should be registered.
    pub targets: Vec<Target>,
    /// The route this target group is built for.
    #[serde(skip)]
    pub owner: Option<OwnerKey>,
}

/// Target group configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupConfig {
    /// Default target port.
    pub port: i32,
    /// `HTTP`, `HTTPS` or `TCP`.
    pub protocol: String,
    /// `HTTP1`, `HTTP2` or `GRPC`; absent for TCP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<String>,
    /// `IPV4` or `IPV6`.
    pub ip_address_type: String,
    /// VPC of the targets.
    pub vpc_identifier: String,
    /// Health check; absent means Lattice's defaults.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check: Option<serde_json::Value>,
}

/// A registered target.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// IP address.
    pub id: String,
    /// Port.
    pub port: i32,
}
