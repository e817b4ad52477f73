//! The pipeline against an in-memory VPC Lattice.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;

use k8s_openapi::jiff::Timestamp;
use model::config::{Config, Identity};
use model::names::{ANNOTATION_DNS_NAME, ANNOTATION_SERVICE_ARN};
use model::observed::{ObservedServiceNetwork, ObservedState, TargetHealth};
use model::plan::memory::{IdGen, apply_action};
use model::plan::{Plan, Scope};
use model::snapshot::ClusterSnapshot;

use super::*;

/// VPC Lattice in memory; `fail_observe` makes the next read fail.
pub(crate) struct MemoryLattice {
    state: Mutex<(ObservedState, IdGen)>,
    calls: Mutex<BTreeMap<String, u64>>,
    fail_observe: Mutex<bool>,
}

impl MemoryLattice {
    pub(crate) fn with_network(name: &str) -> Self {
        let observed = ObservedState {
            service_networks: vec![ObservedServiceNetwork {
                id: "sn-0123456789abcdef0".into(),
                arn: "arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-0123456789abcdef0".into(),
                name: name.into(),
                tags: BTreeMap::new(),
                ..ObservedServiceNetwork::default()
            }],
            ..ObservedState::default()
        };
        Self { state: Mutex::new((observed, IdGen::new())), calls: Mutex::default(), fail_observe: Mutex::new(false) }
    }

    fn count(&self, op: &str) {
        *self.calls.lock().expect("calls").entry(op.to_owned()).or_default() += 1;
    }

    fn services(&self) -> Vec<String> {
        self.state.lock().expect("state").0.services.iter().map(|s| s.name.clone()).collect()
    }
}

impl LatticeReader for MemoryLattice {
    async fn observe(
        &self,
        _managed_by: &str,
        _scope: &Scope,
        _interesting: &BTreeSet<String>,
    ) -> Result<ObservedState, BoxError> {
        self.count("Observe");
        if std::mem::take(&mut *self.fail_observe.lock().expect("flag")) {
            return Err("listing failed".into());
        }
        Ok(self.state.lock().expect("state").0.clone())
    }

    async fn certificates(&self) -> Result<Vec<model::certificates::ObservedCertificate>, BoxError> {
        self.count("ListCertificates");
        Ok(self.state.lock().expect("state").0.certificates.clone().unwrap_or_default())
    }

    async fn observe_imports(
        &self,
        known: &BTreeSet<String>,
        queries: &model::imports::ImportQueries,
    ) -> Result<Vec<model::observed::ObservedTargetGroup>, BoxError> {
        self.count("ObserveImports");
        Ok(queries.select(&self.state.lock().expect("state").0.target_groups, known))
    }
}

impl LatticeWriter for MemoryLattice {
    async fn apply(
        &self,
        plan: &Plan,
        observed: &mut ObservedState,
        _managed_by: &str,
        budget: &Budget,
    ) -> ApplyOutcome {
        let mut outcome = ApplyOutcome::default();
        let mut guard = self.state.lock().expect("state");
        let (state, ids) = &mut *guard;
        for action in &plan.actions {
            if !budget.allows() {
                outcome.deferred.push(action.clone());
                continue;
            }
            self.count(action.op());
            match apply_action(action, state, ids) {
                Ok(()) => outcome.applied += 1,
                Err(e) => outcome.failed.push(ActionProblem { action: action.clone(), message: e.to_string() }),
            }
        }
        let certificates = observed.certificates.take();
        *observed = state.clone();
        observed.certificates = certificates;
        outcome
    }

    fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().expect("calls").clone()
    }
}

pub(crate) fn hotel() -> ClusterSnapshot {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/hotel");
    let loaded = manifests::load_paths(&[dir]).expect("examples load");
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    loaded.snapshot
}

pub(crate) fn config() -> Config {
    Config::new(Identity {
        account_id: "111122223333".into(),
        cluster_name: "test".into(),
        vpc_id: "vpc-0123456789abcdef0".into(),
        region: "us-west-2".into(),
    })
}

pub(crate) fn request(snapshot: ClusterSnapshot, mode: Mode) -> Request {
    Request { snapshot, scope: Scope::All, mode, now: Timestamp::from_second(1_767_225_600).expect("time") }
}

fn route_annotations<'a>(report: &'a Report, name: &str) -> &'a BTreeMap<String, String> {
    &report
        .translation
        .status
        .iter()
        .find(|e| e.kind == "HTTPRoute" && e.name == name)
        .unwrap_or_else(|| panic!("status of {name}"))
        .annotations
}

