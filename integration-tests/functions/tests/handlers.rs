//! Each handler end to end on the sample events, in process: a cluster behind the fake Kubernetes
//! API server over HTTPS (reached through a kubeconfig), VPC Lattice in the emulator, and for the
//! queue a local SQS (moto's server).

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use fake_apiserver::{FakeConfig, RunningApi};
use lambda_runtime::{Context, LambdaEvent};
use lambda_support::{Clients, Config, Key};
use lattice::{AdapterConfig, Lattice};
use lattice_sim::{RunningSim, SimConfig};
use serde_json::{Value, json};

const TOKEN: &str = "reconciler-token";

struct World {
    api: RunningApi,
    sim: RunningSim,
    clients: Clients,
    _dir: TempDir,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A local SQS: moto's server on a free port, stopped when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto() -> Moto {
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).and_then(|l| l.local_addr()).expect("free port").port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("moto_server could not start ({e}); install it with: python3 -m pip install 'moto[server]'")
        });
    let moto = Moto { child, endpoint: format!("http://127.0.0.1:{port}") };
    let started = Instant::now();
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "moto_server did not listen on {port} within 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

async fn sdk(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-west-2"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .load()
        .await
}

fn objects() -> Vec<Value> {
    let examples = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/hotel"));
    let loaded = manifests::load_paths(&[examples]).expect("examples");
    let s = &loaded.snapshot;
    let mut out: Vec<Value> = Vec::new();
    s.gateway_classes.iter().for_each(|o| out.push(json!(o)));
    s.gateways.iter().for_each(|o| out.push(json!(o)));
    s.services.iter().for_each(|o| out.push(json!(o)));
    s.endpoint_slices.iter().for_each(|o| out.push(json!(o)));
    s.http_routes.iter().for_each(|o| out.push(json!(o)));
    out
}

