//! The `lattice-sim` binary as a separate process, and its admin surface (call counts).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

use crate::shape::GATEWAY;

/// Quotas a synthetic cluster needs raised above VPC Lattice's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    /// Services (one per route).
    pub services: usize,
    /// Target groups (one per backend).
    pub target_groups: usize,
}

/// A running `lattice-sim` child process; stopped when dropped.
#[derive(Debug)]
pub struct SimProcess {
    child: Child,
    endpoint: String,
    authority: String,
}

impl SimProcess {
    /// Starts `binary` on a free port with `latency_ms` added to every API request, the bench's
    /// service network, and quotas raised to `capacity` where it exceeds the defaults.
    pub fn start(binary: &Path, latency_ms: u64, capacity: Capacity) -> anyhow::Result<Self> {
        // VPC Lattice defaults: 2,000 services and 500 target groups per Region, 500 services
        // per service network. Raised only as far as the cluster needs.
        let services = capacity.services.max(2000);
        let target_groups = capacity.target_groups.max(500);
        let mut command = Command::new(binary);
        command
            .args(["--listen", "127.0.0.1:0", "--latency-ms", &latency_ms.to_string()])
            .args(["--service-network", GATEWAY])
            .args(["--quota", &format!("services={services}")])
            .args(["--quota", &format!("services-per-service-network={}", capacity.services.max(500))])
            .args(["--quota", &format!("target-groups={target_groups}")])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().with_context(|| format!("Failed to start {}", binary.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).context("Failed to read lattice-sim's first line")?;
        let Some(endpoint) = line.trim().strip_prefix("lattice-sim listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            bail!("lattice-sim did not start: {line:?}");
        };
        let endpoint = endpoint.to_owned();
        let authority = endpoint.trim_start_matches("http://").to_owned();
        Ok(Self { child, endpoint, authority })
    }

    /// The emulator's URL, for `--endpoint`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// API requests answered since the last [`SimProcess::reset_calls`], by operation.
    pub fn calls(&self) -> anyhow::Result<BTreeMap<String, u64>> {
        let body = self.admin("GET", "/_sim/calls")?;
        serde_json::from_str(&body).with_context(|| format!("lattice-sim's call counts are not JSON: {body}"))
    }

    /// Resets the call counts.
    pub fn reset_calls(&self) -> anyhow::Result<()> {
        self.admin("DELETE", "/_sim/calls").map(drop)
    }

    /// One admin request over HTTP/1.0 (no chunking, the server closes the connection).
    fn admin(&self, method: &str, path: &str) -> anyhow::Result<String> {
        let mut stream = TcpStream::connect(&self.authority).context("Failed to reach lattice-sim")?;
        write!(stream, "{method} {path} HTTP/1.0\r\nHost: {}\r\nContent-Length: 0\r\n\r\n", self.authority)?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        let (head, body) = response.split_once("\r\n\r\n").context("malformed admin response")?;
        let status_ok = head.split_whitespace().nth(1).is_some_and(|code| code.starts_with('2'));
        if !status_ok {
            bail!("{method} {path}: {head}");
        }
        Ok(body.to_owned())
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
