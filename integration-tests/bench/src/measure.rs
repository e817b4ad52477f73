//! Resource use of one child process. The bench starts a measuring wrapper (its own binary with
//! [`MEASURE_ARG`]) whose only child is the measured command, so the wrapper's
//! `getrusage(RUSAGE_CHILDREN)` is exactly that command's peak RSS and CPU time, whatever else the
//! bench has started (the emulator) or already reaped.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use nix::sys::resource::{UsageWho, getrusage};
use serde::{Deserialize, Serialize};

/// First argument that turns the bench binary into the measuring wrapper:
/// `lattice-bench __measure STDOUT_FILE STDERR_FILE PROGRAM ARGS...`.
pub const MEASURE_ARG: &str = "__measure";

/// What the wrapper reports about its child, as one JSON line on its stdout.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Usage {
    /// Exit code (`None` if killed by a signal).
    pub exit: Option<i32>,
    /// Peak resident set size in KiB (`ru_maxrss`).
    pub peak_rss_kib: u64,
    /// User plus system CPU time in milliseconds.
    pub cpu_ms: f64,
    /// Wall time in milliseconds.
    pub wall_ms: f64,
}

/// Runs the wrapper side: `args` are what follows [`MEASURE_ARG`]. Prints the [`Usage`] line.
pub fn wrapper_main(args: &[String]) -> anyhow::Result<()> {
    let [stdout, stderr, program, rest @ ..] = args else {
        bail!("usage: lattice-bench {MEASURE_ARG} STDOUT_FILE STDERR_FILE PROGRAM [ARGS...]");
    };
    let out = File::create(stdout).with_context(|| format!("Failed to create {stdout}"))?;
    let err = File::create(stderr).with_context(|| format!("Failed to create {stderr}"))?;
    let started = Instant::now();
    let status = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .status()
        .with_context(|| format!("Failed to run {program}"))?;
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).context("getrusage failed")?;
    let micros = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 * 1e6 + t.tv_usec() as f64;
    let report = Usage {
        exit: status.code(),
        peak_rss_kib: u64::try_from(usage.max_rss()).unwrap_or(0),
        cpu_ms: (micros(usage.user_time()) + micros(usage.system_time())) / 1000.0,
        wall_ms,
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// Starts `program args` under the wrapper `wrapper`, with its stdout and stderr in files under
/// `scratch` named after `label`. Returns the usage and the paths of the two files.
pub fn run_measured(
    wrapper: &Path,
    scratch: &Path,
    label: &str,
    program: &Path,
    args: &[String],
    envs: &[(&str, &str)],
) -> anyhow::Result<(Usage, PathBuf, PathBuf)> {
    let stdout = scratch.join(format!("{label}.out"));
    let stderr = scratch.join(format!("{label}.err"));
    let output = Command::new(wrapper)
        .arg(MEASURE_ARG)
        .arg(&stdout)
        .arg(&stderr)
        .arg(program)
        .args(args)
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("Failed to start the measuring wrapper {}", wrapper.display()))?;
    if !output.status.success() {
        bail!("the measuring wrapper failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let usage: Usage = serde_json::from_slice(&output.stdout).context("the measuring wrapper printed no usage")?;
    Ok((usage, stdout, stderr))
}
