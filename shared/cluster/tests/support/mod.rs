//! Shared pieces of the tests against the fake API server: clients, object builders, request counts.

#![allow(dead_code, reason = "each test binary uses a different part")]

pub mod proxy;

use std::path::PathBuf;
use std::sync::Arc;

use cluster::Cluster;
use fake_apiserver::{FakeConfig, RecordedRequest, RunningApi};
use serde_json::{Value, json};

/// The static token the fake accepts and the kubeconfigs carry.
pub const TOKEN: &str = "t0ken-for-tests";

/// The controller name of this controller.
pub const OURS: &str = "application-networking.k8s.aws/gateway-api-controller";

/// A fake API server that accepts [`TOKEN`], configured further by `config`.
pub async fn fake(config: FakeConfig) -> Arc<RunningApi> {
    Arc::new(fake_apiserver::start(config.static_token(TOKEN)).await.expect("fake API server"))
}

/// A kubeconfig for `api` in a fresh file named after `name`.
pub fn kubeconfig(api: &RunningApi, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cluster-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    api.write_kubeconfig(dir.join(format!("{name}.kubeconfig")), TOKEN).expect("kubeconfig")
}

/// A kubeconfig for a plain-HTTP server at `url` that accepts [`TOKEN`].
pub fn kubeconfig_for(url: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cluster-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{name}.kubeconfig"));
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {url}\n\
         users:\n- name: u\n  user:\n    token: {TOKEN}\n\
         contexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n"
    );
    std::fs::write(&path, text).expect("kubeconfig");
    path
}

/// A client for `api` that calls `hook` with every request just before it is sent (to act as another client
/// of the server at a precise moment).
pub async fn hooked_client(
    api: &RunningApi,
    name: &str,
    hook: impl Fn(&http::Request<kube::client::Body>) + Send + Sync + 'static,
) -> Cluster {
    let kubeconfig = kube::config::Kubeconfig::read_from(kubeconfig(api, name)).expect("kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default()).await.expect("config");
    let builder = kube::client::ClientBuilder::try_from(config).expect("client builder");
    Cluster::from_client(builder.with_layer(&HookLayer(Arc::new(hook))).build())
}

type Hook = Arc<dyn Fn(&http::Request<kube::client::Body>) + Send + Sync>;

struct HookLayer(Hook);

impl<S> tower::Layer<S> for HookLayer {
    type Service = Hooked<S>;
    fn layer(&self, inner: S) -> Hooked<S> {
        Hooked { inner, hook: Arc::clone(&self.0) }
    }
}

pub struct Hooked<S> {
    inner: S,
    hook: Hook,
}

impl<S: tower::Service<http::Request<kube::client::Body>>> tower::Service<http::Request<kube::client::Body>>
    for Hooked<S>
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<kube::client::Body>) -> S::Future {
        (self.hook)(&request);
        self.inner.call(request)
    }
}

/// A client for `api` through a kubeconfig.
pub async fn client(api: &RunningApi, name: &str) -> Cluster {
    Cluster::from_kubeconfig(&kubeconfig(api, name), None).await.expect("client")
}

/// Stores every object.
pub fn put_all(api: &RunningApi, objects: impl IntoIterator<Item = Value>) {
    for object in objects {
        api.put(object).expect("stored");
    }
}

/// The requests recorded since the last [`RunningApi::clear_requests`], as `METHOD path` lines.
pub fn lines(requests: &[RecordedRequest]) -> Vec<String> {
    requests.iter().map(|r| format!("{} {}", r.method, r.path)).collect()
}

pub fn namespace(name: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})
}

pub fn class(name: &str) -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
        "metadata": {"name": name}, "spec": {"controllerName": OURS}
    })
}

pub fn gateway(namespace: &str, name: &str, class: &str) -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
        "metadata": {"namespace": namespace, "name": name},
        "spec": {"gatewayClassName": class, "listeners": [
            {"name": "http", "protocol": "HTTP", "port": 80, "allowedRoutes": {"namespaces": {"from": "All"}}}
        ]}
    })
}

/// An HTTPRoute with one parent (`namespace/name`) and one rule forwarding to `backends`
/// (`(kind, group, namespace, name)`; empty group and namespace for a Service of the route's namespace).
pub fn route(namespace: &str, name: &str, parent: (&str, &str), backends: &[(&str, &str, &str, &str)]) -> Value {
    let refs: Vec<Value> = backends
        .iter()
        .map(|(kind, group, ns, backend)| {
            let mut r = json!({"kind": kind, "group": group, "name": backend, "port": 80});
            if !ns.is_empty() {
                r["namespace"] = json!(ns);
            }
            r
        })
        .collect();
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"namespace": namespace, "name": name},
        "spec": {
            "parentRefs": [{"namespace": parent.0, "name": parent.1}],
            "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}], "backendRefs": refs}]
        }
    })
}

pub fn service(namespace: &str, name: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"namespace": namespace, "name": name},
        "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}
    })
}

pub fn slice(namespace: &str, service: &str, suffix: &str, ip: &str) -> Value {
    json!({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"namespace": namespace, "name": format!("{service}-{suffix}"),
                     "labels": {"kubernetes.io/service-name": service}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [ip], "conditions": {"ready": true}}],
        "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]
    })
}

/// A ReferenceGrant in `namespace` letting HTTPRoutes of `from` refer to its Services.
pub fn grant(namespace: &str, name: &str, from: &str) -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1beta1", "kind": "ReferenceGrant",
        "metadata": {"namespace": namespace, "name": name},
        "spec": {"from": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": from}],
                 "to": [{"group": "", "kind": "Service"}]}
    })
}

pub fn service_import(namespace: &str, name: &str) -> Value {
    json!({
        "apiVersion": "application-networking.k8s.aws/v1alpha1", "kind": "ServiceImport",
        "metadata": {"namespace": namespace, "name": name,
                     "annotations": {"application-networking.k8s.aws/aws-eks-cluster-name": "other"}},
        "spec": {"type": "ClusterSetIP", "ports": [{"port": 80, "protocol": "TCP"}]}
    })
}

/// A ServiceExport handed to VPC Lattice, exporting port 80 for HTTP routes.
pub fn service_export(namespace: &str, name: &str) -> Value {
    json!({
        "apiVersion": "application-networking.k8s.aws/v1alpha1", "kind": "ServiceExport",
        "metadata": {"namespace": namespace, "name": name,
                     "annotations": {"application-networking.k8s.aws/federation": "amazon-vpc-lattice"}},
        "spec": {"exportedPorts": [{"port": 80, "routeType": "HTTP"}]}
    })
}

/// A TargetGroupPolicy for Service `service`.
pub fn target_group_policy(namespace: &str, name: &str, service: &str) -> Value {
    json!({
        "apiVersion": "application-networking.k8s.aws/v1alpha1", "kind": "TargetGroupPolicy",
        "metadata": {"namespace": namespace, "name": name},
        "spec": {"targetRef": {"group": "", "kind": "Service", "name": service}, "protocol": "HTTP",
                 "healthCheck": {"enabled": true, "path": "/healthz"}}
    })
}

/// A ServiceNetwork object (cluster-scoped, no spec as the existing controller's manifests have it).
pub fn service_network(name: &str) -> Value {
    json!({"apiVersion": "application-networking.k8s.aws/v1alpha1", "kind": "ServiceNetwork", "metadata": {"name": name}})
}