#[tokio::test]
async fn apply_creates_the_demo_and_status_carries_the_result() {
    let lattice = MemoryLattice::with_network("my-hotel");
    let report = reconcile(&lattice, &config(), request(hotel(), Mode::Apply)).await.expect("reconcile");
    let apply = report.apply.as_ref().expect("applied");
    assert!(apply.is_success(), "{apply:?}");
    assert_eq!(apply.applied, report.plan.actions.len());
    assert_eq!(lattice.services(), ["inventory-default", "rates-default"]);
    for route in ["rates", "inventory"] {
        let annotations = route_annotations(&report, route);
        assert!(
            annotations.get(ANNOTATION_DNS_NAME).is_some_and(|d| d.ends_with(".vpc-lattice-svcs.us-west-2.on.aws"))
        );
        assert!(annotations.get(ANNOTATION_SERVICE_ARN).is_some_and(|a| a.contains(":service/svc-")));
    }
    assert_eq!(report.calls.get("CreateServiceNetworkServiceAssociation"), Some(&2));

    let again = reconcile(&lattice, &config(), request(hotel(), Mode::Apply)).await.expect("reconcile");
    assert!(again.plan.actions.is_empty(), "steady state plans nothing: {:?}", again.plan.actions);
    assert_eq!(again.calls, BTreeMap::from([("Observe".to_owned(), 1)]));
}

#[tokio::test]
async fn plan_mode_changes_nothing() {
    let lattice = MemoryLattice::with_network("my-hotel");
    let report = reconcile(&lattice, &config(), request(hotel(), Mode::Plan)).await.expect("reconcile");
    assert!(report.apply.is_none());
    assert!(!report.plan.actions.is_empty());
    assert!(lattice.services().is_empty());
}

#[tokio::test]
async fn a_failed_read_changes_nothing() {
    let lattice = MemoryLattice::with_network("my-hotel");
    reconcile(&lattice, &config(), request(hotel(), Mode::Apply)).await.expect("first run");
    *lattice.fail_observe.lock().expect("flag") = true;
    let err = reconcile(&lattice, &config(), request(ClusterSnapshot::default(), Mode::Apply)).await;
    assert!(matches!(err, Err(Error::Observe { .. })), "an empty cluster with a failed read must not delete");
    assert_eq!(lattice.services().len(), 2);
}

#[tokio::test]
async fn an_unreadable_route_keeps_its_resources_and_others_still_converge() {
    let lattice = MemoryLattice::with_network("my-hotel");
    reconcile(&lattice, &config(), request(hotel(), Mode::Apply)).await.expect("create");
    let mut snapshot = hotel();
    snapshot.http_routes.retain(|r| r.metadata.name.as_deref() != Some("inventory"));
    snapshot.unreadable.push(model::snapshot::ObjectRef::new("HTTPRoute", "default", "inventory"));
    let report = reconcile(&lattice, &config(), request(snapshot, Mode::Apply)).await.expect("reconcile");
    assert!(report.plan.actions.is_empty(), "nothing of the unreadable route is deleted: {:?}", report.plan.actions);
    assert_eq!(lattice.services(), ["inventory-default", "rates-default"]);
    assert_eq!(report.protected.len(), 1);
    assert!(!report.translation.status.iter().any(|e| e.name == "inventory"));
}

#[tokio::test]
async fn removing_routes_deletes_what_they_created() {
    let lattice = MemoryLattice::with_network("my-hotel");
    reconcile(&lattice, &config(), request(hotel(), Mode::Apply)).await.expect("create");
    let mut snapshot = hotel();
    snapshot.http_routes.retain(|r| r.metadata.name.as_deref() != Some("inventory"));
    let report = reconcile(&lattice, &config(), request(snapshot, Mode::Apply)).await.expect("delete");
    assert!(report.apply.as_ref().is_some_and(ApplyOutcome::is_success));
    assert_eq!(lattice.services(), ["rates-default"]);
    assert_eq!(report.calls.get("DeleteService"), Some(&1));
    assert_eq!(report.calls.get("DeleteTargetGroup"), Some(&2));
}

/// A cluster in memory: a fixed snapshot, and the status entries written to it.
struct MemoryCluster {
    snapshot: ClusterSnapshot,
    written: Mutex<Vec<model::status::StatusEntry>>,
    dns: Mutex<Vec<model::dns::DnsWanted>>,
    webhook: Mutex<Vec<(model::webhook::WebhookWanted, bool)>>,
    fail_read: bool,
}