async fn world(test: &str, queue_url: Option<(&str, &str)>, extra: &[(&str, &str)]) -> World {
    let api = fake_apiserver::start(FakeConfig::new().https().static_token(TOKEN)).await.expect("fake API server");
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "default", "labels": {"kubernetes.io/metadata.name": "default"}}});
    api.put(namespace).expect("namespace");
    for object in objects() {
        api.put(object).expect("object");
    }
    let sim =
        lattice_sim::start(SimConfig::default(), SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.expect("emulator");
    sim.seed_service_network("my-hotel", &BTreeMap::new()).expect("seed");
    let dir = std::env::temp_dir().join(format!("lattice-functions-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let kubeconfig = api.write_kubeconfig(dir.join("kubeconfig"), TOKEN).expect("kubeconfig");
    let clients = clients(&kubeconfig.to_string_lossy(), &sim, queue_url, extra).await;
    World { api, sim, clients, _dir: TempDir(dir) }
}

/// The functions' clients for the cluster behind `kubeconfig` and the emulator `sim`, configured as
/// the functions' environment would be, with the variables of `extra` on top.
async fn clients(
    kubeconfig: &str,
    sim: &RunningSim,
    queue_url: Option<(&str, &str)>,
    extra: &[(&str, &str)],
) -> Clients {
    let mut vars: BTreeMap<&str, String> = [
        ("CLUSTER_NAMES", "demo".to_owned()),
        ("AWS_REGION", "us-west-2".to_owned()),
        ("AWS_ACCOUNT_ID", "123456789012".to_owned()),
        ("CLUSTER_VPC_ID", "vpc-0123456789abcdef0".to_owned()),
        ("KUBECONFIG", kubeconfig.to_owned()),
        ("LATTICE_TPS", "0".to_owned()),
    ]
    .into();
    if let Some((url, _)) = queue_url {
        vars.insert("QUEUE_URL", url.to_owned());
    }
    for (k, v) in extra {
        vars.insert(k, (*v).to_owned());
    }
    let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("config");
    let lattice_sdk = sdk(&sim.endpoint()).await;
    let adapter =
        AdapterConfig { initial_backoff: Duration::from_millis(50), ..lambda_support::adapter_config(&config) };
    let lattice = Lattice::new(&lattice_sdk, adapter);
    let sqs_endpoint = queue_url.map_or_else(|| "http://127.0.0.1:9".to_owned(), |(_, e)| e.to_owned());
    let sqs = aws_sdk_sqs::Client::new(&sdk(&sqs_endpoint).await);
    Clients::from_parts(config, lattice_sdk, lattice, sqs)
}

fn context(deadline_in: Duration) -> Context {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() as u64;
    let mut context = Context::default();
    context.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd".to_owned();
    context.deadline = now + deadline_in.as_millis() as u64;
    context.invoked_function_arn = "arn:aws:lambda:us-west-2:123456789012:function:reconcile".to_owned();
    context
}

fn sample(name: &str) -> String {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/events")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn invoke_reconcile(w: &World, payload: &str) -> Result<Value, lambda_support::Error> {
    let incoming: reconcile::Incoming = serde_json::from_str(payload).expect("an accepted shape");
    let out = reconcile::handle(&w.clients, LambdaEvent::new(incoming, context(Duration::from_secs(300)))).await?;
    Ok(serde_json::to_value(out).expect("JSON"))
}

fn rates_status(w: &World) -> Value {
    w.api.get("gateway.networking.k8s.io", "v1", "httproutes", Some("default"), "rates").expect("route")["status"]
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn reconcile_handles_direct_eventbridge_and_sqs_events() {
    let w = world("reconcile", None, &[]).await;

    let summary = invoke_reconcile(&w, &sample("direct-route.json")).await.expect("direct invoke");
    assert_eq!(summary["route"], "HTTPRoute default/rates", "{summary}");
    assert!(summary["actionsApplied"].as_u64().is_some_and(|n| n > 0), "{summary}");
    assert_eq!(summary["actionsFailed"], 0);
    assert_eq!(summary["statusWritten"], json!(["HTTPRoute default/rates"]));
    assert!(summary["dnsName"].as_str().is_some_and(|d| d.starts_with("rates-default-")), "{summary}");
    assert!(summary["calls"]["CreateService"].as_u64().is_some(), "{summary}");
    assert!(rates_status(&w)["parents"].is_array(), "status was written");
    assert!(
        w.api.get("gateway.networking.k8s.io", "v1", "httproutes", Some("default"), "inventory").expect("route")["status"]
            .is_null(),
        "a route-scoped run leaves the other route alone"
    );

    let summary = invoke_reconcile(&w, &sample("eventbridge-route.json")).await.expect("EventBridge event");
    assert_eq!(summary["actionsPlanned"], 0, "the same route again: steady state: {summary}");
    assert_eq!(summary["statusWritten"], json!([]));

    let response = invoke_reconcile(&w, &sample("sqs-batch.json")).await.expect("SQS batch");
    assert_eq!(response, json!({"batchItemFailures": []}));
    assert!(
        !w.api.get("gateway.networking.k8s.io", "v1", "httproutes", Some("default"), "inventory").expect("route")
            ["status"]
            .is_null(),
        "the Service record reconciled the whole cluster"
    );

    // An unknown cluster fails its record and, FIFO, every later one.
    let mut batch: Value = serde_json::from_str(&sample("sqs-batch.json")).expect("JSON");
    batch["Records"][1]["body"] =
        json!(r#"{"cluster":"prod","kind":"HTTPRoute","namespace":"default","name":"rates"}"#);
    let response = invoke_reconcile(&w, &batch.to_string()).await.expect("SQS batch");
    let failed: Vec<&str> = response["batchItemFailures"]
        .as_array()
        .expect("failures")
        .iter()
        .filter_map(|f| f["itemIdentifier"].as_str())
        .collect();
    let ids: Vec<&str> =
        batch["Records"].as_array().expect("records").iter().filter_map(|r| r["messageId"].as_str()).collect();
    assert_eq!(failed, ids[1..], "the failed record and every later one");

    let mut direct: Value = serde_json::from_str(&sample("direct-route.json")).expect("JSON");
    direct["cluster"] = json!("prod");
    let error = invoke_reconcile(&w, &direct.to_string()).await.expect_err("unknown cluster");
    assert_eq!(error.error_type().as_str(), "InvalidInput");
    assert!(error.to_string().contains("\"prod\""), "{error}");
}

async fn create_queue(endpoint: &str) -> String {
    let sqs = aws_sdk_sqs::Client::new(&sdk(endpoint).await);
    let created = sqs
        .create_queue()
        .queue_name("lattice-reconcile.fifo")
        .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true")
        .send()
        .await
        .expect("create queue");
    created.queue_url().expect("queue URL").to_owned()
}

async fn receive_all(w: &World, url: &str) -> Vec<aws_sdk_sqs::types::Message> {
    let mut out = Vec::new();
    loop {
        let received = w
            .clients
            .sqs()
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
            .send()
            .await
            .expect("receive");
        if received.messages().is_empty() {
            return out;
        }
        out.extend(received.messages().iter().cloned());
    }
}

/// The SQS event Lambda would deliver for `messages`.
fn sqs_event(messages: &[aws_sdk_sqs::types::Message]) -> String {
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            json!({"messageId": m.message_id(), "receiptHandle": m.receipt_handle(), "body": m.body(),
                   "attributes": {}, "messageAttributes": {}, "eventSource": "aws:sqs",
                   "eventSourceARN": "arn:aws:sqs:us-west-2:123456789012:lattice-reconcile.fifo", "awsRegion": "us-west-2"})
        })
        .collect();
    json!({"Records": records}).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_queues_keys_that_reconcile_consumes_and_sweep_hands_off_late_clusters() {
    let moto = moto();
    let url = create_queue(&moto.endpoint).await;
    let w = world("audit", Some((&url, &moto.endpoint)), &[]).await;

    // The control message does nothing.
    let control: aws_lambda_events::event::cloudwatch_logs::LogsEvent =
        serde_json::from_str(&sample("audit-control.json")).expect("logs event");
    let summary =
        audit::handle(&w.clients, LambdaEvent::new(control, context(Duration::from_secs(60)))).await.expect("control");
    assert!(summary.queued.is_empty());

    // The patch is queued once, even when CloudWatch delivers the batch twice; our own status write is not.
    for _ in 0..2 {
        let logs: aws_lambda_events::event::cloudwatch_logs::LogsEvent =
            serde_json::from_str(&sample("audit-httproute-patch.json")).expect("logs event");
        let summary =
            audit::handle(&w.clients, LambdaEvent::new(logs, context(Duration::from_secs(60)))).await.expect("audit");
        assert_eq!(summary.queued, ["demo/HTTPRoute/default/rates"]);
    }
    let messages = receive_all(&w, &url).await;
    assert_eq!(messages.len(), 1, "deduplicated by audit ID");
    let key: Key = serde_json::from_str(messages[0].body().expect("body")).expect("key");
    assert_eq!(
        key,
        Key { cluster: "demo".into(), kind: "HTTPRoute".into(), namespace: "default".into(), name: "rates".into() }
    );
    let attributes = messages[0].attributes().expect("attributes");
    assert_eq!(
        attributes.get(&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId).map(String::as_str),
        Some("demo/HTTPRoute/default/rates")
    );

    // The queued message, delivered as an SQS event, is reconciled.
    let response = invoke_reconcile(&w, &sqs_event(&messages)).await.expect("batch");
    assert_eq!(response, json!({"batchItemFailures": []}));
    assert!(rates_status(&w)["parents"].is_array());

    // The sweep with time to spare reconciles the cluster.
    let schedule: Value = serde_json::from_str(&sample("schedule.json")).expect("schedule");
    let summary = sweep::handle(&w.clients, LambdaEvent::new(schedule.clone(), context(Duration::from_secs(300))))
        .await
        .expect("sweep");
    let summary = serde_json::to_value(summary).expect("JSON");
    assert_eq!(summary["clusters"][0]["outcome"], "reconciled", "{summary}");
    assert_eq!(summary["clusters"][0]["summary"]["actionsFailed"], 0, "{summary}");

    // Without time left, the cluster goes to the queue instead.
    let summary =
        sweep::handle(&w.clients, LambdaEvent::new(schedule, context(Duration::from_secs(5)))).await.expect("sweep");
    let summary = serde_json::to_value(summary).expect("JSON");
    assert_eq!(summary["clusters"], json!([{"outcome": "queued", "cluster": "demo"}]));
    let messages = receive_all(&w, &url).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].body(), Some(r#"{"cluster":"demo","kind":"Cluster","name":"demo"}"#));
}

/// Adds pod `name` (gated) behind the parking Service, its endpoint not ready yet.
fn gated_parking_pod(w: &World, name: &str, ip: &str) {
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "default", "name": name},
        "spec": {"readinessGates": [{"conditionType": "application-networking.k8s.aws/pod-readiness-gate"}]}});
    w.api.put(pod).expect("pod");
    let mut slice =
        w.api.get("discovery.k8s.io", "v1", "endpointslices", Some("default"), "parking-abc12").expect("slice");
    slice["endpoints"].as_array_mut().expect("endpoints").push(json!({"addresses": [ip],
        "conditions": {"ready": false, "serving": true, "terminating": false},
        "targetRef": {"kind": "Pod", "namespace": "default", "name": name}}));
    w.api.put(slice).expect("slice");
}

