//! Pods, for their readiness gate ([`Cluster::pod_gate`], [`Cluster::set_pod_gate`]): read one by
//! one by name (never listed), written through the `pods/status` subresource with a strategic merge
//! patch that carries only the gate's condition (merged by `type`, so the kubelet's conditions are
//! untouched) and the pod's uid as a precondition (a pod replaced under the same name is not written).

use k8s_openapi::api::core::v1::PodCondition;
use model::readiness::{GATE_CONDITION_TYPE, PodGate};
use model::snapshot::ObjectRef;
use serde_json::{Value, json};

use crate::client::{Cluster, status_code};
use crate::error::Error;
use crate::read::kinds::POD;

impl Cluster {
    /// Reads pod `pod` (kind `Pod`): whether it lists the gate and the gate's current condition;
    /// `None` when it does not exist.
    pub async fn pod_gate(&self, pod: &ObjectRef) -> Result<Option<PodGate>, Error> {
        let path = POD.path("v1", Some(&pod.namespace), Some(&pod.name));
        let found = self
            .get("get pods", &path)
            .await
            .map_err(|source| Error::Get { object: pod.to_string(), source: Box::new(source) })?;
        found
            .map(|object| parse(pod, &object).map_err(|problem| Error::ReadPod { pod: pod.to_string(), problem }))
            .transpose()
    }

    /// Sets the gate condition of `gate`'s pod to `condition`. `Ok(false)` when the pod is gone or was
    /// replaced by another of the same name (its uid differs).
    pub async fn set_pod_gate(&self, gate: &PodGate, condition: &PodCondition) -> Result<bool, Error> {
        let pod = &gate.pod;
        let path = format!("{}/status", POD.path("v1", Some(&pod.namespace), Some(&pod.name)));
        let patch = json!({"metadata": {"uid": gate.uid}, "status": {"conditions": [condition]}});
        match self.strategic_patch("patch pods/status", &path, &patch).await {
            Ok(_) => Ok(true),
            Err(error) if matches!(status_code(&error), Some(404 | 409)) => {
                tracing::info!(pod = %pod, "Pod gone or replaced; readiness gate not written");
                Ok(false)
            }
            Err(source) => Err(Error::WritePodStatus { pod: pod.to_string(), source: Box::new(source) }),
        }
    }
}

/// The gate state of a pod object.
fn parse(pod: &ObjectRef, object: &Value) -> Result<PodGate, String> {
    let gated = object.pointer("/spec/readinessGates").and_then(Value::as_array).is_some_and(|gates| {
        gates.iter().any(|g| g.get("conditionType").and_then(Value::as_str) == Some(GATE_CONDITION_TYPE))
    });
    let conditions = object.pointer("/status/conditions").and_then(Value::as_array).cloned().unwrap_or_default();
    let condition = conditions
        .into_iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(GATE_CONDITION_TYPE))
        .map(|c| {
            serde_json::from_value::<PodCondition>(c)
                .map_err(|e| format!("status.conditions[type={GATE_CONDITION_TYPE}]: {e}"))
        })
        .transpose()?;
    let uid = object.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or("").to_owned();
    Ok(PodGate { pod: pod.clone(), uid, gated, condition })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gates_and_their_conditions_are_read() {
        let pod = ObjectRef::new("Pod", "shop", "web-1");
        let object = json!({
            "metadata": {"uid": "u1"},
            "spec": {"readinessGates": [{"conditionType": "other"}, {"conditionType": GATE_CONDITION_TYPE}]},
            "status": {"conditions": [
                {"type": "Ready", "status": "False"},
                {"type": GATE_CONDITION_TYPE, "status": "False", "reason": "Initial",
                 "lastTransitionTime": "2026-01-01T00:00:00Z"}
            ]},
        });
        let gate = parse(&pod, &object).expect("parses");
        assert!(gate.gated);
        assert_eq!(gate.uid, "u1");
        assert_eq!(gate.condition.as_ref().and_then(|c| c.reason.as_deref()), Some("Initial"));

        let plain = parse(&pod, &json!({"metadata": {"uid": "u2"}, "spec": {}})).expect("parses");
        assert!(!plain.gated && plain.condition.is_none());

        let broken = json!({"status": {"conditions": [{"type": GATE_CONDITION_TYPE, "status": 7}]}});
        assert!(parse(&pod, &broken).expect_err("bad condition").contains("status.conditions"));
    }
}
