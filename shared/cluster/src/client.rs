//! The Kubernetes client: how it is built (kubeconfig, EKS endpoint + CA + token) and the few raw requests the
//! reads and writes are made of.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_config::SdkConfig;
use http::{Method, Request};
use kube::client::ClientBuilder;
use kube::config::{KubeConfigOptions, Kubeconfig};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use serde_json::Value;

use crate::auth::{BearerLayer, Clock, system_clock};
use crate::describe::{ClusterEndpoint, describe_cluster};
use crate::error::Error;
use crate::read::kinds::Discovery;
use crate::token::{StsEndpoint, TokenSource};

/// Items asked for per list page.
pub const DEFAULT_PAGE_SIZE: u32 = 500;

/// How long to wait for a connection to the API server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long to wait for a response once a request is sent.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Content type of a JSON merge patch.
const MERGE_PATCH: &str = "application/merge-patch+json";

/// Content type of a strategic merge patch.
const STRATEGIC_MERGE_PATCH: &str = "application/strategic-merge-patch+json";

/// A connection to one cluster's Kubernetes API: reads Gateway API objects and what they refer to
/// ([`Cluster::snapshot`], [`Cluster::snapshot_for_route`]) and writes their status ([`Cluster::write_status`]).
///
/// Cloning is cheap and clones share the connection pool, the discovery cache and the request counts.
#[derive(Clone)]
pub struct Cluster {
    client: kube::Client,
    pub(crate) discovery: Arc<Discovery>,
    calls: Arc<Mutex<BTreeMap<String, u64>>>,
    pub(crate) page_size: u32,
}

impl Cluster {
    /// A client for `context` (the current context when `None`) of the kubeconfig at `path`, with whatever
    /// authentication it names (token, client certificate, exec plugin such as `aws eks get-token`).
    pub async fn from_kubeconfig(path: &Path, context: Option<&str>) -> Result<Self, Error> {
        let load = |source| Error::LoadKubeconfig { path: path.to_owned(), source: Box::new(source) };
        let kubeconfig = Kubeconfig::read_from(path).map_err(load)?;
        let options = KubeConfigOptions { context: context.map(str::to_owned), ..KubeConfigOptions::default() };
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options).await.map_err(load)?;
        let endpoint = config.cluster_url.to_string();
        let client = kube::Client::try_from(config)
            .map_err(|source| Error::BuildClient { endpoint, source: Box::new(source) })?;
        Ok(Self::from_client(client))
    }

    /// A client for an EKS API server at `endpoint` whose certificate is signed by a CA of the PEM bundle
    /// `ca_pem`, authenticated with tokens from `tokens`, chosen per request (a cached token until it is ten minutes old, then a new one).
    ///
    /// Must be called within a Tokio runtime (the client's request queue is a task).
    pub fn eks(endpoint: &str, ca_pem: &[u8], tokens: TokenSource) -> Result<Self, Error> {
        Self::eks_with_clock(endpoint, ca_pem, tokens, system_clock())
    }

    /// [`Cluster::eks`] with the time at which each request's token is chosen taken from `clock`.
    pub fn eks_with_clock(endpoint: &str, ca_pem: &[u8], tokens: TokenSource, clock: Clock) -> Result<Self, Error> {
        let url = endpoint
            .parse::<http::Uri>()
            .map_err(|source| Error::ParseEndpoint { endpoint: endpoint.to_owned(), source })?;
        let mut config = kube::Config::new(url);
        config.root_cert = Some(der_certificates(ca_pem)?);
        config.connect_timeout = Some(CONNECT_TIMEOUT);
        config.read_timeout = Some(READ_TIMEOUT);
        let build = |source| Error::BuildClient { endpoint: endpoint.to_owned(), source: Box::new(source) };
        let client =
            ClientBuilder::try_from(config).map_err(build)?.with_layer(&BearerLayer::new(tokens, clock)).build();
        Ok(Self::from_client(client))
    }

    /// Looks `cluster_name` up with `eks:DescribeCluster` and builds a client for it that signs its tokens with
    /// the SDK configuration's credentials for `sts` (the region's STS endpoint when `None`). Returns the
    /// described endpoint too: its ARN and VPC name the cluster's account and network.
    pub async fn eks_discover(
        sdk_config: &SdkConfig,
        cluster_name: &str,
        sts: Option<StsEndpoint>,
    ) -> Result<(Self, ClusterEndpoint), Error> {
        let region = sdk_config.region().ok_or(Error::SdkConfigIncomplete { missing: "region" })?;
        let provider =
            sdk_config.credentials_provider().ok_or(Error::SdkConfigIncomplete { missing: "credentials provider" })?;
        let endpoint = describe_cluster(&aws_sdk_eks::Client::new(sdk_config), cluster_name).await?;
        let sts = sts.unwrap_or_else(|| StsEndpoint::Regional(region.to_string()));
        let tokens = TokenSource::new(provider, sts, cluster_name);
        let client = Self::eks(&endpoint.endpoint, &endpoint.ca_pem, tokens)?;
        Ok((client, endpoint))
    }

    /// Wraps a client built elsewhere.
    pub fn from_client(client: kube::Client) -> Self {
        Self { client, discovery: Arc::default(), calls: Arc::default(), page_size: DEFAULT_PAGE_SIZE }
    }

    /// The same cluster, listing `page_size` items per page (at least 1) instead of [`DEFAULT_PAGE_SIZE`].
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// Requests made so far through this client and its clones, by operation (`list httproutes`,
    /// `get gateways`, `update httproutes/status`, `patch httproutes`, `discover <group>/<version>`,
    /// `get pods`, `patch pods/status`, `create dnsendpoints`, ...).
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// `GET path`; `Ok(None)` when the server answers 404. Retried once when no response arrived at all (a
    /// pooled connection the server closed while the Lambda sandbox was frozen); kube's own stack retries
    /// 429, 503 and 504.
    pub(crate) async fn get(&self, operation: &str, path: &str) -> Result<Option<Value>, kube::Error> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.count(operation);
            match self.client.request::<Value>(request(Method::GET, path, None, None)?).await {
                Ok(value) => return Ok(Some(value)),
                Err(error) if status_code(&error) == Some(404) => return Ok(None),
                Err(error) if attempt == 1 && is_transport(&error) => {
                    tracing::warn!(%error, path, "Retrying a read that got no response");
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// `PUT path` with a JSON body; the response is the object as stored.
    pub(crate) async fn put(&self, operation: &str, path: &str, body: &Value) -> Result<Value, kube::Error> {
        self.send(operation, Method::PUT, path, "application/json", body).await
    }

    /// `POST path` with a JSON body (a create); the response is the object as stored.
    pub(crate) async fn post(&self, operation: &str, path: &str, body: &Value) -> Result<Value, kube::Error> {
        self.send(operation, Method::POST, path, "application/json", body).await
    }

    /// `PATCH path` with a JSON merge patch.
    pub(crate) async fn merge_patch(&self, operation: &str, path: &str, patch: &Value) -> Result<Value, kube::Error> {
        self.send(operation, Method::PATCH, path, MERGE_PATCH, patch).await
    }

    /// `PATCH path` with a strategic merge patch (built-in kinds: lists with a merge key, such as pod
    /// conditions by `type`, merge element by element).
    pub(crate) async fn strategic_patch(
        &self,
        operation: &str,
        path: &str,
        patch: &Value,
    ) -> Result<Value, kube::Error> {
        self.send(operation, Method::PATCH, path, STRATEGIC_MERGE_PATCH, patch).await
    }

    /// `DELETE path` with `DeleteOptions` (preconditions); `Ok(false)` when the object is not found.
    pub(crate) async fn delete(&self, operation: &str, path: &str, options: &Value) -> Result<bool, kube::Error> {
        match self.send(operation, Method::DELETE, path, "application/json", options).await {
            Ok(_) => Ok(true),
            Err(error) if status_code(&error) == Some(404) => Ok(false),
            Err(error) => Err(error),
        }
    }

    async fn send(
        &self,
        operation: &str,
        method: Method,
        path: &str,
        content_type: &str,
        body: &Value,
    ) -> Result<Value, kube::Error> {
        self.count(operation);
        let body = serde_json::to_vec(body).map_err(kube::Error::SerdeError)?;
        self.client.request::<Value>(request(method, path, Some(content_type), Some(body))?).await
    }

    fn count(&self, operation: &str) {
        *self.calls.lock().unwrap_or_else(PoisonError::into_inner).entry(operation.to_owned()).or_default() += 1;
    }
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cluster").field("page_size", &self.page_size).finish_non_exhaustive()
    }
}

