//! The scenarios: `latticectl apply` (a child process, measured) against a separate `lattice-sim`
//! on a synthetic cluster that each scenario changes a little.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde::Serialize;
use serde_json::Value;

use crate::measure::{Usage, run_measured};
use crate::shape::{Cluster, Counts, Shape};
use crate::sim::{Capacity, SimProcess};

/// Scenario names, in the order they run on one emulator.
pub const SCENARIOS: [&str; 7] =
    ["initial_sync", "noop", "noop_verify", "endpoint_change", "route_changed", "churn_1pct", "route_deleted"];

/// Where the programs are and how they are run.
#[derive(Debug, Clone)]
pub struct Bench {
    /// The `latticectl` binary.
    pub latticectl: PathBuf,
    /// The `lattice-sim` binary.
    pub lattice_sim: PathBuf,
    /// The `lattice-bench` binary (the measuring wrapper).
    pub wrapper: PathBuf,
    /// Scratch directory for manifests and outputs.
    pub work_dir: PathBuf,
    /// Latency the emulator adds to every API request.
    pub latency_ms: u64,
    /// `latticectl --tps` (0: no client-side rate limit).
    pub tps: u32,
}

/// One scenario's measurement, printed as one JSON line.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// Scenario name (one of [`SCENARIOS`], or `plan`).
    pub scenario: String,
    /// Routes the cluster was generated with (the size of the run).
    pub size: usize,
    /// Routes present.
    pub routes: usize,
    /// Rules over all routes.
    pub rules: usize,
    /// Backends (Services, target groups) over all rules.
    pub backends: usize,
    /// Targets over all backends.
    pub targets: usize,
    /// `false` when this `latticectl` does not offer the scenario (the rest is then empty).
    pub supported: bool,
    /// API requests the emulator answered, by operation.
    pub calls: BTreeMap<String, u64>,
    /// Sum of `calls`.
    pub total_calls: u64,
    /// Wall time of the `latticectl` process.
    pub wall_ms: f64,
    /// User plus system CPU time of the `latticectl` process.
    pub cpu_ms: f64,
    /// The part of `cpu_ms` that `latticectl` reports for its pipeline (`cpu.pipelineMs`:
    /// reading VPC Lattice, translating, planning, applying), without reading the manifest
    /// files and printing the document; `None` when it does not report it.
    pub pipeline_cpu_ms: Option<f64>,
    /// Peak RSS of the `latticectl` process.
    pub peak_rss_kib: u64,
    /// Actions planned.
    pub actions_planned: u64,
    /// Actions applied (`apply.applied`).
    pub actions_applied: u64,
    /// Actions failed, skipped, left pending or deferred.
    pub actions_not_applied: u64,
    /// Whether the emulator's counts equal the calls `latticectl` itself reported.
    pub calls_match_client: bool,
    /// For `plan`, measured several times: the planning CPU time of every run, in the order
    /// they ran (this outcome is the run with the median).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub planning_cpu_ms_runs: Vec<f64>,
}

impl Outcome {
    /// The CPU time of planning: the pipeline's when `latticectl` reports it, else the whole
    /// process's.
    pub fn planning_cpu_ms(&self) -> f64 {
        self.pipeline_cpu_ms.unwrap_or(self.cpu_ms)
    }
}

impl Bench {
    /// Whether `latticectl apply` offers `--verify` (full verification of a no-op sweep).
    pub fn supports_verify(&self) -> anyhow::Result<bool> {
        let output = Command::new(&self.latticectl)
            .args(["apply", "--help"])
            .output()
            .with_context(|| format!("Failed to run {}", self.latticectl.display()))?;
        Ok(String::from_utf8_lossy(&output.stdout).contains("--verify"))
    }

