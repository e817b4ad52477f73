//! `lattice-sim`: the VPC Lattice emulator as a server. Prints `lattice-sim listening on URL` once it
//! accepts connections and runs until interrupted.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use lattice_sim::{CertificateSpec, ClusterConfig, Faults, Quotas, SimConfig};

/// A local Amazon VPC Lattice emulator (plus the Resource Groups Tagging API, ACM ListCertificates and
/// EKS DescribeCluster).
#[derive(Debug, Parser)]
#[command(name = "lattice-sim", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:4599", env = "LATTICE_SIM_LISTEN")]
    listen: SocketAddr,
    /// Account id used in ARNs.
    #[arg(long, default_value = "123456789012")]
    account_id: String,
    /// Region used in ARNs and DNS names.
    #[arg(long, default_value = "us-west-2")]
    region: String,
    /// Seed of the id generator and of the fault dice.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Milliseconds services, target groups and associations stay *_IN_PROGRESS.
    #[arg(long, default_value_t = 0)]
    transition_delay_ms: u64,
    /// Milliseconds deregistered targets stay DRAINING.
    #[arg(long, default_value_t = 0)]
    drain_ms: u64,
    /// Probability (0..1) of answering ThrottlingException.
    #[arg(long, default_value_t = 0.0)]
    throttle_rate: f64,
    /// Probability (0..1) of answering InternalServerException.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Latency added to every API request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fail every API request after this many.
    #[arg(long)]
    fail_after: Option<u64>,
    /// Apply, then fail with InternalServerException, the next N successful mutating requests.
    #[arg(long, default_value_t = 0)]
    commit_failures: u64,
    /// Let the next N creations of services, target groups or associations end in CREATE_FAILED.
    #[arg(long, default_value_t = 0)]
    create_failures: u64,
    /// Probability (0..1) that a request is delayed by a further --spike-ms (a latency spike).
    #[arg(long, default_value_t = 0.0)]
    spike_rate: f64,
    /// The delay of a latency spike, in milliseconds.
    #[arg(long, default_value_t = 0)]
    spike_ms: u64,
    /// Leave each created resource out of the next N List*/GetResources responses that would show it.
    #[arg(long, default_value_t = 0)]
    list_lag: u64,
    /// Leave each created resource out of List*/GetResources responses for this many milliseconds.
    #[arg(long, default_value_t = 0)]
    list_lag_ms: u64,
    /// Quota override NAME=N (repeatable), e.g. rules-per-listener=20.
    #[arg(long = "quota", value_name = "NAME=N")]
    quotas: Vec<String>,
    /// EKS cluster name=N,endpoint=URL,ca=BASE64,vpc=VPC[,version=V] (repeatable).
    #[arg(long = "cluster", value_name = "SPEC")]
    clusters: Vec<String>,
    /// Service network created at start if absent (repeatable).
    #[arg(long = "service-network", value_name = "NAME")]
    service_networks: Vec<String>,
    /// Service network another account shares with this one through AWS RAM, created at start
    /// if absent: name=N,owner=ACCOUNT[,listed=false] (repeatable). Unlisted ones are found only
    /// through VPC associations, ids and ARNs.
    #[arg(long = "shared-service-network", value_name = "SPEC", value_parser = parse_shared)]
    shared_service_networks: Vec<Shared>,
    /// ACM certificate domain=D[,san=N]...[,key=K][,status=S][,type=T][,origin=O][,issued=EPOCH_SECONDS]
    /// added at start unless one with the same domain, names and key type exists (repeatable).
    #[arg(long = "certificate", value_name = "SPEC")]
    certificates: Vec<String>,
    /// JSON file to load the state from and save it to after every mutating request.
    #[arg(long)]
    state: Option<PathBuf>,
}

