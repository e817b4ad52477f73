//! external-dns `DNSEndpoint`s of routes with the real kube client against the fake API server over
//! HTTP: created, kept, updated, deleted, someone else's left alone, and nothing at all where the CRD
//! is not installed.

mod support;

use fake_apiserver::{ApiGroup, FakeConfig, RunningApi};
use model::dns::{DnsRecord, DnsWanted};
use model::snapshot::ObjectRef;
use serde_json::{Value, json};
use support::{client, lines, put_all, route};

const RECORDS: &str = "/apis/externaldns.k8s.io/v1alpha1/namespaces/shop/dnsendpoints";

async fn with_external_dns() -> std::sync::Arc<RunningApi> {
    support::fake(FakeConfig::new().with_group(ApiGroup::ExternalDns)).await
}

/// Stores HTTPRoutes `shop/<name>` and returns their uids.
fn routes(api: &RunningApi, names: &[&str]) -> Vec<String> {
    let mut uids = Vec::new();
    for name in names {
        let stored = api.put(route("shop", name, ("shop", "gw"), &[])).expect("route");
        uids.push(stored["metadata"]["uid"].as_str().expect("uid").to_owned());
    }
    uids
}

fn wanted(name: &str, uid: &str, target: Option<&str>) -> DnsWanted {
    DnsWanted {
        route: ObjectRef::new("HTTPRoute", "shop", name),
        uid: Some(uid.to_owned()),
        record: target.map(|t| DnsRecord { hostname: format!("{name}.example.com"), target: t.to_owned() }),
    }
}

fn record(api: &RunningApi, name: &str) -> Option<Value> {
    api.get("externaldns.k8s.io", "v1alpha1", "dnsendpoints", Some("shop"), name)
}

fn dns_ref(name: &str) -> ObjectRef {
    ObjectRef::new("DNSEndpoint", "shop", name)
}

#[tokio::test]
async fn without_the_crd_nothing_is_read_or_written_after_one_discovery() {
    let api = support::fake(FakeConfig::new()).await;
    let uids = routes(&api, &["rates"]);
    let cluster = client(&api, "dns-absent").await;
    api.clear_requests();
    let outcome = cluster.sync_dns_endpoints(&[wanted("rates", &uids[0], Some("rates.lattice"))], false).await;
    assert!(!outcome.served && outcome.is_success(), "{outcome:?}");
    assert!(outcome.created.is_empty());
    assert_eq!(lines(&api.requests()), ["GET /apis/externaldns.k8s.io/v1alpha1"]);
    api.clear_requests();
    cluster.sync_dns_endpoints(&[wanted("rates", &uids[0], Some("rates.lattice"))], false).await;
    assert!(api.requests().is_empty(), "discovery is remembered for the client");
}

#[tokio::test]
async fn a_route_record_is_created_kept_updated_and_deleted() {
    let api = with_external_dns().await;
    let uids = routes(&api, &["rates"]);
    let cluster = client(&api, "dns-lifecycle").await;
    let path = format!("{RECORDS}/rates-dns");

    let created = cluster.sync_dns_endpoints(&[wanted("rates", &uids[0], Some("rates-a.lattice"))], false).await;
    assert_eq!(created.created, [dns_ref("rates-dns")], "{created:?}");
    let stored = record(&api, "rates-dns").expect("created");
    assert_eq!(
        stored["spec"]["endpoints"],
        json!([{"dnsName": "rates.example.com", "recordType": "CNAME", "targets": ["rates-a.lattice"], "recordTTL": 300}])
    );
    assert_eq!(stored["metadata"]["ownerReferences"][0]["uid"], uids[0].as_str());
    assert_eq!(stored["metadata"]["ownerReferences"][0]["controller"], true);

    api.clear_requests();
    let kept = cluster.sync_dns_endpoints(&[wanted("rates", &uids[0], Some("rates-a.lattice"))], false).await;
    assert_eq!(kept.unchanged, [dns_ref("rates-dns")]);
    assert_eq!(lines(&api.requests()), [format!("GET {path}")], "one read, no write");

    let updated = cluster.sync_dns_endpoints(&[wanted("rates", &uids[0], Some("rates-b.lattice"))], false).await;
    assert_eq!(updated.updated, [dns_ref("rates-dns")]);
    let stored = record(&api, "rates-dns").expect("updated");
    assert_eq!(stored["spec"]["endpoints"][0]["targets"], json!(["rates-b.lattice"]));

    let deleted = cluster.sync_dns_endpoints(&[wanted("rates", &uids[0], None)], false).await;
    assert_eq!(deleted.deleted, [dns_ref("rates-dns")]);
    assert!(record(&api, "rates-dns").is_none());
    assert_eq!(api.writes_to(&path).expect("path"), 2, "since the create: one update, one delete, nothing else");

    let nothing = cluster.sync_dns_endpoints(&[wanted("rates", &uids[0], None)], false).await;
    assert!(nothing.deleted.is_empty() && nothing.is_success());
}

