//! The policy kinds: TargetGroupPolicy, VpcAssociationPolicy, AccessLogPolicy, IAMAuthPolicy.

use kube_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::PolicyTargetReference;

/// Status of every policy kind: one `Accepted` condition (reasons `Accepted`, `Invalid`,
/// `TargetNotFound`, `Conflicted`).
pub type PolicyStatus = crate::ConditionStatus;

/// Target group settings for the target groups of a Service or ServiceExport.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "application-networking.k8s.aws",
    version = "v1alpha1",
    kind = "TargetGroupPolicy",
    doc = "Target group settings (protocol, protocol version, health check) for a Service or ServiceExport.",
    plural = "targetgrouppolicies",
    shortname = "tgp",
    namespaced,
    status = "PolicyStatus",
    crates(kube_core = "::kube_core"),
    printcolumn = r#"{"name":"Target","type":"string","jsonPath":".spec.targetRef.name"}"#,
    printcolumn = r#"{"name":"Protocol","type":"string","jsonPath":".spec.protocol"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupPolicySpec {
    /// The Service (group `""`) or ServiceExport (group `application-networking.k8s.aws`), in
    /// the policy's namespace.
    pub target_ref: PolicyTargetReference,
    /// Target protocol: `HTTP` (default), `HTTPS` or `TCP`. A change creates a new target group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["HTTP", "HTTPS", "TCP"]))]
    pub protocol: Option<String>,
    /// Protocol version: `HTTP1` (default) or `HTTP2`; must be empty for `TCP`. GRPCRoute
    /// backends always use `GRPC`. A change creates a new target group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["HTTP1", "HTTP2"]))]
    pub protocol_version: Option<String>,
    /// Health check; changes are applied in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheckConfig>,
}

/// Health check of a target group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheckConfig {
    /// Whether health checking is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Seconds between checks (5 to 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 5, max = 300))]
    pub interval_seconds: Option<i64>,
    /// Seconds to wait for an answer (1 to 120).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 120))]
    pub timeout_seconds: Option<i64>,
    /// Successes before a target is healthy (2 to 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 2, max = 10))]
    pub healthy_threshold_count: Option<i64>,
    /// Failures before a target is unhealthy (2 to 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 2, max = 10))]
    pub unhealthy_threshold_count: Option<i64>,
    /// HTTP codes that count as healthy, e.g. `200` or `200-299`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_match: Option<String>,
    /// Path checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^/.*$"))]
    pub path: Option<String>,
    /// Port checked; the target's port when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<i64>,
    /// `HTTP` or `HTTPS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["HTTP", "HTTPS"]))]
    pub protocol: Option<String>,
    /// `HTTP1` or `HTTP2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["HTTP1", "HTTP2"]))]
    pub protocol_version: Option<String>,
}

/// How the cluster VPC is associated with the service network of a Gateway.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "application-networking.k8s.aws",
    version = "v1alpha1",
    kind = "VpcAssociationPolicy",
    doc = "How the cluster VPC is associated with the service network of a Gateway.",
    plural = "vpcassociationpolicies",
    shortname = "vap",
    namespaced,
    status = "PolicyStatus",
    crates(kube_core = "::kube_core"),
    printcolumn = r#"{"name":"Target","type":"string","jsonPath":".spec.targetRef.name"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct VpcAssociationPolicySpec {
    /// The Gateway, in the policy's namespace.
    pub target_ref: PolicyTargetReference,
    /// Security groups of the association (at least one when given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 5))]
    pub security_group_ids: Option<Vec<String>>,
    /// Whether the cluster VPC is associated (default true); `false` removes our association.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associate_with_vpc: Option<bool>,
}

/// Access logs of a Gateway's service network or a route's service.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "application-networking.k8s.aws",
    version = "v1alpha1",
    kind = "AccessLogPolicy",
    doc = "Access logs of a Gateway's service network or a route's VPC Lattice service.",
    plural = "accesslogpolicies",
    shortname = "alp",
    namespaced,
    status = "PolicyStatus",
    crates(kube_core = "::kube_core"),
    printcolumn = r#"{"name":"Target","type":"string","jsonPath":".spec.targetRef.name"}"#,
    printcolumn = r#"{"name":"Destination","type":"string","jsonPath":".spec.destinationArn"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogPolicySpec {
    /// S3 bucket, CloudWatch Logs log group or Kinesis Data Firehose delivery stream ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^arn(:[a-z0-9]+([.-][a-z0-9]+)*){2}(:([a-z0-9]+([.-][a-z0-9]+)*)?){2}:([^/].*)?"))]
    pub destination_arn: Option<String>,
    /// The Gateway, HTTPRoute or GRPCRoute, in the policy's namespace.
    pub target_ref: PolicyTargetReference,
}

/// An IAM auth policy for a Gateway's service network or a route's service.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "application-networking.k8s.aws",
    version = "v1alpha1",
    kind = "IAMAuthPolicy",
    doc = "An IAM auth policy for a Gateway's service network or a route's VPC Lattice service.",
    root = "IamAuthPolicy",
    plural = "iamauthpolicies",
    shortname = "iap",
    namespaced,
    status = "PolicyStatus",
    crates(kube_core = "::kube_core"),
    printcolumn = r#"{"name":"Target","type":"string","jsonPath":".spec.targetRef.name"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct IamAuthPolicySpec {
    /// The IAM policy document, as JSON text.
    pub policy: String,
    /// The Gateway, HTTPRoute or GRPCRoute, in the policy's namespace.
    pub target_ref: PolicyTargetReference,
}
