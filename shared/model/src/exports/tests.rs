//! ServiceExports: target groups per exported port or the legacy annotation, the exported
//! Service, validation with field names, federation, status, protection, and withdrawal.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use serde_json::json;

use super::*;
use crate::lattice::{RuleAction, Target};
use crate::names::{TAG_MANAGED_BY, TAG_ROUTE_NAME, TAG_SERVICE_NAME, TAG_SOURCE_TYPE};
use crate::observed::ObservedState;
use crate::plan::memory::{self, IdGen};
use crate::plan::{Action, Plan, Scope, plan};
use crate::status::ObjectStatus;
use crate::testing::*;
use crate::translate::Translation;

/// Service `default/checkout` with ports 80 (`http` → 8080), 8081 (`grpc` → 9090) and 9443
/// (`tls` → 8443): two ready pods and a terminating one.
fn world_with(export: ExportB) -> ClusterSnapshot {
    world()
        .with(mk_service("default", "checkout").port("http", 80, 8080).port("grpc", 8081, 9090).port("tls", 9443, 8443))
        .with(
            mk_slice("default", "checkout", "checkout-1")
                .port("http", 8080)
                .port("grpc", 9090)
                .port("tls", 8443)
                .endpoint("10.0.0.1")
                .endpoint("10.0.0.2")
                .terminating("10.0.0.3"),
        )
        .with(export)
        .build()
}

fn status_of<'a>(t: &'a Translation, name: &str) -> &'a [Condition] {
    match t.entry("ServiceExport", "default", name).map(|e| &e.status) {
        Some(ObjectStatus::ServiceExport(s)) => &s.conditions,
        other => panic!("no ServiceExport status for {name}: {other:?}"),
    }
}

fn exported_groups(t: &Translation) -> Vec<&TargetGroupSpec> {
    t.desired
        .target_groups
        .iter()
        .filter(|tg| tg.tags.get(TAG_SOURCE_TYPE).map(String::as_str) == Some("ServiceExport"))
        .collect()
}

fn on(ip: &str, port: i32) -> Target {
    Target { id: ip.into(), port }
}

#[test]
fn each_exported_port_becomes_a_target_group_of_its_route_type() {
    let snap = world_with(mk_export("default", "checkout").port(80, "HTTP").port(8081, "GRPC").port(9443, "TLS"));
    let t = run(&snap);
    let groups = exported_groups(&t);
    let shape: Vec<(i32, &str, Option<&str>, Vec<Target>)> = groups
        .iter()
        .map(|tg| {
            (tg.config.port, tg.config.protocol.as_str(), tg.config.protocol_version.as_deref(), tg.targets.clone())
        })
        .collect();
    assert_eq!(
        shape,
        [
            (80, "HTTP", Some("HTTP1"), vec![on("10.0.0.1", 8080), on("10.0.0.2", 8080)]),
            (8081, "HTTP", Some("GRPC"), vec![on("10.0.0.1", 9090), on("10.0.0.2", 9090)]),
            (9443, "TCP", None, vec![on("10.0.0.1", 8443), on("10.0.0.2", 8443)]),
        ]
    );
    let tags = &groups[0].tags;
    let tag = |k: &str| tags.get(k).map(String::as_str);
    assert_eq!(tag(TAG_MANAGED_BY), Some(MANAGED_BY));
    assert_eq!(tag(names::TAG_CLUSTER_NAME), Some("test-cluster"));
    assert_eq!(tag(TAG_SERVICE_NAME), Some("checkout"));
    assert_eq!(tag(names::TAG_SERVICE_NAMESPACE), Some("default"));
    assert_eq!(tag(TAG_SOURCE_TYPE), Some("ServiceExport"));
    assert_eq!(tag(names::TAG_PROTOCOL_VERSION), Some("HTTP1"));
    assert_eq!(tag(TAG_ROUTE_NAME), None, "no route tags");
    assert_eq!(groups[2].tags.get(names::TAG_PROTOCOL_VERSION).map(String::as_str), Some(""));
    assert!(groups.iter().all(|tg| tg.name.starts_with("k8s-default-checkout-")));
    assert!(groups.iter().all(|tg| tg.owner
        == Some(OwnerKey { kind: "ServiceExport".into(), namespace: "default".into(), name: "checkout".into() })));
    let conditions = status_of(&t, "checkout");
    let valid = assert_cond(conditions, CONDITION_VALID, "True", reasons::VALID);
    assert_eq!(valid.message, "Exports port 80 as HTTP, port 8081 as GRPC, port 9443 as TLS");
    assert_cond(conditions, CONDITION_EXPORTED, "False", reasons::PENDING);
}

