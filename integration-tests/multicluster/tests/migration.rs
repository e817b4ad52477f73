//! Migrating from the existing controller: VPC Lattice holds exactly what that controller
//! created for the hotel example (its random target group names, port-80 target groups, rule
//! names and priorities, tags), made through the real SDK against the emulator; our first
//! reconcile with the same cluster identity must create and delete nothing, keep every service
//! (and so its DNS name), and a second run must plan nothing. The same holds with its policies'
//! resources (auth policy, access log subscription, health check, VPC association).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{ACCOUNT, World, creates_or_deletes, world};
use model::config::Config;
use multicluster_tests::{
    Anchor, HOTEL_NETWORK, HealthCheckSeed, HotelSeed, Identity, RouteRef, RuleSeed, seed_hotel, seed_review_export,
};
use reconciler::{Mode, Report};

/// The cluster identity both controllers run with.
fn identity() -> Identity {
    Identity {
        account_id: ACCOUNT.into(),
        cluster_name: "hotel-cluster".into(),
        vpc_id: "vpc-0aaa1111bbbb2222c".into(),
    }
}

fn config() -> Config {
    common::config("hotel-cluster", "vpc-0aaa1111bbbb2222c")
}

fn anchor(world: &World) -> Anchor {
    Anchor::new(world.client(), identity(), 1_767_225_600, 7)
}

fn hotel_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hotel")
}

fn hotel() -> manifests::Loaded {
    let loaded = manifests::load_paths(&[hotel_dir()]).expect("examples load");
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    loaded
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
    let world = world(HOTEL_NETWORK).await;
    let seeded: HotelSeed = seed_hotel(&mut anchor(&world), &world.network).await.expect("seeded");
    for (service, tg) in &seeded.target_groups {
        let suffix = tg.name.strip_prefix(&format!("k8s-default-{service}-")).expect("the controller's name");
        assert!(suffix.len() == 10 && suffix.bytes().all(|b| b.is_ascii_lowercase()), "{}", tg.name);
    }
    let before = world.services().await;
    assert_eq!(before.len(), 2);
    let hotel = hotel();

    world.sim.reset_calls();
    let report = world.apply(&config(), &hotel.snapshot).await;
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
        world.client().get_target_group().target_group_identifier(&tg.id).send().await.expect("target group kept");
    }

    let again = world.reconcile(&config(), &hotel.snapshot, Mode::Plan).await;
    assert!(again.plan.actions.is_empty(), "{:?}", again.plan.actions);
}

#[tokio::test]
async fn rules_whose_priorities_differ_from_ours_are_moved_not_replaced() {
    let world = world(HOTEL_NETWORK).await;
    let mut anchor = anchor(&world);
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
    let report = world.apply(&config(), &input.snapshot).await;
    let ops: Vec<&str> = report.plan.actions.iter().map(|a| a.op()).collect();
    assert_eq!(ops, ["BatchUpdateRule"], "one batch swaps the two priorities");
    assert!(creates_or_deletes(&world.sim.calls()).is_empty(), "{:?}", world.sim.calls());
    assert_eq!(world.services().await, before);
    assert_routes_keep_their_services(&report, &before);
    let again = world.reconcile(&config(), &input.snapshot, Mode::Plan).await;
    assert!(again.plan.actions.is_empty(), "{:?}", again.plan.actions);
}

