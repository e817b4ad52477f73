//! The crate's error type.

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_eks::error::SdkError;
use aws_sdk_eks::operation::describe_cluster::DescribeClusterError;

/// A boxed error from a signing or formatting library whose error types are not worth naming here.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can fail while minting a token or locating a cluster.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The region cannot form an STS host name (it must be a non-empty run of `a-z`, `0-9` and `-`).
    #[error("failed to resolve the STS endpoint for region {region:?}")]
    ResolveStsEndpoint {
        /// The rejected region.
        region: String,
    },

    /// Presigning the STS `GetCallerIdentity` request failed.
    #[error("failed to sign an EKS token for cluster {cluster}")]
    SignToken {
        /// The cluster the token was for.
        cluster: String,
        /// What the signer reported.
        #[source]
        source: BoxError,
    },

    /// The credentials provider could not supply credentials.
    #[error("failed to load AWS credentials for an EKS token for cluster {cluster}")]
    LoadCredentials {
        /// The cluster the token was for.
        cluster: String,
        /// What the provider reported.
        #[source]
        source: CredentialsError,
    },

    /// The expiration time of an `ExecCredential` cannot be written as an RFC 3339 UTC timestamp.
    #[error("failed to format the expiration time of an ExecCredential")]
    FormatExpiration {
        /// Why the time could not be formatted.
        #[source]
        source: BoxError,
    },

    /// The `DescribeCluster` call failed.
    #[error("failed to describe EKS cluster {cluster}")]
    DescribeCluster {
        /// The cluster asked for.
        cluster: String,
        /// The SDK error (boxed: it is large).
        #[source]
        source: Box<SdkError<DescribeClusterError>>,
    },

    /// The cluster exists but is not `ACTIVE`, so it has no usable endpoint yet (or any more).
    #[error("EKS cluster {cluster} is {status}, not ACTIVE")]
    ClusterNotActive {
        /// The cluster asked for.
        cluster: String,
        /// The status EKS reported (`unknown` when absent).
        status: String,
    },

    /// The cluster is `ACTIVE` but the response lacks a field needed to connect to it.
    #[error("EKS cluster {cluster} has no {field} in its DescribeCluster response")]
    ClusterIncomplete {
        /// The cluster asked for.
        cluster: String,
        /// The missing field, named as in the EKS API.
        field: &'static str,
    },

    /// `certificateAuthority.data` is not valid base64.
    #[error("failed to decode the certificate authority of EKS cluster {cluster}")]
    DecodeCertificateAuthority {
        /// The cluster asked for.
        cluster: String,
        /// The base64 decoding error.
        #[source]
        source: base64::DecodeError,
    },
}
