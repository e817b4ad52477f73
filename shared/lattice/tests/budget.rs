//! A run whose budget runs out after k actions stops starting actions, reports the rest as
//! deferred, and the next run finishes the work: the same account as an uncut run.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use lattice_sim::SimConfig;
use model::budget::Budget;
use model::plan::Scope;

/// A budget that allows exactly `k` actions.
fn actions(k: usize) -> Budget {
    let started = Arc::new(AtomicUsize::new(0));
    Budget::new(move || started.fetch_add(1, Ordering::SeqCst) < k)
}

#[tokio::test]
async fn a_run_out_of_budget_after_k_actions_defers_the_rest_and_the_next_run_finishes() {
    let desired = desired();
    let length = {
        let sim = sim(SimConfig::default()).await;
        let lattice = adapter(&sim, fast()).await;
        let observed = lattice.observe(MANAGED_BY, &Scope::All, &names(&desired)).await.expect("observe");
        model::plan::plan(&desired, &observed, &Scope::All, MANAGED_BY).actions.len()
    };
    assert!(length > 5, "{length}");
    for k in 0..=length {
        let sim = sim(SimConfig::default()).await;
        let lattice = adapter(&sim, fast()).await;
        let mut observed = lattice.observe(MANAGED_BY, &Scope::All, &names(&desired)).await.expect("observe");
        let plan = model::plan::plan(&desired, &observed, &Scope::All, MANAGED_BY);
        let budget = actions(k);
        let report = lattice.apply_within(&plan, &mut observed, MANAGED_BY, &budget).await;
        assert!(report.failed.is_empty() && report.skipped.is_empty(), "k={k}: {report:#?}");
        assert_eq!(report.applied.len(), k, "k={k}: exactly the allowed actions started");
        assert_eq!(report.applied.len() + report.pending.len() + report.deferred.len(), plan.actions.len(), "k={k}");
        assert_eq!(plan.actions.len(), length, "k={k}");
        assert_eq!(budget.is_spent(), k < length, "k={k}");
        // What was deferred is what is left: the next plan does exactly the deferred work.
        let next = model::plan::plan(&desired, &observed, &Scope::All, MANAGED_BY);
        assert_eq!(next.actions.len(), report.deferred.len(), "k={k}: {:?}", next.actions);
        let runs = converge(&lattice, &desired, 2).await;
        assert!(runs <= 1, "k={k}: {runs} runs to converge");
        let after = lattice.observe(MANAGED_BY, &Scope::All, &names(&desired)).await.expect("observe");
        assert_eq!(shape_of_observed(&after), shape_of_desired(&desired), "k={k}");
        let census = census(&raw(&sim).await).await;
        assert!(census.values().all(|n| *n == 1), "k={k}: duplicates {census:?}");
    }
}
