//! Errors of reading the Lattice inventory. Executing a plan never fails as a whole: each
//! action's outcome goes into the [`crate::ApplyReport`].

use thiserror::Error;

/// A failed call of the VPC Lattice API.
pub type LatticeError = Box<aws_sdk_vpclattice::Error>;
/// A failed call of the Resource Groups Tagging API.
pub type TaggingError = Box<aws_sdk_resourcegroupstagging::Error>;
/// A failed call of ACM.
pub type AcmError = Box<aws_sdk_acm::Error>;

/// Why the inventory could not be read completely. No partial inventory is ever returned, so
/// that a caller never garbage-collects on the strength of an incomplete read.
#[derive(Debug, Error)]
pub enum Error {
    /// Listing the resources tagged with our `ManagedBy` value failed.
    #[error("GetResources for resources managed by {managed_by} failed")]
    GetResources {
        /// The `ManagedBy` value filtered on.
        managed_by: String,
        /// The SDK error.
        #[source]
        source: TaggingError,
    },
    /// Listing the service networks failed.
    #[error("ListServiceNetworks failed")]
    ListServiceNetworks {
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Listing the services failed.
    #[error("ListServices failed")]
    ListServices {
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Reading a service failed.
    #[error("GetService {service} failed")]
    GetService {
        /// Service id.
        service: String,
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Listing a service's service-network associations failed.
    #[error("ListServiceNetworkServiceAssociations for service {service} failed")]
    ListServiceNetworkServiceAssociations {
        /// Service id.
        service: String,
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Listing a service network's service associations failed.
    #[error("ListServiceNetworkServiceAssociations for service network {service_network} failed")]
    ListNetworkServiceAssociations {
        /// Service network id.
        service_network: String,
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Listing a service's listeners failed.
    #[error("ListListeners for service {service} failed")]
    ListListeners {
        /// Service id.
        service: String,
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Reading a listener failed.
    #[error("GetListener {listener} of service {service} failed")]
    GetListener {
        /// Service id.
        service: String,
        /// Listener id.
        listener: String,
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Listing a listener's rules failed.
    #[error("ListRules for listener {listener} of service {service} failed")]
    ListRules {
        /// Service id.
        service: String,
        /// Listener id.
        listener: String,
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Reading a rule failed.
    #[error("GetRule {rule} of listener {listener} failed")]
    GetRule {
        /// Listener id.
        listener: String,
        /// Rule id.
        rule: String,
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Reading a target group failed.
    #[error("GetTargetGroup {target_group} failed")]
    GetTargetGroup {
        /// Target group ARN.
        target_group: String,
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Listing a target group's targets failed.
    #[error("ListTargets for target group {target_group} failed")]
    ListTargets {
        /// Target group id.
        target_group: String,
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Reading the tags of a resource we do not own failed.
    #[error("ListTagsForResource {arn} failed")]
    ListTagsForResource {
        /// Resource ARN.
        arn: String,
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Reading a service network we own failed.
    #[error("GetServiceNetwork {service_network} failed")]
    GetServiceNetwork {
        /// Service network id.
        service_network: String,
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Listing the associations of the cluster's VPC with service networks failed.
    #[error("ListServiceNetworkVpcAssociations for VPC {vpc} failed")]
    ListServiceNetworkVpcAssociations {
        /// The VPC.
        vpc: String,
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Reading the auth policy of a service or service network we own failed.
    #[error("GetAuthPolicy {resource} failed")]
    GetAuthPolicy {
        /// Service or service network id.
        resource: String,
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Reading an access log subscription we own failed.
    #[error("GetAccessLogSubscription {subscription} failed")]
    GetAccessLogSubscription {
        /// Subscription ARN.
        subscription: String,
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Reading one of our service-network-to-VPC associations failed.
    #[error("GetServiceNetworkVpcAssociation {association} failed")]
    GetServiceNetworkVpcAssociation {
        /// Association id.
        association: String,
        /// The SDK error.
        #[source]
        source: LatticeError,
    },
    /// Listing the issued ACM certificates failed.
    #[error("ListCertificates failed")]
    ListCertificates {
        /// The SDK error.
        #[source]
        source: AcmError,
    },
    /// Looking up the target groups other clusters export under these names failed.
    #[error("GetResources for target groups exported as {names} failed")]
    GetExportedTargetGroups {
        /// The export names looked up.
        names: String,
        /// The SDK error.
        #[source]
        source: TaggingError,
    },
    /// A response lacked a field the inventory needs, or carried a value the model cannot hold.
    #[error("{operation} answered with an unusable {resource}: {problem}")]
    Malformed {
        /// The operation.
        operation: &'static str,
        /// The resource, as far as it is known.
        resource: String,
        /// What is wrong with it.
        problem: String,
    },
}

/// Boxes the SDK error of a Lattice operation.
pub(crate) fn lattice<E>(error: E) -> LatticeError
where
    aws_sdk_vpclattice::Error: From<E>,
{
    Box::new(aws_sdk_vpclattice::Error::from(error))
}

/// Whether a Lattice error says the resource does not exist.
pub(crate) fn is_not_found(error: &aws_sdk_vpclattice::Error) -> bool {
    matches!(error, aws_sdk_vpclattice::Error::ResourceNotFoundException(_))
}
