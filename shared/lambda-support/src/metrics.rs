//! Metrics as CloudWatch Embedded Metric Format: one JSON document per run, printed on stdout,
//! which Lambda's log pipeline turns into metrics without an API call.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::run::Summary;

/// The CloudWatch namespace of every metric.
pub const NAMESPACE: &str = "LatticeGatewayController";

/// The numbers one run reports, with its dimensions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunMetrics {
    /// Dimension `Function`: `sweep`, `reconcile` or `audit`.
    pub function: String,
    /// Dimension `Cluster`.
    pub cluster: String,
    /// VPC Lattice and tagging API calls, by operation.
    pub calls: BTreeMap<String, u64>,
    /// Lattice actions that succeeded.
    pub actions_applied: u64,
    /// Lattice actions that failed.
    pub actions_failed: u64,
    /// Lattice actions not started because the deadline was near.
    pub actions_deferred: u64,
    /// Keys handed to the queue for the work left at the deadline.
    pub handed_off: u64,
    /// Status writes.
    pub status_writes: u64,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// Destructive Lattice calls the garbage-collection safety valve refused (a mass deletion).
    pub deletions_refused: u64,
}

impl RunMetrics {
    /// The metrics of a reconcile run by `function`.
    pub fn from_summary(function: &str, summary: &Summary) -> Self {
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        Self {
            function: function.to_owned(),
            cluster: summary.cluster.clone(),
            calls: summary.calls.clone(),
            actions_applied: count(summary.actions_applied),
            actions_failed: count(summary.actions_failed),
            actions_deferred: count(summary.actions_deferred),
            handed_off: count(summary.handed_off.len()),
            status_writes: count(summary.status_written.len()),
            duration_ms: summary.duration_ms,
            deletions_refused: count(summary.deletions_refused),
        }
    }
}

/// The EMF document for `metrics` at `timestamp_ms` (milliseconds since the epoch): metrics
/// `ApiCalls`, `ApiCalls.<Operation>` for each operation called, `ActionsApplied`,
/// `ActionsFailed`, `StatusWrites` (counts) and `DurationMs` (milliseconds), with dimensions
/// `Function` and `Cluster`; `DeletionsRefused` (count) too when the safety valve refused a mass
/// deletion.
pub fn emf_document(metrics: &RunMetrics, timestamp_ms: i64) -> Value {
    let mut values: Vec<(String, &str, u64)> = vec![("ApiCalls".to_owned(), "Count", metrics.calls.values().sum())];
    values.extend(metrics.calls.iter().map(|(op, n)| (format!("ApiCalls.{op}"), "Count", *n)));
    values.push(("ActionsApplied".to_owned(), "Count", metrics.actions_applied));
    values.push(("ActionsFailed".to_owned(), "Count", metrics.actions_failed));
    values.push(("ActionsDeferred".to_owned(), "Count", metrics.actions_deferred));
    values.push(("HandedOff".to_owned(), "Count", metrics.handed_off));
    values.push(("StatusWrites".to_owned(), "Count", metrics.status_writes));
    values.push(("DurationMs".to_owned(), "Milliseconds", metrics.duration_ms));
    if metrics.deletions_refused > 0 {
        values.push(("DeletionsRefused".to_owned(), "Count", metrics.deletions_refused));
    }
    let definitions: Vec<Value> = values.iter().map(|(name, unit, _)| json!({"Name": name, "Unit": unit})).collect();
    let mut document = Map::new();
    document.insert(
        "_aws".to_owned(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Function", "Cluster"]],
                "Metrics": definitions,
            }],
        }),
    );
    document.insert("Function".to_owned(), Value::from(metrics.function.clone()));
    document.insert("Cluster".to_owned(), Value::from(metrics.cluster.clone()));
    for (name, _, value) in values {
        document.insert(name, Value::from(value));
    }
    Value::Object(document)
}

/// The EMF document of one count `metric` of `function` (dimension `Function`), e.g. payloads a
/// function refused.
pub fn count_document(function: &str, metric: &str, value: u64, timestamp_ms: i64) -> Value {
    json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Function"]],
                "Metrics": [{"Name": metric, "Unit": "Count"}],
            }],
        },
        "Function": function,
        metric: value,
    })
}

/// Prints [`count_document`], stamped with the current time, as one line on stdout.
pub fn emit_count(function: &str, metric: &str, value: u64) {
    println!("{}", count_document(function, metric, value, now_ms()));
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Prints the EMF document of `metrics`, stamped with the current time, as one line on stdout.
pub fn emit(metrics: &RunMetrics) {
    println!("{}", emf_document(metrics, now_ms()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_declares_every_metric_it_carries() {
        let metrics = RunMetrics {
            function: "reconcile".into(),
            cluster: "demo".into(),
            calls: [("CreateService".to_owned(), 2), ("ListServices".to_owned(), 3)].into(),
            actions_applied: 2,
            actions_failed: 1,
            actions_deferred: 3,
            handed_off: 2,
            status_writes: 4,
            duration_ms: 1250,
            deletions_refused: 0,
        };
        let doc = emf_document(&metrics, 1_705_320_000_141);
        let expected = json!({
            "_aws": {
                "Timestamp": 1_705_320_000_141_i64,
                "CloudWatchMetrics": [{
                    "Namespace": "LatticeGatewayController",
                    "Dimensions": [["Function", "Cluster"]],
                    "Metrics": [
                        {"Name": "ApiCalls", "Unit": "Count"},
                        {"Name": "ApiCalls.CreateService", "Unit": "Count"},
                        {"Name": "ApiCalls.ListServices", "Unit": "Count"},
                        {"Name": "ActionsApplied", "Unit": "Count"},
                        {"Name": "ActionsFailed", "Unit": "Count"},
                        {"Name": "ActionsDeferred", "Unit": "Count"},
                        {"Name": "HandedOff", "Unit": "Count"},
                        {"Name": "StatusWrites", "Unit": "Count"},
                        {"Name": "DurationMs", "Unit": "Milliseconds"}
                    ]
                }]
            },
            "Function": "reconcile",
            "Cluster": "demo",
            "ApiCalls": 5,
            "ApiCalls.CreateService": 2,
            "ApiCalls.ListServices": 3,
            "ActionsApplied": 2,
            "ActionsFailed": 1,
            "ActionsDeferred": 3,
            "HandedOff": 2,
            "StatusWrites": 4,
            "DurationMs": 1250
        });
        assert_eq!(doc, expected);
        // Every declared metric has a value and every dimension a member.
        for definition in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"].as_array().expect("metrics") {
            let name = definition["Name"].as_str().expect("name");
            assert!(doc[name].is_u64(), "{name}");
        }
    }

    #[test]
    fn a_refused_mass_deletion_is_a_metric() {
        let metrics = RunMetrics { function: "sweep".into(), deletions_refused: 7, ..RunMetrics::default() };
        let doc = emf_document(&metrics, 0);
        assert_eq!(doc["DeletionsRefused"], 7);
        let names = doc["_aws"]["CloudWatchMetrics"][0]["Metrics"].to_string();
        assert!(names.contains("DeletionsRefused"), "{names}");
        let quiet = emf_document(&RunMetrics::default(), 0);
        assert!(quiet.get("DeletionsRefused").is_none());
    }

    #[test]
    fn a_count_document_declares_its_metric() {
        let doc = count_document("audit", "PayloadsRejected", 1, 5);
        assert_eq!(doc["PayloadsRejected"], 1);
        assert_eq!(doc["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"], "PayloadsRejected");
        assert_eq!(doc["Function"], "audit");
    }
}
