//! Reconcile requests on the SQS FIFO queue: one message per key, grouped by key, deduplicated
//! by what caused it.

use std::fmt::Write as _;

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;

use crate::error::{BoxError, Error};
use crate::key::Key;

/// Largest message body the reconcile function reads: a key is at most a cluster name (100
/// characters), a kind, and a namespace and a name (253 each) in JSON; 16 KiB leaves ample room.
/// Larger bodies (SQS allows up to 1 MiB) are refused unread.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;

/// Most entries SQS accepts in one `SendMessageBatch`.
pub const MAX_BATCH: usize = 10;

/// One message to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// What to reconcile; the body and the message group.
    pub key: Key,
    /// `MessageDeduplicationId`: equal ids within SQS's five-minute window are delivered once.
    pub deduplication_id: String,
}

impl Message {
    /// A message for `key` caused by `cause` (an audit ID, an invocation's request id): the
    /// same cause delivered twice collapses, a different cause does not.
    pub fn new(key: Key, cause: &str) -> Self {
        let deduplication_id = deduplication_id(&key, cause);
        Self { key, deduplication_id }
    }
}

/// The hex SHA-256 of the key and the cause (64 characters; SQS allows 128).
pub fn deduplication_id(key: &Key, cause: &str) -> String {
    let input = format!("{key}\n{cause}");
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, input.as_bytes());
    digest.as_ref().iter().fold(String::with_capacity(64), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// Sends `messages` to the FIFO queue at `queue_url`, [`MAX_BATCH`] per call, in order. Every
/// batch is attempted; entries that fail (the call, or SQS per entry) are reported together.
pub async fn send(sqs: &aws_sdk_sqs::Client, queue_url: &str, messages: &[Message]) -> Result<usize, Error> {
    let mut sent = 0;
    let mut failed: Vec<String> = Vec::new();
    for batch in messages.chunks(MAX_BATCH) {
        let mut entries = Vec::with_capacity(batch.len());
        for (i, message) in batch.iter().enumerate() {
            let body = serde_json::to_string(&message.key).unwrap_or_default();
            let entry = SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(body)
                .message_group_id(message.key.group_id())
                .message_deduplication_id(&message.deduplication_id)
                .build()
                .map_err(|e| send_error(queue_url, batch.len(), Box::new(e)))?;
            entries.push(entry);
        }
        match sqs.send_message_batch().queue_url(queue_url).set_entries(Some(entries)).send().await {
            Ok(output) => {
                sent += output.successful().len();
                for entry in output.failed() {
                    let key = entry.id().parse::<usize>().ok().and_then(|i| batch.get(i));
                    let key = key.map_or_else(|| entry.id().to_owned(), |m| m.key.to_string());
                    tracing::warn!(%key, code = entry.code(), "Queue rejected a message");
                    failed.push(format!("{key}: {} {}", entry.code(), entry.message().unwrap_or_default()));
                }
            }
            Err(error) => {
                let error = aws_sdk_sqs::error::DisplayErrorContext(error);
                tracing::warn!(%error, messages = batch.len(), "Sending messages failed");
                failed.extend(batch.iter().map(|m| format!("{}: {error}", m.key)));
            }
        }
    }
    if failed.is_empty() { Ok(sent) } else { Err(send_error(queue_url, failed.len(), failed.join("; ").into())) }
}

fn send_error(queue: &str, count: usize, source: BoxError) -> Error {
    Error::SendMessages { queue: queue.to_owned(), count, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deduplication_ids_differ_by_key_and_by_cause() {
        let a = Key::cluster("a");
        let id = deduplication_id(&a, "audit-1");
        assert_eq!(id.len(), 64);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(id, deduplication_id(&a, "audit-1"));
        assert_ne!(id, deduplication_id(&a, "audit-2"));
        assert_ne!(id, deduplication_id(&Key::cluster("b"), "audit-1"));
    }
}
