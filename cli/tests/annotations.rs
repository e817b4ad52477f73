//! `latticectl apply` against a separate emulator: the standalone and tags annotations, and ACM
//! certificate discovery for an HTTPS listener without a certificate (with ACM routed to the
//! emulator by `AWS_ENDPOINT_URL_ACM`).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{client, latticectl, sim};
use lattice_sim::CertificateSpec;
use serde_json::Value;

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("latticectl-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    fn write(&self, file: &str, text: &str) {
        std::fs::write(self.0.join(file), text).expect("manifest written");
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const COMMON: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: amazon-vpc-lattice}
spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: my-hotel, namespace: default}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners:
    - {name: http, protocol: HTTP, port: 80}
    - name: https
      protocol: HTTPS
      port: 443
      tls: {mode: Terminate}
---
apiVersion: v1
kind: Service
metadata: {name: review, namespace: default}
spec:
  ports: [{protocol: TCP, port: 80, targetPort: 8090}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: review-abc12
  namespace: default
  labels: {kubernetes.io/service-name: review}
addressType: IPv4
ports: [{name: "", protocol: TCP, port: 8090}]
endpoints:
  - addresses: ["10.0.1.12"]
    conditions: {ready: true, serving: true, terminating: false}
"#;

fn route(annotations: &[(&str, &str)], section: &str, hostname: Option<&str>) -> String {
    let annotations: String =
        annotations.iter().map(|(k, v)| format!("\n    application-networking.k8s.aws/{k}: \"{v}\"")).collect();
    let annotations = if annotations.is_empty() { " {}".to_owned() } else { annotations };
    let hostnames = hostname.map(|h| format!("\n  hostnames: [\"{h}\"]")).unwrap_or_default();
    format!(
        r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: rates
  namespace: default
  annotations:{annotations}
spec:
  parentRefs: [{{name: my-hotel, sectionName: {section}}}]{hostnames}
  rules:
    - matches: [{{path: {{type: PathPrefix, value: /review}}}}]
      backendRefs: [{{name: review, port: 80}}]
"#
    )
}

fn run_apply(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, Value) {
    let mut cmd = latticectl();
    cmd.args(["apply", "-o", "json", "-f"]).arg(dir).args(args);
    let out = cmd.envs(env.iter().copied()).output().expect("latticectl runs");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code(), doc)
}

async fn apply(dir: &Path, endpoint: &str) -> Value {
    let (dir, endpoint) = (dir.to_owned(), endpoint.to_owned());
    let (code, doc) =
        tokio::task::spawn_blocking(move || run_apply(&dir, &["--endpoint", &endpoint], &[])).await.expect("join");
    assert_eq!(code, Some(0), "{doc}");
    doc
}

fn ops(doc: &Value) -> Vec<String> {
    doc["actions"].as_array().expect("actions").iter().filter_map(|a| a["op"].as_str().map(str::to_owned)).collect()
}

fn accepted(doc: &Value) -> (String, String, String) {
    let entry = doc["status"].as_array().expect("status").iter().find(|e| e["kind"] == "HTTPRoute").expect("route");
    let conditions = entry["status"]["parents"][0]["conditions"].as_array().expect("conditions");
    let c = conditions.iter().find(|c| c["type"] == "Accepted").expect("Accepted");
    let text = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
    (text("status"), text("reason"), text("message"))
}

struct Service {
    arn: String,
    associations: usize,
    tags: BTreeMap<String, String>,
    certificate: Option<String>,
}

async fn service(c: &aws_sdk_vpclattice::Client) -> Service {
    let s = c.get_service().service_identifier("rates-default").send().await;
    let s = match s {
        Ok(s) => s,
        Err(_) => {
            let list = c.list_services().send().await.expect("list");
            let id =
                list.items().iter().find(|s| s.name() == Some("rates-default")).and_then(|s| s.id()).expect("rates");
            c.get_service().service_identifier(id).send().await.expect("get")
        }
    };
    let arn = s.arn().expect("arn").to_owned();
    let associations = c
        .list_service_network_service_associations()
        .service_identifier(s.id().expect("id"))
        .send()
        .await
        .expect("associations")
        .items()
        .len();
    let tags =
        c.list_tags_for_resource().resource_arn(&arn).send().await.expect("tags").tags().cloned().unwrap_or_default();
    Service { arn, associations, tags: tags.into_iter().collect(), certificate: s.certificate_arn().map(str::to_owned) }
}

