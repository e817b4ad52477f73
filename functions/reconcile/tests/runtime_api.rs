//! The `reconcile` binary through the Lambda runtime API: a tiny runtime API server hands it one
//! invocation and records what the binary posts back.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";

/// The invocations handed out, in order: a (empty) SQS batch, then a direct invoke for a cluster
/// the function does not know.
const EVENTS: [(&str, &str); 2] = [
    ("8476a536-e9f4-11e8-9739-2dfe598c3fc1", r#"{"Records": []}"#),
    (REQUEST_ID, r#"{"cluster":"prod","kind":"HTTPRoute","namespace":"default","name":"rates"}"#),
];

#[derive(Default)]
struct Recorded {
    served: usize,
    posts: Vec<(String, String)>,
}

async fn serve(request: Request<Incoming>, state: Arc<Mutex<Recorded>>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_owned();
    if path == "/2018-06-01/runtime/invocation/next" {
        let index = {
            let mut state = state.lock().expect("state");
            state.served += 1;
            state.served - 1
        };
        let Some((id, event)) = EVENTS.get(index) else {
            // The runtime polls again: keep it waiting until the test ends.
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return Ok(Response::new(Full::new(Bytes::new())));
        };
        let deadline = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() + 60_000;
        let response = Response::builder()
            .header("Lambda-Runtime-Aws-Request-Id", *id)
            .header("Lambda-Runtime-Deadline-Ms", deadline.to_string())
            .header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-west-2:123456789012:function:reconcile")
            .header("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419")
            .body(Full::new(Bytes::from(*event)))
            .expect("response");
        return Ok(response);
    }
    let body = request.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    state.lock().expect("state").posts.push((path, String::from_utf8_lossy(&body).into_owned()));
    Ok(Response::builder().status(202).body(Full::new(Bytes::from_static(b"{}"))).expect("response"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_answers_invocations_through_the_runtime_api() {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.expect("bind");
    let address = listener.local_addr().expect("address");
    let state = Arc::new(Mutex::new(Recorded::default()));
    let server_state = Arc::clone(&state);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let state = Arc::clone(&server_state);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |r| serve(r, Arc::clone(&state)));
                let _ =
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });

    let mut child = Command::new(env!("CARGO_BIN_EXE_reconcile"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "reconcile")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "2024/01/15/[$LATEST]abc")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/reconcile")
        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
        .env("AWS_REGION", "us-west-2")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("CLUSTER_NAMES", "demo")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the reconcile binary starts");

    let started = Instant::now();
    let posts = loop {
        let posts = state.lock().expect("state").posts.clone();
        if posts.len() >= EVENTS.len() || started.elapsed() > Duration::from_secs(30) {
            break posts;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let _ = child.kill();
    let _ = child.wait();

    assert_eq!(posts.len(), 2, "one answer per invocation: {posts:?}");
    assert_eq!(posts[0].0, format!("/2018-06-01/runtime/invocation/{}/response", EVENTS[0].0));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&posts[0].1).ok(),
        Some(serde_json::json!({"batchItemFailures": []}))
    );
    let (path, body) = &posts[1];
    assert_eq!(path, &format!("/2018-06-01/runtime/invocation/{REQUEST_ID}/error"));
    let error: serde_json::Value = serde_json::from_str(body).expect("JSON error");
    assert_eq!(error["errorType"], "InvalidInput", "{body}");
    assert!(error["errorMessage"].as_str().is_some_and(|m| m.contains("\"prod\"")), "{body}");
}
