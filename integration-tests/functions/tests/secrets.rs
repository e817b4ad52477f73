//! Credentials and tokens never reach the logs: a full sweep and a reconcile through EKS discovery
//! (`DescribeCluster`, an EKS bearer token minted from session credentials) with every log line
//! of every crate captured at TRACE, then scanned.

mod world;

use std::io::Write;
use std::sync::{Arc, Mutex};

use aws_credential_types::Credentials;
use lambda_runtime::LambdaEvent;
use serde_json::json;
use world::{Access, context, counts, world};

const ACCESS_KEY: &str = "ASIAQNOTAREALKEY0001";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSECRETzKEY";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENzzQ9x0Lq";

/// A writer into a shared buffer.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reliability_security_no_credential_or_token_is_logged() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    // The functions' own filter (what `init_logging` installs) with RUST_LOG=trace.
    tracing_subscriber::fmt()
        .with_env_filter(lambda_support::log_filter("trace"))
        .with_writer(move || writer.clone())
        .json()
        .with_current_span(true)
        .flatten_event(true)
        .init();
    let credentials = Credentials::new(ACCESS_KEY, SECRET_KEY, Some(SESSION_TOKEN.to_owned()), None, "test");
    let w = world("secrets", Access::Eks(credentials), &[]).await;
    let swept = sweep::handle(&w.clients, LambdaEvent::new(json!({}), context())).await.expect("sweep");
    assert!(matches!(swept.clusters[0], sweep::ClusterOutcome::Reconciled { .. }), "{swept:?}");
    assert_eq!(counts(&w.sim).await, (2, 4), "the run went through EKS discovery and made the hotel");
    let incoming: reconcile::Incoming = serde_json::from_value(
        json!({"cluster": "demo", "kind": "HTTPRoute", "namespace": "default", "name": "rates"}),
    )
    .expect("shape");
    reconcile::handle(&w.clients, LambdaEvent::new(incoming, context())).await.expect("reconcile");
    let requests = w.api.requests();
    let token = requests.iter().find_map(|r| r.token.clone()).expect("authorized requests");
    assert!(token.starts_with("k8s-aws-v1."), "an EKS token was used");

    let logs = String::from_utf8(buffer.0.lock().expect("buffer").clone()).expect("UTF-8 logs");
    let lines = logs.lines().count();
    assert!(lines > 100, "TRACE captured the SDK, kube and our own logs: {lines} lines");
    let forbidden = [
        ("the AWS secret key", SECRET_KEY.to_owned()),
        ("the session token", SESSION_TOKEN.to_owned()),
        ("the EKS bearer token", token.clone()),
        ("an EKS bearer token prefix", "k8s-aws-v1.".to_owned()),
        ("an Authorization header", "authorization: AWS4".to_owned()),
        ("an Authorization header", "\"authorization\": \"AWS4".to_owned()),
        ("a bearer Authorization", "Bearer k8s".to_owned()),
        ("a presigned URL signature", "X-Amz-Signature=".to_owned()),
        ("a SigV4 signature", "Signature=".to_owned()),
        ("the security token header value", format!("x-amz-security-token: {SESSION_TOKEN}")),
    ];
    let mut leaks = Vec::new();
    for (what, needle) in &forbidden {
        if let Some(line) = logs.lines().find(|l| l.to_ascii_lowercase().contains(&needle.to_ascii_lowercase())) {
            leaks.push(format!("{what}: {}", &line[..line.len().min(400)]));
        }
    }
    assert!(leaks.is_empty(), "secrets in the logs:\n{}", leaks.join("\n"));
    reliability::record(
        "security-no-secrets-logged",
        &format!(
            "sweep + reconcile via EKS token at TRACE: {lines} log lines, {} secret patterns, 0 found",
            forbidden.len()
        ),
    );
}
