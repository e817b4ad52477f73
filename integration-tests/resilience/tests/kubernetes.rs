//! Kubernetes faults during a sweep, with the real kube client against the fake API server and
//! the AWS SDK against lattice-sim, both over HTTP: a list that fails part-way through the read,
//! or a listing cut short (its continuation fails), deletes nothing in VPC Lattice — the run
//! fails and says so — and the next complete read deletes what is really gone.

use fake_apiserver::{FakeConfig, Fault, FaultOp, RunningApi};
use lattice_sim::SimConfig;
use reconciler::{ClusterError, Mode, ReadScope, run_cluster};
use resilience_tests::{World, config, fast, now, world};
use serde_json::{Value, json};

const TOKEN: &str = "sweep-token";

fn route(name: &str) -> Value {
    json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"namespace": "default", "name": name},
        "spec": {"parentRefs": [{"name": "my-hotel"}],
                 "rules": [{"backendRefs": [{"name": name, "port": 80}]}]}})
}

fn backend(name: &str, ip: &str) -> [Value; 2] {
    [
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"namespace": "default", "name": name},
            "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}}),
        json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"namespace": "default", "name": format!("{name}-1"),
                         "labels": {"kubernetes.io/service-name": name}},
            "addressType": "IPv4", "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            "endpoints": [{"addresses": [ip], "conditions": {"ready": true}}]}),
    ]
}

async fn cluster_with_routes(test: &str) -> (RunningApi, cluster::Cluster) {
    let api = fake_apiserver::start(FakeConfig::new().static_token(TOKEN)).await.expect("fake API server");
    let mut objects = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}}),
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
            "metadata": {"name": "amazon-vpc-lattice"},
            "spec": {"controllerName": "application-networking.k8s.aws/gateway-api-controller"}}),
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": {"namespace": "default", "name": "my-hotel"},
            "spec": {"gatewayClassName": "amazon-vpc-lattice",
                     "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}]}}),
        route("web"),
        route("api"),
    ];
    objects.extend(backend("web", "10.0.0.1"));
    objects.extend(backend("api", "10.0.0.2"));
    for object in objects {
        api.put(object).expect("stored");
    }
    let dir = std::env::temp_dir().join(format!("resilience-kube-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let kubeconfig = api.write_kubeconfig(dir.join("kubeconfig"), TOKEN).expect("kubeconfig");
    // Two objects a page: every list of more than two objects needs a continuation.
    let cluster = cluster::Cluster::from_kubeconfig(&kubeconfig, None).await.expect("client").with_page_size(2);
    (api, cluster)
}

async fn sweep(cluster: &cluster::Cluster, lattice: &lattice::Lattice) -> Result<usize, ClusterError> {
    let report = run_cluster(cluster, lattice, &config(), &ReadScope::All, Mode::Apply, now()).await?;
    Ok(report.report.plan.actions.len())
}

fn services(w: &World) -> Vec<String> {
    let state = w.sim.state_json();
    let mut names: Vec<String> = state["services"]
        .as_object()
        .map(|m| m.values().filter_map(|s| s["name"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    names.sort();
    names
}

fn mutations(w: &World) -> u64 {
    w.sim.calls().iter().filter(|(op, _)| !op.starts_with("Get") && !op.starts_with("List")).map(|(_, n)| n).sum()
}

#[tokio::test]
async fn reliability_failed_or_truncated_lists_delete_nothing() {
    let (api, cluster) = cluster_with_routes("faults").await;
    let w = world(SimConfig::default()).await;
    let lattice = w.adapter(fast());
    assert!(sweep(&cluster, &lattice).await.expect("first sweep") > 0);
    let before = w.ours();
    assert!(services(&w).contains(&"api-default".to_owned()));

    // The route goes away; every read that follows is incomplete in a different way.
    assert!(api.delete("gateway.networking.k8s.io", "v1", "httproutes", Some("default"), "api"));
    let faults = [
        ("routes list fails (500)", Fault::fail(FaultOp::List, "httproutes", 1, 500)),
        ("services list fails mid-sweep (500)", Fault::fail(FaultOp::List, "services", 1, 500)),
        ("endpoint slices list forbidden (403)", Fault::fail(FaultOp::List, "endpointslices", 1, 403)),
        ("routes listing cut short", Fault::truncate_list("httproutes")),
        ("services listing cut short", Fault::truncate_list("services")),
    ];
    let mut refused = 0;
    for (what, fault) in faults {
        api.set_fault(fault).expect("fault set");
        w.sim.reset_calls();
        let error = sweep(&cluster, &lattice).await.expect_err(what);
        assert!(matches!(error, ClusterError::Read { .. }), "{what}: {error}");
        assert!(error.to_string().contains("nothing was changed"), "{what}: {error}");
        assert_eq!(mutations(&w), 0, "{what}: VPC Lattice was changed: {:?}", w.sim.calls());
        assert_eq!(w.ours(), before, "{what}");
        refused += 1;
    }
    w.assert_foreign_untouched_and_no_duplicates();

    // A complete read: the route's resources go, the other route's stay.
    assert!(sweep(&cluster, &lattice).await.expect("complete sweep") > 0);
    assert!(!services(&w).contains(&"api-default".to_owned()), "{:?}", services(&w));
    assert!(services(&w).contains(&"web-default".to_owned()));
    w.assert_foreign_untouched_and_no_duplicates();
    reliability::record(
        "kubernetes-incomplete-reads",
        &format!(
            "{refused} incomplete reads (failed lists mid-sweep, truncated listings): 0 Lattice changes each; the next complete read deleted the gone route"
        ),
    );
}
