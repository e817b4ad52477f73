//! Status ownership and the Lattice facts status depends on: other controllers' objects and
//! entries, service network and service lookups, ServiceImport backends, and conditions that no
//! longer apply.

use serde_json::json;

use crate::lattice::RuleAction;
use crate::names::{ANNOTATION_DNS_NAME, ANNOTATION_SERVICE_ARN};
use crate::observed::{ObservedState, ObservedTargetGroup};
use crate::testing::*;

fn hotel() -> World {
    world()
        .with(mk_gateway("default", "my-hotel").listener(listener("http", "HTTP", 80)))
        .with(mk_service("default", "review").port("", 80, 8080))
}

fn rates() -> RouteB {
    mk_route("default", "rates").parent(parent("my-hotel")).rule(rule().backend(backend("review", 80)))
}

#[test]
fn objects_of_another_controller_get_no_status() {
    let snap = hotel()
        .with(mk_class("other").controller("example.com/other-controller"))
        .with(mk_gateway("default", "theirs").class("other").listener(listener("http", "HTTP", 80)))
        .with(mk_route("default", "their-route").parent(parent("theirs")).rule(rule().backend(backend("review", 80))))
        .build();
    let t = run(&snap);
    assert!(t.entry("GatewayClass", "", "other").is_none());
    assert!(t.entry("Gateway", "default", "theirs").is_none());
    assert!(t.entry("HTTPRoute", "default", "their-route").is_none());
    assert!(t.desired.services.is_empty());
    assert!(t.desired.service_networks.iter().all(|n| n.name != "theirs"));
    assert!(t.entry("GatewayClass", "", CLASS).is_some());
}

#[test]
fn parent_entries_of_other_controllers_are_kept_untouched() {
    let foreign = json!({
        "parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "theirs"},
        "controllerName": "example.com/other-controller",
        "conditions": [{
            "type": "Accepted", "status": "False", "reason": "Whatever", "message": "theirs",
            "observedGeneration": 1, "lastTransitionTime": "2023-01-01T00:00:00Z",
        }],
    });
    let snap = hotel().with(rates().parent(parent("theirs")).status(json!({"parents": [foreign.clone()]}))).build();
    let t = run(&snap);
    let parents = t.parents("HTTPRoute", "default", "rates");
    assert_eq!(parents.len(), 2);
    assert_eq!(serde_json::to_value(&parents[0]).expect("serializes"), foreign);
    assert_route_ok(t.route("default", "rates", "my-hotel"));
}

#[test]
fn our_entry_for_a_removed_parent_ref_is_dropped() {
    let mut snap = hotel()
        .with(mk_gateway("default", "second").listener(listener("http", "HTTP", 80)))
        .with(rates().parent(parent("second")))
        .build();
    let first = run(&snap);
    assert_eq!(first.parents("HTTPRoute", "default", "rates").len(), 2);

    apply_status(&mut snap, &first);
    let old = snap.http_routes[0].status.take();
    snap.http_routes[0] = rates().generation(4).build_http();
    snap.http_routes[0].status = old;
    let second = run_with(&snap, &networks_for(&snap), later());
    let parents = second.parents("HTTPRoute", "default", "rates");
    assert_eq!(parents.len(), 1);
    assert_eq!(parents[0].parent_ref.name, "my-hotel");
    assert_eq!(second.listener("default", "second", "http").attached_routes, 0);
}

#[test]
fn gateway_programmed_follows_the_observed_service_network() {
    let snap = hotel().build();
    let found = run(&snap);
    let conditions = found.gateway("default", "my-hotel").conditions.clone().unwrap_or_default();
    let programmed = assert_cond(&conditions, "Programmed", "True", "Programmed");
    assert_eq!(
        programmed.message,
        format!("aws-service-network-arn: arn:aws:vpc-lattice:us-west-2:123456789012:servicenetwork/{SN_ID}")
    );

    let missing = run_with(&snap, &ObservedState::default(), now());
    let conditions = missing.gateway("default", "my-hotel").conditions.clone().unwrap_or_default();
    let pending = assert_cond(&conditions, "Programmed", "False", "Pending");
    assert!(pending.message.contains("my-hotel"), "{}", pending.message);
    assert_cond(&conditions, "Accepted", "True", "Accepted");
}

#[test]
fn route_annotations_carry_the_lattice_service_when_it_is_ours() {
    let snap = hotel().with(rates()).build();
    let mut observed = networks_for(&snap);
    let svc = observed_service("rates-default", MANAGED_BY);
    observed.services.push(svc.clone());
    let t = run_with(&snap, &observed, now());
    let entry = t.entry("HTTPRoute", "default", "rates").expect("status");
    assert_eq!(entry.annotations.get(ANNOTATION_DNS_NAME), svc.dns_name.as_ref());
    assert_eq!(entry.annotations.get(ANNOTATION_SERVICE_ARN), Some(&svc.arn));
    let addresses = t.gateway("default", "my-hotel").addresses.clone().unwrap_or_default();
    assert_eq!(addresses.len(), 1);
    assert_eq!(Some(&addresses[0].value), svc.dns_name.as_ref());

    let without = run(&snap);
    let entry = without.entry("HTTPRoute", "default", "rates").expect("status");
    assert!(entry.annotations.is_empty());
}

fn exported(id: &str, name: &str, ns: &str) -> ObservedTargetGroup {
    observed_export(id, (ns, name), "blue", 80, "HTTP1")
}

