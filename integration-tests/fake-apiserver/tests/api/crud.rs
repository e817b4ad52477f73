use serde_json::json;

use crate::client::{Client, JSON_PATCH, MERGE};
use crate::{ROUTES, TOKEN, api, route};

#[tokio::test]
async fn create_sets_server_owned_metadata_and_drops_status() {
    let api = api().await;
    let c = Client::new(&api, TOKEN);
    let mut body = route("shop", "rates");
    body["status"] = json!({"parents": [{"controllerName": "x"}]});
    let created = c.post(ROUTES, &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let meta = &created.body["metadata"];
    assert!(meta["uid"].as_str().is_some_and(|u| u.len() == 36));
    assert!(meta["creationTimestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(meta["resourceVersion"].as_str().is_some_and(|rv| rv.parse::<u64>().is_ok()));
    assert_eq!(meta["generation"], 1);
    assert_eq!(meta["namespace"], "shop");
    assert!(created.body.get("status").is_none());
    assert_eq!(created.body["apiVersion"], "gateway.networking.k8s.io/v1");
    assert_eq!(created.body["kind"], "HTTPRoute");

    let again = c.post(ROUTES, &body).await;
    assert_eq!((again.status, again.body["reason"].as_str()), (409, Some("AlreadyExists")));
    assert_eq!(again.body["message"], "httproutes.gateway.networking.k8s.io \"rates\" already exists");

    let typed = |metadata: serde_json::Value| json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": metadata, "spec": {}});
    let generated = c.post(ROUTES, &typed(json!({"generateName": "rates-"}))).await;
    assert_eq!(generated.status, 201);
    assert!(generated.body["metadata"]["name"].as_str().is_some_and(|n| n.starts_with("rates-") && n.len() == 11));

    let wrong_ns = c.post(ROUTES, &route("other", "x")).await;
    assert_eq!((wrong_ns.status, wrong_ns.body["reason"].as_str()), (400, Some("BadRequest")));
    let nameless = c.post(ROUTES, &typed(json!({}))).await;
    assert_eq!((nameless.status, nameless.body["reason"].as_str()), (422, Some("Invalid")));
    let bad_name = c.post(ROUTES, &route("shop", "Not_Valid")).await;
    assert_eq!(bad_name.status, 422);
    let mut wrong_kind = route("shop", "g");
    wrong_kind["kind"] = json!("GRPCRoute");
    assert_eq!(c.post(ROUTES, &wrong_kind).await.status, 400);
    let untyped = c.post(ROUTES, &json!({"metadata": {"name": "u"}, "spec": {}})).await;
    assert_eq!(untyped.status, 400, "custom resources must name their kind");
    assert!(untyped.body["message"].as_str().is_some_and(|m| m.starts_with("Object 'Kind' is missing")));
    let all_ns = c.post("/apis/gateway.networking.k8s.io/v1/httproutes", &route("shop", "y")).await;
    assert_eq!((all_ns.status, all_ns.body["reason"].as_str()), (405, Some("MethodNotAllowed")));
}

#[tokio::test]
async fn get_in_each_served_version_and_not_found() {
    let api = api().await;
    api.put(route("shop", "rates")).expect("put");
    let c = Client::new(&api, TOKEN);
    let v1 = c.get(&format!("{ROUTES}/rates")).await;
    assert_eq!((v1.status, v1.body["apiVersion"].as_str()), (200, Some("gateway.networking.k8s.io/v1")));
    let beta = c.get("/apis/gateway.networking.k8s.io/v1beta1/namespaces/shop/httproutes/rates").await;
    assert_eq!(beta.body["apiVersion"], "gateway.networking.k8s.io/v1beta1");
    assert_eq!(beta.body["metadata"], v1.body["metadata"]);
    let missing = c.get(&format!("{ROUTES}/nope")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.body,
        json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "httproutes.gateway.networking.k8s.io \"nope\" not found", "reason": "NotFound",
            "details": {"name": "nope", "group": "gateway.networking.k8s.io", "kind": "httproutes"}, "code": 404,
        })
    );
    let other_ns = c.get("/apis/gateway.networking.k8s.io/v1/namespaces/other/httproutes/rates").await;
    assert_eq!(other_ns.status, 404);
}

#[tokio::test]
async fn replace_checks_resource_version_and_ignores_status() {
    let api = api().await;
    let stored = api.put(route("shop", "rates")).expect("put");
    let c = Client::new(&api, TOKEN);
    let path = format!("{ROUTES}/rates");

    let mut body = stored.clone();
    body["metadata"]["labels"] = json!({"team": "a"});
    body["status"] = json!({"parents": [{"controllerName": "x"}]});
    let relabelled = c.put(&path, &body).await;
    assert_eq!(relabelled.status, 200, "{}", relabelled.body);
    assert_eq!(relabelled.body["metadata"]["labels"]["team"], "a");
    assert_eq!(relabelled.body["metadata"]["generation"], 1, "metadata changes keep the generation");
    assert!(relabelled.body.get("status").is_none(), "main PUT ignores status");
    let rv1: u64 = stored["metadata"]["resourceVersion"].as_str().expect("rv").parse().expect("number");
    let rv2: u64 = relabelled.body["metadata"]["resourceVersion"].as_str().expect("rv").parse().expect("number");
    assert!(rv2 > rv1);

    let stale = c.put(&path, &body).await;
    assert_eq!((stale.status, stale.body["reason"].as_str()), (409, Some("Conflict")));
    assert_eq!(
        stale.body["message"],
        "Operation cannot be fulfilled on httproutes.gateway.networking.k8s.io \"rates\": the object has been \
         modified; please apply your changes to the latest version and try again"
    );

    let mut respec = relabelled.body.clone();
    respec["spec"]["hostnames"] = json!(["new.example.com"]);
    let respecced = c.put(&path, &respec).await;
    assert_eq!(respecced.body["metadata"]["generation"], 2);
    assert_eq!(respecced.body["metadata"]["uid"], stored["metadata"]["uid"]);
    assert_eq!(respecced.body["metadata"]["creationTimestamp"], stored["metadata"]["creationTimestamp"]);

    let mut unconditional = respecced.body.clone();
    unconditional["metadata"].as_object_mut().expect("metadata").remove("resourceVersion");
    let refused = c.put(&path, &unconditional).await;
    assert_eq!((refused.status, refused.body["reason"].as_str()), (422, Some("Invalid")));

    let renamed = c.put(&format!("{ROUTES}/other"), &respecced.body).await;
    assert_eq!(renamed.status, 404, "PUT does not create");
    let mut wrong_name = respecced.body.clone();
    wrong_name["metadata"]["name"] = json!("other");
    assert_eq!(c.put(&path, &wrong_name).await.status, 400);

    api.put(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"ports": [{"port": 80}]}}))
        .expect("service");
    let svc = c.put("/api/v1/namespaces/shop/services/web",
        &json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"ports": [{"port": 81}]}}))
        .await;
    assert_eq!(svc.status, 200, "built-in resources allow unconditional updates: {}", svc.body);
    assert!(svc.body["metadata"].get("generation").is_none());
}

