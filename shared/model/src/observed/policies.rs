//! Observed IAM auth settings and access log subscriptions of the services and service networks
//! we own.

use serde::{Deserialize, Serialize};

use crate::lattice::PolicyResourceType;
use crate::names::Tags;
use crate::observed::ObservedState;

/// `authType` value that turns IAM authorization on.
pub const AUTH_TYPE_IAM: &str = "AWS_IAM";
/// `authType` value that turns IAM authorization off.
pub const AUTH_TYPE_NONE: &str = "NONE";

/// The auth settings of a service or service network we own: its `authType` and, when it is
/// `AWS_IAM`, the attached policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedAuth {
    /// Service or service network.
    pub resource_type: PolicyResourceType,
    /// `svc-...` or `sn-...`.
    pub resource_id: String,
    /// `NONE` or `AWS_IAM`.
    pub auth_type: String,
    /// The auth policy; read only when `authType` is `AWS_IAM` (an inactive policy left on a
    /// resource whose `authType` is `NONE` has no effect and is not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

impl ObservedAuth {
    /// Whether IAM authorization is on.
    pub fn is_iam(&self) -> bool {
        self.auth_type == AUTH_TYPE_IAM
    }
}

/// An access log subscription we own (tagged with our `ManagedBy`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedAccessLogSubscription {
    /// `als-...`
    pub id: String,
    /// ARN.
    pub arn: String,
    /// Id of the service or service network (`svc-...` or `sn-...`).
    pub resource_id: String,
    /// Destination ARN.
    pub destination_arn: String,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
}

impl ObservedAccessLogSubscription {
    /// Whether it logs a service (else a service network).
    pub fn resource_type(&self) -> PolicyResourceType {
        if self.resource_id.starts_with("sn-") {
            PolicyResourceType::ServiceNetwork
        } else {
            PolicyResourceType::Service
        }
    }
}

impl ObservedState {
    /// The auth settings of the resource with this id, added (`NONE`, no policy) when unknown:
    /// what executors update after an auth call.
    pub fn auth_mut(&mut self, resource_type: PolicyResourceType, resource_id: &str) -> &mut ObservedAuth {
        let i = match self.auth.iter().position(|a| a.resource_id == resource_id) {
            Some(i) => i,
            None => {
                self.auth.push(ObservedAuth {
                    resource_type,
                    resource_id: resource_id.to_owned(),
                    auth_type: AUTH_TYPE_NONE.to_owned(),
                    policy: None,
                });
                self.auth.len() - 1
            }
        };
        &mut self.auth[i]
    }
}
