//! Every sample event round-trips through its `aws_lambda_events` type.

use std::path::PathBuf;

use aws_lambda_events::event::cloudwatch_logs::LogsEvent;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use lambda_support::Key;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn read(name: &str) -> String {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/events")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Deserialize, serialize, deserialize, compare (from strings: `LogsEvent` cannot go through a `Value`).
fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(name: &str) -> T {
    round_trip_with(name, |text| text)
}

fn round_trip_with<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(
    name: &str,
    fix: impl Fn(String) -> String,
) -> T {
    let first: T = serde_json::from_str(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let text = fix(serde_json::to_string(&first).expect("serialize"));
    let second: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} again: {e}"));
    assert_eq!(first, second, "{name}");
    first
}

#[test]
fn sqs_events_round_trip_and_carry_keys() {
    for name in ["sqs-route.json", "sqs-batch.json"] {
        let event: SqsEvent = round_trip(name);
        for record in event.records {
            let key: Key = serde_json::from_str(record.body.as_deref().expect("body")).expect("key body");
            assert_eq!(record.attributes.get("MessageGroupId"), Some(&key.group_id()), "{name}");
        }
    }
}

#[test]
fn eventbridge_events_round_trip() {
    let event: EventBridgeEvent<Key> = round_trip("eventbridge-route.json");
    assert_eq!(event.detail.kind, "HTTPRoute");
    let schedule: EventBridgeEvent<serde_json::Value> = round_trip("schedule.json");
    assert_eq!(schedule.detail_type, "Scheduled Event");
}

#[test]
fn direct_invokes_round_trip() {
    let key: Key = round_trip("direct-route.json");
    assert!(key.is_route());
}

/// aws_lambda_events 1.2.1 writes `awslogs.data` as unpadded base64 but reads only padded base64
/// (what CloudWatch Logs sends), so the serialized form is padded before it is read back.
fn pad_awslogs(text: String) -> String {
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let data = value["awslogs"]["data"].as_str().expect("data").to_owned();
    let padding = (4 - data.len() % 4) % 4;
    value["awslogs"]["data"] = serde_json::Value::from(format!("{data}{}", "=".repeat(padding)));
    value.to_string()
}

#[test]
fn audit_deliveries_round_trip() {
    let data: LogsEvent = round_trip_with("audit-httproute-patch.json", pad_awslogs);
    assert_eq!(data.aws_logs.data.message_type, "DATA_MESSAGE");
    assert_eq!(data.aws_logs.data.log_events.len(), 2);
    let control: LogsEvent = round_trip_with("audit-control.json", pad_awslogs);
    assert_eq!(control.aws_logs.data.message_type, "CONTROL_MESSAGE");
}

#[test]
fn the_manifest_loader_skips_the_sample_events() {
    let loaded = manifests::load_paths(&[PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"))])
        .expect("examples");
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let hotel = manifests::load_paths(&[PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/hotel"))])
        .expect("hotel");
    assert_eq!(loaded.snapshot.http_routes.len(), hotel.snapshot.http_routes.len());
}
