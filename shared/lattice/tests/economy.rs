//! API economy over HTTP against the emulator: what a sweep costs on the fingerprint path, with
//! full verification, and for single changes, counted with the emulator's call counter.

mod common;

use std::collections::BTreeMap;

use aws_sdk_vpclattice::types::{FixedResponseAction, RuleAction as SdkRuleAction};
use common::*;
use lattice::{ApplyReport, Lattice};
use lattice_sim::{Quotas, RunningSim, SimConfig};
use model::fingerprint::Verify;
use model::fingerprint::synthesize::{Expected, stale_services};
use model::lattice::{DesiredState, RuleAction};
use model::observed::ObservedState;
use model::plan::{Plan, Scope, plan};

/// `n` one-rule routes, each with one target group of two targets.
fn routes(n: usize) -> DesiredState {
    let mut desired = DesiredState::default();
    for i in 0..n {
        let route = format!("r{i:04}");
        let tg = format!("k8s-default-{route}");
        let matched = rule("k8s-rule-all", 1, prefix("/"), forward(&[(&tg, 1)]));
        desired.services.push(service(&route, RuleAction::fixed(404), vec![matched]));
        desired.target_groups.push(target_group(&tg, &route, 2));
    }
    desired
}

/// An emulator with room for `routes` routes.
async fn roomy(routes: usize) -> RunningSim {
    let quotas =
        Quotas { target_groups: routes.max(500), services_per_service_network: routes.max(500), ..Quotas::default() };
    sim(SimConfig { quotas, ..SimConfig::default() }).await
}

/// One sweep as the reconciler makes it: observe (fingerprints as `verify` says), read in full
/// the services whose desired state is not the one their fingerprint vouches for, plan, apply.
async fn sweep(lattice: &Lattice, desired: &DesiredState, verify: Verify) -> (Plan, ApplyReport, ObservedState) {
    let expected = Expected::of(desired, verify);
    let mut observed =
        lattice.observe_expecting(MANAGED_BY, &Scope::All, &names(desired), &expected).await.expect("observe");
    let stale = stale_services(&observed, desired);
    if !stale.is_empty() {
        lattice.read_services_in_full(MANAGED_BY, &Scope::All, &stale, &mut observed).await.expect("read");
    }
    let plan = plan(desired, &observed, &Scope::All, MANAGED_BY);
    let report = lattice.apply(&plan, &mut observed, MANAGED_BY).await;
    (plan, report, observed)
}

/// Sweeps until one plans nothing (at most `max` applying sweeps).
async fn settle(lattice: &Lattice, desired: &DesiredState, max: usize) {
    for _ in 0..=max {
        let (plan, report, _) = sweep(lattice, desired, Verify::Fingerprint).await;
        assert!(report.is_success(), "{report:#?}");
        if plan.is_noop() {
            return;
        }
    }
    panic!("no steady state within {max} sweeps");
}

/// The calls of one sweep, counted by the emulator.
async fn counted(
    sim: &RunningSim,
    lattice: &Lattice,
    desired: &DesiredState,
    verify: Verify,
) -> (Plan, BTreeMap<String, u64>) {
    sim.reset_calls();
    let (plan, report, _) = sweep(lattice, desired, verify).await;
    assert!(report.is_complete(), "{report:#?}");
    (plan, sim.calls())
}

fn ops(plan: &Plan) -> Vec<&'static str> {
    plan.actions.iter().map(|a| a.op()).collect()
}

fn calls(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(op, n)| ((*op).to_owned(), *n)).collect()
}

