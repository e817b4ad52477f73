//! Concurrent reconcilers: a whole-cluster sweep and a reconcile of one route, or two sweeps, run
//! at the same time (two adapters, truly in parallel) against one emulator, with several seeds and
//! latencies. They end in one correct account: no duplicates, the quiet account's shape, and a
//! third run plans nothing.

use std::collections::BTreeSet;

use lattice_sim::{Faults, SimConfig};
use model::lattice::OwnerKey;
use model::plan::Scope;
use resilience_tests::{fast, hotel, world};

fn rates() -> Scope {
    Scope::Owners(BTreeSet::from([OwnerKey {
        kind: "HTTPRoute".into(),
        namespace: "default".into(),
        name: "rates".into(),
    }]))
}

/// Runs `first` and `second` at once, then checks the account; returns the runs needed after.
async fn at_once(first: Scope, second: Scope, faults: Faults, seed: u64, expected: &[String]) -> usize {
    let w = world(SimConfig { faults, seed, ..SimConfig::default() }).await;
    let (a, b) = (w.adapter(fast()), w.adapter(fast()));
    let snapshot = hotel();
    let (x, y) = tokio::join!(w.reconcile(&a, &snapshot, first), w.reconcile(&b, &snapshot, second));
    for report in [x, y] {
        let report = report.expect("both runs read the inventory");
        let outcome = report.apply.expect("applied");
        eprintln!("seed {seed}: {} applied, {} failed", outcome.applied, outcome.failed.len());
    }
    let third = w.adapter(fast());
    let runs = w.converge(&third, &snapshot, 3).await;
    w.sim.set_faults(Faults::default()).expect("faults cleared");
    assert_eq!(w.ours(), expected, "seed {seed}: the account differs from a single run's");
    w.assert_foreign_untouched_and_no_duplicates();
    runs
}

fn settings() -> Vec<(u64, Faults)> {
    vec![
        (1, Faults::default()),
        (2, Faults { latency_ms: 3, ..Faults::default() }),
        (3, Faults { spike_rate: 0.2, spike_ms: 30, ..Faults::default() }),
        (4, Faults { latency_ms: 1, spike_rate: 0.3, spike_ms: 10, ..Faults::default() }),
    ]
}

async fn expected() -> Vec<String> {
    let w = world(SimConfig::default()).await;
    w.converge(&w.adapter(fast()), &hotel(), 2).await;
    w.ours()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reliability_concurrency_sweep_and_route_reconcile() {
    let expected = expected().await;
    let mut worst = 0;
    for (seed, faults) in settings() {
        worst = worst.max(at_once(Scope::All, rates(), faults, seed, &expected).await);
    }
    reliability::record(
        "concurrency-sweep-and-route",
        &format!(
            "4 seeds/latencies: one correct account, at most {worst} more run(s) before a run plans nothing, 0 duplicates"
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reliability_concurrency_two_sweeps() {
    let expected = expected().await;
    let mut worst = 0;
    for (seed, faults) in settings() {
        worst = worst.max(at_once(Scope::All, Scope::All, faults, seed, &expected).await);
    }
    reliability::record(
        "concurrency-two-sweeps",
        &format!(
            "4 seeds/latencies: one correct account, at most {worst} more run(s) before a run plans nothing, 0 duplicates"
        ),
    );
}
