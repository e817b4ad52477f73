//! Requests of the service network and VPC association calls.

use serde::{Deserialize, Serialize};

use crate::names::Tags;

/// Identifies a service network (`DeleteServiceNetwork`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceNetworkRef {
    /// Service network id or name.
    pub service_network_identifier: String,
}

/// `CreateServiceNetworkVpcAssociation` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateServiceNetworkVpcAssociation {
    /// Service network id, ARN (shared ones) or name (created by the same plan).
    pub service_network_identifier: String,
    /// The VPC.
    pub vpc_identifier: String,
    /// Security groups (at most 5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_group_ids: Vec<String>,
    /// Tags.
    pub tags: Tags,
}

/// `UpdateServiceNetworkVpcAssociation` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateServiceNetworkVpcAssociation {
    /// Association id.
    pub service_network_vpc_association_identifier: String,
    /// The new security groups (1 to 5).
    pub security_group_ids: Vec<String>,
}

/// Identifies a service-network-to-VPC association.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpcAssociationRef {
    /// Association id.
    pub service_network_vpc_association_identifier: String,
}
