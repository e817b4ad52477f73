//! Where the pipeline runs: an emulator inside the process (the offline demo), an endpoint given
//! on the command line, or the standard AWS SDK configuration.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};

use anyhow::Context;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use k8s_openapi::jiff::Timestamp;
use lattice::{AdapterConfig, Lattice};
use lattice_sim::{RunningSim, SimConfig};
use model::config::Config;
use model::observed::ObservedState;
use model::translate::translate;
use reconciler::{Mode, Report, Request};

/// Which VPC Lattice to talk to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An emulator started inside this process, seeded with the service networks the manifests
    /// need; gone when the command ends.
    Embedded,
    /// One endpoint for VPC Lattice and the tagging API.
    Endpoint(String),
    /// The standard SDK configuration (environment, profiles, `AWS_ENDPOINT_URL_*`).
    Aws,
}

/// Whether the environment names an endpoint for VPC Lattice or the tagging API.
pub fn endpoint_from_environment() -> bool {
    ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_VPC_LATTICE", "AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
}

/// Request pacing against VPC Lattice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Requests per second (0: unlimited); the embedded emulator is never limited.
    pub tps: u32,
    /// Attempts per call.
    pub max_attempts: u32,
}

/// What one command did.
#[derive(Debug)]
pub struct Outcome {
    /// Manifests read.
    pub loaded: manifests::Loaded,
    /// The pipeline's report.
    pub report: Report,
    /// Where it ran, for people.
    pub target: String,
    /// Service networks the embedded emulator was seeded with.
    pub seeded: Vec<String>,
}

/// Runs the pipeline on `loaded` against `target`.
pub async fn run_pipeline(
    loaded: manifests::Loaded,
    config: &Config,
    target: &Target,
    limits: Limits,
    mode: Mode,
    now: Timestamp,
) -> anyhow::Result<Outcome> {
    let region = config.identity.region.clone();
    let mut adapter = AdapterConfig { tps: limits.tps, max_attempts: limits.max_attempts, ..AdapterConfig::default() };
    let mut seeded = Vec::new();
    let (sdk, sim, description) = match target {
        Target::Embedded => {
            let sim_config = SimConfig {
                account_id: config.identity.account_id.clone(),
                region: region.clone(),
                ..SimConfig::default()
            };
            let sim = lattice_sim::start(sim_config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
                .await
                .context("starting the embedded VPC Lattice emulator")?;
            let desired = translate(&loaded.snapshot, &ObservedState::default(), config, now).desired;
            for network in desired.service_networks {
                sim.seed_service_network(&network.name, &BTreeMap::new())
                    .with_context(|| format!("seeding service network {}", network.name))?;
                seeded.push(network.name);
            }
            adapter.tps = 0;
            adapter.initial_backoff = std::time::Duration::from_millis(50);
            let sdk = aws_config::defaults(BehaviorVersion::latest())
                .region(Region::new(region.clone()))
                .endpoint_url(sim.endpoint())
                .credentials_provider(Credentials::new("embedded", "embedded", None, None, "embedded-emulator"))
                .load()
                .await;
            let description = format!("embedded VPC Lattice emulator at {}", sim.endpoint());
            (sdk, Some(sim), description)
        }
        Target::Endpoint(url) => {
            (lattice::load_sdk_config(Some(url), Some(&region)).await, None, format!("VPC Lattice at {url}"))
        }
        Target::Aws => (lattice::load_sdk_config(None, Some(&region)).await, None, format!("VPC Lattice in {region}")),
    };
    let lattice = Lattice::new(&sdk, adapter);
    let request = Request { snapshot: loaded.snapshot.clone(), scope: model::plan::Scope::All, mode, now };
    let report = reconciler::reconcile(&lattice, config, request).await;
    shutdown(sim).await;
    let report = report.with_context(|| format!("reconciling against {description}"))?;
    Ok(Outcome { loaded, report, target: description, seeded })
}

async fn shutdown(sim: Option<RunningSim>) {
    if let Some(sim) = sim {
        sim.shutdown().await;
    }
}
