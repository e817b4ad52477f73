//! The garbage-collection safety valve.

use std::collections::BTreeSet;

use crate::lattice::{DesiredState, ListenerProtocol};

use super::test_support::*;
use super::valve::{GcLimit, guard, is_destructive};
use super::{Plan, Scope};

/// `n` routes, each a service with one listener and one target group with two targets.
fn routes(n: usize) -> DesiredState {
    let mut state = desired(vec![], vec![]);
    for i in 0..n {
        let name = format!("r{i}");
        let tg = format!("k8s-{name}-tg");
        state.services.push(mk_service(&name).listener(mk_listener(80, ListenerProtocol::Http, forward(&[(&tg, 1)]))));
        state.target_groups.push(mk_tg(&tg, &name).targets(2));
    }
    state
}

/// The plan that removes `gone` of `n` applied routes, through the valve.
fn remove(n: usize, gone: usize, scope: &Scope, limit: &GcLimit) -> (Plan, Option<super::valve::MassDelete>) {
    let (observed, _) = observe(&routes(n));
    let mut want = routes(n);
    want.services.truncate(n - gone);
    want.target_groups.truncate(n - gone);
    let plan = plan_in(scope, &want, &observed);
    guard(plan, &observed, scope, MANAGED_BY, limit)
}

#[test]
fn deleting_within_the_share_or_the_floor_passes() {
    let limit = GcLimit::default();
    // 2 of 8 resources (one route of four): within 50 % and within the floor.
    let (plan, mass) = remove(4, 1, &Scope::All, &limit);
    assert!(mass.is_none());
    assert!(plan.actions.iter().any(is_destructive));
    // One route of two: 2 of 4 resources, the floor allows it whatever the share.
    let (_, mass) = remove(2, 1, &Scope::All, &limit);
    assert!(mass.is_none());
    // Two routes of four: 4 of 8, exactly 50 %: allowed.
    let (_, mass) = remove(4, 2, &Scope::All, &limit);
    assert!(mass.is_none());
}

#[test]
fn a_mass_deletion_keeps_creates_and_refuses_every_destructive_call() {
    let limit = GcLimit::default();
    let (observed, _) = observe(&routes(4));
    // Every route gone at once, and a new one appears.
    let mut want = routes(5);
    want.services.drain(..4);
    want.target_groups.drain(..4);
    let plan = plan_all(&want, &observed);
    let destructive = plan.actions.iter().filter(|a| is_destructive(a)).count();
    let creates = plan.actions.iter().filter(|a| !is_destructive(a)).count();
    let (guarded, mass) = guard(plan, &observed, &Scope::All, MANAGED_BY, &limit);
    let mass = mass.expect("tripped");
    assert_eq!((mass.deletions, mass.owned, mass.refused_calls, mass.overridden), (8, 8, destructive, false));
    assert!(!guarded.actions.iter().any(is_destructive), "{:?}", ops(&guarded));
    assert_eq!(guarded.actions.len(), creates, "creates and updates are kept");
    assert!(guarded.actions.iter().any(|a| a.op() == "CreateService"));
    let refused: BTreeSet<&str> = guarded.refused.iter().map(|r| r.resource.as_str()).collect();
    assert!(refused.contains("service/r0-default") && refused.contains("targetgroup/k8s-r3-tg"), "{refused:?}");
    assert!(guarded.refused.iter().all(|r| r.reason.contains("mass deletion refused: 8 of 8")));
    let text = mass.to_string();
    assert!(text.contains("GC_MAX_DELETE_PERCENT=50%") && text.contains("allowMassDelete"), "{text}");
}

#[test]
fn the_override_lets_the_deletions_through_and_says_so() {
    let limit = GcLimit { allow_mass_delete: true, ..GcLimit::default() };
    let (plan, mass) = remove(3, 3, &Scope::All, &limit);
    let mass = mass.expect("reported");
    assert!(mass.overridden && mass.refused_calls == 0);
    assert_eq!(plan.actions.iter().filter(|a| a.op() == "DeleteService").count(), 3);
    assert!(mass.to_string().contains("allowed by the mass-delete override"));
}

#[test]
fn the_share_and_the_floor_are_configurable() {
    // 100 % turns the valve off.
    let off = GcLimit { max_delete_percent: 100, ..GcLimit::default() };
    assert!(remove(3, 3, &Scope::All, &off).1.is_none());
    // A floor of 0 and a share of 0: any deletion trips.
    let strict = GcLimit { max_delete_percent: 0, min_delete: 0, allow_mass_delete: false };
    assert!(remove(4, 1, &Scope::All, &strict).1.is_some());
    // A large floor lets everything through.
    let lenient = GcLimit { min_delete: 100, ..GcLimit::default() };
    assert!(remove(3, 3, &Scope::All, &lenient).1.is_none());
}

#[test]
fn runs_scoped_to_named_routes_are_not_limited_and_whole_cluster_runs_count_their_scope() {
    let strict = GcLimit { max_delete_percent: 0, min_delete: 0, allow_mass_delete: false };
    for owners in [vec!["r2"], vec!["r1", "r2"]] {
        let scope = Scope::Owners(owners.iter().map(|o| owner("HTTPRoute", o)).collect());
        let (plan, mass) = remove(3, owners.len(), &scope, &strict);
        assert!(mass.is_none(), "{owners:?}");
        assert_eq!(plan.actions.iter().filter(|a| a.op() == "DeleteService").count(), owners.len());
    }
    // A whole-cluster run that leaves one route out counts only what it may collect.
    let except = Scope::Except([owner("HTTPRoute", "r0")].into());
    let (plan, mass) = remove(3, 2, &except, &strict);
    assert_eq!(mass.expect("tripped").owned, 4, "only what the scope covers counts");
    assert!(!plan.actions.iter().any(is_destructive));
}
