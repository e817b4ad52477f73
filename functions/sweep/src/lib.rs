//! The `sweep` function: on a schedule, reconcile every configured cluster in full.
//!
//! The payload may be any JSON (an EventBridge scheduled event, a Scheduler `Input`, `{}`);
//! `{"verify": true}` plans without changing anything (a drift report), `{"allowMassDelete": true}`
//! lets a mass deletion through the garbage-collection safety valve (see
//! `model::plan::valve`; without it a cluster whose run would delete more than
//! `GC_MAX_DELETE_PERCENT` of what it owns gets only its creating and updating calls, and fails),
//! and unknown fields are ignored. Before each cluster the Lambda deadline is checked against `DEADLINE_MARGIN_MS`: the
//! clusters that no longer fit are handed to the SQS FIFO queue as `{"cluster", "kind": "Cluster",
//! "name"}` requests for the `reconcile` function, never dropped. Within a cluster, no VPC Lattice
//! action starts within the margin either: the routes whose actions were not started keep their
//! status and go to the queue as route keys (or the cluster key, see
//! [`lambda_support::keys_for`]); `handedOff` lists every key the sweep queued. The answer lists
//! what happened to each cluster; a cluster that failed makes the invocation fail (after every cluster was
//! tried), so the schedule's retry policy and alarms see it. Gated pods the runs leave not ready are
//! checked again at the end ([`lambda_support::settle`]), within what is left of the deadline.

use std::time::{Duration, SystemTime};

use k8s_openapi::jiff::Timestamp;
use lambda_runtime::LambdaEvent;
use lambda_support::metrics::{RunMetrics, emit};
use lambda_support::{
    Clients, Error, Key, Message, Settled, Summary, WaitingPods, deadline_budget, hand_off, queue, run_key_allowing,
    settle,
};
use reconciler::Mode;
use serde::Serialize;
use serde_json::Value;

/// The function's name in metrics.
pub const FUNCTION: &str = "sweep";

/// What happened to one cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "outcome")]
pub enum ClusterOutcome {
    /// Reconciled (or, with `verify`, planned).
    Reconciled {
        /// The cluster.
        cluster: String,
        /// What the run did.
        summary: Box<Summary>,
    },
    /// Handed to the queue: not enough time was left.
    Queued {
        /// The cluster.
        cluster: String,
    },
    /// Failed; the message says why.
    Failed {
        /// The cluster.
        cluster: String,
        /// `InvalidInput`, `Retryable` or `Fatal`.
        error_type: String,
        /// The error with its causes.
        message: String,
    },
}

/// What one sweep did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepSummary {
    /// Whether the sweep only planned.
    pub verify: bool,
    /// One entry per configured cluster, in configuration order.
    pub clusters: Vec<ClusterOutcome>,
    /// The recheck of the gated pods the runs left not ready.
    pub readiness: Settled,
    /// Every key put on the queue: the work runs left at the deadline, and the clusters not started.
    pub handed_off: Vec<String>,
}

/// Whether the payload asks for a plan only (`{"verify": true}`); anything else applies.
pub fn wants_verify(payload: &Value) -> bool {
    payload.get("verify").and_then(Value::as_bool).unwrap_or(false)
}

/// Whether the payload carries the mass-delete override (`{"allowMassDelete": true}`).
pub fn allows_mass_delete(payload: &Value) -> bool {
    payload.get("allowMassDelete").and_then(Value::as_bool).unwrap_or(false)
}

