//! A kubeconfig-based client over HTTPS, alone in its test binary: it is the first TLS client of the process,
//! so it would hit rustls' "no process-level CryptoProvider" panic if more than one provider were compiled in.

mod support;

use cluster::Cluster;
use fake_apiserver::FakeConfig;
use serde_json::json;

#[tokio::test]
async fn kubeconfig_client_reads_over_https() {
    let api = support::fake(FakeConfig::new().https()).await;
    assert!(api.url().starts_with("https://"));
    api.put(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})).expect("namespace");
    let path = support::kubeconfig(&api, "https");
    let cluster = Cluster::from_kubeconfig(&path, Some("fake")).await.expect("client");
    let read = cluster.snapshot().await.expect("read over HTTPS");
    assert_eq!(read.snapshot.namespaces.len(), 1);
    assert!(api.requests().iter().all(|r| r.token.as_deref() == Some(support::TOKEN)));

    let err = Cluster::from_kubeconfig(&path, Some("no-such-context")).await.expect_err("unknown context");
    assert!(matches!(err, cluster::Error::LoadKubeconfig { .. }), "{err:?}");
}
