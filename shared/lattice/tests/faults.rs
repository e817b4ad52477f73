//! Faults: throttling and internal errors, runs cut off after k calls, and resources that stay
//! in progress. Every scenario ends converged, without duplicates or orphans.

mod common;

use std::time::Duration;

use common::*;
use lattice::AdapterConfig;
use lattice_sim::{Faults, SimConfig};

/// What a converged account holds: every desired resource exactly once, nothing else of ours.
async fn assert_converged_without_duplicates(sim: &lattice_sim::RunningSim, lattice: &lattice::Lattice) {
    let desired = desired();
    let observed = lattice.observe(MANAGED_BY, &model::plan::Scope::All, &names(&desired)).await.expect("observe");
    assert_eq!(shape_of_observed(&observed), shape_of_desired(&desired));
    let census = census(&raw(sim).await).await;
    assert!(census.values().all(|n| *n == 1), "duplicates: {census:?}");
    let groups: Vec<&String> = census.keys().filter(|k| k.starts_with("targetgroup/")).collect();
    assert_eq!(groups.len(), desired.target_groups.len(), "orphan target groups: {groups:?}");
    let services: Vec<&String> =
        census.keys().filter(|k| k.starts_with("service/") && k.matches('/').count() == 1).collect();
    assert_eq!(services.len(), desired.services.len(), "{services:?}");
}

#[tokio::test]
async fn throttling_and_internal_errors_converge_without_duplicates() {
    let faults = Faults { throttle_rate: 0.5, error_rate: 0.1, ..Faults::default() };
    let sim = sim(SimConfig { faults, seed: 11, ..SimConfig::default() }).await;
    let lattice = adapter(&sim, fast()).await;
    let runs = converge_despite_faults(&lattice, &desired(), 8).await;
    let calls = lattice.calls();
    eprintln!("converged after {runs} runs, {} attempts: {calls:?}", total(&calls));
    assert!(runs <= 5, "{runs} runs");
    sim.set_faults(Faults::default()).expect("faults cleared");
    assert_converged_without_duplicates(&sim, &lattice).await;
}

#[tokio::test]
async fn a_run_cut_off_after_any_number_of_calls_converges_on_the_next() {
    // Length of the create-from-nothing run: observe (3 calls) plus one call per action.
    let length =
        3 + model::plan::plan(&desired(), &Default::default(), &model::plan::Scope::All, MANAGED_BY).actions.len();
    let config = AdapterConfig { max_attempts: 2, ..fast() };
    for k in 0..=length as u64 {
        let sim = sim(SimConfig::default()).await;
        let lattice = adapter(&sim, config.clone()).await;
        sim.set_faults(Faults { fail_after: Some(k), ..Faults::default() }).expect("faults set");
        if let Ok(mut observed) = lattice.observe(MANAGED_BY, &model::plan::Scope::All, &names(&desired())).await {
            let plan = model::plan::plan(&desired(), &observed, &model::plan::Scope::All, MANAGED_BY);
            let report = lattice.apply(&plan, &mut observed, MANAGED_BY).await;
            assert_eq!(
                report.applied.len() + report.failed.len() + report.skipped.len() + report.pending.len(),
                plan.actions.len()
            );
        }
        sim.set_faults(Faults::default()).expect("faults cleared");
        let runs = converge(&lattice, &desired(), 3).await;
        assert!(runs <= 1, "cut after {k} calls: {runs} runs to converge");
        assert_converged_without_duplicates(&sim, &lattice).await;
    }
}

#[tokio::test]
async fn resources_in_progress_leave_work_pending_for_the_next_run() {
    let sim = sim(SimConfig { transition_delay: Duration::from_millis(1500), ..SimConfig::default() }).await;
    let lattice = adapter(&sim, AdapterConfig { pending_wait: Duration::from_millis(300), ..fast() }).await;
    let desired = desired();

    let (plan, report, _) = run(&lattice, &desired).await;
    eprintln!("first run: {} actions, pending: {:#?}", plan.actions.len(), report.pending);
    assert!(report.failed.is_empty() && report.skipped.is_empty(), "{report:#?}");
    assert!(!report.pending.is_empty());
    assert!(report.pending.iter().any(|(a, _)| a.op() == "RegisterTargets"), "{:?}", report.pending);
    assert!(report.pending.iter().all(|(_, reason)| reason.contains("IN_PROGRESS")), "{:?}", report.pending);

    let mut runs = 1;
    eventually(Duration::from_secs(15), "convergence", || {
        runs += 1;
        let lattice = lattice.clone();
        let desired = desired.clone();
        async move {
            let (plan, report, _) = run(&lattice, &desired).await;
            assert!(report.failed.is_empty() && report.skipped.is_empty(), "{report:#?}");
            plan.is_noop()
        }
    })
    .await;
    eprintln!("converged after {runs} runs");
    assert_converged_without_duplicates(&sim, &lattice).await;
}

#[tokio::test]
async fn the_rate_limit_paces_every_attempt_including_sdk_retries() {
    let sim =
        sim(SimConfig { faults: Faults { throttle_rate: 1.0, ..Faults::default() }, ..SimConfig::default() }).await;
    let config = AdapterConfig {
        tps: 2,
        max_attempts: 5,
        read_attempts: 5,
        initial_backoff: Duration::from_millis(1),
        ..fast()
    };
    let lattice = adapter(&sim, config).await;
    let started = tokio::time::Instant::now();
    let error = lattice
        .observe(MANAGED_BY, &model::plan::Scope::All, &Default::default())
        .await
        .expect_err("every attempt is throttled");
    let elapsed = started.elapsed();
    assert!(matches!(error, lattice::Error::GetResources { .. }), "{error}");
    assert_eq!(lattice.calls().get("GetResources"), Some(&5));
    assert_eq!(sim.calls().get("GetResources"), Some(&5));
    // A burst of two, then one attempt every 500 ms.
    assert!(elapsed >= Duration::from_millis(1400), "{elapsed:?}");
}
