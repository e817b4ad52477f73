//! Where a cluster's API server is and which CA signs its certificate, from `eks:DescribeCluster`.

use aws_sdk_eks::types::{Cluster, ClusterStatus};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::Error;

/// What a client needs to reach an `ACTIVE` cluster's API server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterEndpoint {
    /// The API server URL, e.g. `https://ABCDEF0123456789.gr7.us-west-2.eks.amazonaws.com`.
    pub endpoint: String,
    /// The PEM CA bundle (`certificateAuthority.data`, base64-decoded; the same bytes as a kubeconfig's
    /// `certificate-authority-data` decoded).
    pub ca_pem: Vec<u8>,
    /// The cluster's VPC (`resourcesVpcConfig.vpcId`), when EKS reports it.
    pub vpc_id: Option<String>,
    /// The cluster status; always `ACTIVE` in a value returned by [`describe_cluster`].
    pub status: ClusterStatus,
    /// The cluster's ARN (`arn:aws:eks:<region>:<account>:cluster/<name>`), when EKS reports it.
    pub arn: Option<String>,
}

impl ClusterEndpoint {
    /// The AWS account that owns the cluster, from its ARN.
    pub fn account_id(&self) -> Option<&str> {
        self.arn.as_deref().and_then(|arn| arn.split(':').nth(4)).filter(|a| a.len() == 12)
    }
}

/// Calls `DescribeCluster` for `name` and extracts the endpoint, CA and VPC.
///
/// Fails, naming the cluster, when the call fails, when the cluster is not `ACTIVE` (EKS leaves the endpoint
/// and CA out while creating) or when the endpoint or CA is missing or not base64.
pub async fn describe_cluster(client: &aws_sdk_eks::Client, name: &str) -> Result<ClusterEndpoint, Error> {
    let output = client
        .describe_cluster()
        .name(name)
        .send()
        .await
        .map_err(|source| Error::DescribeCluster { cluster: name.to_owned(), source: Box::new(source) })?;
    let cluster = output.cluster().ok_or_else(|| incomplete(name, "cluster"))?;
    cluster_endpoint(name, cluster)
}

/// The connection facts of a described cluster (pure: the part of [`describe_cluster`] after the call).
pub fn cluster_endpoint(name: &str, cluster: &Cluster) -> Result<ClusterEndpoint, Error> {
    let status = cluster.status().cloned();
    if status != Some(ClusterStatus::Active) {
        let status = status.as_ref().map_or("unknown", ClusterStatus::as_str).to_owned();
        return Err(Error::ClusterNotActive { cluster: name.to_owned(), status });
    }
    let endpoint = cluster.endpoint().filter(|e| !e.is_empty()).ok_or_else(|| incomplete(name, "endpoint"))?;
    let ca_data = cluster
        .certificate_authority()
        .and_then(|ca| ca.data())
        .filter(|data| !data.is_empty())
        .ok_or_else(|| incomplete(name, "certificateAuthority.data"))?;
    let ca_pem = STANDARD
        .decode(ca_data.trim())
        .map_err(|source| Error::DecodeCertificateAuthority { cluster: name.to_owned(), source })?;
    Ok(ClusterEndpoint {
        endpoint: endpoint.to_owned(),
        ca_pem,
        vpc_id: cluster.resources_vpc_config().and_then(|vpc| vpc.vpc_id()).map(str::to_owned),
        status: ClusterStatus::Active,
        arn: cluster.arn().map(str::to_owned),
    })
}

fn incomplete(name: &str, field: &'static str) -> Error {
    Error::ClusterIncomplete { cluster: name.to_owned(), field }
}

#[cfg(test)]
mod tests {
    use aws_sdk_eks::types::{Certificate, VpcConfigResponse};

    use super::*;

    const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIBAA==\n-----END CERTIFICATE-----\n";

    fn active() -> aws_sdk_eks::types::builders::ClusterBuilder {
        Cluster::builder()
            .name("demo")
            .status(ClusterStatus::Active)
            .endpoint("https://ABC.gr7.us-west-2.eks.amazonaws.com")
            .certificate_authority(Certificate::builder().data(STANDARD.encode(PEM)).build())
            .resources_vpc_config(VpcConfigResponse::builder().vpc_id("vpc-0123").build())
            .arn("arn:aws:eks:us-west-2:111122223333:cluster/demo")
    }

    #[test]
    fn active_cluster_gives_endpoint_ca_and_vpc() {
        let endpoint = cluster_endpoint("demo", &active().build()).expect("endpoint");
        assert_eq!(
            endpoint,
            ClusterEndpoint {
                endpoint: "https://ABC.gr7.us-west-2.eks.amazonaws.com".to_owned(),
                ca_pem: PEM.as_bytes().to_vec(),
                vpc_id: Some("vpc-0123".to_owned()),
                status: ClusterStatus::Active,
                arn: Some("arn:aws:eks:us-west-2:111122223333:cluster/demo".to_owned()),
            }
        );
        assert_eq!(endpoint.account_id(), Some("111122223333"));
        let no_vpc = active().set_resources_vpc_config(None).build();
        assert_eq!(cluster_endpoint("demo", &no_vpc).expect("endpoint").vpc_id, None);
    }

