//! The product's targets for API economy and footprint, checked against measured outcomes.

use serde::Serialize;

use crate::scenario::Outcome;
use crate::shape::Shape;

/// Routes of the sweep the absolute targets are stated for.
pub const SWEEP_ROUTES: usize = 1000;
/// Routes of the linear-growth baseline.
pub const BASELINE_ROUTES: usize = 100;
/// Routes of the planning target.
pub const PLAN_ROUTES: usize = 10_000;
/// Most calls a no-op sweep of [`SWEEP_ROUTES`] one-rule routes may make.
pub const NOOP_CALLS: u64 = 30;
/// Most calls one endpoint change may make (list targets, register, deregister).
pub const ENDPOINT_CALLS: u64 = 3;
/// Most calls an initial sync may make beyond the objects it creates.
pub const INITIAL_EXTRA_CALLS: u64 = 2;
/// Most CPU planning [`PLAN_ROUTES`] routes may take (release build).
pub const PLAN_CPU_MS: f64 = 1000.0;
/// Most peak RSS of a no-op sweep of [`SWEEP_ROUTES`] routes (the functions run at 128 MB).
pub const SWEEP_RSS_KIB: u64 = 96 * 1024;
/// Most growth of sweep calls from [`BASELINE_ROUTES`] to [`SWEEP_ROUTES`] routes.
pub const LINEAR_RATIO: f64 = 10.5;

/// One target: met (`Some(true)`), missed (`Some(false)`) or not measured in this run (`None`),
/// with what was measured against what limit.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Check {
    /// Target name.
    pub name: &'static str,
    /// Whether it is met; `None` when the run did not measure it.
    pub ok: Option<bool>,
    /// The measurement and the limit, in words.
    pub detail: String,
}

fn find<'a>(outcomes: &'a [Outcome], scenario: &str, routes: usize) -> Option<&'a Outcome> {
    outcomes.iter().find(|o| o.scenario == scenario && o.supported && o.size == routes)
}

fn sizes(outcomes: &[Outcome]) -> Vec<usize> {
    outcomes.iter().filter(|o| o.scenario == "initial_sync").map(|o| o.size).collect()
}

fn not_measured(name: &'static str, why: impl Into<String>) -> Check {
    Check { name, ok: None, detail: why.into() }
}

/// Objects an outcome created: its `Create…` calls and target registrations.
pub fn created(outcome: &Outcome) -> u64 {
    outcome.calls.iter().filter(|(op, _)| op.starts_with("Create") || *op == "RegisterTargets").map(|(_, n)| n).sum()
}

/// Full verification's calls per route: the growth between the two largest sizes run (the bulk
/// reads every sweep makes once do not grow), or the calls of a single size divided by its routes.
fn verify_per_route(outcomes: &[Outcome], sizes: &[usize], shape: Shape) -> Check {
    const NAME: &str = "verify_calls_le_3_plus_rules_plus_backends_per_route";
    let limit = (3 + shape.rules + shape.rules * shape.backends) as f64;
    let mut verify: Vec<&Outcome> = sizes.iter().filter_map(|&n| find(outcomes, "noop_verify", n)).collect();
    verify.sort_by_key(|o| o.size);
    let per_route = match verify.as_slice() {
        [] => return not_measured(NAME, "no size run"),
        [only] => only.total_calls as f64 / only.routes.max(1) as f64,
        [.., a, b] => (b.total_calls as f64 - a.total_calls as f64) / (b.routes as f64 - a.routes as f64).max(1.0),
    };
    let detail = match verify.as_slice() {
        [.., a, b] => format!(
            "{per_route:.2} calls per route from {} to {} routes ({} and {} calls; limit {limit})",
            a.routes, b.routes, a.total_calls, b.total_calls
        ),
        _ => format!("{per_route:.2} calls per route (limit {limit})"),
    };
    Check { name: NAME, ok: Some(per_route <= limit), detail }
}

