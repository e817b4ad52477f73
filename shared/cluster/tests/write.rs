//! Status and annotation writes with the real kube client against the fake API server over HTTP.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use cluster::Cluster;
use fake_apiserver::{FakeConfig, Fault, FaultOp, PolicyRule, RunningApi};
use k8s_openapi::jiff::Timestamp;
use model::conditions::{condition, reasons, types};
use model::config::{Config, Identity};
use model::observed::ObservedState;
use model::snapshot::ObjectRef;
use model::status::{ObjectStatus, ParentRef, RouteParentStatus, RouteStatus, StatusEntry};
use serde_json::{Value, json};
use support::{OURS, class, client, gateway, namespace, put_all, route, service};

const ROUTE: &str = "/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/rates";
const GATEWAY: &str = "/apis/gateway.networking.k8s.io/v1/namespaces/shop/gateways/gw";
const CLASS: &str = "/apis/gateway.networking.k8s.io/v1/gatewayclasses/amazon-vpc-lattice";
const OTHER: &str = "example.com/other-controller";
const DNS: &str = "application-networking.k8s.aws/lattice-assigned-domain-name";

fn other_entry(controller: &str) -> Value {
    json!({
        "parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": "shop", "name": "gw"},
        "controllerName": controller,
        "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted", "message": "mine",
                        "observedGeneration": 1, "lastTransitionTime": "2021-01-01T00:00:00Z"}]
    })
}

fn cluster_objects(api: &RunningApi) {
    let mut rates = route("shop", "rates", ("shop", "gw"), &[("Service", "", "", "rates")]);
    rates["status"] = json!({"parents": [other_entry(OTHER)]});
    put_all(
        api,
        [
            namespace("shop", json!({})),
            class("amazon-vpc-lattice"),
            gateway("shop", "gw", "amazon-vpc-lattice"),
            service("shop", "rates"),
            rates,
        ],
    );
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).expect("time")
}

/// The status the core computes from what the cluster holds now.
async fn computed(cluster: &Cluster, now: Timestamp) -> Vec<StatusEntry> {
    let snapshot = cluster.snapshot().await.expect("snapshot").snapshot;
    let config = Config::new(Identity {
        account_id: "123456789012".to_owned(),
        cluster_name: "demo".to_owned(),
        vpc_id: "vpc-0123".to_owned(),
        region: "us-west-2".to_owned(),
    });
    model::translate::translate(&snapshot, &ObservedState::default(), &config, now).status
}

fn stored_route(api: &RunningApi) -> Value {
    api.get("gateway.networking.k8s.io", "v1", "httproutes", Some("shop"), "rates").expect("route")
}

fn parents_by_controller(route: &Value) -> Vec<String> {
    let parents = route["status"]["parents"].as_array().cloned().unwrap_or_default();
    parents.iter().map(|p| p["controllerName"].as_str().unwrap_or("").to_owned()).collect()
}

fn our_condition(route: &Value, type_: &str) -> Value {
    let parents = route["status"]["parents"].as_array().cloned().unwrap_or_default();
    let ours = parents.into_iter().find(|p| p["controllerName"] == OURS).expect("our entry");
    let conditions = ours["conditions"].as_array().cloned().unwrap_or_default();
    conditions.into_iter().find(|c| c["type"] == type_).expect("condition")
}

