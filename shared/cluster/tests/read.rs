//! Reads with the real kube client against the fake API server over HTTP.

mod support;

use std::sync::Arc;

use cluster::{Cluster, Error};
use fake_apiserver::{ApiGroup, FakeConfig, Fault, FaultOp, RunningApi};
use model::snapshot::{ObjectRef, name_of};
use serde_json::json;
use support::{
    class, client, gateway, grant, lines, namespace, put_all, route, service, service_export, service_import,
    service_network, slice, target_group_policy,
};

const ROUTES: &str = "/apis/gateway.networking.k8s.io/v1/httproutes";

/// A small cluster: one class, one Gateway, a Service with its slice, a grant, an import, two namespaces.
fn basics(api: &RunningApi) {
    put_all(
        api,
        [
            namespace("shop", json!({"team": "shop"})),
            namespace("bank", json!({})),
            class("amazon-vpc-lattice"),
            gateway("shop", "gw", "amazon-vpc-lattice"),
            service("shop", "rates"),
            slice("shop", "rates", "a", "10.0.0.1"),
            grant("bank", "shop-routes", "shop"),
            service_import("shop", "remote"),
            target_group_policy("shop", "rates-hc", "rates"),
            service_network("my-hotel"),
        ],
    );
}

#[tokio::test]
async fn full_read_pages_through_every_list() {
    let api = support::fake(FakeConfig::new()).await;
    basics(&api);
    for i in 0..1200 {
        api.put(route("shop", &format!("r-{i:04}"), ("shop", "gw"), &[("Service", "", "", "rates")])).expect("route");
    }
    let cluster = client(&api, "full-read").await;
    api.clear_requests();

    let read = cluster.snapshot().await.expect("snapshot");
    let snapshot = &read.snapshot;
    assert!(read.unreadable.is_empty(), "{:?}", read.unreadable);
    assert!(read.missing.is_empty());
    assert_eq!(snapshot.http_routes.len(), 1200);
    assert_eq!(name_of(&snapshot.http_routes[1199].metadata), "r-1199");
    assert_eq!(
        [snapshot.gateway_classes.len(), snapshot.gateways.len(), snapshot.namespaces.len(), snapshot.services.len()],
        [1, 1, 2, 1]
    );
    assert_eq!(
        [snapshot.endpoint_slices.len(), snapshot.reference_grants.len(), snapshot.service_imports.len()],
        [1, 1, 1]
    );
    assert_eq!(snapshot.service_imports[0].group, "application-networking.k8s.aws");
    assert_eq!(
        [snapshot.target_group_policies.len(), snapshot.service_networks.len(), snapshot.iam_auth_policies.len()],
        [1, 1, 0]
    );
    let policy = &snapshot.target_group_policies[0];
    assert_eq!(policy.spec.health_check.as_ref().and_then(|h| h.path.as_deref()), Some("/healthz"));

    let requests = api.requests();
    let pages: Vec<_> = requests.iter().filter(|r| r.path == ROUTES).collect();
    assert_eq!(pages.len(), 3, "1200 routes at 500 a page");
    assert!(pages.iter().all(|p| p.query_param("limit").as_deref() == Some("500")));
    assert_eq!(pages[0].query_param("continue"), None);
    assert!(pages[1].query_param("continue").is_some() && pages[2].query_param("continue").is_some());
    // Discovery of the two groups that vary between clusters (plus the multi-cluster services group, which
    // this server does not serve), then one list per kind (16 served) and two more route pages.
    assert_eq!(requests.len(), 21, "{:#?}", lines(&requests));
    assert!(
        requests
            .iter()
            .all(|r| r.method == "GET" && r.status == 200 || r.path == "/apis/multicluster.x-k8s.io/v1alpha1")
    );

    api.clear_requests();
    cluster.snapshot().await.expect("second snapshot");
    let again = api.requests();
    assert_eq!(again.len(), 18, "discovery is not repeated: {:#?}", lines(&again));
    assert_eq!(cluster.calls().get("list httproutes"), Some(&6));
}

