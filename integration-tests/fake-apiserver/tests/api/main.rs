//! The fake API server driven over HTTP.

mod auth;
mod client;
mod crud;
mod dependents;
mod discovery;
mod faults;
mod listing;

use fake_apiserver::{FakeConfig, RunningApi, start};
use serde_json::{Value, json};

pub(crate) const TOKEN: &str = "test-token";
pub(crate) const GW: &str = "/apis/gateway.networking.k8s.io/v1";
pub(crate) const ROUTES: &str = "/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes";

pub(crate) async fn api() -> RunningApi {
    start(FakeConfig::new().static_token(TOKEN)).await.expect("server starts")
}

pub(crate) fn route(namespace: &str, name: &str) -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"parentRefs": [{"name": "lattice"}], "hostnames": [format!("{name}.example.com")]},
    })
}
