//! `lattice-bench`: measures `latticectl` (the real reconciler, a child process) against
//! `lattice-sim` (a separate process with per-request latency) on synthetic clusters of 1 to
//! thousands of routes: calls by operation, wall and CPU time, peak RSS and actions per scenario,
//! checked against the product's API-economy targets.

pub mod measure;
pub mod scenario;
pub mod shape;
pub mod sim;
pub mod targets;

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

/// Builds `latticectl` and `lattice-sim` with `profile` into `bin_dir` (a target directory's
/// profile directory, where this crate's binary is), so the bench never measures stale binaries.
pub fn build_binaries(bin_dir: &Path, profile: &str) -> anyhow::Result<()> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target_dir = bin_dir.parent().context("the binary directory has no parent")?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.current_dir(&workspace).env("CARGO_TARGET_DIR", target_dir);
    command.args(["build", "-q", "-p", "latticectl", "-p", "lattice-sim"]);
    match profile {
        "debug" => {}
        "release" => {
            command.arg("--release");
        }
        other => {
            command.args(["--profile", other]);
        }
    }
    let status = command.status().context("Failed to run cargo to build latticectl and lattice-sim")?;
    if !status.success() {
        bail!("building latticectl and lattice-sim failed");
    }
    Ok(())
}
