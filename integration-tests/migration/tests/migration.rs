//! Migrating from the existing controller: VPC Lattice holds exactly what that controller
//! created for the hotel example (its random target group names, port-80 target groups, rule
//! names and priorities, tags), made through the real SDK against the emulator; our first
//! reconcile with the same cluster identity must create and delete nothing, keep every service
//! (and so its DNS name), and a second run must plan nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use k8s_openapi::jiff::Timestamp;
use lattice::{AdapterConfig, Lattice};
use lattice_sim::{RunningSim, SimConfig};
use migration_tests::{Anchor, HOTEL_NETWORK, HotelSeed, Identity, RouteRef, RuleSeed, seed_hotel};
use model::config::Config;
use model::plan::Scope;
use model::snapshot::ClusterSnapshot;
use reconciler::{Mode, Report, Request};

/// The cluster identity both controllers run with.
fn identity() -> Identity {
    Identity {
        account_id: "123456789012".into(),
        cluster_name: "hotel-cluster".into(),
        vpc_id: "vpc-0aaa1111bbbb2222c".into(),
    }
}

fn config() -> Config {
    let id = identity();
    Config::new(model::config::Identity {
        account_id: id.account_id,
        cluster_name: id.cluster_name,
        vpc_id: id.vpc_id,
        region: "us-west-2".into(),
    })
}

struct World {
    sim: RunningSim,
    sdk: SdkConfig,
    network: String,
}

async fn world() -> World {
    let sim = lattice_sim::start(SimConfig::default(), "127.0.0.1:0".parse().expect("address")).await.expect("starts");
    let (network, _) = sim.seed_service_network(HOTEL_NETWORK, &BTreeMap::new()).expect("network");
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .region(Region::new("us-west-2"))
        .endpoint_url(sim.endpoint())
        .load()
        .await;
    World { sim, sdk, network }
}

impl World {
    fn anchor(&self) -> Anchor {
        Anchor::new(aws_sdk_vpclattice::Client::new(&self.sdk), identity(), 1_767_225_600, 7)
    }

    fn adapter(&self) -> Lattice {
        let pacing = AdapterConfig {
            tps: 1000,
            initial_backoff: Duration::from_millis(5),
            pending_wait: Duration::from_secs(1),
            ..AdapterConfig::default()
        };
        Lattice::new(&self.sdk, pacing)
    }

    /// Service name → (id, DNS name), as the API lists them.
    async fn services(&self) -> BTreeMap<String, (String, String)> {
        let client = aws_sdk_vpclattice::Client::new(&self.sdk);
        let out = client.list_services().send().await.expect("ListServices");
        out.items()
            .iter()
            .map(|s| {
                let dns = s.dns_entry().and_then(|d| d.domain_name()).unwrap_or_default();
                (s.name().unwrap_or_default().to_owned(), (s.id().unwrap_or_default().to_owned(), dns.to_owned()))
            })
            .collect()
    }

    async fn reconcile(&self, snapshot: &ClusterSnapshot, mode: Mode) -> Report {
        let request = Request {
            snapshot: snapshot.clone(),
            scope: Scope::All,
            mode,
            now: Timestamp::from_second(1_767_229_200).expect("time"),
        };
        reconciler::reconcile(&self.adapter(), &config(), request).await.expect("reconcile runs")
    }
}

fn hotel_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hotel")
}

fn hotel() -> manifests::Loaded {
    let loaded = manifests::load_paths(&[hotel_dir()]).expect("examples load");
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    loaded
}

fn creates_or_deletes(calls: &BTreeMap<String, u64>) -> Vec<&String> {
    calls.keys().filter(|op| op.starts_with("Create") || op.starts_with("Delete")).collect()
}

/// Every route of the report is accepted with resolved references, and carries the DNS name of
/// the service the existing controller created.
fn assert_routes_keep_their_services(report: &Report, services: &BTreeMap<String, (String, String)>) {
    let routes: Vec<_> = report.translation.status.iter().filter(|e| e.kind == "HTTPRoute").collect();
    assert!(!routes.is_empty());
    for entry in routes {
        for (where_, condition) in entry.conditions() {
            assert_eq!(condition.status, "True", "{} {where_}: {condition:?}", entry.name);
        }
        let service = model::names::service_name(&entry.name, entry.namespace.as_deref().unwrap_or_default());
        let dns = entry.annotations.get(model::names::ANNOTATION_DNS_NAME);
        assert_eq!(dns, services.get(&service).map(|(_, dns)| dns), "{}", entry.name);
    }
}

