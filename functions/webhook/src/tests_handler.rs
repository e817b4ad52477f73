//! The HTTP edge: methods, body encodings, size bound and status codes.

use aws_lambda_events::event::lambda_function_urls::LambdaFunctionUrlRequest;
use serde_json::{Value, json};

use super::*;

fn request(method: &str, body: Option<String>, base64: bool) -> LambdaFunctionUrlRequest {
    serde_json::from_value(json!({
        "version": "2.0",
        "rawPath": "/",
        "rawQueryString": "timeout=3s",
        "headers": {"content-type": "application/json"},
        "requestContext": {"accountId": "anonymous", "requestId": "r-1", "timeEpoch": 1_700_000_000_000_i64,
            "http": {"method": method, "path": "/", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "kube-apiserver-admission"}},
        "body": body,
        "isBase64Encoded": base64,
    }))
    .expect("a function URL request")
}

fn pod_create() -> String {
    json!({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": "u-1", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "operation": "CREATE",
            "namespace": "shop", "object": {"metadata": {"name": "web-1"}, "spec": {"containers": []}}},
    })
    .to_string()
}

fn body_of(response: &LambdaFunctionUrlResponse) -> Value {
    assert_eq!(response.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("application/json"));
    serde_json::from_str(response.body.as_deref().expect("body")).expect("JSON body")
}

#[test]
fn plain_and_base64_bodies_are_answered_alike() {
    let plain = handle(&request("POST", Some(pod_create()), false));
    let encoded = handle(&request("POST", Some(STANDARD.encode(pod_create())), true));
    assert_eq!(plain.status_code, 200);
    assert_eq!(body_of(&plain), body_of(&encoded));
    assert_eq!(body_of(&plain)["response"]["uid"], "u-1");
    assert!(body_of(&plain)["response"]["patch"].is_string());
}

#[test]
fn only_post_is_served() {
    let response = handle(&request("GET", None, false));
    assert_eq!(response.status_code, 405);
    assert!(body_of(&response)["message"].as_str().expect("message").contains("only POST"));
}

#[test]
fn bad_bodies_are_400_and_oversized_ones_413() {
    for (body, base64, status, words) in [
        (None, false, 400, "body: missing"),
        (Some("%%%".to_owned()), true, 400, "not valid base64"),
        (Some("{}".to_owned()), false, 400, "apiVersion: missing"),
        (Some(" ".repeat(MAX_BODY_BYTES + 1)), false, 413, "larger than"),
        (Some(STANDARD.encode(vec![b' '; MAX_BODY_BYTES + 1])), true, 413, "larger than"),
    ] {
        let response = handle(&request("POST", body, base64));
        assert_eq!(response.status_code, status, "{words}");
        let message = body_of(&response)["message"].as_str().expect("message").to_owned();
        assert!(message.contains(words), "{words}: {message}");
    }
}

#[test]
fn a_body_at_the_limit_is_read() {
    // Padding inside the JSON keeps it an AdmissionReview of exactly the limit.
    let review = pod_create();
    let padded = format!("{}{}", review, " ".repeat(MAX_BODY_BYTES - review.len()));
    assert_eq!(padded.len(), MAX_BODY_BYTES);
    assert_eq!(handle(&request("POST", Some(padded.clone()), false)).status_code, 200);
    assert_eq!(handle(&request("POST", Some(STANDARD.encode(padded)), true)).status_code, 200);
}