impl ClusterSource for MemoryCluster {
    async fn read(&self, scope: &ReadScope) -> Result<ClusterSnapshot, BoxError> {
        if self.fail_read {
            return Err("the list of HTTPRoutes was cut off".into());
        }
        let mut snapshot = self.snapshot.clone();
        if let ReadScope::Route(r) = scope {
            snapshot.http_routes.retain(|route| route.metadata.name.as_deref() == Some(r.name.as_str()));
        }
        Ok(snapshot)
    }
}

impl StatusSink for MemoryCluster {
    async fn write(&self, entries: &[model::status::StatusEntry], _read: &ClusterSnapshot) -> WriteOutcome {
        self.written.lock().expect("written").extend(entries.iter().cloned());
        WriteOutcome {
            written: entries
                .iter()
                .map(|e| model::snapshot::ObjectRef::new(&e.kind, e.namespace.as_deref().unwrap_or(""), &e.name))
                .collect(),
            ..WriteOutcome::default()
        }
    }
}

fn cluster(fail_read: bool) -> MemoryCluster {
    MemoryCluster {
        snapshot: hotel(),
        written: Mutex::default(),
        dns: Mutex::default(),
        webhook: Mutex::default(),
        fail_read,
    }
}

fn now() -> Timestamp {
    Timestamp::from_second(1_767_225_600).expect("time")
}

#[tokio::test]
async fn a_cluster_run_writes_the_status_of_every_object() {
    let lattice = MemoryLattice::with_network("my-hotel");
    let c = cluster(false);
    let run = run_cluster(&c, &lattice, &config(), &ReadScope::All, Mode::Apply, now()).await.expect("run");
    assert_eq!(run.write.as_ref().map(|w| w.written.len()), Some(4), "class, gateway, two routes");
    assert_eq!(lattice.services().len(), 2);
}

#[tokio::test]
async fn a_route_run_touches_only_that_route() {
    let lattice = MemoryLattice::with_network("my-hotel");
    let c = cluster(false);
    let route = model::snapshot::ObjectRef::new("HTTPRoute", "default", "rates");
    let run = run_cluster(&c, &lattice, &config(), &ReadScope::Route(route), Mode::Apply, now()).await.expect("run");
    assert_eq!(lattice.services(), ["rates-default"]);
    let written: Vec<String> =
        c.written.lock().expect("written").iter().map(|e| format!("{}/{}", e.kind, e.name)).collect();
    assert_eq!(written, ["HTTPRoute/rates"]);
    assert!(run.report.plan.actions.iter().all(|a| !matches!(a, model::plan::Action::DeleteService(_))));
}

#[tokio::test]
async fn a_dry_run_writes_nothing_and_a_failed_read_changes_nothing() {
    let lattice = MemoryLattice::with_network("my-hotel");
    let c = cluster(false);
    let run = run_cluster(&c, &lattice, &config(), &ReadScope::All, Mode::Plan, now()).await.expect("run");
    assert!(run.write.is_none() && c.written.lock().expect("written").is_empty());
    assert!(lattice.services().is_empty());
    let err = run_cluster(&cluster(true), &lattice, &config(), &ReadScope::All, Mode::Apply, now()).await;
    assert!(matches!(err, Err(ClusterError::Read { .. })));
    assert_eq!(lattice.calls().get("Observe"), Some(&1), "the failed read never reached VPC Lattice");
}

impl TargetHealthReader for MemoryLattice {
    async fn target_health(&self, target_group_id: &str, _port: i32) -> Result<Vec<TargetHealth>, BoxError> {
        self.count("ListTargets");
        let state = self.state.lock().expect("state");
        let group = state.0.target_groups.iter().find(|g| g.id == target_group_id).ok_or("no such target group")?;
        Ok(group
            .targets
            .iter()
            .map(|t| TargetHealth { id: t.id.clone(), port: t.port, status: "HEALTHY".into(), reason_code: None })
            .collect())
    }
}

impl DnsRecords for MemoryCluster {
    async fn sync_dns(&self, wanted: &[model::dns::DnsWanted], _dry_run: bool) -> model::dns::DnsOutcome {
        self.dns.lock().expect("dns").extend(wanted.iter().cloned());
        model::dns::DnsOutcome::default()
    }
}

impl ReadinessWebhook for MemoryCluster {
    async fn sync_webhook(
        &self,
        wanted: &model::webhook::WebhookWanted,
        dry_run: bool,
    ) -> model::webhook::WebhookOutcome {
        self.webhook.lock().expect("webhook").push((wanted.clone(), dry_run));
        model::webhook::WebhookOutcome::default()
    }
}

impl PodGates for MemoryCluster {
    async fn pod_gate(&self, _pod: &model::snapshot::ObjectRef) -> Result<Option<model::readiness::PodGate>, BoxError> {
        Ok(None)
    }

