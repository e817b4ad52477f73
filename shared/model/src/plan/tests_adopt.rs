//! Adoption of target groups by identity tags and configuration.

use std::collections::BTreeSet;

use crate::lattice::{ListenerProtocol, RuleAction, TargetGroupSpec};
use crate::names::{TAG_CLUSTER_NAME, TAG_MANAGED_BY, TAG_ROUTE_NAME, TAG_ROUTE_NAMESPACE, TAG_SOURCE_TYPE};
use crate::observed::ObservedState;
use crate::plan::action::Action;
use crate::plan::memory::IdGen;
use crate::plan::test_support::*;
use crate::plan::{Plan, Scope};

/// Name the existing controller would have given the target group (random suffix).
const ANCHOR_NAME: &str = "k8s-default-rates-qwhzkxbpta";
/// Name this controller gives it.
const OUR_NAME: &str = "k8s-default-rates-abcdefghij";

/// A route `rates` forwarding `/a` to target group `tg` (port `port`, two targets).
fn world(tg_name: &str, port: i32) -> (crate::lattice::DesiredState, TargetGroupSpec) {
    let mut tg = mk_tg(tg_name, "rates").targets(2);
    tg.config.port = port;
    let svc =
        mk_service("rates").listener(mk_listener(80, ListenerProtocol::Http, RuleAction::fixed(404)).rule(mk_rule(
            1,
            "/a",
            forward(&[(tg_name, 1)]),
        )));
    (desired(vec![svc], vec![tg.clone()]), tg)
}

/// What the existing controller left: the route's service, forwarding to a port-80 target group
/// with a random name.
fn anchor() -> (ObservedState, IdGen) {
    observe(&world(ANCHOR_NAME, 80).0)
}