#[tokio::test]
async fn the_first_reconcile_after_the_controller_creates_and_deletes_nothing() {
    let world = world().await;
    let seeded: HotelSeed = seed_hotel(&mut world.anchor(), &world.network).await.expect("seeded");
    for (service, tg) in &seeded.target_groups {
        let suffix = tg.name.strip_prefix(&format!("k8s-default-{service}-")).expect("the controller's name");
        assert!(suffix.len() == 10 && suffix.bytes().all(|b| b.is_ascii_lowercase()), "{}", tg.name);
    }
    let before = world.services().await;
    assert_eq!(before.len(), 2);
    let hotel = hotel();

    world.sim.reset_calls();
    let report = world.reconcile(&hotel.snapshot, Mode::Apply).await;
    let calls = world.sim.calls();
    let ops: Vec<&str> = report.plan.actions.iter().map(|a| a.op()).collect();
    eprintln!("migration reconcile: plan {ops:?}, calls {calls:?}");
    assert!(creates_or_deletes(&calls).is_empty(), "{calls:?}");
    assert!(report.plan.actions.is_empty(), "the hotel needs no change at all: {ops:?}");
    assert!(report.plan.refused.is_empty(), "{:?}", report.plan.refused);
    assert_eq!(calls, report.calls, "the emulator saw what the adapter counted");
    assert_eq!(world.services().await, before, "every service kept its id and DNS name");
    assert_routes_keep_their_services(&report, &before);
    // Every target group the existing controller created is still there.
    for tg in seeded.target_groups.values() {
        let client = aws_sdk_vpclattice::Client::new(&world.sdk);
        client.get_target_group().target_group_identifier(&tg.id).send().await.expect("target group kept");
    }

    let again = world.reconcile(&hotel.snapshot, Mode::Plan).await;
    assert!(again.plan.actions.is_empty(), "{:?}", again.plan.actions);
}

#[tokio::test]
async fn rules_whose_priorities_differ_from_ours_are_moved_not_replaced() {
    let world = world().await;
    let mut anchor = world.anchor();
    seed_hotel(&mut anchor, &world.network).await.expect("seeded");
    // Route `search`: rule 0 `/a` → parking, rule 1 `/a/b` → review. The existing controller
    // numbers rules by index (/a = 1, /a/b = 2); the longer prefix goes first here.
    let route = RouteRef { kind: "HTTPRoute", namespace: "default", name: "search" };
    let parking = anchor.route_target_group(route, "default", "parking", &[("10.0.1.11", 8090), ("10.0.2.11", 8090)]);
    let parking = parking.await.expect("tg");
    let review = anchor.route_target_group(route, "default", "review", &[("10.0.1.12", 8090), ("10.0.2.12", 8090)]);
    let review = review.await.expect("tg");
    let service = anchor.service(route, &[&world.network]).await.expect("service");
    let listener = anchor.listener(route, &service.id, 80, aws_sdk_vpclattice::types::ListenerProtocol::Http);
    let listener = listener.await.expect("listener");
    let rules = [
        RuleSeed { priority: 1, prefix: "/a".into(), forward: vec![(parking.id.clone(), 1)] },
        RuleSeed { priority: 2, prefix: "/a/b".into(), forward: vec![(review.id.clone(), 1)] },
    ];
    anchor.rules(&service.id, &listener.id, &rules).await.expect("rules");
    let before = world.services().await;

    let mut input = hotel();
    let search = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: search, namespace: default}
spec:
  parentRefs: [{name: my-hotel, sectionName: http}]
  rules:
    - matches: [{path: {type: PathPrefix, value: /a}}]
      backendRefs: [{name: parking, kind: Service, port: 80}]
    - matches: [{path: {type: PathPrefix, value: /a/b}}]
      backendRefs: [{name: review, kind: Service, port: 80}]
"#;
    manifests::load_str(search, Path::new("search.yaml"), &mut input);
    assert!(input.errors.is_empty(), "{:?}", input.errors);

    world.sim.reset_calls();
    let report = world.reconcile(&input.snapshot, Mode::Apply).await;
    let ops: Vec<&str> = report.plan.actions.iter().map(|a| a.op()).collect();
    assert_eq!(ops, ["BatchUpdateRule"], "one batch swaps the two priorities");
    assert!(creates_or_deletes(&world.sim.calls()).is_empty(), "{:?}", world.sim.calls());
    assert_eq!(world.services().await, before);
    assert_routes_keep_their_services(&report, &before);
    let again = world.reconcile(&input.snapshot, Mode::Plan).await;
    assert!(again.plan.actions.is_empty(), "{:?}", again.plan.actions);
}
