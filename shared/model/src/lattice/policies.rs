//! Desired IAM auth policies and access log subscriptions of services and service networks,
//! written with the Lattice API's own field names.

use serde::{Deserialize, Serialize};

use crate::lattice::OwnerKey;
use crate::names::Tags;

/// The kind of Lattice resource an auth policy or access log subscription is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PolicyResourceType {
    /// A Lattice service (a route's).
    Service,
    /// A service network (a Gateway's).
    ServiceNetwork,
}

impl PolicyResourceType {
    /// How refusals and messages name the kind: `service` or `servicenetwork`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::ServiceNetwork => "servicenetwork",
        }
    }
}

/// A service or service network, by name (or, for a service network, name or id).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyResource {
    /// Service or service network.
    pub resource_type: PolicyResourceType,
    /// Name of the service; name or id of the service network.
    pub resource_identifier: String,
}

impl PolicyResource {
    /// A Lattice service by name.
    pub fn service(name: impl Into<String>) -> Self {
        Self { resource_type: PolicyResourceType::Service, resource_identifier: name.into() }
    }

    /// A service network by name or id.
    pub fn service_network(name_or_id: impl Into<String>) -> Self {
        Self { resource_type: PolicyResourceType::ServiceNetwork, resource_identifier: name_or_id.into() }
    }
}

impl PolicyResource {
    /// How status messages name it: `VPC Lattice service <name>` or `service network <name>`.
    pub fn describe(&self) -> String {
        match self.resource_type {
            PolicyResourceType::Service => format!("VPC Lattice service {}", self.resource_identifier),
            PolicyResourceType::ServiceNetwork => format!("service network {}", self.resource_identifier),
        }
    }
}

impl std::fmt::Display for PolicyResource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.resource_type.label(), self.resource_identifier)
    }
}

/// An IAM auth policy: the resource's `authType` is `AWS_IAM` and this policy is attached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthPolicySpec {
    /// Where the policy goes.
    #[serde(flatten)]
    pub resource: PolicyResource,
    /// The IAM policy document (JSON text).
    pub policy: String,
    /// The route whose service carries the policy (none for a service network).
    #[serde(skip)]
    pub owner: Option<OwnerKey>,
}

/// An access log subscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogSubscriptionSpec {
    /// The resource whose traffic is logged.
    #[serde(flatten)]
    pub resource: PolicyResource,
    /// CloudWatch Logs log group, S3 bucket or Firehose delivery stream ARN.
    pub destination_arn: String,
    /// Tags, including `ManagedBy` and `AccessLogPolicy` (`<namespace>/<name>` of the policy).
    pub tags: Tags,
    /// The route whose service is logged (none for a service network).
    #[serde(skip)]
    pub owner: Option<OwnerKey>,
}

/// Where access logs go, by the service of the destination ARN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DestinationType {
    /// An S3 bucket (`arn:<partition>:s3:::<bucket>`).
    S3,
    /// A CloudWatch Logs log group (`arn:<partition>:logs:<region>:<account>:log-group:<name>`).
    CloudWatchLogs,
    /// A Kinesis Data Firehose delivery stream
    /// (`arn:<partition>:firehose:<region>:<account>:deliverystream/<name>`).
    Firehose,
}

impl DestinationType {
    /// The destination type of an ARN, or `None` when it is none of the three. Lattice allows
    /// one subscription per destination type on a resource.
    pub fn of(arn: &str) -> Option<Self> {
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        if partition.is_empty() {
            return None;
        }
        let located = !region.is_empty() && account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        match service {
            "s3" if region.is_empty() && account.is_empty() && is_bucket(resource) => Some(Self::S3),
            "logs" if located && resource.strip_prefix("log-group:").is_some_and(|n| !n.is_empty()) => {
                Some(Self::CloudWatchLogs)
            }
            "firehose" if located && resource.strip_prefix("deliverystream/").is_some_and(|n| !n.is_empty()) => {
                Some(Self::Firehose)
            }
            _ => None,
        }
    }

    /// How messages name it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::S3 => "S3 bucket",
            Self::CloudWatchLogs => "CloudWatch Logs log group",
            Self::Firehose => "Firehose delivery stream",
        }
    }
}

/// An S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending
/// with a letter or digit.
fn is_bucket(name: &str) -> bool {
    let edge = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && edge(name.bytes().next())
        && edge(name.bytes().last())
}

/// Whether two IAM policy documents say the same: equal as JSON values, or equal as text when
/// either is not JSON.
pub fn same_policy(a: &str, b: &str) -> bool {
    match (serde_json::from_str::<serde_json::Value>(a), serde_json::from_str::<serde_json::Value>(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destination_types_follow_the_arn_service() {
        let cases = [
            ("arn:aws:s3:::my-access-logs", Some(DestinationType::S3)),
            ("arn:aws:logs:us-west-2:123456789012:log-group:/lattice/hotel", Some(DestinationType::CloudWatchLogs)),
            ("arn:aws:logs:us-west-2:123456789012:log-group:x:*", Some(DestinationType::CloudWatchLogs)),
            ("arn:aws:firehose:us-west-2:123456789012:deliverystream/logs", Some(DestinationType::Firehose)),
            ("arn:aws-cn:s3:::logs.example", Some(DestinationType::S3)),
            ("arn:aws:s3:::Upper", None),
            ("arn:aws:s3:us-west-2:123456789012:bucket", None),
            ("arn:aws:logs:us-west-2:123456789012:log-group:", None),
            ("arn:aws:logs:us-west-2:1234:log-group:x", None),
            ("arn:aws:firehose:us-west-2:123456789012:stream/x", None),
            ("arn:aws:sqs:us-west-2:123456789012:queue", None),
            ("s3://bucket", None),
        ];
        for (arn, want) in cases {
            assert_eq!(DestinationType::of(arn), want, "{arn}");
        }
    }

    #[test]
    fn policies_compare_as_json() {
        assert!(same_policy(r#"{"a": [1, 2]}"#, "{\n  \"a\": [1,2]\n}"));
        assert!(!same_policy(r#"{"a": [1, 2]}"#, r#"{"a": [2, 1]}"#));
        assert!(same_policy("not json", "not json"));
        assert!(!same_policy("not json", "{}"));
    }

    #[test]
    fn resources_serialize_with_the_api_field_names() {
        let spec =
            AuthPolicySpec { resource: PolicyResource::service("rates-default"), policy: "{}".into(), owner: None };
        assert_eq!(
            serde_json::to_value(&spec).expect("serializes"),
            serde_json::json!({"resourceType": "SERVICE", "resourceIdentifier": "rates-default", "policy": "{}"})
        );
        assert_eq!(PolicyResource::service_network("my-hotel").to_string(), "servicenetwork/my-hotel");
    }
}