#[tokio::test]
async fn status_is_written_once_and_keeps_what_others_wrote() {
    let api = support::fake(FakeConfig::new()).await;
    cluster_objects(&api);
    let cluster = client(&api, "write-once").await;

    let first = cluster.write_status(&computed(&cluster, at(1_000)).await).await;
    assert!(first.failed.is_empty(), "{:?}", first.failed);
    assert_eq!(first.written.len(), 3, "class, Gateway and route: {first:?}");
    assert_eq!(
        [api.writes_to(CLASS), api.writes_to(GATEWAY), api.writes_to(ROUTE)].map(|w| w.expect("count")),
        [1, 1, 1]
    );
    let stored = stored_route(&api);
    assert_eq!(parents_by_controller(&stored), [OTHER, OURS]);
    assert_eq!(stored["status"]["parents"][0], other_entry(OTHER), "the other controller's entry is untouched");
    assert_eq!(our_condition(&stored, "Accepted")["lastTransitionTime"], "1970-01-01T00:16:40Z");
    let class =
        api.get("gateway.networking.k8s.io", "v1", "gatewayclasses", None, "amazon-vpc-lattice").expect("class");
    assert_eq!(class["status"]["conditions"][0]["status"], "True");
    let gw = api.get("gateway.networking.k8s.io", "v1", "gateways", Some("shop"), "gw").expect("gateway");
    assert_eq!(gw["status"]["listeners"][0]["name"], "http");

    // A later run that computes the same status writes nothing, although its timestamps are newer; judged
    // against the snapshot it was computed from, nothing is even pending.
    let snapshot = cluster.snapshot().await.expect("snapshot").snapshot;
    let again = computed(&cluster, at(2_000)).await;
    assert!(cluster::pending_status(&again, &snapshot).is_empty());
    api.clear_requests();
    let second = cluster.write_status(&again).await;
    assert_eq!((second.written.len(), second.unchanged.len()), (0, 3), "{second:?}");
    assert_eq!(
        [api.writes_to(CLASS), api.writes_to(GATEWAY), api.writes_to(ROUTE)].map(|w| w.expect("count")),
        [0, 0, 0]
    );
    let writes = api.requests().iter().filter(|r| r.method != "GET").count();
    assert_eq!(writes, 0);

    // A new generation changes observedGeneration: written, but the transition times stay.
    let mut changed = stored_route(&api);
    changed["spec"]["hostnames"] = json!(["rates.example.com"]);
    api.put(changed).expect("spec change");
    let third = cluster.write_status(&computed(&cluster, at(3_000)).await).await;
    assert!(third.written.contains(&ObjectRef::new("HTTPRoute", "shop", "rates")), "{third:?}");
    let stored = stored_route(&api);
    assert_eq!(our_condition(&stored, "Accepted")["observedGeneration"], 2);
    assert_eq!(our_condition(&stored, "Accepted")["lastTransitionTime"], "1970-01-01T00:16:40Z");
    assert_eq!(parents_by_controller(&stored), [OTHER, OURS]);
}

#[tokio::test]
async fn a_conflicting_write_is_retried_on_the_fresh_object() {
    let api = support::fake(FakeConfig::new()).await;
    cluster_objects(&api);
    let cluster = client(&api, "conflict").await;
    let entries = computed(&cluster, at(1_000)).await;

    api.set_fault(Fault::conflict_next_write(ROUTE)).expect("fault");
    let report = cluster.write_status(&entries).await;
    assert!(report.written.contains(&ObjectRef::new("HTTPRoute", "shop", "rates")), "{report:?}");
    assert_eq!(api.writes_to(ROUTE).expect("count"), 2, "one conflict, one success");
    assert_eq!(parents_by_controller(&stored_route(&api)), [OTHER, OURS]);
}

#[tokio::test]
async fn a_concurrent_writers_entry_survives_the_retry() {
    let api = support::fake(FakeConfig::new()).await;
    cluster_objects(&api);
    // The core computes from a copy read before another controller adds its entry.
    let entries = computed(&client(&api, "concurrent-read").await, at(1_000)).await;
    let writer = Arc::clone(&api);
    let wrote = Arc::new(AtomicBool::new(false));
    let once = Arc::clone(&wrote);
    let cluster = support::hooked_client(&api, "concurrent", move |request| {
        if request.method() == http::Method::PUT
            && request.uri().path() == format!("{ROUTE}/status")
            && !once.swap(true, Ordering::SeqCst)
        {
            // Another controller writes its entry between our read and our write.
            let mut route =
                writer.get("gateway.networking.k8s.io", "v1", "httproutes", Some("shop"), "rates").expect("route");
            let parents = route["status"]["parents"].as_array_mut().expect("parents");
            parents.push(other_entry("example.com/late-controller"));
            writer.put(route).expect("concurrent write");
        }
    })
    .await;

    let report = cluster.write_status(&entries).await;
    assert!(wrote.load(Ordering::SeqCst));
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let conflicts = api.requests().iter().filter(|r| r.method == "PUT" && r.status == 409).count();
    assert_eq!(conflicts, 1);
    assert_eq!(parents_by_controller(&stored_route(&api)), [OTHER, "example.com/late-controller", OURS]);
}

fn route_entry(name: &str, generation: i64, annotations: BTreeMap<String, String>) -> StatusEntry {
    let parent_ref = ParentRef {
        group: "gateway.networking.k8s.io".to_owned(),
        kind: "Gateway".to_owned(),
        namespace: Some("shop".to_owned()),
        name: "gw".to_owned(),
        section_name: None,
        port: None,
    };
    let conditions = vec![condition(types::ACCEPTED, true, reasons::ACCEPTED, "ok", generation, at(1_000))];
    StatusEntry {
        api_version: "gateway.networking.k8s.io/v1".to_owned(),
        kind: "HTTPRoute".to_owned(),
        namespace: Some("shop".to_owned()),
        name: name.to_owned(),
        status: ObjectStatus::Route(RouteStatus {
            parents: vec![RouteParentStatus { parent_ref, controller_name: OURS.to_owned(), conditions }],
        }),
        annotations,
    }
}

