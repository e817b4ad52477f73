//! A run whose time budget runs out after k actions: it stops, leaves the status of the routes
//! whose work it did not do, and names their owners; runs scoped to those owners finish the work,
//! ending where an uncut run ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use model::lattice::OwnerKey;
use model::observed::ObservedState;
use model::plan::Scope;
use model::snapshot::ClusterSnapshot;

use super::tests::{MemoryLattice, config, hotel, request};
use super::*;

/// A budget that allows exactly `k` actions: a deterministic stand-in for a clock.
fn actions(k: usize) -> Budget {
    let started = Arc::new(AtomicUsize::new(0));
    Budget::new(move || started.fetch_add(1, Ordering::SeqCst) < k)
}

/// The hotel without `inventory`, with a copy of `rates` named `fresh`.
fn next() -> ClusterSnapshot {
    let mut snapshot = hotel();
    snapshot.http_routes.retain(|r| r.metadata.name.as_deref() != Some("inventory"));
    let mut fresh =
        snapshot.http_routes.iter().find(|r| r.metadata.name.as_deref() == Some("rates")).expect("rates").clone();
    fresh.metadata.name = Some("fresh".into());
    fresh.metadata.uid = Some("fresh-uid".into());
    snapshot.http_routes.push(fresh);
    snapshot
}

/// What an account holds, without ids: services with listeners, rules and associations, target
/// groups with targets.
fn shape(state: &ObservedState) -> Vec<String> {
    let mut out = Vec::new();
    for s in &state.services {
        let networks: Vec<&str> = s.associations.iter().map(|a| a.service_network_name.as_str()).collect();
        out.push(format!("service {} {networks:?}", s.name));
        for l in &s.listeners {
            out.push(format!("listener {}/{} {}", s.name, l.name, l.port));
            for r in &l.rules {
                out.push(format!("rule {}/{}/{} {}", s.name, l.name, r.name, r.priority));
            }
        }
    }
    for tg in &state.target_groups {
        let mut targets: Vec<String> = tg.targets.iter().map(|t| format!("{}:{}", t.id, t.port)).collect();
        targets.sort();
        out.push(format!("targetgroup {} {targets:?}", tg.name));
    }
    out.sort();
    out
}

async fn started() -> MemoryLattice {
    let lattice = MemoryLattice::with_network("my-hotel");
    reconcile(&lattice, &config(), request(hotel(), Mode::Apply)).await.expect("create the hotel");
    lattice
}

async fn state(lattice: &MemoryLattice) -> ObservedState {
    lattice.observe("", &Scope::All, &Default::default()).await.expect("observe")
}

fn has_status(report: &Report, owner: &OwnerKey) -> bool {
    report.translation.status.iter().any(|e| {
        e.kind == owner.kind && e.namespace.as_deref() == Some(owner.namespace.as_str()) && e.name == owner.name
    })
}

fn route(name: &str) -> OwnerKey {
    OwnerKey { kind: "HTTPRoute".into(), namespace: "default".into(), name: name.into() }
}

#[tokio::test]
async fn a_run_cut_after_k_actions_names_what_it_left_and_scoped_runs_finish_it() {
    let uncut = started().await;
    let full = reconcile(&uncut, &config(), request(next(), Mode::Apply)).await.expect("uncut");
    let n = full.plan.actions.len();
    assert!(n > 5 && full.left.is_empty(), "{n} {:?}", full.left);
    let want = shape(&state(&uncut).await);
    for k in 0..=n {
        let lattice = started().await;
        let report =
            reconcile_within(&lattice, &config(), request(next(), Mode::Apply), &actions(k)).await.expect("cut");
        let apply = report.apply.as_ref().expect("applied");
        assert_eq!((apply.applied, apply.deferred.len()), (k, n - k), "k={k}");
        assert_eq!(report.left.is_empty(), k == n, "k={k}");
        assert_eq!(report.left.unowned, 0, "k={k}");
        assert!(report.left.owners.iter().all(|o| *o == route("fresh") || *o == route("inventory")), "k={k}");
        for owner in &report.left.owners {
            assert!(!has_status(&report, owner), "k={k}: {owner} must keep the status it has");
        }
        assert!(has_status(&report, &route("rates")), "k={k}: untouched routes still get their status");
        assert_eq!(has_status(&report, &route("fresh")), !report.left.owners.contains(&route("fresh")), "k={k}");

        // The hand-off: one run scoped to the owners left.
        if !report.left.is_empty() {
            let mut scoped = request(next(), Mode::Apply);
            scoped.scope = Scope::Owners(report.left.owners.clone());
            let finish = reconcile(&lattice, &config(), scoped).await.expect("scoped");
            assert!(finish.apply.as_ref().is_some_and(|a| a.is_success() && a.deferred.is_empty()), "k={k}");
            assert!(finish.left.is_empty());
            for owner in report.left.owners.iter().filter(|o| o.name == "fresh") {
                assert!(has_status(&finish, owner), "k={k}: the finishing run writes {owner}");
            }
        }
        let after = reconcile(&lattice, &config(), request(next(), Mode::Apply)).await.expect("again");
        assert!(after.plan.actions.is_empty(), "k={k}: left {:?}", after.plan.actions);
        assert_eq!(shape(&state(&lattice).await), want, "k={k}");
    }
}

#[tokio::test]
async fn an_unlimited_budget_is_the_uncut_run() {
    let lattice = started().await;
    let budget = Budget::unlimited();
    let report = reconcile_within(&lattice, &config(), request(next(), Mode::Apply), &budget).await.expect("run");
    assert!(report.left.is_empty() && !budget.is_spent());
    assert!(report.apply.as_ref().is_some_and(|a| a.deferred.is_empty() && a.applied == report.plan.actions.len()));
}