#[tokio::test]
async fn exported_and_imported_services_are_adopted_too() {
    let world = world(HOTEL_NETWORK).await;
    let mut anchor = anchor(&world);
    seed_hotel(&mut anchor, &world.network).await.expect("seeded");
    let export = seed_review_export(&mut anchor, &world.network).await.expect("export seeded");
    let before = world.services().await;
    assert_eq!(before.len(), 3);

    let mut input = hotel();
    let multicluster = r#"
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata:
  name: review
  namespace: default
  annotations: {application-networking.k8s.aws/federation: amazon-vpc-lattice}
spec: {exportedPorts: [{port: 80, routeType: HTTP}]}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceImport
metadata: {name: review, namespace: default}
spec: {type: ClusterSetIP, ports: [{port: 80, protocol: TCP}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reviews, namespace: default}
spec:
  parentRefs: [{name: my-hotel, sectionName: http}]
  rules:
    - backendRefs: [{group: application-networking.k8s.aws, kind: ServiceImport, name: review}]
"#;
    manifests::load_str(multicluster, Path::new("multicluster.yaml"), &mut input);
    assert!(input.errors.is_empty(), "{:?}", input.errors);

    world.sim.reset_calls();
    let report = world.apply(&config(), &input.snapshot).await;
    let calls = world.sim.calls();
    let ops: Vec<&str> = report.plan.actions.iter().map(|a| a.op()).collect();
    eprintln!("migration reconcile with an export and an import: plan {ops:?}, calls {calls:?}");
    assert!(report.plan.actions.is_empty(), "{ops:?}");
    assert!(creates_or_deletes(&calls).is_empty(), "{calls:?}");
    assert_eq!(world.services().await, before);
    assert_routes_keep_their_services(&report, &before);
    let status = report.translation.status.iter().find(|e| e.kind == "ServiceExport").expect("export status");
    let exported = status.conditions().into_iter().map(|(_, c)| c).find(|c| c.type_ == "Exported").expect("Exported");
    assert_eq!(exported.status, "True", "{exported:?}");
    assert!(exported.message.contains(&export.target_group.id), "{}", exported.message);
    let again = world.reconcile(&config(), &input.snapshot, Mode::Plan).await;
    assert!(again.plan.actions.is_empty(), "{:?}", again.plan.actions);
}

#[tokio::test]
async fn what_the_controller_made_for_its_policies_is_adopted_too() {
    let world = world(HOTEL_NETWORK).await;
    let mut anchor = anchor(&world);
    let seeded = seed_hotel(&mut anchor, &world.network).await.expect("seeded");
    let mut input = manifests::load_paths(&[hotel_dir(), hotel_dir().join("../policies")]).expect("examples load");
    let association = r#"
apiVersion: application-networking.k8s.aws/v1alpha1
kind: VpcAssociationPolicy
metadata: {name: hotel-vpc, namespace: default}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: my-hotel}
  securityGroupIds: [sg-0aaaaaaaaaaaaaaa1, sg-0aaaaaaaaaaaaaaa2]
"#;
    manifests::load_str(association, Path::new("association.yaml"), &mut input);
    assert!(input.errors.is_empty(), "{:?}", input.errors);
    let snapshot = &input.snapshot;

    // The existing controller's work for the same four policies, through the SDK.
    let document = snapshot.iam_auth_policies[0].spec.policy.clone();
    anchor.auth_policy(&seeded.services["rates-default"].id, &document).await.expect("auth policy");
    let destination = snapshot.access_log_policies[0].spec.destination_arn.clone().expect("destination");
    let inventory = &seeded.services["inventory-default"].id;
    anchor.access_log_subscription(inventory, &destination, ("default", "inventory-logs")).await.expect("subscription");
    let check = HealthCheckSeed {
        path: "/health".into(),
        interval_seconds: 10,
        timeout_seconds: 2,
        healthy_threshold: 2,
        unhealthy_threshold: 3,
        status_match: "200-299".into(),
    };
    anchor.health_check(&seeded.target_groups["parking"].id, &check).await.expect("health check");
    anchor
        .vpc_association(&world.network, &["sg-0aaaaaaaaaaaaaaa2", "sg-0aaaaaaaaaaaaaaa1"])
        .await
        .expect("association");
    let before = world.services().await;

    world.sim.reset_calls();
    let report = world.apply(&config(), snapshot).await;
    let calls = world.sim.calls();
    let ops: Vec<&str> = report.plan.actions.iter().map(|a| a.op()).collect();
    eprintln!("migration reconcile with policies: plan {ops:?}, calls {calls:?}");
    assert!(creates_or_deletes(&calls).is_empty(), "{calls:?}");
    // Only our own tags are added: the parking target group's TargetGroupPolicy tag and the
    // association's VpcAssociationPolicy tag, which the existing controller does not write.
    assert_eq!(ops, ["TagResource", "TagResource"], "{ops:?}");
    assert!(report.plan.refused.is_empty(), "{:?}", report.plan.refused);
    assert_eq!(world.services().await, before, "every service kept its id and DNS name");
    assert_routes_keep_their_services(&report, &before);
    for kind in ["IAMAuthPolicy", "AccessLogPolicy", "TargetGroupPolicy", "VpcAssociationPolicy"] {
        let entry = report.translation.status.iter().find(|e| e.kind == kind).unwrap_or_else(|| panic!("{kind}"));
        for (_, condition) in entry.conditions() {
            assert_eq!(condition.status, "True", "{kind}: {condition:?}");
        }
    }
    let again = world.reconcile(&config(), snapshot, Mode::Plan).await;
    assert!(again.plan.actions.is_empty(), "{:?}", again.plan.actions);
}