#[tokio::test]
async fn an_object_that_cannot_be_converted_is_reported_and_the_rest_loads() {
    let api = support::fake(FakeConfig::new()).await;
    basics(&api);
    let mut bad = route("shop", "bad", ("shop", "gw"), &[("Service", "", "", "rates")]);
    bad["spec"]["rules"][0]["matches"][0]["path"]["type"] = json!("Glob");
    let mut odd = service("shop", "odd");
    odd["spec"]["ports"][0]["port"] = json!("eighty");
    put_all(&api, [route("shop", "good", ("shop", "gw"), &[]), bad, odd]);

    let read = client(&api, "unreadable").await.snapshot().await.expect("snapshot");
    let routes: Vec<&str> = read.snapshot.http_routes.iter().map(|r| name_of(&r.metadata)).collect();
    assert_eq!(routes, ["good"]);
    assert_eq!(read.snapshot.services.len(), 1);
    assert_eq!(read.unreadable.len(), 2, "{:?}", read.unreadable);
    let (reference, problem) = &read.unreadable[0];
    assert_eq!(reference, &ObjectRef::new("HTTPRoute", "shop", "bad"));
    assert!(problem.starts_with("spec.rules[0].matches[0].path.type: unknown variant `Glob`"), "{problem}");
    let (reference, problem) = &read.unreadable[1];
    assert_eq!(reference, &ObjectRef::new("Service", "shop", "odd"));
    assert!(problem.starts_with("spec.ports[0].port: "), "{problem}");
}

#[tokio::test]
async fn a_group_that_is_not_installed_is_an_absent_feature() {
    let api = support::fake(FakeConfig::new().without_group(ApiGroup::ApplicationNetworking)).await;
    put_all(&api, [namespace("shop", json!({})), class("amazon-vpc-lattice")]);
    let cluster = client(&api, "absent-group").await;
    api.clear_requests();
    let read = cluster.snapshot().await.expect("snapshot");
    assert!(read.snapshot.service_imports.is_empty());
    assert_eq!(read.snapshot.gateway_classes.len(), 1);
    let requests = api.requests();
    assert!(requests.iter().any(|r| r.path == "/apis/application-networking.k8s.aws/v1alpha1" && r.status == 404));
    assert!(!requests.iter().any(|r| r.path.ends_with("/serviceimports")), "{:#?}", lines(&requests));

    let bare = support::fake(FakeConfig::new().without_group(ApiGroup::Gateway)).await;
    put_all(&bare, [namespace("shop", json!({}))]);
    let read = client(&bare, "no-gateway-api").await.snapshot().await.expect("snapshot without Gateway API");
    assert!(read.snapshot.http_routes.is_empty() && read.snapshot.gateways.is_empty());
    assert_eq!(read.snapshot.namespaces.len(), 1);
}

#[tokio::test]
async fn a_failed_list_fails_the_whole_read() {
    let api = support::fake(FakeConfig::new()).await;
    basics(&api);
    let cluster = client(&api, "failed-list").await;
    for code in [500, 403, 401] {
        api.set_fault(Fault::fail(FaultOp::List, "services", 1, code)).expect("fault");
        let err = cluster.snapshot().await.expect_err("no partial snapshot");
        assert!(matches!(err, Error::List { ref resource, .. } if resource.starts_with("services/v1")), "{err:?}");
    }
    api.set_fault(Fault::fail(FaultOp::List, "endpointslices", 1, 500)).expect("fault");
    assert!(cluster.snapshot().await.is_err());
    cluster.snapshot().await.expect("the next read, without faults, succeeds");
}

#[tokio::test]
async fn a_listing_whose_next_page_fails_fails_the_whole_read() {
    let api = support::fake(FakeConfig::new()).await;
    basics(&api);
    put_all(&api, [route("shop", "a", ("shop", "gw"), &[]), route("shop", "b", ("shop", "gw"), &[])]);
    let cluster = client(&api, "truncated").await;
    api.set_fault(Fault::truncate_list("httproutes")).expect("fault");
    let err = cluster.snapshot().await.expect_err("truncated listing");
    assert!(matches!(err, Error::List { ref resource, .. } if resource.starts_with("httproutes.gateway")), "{err:?}");
    let continued: Vec<_> =
        api.requests().into_iter().filter(|r| r.path == ROUTES && r.query_param("continue").is_some()).collect();
    assert_eq!(continued.len(), 1);
    assert_eq!(continued[0].status, 500);

    // Continue tokens that expire in the middle of a listing (410 Gone, as after a compaction) fail it too.
    let expiring = Arc::clone(&api);
    let small = support::hooked_client(&api, "expired", move |request| {
        if request.uri().query().is_some_and(|q| q.contains("continue=")) {
            expiring.set_fault(Fault::ExpireContinueTokens).expect("fault");
        }
    })
    .await
    .with_page_size(1);
    let err = small.snapshot().await.expect_err("expired continue token");
    assert!(matches!(err, Error::List { ref resource, .. } if resource.starts_with("httproutes")), "{err:?}");
    assert!(api.requests().iter().any(|r| r.status == 410));
}

