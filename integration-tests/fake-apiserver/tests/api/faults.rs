use fake_apiserver::{Fault, FaultOp};
use serde_json::json;

use crate::client::{Client, MERGE, names};
use crate::{ROUTES, TOKEN, api, route};

#[tokio::test]
async fn failures_by_operation_and_resource() {
    let api = api().await;
    api.put(route("shop", "rates")).expect("put");
    let c = Client::new(&api, TOKEN);
    api.set_fault(Fault::fail(FaultOp::List, "httproutes", 2, 503)).expect("fault");
    assert_eq!(c.get(&format!("{ROUTES}/rates")).await.status, 200, "gets are not lists");
    assert_eq!(c.get("/apis/gateway.networking.k8s.io/v1/namespaces/shop/gateways").await.status, 200);
    let failed = c.get(ROUTES).await;
    assert_eq!((failed.status, failed.body["reason"].as_str()), (503, Some("ServiceUnavailable")));
    assert_eq!(c.get(ROUTES).await.status, 503);
    assert_eq!(c.get(ROUTES).await.status, 200);

    api.set_fault(Fault::fail(FaultOp::Get, "httproutes", 1, 500)).expect("fault");
    let failed = c.get(&format!("{ROUTES}/rates/status")).await;
    assert_eq!((failed.status, failed.body["reason"].as_str()), (500, Some("InternalError")));

    api.set_fault(Fault::fail(FaultOp::Write, "httproutes", 1, 429)).expect("fault");
    let throttled = c.patch(&format!("{ROUTES}/rates/status"), MERGE, &json!({"status": {}})).await;
    assert_eq!((throttled.status, throttled.body["reason"].as_str()), (429, Some("TooManyRequests")));
    assert_eq!(throttled.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
    assert_eq!(c.patch(&format!("{ROUTES}/rates/status"), MERGE, &json!({"status": {}})).await.status, 200);
}

#[tokio::test]
async fn truncated_listing_fails_on_continuation() {
    let api = api().await;
    for name in ["a", "b"] {
        api.put(route("shop", name)).expect("put");
    }
    let c = Client::new(&api, TOKEN);
    api.set_fault(Fault::truncate_list("httproutes")).expect("fault");
    assert!(c.get(ROUTES).await.body["metadata"].get("continue").is_none(), "unpaginated lists are untouched");
    let first = c.get(&format!("{ROUTES}?limit=500")).await;
    assert_eq!(first.status, 200);
    assert_eq!(names(&first.body), ["a", "b"]);
    let token = first.body["metadata"]["continue"].as_str().expect("a continue token although all fit").to_string();
    let rest = c.get(&format!("{ROUTES}?limit=500&continue={token}")).await;
    assert_eq!((rest.status, rest.body["reason"].as_str()), (500, Some("InternalError")));
    let again = c.get(&format!("{ROUTES}?limit=500")).await;
    assert!(again.body["metadata"].get("continue").is_none(), "the fault fires once");
}

#[tokio::test]
async fn conflict_next_write_acts_like_a_concurrent_writer() {
    let api = api().await;
    let stored = api.put(route("shop", "rates")).expect("put");
    let c = Client::new(&api, TOKEN);
    let path = format!("{ROUTES}/rates");
    api.set_fault(Fault::conflict_next_write(
        "/apis/gateway.networking.k8s.io/v1beta1/namespaces/shop/httproutes/rates",
    ))
    .expect("fault");
    let mut body = stored.clone();
    body["status"] = json!({"parents": []});
    let conflicted = c.put(&format!("{path}/status"), &body).await;
    assert_eq!((conflicted.status, conflicted.body["reason"].as_str()), (409, Some("Conflict")));
    let current = c.get(&path).await.body;
    assert_ne!(current["metadata"]["resourceVersion"], stored["metadata"]["resourceVersion"], "someone else wrote");
    let stale = c.put(&format!("{path}/status"), &body).await;
    assert_eq!(stale.status, 409, "the old resourceVersion is now stale");
    body["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"].clone();
    assert_eq!(c.put(&format!("{path}/status"), &body).await.status, 200);

    assert_eq!(api.writes_to(&path).expect("path"), 3);
    assert_eq!(
        api.writes_to("/apis/gateway.networking.k8s.io/v1beta1/namespaces/shop/httproutes/rates/status").expect("path"),
        3
    );
    assert_eq!(api.writes_to(&format!("{ROUTES}/other")).expect("path"), 0);
    assert!(api.writes_to("/apis/gateway.networking.k8s.io/v1/namespaces/shop/widgets/x").is_err());
    assert!(api.set_fault(Fault::conflict_next_write(ROUTES)).is_err(), "a collection is not an object");
    c.get(&path).await;
    assert_eq!(api.writes_to(&path).expect("path"), 3, "reads are not writes");
    api.clear_requests();
    assert_eq!(api.writes_to(&path).expect("path"), 0);
    assert!(api.requests().is_empty());
}
