//! Regression check on API call counts (never times): the bench at 10 and 100 one-rule routes,
//! latticectl and lattice-sim as separate processes, the same as `lattice-bench --sizes 10,100`.
//!
//! The expectations are today's exact counts, as functions of the number of routes `n`. Where they
//! miss a target of the product, the comment says which; tighten them when the reconciler improves.

use std::collections::BTreeMap;
use std::path::PathBuf;

use lattice_bench::build_binaries;
use lattice_bench::scenario::{Bench, Outcome};
use lattice_bench::shape::Shape;
use lattice_bench::targets::{LINEAR_RATIO, check};

/// Reads made once per sweep whatever the size: the service network, the VPC's associations, the
/// services.
const GLOBAL_READS: [&str; 3] = ["ListServiceNetworks", "ListServiceNetworkVpcAssociations", "ListServices"];
/// Resources the tagging inventory (`GetResources`, 100 a page) lists per route: service,
/// association, listener, rule, target group.
const TAGGED_PER_ROUTE: u64 = 5;
/// Reads made per route on every sweep today (misses the no-op target: a fingerprint needs none).
const PER_ROUTE_READS: [&str; 8] = [
    "GetService",
    "ListServiceNetworkServiceAssociations",
    "ListListeners",
    "GetListener",
    "ListRules",
    "GetRule",
    "GetTargetGroup",
    "ListTargets",
];
/// Creations per one-rule, one-backend route on the initial sync.
const PER_ROUTE_CREATES: [&str; 6] = [
    "CreateTargetGroup",
    "RegisterTargets",
    "CreateService",
    "CreateServiceNetworkServiceAssociation",
    "CreateListener",
    "CreateRule",
];

fn bench() -> Bench {
    let wrapper = PathBuf::from(env!("CARGO_BIN_EXE_lattice-bench"));
    let bin_dir = wrapper.parent().expect("the bench binary has a directory").to_owned();
    let profile = bin_dir.file_name().and_then(|n| n.to_str()).expect("a profile directory").to_owned();
    build_binaries(&bin_dir, &profile).expect("latticectl and lattice-sim build");
    let work_dir = std::env::temp_dir().join(format!("lattice-bench-counts-{}", std::process::id()));
    std::fs::create_dir_all(&work_dir).expect("scratch directory");
    Bench {
        latticectl: bin_dir.join("latticectl"),
        lattice_sim: bin_dir.join("lattice-sim"),
        wrapper,
        work_dir,
        latency_ms: 0,
        tps: 0,
    }
}

fn counts(ops: &[&str], each: u64) -> BTreeMap<String, u64> {
    ops.iter().map(|op| ((*op).to_owned(), each)).collect()
}

fn inventory_pages(n: u64) -> u64 {
    (TAGGED_PER_ROUTE * n).div_ceil(100).max(1)
}

fn sweep(n: u64) -> BTreeMap<String, u64> {
    let mut calls = counts(&GLOBAL_READS, 1);
    calls.insert("GetResources".to_owned(), inventory_pages(n));
    calls.extend(counts(&PER_ROUTE_READS, n));
    calls
}

fn with(mut calls: BTreeMap<String, u64>, extra: &[(&str, u64)]) -> BTreeMap<String, u64> {
    for (op, n) in extra {
        *calls.entry((*op).to_owned()).or_default() += n;
    }
    calls
}

fn scenario<'a>(outcomes: &'a [Outcome], name: &str) -> &'a Outcome {
    outcomes.iter().find(|o| o.scenario == name).unwrap_or_else(|| panic!("scenario {name} ran"))
}

fn assert_size(outcomes: &[Outcome], n: usize) {
    let routes = n as u64;
    for o in outcomes.iter().filter(|o| o.supported) {
        assert!(o.calls_match_client, "{}: the emulator's counts equal latticectl's", o.scenario);
        assert_eq!(o.actions_not_applied, 0, "{}: every action applied", o.scenario);
    }

    // Initial sync: one pass, the creations plus 4 reads of an empty inventory (misses
    // "created + 2" by 2).
    let initial = scenario(outcomes, "initial_sync");
    let reads = [GLOBAL_READS.map(|op| (op, 1)).as_slice(), &[("GetResources", 1)]].concat();
    assert_eq!(initial.calls, with(counts(&PER_ROUTE_CREATES, routes), &reads));
    assert_eq!(initial.actions_applied, 6 * routes);

    // No-op sweep: 8 reads per route (misses "≤ 30 calls for 1,000 routes").
    let noop = scenario(outcomes, "noop");
    assert_eq!(noop.calls, sweep(routes));
    assert_eq!((noop.actions_planned, noop.actions_applied), (0, 0));

    let verify = scenario(outcomes, "noop_verify");
    if verify.supported {
        // Full verification reads at most what today's sweep reads, and changes nothing.
        let today: u64 = sweep(routes).values().sum();
        assert!(verify.total_calls <= today, "verify at {n}: {} calls", verify.total_calls);
        assert_eq!(verify.actions_applied, 0);
    }

    // One endpoint replaced: a full sweep plus one deregistration and one registration (misses
    // "≤ 3 calls").
    let endpoint = scenario(outcomes, "endpoint_change");
    assert_eq!(endpoint.calls, with(sweep(routes), &[("DeregisterTargets", 1), ("RegisterTargets", 1)]));

    // One rule's path changed: the rule is replaced.
    let changed = scenario(outcomes, "route_changed");
    assert_eq!(changed.calls, with(sweep(routes), &[("CreateRule", 1), ("DeleteRule", 1)]));

    // 1% of the targets replaced, each in its own target group.
    let churn = scenario(outcomes, "churn_1pct");
    let churned = (3 * routes).div_ceil(100);
    assert_eq!(churn.calls, with(sweep(routes), &[("DeregisterTargets", churned), ("RegisterTargets", churned)]));

    // One route deleted: its association, service, targets and target group go.
    let deleted = scenario(outcomes, "route_deleted");
    let gone = [
        ("DeleteServiceNetworkServiceAssociation", 1),
        ("DeleteService", 1),
        ("DeregisterTargets", 1),
        ("DeleteTargetGroup", 1),
    ];
    assert_eq!(deleted.calls, with(sweep(routes), &gone));
    assert_eq!(deleted.routes, n - 1);
}

#[test]
fn call_counts_at_10_and_100_routes() {
    let bench = bench();
    let shape = Shape::default();
    let mut outcomes = Vec::new();
    for n in [10, 100] {
        let size = bench.run_size(n, shape, &mut |_| {}).expect("the bench runs");
        assert_size(&size, n);
        outcomes.extend(size);
    }
    let noop = |n: usize| outcomes.iter().find(|o| o.scenario == "noop" && o.size == n).expect("noop ran").total_calls;
    let ratio = noop(100) as f64 / noop(10) as f64;
    assert!(ratio <= LINEAR_RATIO, "no-op calls grow linearly: 100 routes cost {ratio:.2} times 10");

    let checks = check(&outcomes, shape, None, false);
    let ok = |name: &str| checks.iter().find(|c| c.name == name).expect("checked").ok;
    assert_eq!(ok("initial_sync_one_pass"), Some(true));
    // Missed today: every endpoint change re-reads every route.
    assert_eq!(ok("endpoint_change_calls_le_3"), Some(false));
    assert_eq!(ok("noop_1000_calls_le_30"), None, "1000 routes are not part of this check");
    let _ = std::fs::remove_dir_all(&bench.work_dir);
}