#[tokio::test]
async fn a_no_op_sweep_reads_only_the_bulk_inventory_and_grows_linearly() {
    let mut totals = Vec::new();
    for n in [10, 100] {
        let sim = roomy(n).await;
        let lattice = adapter(&sim, fast()).await;
        let desired = routes(n);
        settle(&lattice, &desired, 1).await;
        let (plan, calls) = counted(&sim, &lattice, &desired, Verify::Fingerprint).await;
        assert!(plan.is_noop(), "{:?}", ops(&plan));
        eprintln!("no-op sweep of {n} one-rule routes: {} calls: {calls:?}", total(&calls));
        // Services and target groups, 100 per page; the service networks, our VPC's
        // associations; one GetService for the form of the DNS names.
        let pages = (2 * n as u64).div_ceil(100);
        let want = [
            ("GetResources", pages),
            ("ListServiceNetworks", 1),
            ("ListServiceNetworkVpcAssociations", 1),
            ("GetService", 1),
        ];
        assert_eq!(calls, self::calls(&want), "{n} routes");
        totals.push(total(&calls));
    }
    assert!(totals[1] * 10 <= totals[0] * 105, "100 routes cost at most 10.5 times 10: {totals:?}");
}

#[tokio::test]
async fn full_verification_costs_a_bounded_number_of_calls_per_route() {
    let mut totals = Vec::new();
    for n in [5, 10] {
        let sim = roomy(n).await;
        let lattice = adapter(&sim, fast()).await;
        let desired = routes(n);
        settle(&lattice, &desired, 1).await;
        let (plan, calls) = counted(&sim, &lattice, &desired, Verify::Full).await;
        assert!(plan.is_noop(), "{:?}", ops(&plan));
        eprintln!("verify sweep of {n} one-rule routes: {} calls: {calls:?}", total(&calls));
        totals.push(total(&calls));
    }
    // Per route: GetService, ListListeners, GetListener, ListRules, GetRule (one per rule),
    // GetTargetGroup and ListTargets (one each per backend). The service associations come from
    // one listing of the service network, with the other bulk reads.
    let per_route = (totals[1] - totals[0]) / 5;
    assert_eq!(per_route, 7, "{totals:?}");
    assert_eq!(totals[0] - 5 * per_route, 5, "plus the constant bulk reads: {totals:?}");
}

#[tokio::test]
async fn one_endpoint_change_lists_registers_deregisters_and_retags_one_target_group() {
    let sim = roomy(20).await;
    let lattice = adapter(&sim, fast()).await;
    let mut desired = routes(20);
    settle(&lattice, &desired, 1).await;
    desired.target_groups[7].targets[1].id = "10.0.9.99".into();
    let (plan, calls) = counted(&sim, &lattice, &desired, Verify::Fingerprint).await;
    assert_eq!(ops(&plan), ["RegisterTargets", "DeregisterTargets", "TagResource"]);
    eprintln!("one endpoint change: {} calls: {calls:?}", total(&calls));
    let want = [
        ("GetResources", 1),
        ("ListServiceNetworks", 1),
        ("ListServiceNetworkVpcAssociations", 1),
        ("GetService", 1),
        ("ListTargets", 1),
        ("RegisterTargets", 1),
        ("DeregisterTargets", 1),
        ("TagResource", 1),
    ];
    assert_eq!(calls, self::calls(&want));
    let (plan, _) = counted(&sim, &lattice, &desired, Verify::Fingerprint).await;
    assert!(plan.is_noop(), "{:?}", ops(&plan));
}

#[tokio::test]
async fn one_changed_route_is_read_and_updated_alone() {
    let sim = roomy(20).await;
    let lattice = adapter(&sim, fast()).await;
    let mut desired = routes(20);
    settle(&lattice, &desired, 1).await;
    desired.services[3].listeners[0].rules[0].matcher = model::lattice::RuleMatch::HttpMatch(prefix("/v2"));
    let (plan, calls) = counted(&sim, &lattice, &desired, Verify::Fingerprint).await;
    eprintln!("one route changed: {:?}: {} calls: {calls:?}", ops(&plan), total(&calls));
    assert_eq!(ops(&plan).last(), Some(&"TagResource"));
    assert_eq!(calls.get("GetService"), Some(&1), "only the changed service is read");
    assert_eq!(calls.get("GetRule"), Some(&1));
    assert_eq!(calls.get("ListServices"), None);
    assert_eq!(calls.get("GetTargetGroup"), None);
    let (plan, _) = counted(&sim, &lattice, &desired, Verify::Fingerprint).await;
    assert!(plan.is_noop(), "{:?}", ops(&plan));
}

