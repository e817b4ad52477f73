//! Crash consistency: a run cut off after its k-th VPC Lattice call, for every k up to the length
//! of the run, followed by ordinary runs, ends in the account a clean run ends in: nothing
//! duplicated, no orphan target group, no half-deleted service, other owners' resources untouched.

use lattice::AdapterConfig;
use lattice_sim::{Faults, SimConfig};
use model::plan::Scope;
use model::snapshot::ClusterSnapshot;
use resilience_tests::{World, fast, hotel, hotel_updated, hotel_without_routes, world};

/// Retries would only repeat the cut call: two attempts keep the loop quick.
fn cut_pacing() -> AdapterConfig {
    AdapterConfig { max_attempts: 2, read_attempts: 2, ..fast() }
}

/// A world holding `before` (converged), or nothing of ours.
async fn prepared(before: Option<&ClusterSnapshot>) -> World {
    let w = world(SimConfig::default()).await;
    if let Some(before) = before {
        w.converge(&w.adapter(fast()), before, 3).await;
    }
    w.sim.reset_calls();
    w
}

/// What the scenario measured: the clean run's length in calls and the most runs any cut needed
/// after the cut one.
struct Measured {
    length: u64,
    max_runs: usize,
    actions: usize,
}

async fn cut_after_every_call(before: Option<ClusterSnapshot>, after: ClusterSnapshot) -> Measured {
    let clean = prepared(before.as_ref()).await;
    let lattice = clean.adapter(fast());
    let report = clean.reconcile(&lattice, &after, Scope::All).await.expect("the clean run reads");
    let outcome = report.apply.as_ref().expect("applied");
    assert!(outcome.failed.is_empty() && outcome.skipped.is_empty() && outcome.pending.is_empty(), "{outcome:?}");
    let length = clean.calls();
    let actions = report.plan.actions.len();
    assert!(actions > 0, "the scenario changes something");
    assert_eq!(clean.converge(&lattice, &after, 2).await, 0, "one clean run finishes the work");
    let expected = clean.ours();
    clean.assert_foreign_untouched_and_no_duplicates();

    let mut max_runs = 0;
    for k in 1..=length {
        let w = prepared(before.as_ref()).await;
        let lattice = w.adapter(cut_pacing());
        w.sim.set_faults(Faults { fail_after: Some(k), ..Faults::default() }).expect("cut set");
        // The cut run fails somewhere; whatever it reports, the next runs must repair it.
        let _ = w.reconcile(&lattice, &after, Scope::All).await;
        w.sim.set_faults(Faults::default()).expect("cut cleared");
        let runs = w.converge(&lattice, &after, 4).await;
        assert!(runs <= 1, "cut after call {k}: {runs} runs to converge");
        max_runs = max_runs.max(runs);
        let ours = w.ours();
        assert_eq!(ours, expected, "cut after call {k}: the account differs from the clean run's");
        w.assert_foreign_untouched_and_no_duplicates();
    }
    Measured { length, max_runs, actions }
}

fn summary(m: &Measured) -> String {
    format!(
        "cut after each of the {} calls ({} actions): the next run converged every time (at most {} run), equal to the clean run, 0 duplicates, 0 orphans, foreign untouched",
        m.length, m.actions, m.max_runs
    )
}

#[tokio::test]
async fn reliability_crash_demo_apply() {
    let m = cut_after_every_call(None, hotel()).await;
    reliability::record("crash-demo-apply", &summary(&m));
}

#[tokio::test]
async fn reliability_crash_routes_deleted() {
    let m = cut_after_every_call(Some(hotel()), hotel_without_routes()).await;
    reliability::record("crash-routes-deleted", &summary(&m));
}

#[tokio::test]
async fn reliability_crash_demo_updated() {
    let m = cut_after_every_call(Some(hotel()), hotel_updated()).await;
    reliability::record("crash-demo-updated", &summary(&m));
}