/// Checks every target against `outcomes` (all sizes, one shape) and the planning outcome.
pub fn check(outcomes: &[Outcome], shape: Shape, plan: Option<&Outcome>, release: bool) -> Vec<Check> {
    let mut checks = Vec::new();
    let sizes = sizes(outcomes);

    checks.push(match (find(outcomes, "noop", SWEEP_ROUTES), shape.rules) {
        (Some(o), 1) => Check {
            name: "noop_1000_calls_le_30",
            ok: Some(o.total_calls <= NOOP_CALLS),
            detail: format!("{} calls (limit {NOOP_CALLS})", o.total_calls),
        },
        (Some(_), rules) => not_measured("noop_1000_calls_le_30", format!("stated for one-rule routes; ran {rules}")),
        (None, _) => not_measured("noop_1000_calls_le_30", "1000 routes not run"),
    });

    checks.push(verify_per_route(outcomes, &sizes, shape));

    // An endpoint change costs what a no-op sweep of the same size costs, plus the calls for
    // the affected target group.
    let endpoint: Vec<(usize, u64, u64)> = sizes
        .iter()
        .filter_map(|&n| {
            let changed = find(outcomes, "endpoint_change", n)?;
            let noop = find(outcomes, "noop", n)?;
            Some((n, changed.total_calls.saturating_sub(noop.total_calls), noop.total_calls))
        })
        .collect();
    checks.push(match endpoint.iter().max_by_key(|(_, extra, _)| *extra) {
        Some((n, extra, noop)) => Check {
            name: "endpoint_change_calls_le_3",
            ok: Some(endpoint.iter().all(|(_, extra, _)| *extra <= ENDPOINT_CALLS)),
            detail: format!(
                "worst {extra} calls for the changed target group at {n} routes, beyond the no-op sweep's {noop} \
                 (limit {ENDPOINT_CALLS})"
            ),
        },
        None => not_measured("endpoint_change_calls_le_3", "no size ran both the change and the no-op sweep"),
    });

    checks.push(match find(outcomes, "initial_sync", 1) {
        Some(o) => {
            let created = created(o);
            Check {
                name: "initial_sync_1_route_calls_le_created_plus_2",
                ok: Some(o.total_calls <= created + INITIAL_EXTRA_CALLS),
                detail: format!(
                    "{} calls for {created} objects created (limit created + {INITIAL_EXTRA_CALLS})",
                    o.total_calls
                ),
            }
        }
        None => not_measured("initial_sync_1_route_calls_le_created_plus_2", "1 route not run"),
    });

    let passes: Vec<(usize, bool)> = sizes
        .iter()
        .filter_map(|&n| {
            let first = find(outcomes, "initial_sync", n)?;
            let again = find(outcomes, "noop", n)?;
            Some((n, first.actions_not_applied == 0 && again.actions_applied == 0 && again.actions_planned == 0))
        })
        .collect();
    checks.push(if passes.is_empty() {
        not_measured("initial_sync_one_pass", "no size run")
    } else {
        let missed: Vec<String> = passes.iter().filter(|(_, ok)| !ok).map(|(n, _)| n.to_string()).collect();
        Check {
            name: "initial_sync_one_pass",
            ok: Some(missed.is_empty()),
            detail: if missed.is_empty() {
                "the sweep after every initial sync planned nothing".to_owned()
            } else {
                format!("work left after the initial sync at sizes {}", missed.join(","))
            },
        }
    });

    checks.push(match plan {
        Some(o) if o.routes == PLAN_ROUTES => {
            // Planning is the pipeline: reading the inventory, translating and planning. Reading
            // the manifest files and printing the plan are the command line's own work.
            let planning = o.planning_cpu_ms();
            let runs = match o.planning_cpu_ms_runs.as_slice() {
                [] | [_] => String::new(),
                all => {
                    let (low, high) = all.iter().fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(*v), h.max(*v)));
                    format!(" (median of {} runs, {low:.0} to {high:.0} ms)", all.len())
                }
            };
            let whole = match o.pipeline_cpu_ms {
                Some(_) => format!(
                    "; {:.0} ms for the whole process, with reading the manifests and printing the plan",
                    o.cpu_ms
                ),
                None => " for the whole process".to_owned(),
            };
            Check {
                name: "plan_10000_cpu_lt_1s",
                ok: if release { Some(planning < PLAN_CPU_MS) } else { None },
                detail: format!(
                    "{planning:.0} ms CPU planning{runs}{whole}{} (limit {PLAN_CPU_MS:.0} ms)",
                    if release { "" } else { ", in a debug build, not judged" }
                ),
            }
        }
        Some(o) => not_measured("plan_10000_cpu_lt_1s", format!("planned {} routes", o.routes)),
        None => not_measured("plan_10000_cpu_lt_1s", "planning not run"),
    });

    checks.push(match find(outcomes, "noop", SWEEP_ROUTES) {
        Some(o) => Check {
            name: "noop_1000_rss_lt_96mib",
            ok: Some(o.peak_rss_kib < SWEEP_RSS_KIB),
            detail: format!("{} KiB (limit {SWEEP_RSS_KIB})", o.peak_rss_kib),
        },
        None => not_measured("noop_1000_rss_lt_96mib", "1000 routes not run"),
    });

    for (name, scenario) in
        [("noop_linear_1000_le_10_5x_100", "noop"), ("verify_linear_1000_le_10_5x_100", "noop_verify")]
    {
        checks.push(match (find(outcomes, scenario, BASELINE_ROUTES), find(outcomes, scenario, SWEEP_ROUTES)) {
            (Some(small), Some(big)) => {
                let ratio = big.total_calls as f64 / (small.total_calls.max(1)) as f64;
                Check {
                    name,
                    ok: Some(ratio <= LINEAR_RATIO),
                    detail: format!(
                        "{} / {} calls = {ratio:.2} (limit {LINEAR_RATIO})",
                        big.total_calls, small.total_calls
                    ),
                }
            }
            _ => not_measured(name, "needs 100 and 1000 routes"),
        });
    }
    checks
}

#[cfg(test)]
#[path = "tests_targets.rs"]
mod tests;
