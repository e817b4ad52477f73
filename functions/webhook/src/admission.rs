//! The admission decision (pure): an `admission.k8s.io/v1` AdmissionReview in, the review with its
//! response out.
//!
//! For a Pod CREATE the response carries a JSONPatch that adds the readiness gate
//! [`model::readiness::GATE_CONDITION_TYPE`] to `spec.readinessGates` (creating the list when the
//! pod has none, appending otherwise, nothing when the gate is there already). Every answer allows
//! the request: this webhook never blocks a pod. Any other kind or operation is allowed unchanged.
//! A body that is not an AdmissionReview is rejected with a message naming the field.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use model::readiness::GATE_CONDITION_TYPE;
use serde_json::{Value, json};

/// The only AdmissionReview version served (the configuration asks for it alone).
pub const API_VERSION: &str = "admission.k8s.io/v1";

/// Why a body is not an AdmissionReview this webhook can answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    /// What is wrong, naming the field (`request.uid: missing`).
    pub message: String,
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Malformed {}

fn malformed(message: impl Into<String>) -> Malformed {
    Malformed { message: message.into() }
}

/// What was decided, for the logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The gate was added (the pod, `namespace/name` or `namespace/generateName*`).
    Added(String),
    /// The pod lists the gate already.
    AlreadyGated(String),
    /// Not a Pod CREATE: allowed unchanged (`kind` and operation).
    NotAPodCreate(String),
}

/// Answers the AdmissionReview in `body`: the review to send back, and what was decided.
pub fn review(body: &[u8]) -> Result<(Value, Decision), Malformed> {
    let review: Value = serde_json::from_slice(body).map_err(|e| malformed(format!("body: not JSON: {e}")))?;
    let text = |pointer: &str| review.pointer(pointer).and_then(Value::as_str);
    match text("/apiVersion") {
        Some(API_VERSION) => {}
        Some(other) => return Err(malformed(format!("apiVersion: {other:?} is not served, only {API_VERSION}"))),
        None => return Err(malformed("apiVersion: missing")),
    }
    if text("/kind") != Some("AdmissionReview") {
        return Err(malformed("kind: must be AdmissionReview"));
    }
    let request = review.get("request").filter(|r| r.is_object()).ok_or_else(|| malformed("request: missing"))?;
    let uid = text("/request/uid").filter(|u| !u.is_empty()).ok_or_else(|| malformed("request.uid: missing"))?;
    let group = text("/request/kind/group").unwrap_or("");
    let kind = text("/request/kind/kind").ok_or_else(|| malformed("request.kind.kind: missing"))?;
    let operation = text("/request/operation").ok_or_else(|| malformed("request.operation: missing"))?;
    let mut response = json!({"uid": uid, "allowed": true});
    let decision = if !group.is_empty() || kind != "Pod" || operation != "CREATE" {
        Decision::NotAPodCreate(format!("{kind} {operation}"))
    } else {
        let pod =
            request.get("object").filter(|o| o.is_object()).ok_or_else(|| malformed("request.object: missing"))?;
        let who = pod_name(request, pod);
        match patch(pod)? {
            None => Decision::AlreadyGated(who),
            Some(patch) => {
                let encoded = STANDARD.encode(serde_json::to_vec(&patch).unwrap_or_default());
                response["patchType"] = json!("JSONPatch");
                response["patch"] = json!(encoded);
                Decision::Added(who)
            }
        }
    };
    Ok((json!({"apiVersion": API_VERSION, "kind": "AdmissionReview", "response": response}), decision))
}

/// The JSONPatch that adds the gate to `pod`, `None` when it is there already.
fn patch(pod: &Value) -> Result<Option<Value>, Malformed> {
    let gate = json!({"conditionType": GATE_CONDITION_TYPE});
    let spec = match pod.get("spec") {
        Some(Value::Object(spec)) => spec,
        Some(_) => return Err(malformed("request.object.spec: not an object")),
        None => return Err(malformed("request.object.spec: missing")),
    };
    match spec.get("readinessGates") {
        None | Some(Value::Null) => Ok(Some(json!([{"op": "add", "path": "/spec/readinessGates", "value": [gate]}]))),
        Some(Value::Array(gates)) => {
            if gates.iter().any(|g| g.get("conditionType").and_then(Value::as_str) == Some(GATE_CONDITION_TYPE)) {
                Ok(None)
            } else {
                Ok(Some(json!([{"op": "add", "path": "/spec/readinessGates/-", "value": gate}])))
            }
        }
        Some(_) => Err(malformed("request.object.spec.readinessGates: not a list")),
    }
}

/// `namespace/name`, or `namespace/generateName*` for a pod whose name the API server picks later.
fn pod_name(request: &Value, pod: &Value) -> String {
    let text = |v: &Value, pointer: &str| v.pointer(pointer).and_then(Value::as_str).unwrap_or("").to_owned();
    let namespace =
        Some(text(request, "/namespace")).filter(|n| !n.is_empty()).unwrap_or_else(|| text(pod, "/metadata/namespace"));
    let name = Some(text(pod, "/metadata/name"))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("{}*", text(pod, "/metadata/generateName")));
    format!("{namespace}/{name}")
}

#[cfg(test)]
#[path = "tests_admission.rs"]
mod tests;
