//! The reliability suite's fault scenarios and their harness.
//!
//! A [`World`] is a VPC Lattice emulator (`lattice-sim`, over HTTP) holding the hotel demo's
//! service network and other owners' resources ([`foreign`]), whose [`census`] is taken before
//! any scenario runs so that every scenario can prove they were neither modified nor deleted.
//! Scenarios run the real pipeline (`reconciler::reconcile` with the `lattice` adapter over the
//! AWS SDK) on the demo's manifests ([`hotel`]) and variants of them, and compare the account they
//! end with, as a [`census::shape`], with the one a clean run ends with.

#![forbid(unsafe_code)]

pub mod census;
pub mod foreign;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use k8s_openapi::jiff::Timestamp;
use lattice::{AdapterConfig, Lattice};
use lattice_sim::{RunningSim, SimConfig};
use model::config::{Config, Identity};
use model::plan::Scope;
use model::snapshot::ClusterSnapshot;
use reconciler::{Mode, Report, Request};

pub use census::{Census, census};

/// The service network of the hotel's Gateway.
pub const NETWORK: &str = "my-hotel";

/// Our cluster's identity. The garbage-collection safety valve is overridden: these scenarios
/// delete every route on purpose, and those that must delete nothing (incomplete cluster reads)
/// have to prove it without the valve's help. The valve has scenarios of its own (group `gc`).
pub fn config() -> Config {
    let mut config = Config::new(Identity {
        account_id: "123456789012".into(),
        cluster_name: "resilience".into(),
        vpc_id: "vpc-0123456789abcdef0".into(),
        region: "us-west-2".into(),
    });
    config.gc.allow_mass_delete = true;
    config
}

/// The demo's manifest files (`examples/hotel` and `examples/policies`), each with its text.
fn example_files() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut files = Vec::new();
    for dir in ["hotel", "policies"] {
        let entries = std::fs::read_dir(root.join(dir)).expect("the examples are readable");
        let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("an example is readable");
            files.push((path, text));
        }
    }
    files
}

/// A route of ours whose Lattice service name, `taken-default`, another cluster holds.
const TAKEN_ROUTE: &str = "
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: taken, namespace: default}
spec:
  parentRefs: [{name: my-hotel, sectionName: http}]
  rules: [{backendRefs: [{name: parking, kind: Service, port: 80}]}]
";

/// The demo's snapshot after `edit` had each file (by file name and text): `None` leaves the
/// file out. The route `taken` (see [`foreign`]) is added unless `edit` drops `taken-route.yaml`.
pub fn demo_with(edit: impl Fn(&str, String) -> Option<String>) -> ClusterSnapshot {
    let mut loaded = manifests::Loaded::default();
    let mut files = example_files();
    files.push((PathBuf::from("taken-route.yaml"), TAKEN_ROUTE.to_owned()));
    for (path, text) in files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if let Some(text) = edit(&name, text) {
            manifests::load_str(&text, &path, &mut loaded);
        }
    }
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    loaded.snapshot
}

/// The hotel demo (as `latticectl apply -f examples/` applies it) plus the route `taken`.
pub fn hotel() -> ClusterSnapshot {
    demo_with(|_, text| Some(text))
}

/// The demo with every route deleted (their policies stay, naming routes that are gone).
pub fn hotel_without_routes() -> ClusterSnapshot {
    demo_with(|name, text| (!name.ends_with("-route.yaml")).then_some(text))
}

/// The demo changed: inventory's split moves to 90/10, rates' `/review` becomes `/reviews`, and
/// parking gets a third pod.
pub fn hotel_updated() -> ClusterSnapshot {
    demo_with(|name, text| {
        Some(match name {
            "inventory-route.yaml" => {
                text.replacen("weight: 50", "weight: 90", 1).replacen("weight: 50", "weight: 10", 1)
            }
            "rates-route.yaml" => text.replace("value: /review", "value: /reviews"),
            "parking.yaml" => text.replace(
                "  - addresses: [\"10.0.2.11\"]",
                "  - addresses: [\"10.0.3.11\"]\n    conditions: {ready: true}\n  - addresses: [\"10.0.2.11\"]",
            ),
            _ => text,
        })
    })
}

/// An emulator holding the hotel's service network and other owners' resources.
pub struct World {
    /// The emulator.
    pub sim: RunningSim,
    /// SDK configuration pointed at it.
    pub sdk: SdkConfig,
    /// Everything in the account before any scenario ran: none of it is ours.
    pub foreign: Census,
}

