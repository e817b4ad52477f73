//! The `webhook` function: the mutating admission webhook that adds the readiness gate
//! `application-networking.k8s.aws/pod-readiness-gate` to new pods, served on a Lambda function URL.
//!
//! The API server calls it for the pods the `MutatingWebhookConfiguration` kept by the sweep selects
//! (see `model::webhook`): pods of Services behind our target groups, in namespaces labelled
//! `application-networking.k8s.aws/pod-readiness-gate-inject: enabled`. The function URL accepts
//! unauthenticated calls (the API server cannot sign them for IAM), which is harmless here: the
//! answer is a pure function of the request ([`admission::review`]), with no cluster read, no AWS
//! call and no side effect, so a caller only ever gets a patch of its own input.
//!
//! [`handle`] is the HTTP edge: `POST` only, bodies up to [`MAX_BODY_BYTES`], `400` with a JSON
//! `{"message"}` naming the field for a body that is not an AdmissionReview.

pub mod admission;

use aws_lambda_events::event::lambda_function_urls::{LambdaFunctionUrlRequest, LambdaFunctionUrlResponse};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderValue;
use http::header::CONTENT_TYPE;
use serde_json::{Value, json};

use admission::Decision;

/// The largest request body accepted (AdmissionReviews of pods are a few KiB).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Answers one function URL request.
pub fn handle(request: &LambdaFunctionUrlRequest) -> LambdaFunctionUrlResponse {
    let method = request.request_context.http.method.as_deref().unwrap_or("");
    if !method.eq_ignore_ascii_case("POST") {
        return reply(405, &json!({"message": format!("method {method:?}: only POST is served")}));
    }
    let body = match body(request) {
        Ok(body) => body,
        Err((status, message)) => {
            tracing::warn!(status, problem = %message, "Rejected a request");
            return reply(status, &json!({"message": message}));
        }
    };
    match admission::review(&body) {
        Ok((review, decision)) => {
            match &decision {
                Decision::Added(pod) => tracing::info!(pod = %pod, "Added the readiness gate"),
                Decision::AlreadyGated(pod) => tracing::info!(pod = %pod, "Pod has the readiness gate already"),
                Decision::NotAPodCreate(what) => {
                    tracing::info!(request = %what, "Allowed a request that is not a pod creation")
                }
            }
            reply(200, &review)
        }
        Err(problem) => {
            tracing::warn!(problem = %problem, "Rejected a malformed AdmissionReview");
            reply(400, &json!({"message": problem.message}))
        }
    }
}

/// The request body, decoded when the function URL passed it as base64, within [`MAX_BODY_BYTES`].
fn body(request: &LambdaFunctionUrlRequest) -> Result<Vec<u8>, (i64, String)> {
    let raw = request.body.as_deref().unwrap_or("");
    if raw.is_empty() {
        return Err((400, "body: missing".to_owned()));
    }
    // Base64 is 4/3 of the payload: a larger encoded body cannot decode within the limit.
    if raw.len() > MAX_BODY_BYTES.saturating_mul(4) / 3 + 4
        || (!request.is_base64_encoded && raw.len() > MAX_BODY_BYTES)
    {
        return Err((413, format!("body: larger than {MAX_BODY_BYTES} bytes")));
    }
    let bytes = if request.is_base64_encoded {
        STANDARD.decode(raw).map_err(|e| (400, format!("body: not valid base64: {e}")))?
    } else {
        raw.as_bytes().to_vec()
    };
    if bytes.len() > MAX_BODY_BYTES {
        return Err((413, format!("body: larger than {MAX_BODY_BYTES} bytes")));
    }
    Ok(bytes)
}

fn reply(status: i64, body: &Value) -> LambdaFunctionUrlResponse {
    let mut response = LambdaFunctionUrlResponse::default();
    response.status_code = status;
    response.headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response.body = Some(body.to_string());
    response
}

#[cfg(test)]
#[path = "tests_handler.rs"]
mod tests;
