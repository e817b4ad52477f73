//! The crate's error type.

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_eks::error::SdkError;
use aws_sdk_eks::operation::describe_cluster::DescribeClusterError;
use std::path::PathBuf;

/// A boxed error from a signing or formatting library whose error types are not worth naming here.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can fail while minting a token, locating a cluster, building a client for it or reading
/// its objects. (Status writes report per object instead: see `WriteReport`.)
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

    /// A kubeconfig file could not be read, or its context could not be turned into a client configuration.
    #[error("failed to load kubeconfig {}", path.display())]
    LoadKubeconfig {
        /// The kubeconfig file.
        path: PathBuf,
        /// What kube reported (boxed: it is large).
        #[source]
        source: Box<kube::config::KubeconfigError>,
    },

    /// The API server endpoint is not a URL.
    #[error("failed to parse the API server endpoint {endpoint:?}")]
    ParseEndpoint {
        /// The rejected endpoint.
        endpoint: String,
        /// Why it is not a URL.
        #[source]
        source: http::uri::InvalidUri,
    },

    /// The CA bundle is not PEM, or holds no `CERTIFICATE` block.
    #[error("failed to read the API server's certificate authority bundle")]
    ParseCertificateAuthority {
        /// What the PEM reader reported (`None`: the bundle held no certificate).
        #[source]
        source: Option<rustls_pki_types::pem::Error>,
    },

    /// The Kubernetes client could not be built from its configuration.
    #[error("failed to build a Kubernetes client for {endpoint}")]
    BuildClient {
        /// The API server.
        endpoint: String,
        /// What kube reported (boxed: it is large).
        #[source]
        source: Box<kube::Error>,
    },

    /// The AWS SDK configuration lacks something needed to reach an EKS cluster.
    #[error("the AWS SDK configuration has no {missing}")]
    SdkConfigIncomplete {
        /// What is missing (`region`, `credentials provider`).
        missing: &'static str,
    },

    /// Asking the API server which resources a group version serves failed.
    #[error("failed to discover the resources of {group_version}")]
    Discover {
        /// `group/version`.
        group_version: String,
        /// The request's error (boxed: it is large).
        #[source]
        source: Box<kube::Error>,
    },

    /// A list request (or one of its pages) failed: the whole read fails, never a partial snapshot.
    #[error("failed to list {resource}")]
    List {
        /// What was listed, e.g. `httproutes.gateway.networking.k8s.io/v1 in all namespaces`.
        resource: String,
        /// The request's error (boxed: it is large).
        #[source]
        source: Box<kube::Error>,
    },

    /// A list's pages do not fit together (a `continue` token the server already returned, a continued page
    /// that is not found).
    #[error("failed to list {resource}: {problem}")]
    Paginate {
        /// What was listed.
        resource: String,
        /// What is wrong with the pages.
        problem: &'static str,
    },

    /// Reading one object failed (other than by its absence).
    #[error("failed to read {object}")]
    Get {
        /// The object.
        object: String,
        /// The request's error (boxed: it is large).
        #[source]
        source: Box<kube::Error>,
    },

    /// A pod was read but its gate condition cannot be understood.
    #[error("failed to read {pod}: {problem}")]
    ReadPod {
        /// The pod.
        pod: String,
        /// What is wrong, naming the field.
        problem: String,
    },

    /// Writing a pod's readiness gate condition failed.
    #[error("failed to write the readiness gate condition of {pod}")]
    WritePodStatus {
        /// The pod.
        pod: String,
        /// The request's error (boxed: it is large).
        #[source]
        source: Box<kube::Error>,
    },

    /// A scoped read was asked for a kind that is not a route kind this controller reads.
    #[error("{kind} is not a route kind this controller reads")]
    UnsupportedRouteKind {
        /// The kind asked for.
        kind: String,
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
