//! `latticectl reconcile` through the real binary: a cluster behind a fake Kubernetes API server
//! over HTTPS (real kube client, one TLS stack with the AWS SDK), VPC Lattice in a separate emulator.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;

use fake_apiserver::{FakeConfig, RunningApi};
use lattice_sim::{RunningSim, SimConfig};
use serde_json::{Value, json};

const TOKEN: &str = "reconciler-token";
const OURS: &str = "application-networking.k8s.aws/gateway-api-controller";

struct World {
    api: RunningApi,
    sim: RunningSim,
    kubeconfig: PathBuf,
    _dir: TempDir,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn objects() -> Vec<Value> {
    let examples = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/hotel"));
    let loaded = manifests::load_paths(&[examples]).expect("examples");
    let s = &loaded.snapshot;
    let mut out: Vec<Value> = Vec::new();
    let mut add = |v: Value| out.push(v);
    s.gateway_classes.iter().for_each(|o| add(json!(o)));
    s.gateways.iter().for_each(|o| add(json!(o)));
    s.services.iter().for_each(|o| add(json!(o)));
    s.endpoint_slices.iter().for_each(|o| add(json!(o)));
    s.http_routes.iter().for_each(|o| add(json!(o)));
    out
}

async fn world(test: &str) -> World {
    world_with(test, FakeConfig::new().https().static_token(TOKEN), |_| SimConfig::default()).await
}

async fn world_with(test: &str, fake: FakeConfig, sim_config: impl FnOnce(&RunningApi) -> SimConfig) -> World {
    let api = fake_apiserver::start(fake).await.expect("fake API server");
    let mut namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}});
    namespace["metadata"]["labels"] = json!({"kubernetes.io/metadata.name": "default"});
    api.put(namespace).expect("namespace");
    for object in objects() {
        api.put(object).expect("object");
    }
    // Another controller already reports on the rates route; its entry must survive.
    let mut rates = api.get("gateway.networking.k8s.io", "v1", "httproutes", Some("default"), "rates").expect("rates");
    rates["status"] = json!({"parents": [{
        "parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "other-gw"},
        "controllerName": "example.com/other-controller",
        "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted", "message": "theirs",
                        "observedGeneration": 1, "lastTransitionTime": "2026-01-01T00:00:00Z"}]
    }]});
    api.put(rates).expect("status");
    let sim = lattice_sim::start(sim_config(&api), SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.expect("sim");
    sim.seed_service_network("my-hotel", &BTreeMap::new()).expect("seed");
    let dir = std::env::temp_dir().join(format!("latticectl-reconcile-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let kubeconfig = api.write_kubeconfig(dir.join("kubeconfig"), TOKEN).expect("kubeconfig");
    World { api, sim, kubeconfig, _dir: TempDir(dir) }
}

fn reconcile(w: &World, extra: &[&str]) -> (Option<i32>, Value) {
    let kubeconfig: &Path = &w.kubeconfig;
    let out = Command::new(env!("CARGO_BIN_EXE_latticectl"))
        .args(["reconcile", "-o", "json", "--endpoint", &w.sim.endpoint()])
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(extra)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("CLUSTER_NAME")
        .env_remove("AWS_ACCOUNT_ID")
        .env_remove("CLUSTER_VPC_ID")
        .env_remove("AWS_REGION")
        .output()
        .expect("latticectl runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (out.status.code(), doc)
}

fn route(w: &World, name: &str) -> Value {
    w.api.get("gateway.networking.k8s.io", "v1", "httproutes", Some("default"), name).expect("route")
}

fn mutating(calls: &Value) -> u64 {
    calls
        .as_object()
        .expect("calls")
        .iter()
        .filter(|(op, _)| !op.starts_with("Get") && !op.starts_with("List"))
        .filter_map(|(_, n)| n.as_u64())
        .sum()
}

fn spawn<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> tokio::task::JoinHandle<T> {
    tokio::task::spawn_blocking(f)
}

#[tokio::test(flavor = "multi_thread")]
async fn reconcile_writes_status_and_annotations_and_a_second_run_writes_nothing() {
    let w = std::sync::Arc::new(world("full").await);
    let w1 = w.clone();
    let (code, doc) = spawn(move || reconcile(&w1, &[])).await.expect("join");
    assert_eq!(code, Some(0), "{doc}");
    let written: Vec<&str> =
        doc["statusWrites"]["written"].as_array().expect("written").iter().filter_map(Value::as_str).collect();
    assert_eq!(written.len(), 4, "class, gateway and two routes: {written:?}");

    let rates = route(&w, "rates");
    let parents = rates["status"]["parents"].as_array().expect("parents");
    assert_eq!(parents.len(), 2);
    assert!(parents.iter().any(|p| p["controllerName"] == "example.com/other-controller" && p["conditions"][0]["message"] == "theirs"));
    let ours = parents.iter().find(|p| p["controllerName"] == OURS).expect("our entry");
    assert!(
        ours["conditions"]
            .as_array()
            .expect("conditions")
            .iter()
            .any(|c| c["type"] == "Accepted" && c["status"] == "True")
    );
    let dns = rates["metadata"]["annotations"]["application-networking.k8s.aws/lattice-assigned-domain-name"]
        .as_str()
        .expect("dns");
    assert!(dns.starts_with("rates-default-") && dns.ends_with(".on.aws"), "{dns}");
    let gateway =
        w.api.get("gateway.networking.k8s.io", "v1", "gateways", Some("default"), "my-hotel").expect("gateway");
    assert_eq!(gateway["status"]["listeners"][0]["attachedRoutes"], 2);
    assert_eq!(gateway["status"]["addresses"][0]["type"], "Hostname");

    let writes_before =
        w.api.writes_to("/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/rates").expect("count");
    let w2 = w.clone();
    let (code, doc) = spawn(move || reconcile(&w2, &[])).await.expect("join");
    assert_eq!(code, Some(0));
    assert!(doc["statusWrites"]["written"].as_array().is_some_and(Vec::is_empty), "{}", doc["statusWrites"]);
    assert_eq!(mutating(&doc["calls"]), 0, "steady state: no Lattice mutation");
    let writes_after =
        w.api.writes_to("/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/rates").expect("count");
    assert_eq!(writes_before, writes_after, "no write to the route on the second run");
}

#[tokio::test(flavor = "multi_thread")]
async fn one_route_is_reconciled_alone_and_a_dry_run_changes_nothing() {
    let w = std::sync::Arc::new(world("route").await);
    let w1 = w.clone();
    let (code, doc) =
        spawn(move || reconcile(&w1, &["--route", "HTTPRoute/default/rates", "--dry-run"])).await.expect("join");
    assert_eq!(code, Some(0), "{doc}");
    assert!(doc["statusWrites"].is_null());
    assert_eq!(mutating(&doc["calls"]), 0);
    assert!(
        route(&w, "rates")["status"]["parents"].as_array().is_some_and(|p| p.len() == 1),
        "dry run writes no status"
    );

    let w2 = w.clone();
    let (code, doc) = spawn(move || reconcile(&w2, &["--route", "HTTPRoute/default/rates"])).await.expect("join");
    assert_eq!(code, Some(0), "{doc}");
    let written: Vec<&str> =
        doc["statusWrites"]["written"].as_array().expect("written").iter().filter_map(Value::as_str).collect();
    assert_eq!(written, ["HTTPRoute default/rates"]);
    let services: Vec<&str> =
        doc["desired"]["services"].as_array().expect("services").iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(services, ["rates-default"], "only what the route needs was read");
    assert!(route(&w, "inventory")["status"].is_null(), "the other route is untouched");

    // The route is deleted: its Lattice resources go, nothing else does.
    let w3 = w.clone();
    spawn(move || reconcile(&w3, &[])).await.expect("join");
    assert!(w.api.delete("gateway.networking.k8s.io", "v1", "httproutes", Some("default"), "inventory"));
    let w4 = w.clone();
    let (code, doc) = spawn(move || reconcile(&w4, &["--route", "HTTPRoute/default/inventory"])).await.expect("join");
    assert_eq!(code, Some(0), "{doc}");
    let ops: Vec<&str> = doc["actions"].as_array().expect("actions").iter().filter_map(|a| a["op"].as_str()).collect();
    assert_eq!(
        ops,
        [
            "DeleteServiceNetworkServiceAssociation",
            "DeleteService",
            "DeregisterTargets",
            "DeregisterTargets",
            "DeleteTargetGroup",
            "DeleteTargetGroup"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_eks_cluster_is_found_by_name_and_authenticated_with_an_eks_token() {
    use base64::Engine;
    let auth = fake_apiserver::EksAuth::new("demo", std::time::SystemTime::now())
        .with_secret_key("AKIDRECONCILER", "reconciler-secret");
    let w = std::sync::Arc::new(
        world_with("eks", FakeConfig::new().https().eks(auth), |api| SimConfig {
            clusters: vec![lattice_sim::ClusterConfig {
                name: "demo".into(),
                endpoint: api.url().to_owned(),
                ca_data: base64::engine::general_purpose::STANDARD.encode(api.ca_pem().expect("https CA")),
                vpc_id: "vpc-0aaaaaaaaaaaaaaa1".into(),
                version: "1.32".into(),
            }],
            ..SimConfig::default()
        })
        .await,
    );
    let w1 = w.clone();
    let out = spawn(move || {
        Command::new(env!("CARGO_BIN_EXE_latticectl"))
            .args(["reconcile", "--cluster", "demo", "-o", "json", "--endpoint", &w1.sim.endpoint()])
            .env("AWS_ENDPOINT_URL_EKS", w1.sim.endpoint())
            .env("AWS_REGION", "us-west-2")
            .env("AWS_ACCESS_KEY_ID", "AKIDRECONCILER")
            .env("AWS_SECRET_ACCESS_KEY", "reconciler-secret")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("CLUSTER_NAME")
            .env_remove("AWS_ACCOUNT_ID")
            .env_remove("CLUSTER_VPC_ID")
            .output()
            .expect("latticectl runs")
    })
    .await
    .expect("join");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["statusWrites"]["written"].as_array().map(Vec::len), Some(4), "{}", doc["statusWrites"]);
    let tags = &doc["desired"]["services"][0]["tags"];
    assert_eq!(
        tags["application-networking.k8s.aws/ManagedBy"], "123456789012/demo/vpc-0aaaaaaaaaaaaaaa1",
        "the identity comes from the cluster: its account, name and VPC"
    );
    assert!(doc["cluster"].as_str().is_some_and(|c| c.starts_with("EKS cluster demo at https://127.0.0.1:")));
}

#[tokio::test(flavor = "multi_thread")]
async fn dns_records_and_readiness_gates_are_written_and_a_dry_run_only_shows_them() {
    let fake = FakeConfig::new().https().static_token(TOKEN).with_group(fake_apiserver::ApiGroup::ExternalDns);
    let w = std::sync::Arc::new(world_with("extras", fake, |_| SimConfig::default()).await);
    let mut rates = route(&w, "rates");
    rates["spec"]["hostnames"] = json!(["rates.example.com"]);
    w.api.put(rates).expect("hostname");
    let mut slice =
        w.api.get("discovery.k8s.io", "v1", "endpointslices", Some("default"), "parking-abc12").expect("slice");
    slice["endpoints"].as_array_mut().expect("endpoints").push(json!({"addresses": ["10.0.3.11"],
        "conditions": {"ready": false, "serving": true, "terminating": false},
        "targetRef": {"kind": "Pod", "namespace": "default", "name": "parking-new"}}));
    w.api.put(slice).expect("slice");
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "default", "name": "parking-new"},
        "spec": {"readinessGates": [{"conditionType": "application-networking.k8s.aws/pod-readiness-gate"}]}});
    w.api.put(pod.clone()).expect("pod");

    let w1 = w.clone();
    let (code, doc) = spawn(move || reconcile(&w1, &[])).await.expect("join");
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["dnsRecords"]["created"], json!(["DNSEndpoint default/rates-dns"]), "{}", doc["dnsRecords"]);
    let gates = &doc["readinessGates"];
    assert_eq!((gates["podsRead"].as_u64(), gates["gated"].as_u64()), (Some(1), Some(1)), "{gates}");
    assert_eq!(gates["written"][0]["pod"], "Pod default/parking-new");
    assert_eq!(
        (gates["written"][0]["status"].as_str(), gates["written"][0]["reason"].as_str()),
        (Some("True"), Some("Healthy"))
    );

    assert!(w.api.delete("externaldns.k8s.io", "v1alpha1", "dnsendpoints", Some("default"), "rates-dns"));
    w.api.put(pod).expect("the gate condition forgotten");
    let w2 = w.clone();
    let (code, doc) = spawn(move || reconcile(&w2, &["--dry-run"])).await.expect("join");
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["dnsRecords"]["created"], json!(["DNSEndpoint default/rates-dns"]), "what it would create");
    assert_eq!(doc["readinessGates"]["written"][0]["status"], "True", "what it would set");
    assert!(w.api.get("externaldns.k8s.io", "v1alpha1", "dnsendpoints", Some("default"), "rates-dns").is_none());
    let stored = w.api.get("", "v1", "pods", Some("default"), "parking-new").expect("pod");
    assert!(stored["status"].is_null(), "a dry run writes no condition: {stored}");
}