    #[test]
    fn clusters_that_are_not_active_are_errors_naming_them() {
        for (status, shown) in [(Some(ClusterStatus::Creating), "CREATING"), (None, "unknown")] {
            let cluster = active().set_status(status).build();
            let err = cluster_endpoint("demo", &cluster).expect_err("not active");
            assert!(matches!(err, Error::ClusterNotActive { ref status, .. } if status == shown), "{err:?}");
            assert_eq!(err.to_string(), format!("EKS cluster demo is {shown}, not ACTIVE"));
        }
    }

    #[test]
    fn missing_endpoint_or_ca_is_an_error_naming_the_field() {
        let cases = [
            (active().set_endpoint(None).build(), "endpoint"),
            (active().endpoint("").build(), "endpoint"),
            (active().set_certificate_authority(None).build(), "certificateAuthority.data"),
            (active().certificate_authority(Certificate::builder().build()).build(), "certificateAuthority.data"),
        ];
        for (cluster, missing) in cases {
            let err = cluster_endpoint("demo", &cluster).expect_err(missing);
            assert!(matches!(err, Error::ClusterIncomplete { field, .. } if field == missing), "{err:?}");
            assert!(err.to_string().contains("demo"));
        }
    }

    #[test]
    fn ca_that_is_not_base64_is_an_error() {
        let cluster = active().certificate_authority(Certificate::builder().data("not base64!").build()).build();
        let err = cluster_endpoint("demo", &cluster).expect_err("bad base64");
        assert!(matches!(err, Error::DecodeCertificateAuthority { ref cluster, .. } if cluster == "demo"));
        assert!(std::error::Error::source(&err).is_some());
    }

    /// Wire-level tests: the SDK parses recorded REST-JSON responses, served by an in-process HTTP connector.
    mod wire {
        use std::sync::{Arc, Mutex};

        use aws_credential_types::Credentials;
        use aws_sdk_eks::config::{BehaviorVersion, Region};
        use aws_smithy_runtime_api::client::http::{
            HttpConnector, HttpConnectorFuture, SharedHttpConnector, http_client_fn,
        };
        use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
        use aws_smithy_runtime_api::http::{Response, StatusCode};
        use aws_smithy_types::body::SdkBody;
        use aws_smithy_types::retry::RetryConfig;

        use super::*;

        const ACTIVE: &str = include_str!("../tests/fixtures/describe-cluster-active.json");
        const CREATING: &str = include_str!("../tests/fixtures/describe-cluster-creating.json");
        const CA_PEM: &[u8] = include_bytes!("../tests/fixtures/ca.pem");
        const NOT_FOUND: &str = r#"{"message":"No cluster found for name: gone."}"#;

        /// Answers every request with one canned response and records the method and URI it saw.
        #[derive(Debug, Clone)]
        struct Canned {
            status: u16,
            error_type: Option<&'static str>,
            body: &'static str,
            seen: Arc<Mutex<Vec<String>>>,
        }

        impl HttpConnector for Canned {
            fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
                self.seen.lock().expect("lock").push(format!("{} {}", request.method(), request.uri()));
                let status = StatusCode::try_from(self.status).expect("status");
                let mut response = Response::new(status, SdkBody::from(self.body));
                response.headers_mut().insert("content-type", "application/json");
                if let Some(error_type) = self.error_type {
                    response.headers_mut().insert("x-amzn-errortype", error_type);
                }
                HttpConnectorFuture::ready(Ok(response))
            }
        }

        fn client(canned: Canned) -> aws_sdk_eks::Client {
            let config = aws_sdk_eks::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new("us-west-2"))
                .credentials_provider(Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"))
                .retry_config(RetryConfig::disabled())
                .http_client(http_client_fn(move |_, _| SharedHttpConnector::new(canned.clone())))
                .build();
            aws_sdk_eks::Client::from_conf(config)
        }

        fn canned(status: u16, error_type: Option<&'static str>, body: &'static str) -> Canned {
            Canned { status, error_type, body, seen: Arc::default() }
        }

        #[tokio::test]
        async fn active_cluster_from_the_wire() {
            let canned = canned(200, None, ACTIVE);
            let endpoint = describe_cluster(&client(canned.clone()), "demo").await.expect("described");
            assert_eq!(endpoint.endpoint, "https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com");
            assert_eq!(endpoint.ca_pem, CA_PEM);
            assert_eq!(endpoint.vpc_id.as_deref(), Some("vpc-0abc123def4567890"));
            assert_eq!(endpoint.status, ClusterStatus::Active);
            assert_eq!(*canned.seen.lock().expect("lock"), ["GET https://eks.us-west-2.amazonaws.com/clusters/demo"]);
        }

        #[tokio::test]
        async fn creating_cluster_from_the_wire() {
            let err = describe_cluster(&client(canned(200, None, CREATING)), "demo").await.expect_err("creating");
            assert_eq!(err.to_string(), "EKS cluster demo is CREATING, not ACTIVE");
        }

        #[tokio::test]
        async fn missing_cluster_keeps_the_sdk_error_as_source() {
            let canned = canned(404, Some("ResourceNotFoundException"), NOT_FOUND);
            let err = describe_cluster(&client(canned), "gone").await.expect_err("missing");
            assert_eq!(err.to_string(), "failed to describe EKS cluster gone");
            let Error::DescribeCluster { source, .. } = err else { panic!("unexpected error {err:?}") };
            assert!(source.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()), "{source:?}");
        }
    }
}
