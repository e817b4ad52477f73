//! The admission decision on pods with and without gates, other requests and malformed bodies.

use super::*;

const OTHER_GATE: &str = "example.com/other-gate";

fn pod_review(spec: Value) -> Value {
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "shop",
            "operation": "CREATE",
            "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "review-7d9c-", "labels": {"app": "review"}}, "spec": spec},
        },
    })
}

fn answer(review_in: &Value) -> (Value, Decision) {
    review(review_in.to_string().as_bytes()).expect("a review")
}

/// The decoded JSONPatch of a response, `None` when there is none.
fn patch_of(review_out: &Value) -> Option<Value> {
    let response = &review_out["response"];
    assert_eq!(response["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002", "uid echoed");
    assert_eq!(response["allowed"], true, "never blocks");
    let encoded = response.get("patch")?.as_str().expect("base64 patch");
    assert_eq!(response["patchType"], "JSONPatch");
    Some(serde_json::from_slice(&STANDARD.decode(encoded).expect("base64")).expect("JSON patch"))
}

#[test]
fn a_pod_without_gates_gets_the_list_created() {
    let (out, decision) = answer(&pod_review(json!({"containers": [{"name": "app", "image": "review"}]})));
    assert_eq!(out["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(out["kind"], "AdmissionReview");
    assert_eq!(
        patch_of(&out),
        Some(json!([{"op": "add", "path": "/spec/readinessGates", "value": [{"conditionType": GATE_CONDITION_TYPE}]}]))
    );
    assert_eq!(decision, Decision::Added("shop/review-7d9c-*".into()));
    // A null list is absent too.
    let (out, _) = answer(&pod_review(json!({"containers": [], "readinessGates": null})));
    assert_eq!(patch_of(&out).expect("patch")[0]["path"], "/spec/readinessGates");
}

#[test]
fn a_pod_with_other_gates_gets_ours_appended() {
    for gates in [json!([]), json!([{"conditionType": OTHER_GATE}])] {
        let (out, _) = answer(&pod_review(json!({"containers": [], "readinessGates": gates})));
        assert_eq!(
            patch_of(&out),
            Some(
                json!([{"op": "add", "path": "/spec/readinessGates/-", "value": {"conditionType": GATE_CONDITION_TYPE}}])
            ),
            "{gates}"
        );
    }
}

#[test]
fn a_pod_with_the_gate_already_gets_no_patch() {
    let gates = json!([{"conditionType": OTHER_GATE}, {"conditionType": GATE_CONDITION_TYPE}]);
    let mut input = pod_review(json!({"containers": [], "readinessGates": gates}));
    input["request"]["object"]["metadata"]["name"] = json!("review-1");
    let (out, decision) = answer(&input);
    assert_eq!(patch_of(&out), None);
    assert!(out["response"].get("patchType").is_none());
    assert_eq!(decision, Decision::AlreadyGated("shop/review-1".into()));
}

#[test]
fn other_kinds_and_operations_are_allowed_unchanged() {
    let mut update = pod_review(json!({"containers": []}));
    update["request"]["operation"] = json!("UPDATE");
    let mut service = pod_review(json!({"selector": {"app": "review"}}));
    service["request"]["kind"] = json!({"group": "", "version": "v1", "kind": "Service"});
    let mut foreign_pod = pod_review(json!({"containers": []}));
    foreign_pod["request"]["kind"] = json!({"group": "example.com", "version": "v1", "kind": "Pod"});
    let mut delete = pod_review(json!({}));
    delete["request"]["operation"] = json!("DELETE");
    delete["request"]["object"] = Value::Null;
    for (input, what) in
        [(update, "Pod UPDATE"), (service, "Service CREATE"), (foreign_pod, "Pod CREATE"), (delete, "Pod DELETE")]
    {
        let (out, decision) = answer(&input);
        assert_eq!(patch_of(&out), None, "{what}");
        assert_eq!(decision, Decision::NotAPodCreate(what.into()));
    }
}

#[test]
fn malformed_bodies_are_rejected_naming_the_field() {
    let mut no_uid = pod_review(json!({}));
    no_uid["request"].as_object_mut().expect("request").remove("uid");
    let mut old = pod_review(json!({}));
    old["apiVersion"] = json!("admission.k8s.io/v1beta1");
    let mut no_object = pod_review(json!({}));
    no_object["request"]["object"] = Value::Null;
    let mut no_kind = pod_review(json!({}));
    no_kind["request"].as_object_mut().expect("request").remove("kind");
    let cases = [
        (b"{not json".to_vec(), "body: not JSON"),
        (b"[]".to_vec(), "apiVersion: missing"),
        (
            json!({"apiVersion": "admission.k8s.io/v1", "kind": "Pod"}).to_string().into_bytes(),
            "kind: must be AdmissionReview",
        ),
        (
            json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}).to_string().into_bytes(),
            "request: missing",
        ),
        (old.to_string().into_bytes(), "apiVersion: \"admission.k8s.io/v1beta1\" is not served"),
        (no_uid.to_string().into_bytes(), "request.uid: missing"),
        (no_kind.to_string().into_bytes(), "request.kind.kind: missing"),
        (no_object.to_string().into_bytes(), "request.object: missing"),
        (pod_review(json!("spec")).to_string().into_bytes(), "request.object.spec: not an object"),
        (pod_review(json!({"readinessGates": {"a": 1}})).to_string().into_bytes(), "readinessGates: not a list"),
    ];
    for (body, expected) in cases {
        let err = review(&body).expect_err(expected);
        assert!(err.message.contains(expected), "{expected}: {err}");
    }
}
