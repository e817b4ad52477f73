//! The readiness pass and the recheck against in-memory pods and target health.

use std::collections::BTreeMap;
use std::sync::Mutex;

use model::lattice::{OwnerKey, Target, TargetGroupConfig, TargetGroupSpec, TargetGroupType};
use model::names::{TAG_SERVICE_NAME, TAG_SERVICE_NAMESPACE};
use model::observed::ObservedTargetGroup;
use model::readiness::{GATE_CONDITION_TYPE, reasons};
use serde_json::json;

use super::*;

/// Pods by name: whether gated, and the gate condition; every write is recorded.
#[derive(Default)]
struct Pods {
    pods: Mutex<BTreeMap<String, PodGate>>,
    reads: Mutex<Vec<String>>,
    writes: Mutex<Vec<(String, String)>>,
}

impl Pods {
    fn with(pods: &[(&str, bool)]) -> Self {
        let this = Self::default();
        for (name, gated) in pods {
            let gate = PodGate {
                pod: ObjectRef::new("Pod", "shop", name),
                uid: format!("uid-{name}"),
                gated: *gated,
                condition: None,
            };
            this.pods.lock().expect("pods").insert((*name).to_owned(), gate);
        }
        this
    }

    fn condition(&self, name: &str) -> Option<(String, String)> {
        let pods = self.pods.lock().expect("pods");
        let c = pods.get(name)?.condition.clone()?;
        Some((c.status, c.reason.unwrap_or_default()))
    }
}

impl PodGates for Pods {
    async fn pod_gate(&self, pod: &ObjectRef) -> Result<Option<PodGate>, BoxError> {
        self.reads.lock().expect("reads").push(pod.name.clone());
        Ok(self.pods.lock().expect("pods").get(&pod.name).cloned())
    }

    async fn set_pod_gate(&self, gate: &PodGate, condition: &PodCondition) -> Result<bool, BoxError> {
        let reason = condition.reason.clone().unwrap_or_default();
        self.writes.lock().expect("writes").push((gate.pod.name.clone(), reason));
        let mut pods = self.pods.lock().expect("pods");
        let Some(pod) = pods.get_mut(&gate.pod.name) else { return Ok(false) };
        pod.condition = Some(condition.clone());
        Ok(true)
    }
}

/// Target health per call: each `ListTargets` of a group answers the next status of `script` (the
/// last one repeats).
struct Lattice {
    script: Mutex<Vec<&'static str>>,
    calls: Mutex<usize>,
}