#[tokio::test]
async fn one_deleted_route_takes_its_service_and_target_group_with_it() {
    let sim = roomy(20).await;
    let lattice = adapter(&sim, fast()).await;
    let mut desired = routes(20);
    settle(&lattice, &desired, 1).await;
    desired.services.remove(5);
    desired.target_groups.remove(5);
    let (plan, calls) = counted(&sim, &lattice, &desired, Verify::Fingerprint).await;
    eprintln!("one route deleted: {:?}: {} calls: {calls:?}", ops(&plan), total(&calls));
    assert_eq!(
        ops(&plan),
        ["DeleteServiceNetworkServiceAssociation", "DeleteService", "DeregisterTargets", "DeleteTargetGroup"]
    );
    assert_eq!(calls.get("GetService"), Some(&1), "the deleted route's service is read, no other");
    assert_eq!(calls.get("GetTargetGroup"), Some(&1));
    let (plan, _) = counted(&sim, &lattice, &desired, Verify::Fingerprint).await;
    assert!(plan.is_noop(), "{:?}", ops(&plan));
}

#[tokio::test]
async fn drift_is_invisible_to_the_fingerprint_path_and_repaired_by_verification() {
    let sim = roomy(3).await;
    let lattice = adapter(&sim, fast()).await;
    let desired = routes(3);
    settle(&lattice, &desired, 1).await;
    let observed = lattice.observe(MANAGED_BY, &Scope::All, &names(&desired)).await.expect("observe");
    let svc = &observed.services[1];
    let listener = &svc.listeners[0];
    let fixed = FixedResponseAction::builder().status_code(500).build().expect("action");
    raw(&sim)
        .await
        .update_rule()
        .service_identifier(&svc.id)
        .listener_identifier(&listener.id)
        .rule_identifier(&listener.rules[0].id)
        .action(SdkRuleAction::FixedResponse(fixed))
        .send()
        .await
        .expect("changed by hand");

    let (plan, _) = counted(&sim, &lattice, &desired, Verify::Fingerprint).await;
    assert!(plan.is_noop(), "the fingerprint still vouches for the rule: {:?}", ops(&plan));
    let (plan, calls) = counted(&sim, &lattice, &desired, Verify::Full).await;
    assert_eq!(ops(&plan), ["BatchUpdateRule"], "verification repairs it; the fingerprint is right already");
    assert_eq!(calls.get("BatchUpdateRule"), Some(&1));
    let after = lattice.observe(MANAGED_BY, &Scope::All, &names(&desired)).await.expect("observe");
    assert_eq!(shape_of_observed(&after), shape_of_desired(&desired));
}

#[tokio::test]
async fn a_crash_before_the_fingerprint_write_is_repaired_by_the_next_sweep() {
    let sim = roomy(3).await;
    let lattice = adapter(&sim, fast()).await;
    let mut desired = routes(3);
    settle(&lattice, &desired, 1).await;
    desired.services[2].listeners[0].default_action = RuleAction::fixed(500);
    let expected = Expected::of(&desired, Verify::Fingerprint);
    let mut observed =
        lattice.observe_expecting(MANAGED_BY, &Scope::All, &names(&desired), &expected).await.expect("observe");
    let stale = stale_services(&observed, &desired);
    lattice.read_services_in_full(MANAGED_BY, &Scope::All, &stale, &mut observed).await.expect("read");
    let mut cut = plan(&desired, &observed, &Scope::All, MANAGED_BY);
    assert_eq!(ops(&cut), ["UpdateListener", "TagResource"]);
    cut.actions.pop();
    assert!(lattice.apply(&cut, &mut observed, MANAGED_BY).await.is_complete());

    let (plan, calls) = counted(&sim, &lattice, &desired, Verify::Fingerprint).await;
    assert_eq!(ops(&plan), ["TagResource"], "read in full, found as desired, fingerprinted");
    assert_eq!(calls.get("GetService"), Some(&1));
    let (plan, _) = counted(&sim, &lattice, &desired, Verify::Fingerprint).await;
    assert!(plan.is_noop(), "{:?}", ops(&plan));
}

