use std::collections::BTreeMap;

use super::*;

fn outcome(scenario: &str, size: usize, total_calls: u64) -> Outcome {
    Outcome {
        scenario: scenario.to_owned(),
        size,
        routes: size,
        rules: size,
        backends: size,
        targets: 3 * size,
        supported: true,
        calls: BTreeMap::from([("GetResources".to_owned(), total_calls)]),
        total_calls,
        wall_ms: 1.0,
        cpu_ms: 1.0,
        pipeline_cpu_ms: None,
        peak_rss_kib: 50_000,
        actions_planned: 0,
        actions_applied: 0,
        actions_not_applied: 0,
        calls_match_client: true,
        planning_cpu_ms_runs: Vec::new(),
    }
}

fn ok(checks: &[Check], name: &str) -> Option<bool> {
    checks.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name} checked")).ok
}

fn run(noop_100: u64, noop_1000: u64) -> Vec<Outcome> {
    let mut all = Vec::new();
    for (size, noop) in [(100, noop_100), (1000, noop_1000)] {
        let mut initial = outcome("initial_sync", size, 6 * size as u64 + 4);
        initial.actions_applied = 6 * size as u64;
        all.push(initial);
        all.push(outcome("noop", size, noop));
        all.push(outcome("noop_verify", size, 5 * size as u64));
        all.push(outcome("endpoint_change", size, noop + 3));
    }
    all
}

#[test]
fn met_targets_are_true() {
    let mut plan = outcome("plan", PLAN_ROUTES, 4);
    plan.cpu_ms = 400.0;
    let checks = check(&run(2, 30), Shape::default(), Some(&plan), true);
    for name in [
        "noop_1000_calls_le_30",
        "verify_calls_le_3_plus_rules_plus_backends_per_route",
        "endpoint_change_calls_le_3",
        "initial_sync_one_pass",
        "plan_10000_cpu_lt_1s",
        "noop_1000_rss_lt_96mib",
        "verify_linear_1000_le_10_5x_100",
    ] {
        assert_eq!(ok(&checks, name), Some(true), "{name}");
    }
    assert_eq!(ok(&checks, "noop_linear_1000_le_10_5x_100"), Some(false), "30 / 2 calls grows faster than the routes");
    assert_eq!(ok(&checks, "initial_sync_1_route_calls_le_created_plus_2"), None, "1 route not run");
}

#[test]
fn missed_targets_are_false() {
    let mut outcomes = run(804, 8004);
    for o in &mut outcomes {
        if o.scenario == "endpoint_change" {
            o.total_calls = 8006;
        }
        if o.scenario == "noop_verify" {
            o.total_calls = 6 * o.size as u64;
        }
        if o.scenario == "noop" {
            o.peak_rss_kib = 100_000;
        }
    }
    let checks = check(&outcomes, Shape::default(), None, true);
    for name in [
        "noop_1000_calls_le_30",
        "verify_calls_le_3_plus_rules_plus_backends_per_route",
        "endpoint_change_calls_le_3",
        "noop_1000_rss_lt_96mib",
    ] {
        assert_eq!(ok(&checks, name), Some(false), "{name}");
    }
    assert_eq!(ok(&checks, "noop_linear_1000_le_10_5x_100"), Some(true), "8004 / 804 calls");
    assert_eq!(ok(&checks, "plan_10000_cpu_lt_1s"), None);
}

