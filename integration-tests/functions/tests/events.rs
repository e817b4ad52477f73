//! Every sample event round-trips through its `aws_lambda_events` type.

use std::path::PathBuf;

use aws_lambda_events::event::cloudwatch_logs::LogsEvent;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::lambda_function_urls::LambdaFunctionUrlRequest;
use aws_lambda_events::event::sqs::SqsEvent;
use base64::Engine as _;
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
fn the_webhook_adds_the_gate_to_the_pod_of_its_function_url_request() {
    let request: LambdaFunctionUrlRequest = round_trip("webhook-pod-create.json");
    assert_eq!(request.request_context.http.method.as_deref(), Some("POST"));
    let response = webhook::handle(&request);
    assert_eq!(response.status_code, 200, "{:?}", response.body);
    let review: serde_json::Value = serde_json::from_str(response.body.as_deref().expect("body")).expect("JSON");
    assert_eq!(review["response"]["uid"], "0df28fbd-5f5f-11e8-a8b3-0242ac110002");
    assert_eq!(review["response"]["allowed"], true);
    let patch = base64::engine::general_purpose::STANDARD
        .decode(review["response"]["patch"].as_str().expect("patch"))
        .expect("base64");
    let patch: serde_json::Value = serde_json::from_slice(&patch).expect("JSON patch");
    assert_eq!(
        patch,
        serde_json::json!([{"op": "add", "path": "/spec/readinessGates",
            "value": [{"conditionType": "application-networking.k8s.aws/pod-readiness-gate"}]}])
    );
    // The response is what a function URL returns: it serializes as such.
    let text = serde_json::to_string(&response).expect("serialize");
    assert!(text.contains("\"statusCode\":200"), "{text}");
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