#[tokio::test]
async fn annotations_are_merge_patched_when_they_differ() {
    let api = support::fake(FakeConfig::new()).await;
    let mut rates = route("shop", "rates", ("shop", "gw"), &[]);
    rates["metadata"]["annotations"] = json!({"team": "shop"});
    put_all(&api, [rates]);
    let cluster = client(&api, "annotations").await;
    let annotations = BTreeMap::from([
        (DNS.to_owned(), "rates-shop-0123.7d67968.vpc-lattice-svcs.us-west-2.on.aws".to_owned()),
        (
            "application-networking.k8s.aws/lattice-service-arn".to_owned(),
            "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123".to_owned(),
        ),
    ]);
    let entry = route_entry("rates", 1, annotations.clone());

    let first = cluster.write_status(std::slice::from_ref(&entry)).await;
    assert_eq!(first.written, [ObjectRef::new("HTTPRoute", "shop", "rates")]);
    let patches: Vec<_> = api.requests().into_iter().filter(|r| r.method == "PATCH").collect();
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0].path, ROUTE, "annotations go to the object, not its status");
    assert_eq!(patches[0].content_type.as_deref(), Some("application/merge-patch+json"));
    let stored = stored_route(&api);
    assert_eq!(stored["metadata"]["annotations"]["team"], "shop");
    assert_eq!(stored["metadata"]["annotations"][DNS], annotations[DNS]);

    api.clear_requests();
    let second = cluster.write_status(&[entry]).await;
    assert_eq!(second.unchanged, [ObjectRef::new("HTTPRoute", "shop", "rates")]);
    assert!(api.requests().iter().all(|r| r.method == "GET"));
}

#[tokio::test]
async fn one_failed_object_does_not_stop_the_others() {
    let api = support::fake(FakeConfig::new()).await;
    let mut newer = route("shop", "newer", ("shop", "gw"), &[]);
    newer["status"] = json!({"parents": [{
        "parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": "shop", "name": "gw"},
        "controllerName": OURS,
        "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted", "message": "",
                        "observedGeneration": 5, "lastTransitionTime": "2021-01-01T00:00:00Z"}]
    }]});
    put_all(&api, [route("shop", "broken", ("shop", "gw"), &[]), route("shop", "fine", ("shop", "gw"), &[]), newer]);
    let cluster = client(&api, "isolation").await;
    api.set_fault(Fault::fail(FaultOp::Write, "httproutes", 1, 500)).expect("fault");

    let entries: Vec<StatusEntry> =
        ["broken", "gone", "newer", "fine"].into_iter().map(|n| route_entry(n, 1, BTreeMap::new())).collect();
    let report = cluster.write_status(&entries).await;
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert_eq!(report.failed[0].0, ObjectRef::new("HTTPRoute", "shop", "broken"));
    assert!(report.failed[0].1.contains("500") || report.failed[0].1.contains("InternalError"), "{:?}", report.failed);
    assert_eq!(report.gone, [ObjectRef::new("HTTPRoute", "shop", "gone")]);
    assert_eq!(report.stale, [ObjectRef::new("HTTPRoute", "shop", "newer")]);
    assert_eq!(report.written, [ObjectRef::new("HTTPRoute", "shop", "fine")]);
    assert!(!report.is_success());
}

/// The least-privilege ClusterRole of the functions: reads of every kind, status updates, patches of routes.
fn least_privilege() -> Vec<PolicyRule> {
    let gateway = "gateway.networking.k8s.io";
    vec![
        PolicyRule::new(
            &[gateway],
            &["gatewayclasses", "gateways", "httproutes", "grpcroutes", "tlsroutes", "referencegrants"],
            &["get", "list"],
        ),
        PolicyRule::new(&[gateway], &["httproutes", "grpcroutes", "tlsroutes"], &["patch"]),
        PolicyRule::new(
            &[gateway],
            &["gatewayclasses/status", "gateways/status", "httproutes/status", "grpcroutes/status", "tlsroutes/status"],
            &["get", "update"],
        ),
        PolicyRule::new(
            &["application-networking.k8s.aws", "multicluster.x-k8s.io"],
            &["serviceimports"],
            &["get", "list"],
        ),
        PolicyRule::new(
            &["application-networking.k8s.aws"],
            &[
                "serviceexports",
                "targetgrouppolicies",
                "vpcassociationpolicies",
                "accesslogpolicies",
                "iamauthpolicies",
                "servicenetworks",
            ],
            &["get", "list"],
        ),
        PolicyRule::new(
            &["application-networking.k8s.aws"],
            &[
                "serviceexports/status",
                "targetgrouppolicies/status",
                "vpcassociationpolicies/status",
                "accesslogpolicies/status",
                "iamauthpolicies/status",
                "servicenetworks/status",
            ],
            &["get", "update"],
        ),
        PolicyRule::new(&[""], &["namespaces", "services"], &["get", "list"]),
        PolicyRule::new(&["discovery.k8s.io"], &["endpointslices"], &["get", "list"]),
        PolicyRule::new(&[""], &["pods"], &["get"]),
        PolicyRule::new(&[""], &["pods/status"], &["patch"]),
        PolicyRule::new(&["externaldns.k8s.io"], &["dnsendpoints"], &["get", "list", "create", "patch", "delete"]),
        PolicyRule::new(&["admissionregistration.k8s.io"], &["mutatingwebhookconfigurations"], &["create"]),
        PolicyRule::new(
            &["admissionregistration.k8s.io"],
            &["mutatingwebhookconfigurations"],
            &["get", "update", "patch", "delete"],
        )
        .names(&[model::webhook::CONFIGURATION_NAME]),
    ]
}