    async fn set_pod_gate(
        &self,
        _gate: &model::readiness::PodGate,
        _condition: &k8s_openapi::api::core::v1::PodCondition,
    ) -> Result<bool, BoxError> {
        Err("the example pods have no readiness gate".into())
    }
}

#[tokio::test]
async fn a_route_run_asks_for_that_routes_dns_record_only() {
    let lattice = MemoryLattice::with_network("my-hotel");
    let c = cluster(false);
    let route = model::snapshot::ObjectRef::new("HTTPRoute", "default", "rates");
    run_cluster(&c, &lattice, &config(), &ReadScope::Route(route.clone()), Mode::Apply, now()).await.expect("run");
    let asked: Vec<_> = c.dns.lock().expect("dns").iter().map(|w| w.route.clone()).collect();
    assert_eq!(asked, [route]);
    run_cluster(&c, &lattice, &config(), &ReadScope::All, Mode::Apply, now()).await.expect("run");
    assert_eq!(c.dns.lock().expect("dns").len(), 3, "then both routes of the whole cluster");
}

#[tokio::test]
async fn a_service_network_object_that_cannot_be_read_keeps_its_network() {
    let lattice = MemoryLattice::with_network("my-hotel");
    let mut snapshot = hotel();
    snapshot.service_networks.push(
        serde_json::from_value(serde_json::json!({
            "apiVersion": "application-networking.k8s.aws/v1alpha1",
            "kind": "ServiceNetwork",
            "metadata": {"name": "edge", "generation": 1},
            "spec": {},
        }))
        .expect("ServiceNetwork"),
    );
    let report = reconcile(&lattice, &config(), request(snapshot.clone(), Mode::Apply)).await.expect("reconcile");
    assert_eq!(report.calls.get("CreateServiceNetwork"), Some(&1));
    snapshot.service_networks.clear();
    snapshot.unreadable.push(model::snapshot::ObjectRef::new("ServiceNetwork", "", "edge"));
    let frozen = reconcile(&lattice, &config(), request(snapshot.clone(), Mode::Apply)).await.expect("reconcile");
    assert!(frozen.plan.actions.is_empty(), "nothing is deleted while it cannot be read: {:?}", frozen.plan.actions);
    snapshot.unreadable.clear();
    let gone = reconcile(&lattice, &config(), request(snapshot, Mode::Apply)).await.expect("reconcile");
    let ops: Vec<&str> = gone.plan.actions.iter().map(|a| a.op()).collect();
    assert_eq!(ops, ["DeleteServiceNetwork"]);
}

#[tokio::test]
async fn whole_cluster_runs_keep_the_webhook_configuration_and_route_runs_leave_it() {
    use model::webhook::{INJECT_ENABLED, INJECT_LABEL, WebhookSetting, WebhookWanted};
    let lattice = MemoryLattice::with_network("my-hotel");
    let mut c = cluster(false);
    c.snapshot.namespaces.push(
        serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default", "labels": {INJECT_LABEL: INJECT_ENABLED}},
        }))
        .expect("Namespace"),
    );
    let mut config = config();
    config.readiness_webhook = WebhookSetting::Url("https://hook.example/".into());
    let route = model::snapshot::ObjectRef::new("HTTPRoute", "default", "rates");
    run_cluster(&c, &lattice, &config, &ReadScope::Route(route), Mode::Apply, now()).await.expect("run");
    assert!(c.webhook.lock().expect("webhook").is_empty(), "a route run has not seen every route");
    run_cluster(&c, &lattice, &config, &ReadScope::All, Mode::Plan, now()).await.expect("run");
    run_cluster(&c, &lattice, &config, &ReadScope::All, Mode::Apply, now()).await.expect("run");
    let calls = c.webhook.lock().expect("webhook").clone();
    assert_eq!(calls.iter().map(|(_, dry)| *dry).collect::<Vec<_>>(), [true, false]);
    let WebhookWanted::Present(object) = &calls[1].0 else { panic!("expected a configuration: {calls:?}") };
    let names: Vec<&str> =
        object["webhooks"].as_array().expect("webhooks").iter().filter_map(|w| w["name"].as_str()).collect();
    assert_eq!(names.len(), 4, "the four hotel Services behind routes: {names:?}");
    config.readiness_webhook = WebhookSetting::Off;
    run_cluster(&c, &lattice, &config, &ReadScope::All, Mode::Apply, now()).await.expect("run");
    assert_eq!(c.webhook.lock().expect("webhook").last().map(|(w, _)| w.clone()), Some(WebhookWanted::Absent));
}
