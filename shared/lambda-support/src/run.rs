//! One scoped reconcile for a key, and what it did.

use std::collections::BTreeMap;

use k8s_openapi::jiff::Timestamp;
use reconciler::{Mode, ReadScope, run_cluster};
use serde::Serialize;
use tracing::Instrument as _;

use crate::clients::Clients;
use crate::error::Error;
use crate::key::Key;

/// What one reconcile did, returned to a direct invoke and logged for the others.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The cluster.
    pub cluster: String,
    /// The route, like `HTTPRoute shop/checkout`, for a route-scoped run; `None` for the whole cluster.
    pub route: Option<String>,
    /// Lattice actions planned.
    pub actions_planned: usize,
    /// Lattice actions that succeeded.
    pub actions_applied: usize,
    /// Lattice actions that failed or were skipped because a dependency failed.
    pub actions_failed: usize,
    /// Lattice actions left for a later run (a resource still being created).
    pub actions_pending: usize,
    /// VPC Lattice and tagging API calls, by operation.
    pub calls: BTreeMap<String, u64>,
    /// Objects whose status or annotations were written.
    pub status_written: Vec<String>,
    /// Objects whose status write failed, with the reason.
    pub status_failed: Vec<String>,
    /// The Lattice DNS name of the route, when it has one.
    pub dns_name: Option<String>,
    /// Wall time of the run in milliseconds.
    pub duration_ms: u64,
}

impl Summary {
    /// Lattice and status failures together.
    pub fn failures(&self) -> usize {
        self.actions_failed + self.status_failed.len()
    }

    /// The error a run with failures reports (so the queue retries it), `None` when clean.
    pub fn incomplete(&self) -> Option<Error> {
        (self.failures() > 0).then(|| Error::Incomplete {
            cluster: self.cluster.clone(),
            scope: self.route.clone().unwrap_or_else(|| "everything".to_owned()),
            actions_failed: self.actions_failed,
            writes_failed: self.status_failed.len(),
        })
    }
}

/// Reconciles what `key` names — its route alone, or its whole cluster — and writes status.
pub async fn run_key(clients: &Clients, key: &Key, mode: Mode, now: Timestamp) -> Result<Summary, Error> {
    key.validate()?;
    let connected = clients.cluster(&key.cluster).await?;
    let scope = key.read_scope();
    let route = match &scope {
        ReadScope::Route(r) => Some(r.to_string()),
        ReadScope::All => None,
    };
    let span = tracing::info_span!("reconcile", cluster = %key.cluster, key = %key);
    let started = std::time::Instant::now();
    let run = run_cluster(&connected.cluster, clients.lattice(), &connected.config, &scope, mode, now)
        .instrument(span)
        .await
        .map_err(|source| Error::Reconcile {
            cluster: key.cluster.clone(),
            scope: route.clone().unwrap_or_else(|| "everything".to_owned()),
            source,
        })?;
    let report = &run.report;
    let apply = report.apply.clone().unwrap_or_default();
    let dns_name = match &scope {
        ReadScope::Route(r) => report
            .translation
            .status
            .iter()
            .find(|e| e.kind == r.kind && e.namespace.as_deref() == Some(&r.namespace) && e.name == r.name)
            .and_then(|e| e.annotations.get(model::names::ANNOTATION_DNS_NAME).cloned()),
        ReadScope::All => None,
    };
    let write = run.write.unwrap_or_default();
    Ok(Summary {
        cluster: key.cluster.clone(),
        route,
        actions_planned: report.plan.actions.len(),
        actions_applied: apply.applied,
        actions_failed: apply.failed.len() + apply.skipped.len(),
        actions_pending: apply.pending.len(),
        calls: report.calls.clone(),
        status_written: write.written.iter().map(ToString::to_string).collect(),
        status_failed: write.failed.iter().map(|(object, reason)| format!("{object}: {reason}")).collect(),
        dns_name,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}
