//! Pods' readiness gates with the real kube client against the fake API server over HTTP: read by
//! name, written through `pods/status` without touching the kubelet's conditions.

mod support;

use fake_apiserver::FakeConfig;
use k8s_openapi::api::core::v1::PodCondition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use model::readiness::GATE_CONDITION_TYPE;
use model::snapshot::ObjectRef;
use serde_json::{Value, json};
use support::{client, lines};

fn pod(name: &str, gated: bool) -> Value {
    let gates = if gated { json!([{"conditionType": GATE_CONDITION_TYPE}]) } else { json!([]) };
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "shop"},
        "spec": {"containers": [{"name": "web", "image": "web"}], "readinessGates": gates},
        "status": {"podIP": "10.0.0.2", "conditions": [
            {"type": "ContainersReady", "status": "True"}, {"type": "Ready", "status": "False"}]}})
}

fn condition(status: &str, reason: &str) -> PodCondition {
    PodCondition {
        type_: GATE_CONDITION_TYPE.to_owned(),
        status: status.to_owned(),
        reason: Some(reason.to_owned()),
        message: Some(format!("target is {reason}")),
        last_transition_time: Some(Time(Timestamp::from_second(1_767_225_600).expect("time"))),
        ..PodCondition::default()
    }
}

#[tokio::test]
async fn pods_are_read_by_name_only() {
    let api = support::fake(FakeConfig::new()).await;
    api.put(pod("gated", true)).expect("pod");
    api.put(pod("plain", false)).expect("pod");
    let cluster = client(&api, "pods-read").await;
    api.clear_requests();
    let gated = cluster.pod_gate(&ObjectRef::new("Pod", "shop", "gated")).await.expect("read").expect("exists");
    assert!(gated.gated && gated.condition.is_none() && !gated.uid.is_empty());
    let plain = cluster.pod_gate(&ObjectRef::new("Pod", "shop", "plain")).await.expect("read").expect("exists");
    assert!(!plain.gated);
    assert!(cluster.pod_gate(&ObjectRef::new("Pod", "shop", "gone")).await.expect("read").is_none());
    assert_eq!(
        lines(&api.requests()),
        [
            "GET /api/v1/namespaces/shop/pods/gated",
            "GET /api/v1/namespaces/shop/pods/plain",
            "GET /api/v1/namespaces/shop/pods/gone"
        ]
    );
}

#[tokio::test]
async fn the_gate_condition_is_merged_through_the_status_subresource() {
    let api = support::fake(FakeConfig::new()).await;
    api.put(pod("web-1", true)).expect("pod");
    let cluster = client(&api, "pods-write").await;
    let reference = ObjectRef::new("Pod", "shop", "web-1");
    let gate = cluster.pod_gate(&reference).await.expect("read").expect("exists");
    api.clear_requests();
    assert!(cluster.set_pod_gate(&gate, &condition("False", "Initial")).await.expect("written"));
    assert!(cluster.set_pod_gate(&gate, &condition("True", "Healthy")).await.expect("written"));
    assert_eq!(
        lines(&api.requests()),
        ["PATCH /api/v1/namespaces/shop/pods/web-1/status", "PATCH /api/v1/namespaces/shop/pods/web-1/status"]
    );
    assert!(api.requests().iter().all(|r| r.content_type.as_deref() == Some("application/strategic-merge-patch+json")));
    let stored = api.get("", "v1", "pods", Some("shop"), "web-1").expect("pod");
    let conditions = stored["status"]["conditions"].as_array().expect("conditions");
    assert_eq!(conditions.len(), 3, "the kubelet's conditions stay: {conditions:?}");
    let ours = conditions.iter().find(|c| c["type"] == GATE_CONDITION_TYPE).expect("gate condition");
    assert_eq!((ours["status"].as_str(), ours["reason"].as_str()), (Some("True"), Some("Healthy")));
    let again = cluster.pod_gate(&reference).await.expect("read").expect("exists");
    assert_eq!(again.condition.as_ref().map(|c| c.status.as_str()), Some("True"));

    assert!(api.delete("", "v1", "pods", Some("shop"), "web-1"));
    api.put(pod("web-1", true)).expect("a new pod of the same name");
    assert!(!cluster.set_pod_gate(&gate, &condition("True", "Healthy")).await.expect("answered"), "replaced pod");
    let fresh = api.get("", "v1", "pods", Some("shop"), "web-1").expect("pod");
    assert!(
        fresh["status"]["conditions"].as_array().expect("conditions").iter().all(|c| c["type"] != GATE_CONDITION_TYPE)
    );
}