fn forward_ids(action: &RuleAction) -> Vec<&str> {
    match action {
        RuleAction::Forward(f) => f.target_groups.iter().map(|t| t.target_group_identifier.as_str()).collect(),
        RuleAction::FixedResponse(_) => Vec::new(),
    }
}

#[test]
fn service_import_backends_use_exported_target_groups() {
    let snap = hotel()
        .with(mk_import("default", "checkout"))
        .with(mk_import("default", "unexported"))
        .with(mk_import("default", "pinned").annotation(
            "application-networking.k8s.aws/target-group-arn",
            "arn:aws:vpc-lattice:us-west-2:210987654321:targetgroup/tg-0pinned0000000000",
        ))
        .with(
            mk_route("default", "imports")
                .parent(parent("my-hotel"))
                .rule(rule().prefix("/checkout").backend(import_backend("checkout")))
                .rule(rule().prefix("/pinned").backend(import_backend("pinned")))
                .rule(rule().prefix("/unexported").backend(import_backend("unexported"))),
        )
        .build();
    let mut observed = networks_for(&snap);
    observed.target_groups.push(exported("tg-0other0000000000", "checkout", "other-ns"));
    observed.target_groups.push(exported("tg-0checkout00000000", "checkout", "default"));
    // The external target group exists (someone else's, without tags).
    let mut pinned = exported("tg-0pinned0000000000", "pinned", "elsewhere");
    pinned.tags.clear();
    observed.target_groups.push(pinned);
    let t = run_with(&snap, &observed, now());
    let rules = &t.service("imports-default").listeners[0].rules;
    let action_for = |path: &str| {
        rules
            .iter()
            .find(|r| {
                let crate::lattice::RuleMatch::HttpMatch(m) = &r.matcher;
                m.path_match.as_ref().map(|p| &p.matcher) == Some(&crate::lattice::PathMatchType::Prefix(path.into()))
            })
            .map(|r| &r.action)
            .expect("rule")
    };
    assert_eq!(forward_ids(action_for("/checkout")), ["tg-0checkout00000000"]);
    assert_eq!(forward_ids(action_for("/pinned")), ["tg-0pinned0000000000"]);
    assert_eq!(action_for("/unexported"), &RuleAction::fixed(500));
    assert!(t.desired.target_groups.is_empty(), "exported target groups are not ours");
    let route = t.route("default", "imports", "my-hotel");
    assert_cond(route, "Accepted", "True", "Accepted");
    let resolved = assert_cond(route, "ResolvedRefs", "False", "BackendNotFound");
    assert!(resolved.message.contains("unexported"), "{}", resolved.message);
    assert!(!resolved.message.contains("checkout"), "{}", resolved.message);
}

#[test]
fn partially_invalid_disappears_once_the_rule_is_fixed() {
    let redirect = json!({"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}});
    let mut snap = hotel().with(rates().rule(rule().prefix("/old").filter(redirect)).generation(3)).build();
    let first = run(&snap);
    let route = first.route("default", "rates", "my-hotel");
    assert_cond(route, "PartiallyInvalid", "True", "UnsupportedValue");

    apply_status(&mut snap, &first);
    let old = snap.http_routes[0].status.take();
    snap.http_routes[0] = rates().generation(4).build_http();
    snap.http_routes[0].status = old;
    let second = run_with(&snap, &networks_for(&snap), later());
    let route = second.route("default", "rates", "my-hotel");
    assert_route_ok(route);
    assert_eq!(route.len(), 2, "{route:#?}");
}

#[test]
fn listener_conflict_disappears_once_resolved() {
    let gw = |second: &str| {
        mk_gateway("default", "my-hotel")
            .listener(listener("a", "HTTP", 80).hostname("a.example.com"))
            .listener(listener("b", "HTTP", 80).hostname(second))
    };
    let mut snap = world().with(gw("a.example.com")).build();
    let first = run(&snap);
    let b = first.listener("default", "my-hotel", "b");
    assert_cond(&b.conditions, "Conflicted", "True", "HostnameConflict");

    apply_status(&mut snap, &first);
    let old = snap.gateways[0].status.take();
    snap.gateways[0] = gw("b.example.com").generation(4).build();
    snap.gateways[0].status = old;
    let second = run_with(&snap, &networks_for(&snap), later());
    for name in ["a", "b"] {
        let l = second.listener("default", "my-hotel", name);
        assert_cond(&l.conditions, "Accepted", "True", "Accepted");
        assert_no_cond(&l.conditions, "Conflicted");
    }
}

#[test]
fn foreign_condition_types_survive_a_status_rewrite() {
    let mut snap = hotel().build();
    let first = run(&snap);
    apply_status(&mut snap, &first);
    let mut status = snap.gateways[0].status.take().expect("status");
    status.conditions.get_or_insert_default().push(
        serde_json::from_value(json!({
            "type": "gateway.example.com/CustomCondition", "status": "True", "reason": "Custom",
            "message": "kept", "observedGeneration": 1, "lastTransitionTime": "2023-01-01T00:00:00Z",
        }))
        .expect("condition"),
    );
    snap.gateways[0].status = Some(status);
    let t = translate_without_generation_check(&snap);
    let conditions = t.gateway("default", "my-hotel").conditions.clone().unwrap_or_default();
    let custom =
        conditions.iter().find(|c| c.type_ == "gateway.example.com/CustomCondition").expect("foreign condition kept");
    assert_eq!(custom.message, "kept");
    assert_eq!(custom.observed_generation, Some(1));
}

fn translate_without_generation_check(snap: &crate::snapshot::ClusterSnapshot) -> super::Translation {
    super::translate(snap, &networks_for(snap), &config(), later())
}