impl Lattice {
    fn answering(script: &[&'static str]) -> Self {
        Self { script: Mutex::new(script.iter().rev().copied().collect()), calls: Mutex::new(0) }
    }

    fn calls(&self) -> usize {
        *self.calls.lock().expect("calls")
    }
}

impl TargetHealthReader for Lattice {
    async fn target_health(&self, target_group_id: &str, _port: i32) -> Result<Vec<TargetHealth>, BoxError> {
        assert_eq!(target_group_id, "tg-1");
        *self.calls.lock().expect("calls") += 1;
        let mut script = self.script.lock().expect("script");
        let status = if script.len() > 1 { script.pop() } else { script.last().copied() };
        let status = status.ok_or("no status scripted")?;
        Ok(vec![health("10.0.0.2", status)])
    }
}

fn health(ip: &str, status: &str) -> TargetHealth {
    TargetHealth { id: ip.into(), port: 8080, status: status.into(), reason_code: None }
}

/// Service `shop/web` with one endpoint per `(ip, pod, ready)`; one target group `tg-1` of its
/// targets, whose observed health is `observed`.
fn world(
    endpoints: &[(&str, &str, bool)],
    observed: &[TargetHealth],
) -> (ClusterSnapshot, DesiredState, ObservedState) {
    let slice = json!({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"namespace": "shop", "name": "web-1", "labels": {"kubernetes.io/service-name": "web"}},
        "addressType": "IPv4",
        "ports": [{"name": "http", "port": 8080}],
        "endpoints": endpoints.iter().map(|(ip, pod, ready)| json!({
            "addresses": [ip], "conditions": {"ready": ready},
            "targetRef": {"kind": "Pod", "namespace": "shop", "name": pod},
        })).collect::<Vec<_>>(),
    });
    let snapshot =
        ClusterSnapshot { endpoint_slices: vec![serde_json::from_value(slice).expect("slice")], ..Default::default() };
    let targets: Vec<Target> = endpoints.iter().map(|(ip, _, _)| Target { id: (*ip).into(), port: 8080 }).collect();
    let config = TargetGroupConfig {
        port: 80,
        protocol: "HTTP".into(),
        protocol_version: Some("HTTP1".into()),
        ip_address_type: "IPV4".into(),
        vpc_identifier: "vpc-1".into(),
        health_check: None,
    };
    let tags: model::names::Tags =
        [(TAG_SERVICE_NAME.to_owned(), "web".to_owned()), (TAG_SERVICE_NAMESPACE.to_owned(), "shop".to_owned())].into();
    let spec = TargetGroupSpec {
        name: "k8s-shop-web".into(),
        kind: TargetGroupType::Ip,
        config: config.clone(),
        tags: tags.clone(),
        targets: targets.clone(),
        owner: Some(OwnerKey { kind: "HTTPRoute".into(), namespace: "shop".into(), name: "web".into() }),
    };
    let desired = DesiredState { target_groups: vec![spec], ..DesiredState::default() };
    let inventory = ObservedState {
        target_groups: vec![ObservedTargetGroup {
            id: "tg-1".into(),
            arn: "arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/tg-1".into(),
            name: "k8s-shop-web".into(),
            kind: TargetGroupType::Ip,
            config,
            status: "ACTIVE".into(),
            tags,
            service_arns: Vec::new(),
            targets,
            health: observed.to_vec(),
        }],
        ..ObservedState::default()
    };
    (snapshot, desired, inventory)
}

fn now() -> Timestamp {
    Timestamp::from_second(1_767_225_600).expect("time")
}

async fn first_pass(
    pods: &Pods,
    lattice: &Lattice,
    world: &(ClusterSnapshot, DesiredState, ObservedState),
    changed: bool,
    mode: Mode,
) -> ReadinessOutcome {
    let inputs = ReadinessInputs { snapshot: &world.0, desired: &world.1, inventory: &world.2, changed };
    sync_readiness(pods, lattice, inputs, mode, now()).await
}

#[tokio::test]
async fn only_not_ready_endpoints_are_read_and_only_gated_pods_written() {
    let w = world(
        &[("10.0.0.1", "ready", true), ("10.0.0.2", "gated", false), ("10.0.0.3", "plain", false)],
        &[health("10.0.0.2", "HEALTHY"), health("10.0.0.3", "HEALTHY")],
    );
    let pods = Pods::with(&[("ready", true), ("gated", true), ("plain", false)]);
    let lattice = Lattice::answering(&["HEALTHY"]);
    let outcome = first_pass(&pods, &lattice, &w, false, Mode::Apply).await;
    assert_eq!(*pods.reads.lock().expect("reads"), ["gated", "plain"], "a ready endpoint's pod is not read");
    assert_eq!(*pods.writes.lock().expect("writes"), [("gated".to_owned(), reasons::HEALTHY.to_owned())]);
    assert_eq!((outcome.pods_read, outcome.gated, outcome.waiting.len()), (2, 1, 0));
    assert_eq!(lattice.calls(), 0, "nothing changed: the observed health is used");
    assert_eq!(outcome.written[0].1.type_, GATE_CONDITION_TYPE);
}

#[tokio::test]
async fn without_not_ready_endpoints_nothing_is_read() {
    let w = world(&[("10.0.0.1", "ready", true)], &[]);
    let pods = Pods::with(&[("ready", true)]);
    let lattice = Lattice::answering(&["HEALTHY"]);
    let outcome = first_pass(&pods, &lattice, &w, true, Mode::Apply).await;
    assert_eq!(outcome, ReadinessOutcome::default());
    assert!(pods.reads.lock().expect("reads").is_empty());
    assert_eq!(lattice.calls(), 0);
}

