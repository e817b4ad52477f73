//! One emulator shared by the clusters of a test, an SDK configuration and adapter pointed at it,
//! and a reconcile of one cluster identity.

#![allow(dead_code, reason = "each test binary uses a different part of the harness")]

use std::collections::BTreeMap;
use std::path::Path;
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

/// The account of every cluster (the emulator's).
pub const ACCOUNT: &str = "123456789012";

/// The identity of cluster `name`, in VPC `vpc`.
pub fn config(name: &str, vpc: &str) -> Config {
    Config::new(Identity {
        account_id: ACCOUNT.into(),
        cluster_name: name.into(),
        vpc_id: vpc.into(),
        region: "us-west-2".into(),
    })
}

/// An emulator with the service network `network`, and the SDK configuration for it.
pub struct World {
    /// The emulator.
    pub sim: RunningSim,
    /// SDK configuration pointed at it.
    pub sdk: SdkConfig,
    /// Id of the service network.
    pub network: String,
}

pub async fn world(network: &str) -> World {
    let sim = lattice_sim::start(SimConfig::default(), "127.0.0.1:0".parse().expect("address")).await.expect("starts");
    let (network, _) = sim.seed_service_network(network, &BTreeMap::new()).expect("network");
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .region(Region::new("us-west-2"))
        .endpoint_url(sim.endpoint())
        .load()
        .await;
    World { sim, sdk, network }
}

impl World {
    /// A VPC Lattice client.
    pub fn client(&self) -> aws_sdk_vpclattice::Client {
        aws_sdk_vpclattice::Client::new(&self.sdk)
    }

    /// Our adapter, without pacing worth waiting for.
    pub fn adapter(&self) -> Lattice {
        let pacing = AdapterConfig {
            tps: 1000,
            initial_backoff: Duration::from_millis(5),
            pending_wait: Duration::from_secs(1),
            ..AdapterConfig::default()
        };
        Lattice::new(&self.sdk, pacing)
    }

    /// One reconcile of `snapshot` as the cluster `config` names.
    pub async fn reconcile(&self, config: &Config, snapshot: &ClusterSnapshot, mode: Mode) -> Report {
        self.reconcile_in(config, snapshot, Scope::All, mode).await
    }

    /// One reconcile of `snapshot` within `scope`.
    pub async fn reconcile_in(&self, config: &Config, snapshot: &ClusterSnapshot, scope: Scope, mode: Mode) -> Report {
        let request = Request {
            snapshot: snapshot.clone(),
            scope,
            mode,
            now: Timestamp::from_second(1_767_229_200).expect("time"),
        };
        reconciler::reconcile(&self.adapter(), config, request).await.expect("reconcile runs")
    }

    /// One reconcile that applies, every action of which must succeed.
    pub async fn apply(&self, config: &Config, snapshot: &ClusterSnapshot) -> Report {
        let report = self.reconcile(config, snapshot, Mode::Apply).await;
        let outcome = report.apply.as_ref().expect("applied");
        assert!(outcome.is_success() && outcome.pending.is_empty(), "{outcome:?}");
        report
    }

    /// Service name → (id, DNS name), as the API lists them.
    pub async fn services(&self) -> BTreeMap<String, (String, String)> {
        let out = self.client().list_services().send().await.expect("ListServices");
        out.items()
            .iter()
            .map(|s| {
                let dns = s.dns_entry().and_then(|d| d.domain_name()).unwrap_or_default();
                (s.name().unwrap_or_default().to_owned(), (s.id().unwrap_or_default().to_owned(), dns.to_owned()))
            })
            .collect()
    }
}

/// Manifests from YAML text.
pub fn manifests(text: &str) -> manifests::Loaded {
    let mut loaded = manifests::Loaded::default();
    manifests::load_str(text, Path::new("test.yaml"), &mut loaded);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    loaded
}

/// Operation names of a report's plan.
pub fn ops(report: &Report) -> Vec<&'static str> {
    report.plan.actions.iter().map(|a| a.op()).collect()
}

/// Whether an action writes a fingerprint tag (the last step of every plan that changed or first
/// verified a service or target group).
pub fn is_fingerprint(action: &model::plan::Action) -> bool {
    matches!(action, model::plan::Action::TagResource(t) if model::plan::fingerprints::is_fingerprint(&t.tags))
}

/// The operations of the plan other than fingerprint writes.
pub fn changes(report: &Report) -> Vec<&'static str> {
    report.plan.actions.iter().filter(|a| !is_fingerprint(a)).map(|a| a.op()).collect()
}

/// How many fingerprints the plan writes.
pub fn fingerprint_writes(report: &Report) -> usize {
    report.plan.actions.iter().filter(|a| is_fingerprint(a)).count()
}

/// The operations among `calls` that create or delete something.
pub fn creates_or_deletes(calls: &BTreeMap<String, u64>) -> Vec<&String> {
    calls.keys().filter(|op| op.starts_with("Create") || op.starts_with("Delete")).collect()
}
