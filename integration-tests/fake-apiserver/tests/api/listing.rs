use fake_apiserver::{Fault, RunningApi};
use serde_json::json;

use crate::client::{Client, names};
use crate::{GW, ROUTES, TOKEN, api, route};

fn slice(api: &RunningApi, name: &str, service: Option<&str>, extra: &[(&str, &str)]) {
    let mut labels = serde_json::Map::new();
    if let Some(service) = service {
        labels.insert("kubernetes.io/service-name".into(), service.into());
    }
    for (k, v) in extra {
        labels.insert((*k).into(), (*v).into());
    }
    api.put(json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": name, "namespace": "shop", "labels": labels},
        "addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.1"]}]}))
        .expect("slice");
}

#[tokio::test]
async fn lists_per_namespace_and_across_namespaces() {
    let api = api().await;
    for (ns, name) in [("shop", "b"), ("shop", "a"), ("pay", "c")] {
        api.put(route(ns, name)).expect("put");
    }
    let c = Client::new(&api, TOKEN);
    let shop = c.get(ROUTES).await;
    assert_eq!(shop.status, 200);
    assert_eq!(shop.body["apiVersion"], "gateway.networking.k8s.io/v1");
    assert_eq!(shop.body["kind"], "HTTPRouteList");
    assert_eq!(shop.body["metadata"]["resourceVersion"], api.resource_version().to_string());
    assert!(shop.body["metadata"].get("continue").is_none());
    assert_eq!(names(&shop.body), ["a", "b"]);
    for item in shop.body["items"].as_array().expect("items") {
        assert_eq!(
            (item["apiVersion"].as_str(), item["kind"].as_str()),
            (Some("gateway.networking.k8s.io/v1"), Some("HTTPRoute"))
        );
    }
    let all = c.get(&format!("{GW}/httproutes")).await;
    assert_eq!(names(&all.body), ["c", "a", "b"], "ordered by namespace/name");
    let beta = c.get("/apis/gateway.networking.k8s.io/v1beta1/httproutes").await;
    assert_eq!(beta.body["items"][0]["apiVersion"], "gateway.networking.k8s.io/v1beta1");
    let empty = c.get("/apis/gateway.networking.k8s.io/v1/namespaces/none/httproutes").await;
    assert_eq!((empty.status, empty.body["items"].clone()), (200, json!([])));

    api.put(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}}))
        .expect("svc");
    api.put(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})).expect("ns");
    let services = c.get("/api/v1/namespaces/shop/services").await;
    assert_eq!(
        (services.body["kind"].as_str(), services.body["apiVersion"].as_str()),
        (Some("ServiceList"), Some("v1"))
    );
    assert_eq!(names(&c.get("/api/v1/services").await.body), ["web"]);
    assert_eq!(names(&c.get("/api/v1/namespaces").await.body), ["shop"]);
}

#[tokio::test]
async fn label_and_field_selectors() {
    let api = api().await;
    slice(&api, "web-abc", Some("web"), &[("tier", "front")]);
    slice(&api, "web-def", Some("web"), &[]);
    slice(&api, "api-xyz", Some("api"), &[("tier", "back")]);
    slice(&api, "orphan", None, &[]);
    let c = Client::new(&api, TOKEN);
    let base = "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices";
    let cases = [
        ("kubernetes.io%2Fservice-name%3Dweb", vec!["web-abc", "web-def"]),
        ("kubernetes.io/service-name==api", vec!["api-xyz"]),
        ("kubernetes.io/service-name!=web", vec!["api-xyz", "orphan"]),
        ("!kubernetes.io/service-name", vec!["orphan"]),
        ("tier", vec!["api-xyz", "web-abc"]),
        ("kubernetes.io/service-name=web,tier", vec!["web-abc"]),
        ("tier%20in%20(front,back),kubernetes.io/service-name=api", vec!["api-xyz"]),
    ];
    for (selector, expected) in cases {
        let r = c.get(&format!("{base}?labelSelector={selector}")).await;
        assert_eq!(r.status, 200, "{selector}: {}", r.body);
        assert_eq!(names(&r.body), expected, "{selector}");
    }
    let by_name = c.get(&format!("{base}?fieldSelector=metadata.name%3Dorphan")).await;
    assert_eq!(names(&by_name.body), ["orphan"]);
    let by_ns = c
        .get("/apis/discovery.k8s.io/v1/endpointslices?fieldSelector=metadata.namespace=shop,metadata.name!=orphan")
        .await;
    assert_eq!(names(&by_ns.body), ["api-xyz", "web-abc", "web-def"]);
    let bad_field = c.get(&format!("{base}?fieldSelector=spec.nodeName%3Dx")).await;
    assert_eq!((bad_field.status, bad_field.body["reason"].as_str()), (400, Some("BadRequest")));
    let bad_label = c.get(&format!("{base}?labelSelector=a%3Db%3Dc")).await;
    assert_eq!(bad_label.status, 400);
}

#[tokio::test]
async fn pages_through_a_consistent_snapshot() {
    let api = api().await;
    for name in ["a", "b", "c", "d", "e"] {
        api.put(route("shop", name)).expect("put");
    }
    let c = Client::new(&api, TOKEN);
    let first = c.get(&format!("{ROUTES}?limit=2")).await;
    assert_eq!(names(&first.body), ["a", "b"]);
    assert_eq!(first.body["metadata"]["remainingItemCount"], 3);
    let token = first.body["metadata"]["continue"].as_str().expect("continue token").to_string();
    let snapshot_rv = first.body["metadata"]["resourceVersion"].clone();

    api.put(route("shop", "bb")).expect("written between pages");
    assert!(api.delete("gateway.networking.k8s.io", "v1", "httproutes", Some("shop"), "e"));

    let second = c.get(&format!("{ROUTES}?limit=2&continue={token}")).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(names(&second.body), ["c", "d"], "the snapshot, not the writes since");
    assert_eq!(second.body["metadata"]["resourceVersion"], snapshot_rv);
    let token = second.body["metadata"]["continue"].as_str().expect("continue token").to_string();
    let third = c.get(&format!("{ROUTES}?limit=2&continue={token}")).await;
    assert_eq!(names(&third.body), ["e"]);
    assert!(third.body["metadata"].get("continue").is_none());

    let fresh = c.get(&format!("{ROUTES}?limit=10")).await;
    assert_eq!(names(&fresh.body), ["a", "b", "bb", "c", "d"]);
    assert!(fresh.body["metadata"].get("continue").is_none());
    assert_eq!(names(&c.get(&format!("{ROUTES}?limit=0")).await.body).len(), 5);
}

#[tokio::test]
async fn invalid_and_expired_continue_tokens() {
    let api = api().await;
    for name in ["a", "b", "c"] {
        api.put(route("shop", name)).expect("put");
    }
    let c = Client::new(&api, TOKEN);
    let garbage = c.get(&format!("{ROUTES}?limit=1&continue=not-a-token")).await;
    assert_eq!((garbage.status, garbage.body["reason"].as_str()), (400, Some("BadRequest")));
    let first = c.get(&format!("{ROUTES}?limit=1")).await;
    let token = first.body["metadata"]["continue"].as_str().expect("token").to_string();
    api.set_fault(Fault::ExpireContinueTokens).expect("fault");
    let expired = c.get(&format!("{ROUTES}?limit=1&continue={token}")).await;
    assert_eq!((expired.status, expired.body["reason"].as_str()), (410, Some("Expired")));
    assert_eq!(expired.body["code"], 410);
    let restarted = c.get(&format!("{ROUTES}?limit=5")).await;
    assert_eq!(names(&restarted.body), ["a", "b", "c"]);
}
