//! Size limits on what the functions read: CloudWatch Logs deliveries (encoded size, inflated
//! size: gzip bombs) and SQS message bodies. An oversized payload is refused with a log line and a
//! metric; it never crashes the function or stops the valid records beside it.

mod world;

use std::io::Write as _;
use std::path::PathBuf;

use audit::payload::{MAX_DECODED_BYTES, MAX_ENCODED_BYTES, PayloadError, RawAwsLogs, RawLogsEvent};
use aws_lambda_events::event::cloudwatch_logs::LogsEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use base64::Engine as _;
use lambda_runtime::LambdaEvent;
use serde_json::{Value, json};
use world::{Access, context, world};

fn sample(name: &str) -> String {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/events")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn gzip_base64(bytes: &[u8]) -> String {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("gzip");
    base64::engine::general_purpose::STANDARD.encode(encoder.finish().expect("gzip"))
}

fn raw(data: String) -> RawLogsEvent {
    RawLogsEvent { awslogs: RawAwsLogs { data } }
}

#[tokio::test(flavor = "multi_thread")]
async fn reliability_security_oversized_and_bomb_payloads_are_refused() {
    // A genuine delivery decodes exactly as aws_lambda_events decodes it.
    let text = sample("audit-httproute-patch.json");
    let genuine: RawLogsEvent = serde_json::from_str(&text).expect("raw shape");
    let reference: LogsEvent = serde_json::from_str(&text).expect("LogsEvent");
    assert_eq!(genuine.decode().expect("decodes"), reference.aws_logs.data);

    // A gzip bomb: 64 MiB of one byte, about 64 KiB on the wire.
    let bomb_size = 64 * 1024 * 1024;
    let bomb = raw(gzip_base64(&vec![b'{'; bomb_size]));
    assert!(bomb.awslogs.data.len() < MAX_ENCODED_BYTES / 4, "{}", bomb.awslogs.data.len());
    assert_eq!(bomb.decode(), Err(PayloadError::DecodedTooLarge));
    // Just over the inflated bound, and just under it (then it must be valid JSON).
    assert_eq!(raw(gzip_base64(&vec![b' '; MAX_DECODED_BYTES + 1])).decode(), Err(PayloadError::DecodedTooLarge));
    let mut padded = serde_json::to_vec(&reference.aws_logs.data).expect("JSON");
    padded.resize(MAX_DECODED_BYTES, b' ');
    assert!(raw(gzip_base64(&padded)).decode().is_ok(), "exactly at the bound is accepted");
    // Encoded too large, not base64, not gzip.
    let huge = raw("A".repeat(MAX_ENCODED_BYTES + 4));
    assert!(matches!(huge.decode(), Err(PayloadError::EncodedTooLarge { .. })));
    assert!(matches!(raw("%%%".into()).decode(), Err(PayloadError::Malformed { .. })));
    assert!(matches!(
        raw(base64::engine::general_purpose::STANDARD.encode("plain")).decode(),
        Err(PayloadError::Malformed { .. })
    ));

    // Through the handler: refused, answered, nothing queued (the world has no queue: a send would fail).
    let w = world("payloads", Access::Kubeconfig, &[]).await;
    for event in [bomb, huge] {
        let summary = audit::handle_raw(&w.clients, LambdaEvent::new(event, context())).await.expect("answered");
        assert!(summary.rejected.is_some() && summary.queued.is_empty(), "{summary:?}");
    }

    // SQS: a body over the bound fails its record (and, FIFO, the later ones), not the batch.
    let mut batch: Value = serde_json::from_str(&sample("sqs-batch.json")).expect("JSON");
    let records = batch["Records"].as_array_mut().expect("records");
    let mut oversized = records[0].clone();
    oversized["messageId"] = json!("oversized-1");
    let mut body: Value = serde_json::from_str(oversized["body"].as_str().expect("body")).expect("key");
    body["name"] = json!("x".repeat(lambda_support::queue::MAX_MESSAGE_BYTES));
    oversized["body"] = json!(body.to_string());
    records.push(oversized);
    let count = records.len();
    let event: SqsEvent = serde_json::from_value(batch).expect("SQS event");
    let response = reconcile::handle_batch(&w.clients, event, far_deadline(), "test").await;
    let failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(failed, ["oversized-1"], "only the oversized record fails");
    reliability::record(
        "security-payload-limits",
        &format!(
            "gzip bomb ({} MiB inflated from {} KiB) and a {} KiB delivery refused; {}-record SQS batch: only the \
             oversized body failed",
            bomb_size / 1024 / 1024,
            gzip_base64(&vec![b'{'; bomb_size]).len() / 1024,
            (MAX_ENCODED_BYTES + 4) / 1024,
            count
        ),
    );
}

fn far_deadline() -> std::time::SystemTime {
    std::time::SystemTime::now() + std::time::Duration::from_secs(300)
}