#[tokio::test]
async fn a_run_that_changed_lattice_lists_targets_once_and_a_true_gate_is_final() {
    let w = world(&[("10.0.0.2", "gated", false)], &[]);
    let pods = Pods::with(&[("gated", true)]);
    let lattice = Lattice::answering(&["UNAVAILABLE"]);
    let outcome = first_pass(&pods, &lattice, &w, true, Mode::Apply).await;
    assert_eq!(lattice.calls(), 1);
    assert_eq!(pods.condition("gated"), Some(("True".into(), reasons::HEALTH_CHECK_UNAVAILABLE.into())));
    assert!(outcome.waiting.is_empty());

    let again = first_pass(&pods, &lattice, &world(&[("10.0.0.2", "gated", false)], &[]), true, Mode::Apply).await;
    assert_eq!(again.gated, 0, "the gate is True: left alone, even while the endpoint still reads not ready");
    assert_eq!(pods.writes.lock().expect("writes").len(), 1);
}

#[tokio::test]
async fn a_dry_run_reports_the_condition_and_writes_nothing() {
    let w = world(&[("10.0.0.2", "gated", false)], &[health("10.0.0.2", "INITIAL")]);
    let pods = Pods::with(&[("gated", true)]);
    let outcome = first_pass(&pods, &Lattice::answering(&["INITIAL"]), &w, false, Mode::Plan).await;
    assert_eq!(outcome.written.len(), 1);
    assert_eq!(outcome.written[0].1.reason.as_deref(), Some(reasons::INITIAL));
    assert!(pods.writes.lock().expect("writes").is_empty());
}

#[tokio::test]
async fn waiting_pods_are_checked_until_ready_and_unchanged_verdicts_are_not_written() {
    let w = world(&[("10.0.0.2", "gated", false)], &[]);
    let pods = Pods::with(&[("gated", true)]);
    let lattice = Lattice::answering(&["INITIAL", "INITIAL", "HEALTHY"]);
    let first = first_pass(&pods, &lattice, &w, true, Mode::Apply).await;
    assert_eq!(first.waiting.len(), 1);
    assert_eq!(first.waiting[0].recheck, Recheck::Soon);
    let policy = WaitPolicy { budget: Duration::from_millis(50), poll: Duration::from_millis(10) };
    let slept = Mutex::new(0);
    let sleep = |d: Duration| {
        *slept.lock().expect("slept") += d.as_millis();
        std::future::ready(())
    };
    let later = recheck_readiness(&pods, &lattice, first.waiting, policy, now, sleep).await;
    assert!(later.waiting.is_empty() && later.is_success(), "{later:?}");
    assert_eq!(lattice.calls(), 3, "one ListTargets per poll until ready");
    assert_eq!(*slept.lock().expect("slept"), 20);
    let writes = pods.writes.lock().expect("writes").clone();
    let reasons: Vec<&str> = writes.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(reasons, [reasons::INITIAL, reasons::HEALTHY], "the repeated INITIAL wrote nothing");
}

#[tokio::test]
async fn the_wait_is_bounded_and_what_is_left_keeps_waiting() {
    let w = world(&[("10.0.0.2", "gated", false)], &[]);
    let pods = Pods::with(&[("gated", true)]);
    let lattice = Lattice::answering(&["UNHEALTHY"]);
    let first = first_pass(&pods, &lattice, &w, true, Mode::Apply).await;
    assert_eq!(first.waiting[0].recheck, Recheck::Later);
    let policy = WaitPolicy { budget: Duration::from_millis(30), poll: Duration::from_millis(10) };
    let later = recheck_readiness(&pods, &lattice, first.waiting, policy, now, |_| std::future::ready(())).await;
    assert_eq!(later.waiting.len(), 1);
    assert_eq!(lattice.calls(), 4, "the first pass and three polls");
    assert_eq!(pods.condition("gated"), Some(("False".into(), reasons::UNHEALTHY.into())));
}
