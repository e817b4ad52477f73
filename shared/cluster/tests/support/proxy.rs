//! A plain-HTTP proxy in front of the fake API server that makes it look like a cluster whose Gateway API CRDs
//! predate v1.5: ReferenceGrant is served as `v1beta1` only.

use std::convert::Infallible;

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

const GATEWAY_V1: &str = "/apis/gateway.networking.k8s.io/v1";

/// A running proxy; dropping it stops it.
pub struct Proxy {
    url: String,
    task: JoinHandle<()>,
}

impl Proxy {
    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a proxy to the plain-HTTP server at `upstream` (`http://host:port`).
pub async fn v1beta1_reference_grants(upstream: &str) -> Proxy {
    let upstream = upstream.trim_start_matches("http://").to_owned();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let upstream = upstream.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| handle(request, upstream.clone()));
                let _ =
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    Proxy { url, task }
}

async fn handle(request: Request<Incoming>, upstream: String) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_owned();
    if path.starts_with(&format!("{GATEWAY_V1}/")) && path.split('/').any(|s| s == "referencegrants") {
        let status = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                            "message": "the server could not find the requested resource", "code": 404});
        return Ok(respond(StatusCode::NOT_FOUND, &status));
    }
    let response = forward(request, &upstream).await;
    if path != GATEWAY_V1 || response.status() != StatusCode::OK {
        return Ok(response);
    }
    let body = response.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let mut list: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if let Some(resources) = list.get_mut("resources").and_then(Value::as_array_mut) {
        resources.retain(|r| !r["name"].as_str().unwrap_or("").starts_with("referencegrants"));
    }
    Ok(respond(StatusCode::OK, &list))
}

async fn forward(request: Request<Incoming>, upstream: &str) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let stream = TcpStream::connect(upstream).await.expect("connect upstream");
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
    tokio::spawn(connection);
    let mut outgoing = Request::from_parts(parts, Full::new(body));
    outgoing.headers_mut().insert(hyper::header::HOST, upstream.parse().expect("host header"));
    let response = sender.send_request(outgoing).await.expect("upstream response");
    let (mut parts, body) = response.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    parts.headers.remove(hyper::header::TRANSFER_ENCODING);
    parts.headers.remove(hyper::header::CONTENT_LENGTH);
    Response::from_parts(parts, Full::new(body))
}

fn respond(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(hyper::header::CONTENT_TYPE, "application/json".parse().expect("content type"));
    response
}
