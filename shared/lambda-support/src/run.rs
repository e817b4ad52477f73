//! One scoped reconcile for a key, and what it did.

use std::collections::BTreeMap;

use k8s_openapi::jiff::Timestamp;
use model::budget::Budget;
use reconciler::{Mode, ReadScope, Waiting, run_cluster_within};
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
    /// Lattice actions not started because the deadline was near; their owners are in `left`.
    pub actions_deferred: usize,
    /// Keys put on the queue for the work left at the deadline (`demo/HTTPRoute/shop/web`, or the
    /// cluster key `demo/Cluster//demo`); see [`crate::hand_off`].
    pub handed_off: Vec<String>,
    /// The keys that finish the work this run left at the deadline (see [`crate::keys_for`]);
    /// [`crate::hand_off`] sends them.
    #[serde(skip)]
    pub left: Vec<Key>,
    /// VPC Lattice and tagging API calls, by operation.
    pub calls: BTreeMap<String, u64>,
    /// Objects whose status or annotations were written.
    pub status_written: Vec<String>,
    /// Objects whose status write failed, with the reason.
    pub status_failed: Vec<String>,
    /// The Lattice DNS name of the route, when it has one.
    pub dns_name: Option<String>,
    /// external-dns `DNSEndpoint`s created, updated or deleted (`created DNSEndpoint shop/web-dns`).
    pub dns_records: Vec<String>,
    /// `DNSEndpoint`s a route wants whose name another owner holds, left alone, with why.
    pub dns_conflicts: Vec<String>,
    /// Pods whose readiness gate condition was set (`Pod shop/web-1: True Healthy`).
    pub pods_gated: Vec<String>,
    /// Gated pods still not ready after the run.
    pub pods_waiting: Vec<String>,
    /// DNS record and readiness gate writes (or reads) that failed, with why (the webhook
    /// configuration's too).
    pub dns_and_gates_failed: Vec<String>,
    /// What happened to the readiness gate webhook's configuration (whole-cluster runs):
    /// `created`, `updated` or `deleted`, with its number of webhook entries; `None` when unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
    /// The webhook configuration of our name exists and is not ours: left alone, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_conflict: Option<String>,
    /// Wall time of the run in milliseconds.
    pub duration_ms: u64,
    /// The mass deletion the safety valve refused (or the override allowed), explained.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mass_delete: Option<String>,
    /// Destructive Lattice calls the safety valve refused (listed in `refused`).
    pub deletions_refused: usize,
    /// What the plan left alone, as `resource: reason` (resources not ours, names still being
    /// deleted, deletions refused by the safety valve).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<String>,
}

impl Summary {
    /// Lattice and cluster write failures together.
    pub fn failures(&self) -> usize {
        self.actions_failed + self.status_failed.len() + self.dns_and_gates_failed.len()
    }

    /// The error a run with failures reports (so the queue retries it), `None` when clean. A
    /// refused mass deletion is an error too, so that alarms see it.
    pub fn incomplete(&self) -> Option<Error> {
        if self.deletions_refused > 0 {
            return Some(Error::MassDelete {
                cluster: self.cluster.clone(),
                scope: self.route.clone().unwrap_or_else(|| "everything".to_owned()),
                detail: self.mass_delete.clone().unwrap_or_default(),
            });
        }
        (self.failures() > 0).then(|| Error::Incomplete {
            cluster: self.cluster.clone(),
            scope: self.route.clone().unwrap_or_else(|| "everything".to_owned()),
            actions_failed: self.actions_failed,
            writes_failed: self.status_failed.len() + self.dns_and_gates_failed.len(),
        })
    }
}

/// Reconciles what `key` names — its route alone, or its whole cluster — and writes status.
pub async fn run_key(clients: &Clients, key: &Key, mode: Mode, now: Timestamp) -> Result<Summary, Error> {
    run_key_waiting(clients, key, mode, now).await.map(|(summary, _)| summary)
}

/// [`run_key`], also returning the gated pods still not ready after the run, for
/// [`crate::settle`].
pub async fn run_key_waiting(
    clients: &Clients,
    key: &Key,
    mode: Mode,
    now: Timestamp,
) -> Result<(Summary, Vec<Waiting>), Error> {
    run_key_within(clients, key, mode, now, &Budget::unlimited()).await
}