    /// Runs every scenario on a fresh emulator and a cluster of `routes` routes of `shape`.
    /// `report` is called with each outcome as soon as it is measured.
    pub fn run_size(
        &self,
        routes: usize,
        shape: Shape,
        report: &mut dyn FnMut(&Outcome),
    ) -> anyhow::Result<Vec<Outcome>> {
        let dir = self.work_dir.join(format!("cluster-{routes}"));
        let mut cluster = Cluster::generate(&dir, routes, shape)?;
        let sim = SimProcess::start(&self.lattice_sim, self.latency_ms, capacity(cluster.counts()))?;
        let verify = self.supports_verify()?;
        let mut outcomes = Vec::new();
        for scenario in SCENARIOS {
            let extra: &[&str] = match scenario {
                "noop_verify" if !verify => {
                    let outcome = unsupported(scenario, routes, cluster.counts());
                    report(&outcome);
                    outcomes.push(outcome);
                    continue;
                }
                "noop_verify" => &["--verify"],
                "endpoint_change" => {
                    cluster.replace_one_endpoint()?;
                    &[]
                }
                "route_changed" => {
                    cluster.change_one_route()?;
                    &[]
                }
                "route_deleted" => {
                    cluster.delete_one_route()?;
                    &[]
                }
                "churn_1pct" => {
                    cluster.churn_targets(1)?;
                    &[]
                }
                _ => &[],
            };
            let outcome = self.latticectl(&sim, &cluster, routes, "apply", scenario, extra)?;
            report(&outcome);
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    /// Plans `routes` routes of `shape` against an empty emulator (`latticectl plan`), `runs`
    /// times: the outcome is the run with the median planning CPU time (`pipeline_cpu_ms`;
    /// `cpu_ms` is that of the whole `latticectl` process), with every run's in
    /// `planning_cpu_ms_runs`. CPU time on a shared machine varies from run to run; the median
    /// is what a typical run costs.
    pub fn plan(&self, routes: usize, shape: Shape, runs: usize) -> anyhow::Result<Outcome> {
        let dir = self.work_dir.join(format!("plan-{routes}"));
        let cluster = Cluster::generate(&dir, routes, shape)?;
        let sim = SimProcess::start(&self.lattice_sim, self.latency_ms, capacity(cluster.counts()))?;
        let mut outcomes = Vec::with_capacity(runs.max(1));
        for _ in 0..runs.max(1) {
            outcomes.push(self.latticectl(&sim, &cluster, routes, "plan", "plan", &[])?);
        }
        Ok(median_run(outcomes))
    }

    /// Runs `latticectl COMMAND -f DIR --endpoint URL -o json` measured, with the emulator's call
    /// counts reset before.
    fn latticectl(
        &self,
        sim: &SimProcess,
        cluster: &Cluster,
        size: usize,
        command: &str,
        scenario: &str,
        extra: &[&str],
    ) -> anyhow::Result<Outcome> {
        sim.reset_calls()?;
        let mut args: Vec<String> = vec![command.into(), "-f".into(), path_arg(cluster.dir())?];
        args.extend(["--endpoint".into(), sim.endpoint().into(), "-o".into(), "json".into()]);
        args.extend(["--tps".into(), self.tps.to_string()]);
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let label = format!("{size}-{scenario}");
        let envs = [("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench"), ("NO_COLOR", "1")];
        let (usage, stdout, stderr) =
            run_measured(&self.wrapper, &self.work_dir, &label, &self.latticectl, &args, &envs)?;
        let calls = sim.calls()?;
        let text = std::fs::read_to_string(&stdout)?;
        if usage.exit.is_none_or(|code| code >= 2) {
            let err = std::fs::read_to_string(&stderr).unwrap_or_default();
            bail!("latticectl {command} ({scenario}) exited with {:?}: {err}", usage.exit);
        }
        let output: Value = serde_json::from_str(&text)
            .with_context(|| format!("latticectl {command} printed no JSON (see {})", stdout.display()))?;
        Ok(outcome(scenario, size, cluster.counts(), calls, &output, usage))
    }
}

/// The outcome with the median planning CPU time (the lower middle one of an even number),
/// carrying every run's time. `outcomes` is not empty.
pub fn median_run(outcomes: Vec<Outcome>) -> Outcome {
    let runs: Vec<f64> = outcomes.iter().map(Outcome::planning_cpu_ms).collect();
    let mut by_cpu = outcomes;
    by_cpu.sort_by(|a, b| a.planning_cpu_ms().total_cmp(&b.planning_cpu_ms()));
    let middle = (by_cpu.len().max(1) - 1) / 2;
    let mut median = by_cpu.swap_remove(middle);
    if runs.len() > 1 {
        median.planning_cpu_ms_runs = runs;
    }
    median
}

fn capacity(counts: Counts) -> Capacity {
    Capacity { services: counts.routes + 10, target_groups: counts.backends + 10 }
}

fn path_arg(path: &Path) -> anyhow::Result<String> {
    path.to_str().map(str::to_owned).context("the work directory is not UTF-8")
}

fn unsupported(scenario: &str, size: usize, counts: Counts) -> Outcome {
    let usage = Usage { exit: None, peak_rss_kib: 0, cpu_ms: 0.0, wall_ms: 0.0 };
    let mut outcome = outcome(scenario, size, counts, BTreeMap::new(), &Value::Null, usage);
    outcome.supported = false;
    outcome.calls_match_client = false;
    outcome
}

fn outcome(
    scenario: &str,
    size: usize,
    counts: Counts,
    calls: BTreeMap<String, u64>,
    output: &Value,
    usage: Usage,
) -> Outcome {
    let client: BTreeMap<String, u64> = output["calls"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0))).collect())
        .unwrap_or_default();
    let apply = &output["apply"];
    let listed = |key: &str| match &apply[key] {
        Value::Array(items) => items.len() as u64,
        other => other.as_u64().unwrap_or(0),
    };
    Outcome {
        scenario: scenario.to_owned(),
        size,
        routes: counts.routes,
        rules: counts.rules,
        backends: counts.backends,
        targets: counts.targets,
        supported: true,
        total_calls: calls.values().sum(),
        calls_match_client: client == calls,
        calls,
        wall_ms: (usage.wall_ms * 10.0).round() / 10.0,
        cpu_ms: (usage.cpu_ms * 10.0).round() / 10.0,
        pipeline_cpu_ms: output["cpu"]["pipelineMs"].as_f64(),
        peak_rss_kib: usage.peak_rss_kib,
        actions_planned: output["actions"].as_array().map_or(0, |a| a.len() as u64),
        actions_applied: listed("applied"),
        actions_not_applied: listed("failed") + listed("skipped") + listed("pending") + listed("deferred"),
        planning_cpu_ms_runs: Vec::new(),
    }
}
