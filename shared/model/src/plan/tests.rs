//! Whole-plan tests: steady state, ordering across resource kinds, scope.

use std::collections::BTreeSet;

use crate::lattice::{DesiredState, ListenerProtocol, RuleAction, ServiceSpec, TargetGroupSpec};

use super::test_support::*;
use super::{Action, Scope};

fn route(name: &str) -> (ServiceSpec, Vec<TargetGroupSpec>) {
    let (a, b) = (format!("k8s-{name}-a"), format!("k8s-{name}-b"));
    let mut svc = mk_service(name)
        .listener(
            mk_listener(80, ListenerProtocol::Http, forward(&[(&a, 1)]))
                .rule(mk_rule(1, "/a", forward(&[(&a, 10), (&b, 90)])))
                .rule(mk_rule(2, "/b", forward(&[(&b, 1)])))
                .rule(mk_rule(3, "/c", RuleAction::fixed(500))),
        )
        .listener(mk_listener(443, ListenerProtocol::Https, forward(&[(&b, 1)])));
    svc.certificate_arn = Some("arn:aws:acm:us-west-2:111122223333:certificate/c".into());
    svc.custom_domain_name = Some(format!("{name}.example.com"));
    svc.service_networks.push("net-b".into());
    let tgs = vec![mk_tg(&a, name).targets(120), mk_tg(&b, name).targets(2)];
    (svc, tgs)
}

fn routes(names: &[&str]) -> DesiredState {
    let mut state = desired(vec![], vec![]);
    for name in names {
        let (svc, tgs) = route(name);
        state.services.push(svc);
        state.target_groups.extend(tgs);
    }
    state
}

#[test]
fn a_steady_state_plans_nothing() {
    let want = routes(&["rates", "parking"]);
    let (observed, _) = observe(&want);
    let plan = plan_all(&want, &observed);
    assert!(plan.is_noop(), "{:?}", ops(&plan));
    assert!(plan.refused.is_empty());
}

#[test]
fn parents_are_created_before_children() {
    let plan = plan_all(&routes(&["rates"]), &base_observed());
    let order = [
        "CreateTargetGroup",
        "RegisterTargets",
        "CreateService",
        "CreateServiceNetworkServiceAssociation",
        "CreateListener",
    ];
    for pair in order.windows(2) {
        assert!(last(&plan, pair[0]) < first(&plan, pair[1]), "{pair:?}: {:?}", ops(&plan));
    }
    // Each rule right after its own listener.
    let mut created_listeners = Vec::new();
    for action in &plan.actions {
        match action {
            Action::CreateListener(l) => created_listeners.push(l.name.clone()),
            Action::CreateRule(r) => {
                assert_eq!(created_listeners.last(), Some(&r.listener_identifier));
            }
            _ => {}
        }
    }
    assert!(plan.refused.is_empty());
}

#[test]
fn children_are_removed_before_parents() {
    let (observed, mut ids) = observe(&routes(&["rates", "parking"]));
    // parking goes away; rates drops rule /b, its 443 listener and target group b.
    let mut want = routes(&["rates"]);
    let listener = &mut want.services[0].listeners[0];
    listener.rules.retain(|r| r.priority != 2);
    listener.rules[0].action = forward(&[("k8s-rates-a", 1)]);
    want.services[0].listeners.truncate(1);
    want.target_groups.truncate(1);
    let plan = plan_all(&want, &observed);
    let order = [
        ("DeleteRule", "DeleteTargetGroup"),
        ("DeleteListener", "DeleteTargetGroup"),
        ("DeleteServiceNetworkServiceAssociation", "DeleteService"),
        ("DeleteService", "DeleteTargetGroup"),
        ("DeleteListener", "DeleteService"),
    ];
    for (before, after) in order {
        assert!(last(&plan, before) < first(&plan, after), "{before} < {after}: {:?}", ops(&plan));
    }
    let deleted_groups = ops(&plan).iter().filter(|op| **op == "DeleteTargetGroup").count();
    assert_eq!(deleted_groups, 3);
    let mut observed = observed;
    apply(&plan, &mut observed, &mut ids);
    assert!(plan_all(&want, &observed).is_noop());
}

#[test]
fn an_owner_scope_plans_and_collects_only_its_owners() {
    let (observed, mut ids) = observe(&routes(&["rates", "parking"]));
    // Only rates is in scope: the desired state no longer has it, and parking changed.
    let mut want = routes(&["parking"]);
    want.services[0].listeners[0].default_action = RuleAction::fixed(404);
    let scope = Scope::Owners(BTreeSet::from([owner("HTTPRoute", "rates")]));
    let plan = plan_in(&scope, &want, &observed);
    assert_eq!(
        ops(&plan),
        [
            "DeleteServiceNetworkServiceAssociation",
            "DeleteServiceNetworkServiceAssociation",
            "DeleteService",
            "DeregisterTargets",
            "DeregisterTargets",
            "DeregisterTargets",
            "DeleteTargetGroup",
            "DeleteTargetGroup",
        ]
    );
    let mut observed = observed;
    apply(&plan, &mut observed, &mut ids);
    assert_eq!(observed.services.len(), 1);
    // Now parking is in scope, and its change is planned.
    let scope = Scope::Owners(BTreeSet::from([owner("HTTPRoute", "parking")]));
    assert_eq!(ops(&plan_in(&scope, &want, &observed)), ["UpdateListener"]);
}

#[test]
fn plans_serialise_as_operation_and_request() {
    let plan = plan_all(&routes(&["rates"]), &base_observed());
    let json = serde_json::to_value(&plan).unwrap_or_default();
    assert_eq!(json["actions"][0]["op"], "CreateTargetGroup");
    assert_eq!(json["actions"][0]["request"]["name"], "k8s-rates-a");
    assert_eq!(json["refused"], serde_json::json!([]));
}