/// Handles one scheduled invocation.
pub async fn handle(clients: &Clients, event: LambdaEvent<Value>) -> Result<SweepSummary, Error> {
    let verify = wants_verify(&event.payload);
    let mode = if verify { Mode::Plan } else { Mode::Apply };
    let allow_mass_delete = allows_mass_delete(&event.payload);
    let deadline = event.context.deadline();
    let margin = clients.config().deadline_margin;
    let mut summary =
        SweepSummary { verify, clusters: Vec::new(), readiness: Settled::default(), handed_off: Vec::new() };
    let mut left: Vec<String> = Vec::new();
    let mut waiting = WaitingPods::default();
    for cluster in &clients.config().clusters {
        if !left.is_empty() || remaining(deadline) < margin {
            left.push(cluster.clone());
            continue;
        }
        let budget = deadline_budget(deadline, margin);
        let outcome =
            match run_key_allowing(clients, &Key::cluster(cluster), mode, Timestamp::now(), &budget, allow_mass_delete)
                .await
            {
                Ok((mut run, pods)) => {
                    let handed = hand_off(clients, &mut run, &event.context.request_id).await;
                    emit(&RunMetrics::from_summary(FUNCTION, &run));
                    summary.handed_off.extend(run.handed_off.iter().cloned());
                    if mode == Mode::Apply {
                        waiting.add(cluster, pods);
                    }
                    match handed.err().or_else(|| run.incomplete()) {
                        Some(error) => failed(cluster, &error),
                        None => ClusterOutcome::Reconciled { cluster: cluster.clone(), summary: Box::new(run) },
                    }
                }
                Err(error) => failed(cluster, &error),
            };
        summary.clusters.push(outcome);
    }
    if !left.is_empty() {
        tracing::warn!(clusters = ?left, "Handing clusters to the queue: the deadline is near");
        let url = clients.config().queue_url.as_deref().ok_or(Error::NoQueue { purpose: "the clusters left" })?;
        let messages: Vec<Message> =
            left.iter().map(|c| Message::new(Key::cluster(c), &event.context.request_id)).collect();
        queue::send(clients.sqs(), url, &messages).await?;
        summary.handed_off.extend(messages.iter().map(|m| m.key.to_string()));
        summary.clusters.extend(left.into_iter().map(|cluster| ClusterOutcome::Queued { cluster }));
    }
    summary.readiness = settle(clients, waiting, deadline, &event.context.request_id).await;
    let failures: Vec<&ClusterOutcome> =
        summary.clusters.iter().filter(|c| matches!(c, ClusterOutcome::Failed { .. })).collect();
    tracing::info!(summary = %serde_json::to_string(&summary).unwrap_or_default(), "Swept");
    if let Some(ClusterOutcome::Failed { cluster, .. }) = failures.first() {
        return Err(Error::Incomplete {
            cluster: (*cluster).clone(),
            scope: format!("the sweep ({} of {} clusters failed)", failures.len(), summary.clusters.len()),
            actions_failed: 0,
            writes_failed: 0,
        });
    }
    Ok(summary)
}

fn failed(cluster: &str, error: &Error) -> ClusterOutcome {
    tracing::error!(cluster, error_type = %error.error_type(), error = %error.full_message(), "Cluster failed");
    ClusterOutcome::Failed {
        cluster: cluster.to_owned(),
        error_type: error.error_type().to_string(),
        message: error.full_message(),
    }
}

fn remaining(deadline: SystemTime) -> Duration {
    deadline.duration_since(SystemTime::now()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_an_explicit_verify_plans() {
        assert!(wants_verify(&json!({"verify": true, "other": 1})));
        assert!(!wants_verify(&json!({"verify": "yes"})));
        assert!(!wants_verify(&json!({"detail-type": "Scheduled Event", "detail": {}})));
        assert!(!wants_verify(&json!(null)));
        assert!(!wants_verify(&json!([1, 2])));
    }

    #[test]
    fn only_an_explicit_boolean_allows_a_mass_deletion() {
        assert!(allows_mass_delete(&json!({"allowMassDelete": true})));
        assert!(!allows_mass_delete(&json!({"allowMassDelete": "true"})));
        assert!(!allows_mass_delete(&json!({"allow_mass_delete": true})));
        assert!(!allows_mass_delete(&json!({})));
    }
}