fn scoped_cluster(api: &RunningApi) {
    basics(api);
    put_all(
        api,
        [
            namespace("infra", json!({})),
            class("other-class"),
            gateway("infra", "shared", "amazon-vpc-lattice"),
            service("bank", "ledger"),
            service_export("shop", "remote"),
            service_export("shop", "unrelated"),
            slice("bank", "ledger", "a", "10.0.1.1"),
            slice("bank", "ledger", "b", "10.0.1.2"),
            slice("bank", "unrelated", "a", "10.0.1.9"),
            route(
                "shop",
                "rates",
                ("infra", "shared"),
                &[
                    ("Service", "", "", "rates"),
                    ("Service", "", "bank", "ledger"),
                    ("ServiceImport", "application-networking.k8s.aws", "", "remote"),
                ],
            ),
        ],
    );
    for i in 0..50 {
        put_all(api, [route("shop", &format!("other-{i}"), ("shop", "gw"), &[]), service("shop", &format!("svc-{i}"))]);
    }
}

#[tokio::test]
async fn scoped_read_fetches_only_what_one_route_needs() {
    let api = support::fake(FakeConfig::new()).await;
    scoped_cluster(&api);
    let cluster = client(&api, "scoped").await;
    api.clear_requests();

    let rates = ObjectRef::new("HTTPRoute", "shop", "rates");
    let read = cluster.snapshot_for_route(&rates).await.expect("scoped read");
    let requests = api.requests();
    assert_eq!(
        lines(&requests),
        [
            "GET /apis/gateway.networking.k8s.io/v1",
            "GET /apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/rates",
            "GET /apis/gateway.networking.k8s.io/v1/namespaces/infra/gateways/shared",
            "GET /apis/gateway.networking.k8s.io/v1/gatewayclasses/amazon-vpc-lattice",
            "GET /api/v1/namespaces/shop",
            "GET /api/v1/namespaces/bank/services/ledger",
            "GET /apis/discovery.k8s.io/v1/namespaces/bank/endpointslices",
            "GET /api/v1/namespaces/shop/services/rates",
            "GET /apis/discovery.k8s.io/v1/namespaces/shop/endpointslices",
            "GET /apis/application-networking.k8s.aws/v1alpha1",
            "GET /apis/application-networking.k8s.aws/v1alpha1/namespaces/shop/serviceimports/remote",
            "GET /apis/application-networking.k8s.aws/v1alpha1/namespaces/shop/serviceexports/remote",
            "GET /apis/application-networking.k8s.aws/v1alpha1/targetgrouppolicies",
            "GET /apis/application-networking.k8s.aws/v1alpha1/accesslogpolicies",
            "GET /apis/application-networking.k8s.aws/v1alpha1/iamauthpolicies",
            "GET /apis/gateway.networking.k8s.io/v1/namespaces/bank/referencegrants",
        ]
    );
    assert_eq!(requests[6].query_param("labelSelector").as_deref(), Some("kubernetes.io/service-name=ledger"));
    let snapshot = &read.snapshot;
    assert_eq!(snapshot.http_routes.len(), 1);
    assert_eq!(
        [snapshot.gateways.len(), snapshot.gateway_classes.len(), snapshot.namespaces.len(), snapshot.services.len()],
        [1, 1, 1, 2]
    );
    assert_eq!(
        [snapshot.endpoint_slices.len(), snapshot.service_imports.len(), snapshot.reference_grants.len()],
        [3, 1, 1]
    );
    assert_eq!(snapshot.target_group_policies.len(), 1, "the backend's TargetGroupPolicy");
    let exports: Vec<_> = snapshot.service_exports.iter().map(|e| e.metadata.name.as_deref()).collect();
    assert_eq!(exports, [Some("remote")], "the ServiceExport the import discovers, no other");
    assert!(read.missing.is_empty() && read.unreadable.is_empty());

    // The route's status computed from the scoped read is the one computed from the whole cluster.
    let full = cluster.snapshot().await.expect("full read");
    let config = model::config::Config::new(model::config::Identity {
        account_id: "123456789012".to_owned(),
        cluster_name: "demo".to_owned(),
        vpc_id: "vpc-0123".to_owned(),
        region: "us-west-2".to_owned(),
    });
    let now = k8s_openapi::jiff::Timestamp::from_second(1_700_000_000).expect("time");
    let status_of = |snapshot| {
        let observed = model::observed::ObservedState::default();
        let translation = model::translate::translate(snapshot, &observed, &config, now);
        translation.status.into_iter().find(|s| s.kind == "HTTPRoute" && s.name == "rates").expect("route status")
    };
    let scoped_status = status_of(&read.snapshot);
    let conditions = scoped_status.conditions();
    let resolved = conditions.iter().map(|(_, c)| c).find(|c| c.type_ == "ResolvedRefs").expect("ResolvedRefs");
    // Only the import is unresolved (nothing exports it); the granted cross-namespace Service resolves.
    assert!(
        resolved.message.contains("ServiceImport shop/remote") && !resolved.message.contains("ledger"),
        "{resolved:?}"
    );
    assert_eq!(scoped_status, status_of(&full.snapshot));

    api.clear_requests();
    cluster.snapshot_for_route(&rates).await.expect("second scoped read");
    assert_eq!(api.requests().len(), 14, "discovery answers are kept");
}