#[tokio::test]
async fn status_replace_changes_only_status() {
    let api = api().await;
    let stored = api.put(route("shop", "rates")).expect("put");
    let c = Client::new(&api, TOKEN);
    let mut body = stored.clone();
    body["status"] = json!({"parents": [{"controllerName": "application-networking.k8s.aws/gateway-api-controller"}]});
    body["spec"]["hostnames"] = json!(["ignored.example.com"]);
    body["metadata"]["annotations"] = json!({"ignored": "yes"});
    let updated = c.put(&format!("{ROUTES}/rates/status"), &body).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["status"], body["status"]);
    assert_eq!(updated.body["spec"], stored["spec"]);
    assert!(updated.body["metadata"].get("annotations").is_none());
    assert_eq!(updated.body["metadata"]["generation"], 1);
    assert_ne!(updated.body["metadata"]["resourceVersion"], stored["metadata"]["resourceVersion"]);
    let stale = c.put(&format!("{ROUTES}/rates/status"), &body).await;
    assert_eq!(stale.status, 409);
    let read = c.get(&format!("{ROUTES}/rates/status")).await;
    assert_eq!(read.body["status"], body["status"]);
}

#[tokio::test]
async fn patches_of_metadata_and_status() {
    let api = api().await;
    let stored = api.put(route("shop", "rates")).expect("put");
    let c = Client::new(&api, TOKEN);
    let path = format!("{ROUTES}/rates");

    let annotated = c
        .patch(
            &path,
            MERGE,
            &json!({"metadata": {"annotations": {"application-networking.k8s.aws/lattice-arn": "arn"}},
            "status": {"parents": []}}),
        )
        .await;
    assert_eq!(annotated.status, 200, "{}", annotated.body);
    assert_eq!(annotated.body["metadata"]["annotations"]["application-networking.k8s.aws/lattice-arn"], "arn");
    assert!(annotated.body.get("status").is_none(), "main patch ignores status");
    assert_eq!(annotated.body["metadata"]["generation"], 1);

    let stale = c
        .patch(
            &path,
            MERGE,
            &json!({"metadata": {"resourceVersion": stored["metadata"]["resourceVersion"],
        "labels": {"a": "b"}}}),
        )
        .await;
    assert_eq!(stale.status, 409);
    let current = annotated.body["metadata"]["resourceVersion"].clone();
    let fresh = c.patch(&path, MERGE, &json!({"metadata": {"resourceVersion": current, "labels": {"a": "b"}}})).await;
    assert_eq!(fresh.status, 200);

    let status = json!({"status": {"parents": [{"parentRef": {"name": "lattice"}, "controllerName": "c",
        "conditions": [{"type": "Accepted", "status": "True"}]}]}, "spec": {"hostnames": ["ignored"]}});
    let patched = c.patch(&format!("{path}/status"), MERGE, &status).await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["status"], status["status"]);
    assert_eq!(patched.body["spec"], stored["spec"], "status patch ignores spec");

    let ops = json!([
        {"op": "test", "path": "/status/parents/0/controllerName", "value": "c"},
        {"op": "replace", "path": "/status/parents/0/conditions/0/status", "value": "False"},
        {"op": "add", "path": "/status/parents/0/conditions/-", "value": {"type": "ResolvedRefs", "status": "True"}},
        {"op": "remove", "path": "/status/parents/0/parentRef"},
    ]);
    let json_patched = c.patch(&format!("{path}/status"), JSON_PATCH, &ops).await;
    assert_eq!(json_patched.status, 200, "{}", json_patched.body);
    let parent = &json_patched.body["status"]["parents"][0];
    assert_eq!(parent["conditions"][0]["status"], "False");
    assert_eq!(parent["conditions"][1]["type"], "ResolvedRefs");
    assert!(parent.get("parentRef").is_none());

    let failed_test = c
        .patch(
            &format!("{path}/status"),
            JSON_PATCH,
            &json!([{"op": "test", "path": "/status/parents/0/controllerName", "value": "other"}]),
        )
        .await;
    assert_eq!(failed_test.status, 422);
    let add_finalizer = c.patch(&path, JSON_PATCH,
        &json!([{"op": "add", "path": "/metadata/finalizers", "value": ["application-networking.k8s.aws/resources"]}])).await;
    assert_eq!(add_finalizer.body["metadata"]["finalizers"][0], "application-networking.k8s.aws/resources");

    let smp =
        c.patch(&path, "application/strategic-merge-patch+json", &json!({"metadata": {"labels": {"x": "y"}}})).await;
    assert_eq!((smp.status, smp.body["reason"].as_str()), (415, Some("UnsupportedMediaType")));
    let apply = c.send("PATCH", &path, Some("application/apply-patch+yaml"), Some(b"metadata: {}".to_vec())).await;
    assert_eq!(apply.status, 415);
    assert!(apply.body["message"].as_str().is_some_and(|m| m.contains("server-side apply")));
    let unknown = c.send("PATCH", &path, Some("text/plain"), Some(b"x".to_vec())).await;
    assert_eq!(unknown.status, 415);
    let garbage = c.send("PATCH", &path, Some(MERGE), Some(b"{not json".to_vec())).await;
    assert_eq!(garbage.status, 400);

    api.put(
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}, "spec": {}}),
    )
    .expect("service");
    let svc = c
        .patch(
            "/api/v1/namespaces/shop/services/web",
            "application/strategic-merge-patch+json",
            &json!({"metadata": {"labels": {"x": "y"}}}),
        )
        .await;
    assert_eq!((svc.status, svc.body["metadata"]["labels"]["x"].as_str()), (200, Some("y")));
}

