//! Noisy AWS: throttling, server errors, latency spikes and lists that lag behind creates. The
//! pipeline converges within a stated number of runs, to the account a quiet run ends with,
//! without duplicates, and other owners' resources stay untouched.

use std::time::Duration;

use lattice_sim::{Faults, SimConfig};
use model::plan::Scope;
use resilience_tests::{fast, hotel, world};

/// The account the demo ends in on a quiet emulator.
async fn quiet_demo() -> Vec<String> {
    let w = world(SimConfig::default()).await;
    w.converge(&w.adapter(fast()), &hotel(), 2).await;
    w.ours()
}

/// Runs the demo against an emulator with `faults`, one run every `period` (as a schedule or a
/// queue would start them), until a run plans nothing: at most `bound` runs may come before it.
/// Then checks the account; returns the runs and the calls made.
async fn converges_within(faults: Faults, seed: u64, bound: usize, period: Duration) -> (usize, u64) {
    let expected = quiet_demo().await;
    let w = world(SimConfig { faults, seed, ..SimConfig::default() }).await;
    let lattice = w.adapter(fast());
    let mut runs = 0;
    loop {
        match w.reconcile(&lattice, &hotel(), Scope::All).await {
            Ok(report) if report.plan.actions.is_empty() => break,
            Ok(_) => {}
            Err(error) => eprintln!("run {}: {error}", runs + 1),
        }
        runs += 1;
        assert!(runs <= bound, "no convergence within {bound} runs");
        tokio::time::sleep(period).await;
    }
    let calls = w.calls();
    w.sim.set_faults(Faults::default()).expect("faults cleared");
    assert_eq!(w.ours(), expected, "the noisy account differs from the quiet one");
    w.assert_foreign_untouched_and_no_duplicates();
    (runs, calls)
}

#[tokio::test]
async fn reliability_noisy_throttling_errors_and_spikes() {
    let faults = Faults { throttle_rate: 0.5, error_rate: 0.1, spike_rate: 0.1, spike_ms: 200, ..Faults::default() };
    let mut worst = (0, 0);
    for seed in [1, 2, 3] {
        let (runs, calls) = converges_within(faults, seed, 4, Duration::ZERO).await;
        eprintln!("seed {seed}: converged in {runs} runs, {calls} calls");
        worst = worst.max((runs, calls));
    }
    reliability::record(
        "noisy-throttling-errors-spikes",
        &format!(
            "50% throttled, 10% 5xx, 10% of calls +200 ms, 3 seeds: converged in at most {} runs (bound 4), at most {} calls, 0 duplicates",
            worst.0, worst.1
        ),
    );
}

#[tokio::test]
async fn reliability_noisy_lists_lag_behind_creates() {
    let mut results = Vec::new();
    // Runs 150 ms apart, as a schedule or a queue spaces them (minutes, in production).
    let period = Duration::from_millis(150);
    for (what, faults) in [
        ("lists lag 2 responses", Faults { list_lag: 2, ..Faults::default() }),
        ("lists lag 300 ms", Faults { list_lag_ms: 300, ..Faults::default() }),
        ("lists lag 1 response, 30% throttled", Faults { list_lag: 1, throttle_rate: 0.3, ..Faults::default() }),
    ] {
        let (runs, calls) = converges_within(faults, 7, 4, period).await;
        eprintln!("{what}: converged in {runs} runs, {calls} calls");
        results.push(format!("{what}: {runs} runs"));
    }
    reliability::record(
        "noisy-eventual-consistency",
        &format!("runs 150 ms apart; {} (bound 4), 0 duplicates", results.join("; ")),
    );
}
