//! The `audit` function: the EKS audit log, delivered by a CloudWatch Logs subscription, turned
//! into reconcile requests on the SQS FIFO queue.
//!
//! CloudWatch runs [`FILTER_PATTERN`] first, so only successful writes by others to the kinds we
//! read reach the function; [`Filter`] applies the same predicate again (the pattern can be edited
//! in the console), maps each event to a [`Key`](lambda_support::Key) ([`affected`]), removes
//! duplicates within the delivery, and sends one message per key with `SendMessageBatch`:
//! `MessageGroupId` is the key (one object's requests are processed in order),
//! `MessageDeduplicationId` a hash of the key and the audit ID (a redelivered log batch collapses,
//! a new change does not). Control messages are answered with no work.
//!
//! Deliveries are decoded with bounds ([`payload`]): one whose encoded size or inflated size is
//! over the limit is refused with an error log line and the `PayloadsRejected` metric, and is
//! answered with no work (the periodic sweep covers what it might have carried).
//!
//! A failed send is an error: CloudWatch Logs and Lambda's asynchronous retries deliver the batch
//! again, and the deduplication ids keep what was already sent from being queued twice.

mod event;
mod keys;
#[cfg(test)]
mod pattern;
pub mod payload;
#[cfg(test)]
mod tests;

use aws_lambda_events::event::cloudwatch_logs::{LogData, LogsEvent};
use lambda_runtime::LambdaEvent;
use lambda_support::{Clients, Error, Message, queue};
use serde::Serialize;

pub use event::{AuditEvent, ObjectReference, ResponseStatus, UserInfo};
pub use keys::{Affected, FILTER_PATTERN, Filter, MAX_LINE_BYTES, affected, affected_keys, cluster_of};

/// What one delivery did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditSummary {
    /// Log events in the delivery.
    pub log_events: usize,
    /// Distinct keys sent to the queue.
    pub queued: Vec<String>,
    /// Keys of clusters not in `CLUSTER_NAMES`, dropped.
    pub ignored: Vec<String>,
    /// Why the delivery was refused unread (over a size bound, malformed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected: Option<String>,
}

/// The function's name in metrics.
pub const FUNCTION: &str = "audit";

/// Handles one subscription delivery as it arrives, decoding it within the bounds of [`payload`];
/// a refused delivery is logged, counted (`PayloadsRejected`) and answered with no work.
pub async fn handle_raw(clients: &Clients, event: LambdaEvent<payload::RawLogsEvent>) -> Result<AuditSummary, Error> {
    match event.payload.decode() {
        Ok(data) => handle_data(clients, &data).await,
        Err(error) => {
            tracing::error!(%error, encoded_bytes = event.payload.awslogs.data.len(), "Refused a log delivery");
            lambda_support::metrics::emit_count(FUNCTION, "PayloadsRejected", 1);
            Ok(AuditSummary { rejected: Some(error.to_string()), ..AuditSummary::default() })
        }
    }
}

/// Handles one subscription delivery.
pub async fn handle(clients: &Clients, event: LambdaEvent<LogsEvent>) -> Result<AuditSummary, Error> {
    handle_data(clients, &event.payload.aws_logs.data).await
}

/// Handles decoded log data.
async fn handle_data(clients: &Clients, data: &LogData) -> Result<AuditSummary, Error> {
    let mut summary = AuditSummary { log_events: data.log_events.len(), ..AuditSummary::default() };
    if data.message_type == "CONTROL_MESSAGE" {
        tracing::info!("Answered a control message");
        return Ok(summary);
    }
    let filter = Filter { reconciler_username: clients.config().reconciler_username.clone() };
    let mut messages = Vec::new();
    for affected in affected(data, &filter) {
        if clients.knows(&affected.key.cluster) {
            summary.queued.push(affected.key.to_string());
            messages.push(Message::new(affected.key, &affected.audit_id));
        } else {
            tracing::warn!(key = %affected.key, "Ignoring a change in a cluster not in CLUSTER_NAMES");
            summary.ignored.push(affected.key.to_string());
        }
    }
    if !messages.is_empty() {
        let url = clients.config().queue_url.as_deref().ok_or(Error::NoQueue { purpose: "audit changes" })?;
        queue::send(clients.sqs(), url, &messages).await?;
    }
    tracing::info!(log_events = summary.log_events, queued = summary.queued.len(), "Queued reconcile requests");
    Ok(summary)
}
