//! The clients a function builds once per sandbox and reuses across invocations.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_config::SdkConfig;
use lattice::{AdapterConfig, Lattice};
use model::config::Identity;
use tokio::sync::Mutex;

use crate::config::Config;
use crate::error::Error;

/// A connected cluster and the identity its Lattice resources are tagged with.
#[derive(Clone)]
pub struct ConnectedCluster {
    /// The Kubernetes client.
    pub cluster: cluster::Cluster,
    /// The pipeline's configuration for this cluster (its `ManagedBy` identity).
    pub config: model::config::Config,
}

/// Configuration and clients, shared by every invocation of a sandbox.
pub struct Clients {
    config: Config,
    sdk: SdkConfig,
    lattice: Lattice,
    sqs: aws_sdk_sqs::Client,
    clusters: Mutex<BTreeMap<String, Arc<ConnectedCluster>>>,
}

impl Clients {
    /// Builds the VPC Lattice and SQS clients from `sdk` (which follows the standard
    /// `AWS_ENDPOINT_URL_*` variables) with the pacing of `config`.
    pub fn new(config: Config, sdk: SdkConfig) -> Self {
        let lattice = Lattice::new(&sdk, adapter_config(&config));
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        Self::from_parts(config, sdk, lattice, sqs)
    }

    /// Uses clients built elsewhere (`sdk` still serves `eks:DescribeCluster` and EKS tokens).
    pub fn from_parts(config: Config, sdk: SdkConfig, lattice: Lattice, sqs: aws_sdk_sqs::Client) -> Self {
        Self { config, sdk, lattice, sqs, clusters: Mutex::default() }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The VPC Lattice adapter.
    pub fn lattice(&self) -> &Lattice {
        &self.lattice
    }

    /// The SQS client.
    pub fn sqs(&self) -> &aws_sdk_sqs::Client {
        &self.sqs
    }

    /// Whether `name` is one of `CLUSTER_NAMES`.
    pub fn knows(&self, name: &str) -> bool {
        self.config.clusters.iter().any(|c| c == name)
    }

    /// The client for cluster `name`, connected on first use (kubeconfig, or `DescribeCluster` and
    /// an EKS token) and cached; a failed connection is not cached.
    pub async fn cluster(&self, name: &str) -> Result<Arc<ConnectedCluster>, Error> {
        if !self.knows(name) {
            return Err(Error::UnknownCluster { cluster: name.to_owned(), known: self.config.clusters.join(",") });
        }
        let mut clusters = self.clusters.lock().await;
        if let Some(connected) = clusters.get(name) {
            return Ok(Arc::clone(connected));
        }
        let connected = Arc::new(self.connect(name).await?);
        clusters.insert(name.to_owned(), Arc::clone(&connected));
        Ok(connected)
    }

    async fn connect(&self, name: &str) -> Result<ConnectedCluster, Error> {
        let connect_error = |source| Error::ConnectCluster { cluster: name.to_owned(), source };
        let (cluster, account, vpc) = match &self.config.kubeconfig {
            Some(path) => {
                let cluster = cluster::Cluster::from_kubeconfig(path, None).await.map_err(connect_error)?;
                (cluster, None, None)
            }
            None => {
                let (cluster, described) =
                    cluster::Cluster::eks_discover(&self.sdk, name, None).await.map_err(connect_error)?;
                let account = described.account_id().map(str::to_owned);
                (cluster, account, described.vpc_id)
            }
        };
        let missing = |missing, variable| Error::Identity { cluster: name.to_owned(), missing, variable };
        let identity = Identity {
            account_id: self
                .config
                .account_id
                .clone()
                .or(account)
                .ok_or_else(|| missing("account", "AWS_ACCOUNT_ID"))?,
            cluster_name: name.to_owned(),
            vpc_id: self.config.vpc_id.clone().or(vpc).ok_or_else(|| missing("VPC", "CLUSTER_VPC_ID"))?,
            region: self.config.region.clone(),
        };
        tracing::info!(cluster = name, managed_by = %identity.managed_by(), "Connected to cluster");
        let mut config = model::config::Config::new(identity);
        config.default_service_network.clone_from(&self.config.default_service_network);
        config.service_network_override = self.config.service_network_override;
        config.readiness_webhook = self.config.webhook_setting();
        config.gc = model::plan::valve::GcLimit {
            max_delete_percent: self.config.gc_max_delete_percent,
            min_delete: self.config.gc_min_delete,
            allow_mass_delete: false,
        };
        Ok(ConnectedCluster { cluster, config })
    }
}

/// The Lattice adapter's pacing from the configuration.
pub fn adapter_config(config: &Config) -> AdapterConfig {
    AdapterConfig {
        tps: config.lattice_tps,
        max_attempts: config.lattice_max_attempts,
        max_concurrency: usize::try_from(config.lattice_concurrency).unwrap_or(usize::MAX),
        ..AdapterConfig::default()
    }
}
