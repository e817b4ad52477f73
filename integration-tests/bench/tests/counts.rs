//! Regression check on API call counts (never times): the bench at 10 and 100 one-rule routes,
//! latticectl and lattice-sim as separate processes, the same as `lattice-bench --sizes 10,100`.
//!
//! The expectations are exact counts, as functions of the number of routes `n`: a change that
//! makes any sweep cost more (or less) fails here and must update them, and BENCHMARKS.md.

use std::collections::BTreeMap;
use std::path::PathBuf;

use lattice_bench::build_binaries;
use lattice_bench::scenario::{Bench, Outcome};
use lattice_bench::shape::Shape;
use lattice_bench::targets::{LINEAR_RATIO, check};

/// Reads every sweep on the fingerprint path makes once whatever the size: the service networks,
/// the VPC's associations, and one `GetService` for the form of the services' DNS names.
const GLOBAL_READS: [&str; 3] = ["ListServiceNetworks", "ListServiceNetworkVpcAssociations", "GetService"];
/// Resources of ours per route the fingerprint path's inventory (`GetResources`, 100 a page)
/// lists: the service and the target group.
const FINGERPRINTED_PER_ROUTE: u64 = 2;
/// Resources of ours per route a full read's inventory lists: service, association, listener,
/// rule, target group.
const TAGGED_PER_ROUTE: u64 = 5;
/// Reads per one-rule, one-backend route of a full verification (the associations come from one
/// listing of the service network).
const VERIFY_PER_ROUTE: [&str; 7] =
    ["GetService", "ListListeners", "GetListener", "ListRules", "GetRule", "GetTargetGroup", "ListTargets"];
/// Creations per one-rule, one-backend route on the initial sync.
const PER_ROUTE_CREATES: [&str; 6] = [
    "CreateTargetGroup",
    "RegisterTargets",
    "CreateService",
    "CreateServiceNetworkServiceAssociation",
    "CreateListener",
    "CreateRule",
];
/// The full read of one service (a changed or deleted route's), beyond the sweep: its
/// children's tags by ARN, its association, listener and rule.
const ONE_SERVICE_READ: [(&str, u64); 6] = [
    ("GetResources", 1),
    ("ListServiceNetworkServiceAssociations", 1),
    ("ListListeners", 1),
    ("GetListener", 1),
    ("ListRules", 1),
    ("GetRule", 1),
];
/// One target group's targets brought in line with its endpoints, and its fingerprint rewritten.
const TARGETS_DIFF: [(&str, u64); 4] =
    [("ListTargets", 1), ("RegisterTargets", 1), ("DeregisterTargets", 1), ("TagResource", 1)];

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

fn pages(resources: u64) -> u64 {
    resources.div_ceil(100).max(1)
}

/// A no-op sweep on the fingerprint path: the bulk inventory alone.
fn sweep(n: u64) -> BTreeMap<String, u64> {
    let mut calls = counts(&GLOBAL_READS, 1);
    calls.insert("GetResources".to_owned(), pages(FINGERPRINTED_PER_ROUTE * n));
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

    // Initial sync: one pass; the creations, a fingerprint per service and target group written
    // once everything it vouches for exists, and 4 reads of an empty inventory.
    let initial = scenario(outcomes, "initial_sync");
    let reads = [
        ("GetResources", 1),
        ("ListServiceNetworks", 1),
        ("ListServiceNetworkVpcAssociations", 1),
        ("ListServices", 1),
        ("TagResource", 2 * routes),
    ];
    assert_eq!(initial.calls, with(counts(&PER_ROUTE_CREATES, routes), &reads));
    assert_eq!(initial.actions_applied, 8 * routes);

    // No-op sweep: the bulk inventory, no per-route read.
    let noop = scenario(outcomes, "noop");
    assert_eq!(noop.calls, sweep(routes));
    assert_eq!((noop.actions_planned, noop.actions_applied), (0, 0));

    // Full verification: 7 reads per route, the bulk reads once.
    let verify = scenario(outcomes, "noop_verify");
    assert!(verify.supported, "latticectl has --verify");
    let bulk = [
        ("GetResources", pages(TAGGED_PER_ROUTE * routes)),
        ("ListServiceNetworks", 1),
        ("ListServiceNetworkVpcAssociations", 1),
        ("ListServices", 1),
        ("ListServiceNetworkServiceAssociations", 1),
    ];
    assert_eq!(verify.calls, with(counts(&VERIFY_PER_ROUTE, routes), &bulk));
    assert_eq!((verify.actions_planned, verify.actions_applied), (0, 0));

    // One endpoint replaced: the sweep, and the target diff of its target group.
    let endpoint = scenario(outcomes, "endpoint_change");
    assert_eq!(endpoint.calls, with(sweep(routes), &TARGETS_DIFF));

    // One rule's path changed: that service read in full, the rule replaced, its fingerprint
    // rewritten.
    let changed = scenario(outcomes, "route_changed");
    let replaced = [("CreateRule", 1), ("DeleteRule", 1), ("TagResource", 1)];
    assert_eq!(changed.calls, with(with(sweep(routes), &ONE_SERVICE_READ), &replaced));

    // 1% of the targets replaced, each in its own target group.
    let churn = scenario(outcomes, "churn_1pct");
    let churned = (3 * routes).div_ceil(100);
    let diffs: Vec<(&str, u64)> = TARGETS_DIFF.iter().map(|(op, _)| (*op, churned)).collect();
    assert_eq!(churn.calls, with(sweep(routes), &diffs));

    // One route deleted: its service and target group read in full, then its association,
    // service, targets and target group go.
    let deleted = scenario(outcomes, "route_deleted");
    let gone = [
        ("GetTargetGroup", 1),
        ("ListTargets", 1),
        ("DeleteServiceNetworkServiceAssociation", 1),
        ("DeleteService", 1),
        ("DeregisterTargets", 1),
        ("DeleteTargetGroup", 1),
    ];
    assert_eq!(deleted.calls, with(with(sweep(routes), &ONE_SERVICE_READ), &gone));
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
    // One over: the target group's fingerprint must record its new targets (see BENCHMARKS.md).
    assert_eq!(ok("endpoint_change_calls_le_3"), Some(false));
    assert_eq!(ok("noop_1000_calls_le_30"), None, "1000 routes are not part of this check");
    let _ = std::fs::remove_dir_all(&bench.work_dir);
}