/// Test pacing: no rate limit worth waiting for, fast SDK retries, a short wait for resources in
/// progress.
pub fn fast() -> AdapterConfig {
    AdapterConfig {
        tps: 0,
        initial_backoff: Duration::from_millis(5),
        pending_wait: Duration::from_millis(500),
        ..AdapterConfig::default()
    }
}

/// A world on an emulator started with `sim_config` (its faults apply only once seeding is done).
pub async fn world(sim_config: SimConfig) -> World {
    let faults = sim_config.faults;
    let quiet = SimConfig { faults: lattice_sim::Faults::default(), ..sim_config };
    let sim = lattice_sim::start(quiet, "127.0.0.1:0".parse().expect("address")).await.expect("emulator starts");
    let other: BTreeMap<String, String> =
        [("application-networking.k8s.aws/ManagedBy".to_owned(), foreign::OTHER.to_owned())].into();
    let (network, _) = sim.seed_service_network(NETWORK, &other).expect("network seeded");
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .region(Region::new("us-west-2"))
        .endpoint_url(sim.endpoint())
        .load()
        .await;
    foreign::seed(&aws_sdk_vpclattice::Client::new(&sdk), &network).await.expect("foreign resources seeded");
    let foreign = census(&sim);
    sim.reset_calls();
    sim.set_faults(faults).expect("faults set");
    World { sim, sdk, foreign }
}

impl World {
    /// Our adapter with `config`.
    pub fn adapter(&self, config: AdapterConfig) -> Lattice {
        Lattice::new(&self.sdk, config)
    }

    /// One run of the pipeline on `snapshot` within `scope`.
    pub async fn reconcile(
        &self,
        lattice: &Lattice,
        snapshot: &ClusterSnapshot,
        scope: Scope,
    ) -> Result<Report, reconciler::Error> {
        self.reconcile_with(lattice, snapshot, scope, &config()).await
    }

    /// [`World::reconcile`] with `config`.
    pub async fn reconcile_with(
        &self,
        lattice: &Lattice,
        snapshot: &ClusterSnapshot,
        scope: Scope,
        config: &Config,
    ) -> Result<Report, reconciler::Error> {
        let request = Request { snapshot: snapshot.clone(), scope, mode: Mode::Apply, now: now() };
        reconciler::reconcile(lattice, config, request).await
    }

    /// Runs the whole-cluster pipeline until a run plans nothing; returns how many runs it took
    /// before that one (a failed read counts as a run). Panics after `max_runs`.
    pub async fn converge(&self, lattice: &Lattice, snapshot: &ClusterSnapshot, max_runs: usize) -> usize {
        self.converge_with(lattice, snapshot, max_runs, &config()).await
    }

    /// [`World::converge`] with full verification (`--verify`): every resource of ours is read in
    /// full instead of trusting its fingerprint tag, so changes made behind our back are seen.
    pub async fn converge_verifying(&self, lattice: &Lattice, snapshot: &ClusterSnapshot, max_runs: usize) -> usize {
        let mut config = config();
        config.verify = model::fingerprint::Verify::Full;
        self.converge_with(lattice, snapshot, max_runs, &config).await
    }

    /// [`World::converge`] with `config`.
    pub async fn converge_with(
        &self,
        lattice: &Lattice,
        snapshot: &ClusterSnapshot,
        max_runs: usize,
        config: &Config,
    ) -> usize {
        for runs in 0..max_runs {
            match self.reconcile_with(lattice, snapshot, Scope::All, config).await {
                Ok(report) if report.plan.actions.is_empty() => return runs,
                Ok(_) => {}
                Err(error) => eprintln!("run {}: {error}", runs + 1),
            }
        }
        panic!("no convergence within {max_runs} runs");
    }

    /// Our resources (everything but the foreign ones), as [`census::shape`] describes them.
    pub fn ours(&self) -> Vec<String> {
        let foreign: BTreeSet<String> = self.foreign.keys().cloned().collect();
        census::shape(&census(&self.sim), &foreign)
    }

    /// Panics unless every foreign resource is still there exactly as it was seeded, and nothing
    /// in the account exists twice.
    pub fn assert_foreign_untouched_and_no_duplicates(&self) {
        let now = census(&self.sim);
        let changed = census::changed(&self.foreign, &now);
        assert!(changed.is_empty(), "other owners' resources changed: {changed:#?}");
        let duplicates = census::duplicates(&now);
        assert!(duplicates.is_empty(), "duplicates: {duplicates:?}");
    }

    /// Lattice API calls the emulator answered (or failed) since the last reset.
    pub fn calls(&self) -> u64 {
        self.sim.calls().values().sum()
    }
}

/// The time status is stamped with.
pub fn now() -> Timestamp {
    Timestamp::from_second(1_767_229_200).expect("time")
}