#[tokio::test]
async fn a_deleted_route_reads_as_missing_and_an_unreadable_one_as_unreadable() {
    let api = support::fake(FakeConfig::new()).await;
    scoped_cluster(&api);
    let cluster = client(&api, "scoped-missing").await;
    api.clear_requests();
    let gone = ObjectRef::new("HTTPRoute", "shop", "gone");
    let read = cluster.snapshot_for_route(&gone).await.expect("scoped read");
    assert_eq!(read.missing, [gone]);
    assert!(read.snapshot.http_routes.is_empty() && read.snapshot.gateways.is_empty());
    assert_eq!(api.requests().len(), 2, "{:#?}", lines(&api.requests()));

    let mut bad = route("shop", "bad", ("infra", "shared"), &[]);
    bad["spec"]["parentRefs"] = json!("not a list");
    api.put(bad).expect("bad route");
    let read = cluster.snapshot_for_route(&ObjectRef::new("HTTPRoute", "shop", "bad")).await.expect("scoped read");
    assert_eq!(read.unreadable.len(), 1);
    assert!(read.unreadable[0].1.starts_with("spec.parentRefs: "), "{:?}", read.unreadable);
    assert!(read.snapshot.gateways.is_empty());

    let err = cluster.snapshot_for_route(&ObjectRef::new("Gateway", "shop", "gw")).await.expect_err("not a route");
    assert!(matches!(err, Error::UnsupportedRouteKind { .. }), "{err:?}");
}

#[tokio::test]
async fn reference_grants_are_read_as_v1beta1_where_v1_is_not_served() {
    let api = support::fake(FakeConfig::new()).await;
    scoped_cluster(&api);
    let proxy = support::proxy::v1beta1_reference_grants(api.url()).await;
    let path = support::kubeconfig_for(proxy.url(), "v1beta1-grants");
    let cluster = Cluster::from_kubeconfig(&path, None).await.expect("client");
    api.clear_requests();

    let read = cluster.snapshot().await.expect("snapshot");
    assert_eq!(read.snapshot.reference_grants.len(), 1);
    assert_eq!(name_of(&read.snapshot.reference_grants[0].metadata), "shop-routes");
    let requests = api.requests();
    assert!(requests.iter().any(|r| r.path == "/apis/gateway.networking.k8s.io/v1beta1"));
    assert!(requests.iter().any(|r| r.path == "/apis/gateway.networking.k8s.io/v1beta1/referencegrants"));
    assert!(!requests.iter().any(|r| r.path.starts_with("/apis/gateway.networking.k8s.io/v1/referencegrants")));

    api.clear_requests();
    let scoped = cluster.snapshot_for_route(&ObjectRef::new("HTTPRoute", "shop", "rates")).await.expect("scoped");
    assert_eq!(scoped.snapshot.reference_grants.len(), 1);
    assert!(
        api.requests()
            .iter()
            .any(|r| r.path == "/apis/gateway.networking.k8s.io/v1beta1/namespaces/bank/referencegrants")
    );
}