/// The gate condition of pod `name`: `(status, reason)`.
fn gate(w: &World, name: &str) -> Option<(String, String)> {
    let pod = w.api.get("", "v1", "pods", Some("default"), name)?;
    let c = pod["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == "application-networking.k8s.aws/pod-readiness-gate")?
        .clone();
    Some((c["status"].as_str()?.to_owned(), c["reason"].as_str()?.to_owned()))
}

fn parking_target_group(w: &World) -> String {
    let state = w.sim.state_json();
    let groups = state["target_groups"].as_object().expect("target groups");
    let (id, _) = groups
        .iter()
        .find(|(_, g)| g["name"].as_str().is_some_and(|n| n.starts_with("k8s-default-parking")))
        .expect("the parking target group");
    id.clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn reconcile_brings_gated_pods_to_ready_and_requeues_routes_still_initial() {
    let moto = moto();
    let url = create_queue(&moto.endpoint).await;
    let wait = [("READINESS_WAIT_MS", "1000"), ("READINESS_POLL_MS", "100")];
    let w = world("readiness", Some((&url, &moto.endpoint)), &wait).await;
    gated_parking_pod(&w, "parking-1", "10.0.3.11");

    // First run: the target is registered, and the emulator reports it healthy at once.
    let summary = invoke_reconcile(&w, &sample("direct-route.json")).await.expect("direct invoke");
    assert_eq!(summary["podsGated"], json!(["Pod default/parking-1: True Healthy"]), "{summary}");
    assert_eq!(summary["podsWaiting"], json!([]));
    assert_eq!(gate(&w, "parking-1"), Some(("True".into(), "Healthy".into())));

    // A new pod whose target stays INITIAL longer than the wait: its route goes back on the queue.
    let tg = parking_target_group(&w);
    w.sim.script_target_health(&tg, "10.0.3.12", 8090, Some(("INITIAL", None))).expect("script");
    gated_parking_pod(&w, "parking-2", "10.0.3.12");
    let started = Instant::now();
    let summary = invoke_reconcile(&w, &sample("direct-route.json")).await.expect("direct invoke");
    let waited = started.elapsed();
    assert_eq!(summary["podsGated"], json!(["Pod default/parking-2: False Initial"]), "{summary}");
    assert_eq!(summary["podsWaiting"], json!(["Pod default/parking-2"]));
    assert!(waited >= Duration::from_millis(900) && waited < Duration::from_secs(10), "bounded wait: {waited:?}");
    let requeued = receive_all(&w, &url).await;
    assert_eq!(requeued.len(), 1);
    assert_eq!(
        requeued[0].body(),
        Some(r#"{"cluster":"demo","kind":"HTTPRoute","namespace":"default","name":"rates"}"#)
    );

    // The target turns healthy during the next invocation's wait: ready within a poll, nothing requeued.
    let w = std::sync::Arc::new(w);
    let healer = {
        let w = std::sync::Arc::clone(&w);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            w.sim.script_target_health(&tg, "10.0.3.12", 8090, None).expect("healthy");
            Instant::now()
        })
    };
    let response = invoke_reconcile(&w, &sqs_event(&requeued)).await.expect("batch");
    let finished = Instant::now();
    assert_eq!(response, json!({"batchItemFailures": []}));
    assert_eq!(gate(&w, "parking-2"), Some(("True".into(), "Healthy".into())));
    let healed = healer.await.expect("healer");
    let lag = finished.saturating_duration_since(healed);
    assert!(lag < Duration::from_millis(600), "ready within a poll of the target turning healthy: {lag:?}");
    assert!(receive_all(&w, &url).await.is_empty(), "nothing left to requeue");
    eprintln!("readiness: bounded wait {waited:?}; ready {lag:?} after the target turned healthy (poll 100 ms)");
}

const WEBHOOK_URL: &str = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-west-2.on.aws/";

fn webhook_configuration(w: &World) -> Option<Value> {
    w.api.get("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", None, "lattice-pod-readiness-gate")
}

fn webhook_writes(w: &World) -> Vec<String> {
    w.api
        .requests()
        .iter()
        .filter(|r| r.path.contains("mutatingwebhookconfigurations") && r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

async fn sweep_once(clients: &Clients) -> Value {
    let schedule: Value = serde_json::from_str(&sample("schedule.json")).expect("schedule");
    let summary = sweep::handle(clients, LambdaEvent::new(schedule, context(Duration::from_secs(300)))).await;
    let summary = serde_json::to_value(summary.expect("sweep")).expect("JSON");
    assert_eq!(summary["clusters"][0]["outcome"], "reconciled", "{summary}");
    summary["clusters"][0]["summary"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sweep_keeps_the_readiness_webhook_configuration_and_removes_it_without_a_url() {
    let w = world("webhook", None, &[("READINESS_WEBHOOK_URL", WEBHOOK_URL)]).await;
    let labelled = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default", "labels": {
        "kubernetes.io/metadata.name": "default", "application-networking.k8s.aws/pod-readiness-gate-inject": "enabled"}}});
    w.api.put(labelled).expect("namespace");

    let summary = sweep_once(&w.clients).await;
    let expected = "created MutatingWebhookConfiguration lattice-pod-readiness-gate (4 webhooks)";
    assert_eq!(summary["webhook"], expected, "{summary}");
    let config = webhook_configuration(&w).expect("written");
    let webhooks = config["webhooks"].as_array().expect("webhooks");
    let parking = webhooks
        .iter()
        .find(|h| h["name"] == "parking.default.pod-readiness-gate.application-networking.k8s.aws")
        .expect("an entry for the parking Service");
    assert_eq!(parking["clientConfig"]["url"], WEBHOOK_URL);
    assert_eq!(parking["objectSelector"], json!({"matchLabels": {"app": "parking"}}));
    assert_eq!(parking["failurePolicy"], "Ignore");

    // The steady state reads the configuration and writes nothing.
    w.api.clear_requests();
    let summary = sweep_once(&w.clients).await;
    assert!(summary.get("webhook").is_none(), "{summary}");
    assert_eq!(webhook_writes(&w), Vec::<String>::new());
    assert_eq!(
        w.api.requests().iter().filter(|r| r.path.contains("mutatingwebhookconfigurations")).count(),
        1,
        "one GET per sweep"
    );

    // A route-scoped reconcile leaves it alone.
    w.api.clear_requests();
    invoke_reconcile(&w, &sample("direct-route.json")).await.expect("direct invoke");
    assert!(w.api.requests().iter().all(|r| !r.path.contains("mutatingwebhookconfigurations")));

    // Without the URL, the sweep deletes ours.
    let kubeconfig = w._dir.0.join("kubeconfig");
    let without = clients(&kubeconfig.to_string_lossy(), &w.sim, None, &[]).await;
    let summary = sweep_once(&without).await;
    assert_eq!(summary["webhook"], "deleted MutatingWebhookConfiguration lattice-pod-readiness-gate (0 webhooks)");
    assert!(webhook_configuration(&w).is_none());
    w.api.clear_requests();
    let summary = sweep_once(&without).await;
    assert!(summary.get("webhook").is_none(), "{summary}");
    assert_eq!(webhook_writes(&w), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn reliability_a_sweep_cut_by_its_deadline_hands_the_routes_to_the_queue_and_reconcile_finishes_them() {
    let moto = moto();
    let url = create_queue(&moto.endpoint).await;
    let settings = [("DEADLINE_MARGIN_MS", "2000"), ("READINESS_WAIT_MS", "0")];
    let w = world("deadline", Some((&url, &moto.endpoint)), &settings).await;
    // Every Lattice call takes 250 ms: reading the inventory takes about 1 s and the first apply
    // (six steps of concurrent calls) about 1.5 s more, more than the 1.5 s the sweep has beyond
    // its 2 s margin, so the apply is cut, however fast the machine.
    w.sim.set_faults(lattice_sim::Faults { latency_ms: 250, ..lattice_sim::Faults::default() }).expect("latency");
    let schedule: Value = serde_json::from_str(&sample("schedule.json")).expect("schedule");
    let summary = sweep::handle(&w.clients, LambdaEvent::new(schedule.clone(), context(Duration::from_millis(3500))))
        .await
        .expect("a cut sweep is no failure");
    let summary = serde_json::to_value(summary).expect("JSON");
    eprintln!("cut sweep: {summary}");
    let run = &summary["clusters"][0];
    assert_eq!(run["outcome"], "reconciled", "{summary}");
    let run = &run["summary"];
    let planned = run["actionsPlanned"].as_u64().expect("planned");
    let deferred = run["actionsDeferred"].as_u64().expect("deferred");
    assert!(deferred > 0, "the deadline cut the apply: {summary}");
    assert_eq!(run["actionsApplied"].as_u64().expect("applied") + deferred, planned, "{summary}");
    let routes = ["demo/HTTPRoute/default/rates", "demo/HTTPRoute/default/inventory"];
    let handed: Vec<String> = serde_json::from_value(summary["handedOff"].clone()).expect("handedOff");
    assert!(!handed.is_empty() && handed.iter().all(|k| routes.contains(&k.as_str())), "{summary}");
    assert_eq!(run["handedOff"], summary["handedOff"]);
    // The routes handed on keep the status they had (none yet): nothing claims work not done.
    for key in &handed {
        let name = key.rsplit('/').next().expect("name");
        let route = w.api.get("gateway.networking.k8s.io", "v1", "httproutes", Some("default"), name).expect("route");
        assert!(route["status"]["parents"].as_array().is_none_or(Vec::is_empty), "{key}: {}", route["status"]);
    }

    // The queue holds exactly those routes; the reconcile function, fed them, finishes the work.
    let messages = receive_all(&w, &url).await;
    let mut queued: Vec<String> = messages
        .iter()
        .map(|m| {
            let key: Key = serde_json::from_str(m.body().expect("body")).expect("key");
            key.to_string()
        })
        .collect();
    queued.sort();
    let mut expected = handed.clone();
    expected.sort();
    assert_eq!(queued, expected);
    w.sim.set_faults(lattice_sim::Faults::default()).expect("no latency");
    let response = invoke_reconcile(&w, &sqs_event(&messages)).await.expect("batch");
    assert_eq!(response, json!({"batchItemFailures": []}));
    for route in ["rates", "inventory"] {
        let object = w.api.get("gateway.networking.k8s.io", "v1", "httproutes", Some("default"), route).expect("route");
        assert!(object["status"]["parents"].is_array(), "{route}: {}", object["status"]);
        let annotations = &object["metadata"]["annotations"];
        assert!(
            annotations["application-networking.k8s.aws/lattice-assigned-domain-name"].is_string(),
            "{route}: {annotations}"
        );
    }

    // Nothing is left: a sweep with time to spare plans nothing and hands nothing off.
    let summary =
        sweep::handle(&w.clients, LambdaEvent::new(schedule, context(Duration::from_secs(300)))).await.expect("sweep");
    let summary = serde_json::to_value(summary).expect("JSON");
    assert_eq!(summary["clusters"][0]["summary"]["actionsPlanned"], 0, "{summary}");
    assert_eq!(summary["handedOff"], json!([]), "{summary}");
    assert!(receive_all(&w, &url).await.is_empty());
    reliability::record(
        "deadline-sweep-hand-off",
        &format!(
            "{deferred} of {planned} actions deferred at the deadline, {} routes queued, finished by 1 reconcile, next sweep plans 0",
            handed.len()
        ),
    );
}