#[tokio::test]
async fn the_initial_sync_of_one_route_is_one_sweep() {
    let sim = roomy(1).await;
    let lattice = adapter(&sim, fast()).await;
    let desired = routes(1);
    let (plan, calls) = counted(&sim, &lattice, &desired, Verify::Fingerprint).await;
    eprintln!("initial sync of one route: {:?}: {} calls: {calls:?}", ops(&plan), total(&calls));
    let want = [
        ("GetResources", 1),
        ("ListServiceNetworks", 1),
        ("ListServiceNetworkVpcAssociations", 1),
        ("ListServices", 1),
        ("CreateTargetGroup", 1),
        ("RegisterTargets", 1),
        ("CreateService", 1),
        ("CreateServiceNetworkServiceAssociation", 1),
        ("CreateListener", 1),
        ("CreateRule", 1),
        ("TagResource", 2),
    ];
    assert_eq!(calls, self::calls(&want));
    let (plan, _) = counted(&sim, &lattice, &desired, Verify::Fingerprint).await;
    assert!(plan.is_noop(), "one pass: {:?}", ops(&plan));
}

#[tokio::test]
async fn verification_lists_service_associations_per_network_and_still_sees_each_one() {
    let sim = roomy(4).await;
    let lattice = adapter(&sim, fast()).await;
    let desired = routes(4);
    settle(&lattice, &desired, 1).await;
    let sdk = raw(&sim).await;
    // Someone else's service in the same network, and one of ours taken out of it by hand.
    let foreign = sdk.create_service().name("someone-elses").send().await.expect("foreign service");
    let networks = sdk.list_service_networks().send().await.expect("networks");
    let network = networks.items()[0].id().expect("network id").to_owned();
    let foreign_id = foreign.id().expect("id").to_owned();
    sdk.create_service_network_service_association()
        .service_identifier(&foreign_id)
        .service_network_identifier(&network)
        .send()
        .await
        .expect("foreign association");
    let before = lattice.observe(MANAGED_BY, &Scope::All, &names(&desired)).await.expect("observe");
    let dropped = &before.services[2];
    let association = &dropped.associations[0];
    sdk.delete_service_network_service_association()
        .service_network_service_association_identifier(&association.id)
        .send()
        .await
        .expect("disassociated by hand");

    let (plan, calls) = counted(&sim, &lattice, &desired, Verify::Full).await;
    assert_eq!(calls.get("ListServiceNetworkServiceAssociations"), Some(&1), "one listing of the network: {calls:?}");
    assert_eq!(ops(&plan), ["CreateServiceNetworkServiceAssociation"], "only the one taken out is associated again");
    let after = lattice.observe(MANAGED_BY, &Scope::All, &names(&desired)).await.expect("observe");
    for service in &after.services {
        let listed = sdk
            .list_service_network_service_associations()
            .service_identifier(&service.id)
            .send()
            .await
            .expect("associations of the service");
        let mut want: Vec<&str> = listed.items().iter().filter_map(|a| a.id()).collect();
        let mut got: Vec<&str> = service.associations.iter().map(|a| a.id.as_str()).collect();
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, want, "{}", service.name);
        assert!(service.associations.iter().all(|a| a.service_network_id == network));
    }
    assert!(after.services.iter().all(|s| s.id != foreign_id), "the foreign service is not read as ours");
}