#[tokio::test(flavor = "multi_thread")]
async fn standalone_and_additional_tags_follow_the_annotations() {
    let sim = sim().await;
    let endpoint = sim.endpoint();
    let c = client(&endpoint);
    let dir = TempDir::new("standalone-tags");
    dir.write("common.yaml", COMMON);

    dir.write("route.yaml", &route(&[("standalone", "true"), ("tags", "team=payments,env=prod")], "http", None));
    let doc = apply(&dir.0, &endpoint).await;
    assert!(!ops(&doc).contains(&"CreateServiceNetworkServiceAssociation".to_owned()), "{:?}", ops(&doc));
    assert_eq!(accepted(&doc).0, "True");
    let s = service(&c).await;
    assert_eq!(s.associations, 0, "standalone: no service network association");
    assert_eq!(s.tags.get("team").map(String::as_str), Some("payments"));
    assert_eq!(s.tags.get("env").map(String::as_str), Some("prod"));
    // Someone else tags the service.
    c.tag_resource().resource_arn(&s.arn).tags("owner", "ops").send().await.expect("tagged by hand");

    dir.write("route.yaml", &route(&[("standalone", "false"), ("tags", "env=dev")], "http", None));
    let doc = apply(&dir.0, &endpoint).await;
    assert!(ops(&doc).contains(&"CreateServiceNetworkServiceAssociation".to_owned()), "{:?}", ops(&doc));
    let s = service(&c).await;
    assert_eq!(s.associations, 1);
    assert_eq!(s.tags.get("env").map(String::as_str), Some("dev"));
    assert!(!s.tags.contains_key("team"), "a key dropped from the annotation is removed: {:?}", s.tags);
    assert_eq!(s.tags.get("owner").map(String::as_str), Some("ops"), "tags of others stay");

    dir.write("route.yaml", &route(&[("standalone", "TRUE"), ("tags", "env=dev")], "http", None));
    let doc = apply(&dir.0, &endpoint).await;
    assert_eq!(
        ops(&doc),
        ["DeleteServiceNetworkServiceAssociation", "TagResource"],
        "switching to standalone removes ours, then the service's new fingerprint"
    );
    assert_eq!(service(&c).await.associations, 0);
    assert!(ops(&apply(&dir.0, &endpoint).await).is_empty(), "a second run plans nothing");

    dir.write("route.yaml", &route(&[("standalone", "yes")], "http", None));
    let doc = apply(&dir.0, &endpoint).await;
    let (status, _, message) = accepted(&doc);
    assert_eq!(status, "True");
    assert!(message.contains("standalone") && message.contains("read as false"), "{message}");
    assert_eq!(service(&c).await.associations, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn https_routes_without_a_certificate_find_one_in_acm() {
    let sim = sim().await;
    let endpoint = sim.endpoint();
    let c = client(&endpoint);
    let cert = |domain: &str, key: &str, issued: u64| CertificateSpec {
        domain_name: domain.to_owned(),
        key_algorithm: Some(key.to_owned()),
        issued_at: Some(issued),
        ..CertificateSpec::default()
    };
    sim.seed_certificate(&cert("*.example.com", "RSA_2048", 3_000)).expect("seed");
    let exact = sim.seed_certificate(&cert("rates.example.com", "EC_prime256v1", 1_000)).expect("seed");
    let dir = TempDir::new("acm");
    dir.write("common.yaml", COMMON);
    dir.write("route.yaml", &route(&[], "https", Some("rates.example.com")));

    // ACM, VPC Lattice and the tagging API found through the standard endpoint variables.
    let env = [
        ("AWS_ENDPOINT_URL_VPC_LATTICE", endpoint.as_str()),
        ("AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API", endpoint.as_str()),
        ("AWS_ENDPOINT_URL_ACM", endpoint.as_str()),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    let d = dir.0.clone();
    let (code, doc) = tokio::task::spawn_blocking(move || {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        run_apply(&d, &["--aws"], &env)
    })
    .await
    .expect("join");
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["calls"]["ListCertificates"], 1, "{}", doc["calls"]);
    assert_eq!(accepted(&doc).0, "True", "{:?}", accepted(&doc));
    assert_eq!(service(&c).await.certificate.as_deref(), Some(exact.as_str()), "the exact ECDSA certificate wins");

    // With --endpoint too; a second run plans nothing but still reads ACM once.
    let doc = apply(&dir.0, &endpoint).await;
    assert!(ops(&doc).is_empty(), "{:?}", ops(&doc));
    assert_eq!(doc["calls"]["ListCertificates"], 1);

    // No certificate covers the hostname: the route is not accepted, and says why.
    dir.write("route.yaml", &route(&[], "https", Some("rates.example.net")));
    let doc = apply(&dir.0, &endpoint).await;
    let (status, reason, message) = accepted(&doc);
    assert_eq!((status.as_str(), reason.as_str()), ("False", "CertificateNotFound"), "{message}");
    assert!(message.contains("rates.example.net"), "{message}");
    assert!(message.contains("left as they are"), "{message}");
    // ... and its existing service (with its DNS name) is kept, not deleted.
    assert!(ops(&doc).is_empty(), "a route waiting for a certificate keeps its resources: {:?}", ops(&doc));
    assert_eq!(service(&c).await.certificate.as_deref(), Some(exact.as_str()));

    // A route on HTTP needs no discovery: ACM is not called.
    dir.write("route.yaml", &route(&[], "http", Some("rates.example.net")));
    let doc = apply(&dir.0, &endpoint).await;
    assert!(doc["calls"].get("ListCertificates").is_none(), "{}", doc["calls"]);
}
