//! The pipeline over a live cluster with real clients: the kube client against the fake API server
//! and the AWS SDK against lattice-sim, both over HTTP. Custom domains get their external-dns record;
//! gated pods get their readiness condition from the target health the emulator reports (scripted
//! through its admin surface), and a recheck brings a waiting pod to ready.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use fake_apiserver::{ApiGroup, FakeConfig, RunningApi};
use k8s_openapi::jiff::Timestamp;
use lattice::{AdapterConfig, Lattice};
use lattice_sim::{RunningSim, SimConfig};
use model::config::{Config, Identity};
use model::readiness::{GATE_CONDITION_TYPE, Recheck};
use reconciler::{ClusterReport, Mode, ReadScope, WaitPolicy, recheck_readiness, run_cluster};
use serde_json::{Value, json};

const TOKEN: &str = "live-token";

struct World {
    api: RunningApi,
    sim: RunningSim,
    lattice: Lattice,
    cluster: cluster::Cluster,
    _dir: std::path::PathBuf,
}

fn config() -> Config {
    Config::new(Identity {
        account_id: "123456789012".into(),
        cluster_name: "live".into(),
        vpc_id: "vpc-0123456789abcdef0".into(),
        region: "us-west-2".into(),
    })
}

/// Endpoint `ip` of pod `pod`, ready or not.
fn endpoint(ip: &str, pod: &str, ready: bool) -> Value {
    json!({"addresses": [ip], "conditions": {"ready": ready, "serving": ready, "terminating": false},
        "targetRef": {"kind": "Pod", "namespace": "shop", "name": pod}})
}

fn slice(endpoints: &[Value]) -> Value {
    json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"namespace": "shop", "name": "web-1", "labels": {"kubernetes.io/service-name": "web"}},
        "addressType": "IPv4", "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}], "endpoints": endpoints})
}

fn pod(name: &str, gated: bool, gate_true: bool) -> Value {
    let gates = if gated { json!([{"conditionType": GATE_CONDITION_TYPE}]) } else { json!([]) };
    let mut conditions = vec![json!({"type": "ContainersReady", "status": "True"})];
    if gate_true {
        conditions.push(json!({"type": GATE_CONDITION_TYPE, "status": "True", "reason": "Healthy"}));
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "shop", "name": name},
        "spec": {"containers": [{"name": "web", "image": "web"}], "readinessGates": gates},
        "status": {"conditions": conditions}})
}