/// [`run_key_waiting`] whose apply starts actions only while `budget` allows (see
/// [`crate::deadline_budget`]); the keys that finish what it left are in [`Summary::left`], for
/// [`crate::hand_off`].
pub async fn run_key_within(
    clients: &Clients,
    key: &Key,
    mode: Mode,
    now: Timestamp,
    budget: &Budget,
) -> Result<(Summary, Vec<Waiting>), Error> {
    run_key_allowing(clients, key, mode, now, budget, false).await
}

/// [`run_key_within`]; with `allow_mass_delete` the garbage-collection safety valve lets a mass
/// deletion through (the `"allowMassDelete": true` of an event).
pub async fn run_key_allowing(
    clients: &Clients,
    key: &Key,
    mode: Mode,
    now: Timestamp,
    budget: &Budget,
    allow_mass_delete: bool,
) -> Result<(Summary, Vec<Waiting>), Error> {
    key.validate()?;
    let connected = clients.cluster(&key.cluster).await?;
    let mut config = connected.config.clone();
    config.gc.allow_mass_delete = allow_mass_delete;
    let scope = key.read_scope();
    let route = match &scope {
        ReadScope::Route(r) => Some(r.to_string()),
        ReadScope::All => None,
    };
    let span = tracing::info_span!("reconcile", cluster = %key.cluster, key = %key);
    let started = std::time::Instant::now();
    let run = run_cluster_within(&connected.cluster, clients.lattice(), &config, &scope, mode, now, budget)
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
    let dns = &run.dns;
    let mut dns_records: Vec<String> = Vec::new();
    for (verb, objects) in [("created", &dns.created), ("updated", &dns.updated), ("deleted", &dns.deleted)] {
        dns_records.extend(objects.iter().map(|o| format!("{verb} {o}")));
    }
    let readiness = &run.readiness;
    let mut dns_and_gates_failed: Vec<String> = dns.failed.iter().map(|(o, why)| format!("{o}: {why}")).collect();
    dns_and_gates_failed.extend(readiness.failed.iter().map(|(o, why)| format!("{o}: {why}")));
    dns_and_gates_failed.extend(run.webhook.failed.clone());
    let webhook = run.webhook.change.map(|change| {
        let verb = match change {
            model::webhook::WebhookChange::Created => "created",
            model::webhook::WebhookChange::Updated => "updated",
            model::webhook::WebhookChange::Deleted => "deleted",
        };
        format!(
            "{verb} MutatingWebhookConfiguration {} ({} webhooks)",
            model::webhook::CONFIGURATION_NAME,
            run.webhook.entries
        )
    });
    let summary = Summary {
        cluster: key.cluster.clone(),
        route,
        actions_planned: report.plan.actions.len(),
        actions_applied: apply.applied,
        actions_failed: apply.failed.len() + apply.skipped.len(),
        actions_pending: apply.pending.len(),
        actions_deferred: apply.deferred.len(),
        handed_off: Vec::new(),
        left: crate::handoff::keys_for(&key.cluster, &report.left),
        calls: report.calls.clone(),
        status_written: write.written.iter().map(ToString::to_string).collect(),
        status_failed: write.failed.iter().map(|(object, reason)| format!("{object}: {reason}")).collect(),
        dns_name,
        dns_records,
        dns_conflicts: dns.foreign.iter().map(|(o, why)| format!("{o}: {why}")).collect(),
        pods_gated: readiness.written.iter().map(|(pod, c)| gate_line(pod, c)).collect(),
        pods_waiting: readiness.waiting.iter().map(|w| w.gate.pod.to_string()).collect(),
        dns_and_gates_failed,
        webhook,
        webhook_conflict: run.webhook.foreign.clone(),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        mass_delete: report.mass_delete.as_ref().map(ToString::to_string),
        deletions_refused: report.refused_mass_delete().map_or(0, |m| m.refused_calls),
        refused: report.plan.refused.iter().map(|r| format!("{}: {}", r.resource, r.reason)).collect(),
    };
    Ok((summary, run.readiness.waiting))
}

/// `Pod shop/web-1: True Healthy`.
pub(crate) fn gate_line(
    pod: &model::snapshot::ObjectRef,
    condition: &k8s_openapi::api::core::v1::PodCondition,
) -> String {
    format!("{pod}: {} {}", condition.status, condition.reason.as_deref().unwrap_or(""))
}
