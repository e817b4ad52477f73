//! Requests of the auth policy and access log subscription operations.

use serde::{Deserialize, Serialize};

use crate::names::Tags;

/// `UpdateServiceNetwork` request (only `authType` can change).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateServiceNetwork {
    /// Service network id or name.
    pub service_network_identifier: String,
    /// `NONE` or `AWS_IAM`.
    pub auth_type: String,
}

/// `PutAuthPolicy` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutAuthPolicy {
    /// Id of the service or service network, or the name of a service this plan creates.
    pub resource_identifier: String,
    /// The IAM policy document.
    pub policy: String,
}

/// `DeleteAuthPolicy` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteAuthPolicy {
    /// Id of the service or service network.
    pub resource_identifier: String,
}

/// `CreateAccessLogSubscription` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAccessLogSubscription {
    /// Id of the service or service network, or the name of a service this plan creates.
    pub resource_identifier: String,
    /// Destination ARN.
    pub destination_arn: String,
    /// Tags.
    pub tags: Tags,
}

/// `UpdateAccessLogSubscription` request (same destination type, another destination).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateAccessLogSubscription {
    /// Subscription id.
    pub access_log_subscription_identifier: String,
    /// New destination ARN.
    pub destination_arn: String,
}

/// Identifies an access log subscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogSubscriptionRef {
    /// Subscription id.
    pub access_log_subscription_identifier: String,
}
