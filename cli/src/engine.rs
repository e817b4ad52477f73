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
use model::snapshot::ClusterSnapshot;
use model::translate::translate;
use reconciler::{Mode, ReadScope, ReadinessOutcome, Report, Request, WaitPolicy};

/// Which VPC Lattice to talk to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An emulator started inside this process, seeded with the service networks the manifests'
    /// Gateways name (not those the run creates itself); gone when the command ends.
    Embedded,
    /// One endpoint for VPC Lattice, the tagging API and ACM.
    Endpoint(String),
    /// The standard SDK configuration (environment, profiles, `AWS_ENDPOINT_URL_*`).
    Aws,
}

/// Whether the environment names an endpoint for VPC Lattice, the tagging API or ACM.
pub fn endpoint_from_environment() -> bool {
    [
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_VPC_LATTICE",
        "AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API",
        "AWS_ENDPOINT_URL_ACM",
    ]
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

/// Where the objects came from.
#[derive(Debug)]
pub enum Input {
    /// Manifest files.
    Manifests(Box<manifests::Loaded>),
    /// A live cluster, and what the status write did (`None` for a dry run).
    Cluster {
        /// How the cluster was reached, for people.
        description: String,
        /// The status write.
        write: Option<reconciler::WriteOutcome>,
        /// The routes' external-dns records (for a dry run: what would change).
        dns: Box<model::dns::DnsOutcome>,
        /// The pods' readiness gates (for a dry run: what would be written), the wait included.
        readiness: Box<ReadinessOutcome>,
    },
}

/// What one command did.
#[derive(Debug)]
pub struct Outcome {
    /// Where the objects came from.
    pub input: Input,
    /// The pipeline's report.
    pub report: Report,
    /// Where VPC Lattice was, for people.
    pub target: String,
    /// Service networks the embedded emulator was seeded with.
    pub seeded: Vec<String>,
    /// CPU time by phase, when measured.
    pub cpu: Option<crate::cpu::Phases>,
}

/// A VPC Lattice client for `target`, the emulator behind it when embedded, and a description.
struct Connected {
    lattice: Lattice,
    sim: Option<RunningSim>,
    description: String,
    seeded: Vec<String>,
}

async fn connect(
    target: &Target,
    config: &Config,
    limits: Limits,
    seed: &ClusterSnapshot,
    now: Timestamp,
) -> anyhow::Result<Connected> {
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
            // The service networks Gateways name that nothing asks us to create: in AWS they are
            // made by whoever owns the network; the demo stands in for them.
            let desired = translate(seed, &ObservedState::default(), config, now).desired;
            for network in desired.service_networks.into_iter().filter(|n| n.tags.is_none()) {
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
    Ok(Connected { lattice: Lattice::new(&sdk, adapter), sim, description, seeded })
}

/// Runs the pipeline on manifests in `loaded` against `target`.
pub async fn run_pipeline(
    mut loaded: manifests::Loaded,
    config: &Config,
    target: &Target,
    limits: Limits,
    mode: Mode,
    now: Timestamp,
) -> anyhow::Result<Outcome> {
    let c = connect(target, config, limits, &loaded.snapshot, now).await?;
    let snapshot = std::mem::take(&mut loaded.snapshot);
    let request = Request { snapshot, scope: model::plan::Scope::All, mode, now };
    let report = reconciler::reconcile(&c.lattice, config, request).await;
    shutdown(c.sim).await;
    let report = report.with_context(|| format!("reconciling against {}", c.description))?;
    Ok(Outcome {
        input: Input::Manifests(Box::new(loaded)),
        report,
        target: c.description,
        seeded: c.seeded,
        cpu: None,
    })
}

/// Runs the pipeline on a live cluster (all of it, or one route) against `target`, writing status
/// unless `mode` is [`Mode::Plan`]; then, with `wait`, checks gated pods that are not ready yet
/// again until they are or the wait is over.
#[allow(clippy::too_many_arguments, reason = "one call site, each argument a distinct input of the run")]
pub async fn run_cluster(
    cluster: &cluster::Cluster,
    description: String,
    scope: &ReadScope,
    config: &Config,
    target: &Target,
    limits: Limits,
    mode: Mode,
    wait: Option<WaitPolicy>,
    now: Timestamp,
) -> anyhow::Result<Outcome> {
    let c = connect(target, config, limits, &ClusterSnapshot::default(), now).await?;
    let run = reconciler::run_cluster(cluster, &c.lattice, config, scope, mode, now).await;
    let run = match (run, wait) {
        (Ok(mut run), Some(policy)) if mode == Mode::Apply && !run.readiness.waiting.is_empty() => {
            let waiting = std::mem::take(&mut run.readiness.waiting);
            let sleep = |d| tokio::time::sleep(d);
            let later =
                reconciler::recheck_readiness(cluster, &c.lattice, waiting, policy, Timestamp::now, sleep).await;
            run.readiness.absorb(later);
            Ok(run)
        }
        (run, _) => run,
    };
    shutdown(c.sim).await;
    let run = run.with_context(|| format!("reconciling {description} against {}", c.description))?;
    Ok(Outcome {
        input: Input::Cluster {
            description,
            write: run.write,
            dns: Box::new(run.dns),
            readiness: Box::new(run.readiness),
        },
        report: run.report,
        target: c.description,
        seeded: c.seeded,
        cpu: None,
    })
}

async fn shutdown(sim: Option<RunningSim>) {
    if let Some(sim) = sim {
        sim.shutdown().await;
    }
}