#[test]
fn without_exported_ports_one_http_target_group_on_port_80_takes_the_legacy_ports() {
    let t = run(&world_with(mk_export("default", "checkout").annotation(ANNOTATION_PORT, "80, 8081")));
    let groups = exported_groups(&t);
    assert_eq!(groups.len(), 1);
    assert_eq!((groups[0].config.port, groups[0].config.protocol.as_str()), (80, "HTTP"));
    assert_eq!(
        groups[0].targets,
        [on("10.0.0.1", 8080), on("10.0.0.1", 9090), on("10.0.0.2", 8080), on("10.0.0.2", 9090)]
    );
    // Without the annotation: every port.
    let t = run(&world_with(mk_export("default", "checkout")));
    assert_eq!(exported_groups(&t)[0].targets.len(), 6);
    let valid = assert_cond(status_of(&t, "checkout"), CONDITION_VALID, "True", reasons::VALID);
    assert_eq!(valid.message, "Exports ports 80, 8081, 9443 in one HTTP target group");
    // A port the Service does not have is named, and the others are still exported.
    let t = run(&world_with(mk_export("default", "checkout").annotation(ANNOTATION_PORT, "80,x,7")));
    assert_eq!(exported_groups(&t)[0].targets, [on("10.0.0.1", 8080), on("10.0.0.2", 8080)]);
    let valid = assert_cond(status_of(&t, "checkout"), CONDITION_VALID, "False", reasons::INVALID_PORT);
    assert!(valid.message.contains("\"x\"") && valid.message.contains("\"7\""), "{}", valid.message);
    assert!(valid.message.contains(ANNOTATION_PORT) && valid.message.contains("80, 8081, 9443"), "{}", valid.message);
}

#[test]
fn the_service_name_annotation_picks_the_exported_service() {
    let snap =
        world_with(mk_export("default", "payments").port(80, "HTTP").annotation(ANNOTATION_SERVICE_NAME, "checkout"));
    let t = run(&snap);
    let groups = exported_groups(&t);
    assert_eq!(groups[0].tags.get(TAG_SERVICE_NAME).map(String::as_str), Some("payments"), "named after the export");
    assert_eq!(groups[0].targets.len(), 2);
    assert!(groups[0].name.starts_with("k8s-default-payments-"));
}

#[test]
fn bad_entries_are_named_and_the_good_ones_still_exported() {
    let snap = world_with(
        mk_export("default", "checkout").port(80, "HTTP").port(81, "HTTP").port(8081, "UDP").port(80, "HTTP"),
    );
    let t = run(&snap);
    assert_eq!(exported_groups(&t).len(), 1);
    let valid = assert_cond(status_of(&t, "checkout"), CONDITION_VALID, "False", reasons::INVALID_PORT);
    for needle in [
        "spec.exportedPorts[1].port: 81 is not a port of Service default/checkout (ports: 80, 8081, 9443)",
        "spec.exportedPorts[2].routeType: \"UDP\" is not HTTP, GRPC or TLS",
        "spec.exportedPorts[3]: port 80 is already exported as HTTP",
    ] {
        assert!(valid.message.contains(needle), "{needle} not in {}", valid.message);
    }
    let t = run(&world_with(mk_export("default", "checkout").no_ports()));
    assert!(exported_groups(&t).is_empty());
    let conditions = status_of(&t, "checkout");
    assert_cond(conditions, CONDITION_VALID, "False", reasons::INVALID_PORT);
    assert_cond(conditions, CONDITION_EXPORTED, "False", reasons::INVALID);
}

#[test]
fn a_missing_or_external_name_service_exports_nothing() {
    let t = run(&world().with(mk_export("default", "ghost").port(80, "HTTP")).build());
    assert!(exported_groups(&t).is_empty());
    let conditions = status_of(&t, "ghost");
    let valid = assert_cond(conditions, CONDITION_VALID, "False", reasons::SERVICE_NOT_FOUND);
    assert_eq!(valid.message, "Service default/ghost not found");
    assert_cond(conditions, CONDITION_EXPORTED, "False", reasons::INVALID);

    let mut snap = world_with(mk_export("default", "checkout").port(80, "HTTP"));
    if let Some(spec) = snap.services[0].spec.as_mut() {
        spec.type_ = Some("ExternalName".into());
    }
    let t = run(&snap);
    assert!(exported_groups(&t).is_empty());
    assert_cond(status_of(&t, "checkout"), CONDITION_VALID, "False", reasons::UNSUPPORTED_SERVICE);
}

