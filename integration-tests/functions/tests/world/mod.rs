//! A cluster with the hotel behind the fake Kubernetes API server and VPC Lattice in the emulator,
//! reached by the functions' clients either through a kubeconfig or, like in Lambda, by EKS
//! discovery (`DescribeCluster` and an EKS bearer token).

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use base64::Engine as _;
use fake_apiserver::{EksAuth, FakeConfig, RunningApi};
use lambda_runtime::Context;
use lambda_support::{Clients, Config};
use lattice::{AdapterConfig, Lattice};
use lattice_sim::{ClusterConfig, RunningSim, SimConfig};
use serde_json::{Value, json};

/// The static bearer token of the kubeconfig mode.
pub const TOKEN: &str = "reconciler-token";

/// How the functions reach the cluster.
pub enum Access {
    /// A kubeconfig with a static token.
    Kubeconfig,
    /// EKS discovery with these credentials (access key, secret key, session token).
    Eks(Credentials),
}

/// The running world.
pub struct World {
    /// The cluster.
    pub api: RunningApi,
    /// VPC Lattice.
    pub sim: RunningSim,
    /// The functions' clients.
    pub clients: Clients,
    dir: PathBuf,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn hotel() -> Vec<Value> {
    let examples = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/hotel"));
    let s = manifests::load_paths(&[examples]).expect("examples").snapshot;
    let mut out: Vec<Value> = vec![json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "default", "labels": {"kubernetes.io/metadata.name": "default"}}})];
    out.extend(s.gateway_classes.iter().map(|o| json!(o)));
    out.extend(s.gateways.iter().map(|o| json!(o)));
    out.extend(s.services.iter().map(|o| json!(o)));
    out.extend(s.endpoint_slices.iter().map(|o| json!(o)));
    out.extend(s.http_routes.iter().map(|o| json!(o)));
    out
}

/// The hotel in cluster `demo`, with `extra` environment variables for the functions.
pub async fn world(test: &str, access: Access, extra: &[(&str, &str)]) -> World {
    let fake = match &access {
        Access::Kubeconfig => FakeConfig::new().https().static_token(TOKEN),
        Access::Eks(_) => FakeConfig::new().https().eks(EksAuth::new("demo", SystemTime::now())),
    };
    let api = fake_apiserver::start(fake).await.expect("fake API server");
    for object in hotel() {
        api.put(object).expect("object");
    }
    let mut sim_config = SimConfig::default();
    if let Access::Eks(_) = &access {
        sim_config.clusters = vec![ClusterConfig {
            name: "demo".into(),
            endpoint: api.url().to_owned(),
            ca_data: base64::engine::general_purpose::STANDARD.encode(api.ca_pem().expect("https CA")),
            vpc_id: "vpc-0123456789abcdef0".into(),
            version: "1.32".into(),
        }];
    }
    let sim = lattice_sim::start(sim_config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.expect("emulator");
    sim.seed_service_network("my-hotel", &BTreeMap::new()).expect("seed");
    let dir = std::env::temp_dir().join(format!("lattice-functions-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut vars: BTreeMap<String, String> = [
        ("CLUSTER_NAMES", "demo"),
        ("AWS_REGION", "us-west-2"),
        ("AWS_ACCOUNT_ID", "123456789012"),
        ("CLUSTER_VPC_ID", "vpc-0123456789abcdef0"),
        ("LATTICE_TPS", "0"),
        ("READINESS_WAIT_MS", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let credentials = match access {
        Access::Kubeconfig => {
            let kubeconfig = api.write_kubeconfig(dir.join("kubeconfig"), TOKEN).expect("kubeconfig");
            vars.insert("KUBECONFIG".into(), kubeconfig.to_string_lossy().into_owned());
            Credentials::new("test", "test", None, None, "test")
        }
        Access::Eks(credentials) => credentials,
    };
    vars.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("config");
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-west-2"))
        .endpoint_url(sim.endpoint())
        .credentials_provider(credentials)
        .load()
        .await;
    let adapter =
        AdapterConfig { initial_backoff: Duration::from_millis(50), ..lambda_support::adapter_config(&config) };
    let lattice = Lattice::new(&sdk, adapter);
    // No queue: a local port nothing listens on.
    let sqs = aws_sdk_sqs::Client::new(
        &aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-west-2"))
            .endpoint_url("http://127.0.0.1:9")
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .load()
            .await,
    );
    let clients = Clients::from_parts(config, sdk, lattice, sqs);
    World { api, sim, clients, dir }
}

/// A Lambda context whose deadline is five minutes away.
pub fn context() -> Context {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() as u64;
    let mut context = Context::default();
    context.request_id = "0f6f8c3e-0000-4000-8000-000000000001".to_owned();
    context.deadline = now + 300_000;
    context.invoked_function_arn = "arn:aws:lambda:us-west-2:123456789012:function:sweep".to_owned();
    context
}

/// Services and target groups in the emulator.
pub async fn counts(sim: &RunningSim) -> (usize, usize) {
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-west-2"))
        .endpoint_url(sim.endpoint())
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .load()
        .await;
    let c = aws_sdk_vpclattice::Client::new(&sdk);
    let services = c.list_services().send().await.expect("services").items().len();
    let tgs = c.list_target_groups().send().await.expect("target groups").items().len();
    (services, tgs)
}
