//! `lattice-bench`: see the BENCHMARKS section of the README.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Parser;
use lattice_bench::build_binaries;
use lattice_bench::measure::{MEASURE_ARG, wrapper_main};
use lattice_bench::scenario::{Bench, Outcome};
use lattice_bench::shape::Shape;
use lattice_bench::targets::{PLAN_ROUTES, check};
use serde_json::json;

/// Runs latticectl against a separate lattice-sim on synthetic clusters and prints one JSON line
/// per scenario, then the targets met and missed.
#[derive(Debug, Parser)]
#[command(name = "lattice-bench")]
struct Args {
    /// Cluster sizes in routes, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "1,10,100")]
    sizes: Vec<usize>,
    /// Rules per route.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=10))]
    rules: u16,
    /// Backends (Services) per rule.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=10))]
    backends: u16,
    /// Targets (ready endpoints) per backend.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=1000))]
    targets: u16,
    /// Latency lattice-sim adds to every API request, in milliseconds.
    #[arg(long, default_value_t = 2)]
    latency_ms: u64,
    /// latticectl's client-side rate limit in calls per second (0: none).
    #[arg(long, default_value_t = 0)]
    tps: u32,
    /// Routes of the planning measurement (`latticectl plan` against an empty emulator); 0 skips it.
    #[arg(long, default_value_t = PLAN_ROUTES)]
    plan_routes: usize,
    /// How many times the planning measurement runs; it is judged on the median run (default:
    /// 5 in a release build, 1 in a debug build, where it is not judged).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=25))]
    plan_runs: Option<u16>,
    /// The latticectl binary (default: next to this one, built first).
    #[arg(long)]
    latticectl: Option<PathBuf>,
    /// The lattice-sim binary (default: next to this one, built first).
    #[arg(long)]
    lattice_sim: Option<PathBuf>,
    /// Scratch directory for the generated manifests and outputs (default: a temporary one,
    /// removed at the end).
    #[arg(long)]
    work_dir: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some(MEASURE_ARG) {
        return wrapper_main(&argv[2..]);
    }
    let args = Args::parse();
    if args.rules * args.backends > 10 {
        bail!("--rules × --backends must be at most 10 (target groups per VPC Lattice service)");
    }
    let exe = std::env::current_exe().context("Failed to find this binary")?;
    let bin_dir = exe.parent().context("this binary has no directory")?.to_owned();
    let profile = bin_dir.file_name().and_then(|n| n.to_str()).unwrap_or("unknown").to_owned();
    if args.latticectl.is_none() || args.lattice_sim.is_none() {
        build_binaries(&bin_dir, &profile)?;
    }
    let (scratch, temporary) = match &args.work_dir {
        Some(dir) => (dir.clone(), false),
        None => (std::env::temp_dir().join(format!("lattice-bench-{}", std::process::id())), true),
    };
    std::fs::create_dir_all(&scratch).with_context(|| format!("Failed to create {}", scratch.display()))?;
    let bench = Bench {
        latticectl: args.latticectl.clone().unwrap_or_else(|| bin_dir.join("latticectl")),
        lattice_sim: args.lattice_sim.clone().unwrap_or_else(|| bin_dir.join("lattice-sim")),
        wrapper: exe,
        work_dir: scratch.clone(),
        latency_ms: args.latency_ms,
        tps: args.tps,
    };
    let result = run(&args, &bench, &profile);
    if temporary {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    result
}

fn run(args: &Args, bench: &Bench, profile: &str) -> anyhow::Result<()> {
    let shape = Shape { rules: args.rules.into(), backends: args.backends.into(), targets: args.targets.into() };
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut print = |o: &Outcome| println!("{}", serde_json::to_string(o).unwrap_or_default());
    for &routes in &args.sizes {
        outcomes.extend(bench.run_size(routes, shape, &mut print)?);
    }
    let plan = match args.plan_routes {
        0 => None,
        routes => {
            let runs = args.plan_runs.unwrap_or(if profile == "release" { 5 } else { 1 });
            let outcome = bench.plan(routes, Shape { rules: 1, backends: 1, targets: 1 }, runs.into())?;
            print(&outcome);
            Some(outcome)
        }
    };
    let checks = check(&outcomes, shape, plan.as_ref(), profile == "release");
    let targets: serde_json::Map<String, serde_json::Value> =
        checks.iter().map(|c| (c.name.to_owned(), json!(c.ok))).collect();
    let details: serde_json::Map<String, serde_json::Value> =
        checks.iter().map(|c| (c.name.to_owned(), json!(c.detail))).collect();
    let summary = json!({"summary": {
        "profile": profile, "latency_ms": args.latency_ms, "tps": args.tps,
        "shape": {"rules": shape.rules, "backends": shape.backends, "targets": shape.targets},
        "targets": targets, "details": details,
    }});
    println!("{summary}");
    Ok(())
}
