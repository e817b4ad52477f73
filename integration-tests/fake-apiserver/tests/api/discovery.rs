use fake_apiserver::{ApiGroup, FakeConfig, start};

use crate::client::Client;
use crate::{TOKEN, api};

#[tokio::test]
async fn core_and_group_discovery_documents() {
    let api = api().await;
    let c = Client::new(&api, TOKEN);
    let core = c.get("/api").await;
    assert_eq!((core.status, core.body["kind"].as_str()), (200, Some("APIVersions")));
    assert_eq!(core.body["versions"][0], "v1");

    let v1 = c.get("/api/v1").await;
    assert_eq!(v1.body["kind"], "APIResourceList");
    assert_eq!(v1.body["groupVersion"], "v1");
    let names: Vec<&str> =
        v1.body["resources"].as_array().expect("resources").iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["namespaces", "namespaces/status", "services", "services/status", "pods", "pods/status"]);

    let groups = c.get("/apis").await;
    assert_eq!(groups.body["kind"], "APIGroupList");
    let gateway = groups.body["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["name"] == "gateway.networking.k8s.io")
        .expect("gateway group");
    assert_eq!(gateway["preferredVersion"]["groupVersion"], "gateway.networking.k8s.io/v1");
    assert_eq!(gateway["versions"][1]["version"], "v1beta1");

    let group = c.get("/apis/application-networking.k8s.aws").await;
    assert_eq!(
        (group.body["kind"].as_str(), group.body["name"].as_str()),
        (Some("APIGroup"), Some("application-networking.k8s.aws"))
    );

    let gw = c.get("/apis/gateway.networking.k8s.io/v1").await;
    let resources = gw.body["resources"].as_array().expect("resources");
    let routes = resources.iter().find(|r| r["name"] == "httproutes").expect("httproutes");
    assert_eq!(routes["kind"], "HTTPRoute");
    assert_eq!(routes["namespaced"], true);
    assert!(routes["verbs"].as_array().expect("verbs").iter().any(|v| v == "patch"));
    let status = resources.iter().find(|r| r["name"] == "httproutes/status").expect("status subresource");
    assert_eq!(status["verbs"], serde_json::json!(["get", "patch", "update"]));
    let classes = resources.iter().find(|r| r["name"] == "gatewayclasses").expect("gatewayclasses");
    assert_eq!(classes["namespaced"], false);

    let beta = c.get("/apis/gateway.networking.k8s.io/v1beta1").await;
    let beta_names: Vec<&str> =
        beta.body["resources"].as_array().expect("resources").iter().filter_map(|r| r["name"].as_str()).collect();
    assert!(beta_names.contains(&"referencegrants") && !beta_names.contains(&"grpcroutes"));

    let slices = c.get("/apis/discovery.k8s.io/v1").await;
    assert_eq!(slices.body["resources"][0]["name"], "endpointslices");
    assert_eq!(c.get("/version").await.body["major"], "1");
}

#[tokio::test]
async fn absent_group_is_404_everywhere() {
    let api = start(FakeConfig::new().static_token(TOKEN).without_group(ApiGroup::ApplicationNetworking))
        .await
        .expect("server starts");
    let c = Client::new(&api, TOKEN);
    let groups = c.get("/apis").await;
    assert!(!groups.body.to_string().contains("application-networking"));
    for path in [
        "/apis/application-networking.k8s.aws",
        "/apis/application-networking.k8s.aws/v1alpha1",
        "/apis/application-networking.k8s.aws/v1alpha1/serviceexports",
        "/apis/application-networking.k8s.aws/v1alpha1/namespaces/shop/serviceexports",
        "/apis/application-networking.k8s.aws/v1alpha1/namespaces/shop/targetgrouppolicies/p",
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.body["kind"], "Status");
        assert_eq!(r.body["reason"], "NotFound");
    }
    let post = c
        .post("/apis/application-networking.k8s.aws/v1alpha1/namespaces/shop/serviceexports", &serde_json::json!({}))
        .await;
    assert_eq!(post.status, 404);
    assert_eq!(c.get("/apis/gateway.networking.k8s.io/v1/gateways").await.status, 200);
}

#[tokio::test]
async fn unknown_versions_and_resources_are_404() {
    let api = api().await;
    let c = Client::new(&api, TOKEN);
    for path in [
        "/apis/gateway.networking.k8s.io/v1alpha2",
        "/apis/gateway.networking.k8s.io/v1/udproutes",
        "/apis/gateway.networking.k8s.io/v1beta1/grpcroutes",
        "/apis/gateway.networking.k8s.io/v1/namespaces/shop/referencegrants/g/status",
        "/apis/gateway.networking.k8s.io/v1/namespaces/shop/gatewayclasses",
        "/apis/example.com/v1",
        "/api/v2",
    ] {
        assert_eq!(c.get(path).await.status, 404, "{path}");
    }
}

#[tokio::test]
async fn external_dns_is_served_only_when_asked_for() {
    let records = "/apis/externaldns.k8s.io/v1alpha1/namespaces/shop/dnsendpoints";
    let without = api().await;
    let c = Client::new(&without, TOKEN);
    assert!(!c.get("/apis").await.body.to_string().contains("externaldns"));
    assert_eq!(c.get("/apis/externaldns.k8s.io/v1alpha1").await.status, 404);
    assert_eq!(c.get(records).await.status, 404);

    let with = start(FakeConfig::new().static_token(TOKEN).with_group(ApiGroup::ExternalDns)).await.expect("starts");
    let c = Client::new(&with, TOKEN);
    let list = c.get("/apis/externaldns.k8s.io/v1alpha1").await;
    let names: Vec<&str> =
        list.body["resources"].as_array().expect("resources").iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["dnsendpoints", "dnsendpoints/status"]);
    assert_eq!(list.body["resources"][0]["kind"], "DNSEndpoint");
    assert_eq!(c.get(records).await.status, 200);
}