#[test]
fn debug_planning_is_not_judged_and_unsupported_verify_is_not_measured() {
    let mut plan = outcome("plan", PLAN_ROUTES, 4);
    plan.cpu_ms = 9000.0;
    let mut outcomes = run(12, 30);
    for o in &mut outcomes {
        if o.scenario == "noop_verify" {
            o.supported = false;
        }
    }
    let checks = check(&outcomes, Shape::default(), Some(&plan), false);
    assert_eq!(ok(&checks, "plan_10000_cpu_lt_1s"), None);
    assert_eq!(ok(&checks, "verify_calls_le_3_plus_rules_plus_backends_per_route"), None);
    let mut first = outcomes[0].clone();
    first.size = 1;
    first.routes = 1;
    let creates = ["CreateTargetGroup", "RegisterTargets", "CreateService", "CreateListener", "CreateRule"];
    first.calls = creates.iter().map(|op| ((*op).to_owned(), 1)).collect();
    first.calls.insert("GetResources".to_owned(), 2);
    first.total_calls = 7;
    assert_eq!(created(&first), 5);
    let checks = check(std::slice::from_ref(&first), Shape::default(), None, false);
    assert_eq!(ok(&checks, "initial_sync_1_route_calls_le_created_plus_2"), Some(true), "5 created + 2");
    first.calls.insert("TagResource".to_owned(), 1);
    first.total_calls = 8;
    let checks = check(&[first], Shape::default(), None, false);
    assert_eq!(
        ok(&checks, "initial_sync_1_route_calls_le_created_plus_2"),
        Some(false),
        "a tag write is not an object"
    );
}

#[test]
fn planning_is_judged_on_the_pipeline_when_latticectl_reports_it() {
    let mut plan = outcome("plan", PLAN_ROUTES, 4);
    plan.cpu_ms = 2500.0;
    let checks = check(&run(2, 30), Shape::default(), Some(&plan), true);
    assert_eq!(ok(&checks, "plan_10000_cpu_lt_1s"), Some(false), "the whole process, when nothing else is known");
    plan.pipeline_cpu_ms = Some(800.0);
    let checks = check(&run(2, 30), Shape::default(), Some(&plan), true);
    assert_eq!(ok(&checks, "plan_10000_cpu_lt_1s"), Some(true));
    let detail = &checks.iter().find(|c| c.name == "plan_10000_cpu_lt_1s").expect("checked").detail;
    assert!(detail.starts_with("800 ms CPU planning; 2500 ms for the whole process"), "{detail}");
    plan.pipeline_cpu_ms = Some(1200.0);
    assert_eq!(ok(&check(&run(2, 30), Shape::default(), Some(&plan), true), "plan_10000_cpu_lt_1s"), Some(false));
}

#[test]
fn repeated_planning_is_judged_on_the_median_run() {
    let runs = [1400.0, 700.0, 650.0, 1100.0, 690.0];
    let outcomes: Vec<Outcome> = runs
        .iter()
        .enumerate()
        .map(|(i, cpu)| {
            let mut o = outcome("plan", PLAN_ROUTES, 4);
            o.pipeline_cpu_ms = Some(*cpu);
            o.cpu_ms = 2000.0 + i as f64;
            o
        })
        .collect();
    let median = crate::scenario::median_run(outcomes);
    assert_eq!(median.pipeline_cpu_ms, Some(700.0));
    assert_eq!(median.cpu_ms, 2001.0, "the median run's own measurements come with it");
    assert_eq!(median.planning_cpu_ms_runs, runs, "every run, in order");
    let checks = check(&run(2, 30), Shape::default(), Some(&median), true);
    assert_eq!(ok(&checks, "plan_10000_cpu_lt_1s"), Some(true));
    let detail = &checks.iter().find(|c| c.name == "plan_10000_cpu_lt_1s").expect("checked").detail;
    assert!(detail.starts_with("700 ms CPU planning (median of 5 runs, 650 to 1400 ms)"), "{detail}");

    let two = crate::scenario::median_run(vec![outcome("plan", PLAN_ROUTES, 4), outcome("plan", PLAN_ROUTES, 4)]);
    assert_eq!(two.planning_cpu_ms_runs.len(), 2);
    let one = crate::scenario::median_run(vec![outcome("plan", PLAN_ROUTES, 4)]);
    assert!(one.planning_cpu_ms_runs.is_empty(), "a single run lists no runs");
}