#[test]
fn only_exports_federated_with_lattice_are_exported() {
    let t = run(&world_with(mk_export("default", "checkout").port(80, "HTTP").without(ANNOTATION_FEDERATION)));
    assert!(exported_groups(&t).is_empty());
    let conditions = status_of(&t, "checkout");
    assert_eq!(conditions.len(), 1, "{conditions:?}");
    let c = assert_cond(conditions, CONDITION_EXPORTED, "False", reasons::NOT_FEDERATED);
    assert!(c.message.contains("application-networking.k8s.aws/federation: amazon-vpc-lattice"), "{}", c.message);
    // Another federation's export: no target group, no status.
    let t = run(&world_with(mk_export("default", "checkout").port(80, "HTTP").annotation(ANNOTATION_FEDERATION, "x")));
    assert!(exported_groups(&t).is_empty());
    assert!(t.entry("ServiceExport", "default", "checkout").is_none());
}

/// Creates what `snap` asks for in memory, then translates again.
fn converge(snap: &ClusterSnapshot, observed: &mut ObservedState, ids: &mut IdGen) -> (Plan, Translation) {
    let t = run_with(snap, observed, now());
    let p = plan(&t.desired, observed, &Scope::All, MANAGED_BY);
    memory::apply(&p, observed, ids).unwrap_or_else(|e| panic!("{e}: {p:#?}"));
    (p, run_with(snap, observed, later()))
}

#[test]
fn exported_turns_true_once_the_target_groups_exist_and_keeps_its_transition_time() {
    let snap = world_with(mk_export("default", "checkout").port(80, "HTTP"));
    let mut observed = networks_for(&snap);
    let (p, t) = converge(&snap, &mut observed, &mut IdGen::new());
    let ops: Vec<&str> = p.actions.iter().map(Action::op).collect();
    assert_eq!(ops, ["CreateTargetGroup", "RegisterTargets"]);
    let conditions = status_of(&t, "checkout").to_vec();
    let exported = assert_cond(&conditions, CONDITION_EXPORTED, "True", reasons::EXPORTED);
    let tg = &observed.target_groups[0];
    assert_eq!(exported.message, format!("Exported port 80 as HTTP: target group {} ({})", tg.name, tg.id));
    // Written back, a later run keeps lastTransitionTime and the other conditions.
    let written = json!({"conditions": [conditions[0], conditions[1], {
        "type": "Other", "status": "True", "reason": "X", "message": "", "observedGeneration": 3,
        "lastTransitionTime": "2024-01-01T00:00:00Z"
    }]});
    let snap = world_with(mk_export("default", "checkout").port(80, "HTTP").status(written));
    let again = run_with(&snap, &observed, later());
    let conditions = status_of(&again, "checkout");
    assert_eq!(conditions.len(), 3);
    let before = assert_cond(status_of(&t, "checkout"), CONDITION_EXPORTED, "True", reasons::EXPORTED).clone();
    let after = assert_cond(conditions, CONDITION_EXPORTED, "True", reasons::EXPORTED);
    assert_eq!(after.last_transition_time, before.last_transition_time);
    assert!(plan(&again.desired, &observed, &Scope::All, MANAGED_BY).is_noop());
}

#[test]
fn a_target_group_name_held_by_another_owner_is_reported() {
    let snap = world_with(mk_export("default", "checkout").port(80, "HTTP"));
    let mut observed = networks_for(&snap);
    converge(&snap, &mut observed, &mut IdGen::new());
    observed.target_groups[0].tags.insert(TAG_MANAGED_BY.into(), "999999999999/x/vpc-x".into());
    let t = run_with(&snap, &observed, later());
    let c = assert_cond(status_of(&t, "checkout"), CONDITION_EXPORTED, "False", reasons::CONFLICTED);
    assert!(c.message.contains("999999999999/x/vpc-x"), "{}", c.message);
}

#[test]
fn clusters_of_one_account_export_the_same_name_under_different_target_group_names() {
    let snap = world_with(mk_export("default", "checkout").port(80, "HTTP"));
    let ours = run(&snap);
    let mut other = config();
    other.identity.cluster_name = "green".into();
    let theirs = crate::translate::translate(&snap, &networks_for(&snap), &other, now());
    assert_ne!(exported_groups(&ours)[0].name, exported_groups(&theirs)[0].name);
}

#[test]
fn an_unreadable_export_or_service_protects_the_export() {
    let mut snap = world_with(mk_export("default", "checkout").port(80, "HTTP"));
    let owner = OwnerKey { kind: "ServiceExport".into(), namespace: "default".into(), name: "checkout".into() };
    assert!(crate::protect::protected_owners(&snap).is_empty());
    snap.unreadable.push(ObjectRef::new("Service", "default", "checkout"));
    assert!(crate::protect::protected_owners(&snap).contains(&owner));
    snap.unreadable = vec![ObjectRef::new("ServiceExport", "default", "gone")];
    let gone = OwnerKey { name: "gone".into(), ..owner };
    assert!(crate::protect::protected_owners(&snap).contains(&gone));
}

