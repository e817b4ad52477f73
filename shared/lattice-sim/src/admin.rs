//! The `/_sim` admin surface: faults, call counts and a state dump. Not part of any AWS API; never
//! counted, delayed or failed.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Method, Response};
use serde_json::{Value, json};

use crate::acm::CertificateSpec;
use crate::server::{Shared, admin_response, now_ms};

pub(crate) fn handle(
    shared: &Shared,
    method: &Method,
    path: &str,
    body: &[u8],
    request_id: &str,
) -> Response<Full<Bytes>> {
    let (status, value) = answer(shared, method, path.trim_end_matches('/'), body);
    admin_response(status, request_id, &value)
}

fn answer(shared: &Shared, method: &Method, path: &str, body: &[u8]) -> (u16, Value) {
    match (method.as_str(), path) {
        ("GET", "/_sim/faults") => (200, faults_json(shared)),
        ("PUT", "/_sim/faults") => {
            let parsed: Result<Value, String> = serde_json::from_slice(body).map_err(|e| e.to_string());
            match parsed.and_then(|v| shared.lock().faults.patch(&v)) {
                Ok(()) => (200, faults_json(shared)),
                Err(message) => (400, json!({"message": message})),
            }
        }
        ("GET", "/_sim/calls") => (200, json!(shared.lock().calls)),
        ("DELETE", "/_sim/calls") => {
            shared.lock().calls.clear();
            (200, json!({}))
        }
        ("GET", "/_sim/certificates") => {
            let inner = shared.lock();
            (200, json!({"certificates": inner.state.certificates.values().collect::<Vec<_>>()}))
        }
        ("POST", "/_sim/certificates") => {
            let spec: Result<CertificateSpec, String> = serde_json::from_slice(body).map_err(|e| e.to_string());
            match spec.and_then(|s| shared.seed_certificate(&s).map_err(|e| e.to_string())) {
                Ok(arn) => (200, json!({"certificateArn": arn})),
                Err(message) => (400, json!({"message": message})),
            }
        }
        ("GET", "/_sim/state") => {
            let mut inner = shared.lock();
            inner.state.advance(now_ms());
            (200, serde_json::to_value(&inner.state).unwrap_or(Value::Null))
        }
        _ => (404, json!({"message": format!("No admin route {method} {path}")})),
    }
}

fn faults_json(shared: &Shared) -> Value {
    serde_json::to_value(shared.lock().faults.faults()).unwrap_or(Value::Null)
}