async fn world(test: &str, external_dns: bool) -> World {
    let mut fake = FakeConfig::new().static_token(TOKEN);
    if external_dns {
        fake = fake.with_group(ApiGroup::ExternalDns);
    }
    let api = fake_apiserver::start(fake).await.expect("fake API server");
    let objects = [
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
            "metadata": {"name": "amazon-vpc-lattice"},
            "spec": {"controllerName": "application-networking.k8s.aws/gateway-api-controller"}}),
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": {"namespace": "shop", "name": "mesh"},
            "spec": {"gatewayClassName": "amazon-vpc-lattice",
                     "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}]}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"namespace": "shop", "name": "web"},
            "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}}),
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"namespace": "shop", "name": "web"},
            "spec": {"parentRefs": [{"name": "mesh"}], "hostnames": ["web.example.com"],
                     "rules": [{"backendRefs": [{"name": "web", "port": 80}]}]}}),
        slice(&[
            endpoint("10.0.0.1", "web-ready", true),
            endpoint("10.0.0.2", "web-gated", false),
            endpoint("10.0.0.3", "web-plain", false),
        ]),
        pod("web-ready", true, true),
        pod("web-gated", true, false),
        pod("web-plain", false, false),
    ];
    for object in objects {
        api.put(object).expect("stored");
    }
    let sim = lattice_sim::start(SimConfig::default(), "127.0.0.1:0".parse().expect("address")).await.expect("sim");
    sim.seed_service_network("mesh", &BTreeMap::new()).expect("network");
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .region(Region::new("us-west-2"))
        .endpoint_url(sim.endpoint())
        .load()
        .await;
    let adapter = AdapterConfig { tps: 0, initial_backoff: Duration::from_millis(5), ..AdapterConfig::default() };
    let lattice = Lattice::new(&sdk, adapter);
    let dir = std::env::temp_dir().join(format!("reconciler-live-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let kubeconfig = api.write_kubeconfig(dir.join("kubeconfig"), TOKEN).expect("kubeconfig");
    let cluster = cluster::Cluster::from_kubeconfig(&kubeconfig, None).await.expect("client");
    World { api, sim, lattice, cluster, _dir: dir }
}

async fn run(w: &World, mode: Mode) -> ClusterReport {
    run_cluster(&w.cluster, &w.lattice, &config(), &ReadScope::All, mode, Timestamp::now()).await.expect("run")
}

/// The gate condition of a pod: `(status, reason)`.
fn gate(api: &RunningApi, name: &str) -> Option<(String, String)> {
    let pod = api.get("", "v1", "pods", Some("shop"), name)?;
    let conditions = pod["status"]["conditions"].as_array()?.clone();
    let c = conditions.into_iter().find(|c| c["type"] == GATE_CONDITION_TYPE)?;
    Some((c["status"].as_str()?.to_owned(), c["reason"].as_str().unwrap_or("").to_owned()))
}

fn k8s_requests(api: &RunningApi, needle: &str) -> usize {
    api.requests().iter().filter(|r| r.path.contains(needle)).count()
}

fn target_group_id(w: &World) -> String {
    let state = w.sim.state_json();
    let groups = state["target_groups"].as_object().expect("target groups");
    groups.keys().next().expect("one target group").clone()
}

#[tokio::test]
async fn a_first_run_gates_pods_and_writes_the_route_record_then_a_steady_run_writes_nothing() {
    let w = world("first", true).await;
    let dry = run(&w, Mode::Plan).await;
    assert_eq!(dry.dns.created.len(), 0, "no Lattice DNS name before the service exists");
    assert!(w.api.requests().iter().all(|r| r.method == "GET"), "a dry run only reads");

    let first = run(&w, Mode::Apply).await;
    assert!(first.report.apply.as_ref().is_some_and(|a| a.is_success()));
    assert_eq!(gate(&w.api, "web-gated"), Some(("True".into(), "Healthy".into())));
    assert_eq!(gate(&w.api, "web-plain"), None, "no gate, no condition");
    assert_eq!(first.readiness.pods_read, 2, "the pods of the two endpoints that are not ready");
    assert!(first.readiness.waiting.is_empty());

    let dns = w.api.get("externaldns.k8s.io", "v1alpha1", "dnsendpoints", Some("shop"), "web-dns").expect("record");
    let route = w.api.get("gateway.networking.k8s.io", "v1", "httproutes", Some("shop"), "web").expect("route");
    let lattice_name = route["metadata"]["annotations"]["application-networking.k8s.aws/lattice-assigned-domain-name"]
        .as_str()
        .expect("lattice name");
    assert_eq!(dns["spec"]["endpoints"][0]["dnsName"], "web.example.com");
    assert_eq!(dns["spec"]["endpoints"][0]["targets"], json!([lattice_name]));
    assert_eq!(dns["metadata"]["ownerReferences"][0]["uid"], route["metadata"]["uid"]);

    // The endpoint slice controller sees the gated pod ready now.
    w.api
        .put(slice(&[
            endpoint("10.0.0.1", "web-ready", true),
            endpoint("10.0.0.2", "web-gated", true),
            endpoint("10.0.0.3", "web-plain", false),
        ]))
        .expect("slice");
    w.api.clear_requests();
    w.sim.reset_calls();
    let steady = run(&w, Mode::Apply).await;
    assert!(steady.report.plan.actions.is_empty());
    assert_eq!(steady.readiness.pods_read, 1, "only the pod still not ready");
    assert!(steady.readiness.written.is_empty() && steady.dns.unchanged.len() == 1);
    let writes: Vec<String> =
        w.api.requests().iter().filter(|r| r.method != "GET").map(|r| format!("{} {}", r.method, r.path)).collect();
    assert!(writes.is_empty(), "a steady run writes nothing: {writes:?}");
    assert_eq!(k8s_requests(&w.api, "/pods/"), 1);
    assert_eq!(k8s_requests(&w.api, "dnsendpoints"), 1);
    assert_eq!(w.sim.calls().get("ListTargets"), None, "the target group is in sync by its fingerprint: not listed");
    eprintln!(
        "steady run: {} k8s requests ({} for pods, {} for DNS records), Lattice calls {:?}",
        w.api.requests().len(),
        k8s_requests(&w.api, "/pods/"),
        k8s_requests(&w.api, "dnsendpoints"),
        w.sim.calls()
    );

    let gone = run_cluster(
        &w.cluster,
        &w.lattice,
        &config(),
        &ReadScope::Route(model::snapshot::ObjectRef::new("HTTPRoute", "shop", "web")),
        Mode::Apply,
        Timestamp::now(),
    )
    .await
    .expect("route run");
    assert_eq!(gone.dns.unchanged.len(), 1, "a route run checks that route's record with one read");
}

#[tokio::test]
async fn without_the_external_dns_crd_the_run_is_unchanged() {
    let w = world("no-dns", false).await;
    let first = run(&w, Mode::Apply).await;
    assert!(!first.dns.served && first.dns.is_success());
    assert_eq!(k8s_requests(&w.api, "dnsendpoints"), 0);
    assert_eq!(k8s_requests(&w.api, "/apis/externaldns.k8s.io"), 1, "one discovery request, remembered");
    run(&w, Mode::Apply).await;
    assert_eq!(k8s_requests(&w.api, "/apis/externaldns.k8s.io"), 1);
}

#[tokio::test]
async fn a_waiting_pod_follows_scripted_health_to_ready() {
    let w = world("recheck", true).await;
    run(&w, Mode::Apply).await;
    let tg = target_group_id(&w);
    // A new gated pod whose target will start out INITIAL.
    w.api.put(pod("web-new", true, false)).expect("pod");
    w.sim.script_target_health(&tg, "10.0.0.4", 8080, Some(("INITIAL", None))).expect("script");
    w.api
        .put(slice(&[
            endpoint("10.0.0.1", "web-ready", true),
            endpoint("10.0.0.2", "web-gated", true),
            endpoint("10.0.0.3", "web-plain", false),
            endpoint("10.0.0.4", "web-new", false),
        ]))
        .expect("slice");
    let second = run(&w, Mode::Apply).await;
    assert_eq!(gate(&w.api, "web-new"), Some(("False".into(), "Initial".into())));
    assert_eq!(second.readiness.waiting.len(), 1);
    assert_eq!(second.readiness.waiting[0].recheck, Recheck::Soon);

    let policy = WaitPolicy { budget: Duration::from_millis(300), poll: Duration::from_millis(100) };
    let sleep = |d| tokio::time::sleep(d);
    let bounded =
        recheck_readiness(&w.cluster, &w.lattice, second.readiness.waiting, policy, Timestamp::now, sleep).await;
    assert_eq!(bounded.waiting.len(), 1, "still INITIAL after the budget: left waiting");
    assert!(bounded.written.is_empty(), "the same verdict is not written again");

    w.sim.script_target_health(&tg, "10.0.0.4", 8080, Some(("UNHEALTHY", Some("HealthCheckFailed")))).expect("script");
    let sim = Arc::new(w.sim);
    let healer = {
        let sim = Arc::clone(&sim);
        let tg = tg.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(400)).await;
            sim.script_target_health(&tg, "10.0.0.4", 8080, None).expect("clear");
            Instant::now()
        })
    };
    sim.reset_calls();
    let policy = WaitPolicy { budget: Duration::from_secs(10), poll: Duration::from_millis(100) };
    let done = recheck_readiness(&w.cluster, &w.lattice, bounded.waiting, policy, Timestamp::now, sleep).await;
    let finished = Instant::now();
    let healed = healer.await.expect("healer");
    assert!(done.waiting.is_empty() && done.is_success(), "{done:?}");
    let reasons: Vec<&str> = done.written.iter().filter_map(|(_, c)| c.reason.as_deref()).collect();
    assert_eq!(reasons, ["Unhealthy", "Healthy"]);
    assert_eq!(gate(&w.api, "web-new"), Some(("True".into(), "Healthy".into())));
    let lag = finished.saturating_duration_since(healed);
    assert!(lag <= Duration::from_millis(300), "ready within a poll of the target turning healthy: {lag:?}");
    let polls = sim.calls().get("ListTargets").copied().unwrap_or(0);
    assert!((4..=7).contains(&polls), "one ListTargets per poll: {polls}");
    eprintln!("recheck: ready {lag:?} after the target turned HEALTHY (poll 100 ms), {polls} ListTargets");
}
