//! The owners of actions a run could not apply: every action is attributed, and a run scoped to
//! the owners of what a cut run left finishes it.

use super::Scope;
use super::memory;
use super::owners::leftover;
use super::test_support::*;
use crate::lattice::{DesiredState, ListenerProtocol};

fn route(name: &str, tg: &str) -> (crate::lattice::ServiceSpec, crate::lattice::TargetGroupSpec) {
    let service = mk_service(name).listener(
        mk_listener(80, ListenerProtocol::Http, forward(&[(tg, 1)]))
            .rule(mk_rule(1, "/a", forward(&[(tg, 1)])))
            .rule(mk_rule(2, "/b", forward(&[(tg, 1)]))),
    );
    (service, mk_tg(tg, name).targets(3))
}

/// `rates` and `parking` stay; `inventory`, which exists, is gone from the desired state.
fn scene() -> (DesiredState, DesiredState) {
    let routes = [route("rates", "k8s-rates"), route("parking", "k8s-parking"), route("inventory", "k8s-inv")];
    let before = desired(routes.iter().map(|r| r.0.clone()).collect(), routes.iter().map(|r| r.1.clone()).collect());
    let mut after =
        desired(routes[..2].iter().map(|r| r.0.clone()).collect(), routes[..2].iter().map(|r| r.1.clone()).collect());
    // A changed rule on rates, so that existing resources are updated too.
    after.services[0].listeners[0].rules[1].priority = 3;
    let (_, fresh) = route("fresh", "k8s-fresh");
    after.target_groups.push(fresh.clone());
    let (mut fresh_service, _) = route("fresh", "k8s-fresh");
    fresh_service.name = "fresh-default".into();
    after.services.push(fresh_service);
    (before, after)
}

#[test]
fn every_action_of_creations_updates_and_deletions_names_its_route() {
    let (before, after) = scene();
    let (observed, _) = observe(&before);
    let plan = plan_all(&after, &observed);
    assert!(!plan.actions.is_empty());
    let left = leftover(&plan.actions, &after, &observed);
    assert_eq!(left.unowned, 0, "{:?}", ops(&plan));
    let names: Vec<&str> = left.owners.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["fresh", "inventory", "rates"], "{:?}", ops(&plan));
    assert!(left.owners.iter().all(|o| o.kind == "HTTPRoute" && o.namespace == NS));
    // No action: nothing left.
    assert!(leftover(&[], &after, &observed).is_empty());
}

#[test]
fn a_run_cut_after_any_action_is_finished_by_runs_scoped_to_the_owners_it_left() {
    let (before, after) = scene();
    let (start, ids) = observe(&before);
    let full = plan_all(&after, &start).actions;
    for k in 0..=full.len() {
        let (mut observed, mut ids) = (start.clone(), ids.clone());
        for action in &full[..k] {
            memory::apply_action(action, &mut observed, &mut ids).expect("applies");
        }
        let left = leftover(&full[k..], &after, &observed);
        assert_eq!(left.unowned, 0, "k={k}");
        assert_eq!(left.is_empty(), k == full.len(), "k={k}");
        let scoped = plan_in(&Scope::Owners(left.owners.clone()), &after, &observed);
        assert!(scoped.refused.is_empty(), "k={k}: {:?}", scoped.refused);
        apply(&scoped, &mut observed, &mut ids);
        let rest = plan_all(&after, &observed);
        assert!(rest.is_noop(), "k={k}: the scoped runs left {:?}", ops(&rest));
    }
}

#[test]
fn service_network_actions_belong_to_the_whole_cluster() {
    let mut want = DesiredState::default();
    want.service_networks.push(crate::lattice::ServiceNetworkSpec {
        name: "platform".into(),
        tags: Some(tags(&[(crate::names::TAG_MANAGED_BY, MANAGED_BY)])),
        ..Default::default()
    });
    let observed = base_observed();
    let plan = plan_all(&want, &observed);
    assert_eq!(ops(&plan), ["CreateServiceNetwork"]);
    let left = leftover(&plan.actions, &want, &observed);
    assert!(left.owners.is_empty());
    assert_eq!(left.unowned, 1);
}
