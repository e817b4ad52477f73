//! Pods with their status subresource and strategic merge patches, and external-dns records owned
//! by routes, collected with them.

use fake_apiserver::{ApiGroup, FakeConfig, start};
use serde_json::json;

use crate::client::Client;
use crate::{ROUTES, TOKEN, api, route};

const SMP: &str = "application/strategic-merge-patch+json";

#[tokio::test]
async fn pod_status_patches_merge_conditions_by_type() {
    let api = api().await;
    let c = Client::new(&api, TOKEN);
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": "shop"},
        "spec": {"readinessGates": [{"conditionType": "example.com/gate"}], "containers": [{"name": "web"}]},
        "status": {"conditions": [{"type": "Ready", "status": "False"}, {"type": "example.com/gate", "status": "False"}]}});
    let stored = api.put(pod).expect("pod");
    let path = "/api/v1/namespaces/shop/pods/web-1/status";
    let gate = json!({"type": "example.com/gate", "status": "True", "reason": "Healthy"});
    let patch = json!({"metadata": {"uid": stored["metadata"]["uid"]}, "status": {"conditions": [gate]}});
    let patched = c.patch(path, SMP, &patch).await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    let conditions = &patched.body["status"]["conditions"];
    assert_eq!(conditions, &json!([{"type": "Ready", "status": "False"}, gate]), "Ready kept, gate merged");
    assert_eq!(patched.body["spec"]["containers"], json!([{"name": "web"}]), "a status write leaves the spec");

    let replaced = json!({"metadata": {"uid": "someone-else"}, "status": {"conditions": [gate]}});
    assert_eq!(c.patch(path, SMP, &replaced).await.status, 409, "the uid is a precondition");
    let main = c.patch("/api/v1/namespaces/shop/pods/web-1", SMP, &json!({"status": {"conditions": null}})).await;
    assert_eq!(main.body["status"]["conditions"].as_array().map(Vec::len), Some(2), "status only via /status");
}

#[tokio::test]
async fn records_owned_by_a_route_go_with_it() {
    let api = start(FakeConfig::new().static_token(TOKEN).with_group(ApiGroup::ExternalDns)).await.expect("starts");
    let c = Client::new(&api, TOKEN);
    let owner = c.post(ROUTES, &route("shop", "rates")).await.body;
    let records = "/apis/externaldns.k8s.io/v1alpha1/namespaces/shop/dnsendpoints";
    let record = |name: &str, uid: &serde_json::Value| {
        json!({"apiVersion": "externaldns.k8s.io/v1alpha1", "kind": "DNSEndpoint",
            "metadata": {"name": name, "ownerReferences": [{"apiVersion": "gateway.networking.k8s.io/v1",
                "kind": "HTTPRoute", "name": "rates", "uid": uid, "controller": true}]},
            "spec": {"endpoints": [{"dnsName": "rates.example.com", "recordType": "CNAME", "targets": ["x"]}]}})
    };
    assert_eq!(c.post(records, &record("rates-dns", &owner["metadata"]["uid"])).await.status, 201);
    assert_eq!(c.post(records, &record("stranger", &json!("another-uid"))).await.status, 201);
    assert_eq!(c.delete(&format!("{ROUTES}/rates")).await.status, 200);
    assert_eq!(c.get(&format!("{records}/rates-dns")).await.status, 404, "collected with its owner");
    assert_eq!(c.get(&format!("{records}/stranger")).await.status, 200, "another owner's record stays");
}