#[test]
fn a_withdrawn_export_moves_our_routes_away_first_then_its_target_group_is_deleted() {
    // This cluster exports checkout and routes to it through a ServiceImport.
    let base = || {
        world()
            .with(mk_gateway("default", "my-hotel").listener(listener("http", "HTTP", 80)))
            .with(mk_service("default", "checkout").port("http", 80, 8080))
            .with(mk_slice("default", "checkout", "checkout-1").port("http", 8080).endpoint("10.0.0.1"))
            .with(mk_import("default", "checkout"))
            .with(
                mk_route("default", "shop").parent(parent("my-hotel")).rule(rule().backend(import_backend("checkout"))),
            )
    };
    let snap = base().with(mk_export("default", "checkout").port(80, "HTTP")).build();
    let mut observed = networks_for(&snap);
    let mut ids = IdGen::new();
    // The first run creates the export's target group (and the route, answering 500 meanwhile);
    // the second moves the route onto it.
    converge(&snap, &mut observed, &mut ids);
    let (p, t) = converge(&snap, &mut observed, &mut ids);
    let ops: Vec<&str> = p.actions.iter().map(Action::op).collect();
    assert_eq!(ops, ["BatchUpdateRule"]);
    let forward = &t.service_of("default", "shop").listeners[0].rules[0].action;
    assert!(matches!(forward, RuleAction::Forward(_)), "{forward:?}");
    assert!(plan(&t.desired, &observed, &Scope::All, MANAGED_BY).is_noop());

    let withdrawn = base().build();
    let t = run_with(&withdrawn, &observed, later());
    assert_eq!(t.service_of("default", "shop").listeners[0].rules[0].action, RuleAction::fixed(500));
    assert_cond(t.route("default", "shop", "my-hotel"), "ResolvedRefs", "False", "BackendNotFound");
    let p = plan(&t.desired, &observed, &Scope::All, MANAGED_BY);
    let ops: Vec<&str> = p.actions.iter().map(Action::op).collect();
    assert_eq!(
        ops,
        ["BatchUpdateRule", "DeregisterTargets", "DeleteTargetGroup"],
        "the rule lets go before the target group drains and goes"
    );
    memory::apply(&p, &mut observed, &mut ids).unwrap_or_else(|e| panic!("{e}"));
    assert!(observed.target_groups.is_empty());
}

#[test]
fn a_withdrawn_export_another_cluster_still_uses_loses_its_targets_and_export_tag() {
    let snap = world_with(mk_export("default", "checkout").port(80, "HTTP"));
    let mut observed = networks_for(&snap);
    converge(&snap, &mut observed, &mut IdGen::new());
    let user = "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0green000000000";
    observed.target_groups[0].service_arns = vec![user.into()];
    let t = run_with(
        &world_with(mk_export("default", "checkout").port(80, "HTTP").without(ANNOTATION_FEDERATION)),
        &observed,
        later(),
    );
    let p = plan(&t.desired, &observed, &Scope::All, MANAGED_BY);
    let tg = &observed.target_groups[0];
    assert_eq!(
        p.actions,
        [
            Action::DeregisterTargets(crate::plan::action::Targets {
                target_group_identifier: tg.id.clone(),
                targets: tg.targets.clone(),
            }),
            Action::UntagResource(crate::plan::action::UntagResource {
                resource_arn: tg.arn.clone(),
                tag_keys: vec![TAG_SOURCE_TYPE.into()],
            }),
        ]
    );
    assert!(p.refused[0].reason.contains(user), "{:?}", p.refused);
}

#[test]
fn the_tags_annotation_tags_the_exported_target_groups() {
    use crate::annotations::{ANNOTATION_TAGS, TAG_ADDITIONAL_KEYS};
    let export = mk_export("default", "checkout").port(80, "HTTP").annotation(ANNOTATION_TAGS, "team=pay,aws:no=1");
    let t = run(&world_with(export));
    let groups = exported_groups(&t);
    assert_eq!(groups[0].tags.get("team").map(String::as_str), Some("pay"));
    assert!(groups[0].tags.contains_key(TAG_ADDITIONAL_KEYS));
    assert!(!groups[0].tags.contains_key("aws:no"));
    let valid = status_of(&t, "checkout").iter().find(|c| c.type_ == "Valid").expect("Valid");
    assert_eq!(valid.status, "True");
    assert!(valid.message.contains("aws:no"), "{}", valid.message);
}