#[tokio::test]
async fn delete_waits_for_finalizers() {
    let api = api().await;
    let mut body = route("shop", "rates");
    body["metadata"]["finalizers"] = json!(["application-networking.k8s.aws/resources"]);
    api.put(body).expect("put");
    let c = Client::new(&api, TOKEN);
    let path = format!("{ROUTES}/rates");
    let deleted = c.delete(&path).await;
    assert_eq!(deleted.status, 200);
    assert!(deleted.body["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(c.get(&path).await.status, 200, "still there while finalizers remain");
    let re_add = c
        .patch(&path, MERGE, &json!({"metadata": {"finalizers": ["a/b", "application-networking.k8s.aws/resources"]}}))
        .await;
    assert_eq!(re_add.status, 422, "no new finalizers on an object being deleted");
    let cleared = c.patch(&path, MERGE, &json!({"metadata": {"finalizers": null}})).await;
    assert_eq!(cleared.status, 200);
    assert_eq!(c.get(&path).await.status, 404);
    assert_eq!(c.delete(&path).await.status, 404);

    api.put(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}}))
        .expect("svc");
    let svc = c.delete("/api/v1/namespaces/shop/services/web").await;
    assert_eq!(
        (svc.status, svc.body["kind"].as_str(), svc.body["status"].as_str()),
        (200, Some("Status"), Some("Success"))
    );

    api.put(route("shop", "guarded")).expect("put");
    let precondition = c
        .send(
            "DELETE",
            &format!("{ROUTES}/guarded"),
            Some("application/json"),
            Some(json!({"preconditions": {"resourceVersion": "1"}}).to_string().into_bytes()),
        )
        .await;
    assert_eq!(precondition.status, 409);
    assert!(api.delete("gateway.networking.k8s.io", "v1", "httproutes", Some("shop"), "guarded"));
    assert!(api.get("gateway.networking.k8s.io", "v1", "httproutes", Some("shop"), "guarded").is_none());
}