fn deleted_names(plan: &Plan, observed: &ObservedState) -> Vec<String> {
    plan.actions
        .iter()
        .filter_map(|a| match a {
            Action::DeleteTargetGroup(r) => {
                observed.target_groups.iter().find(|t| t.id == r.target_group_identifier).map(|t| t.name.clone())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_target_group_with_our_tags_and_config_is_adopted_whatever_its_name_and_port() {
    let (observed, _) = anchor();
    let (want, _) = world(OUR_NAME, 8080);
    let plan = plan_all(&want, &observed);
    assert!(plan.is_noop(), "{:?}", plan.actions);
    assert!(plan.refused.is_empty(), "{:?}", plan.refused);
}

#[test]
fn an_adopted_target_group_gets_its_targets_and_tags_synced_by_id() {
    let (mut observed, mut ids) = anchor();
    let (mut want, _) = world(OUR_NAME, 8080);
    want.target_groups[0].targets = targets(3);
    want.target_groups[0].tags.insert("team".into(), "payments".into());
    let plan = plan_all(&want, &observed);
    assert_eq!(ops(&plan), ["TagResource", "RegisterTargets"]);
    let anchor_id = observed.target_groups[0].id.clone();
    match &plan.actions[1] {
        Action::RegisterTargets(t) => assert_eq!(t.target_group_identifier, anchor_id),
        other => panic!("unexpected {other:?}"),
    }
    apply(&plan, &mut observed, &mut ids);
    assert!(plan_all(&want, &observed).is_noop());
}

#[test]
fn a_new_rule_forwards_to_the_adopted_target_group_by_id() {
    let (observed, _) = anchor();
    let (mut want, _) = world(OUR_NAME, 8080);
    want.services[0].listeners[0].rules.push(mk_rule(2, "/b", forward(&[(OUR_NAME, 1)])));
    let plan = plan_all(&want, &observed);
    assert_eq!(ops(&plan), ["CreateRule"]);
    match &plan.actions[0] {
        Action::CreateRule(r) => assert_eq!(r.action, forward(&[(observed.target_groups[0].id.as_str(), 1)])),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn an_exact_name_wins_over_a_tag_match_which_is_then_collected_after_the_rules_move() {
    let (_, ours) = world(OUR_NAME, 8080);
    let (anchor_state, _) = world(ANCHOR_NAME, 80);
    // Both exist: ours (by name, unused) and the existing controller's (used by the rule).
    let (mut observed, mut ids) =
        observe(&desired(anchor_state.services.clone(), vec![anchor_state.target_groups[0].clone(), ours]));
    let (want, _) = world(OUR_NAME, 8080);
    let plan = plan_all(&want, &observed);
    assert_eq!(ops(&plan), ["BatchUpdateRule", "DeregisterTargets", "DeleteTargetGroup"]);
    assert_eq!(deleted_names(&plan, &observed), [ANCHOR_NAME]);
    apply(&plan, &mut observed, &mut ids);
    assert!(plan_all(&want, &observed).is_noop());
}

#[test]
fn among_duplicates_the_one_in_use_is_adopted_and_the_others_collected() {
    let (anchor_state, _) = world(ANCHOR_NAME, 80);
    let mut spare = anchor_state.target_groups[0].clone();
    spare.name = "k8s-default-rates-aaaaaaaaaa".into();
    let mut groups = anchor_state.target_groups.clone();
    groups.push(spare);
    let (mut observed, mut ids) = observe(&desired(anchor_state.services.clone(), groups));
    let (want, _) = world(OUR_NAME, 8080);
    let plan = plan_all(&want, &observed);
    assert_eq!(ops(&plan), ["DeregisterTargets", "DeleteTargetGroup"]);
    assert_eq!(deleted_names(&plan, &observed), ["k8s-default-rates-aaaaaaaaaa"]);
    apply(&plan, &mut observed, &mut ids);
    assert!(plan_all(&want, &observed).is_noop());
}

#[test]
fn different_identity_tags_or_configuration_are_not_adopted() {
    type Change = Box<dyn Fn(&mut ObservedState)>;
    let cases: Vec<(&str, Change)> = vec![
        ("route name", Box::new(|o| drop(o.target_groups[0].tags.insert(TAG_ROUTE_NAME.into(), "other".into())))),
        ("cluster", Box::new(|o| drop(o.target_groups[0].tags.insert(TAG_CLUSTER_NAME.into(), "green".into())))),
        ("route tags absent", Box::new(|o| drop(o.target_groups[0].tags.remove(TAG_ROUTE_NAMESPACE)))),
        ("protocol", Box::new(|o| o.target_groups[0].config.protocol = "HTTPS".into())),
        ("protocol version", Box::new(|o| o.target_groups[0].config.protocol_version = Some("HTTP2".into()))),
        ("address type", Box::new(|o| o.target_groups[0].config.ip_address_type = "IPV6".into())),
        ("vpc", Box::new(|o| o.target_groups[0].config.vpc_identifier = "vpc-0999".into())),
        ("failed creation", Box::new(|o| o.target_groups[0].status = "CREATE_FAILED".into())),
    ];
    for (what, change) in cases {
        let (mut observed, mut ids) = anchor();
        change(&mut observed);
        let (want, _) = world(OUR_NAME, 8080);
        let plan = plan_all(&want, &observed);
        assert_eq!(
            ops(&plan),
            ["CreateTargetGroup", "RegisterTargets", "BatchUpdateRule", "DeregisterTargets", "DeleteTargetGroup"],
            "{what}: a new target group, the rule moved to it, the old one collected"
        );
        apply(&plan, &mut observed, &mut ids);
        assert!(plan_all(&want, &observed).is_noop(), "{what}");
    }
}

#[test]
fn a_target_group_of_another_owner_is_never_adopted() {
    let (mut observed, _) = anchor();
    for tg in &mut observed.target_groups {
        tg.tags.insert(TAG_MANAGED_BY.into(), OTHER.into());
    }
    let (want, _) = world(OUR_NAME, 8080);
    let plan = plan_all(&want, &observed);
    assert_eq!(ops(&plan)[..2], ["CreateTargetGroup", "RegisterTargets"]);
    assert!(!ops(&plan).contains(&"DeleteTargetGroup"));
}

#[test]
fn a_service_export_target_group_with_five_identity_tags_is_adopted() {
    let export = |name: &str, port: i32| {
        let mut tg = mk_tg(name, "rates").targets(1);
        tg.config.port = port;
        tg.tags.remove(TAG_ROUTE_NAME);
        tg.tags.remove(TAG_ROUTE_NAMESPACE);
        tg.tags.insert(TAG_SOURCE_TYPE.into(), "ServiceExport".into());
        tg.tags.insert(crate::names::TAG_SERVICE_NAME.into(), "rates".into());
        tg.owner = Some(owner("ServiceExport", "rates"));
        tg
    };
    let (observed, _) = observe(&desired(vec![], vec![export(ANCHOR_NAME, 80)]));
    let plan = plan_all(&desired(vec![], vec![export(OUR_NAME, 8080)]), &observed);
    assert!(plan.is_noop(), "{:?}", plan.actions);
    // A route target group for the same Service is another backend.
    let (route_want, _) = world(OUR_NAME, 8080);
    let plan = plan_all(&desired(vec![], route_want.target_groups), &observed);
    assert_eq!(ops(&plan), ["CreateTargetGroup", "RegisterTargets", "DeregisterTargets", "DeleteTargetGroup"]);
}

#[test]
fn only_desired_target_groups_in_scope_adopt() {
    let (observed, _) = anchor();
    let (want, _) = world(OUR_NAME, 8080);
    let scope = Scope::Owners(BTreeSet::from([owner("HTTPRoute", "other")]));
    let plan = plan_in(&scope, &want, &observed);
    assert!(plan.is_noop(), "{:?}", plan.actions);
    let scope = Scope::Owners(BTreeSet::from([owner("HTTPRoute", "rates")]));
    assert!(plan_in(&scope, &want, &observed).is_noop());
}
