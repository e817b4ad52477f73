//! The `reconcile` function: one scoped reconcile per request, whatever delivered it.
//!
//! It accepts, told apart by shape ([`Incoming`]):
//!
//! - an **SQS FIFO batch** (the audit function's and the sweep's requests): each record's body is a
//!   [`Key`] (a body over `lambda_support::queue::MAX_MESSAGE_BYTES` is refused unread, logged and
//!   counted as `PayloadsRejected`); records are handled in order, and the answer is an [`SqsBatchResponse`] whose failures
//!   are the first failed record and every record after it, so a message group is never processed
//!   out of order. Records left when the deadline nears are reported failed too, to come back;
//! - an **EventBridge event** whose `detail` is a [`Key`] (e.g. `PutEvents` from CI): a failure is
//!   an error, so EventBridge and Lambda retry it;
//! - a **direct invoke** with a [`Key`] as payload: the answer is the run's [`Summary`].
//!
//! A direct invoke or an EventBridge `detail` may add `"allowMassDelete": true` ([`Request`]): the
//! garbage-collection safety valve then lets a mass deletion through (see `model::plan::valve`);
//! queue messages never carry it. A refused mass deletion fails the run.
//!
//! A route kind (`HTTPRoute`, `GRPCRoute`, `TLSRoute`) reads and changes that route alone; every
//! other kind (`Service`, `EndpointSlice`, `Gateway`, `ReferenceGrant`, `Namespace`, `Cluster`, ...)
//! reconciles its whole cluster. That is correct but not economical: narrowing a backend or gateway
//! change to the routes that use it is left to the economy work on scoped reads.
//!
//! No VPC Lattice action starts within `DEADLINE_MARGIN_MS` of the deadline: the work a run leaves
//! goes back on the queue as keys ([`lambda_support::hand_off`]: the routes left, or the cluster
//! key) and the summary lists them in `handedOff`; the record itself counts as done.
//!
//! Gated pods the runs leave not ready are checked again once the invocation's keys are done
//! ([`lambda_support::settle`]: a bounded wait, then the routes of pods still `INITIAL` go back on
//! the queue); for a direct invoke or an EventBridge event the answer's summary includes it.
//!
//! It depends on `lambda-support` for configuration, clients and the run itself, and on nothing
//! else of ours; it never branches on why it was invoked beyond choosing the answer's shape.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use k8s_openapi::jiff::Timestamp;
use lambda_runtime::LambdaEvent;
use lambda_support::metrics::{RunMetrics, emit};
use lambda_support::{Clients, Error, Key, Summary, WaitingPods, deadline_budget, hand_off, run_key_allowing, settle};
use reconciler::Budget;
use reconciler::Mode;
use serde::{Deserialize, Serialize};

/// The function's name in metrics.
pub const FUNCTION: &str = "reconcile";

/// A key with the mass-delete override, for a direct invoke or an EventBridge `detail`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// What to reconcile.
    #[serde(flatten)]
    pub key: Key,
    /// `allowMassDelete`: let a mass deletion through the safety valve.
    #[serde(default, rename = "allowMassDelete", skip_serializing_if = "std::ops::Not::not")]
    pub allow_mass_delete: bool,
}

/// What the function accepts, told apart by shape.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Incoming {
    /// A batch from the SQS FIFO queue (has `Records`).
    Sqs(SqsEvent),
    /// An EventBridge event (has `detail-type`, `source` and `detail`).
    EventBridge(Box<EventBridgeEvent<Request>>),
    /// A direct invoke: the key itself, with the override if any.
    Direct(Request),
}

/// What the function answers.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Outgoing {
    /// For an SQS batch: the records to deliver again.
    Batch(SqsBatchResponse),
    /// For an EventBridge event or a direct invoke: what the run did.
    Summary(Box<Summary>),
}

/// Handles one invocation.
pub async fn handle(clients: &Clients, event: LambdaEvent<Incoming>) -> Result<Outgoing, Error> {
    let deadline = event.context.deadline();
    let cause = event.context.request_id.clone();
    match event.payload {
        Incoming::Sqs(batch) => Ok(Outgoing::Batch(handle_batch(clients, batch, deadline, &cause).await)),
        Incoming::EventBridge(event) => {
            run_and_settle(clients, &event.detail, deadline, &cause).await.map(|s| Outgoing::Summary(Box::new(s)))
        }
        Incoming::Direct(request) => {
            run_and_settle(clients, &request, deadline, &cause).await.map(|s| Outgoing::Summary(Box::new(s)))
        }
    }
}