#[tokio::test]
async fn cluster_scoped_and_status_less_resources() {
    let api = api().await;
    let c = Client::new(&api, TOKEN);
    let class = json!({"apiVersion": "gateway.networking.k8s.io/v1beta1", "kind": "GatewayClass",
        "metadata": {"name": "amazon-vpc-lattice"},
        "spec": {"controllerName": "application-networking.k8s.aws/gateway-api-controller"}});
    let created = c.post("/apis/gateway.networking.k8s.io/v1beta1/gatewayclasses", &class).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.body["metadata"].get("namespace").is_none());
    let status = c
        .patch(
            "/apis/gateway.networking.k8s.io/v1/gatewayclasses/amazon-vpc-lattice/status",
            MERGE,
            &json!({"status": {"conditions": [{"type": "Accepted", "status": "True"}]}}),
        )
        .await;
    assert_eq!(status.status, 200);
    assert_eq!(status.body["apiVersion"], "gateway.networking.k8s.io/v1");
    let stored =
        api.get("gateway.networking.k8s.io", "v1beta1", "gatewayclasses", None, "amazon-vpc-lattice").expect("stored");
    assert_eq!(stored["status"]["conditions"][0]["type"], "Accepted");
    assert_eq!(stored["apiVersion"], "gateway.networking.k8s.io/v1beta1");

    let export = json!({"apiVersion": "application-networking.k8s.aws/v1alpha1", "kind": "ServiceImport",
        "metadata": {"name": "web", "namespace": "shop"}, "status": {"conditions": []}});
    let stored = api.put(export).expect("import");
    assert_eq!(stored["status"]["conditions"], json!([]), "put keeps status");
    let exports = "/apis/application-networking.k8s.aws/v1alpha1/namespaces/shop/serviceimports/web";
    assert_eq!(c.get(&format!("{exports}/status")).await.status, 404, "no status subresource");
    let mut body = stored.clone();
    body["status"] = json!({"conditions": [{"type": "Imported"}]});
    let replaced = c.put(exports, &body).await;
    assert_eq!(replaced.body["status"]["conditions"][0]["type"], "Imported", "main PUT writes status here");

    let sn = json!({"apiVersion": "application-networking.k8s.aws/v1alpha1", "kind": "ServiceNetwork",
        "metadata": {"name": "lattice"}, "spec": {}});
    api.put(sn).expect("service network");
    let listed = c.get("/apis/application-networking.k8s.aws/v1alpha1/servicenetworks").await;
    assert_eq!(listed.body["kind"], "ServiceNetworkList");
    assert_eq!(listed.body["items"][0]["metadata"]["name"], "lattice");
}