#[tokio::test]
async fn reads_and_writes_need_only_the_least_privilege_role() {
    let api = support::fake(FakeConfig::new().rbac(least_privilege())).await;
    cluster_objects(&api);
    let cluster = client(&api, "rbac").await;
    let mut entries = computed(&cluster, at(1_000)).await;
    for entry in entries.iter_mut().filter(|e| e.kind == "HTTPRoute") {
        entry.annotations.insert(DNS.to_owned(), "rates.example".to_owned());
    }
    cluster.snapshot_for_route(&ObjectRef::new("HTTPRoute", "shop", "rates")).await.expect("scoped read");
    let report = cluster.write_status(&entries).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.written.len(), 3);
    assert!(api.requests().iter().all(|r| r.status != 403), "nothing was forbidden");

    let reader_only = support::fake(FakeConfig::new().rbac(least_privilege()[..1].to_vec())).await;
    cluster_objects(&reader_only);
    let err = client(&reader_only, "rbac-reader").await.snapshot().await.expect_err("services are forbidden");
    assert!(format!("{err:?}").contains("403"), "{err:?}");
}

#[tokio::test]
async fn dns_records_readiness_gates_and_the_webhook_need_only_the_least_privilege_role() {
    use model::dns::{DnsRecord, DnsWanted};
    let config = FakeConfig::new().with_group(fake_apiserver::ApiGroup::ExternalDns).rbac(least_privilege());
    let api = support::fake(config).await;
    cluster_objects(&api);
    let uid = api.get("gateway.networking.k8s.io", "v1", "httproutes", Some("shop"), "rates").expect("route")
        ["metadata"]["uid"]
        .as_str()
        .map(str::to_owned);
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "rates-1", "namespace": "shop"},
        "spec": {"readinessGates": [{"conditionType": model::readiness::GATE_CONDITION_TYPE}]}});
    put_all(&api, [pod]);
    let cluster = client(&api, "rbac-extras").await;
    let route = ObjectRef::new("HTTPRoute", "shop", "rates");
    let record = DnsRecord { hostname: "rates.example.com".into(), target: "rates.lattice".into() };
    for target in [Some(record.clone()), Some(DnsRecord { target: "other.lattice".into(), ..record }), None] {
        let wanted = DnsWanted { route: route.clone(), uid: uid.clone(), record: target };
        let ghost = DnsWanted { route: ObjectRef::new("HTTPRoute", "shop", "ghost"), uid: None, record: None };
        let outcome = cluster.sync_dns_endpoints(&[wanted, ghost], false).await;
        assert!(outcome.served && outcome.is_success(), "{outcome:?}");
    }
    let gate = cluster.pod_gate(&ObjectRef::new("Pod", "shop", "rates-1")).await.expect("get pod").expect("pod");
    let condition = k8s_openapi::api::core::v1::PodCondition {
        type_: model::readiness::GATE_CONDITION_TYPE.to_owned(),
        status: "True".to_owned(),
        ..Default::default()
    };
    assert!(cluster.set_pod_gate(&gate, &condition).await.expect("patch pods/status"));
    let gated = model::webhook::GatedService {
        namespace: "shop".into(),
        name: "rates".into(),
        selector: [("app".to_owned(), "rates".to_owned())].into(),
    };
    let config = model::webhook::configuration(&[gated], "https://hook.example/");
    for wanted in [model::webhook::WebhookWanted::Present(config), model::webhook::WebhookWanted::Absent] {
        let outcome = cluster.sync_readiness_webhook(&wanted, false).await;
        assert!(outcome.change.is_some() && outcome.failed.is_none(), "{outcome:?}");
    }
    assert!(api.requests().iter().all(|r| r.status != 403), "nothing was forbidden");
}