fn request(
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Option<Vec<u8>>,
) -> kube::Result<Request<Vec<u8>>> {
    let mut builder = Request::builder().method(method).uri(path).header(http::header::ACCEPT, "application/json");
    if let Some(content_type) = content_type {
        builder = builder.header(http::header::CONTENT_TYPE, content_type);
    }
    builder.body(body.unwrap_or_default()).map_err(kube::Error::HttpError)
}

/// The HTTP status of an API error, if the server answered.
pub(crate) fn status_code(error: &kube::Error) -> Option<u16> {
    match error {
        kube::Error::Api(status) => Some(status.code),
        _ => None,
    }
}

/// Whether the request failed before any response arrived.
fn is_transport(error: &kube::Error) -> bool {
    matches!(error, kube::Error::HyperError(_) | kube::Error::Service(_))
}

/// The DER certificates of a PEM bundle; anything but `CERTIFICATE` blocks is ignored.
pub(crate) fn der_certificates(pem: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .map(|certificate| certificate.map(|c| c.as_ref().to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| Error::ParseCertificateAuthority { source: Some(source) })?;
    if certificates.is_empty() {
        return Err(Error::ParseCertificateAuthority { source: None });
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CA_PEM: &[u8] = include_bytes!("../tests/fixtures/ca.pem");

    #[test]
    fn pem_bundles_become_der_certificates() {
        let one = der_certificates(CA_PEM).expect("one certificate");
        assert_eq!(one.len(), 1);
        assert_eq!(one[0][0], 0x30, "DER starts with a SEQUENCE");
        let mut two = CA_PEM.to_vec();
        two.extend_from_slice(b"# comment\n");
        two.extend_from_slice(CA_PEM);
        assert_eq!(der_certificates(&two).expect("two certificates").len(), 2);
    }

    #[test]
    fn bundles_without_certificates_are_errors() {
        for bundle in [&b""[..], b"not pem at all", b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"] {
            let err = der_certificates(bundle).expect_err("no certificate");
            assert!(matches!(err, Error::ParseCertificateAuthority { .. }), "{err:?}");
        }
    }

    #[tokio::test]
    async fn eks_clients_reject_endpoints_that_are_not_urls() {
        let provider = aws_credential_types::provider::SharedCredentialsProvider::new(
            aws_credential_types::Credentials::new("AKID", "secret", None, None, "test"),
        );
        let tokens = TokenSource::new(provider, StsEndpoint::Regional("us-west-2".to_owned()), "demo");
        let err = Cluster::eks("not a url", CA_PEM, tokens).expect_err("bad endpoint");
        assert!(matches!(err, Error::ParseEndpoint { .. }), "{err:?}");
    }
}