#[tokio::test]
async fn put_helper_validates_and_replaces() {
    let api = api().await;
    assert!(api.put(json!({"kind": "HTTPRoute", "metadata": {"name": "a"}})).is_err());
    assert!(api.put(json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"}})).is_err());
    assert!(
        api.put(json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {}})).is_err()
    );
    let defaulted = api
        .put(json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": "a"}, "spec": {}}))
        .expect("put");
    assert_eq!(defaulted["metadata"]["namespace"], "default");
    let mut next = defaulted.clone();
    next["spec"] = json!({"hostnames": ["x"]});
    next["status"] = json!({"parents": []});
    let replaced = api.put(next).expect("replace");
    assert_eq!(replaced["metadata"]["generation"], 2);
    assert_eq!(replaced["status"]["parents"], json!([]));
    assert!(api.resource_version() >= 2);
}

#[tokio::test]
async fn dry_run_writes_are_answered_but_not_stored() {
    let api = api().await;
    let c = Client::new(&api, TOKEN);
    let rv = api.resource_version();
    let created = c.post(&format!("{ROUTES}?dryRun=All"), &route("shop", "rates")).await;
    assert_eq!(created.status, 201);
    assert_eq!(created.body["metadata"]["name"], "rates");
    assert_eq!(c.get(&format!("{ROUTES}/rates")).await.status, 404);
    assert_eq!(api.resource_version(), rv);
    api.put(route("shop", "rates")).expect("put");
    let patched =
        c.patch(&format!("{ROUTES}/rates?dryRun=All"), MERGE, &json!({"metadata": {"labels": {"a": "b"}}})).await;
    assert_eq!(patched.body["metadata"]["labels"]["a"], "b");
    assert!(c.get(&format!("{ROUTES}/rates")).await.body["metadata"].get("labels").is_none());
    let watch = c.get(&format!("{ROUTES}?watch=true")).await;
    assert_eq!(watch.status, 400, "watch is not served");
}