#[tokio::test]
async fn someone_elses_record_of_the_name_is_reported_and_left_alone() {
    let api = with_external_dns().await;
    let uids = routes(&api, &["rates"]);
    let theirs = json!({"apiVersion": "externaldns.k8s.io/v1alpha1", "kind": "DNSEndpoint",
        "metadata": {"name": "rates-dns", "namespace": "shop", "labels": {"team": "dns"}},
        "spec": {"endpoints": [{"dnsName": "rates.example.com", "recordType": "A", "targets": ["10.1.1.1"]}]}});
    put_all(&api, [theirs.clone()]);
    let cluster = client(&api, "dns-foreign").await;
    let path = format!("{RECORDS}/rates-dns");
    let before = api.writes_to(&path).expect("path");

    let outcome = cluster.sync_dns_endpoints(&[wanted("rates", &uids[0], Some("rates.lattice"))], false).await;
    assert_eq!(outcome.foreign.len(), 1, "{outcome:?}");
    assert!(outcome.foreign[0].1.contains("not owned by HTTPRoute shop/rates"), "{}", outcome.foreign[0].1);
    let none = cluster.sync_dns_endpoints(&[wanted("rates", &uids[0], None)], false).await;
    assert!(none.deleted.is_empty() && none.foreign.is_empty(), "not ours: not deleted either");
    assert_eq!(api.writes_to(&path).expect("path"), before, "never written");
    assert_eq!(record(&api, "rates-dns").expect("still there")["spec"], theirs["spec"]);
}

#[tokio::test]
async fn many_routes_cost_one_list_and_records_go_with_their_route() {
    let api = with_external_dns().await;
    let uids = routes(&api, &["rates", "reviews", "plain"]);
    let cluster = client(&api, "dns-many").await;
    let all = [
        wanted("rates", &uids[0], Some("rates.lattice")),
        wanted("reviews", &uids[1], Some("reviews.lattice")),
        wanted("plain", &uids[2], None),
    ];
    let outcome = cluster.sync_dns_endpoints(&all, false).await;
    assert_eq!(outcome.created, [dns_ref("rates-dns"), dns_ref("reviews-dns")]);

    api.clear_requests();
    let again = cluster.sync_dns_endpoints(&all, false).await;
    assert_eq!(again.unchanged.len(), 2);
    assert_eq!(
        lines(&api.requests()),
        ["GET /apis/externaldns.k8s.io/v1alpha1/dnsendpoints"],
        "one list across namespaces, nothing written"
    );

    assert!(api.delete("gateway.networking.k8s.io", "v1", "httproutes", Some("shop"), "rates"));
    assert!(record(&api, "rates-dns").is_none(), "the owner reference makes Kubernetes delete it with the route");
    assert!(record(&api, "reviews-dns").is_some());
}

#[tokio::test]
async fn a_dry_run_reads_and_reports_but_writes_nothing() {
    let api = with_external_dns().await;
    let uids = routes(&api, &["rates"]);
    let cluster = client(&api, "dns-dry").await;
    let outcome = cluster.sync_dns_endpoints(&[wanted("rates", &uids[0], Some("rates.lattice"))], true).await;
    assert_eq!(outcome.created, [dns_ref("rates-dns")], "what it would create");
    assert!(record(&api, "rates-dns").is_none());
    assert!(api.requests().iter().all(|r| r.method == "GET"), "{:?}", lines(&api.requests()));
}

#[tokio::test]
async fn failed_writes_are_reported_per_route() {
    let api = with_external_dns().await;
    let uids = routes(&api, &["rates", "reviews"]);
    let cluster = client(&api, "dns-fail").await;
    api.set_fault(fake_apiserver::Fault::Fail {
        op: fake_apiserver::FaultOp::Write,
        plural: "dnsendpoints".to_owned(),
        times: 1,
        code: 500,
    })
    .expect("fault");
    let all = [wanted("rates", &uids[0], Some("rates.lattice")), wanted("reviews", &uids[1], Some("reviews.lattice"))];
    let outcome = cluster.sync_dns_endpoints(&all, false).await;
    assert_eq!(outcome.failed.len(), 1, "{outcome:?}");
    assert_eq!(outcome.failed[0].0, dns_ref("rates-dns"));
    assert_eq!(outcome.created, [dns_ref("reviews-dns")], "one failure does not stop the others");
}

#[tokio::test]
async fn two_routes_of_one_name_share_the_record_of_the_first() {
    let api = with_external_dns().await;
    let uids = routes(&api, &["rates"]);
    let grpc = json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GRPCRoute",
        "metadata": {"name": "rates", "namespace": "shop"}, "spec": {}});
    let grpc_uid = api.put(grpc).expect("grpc route")["metadata"]["uid"].as_str().expect("uid").to_owned();
    let cluster = client(&api, "dns-twins").await;
    let grpc_wanted =
        DnsWanted { route: ObjectRef::new("GRPCRoute", "shop", "rates"), ..wanted("rates", &grpc_uid, Some("g")) };
    let outcome =
        cluster.sync_dns_endpoints(&[wanted("rates", &uids[0], Some("rates.lattice")), grpc_wanted], false).await;
    assert_eq!(outcome.created, [dns_ref("rates-dns")]);
    assert_eq!(outcome.foreign.len(), 1, "the GRPCRoute is told the name is taken: {outcome:?}");
    assert!(outcome.is_success());
}