impl Args {
    fn config(&self) -> anyhow::Result<SimConfig> {
        let mut quotas = Quotas::default();
        for spec in &self.quotas {
            quotas.apply(spec)?;
        }
        let clusters = self.clusters.iter().map(|c| c.parse::<ClusterConfig>()).collect::<Result<Vec<_>, _>>()?;
        let config = SimConfig {
            account_id: self.account_id.clone(),
            region: self.region.clone(),
            seed: self.seed,
            transition_delay: Duration::from_millis(self.transition_delay_ms),
            drain: Duration::from_millis(self.drain_ms),
            quotas,
            faults: Faults {
                throttle_rate: self.throttle_rate,
                error_rate: self.error_rate,
                latency_ms: self.latency_ms,
                fail_after: self.fail_after,
                commit_failures: self.commit_failures,
                create_failures: self.create_failures,
                spike_rate: self.spike_rate,
                spike_ms: self.spike_ms,
                list_lag: self.list_lag,
                list_lag_ms: self.list_lag_ms,
            },
            clusters,
            state_file: self.state.clone(),
        };
        config.validate()?;
        Ok(config)
    }
}

/// A `--shared-service-network` value.
#[derive(Debug, Clone)]
struct Shared {
    name: String,
    owner: String,
    listed: bool,
}

fn parse_shared(spec: &str) -> Result<Shared, String> {
    let (mut name, mut owner, mut listed) = (None, None, true);
    for part in spec.split(',') {
        match part.split_once('=') {
            Some(("name", v)) => name = Some(v.to_owned()),
            Some(("owner", v)) => owner = Some(v.to_owned()),
            Some(("listed", v)) => listed = v.parse().map_err(|_| format!("listed={v}: expected true or false"))?,
            _ => return Err(format!("{part:?}: expected name=N, owner=ACCOUNT or listed=BOOL")),
        }
    }
    Ok(Shared { name: name.ok_or("name=N is required")?, owner: owner.ok_or("owner=ACCOUNT is required")?, listed })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = args.config()?;
    let sim = lattice_sim::start(config, args.listen).await.context("Failed to start the emulator")?;
    let existing = sim.state_json();
    for name in &args.service_networks {
        let present = existing["service_networks"]
            .as_object()
            .is_some_and(|m| m.values().any(|sn| sn["name"].as_str() == Some(name.as_str())));
        if !present {
            sim.seed_service_network(name, &BTreeMap::new()).context("Failed to seed a service network")?;
        }
    }
    for shared in &args.shared_service_networks {
        let present = existing["service_networks"].as_object().is_some_and(|m| {
            m.values().any(|sn| {
                sn["name"].as_str() == Some(shared.name.as_str())
                    && sn["shared_from"].as_str() == Some(shared.owner.as_str())
            })
        });
        if !present {
            sim.seed_shared_service_network(&shared.name, &shared.owner, shared.listed)
                .context("Failed to seed a shared service network")?;
        }
    }
    for text in &args.certificates {
        let spec: CertificateSpec = text.parse().map_err(|reason| anyhow::anyhow!("--certificate {text}: {reason}"))?;
        let names = if spec.subject_alternative_names.is_empty() {
            vec![spec.domain_name.clone()]
        } else {
            spec.subject_alternative_names.clone()
        };
        let key = spec.key_algorithm.clone().unwrap_or_else(|| "RSA_2048".to_owned());
        let present = existing["certificates"].as_object().is_some_and(|m| {
            m.values().any(|c| {
                c["domain_name"].as_str() == Some(spec.domain_name.as_str())
                    && c["key_algorithm"].as_str() == Some(key.as_str())
                    && c["sans"]
                        .as_array()
                        .is_some_and(|s| s.iter().filter_map(|v| v.as_str()).eq(names.iter().map(String::as_str)))
            })
        });
        if !present {
            sim.seed_certificate(&spec).context("Failed to seed a certificate")?;
        }
    }
    let mut stdout = std::io::stdout();
    writeln!(stdout, "lattice-sim listening on {}", sim.endpoint())?;
    stdout.flush()?;
    tokio::signal::ctrl_c().await.context("Failed to wait for Ctrl-C")?;
    sim.shutdown().await;
    Ok(())
}