/// Reconciles one key without a deadline; a run with failed actions or writes is an error (so it
/// is retried), after its summary is logged and its metrics emitted.
pub async fn run_one(clients: &Clients, key: &Key) -> Result<Summary, Error> {
    run_one_waiting(clients, key, &Budget::unlimited(), "", false).await.map(|(summary, _)| summary)
}

/// [`run_one`] within `budget`, handing the work left to the queue (deduplicated by `cause`),
/// also returning the gated pods left waiting.
async fn run_one_waiting(
    clients: &Clients,
    key: &Key,
    budget: &Budget,
    cause: &str,
    allow_mass_delete: bool,
) -> Result<(Summary, WaitingPods), Error> {
    let (mut summary, waiting) =
        run_key_allowing(clients, key, Mode::Apply, Timestamp::now(), budget, allow_mass_delete).await?;
    let handed = hand_off(clients, &mut summary, cause).await;
    emit(&RunMetrics::from_summary(FUNCTION, &summary));
    handed?;
    tracing::info!(
        key = %key,
        applied = summary.actions_applied,
        failed = summary.actions_failed,
        deferred = summary.actions_deferred,
        handed_off = summary.handed_off.len(),
        written = summary.status_written.len(),
        pods_waiting = waiting.len(),
        "Reconciled"
    );
    if let Some(error) = summary.incomplete() {
        return Err(error);
    }
    let mut pods = WaitingPods::default();
    pods.add(&key.cluster, waiting);
    Ok((summary, pods))
}

/// Reconciles one key, then waits for the gated pods it left not ready; the summary lists the gate
/// conditions written meanwhile and the pods still waiting.
async fn run_and_settle(
    clients: &Clients,
    request: &Request,
    deadline: SystemTime,
    cause: &str,
) -> Result<Summary, Error> {
    let budget = deadline_budget(deadline, clients.config().deadline_margin);
    let (mut summary, waiting) =
        run_one_waiting(clients, &request.key, &budget, cause, request.allow_mass_delete).await?;
    let settled = settle(clients, waiting, deadline, cause).await;
    summary.pods_gated.extend(settled.written);
    summary.pods_waiting = settled.still_waiting;
    summary.dns_and_gates_failed.extend(settled.failed);
    Ok(summary)
}

/// Handles the records of a FIFO batch in order; from the first failure on, every record is
/// reported failed. A record whose key already succeeded in this batch is not run again. Then the
/// gated pods the runs left not ready are checked again ([`settle`], `cause` deduplicates what it
/// requeues).
pub async fn handle_batch(clients: &Clients, batch: SqsEvent, deadline: SystemTime, cause: &str) -> SqsBatchResponse {
    let margin = clients.config().deadline_margin;
    let mut done: BTreeSet<Key> = BTreeSet::new();
    let mut failures = Vec::new();
    let mut waiting = WaitingPods::default();
    for record in batch.records {
        let id = record.message_id.clone().unwrap_or_default();
        if !failures.is_empty() {
            failures.push(failure(id));
            continue;
        }
        if remaining(deadline) < margin {
            tracing::warn!(message = %id, "Leaving the rest of the batch for redelivery: the deadline is near");
            failures.push(failure(id));
            continue;
        }
        let body = record.body.as_deref().unwrap_or_default();
        let limit = lambda_support::queue::MAX_MESSAGE_BYTES;
        if body.len() > limit {
            lambda_support::metrics::emit_count(FUNCTION, "PayloadsRejected", 1);
        }
        let parsed = if body.len() > limit {
            Err(Error::MessageTooLarge { bytes: body.len(), limit })
        } else {
            serde_json::from_str::<Key>(body)
                .map_err(|source| Error::ParseEvent { expected: "a {cluster, kind, namespace, name} message", source })
        };
        let result = match parsed {
            Ok(key) if done.contains(&key) => Ok(()),
            Ok(key) => run_one_waiting(clients, &key, &deadline_budget(deadline, margin), cause, false).await.map(
                |(_, pods)| {
                    waiting.merge(pods);
                    done.insert(key);
                },
            ),
            Err(error) => Err(error),
        };
        if let Err(error) = result {
            tracing::error!(
                message = %id,
                error_type = %error.error_type(),
                error = %error.full_message(),
                "Reconcile request failed"
            );
            failures.push(failure(id));
        }
    }
    let settled = settle(clients, waiting, deadline, cause).await;
    for problem in &settled.failed {
        tracing::error!(%problem, "Readiness gate recheck failed; the sweep tries again");
    }
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failures;
    response
}

fn failure(id: String) -> BatchItemFailure {
    let mut failure = BatchItemFailure::default();
    failure.item_identifier = id;
    failure
}

fn remaining(deadline: SystemTime) -> Duration {
    deadline.duration_since(SystemTime::now()).unwrap_or_default()
}
