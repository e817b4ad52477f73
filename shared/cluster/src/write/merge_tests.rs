use gateway_api::gatewayclasses::GatewayClassStatusSupportedFeatures;
use gateway_api::gateways::{GatewayStatusAddresses, GatewayStatusListeners};
use k8s_openapi::jiff::Timestamp;
use model::conditions::{condition, reasons};
use model::status::ParentRef;
use serde_json::json;

use super::*;

const OTHER: &str = "example.com/other-controller";

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).expect("timestamp")
}

fn parent(name: &str) -> ParentRef {
    ParentRef {
        group: "gateway.networking.k8s.io".to_owned(),
        kind: "Gateway".to_owned(),
        namespace: None,
        name: name.to_owned(),
        section_name: None,
        port: None,
    }
}

fn ours(gateway: &str, accepted: bool, generation: i64, now: i64) -> RouteParentStatus {
    let reason = if accepted { reasons::ACCEPTED } else { reasons::NOT_ALLOWED_BY_LISTENERS };
    RouteParentStatus {
        parent_ref: parent(gateway),
        controller_name: CONTROLLER_NAME.to_owned(),
        conditions: vec![
            condition(types::ACCEPTED, accepted, reason, "m", generation, at(now)),
            condition(types::RESOLVED_REFS, true, reasons::RESOLVED_REFS, "r", generation, at(now)),
        ],
    }
}

fn foreign(gateway: &str) -> Value {
    json!({
        "parentRef": {"name": gateway},
        "controllerName": OTHER,
        "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted", "message": "theirs",
                        "lastTransitionTime": "2020-01-01T00:00:00Z", "observedGeneration": 99}],
        "extraField": "kept as it is"
    })
}

fn route(parents: Vec<Value>) -> Value {
    json!({"metadata": {"name": "rates", "resourceVersion": "7"}, "status": {"parents": parents}})
}

fn route_status(parents: Vec<RouteParentStatus>) -> ObjectStatus {
    ObjectStatus::Route(RouteStatus { parents })
}

fn changed(merged: Merged) -> Value {
    match merged {
        Merged::Changed(status) => status,
        other => panic!("expected a change, got {other:?}"),
    }
}

#[test]
fn route_keeps_other_controllers_entries_in_place_and_replaces_ours() {
    let fresh = route(vec![
        to_json(&ours("gw", false, 1, 100)).expect("json"),
        foreign("gw"),
        to_json(&ours("removed", true, 1, 100)).expect("json"),
    ]);
    let computed = route_status(vec![ours("gw", true, 2, 200), ours("added", true, 2, 200)]);
    let status = changed(merge_status(&fresh, &computed).expect("merge"));
    let parents = status["parents"].as_array().expect("parents");
    let names: Vec<(&str, &str)> = parents
        .iter()
        .map(|p| (p["parentRef"]["name"].as_str().unwrap_or(""), p["controllerName"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(names, [("gw", CONTROLLER_NAME), ("gw", OTHER), ("added", CONTROLLER_NAME)]);
    assert_eq!(parents[1], foreign("gw"), "the other controller's entry is untouched");
    let accepted = &parents[0]["conditions"][0];
    assert_eq!(accepted["status"], "True");
    assert_eq!(accepted["lastTransitionTime"], "1970-01-01T00:03:20Z", "status flipped: the time moves");
    let resolved = &parents[0]["conditions"][1];
    assert_eq!(resolved["lastTransitionTime"], "1970-01-01T00:01:40Z", "status kept: the time stays");
    assert_eq!(resolved["observedGeneration"], 2);
}

#[test]
fn route_status_that_differs_only_in_timestamps_is_unchanged() {
    let fresh = route(vec![foreign("gw"), to_json(&ours("gw", true, 2, 100)).expect("json")]);
    let computed = route_status(vec![ours("gw", true, 2, 500)]);
    assert_eq!(merge_status(&fresh, &computed), Ok(Merged::Unchanged));
}

#[test]
fn entries_the_core_copied_from_an_older_object_do_not_come_back() {
    // The core keeps the other controllers' entries it saw; the fresh object is what counts.
    let fresh = route(vec![to_json(&ours("gw", true, 2, 100)).expect("json")]);
    let mut copied = ours("gw", true, 2, 100);
    copied.controller_name = OTHER.to_owned();
    let computed = route_status(vec![copied, ours("gw", true, 2, 100)]);
    assert_eq!(merge_status(&fresh, &computed), Ok(Merged::Unchanged));
}

#[test]
fn a_route_without_status_gets_our_entries() {
    let fresh = json!({"metadata": {"name": "rates"}});
    let status = changed(merge_status(&fresh, &route_status(vec![ours("gw", true, 1, 100)])).expect("merge"));
    assert_eq!(status["parents"][0]["controllerName"], CONTROLLER_NAME);
    assert_eq!(
        status["parents"][0]["parentRef"],
        json!({"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw"})
    );
}

#[test]
fn status_from_a_newer_generation_is_not_overwritten() {
    let fresh = route(vec![to_json(&ours("gw", true, 3, 100)).expect("json")]);
    assert_eq!(merge_status(&fresh, &route_status(vec![ours("gw", false, 2, 200)])), Ok(Merged::Stale));
}

#[test]
fn an_unreadable_entry_of_ours_is_an_error_naming_it() {
    let bad = json!({"parentRef": {"name": "gw"}, "controllerName": CONTROLLER_NAME, "conditions": "nope"});
    let err = merge_status(&route(vec![foreign("gw"), bad]), &route_status(vec![])).expect_err("unreadable");
    assert!(err.contains("status.parents[1]") && err.contains("conditions"), "{err}");
}

fn listener(name: &str, accepted: bool, now: i64) -> GatewayStatusListeners {
    GatewayStatusListeners {
        attached_routes: 1,
        conditions: vec![condition(types::ACCEPTED, accepted, reasons::ACCEPTED, "", 1, at(now))],
        name: name.to_owned(),
        supported_kinds: None,
    }
}

#[test]
fn gateway_keeps_foreign_condition_types_and_merges_listeners_by_name() {
    let fresh = json!({"metadata": {"name": "gw"}, "status": {
        "conditions": [
            {"type": "Accepted", "status": "True", "reason": "Accepted", "message": "", "lastTransitionTime": "1970-01-01T00:01:40Z", "observedGeneration": 1},
            {"type": "example.com/Healthy", "status": "True", "reason": "Fine", "message": "", "lastTransitionTime": "2020-01-01T00:00:00Z"}
        ],
        "listeners": [
            {"name": "http", "attachedRoutes": 0, "conditions": [
                {"type": "Accepted", "status": "True", "reason": "Accepted", "message": "", "lastTransitionTime": "1970-01-01T00:01:40Z", "observedGeneration": 1},
                {"type": "example.com/Warm", "status": "True", "reason": "Warm", "message": "", "lastTransitionTime": "2020-01-01T00:00:00Z"}
            ]},
            {"name": "gone", "attachedRoutes": 0, "conditions": []}
        ],
        "attachedListenerSets": 2
    }});
    let computed = ObjectStatus::Gateway(GatewayStatus {
        conditions: Some(vec![condition(types::ACCEPTED, true, reasons::ACCEPTED, "", 1, at(900))]),
        listeners: Some(vec![listener("http", true, 900), listener("https", false, 900)]),
        addresses: Some(vec![GatewayStatusAddresses {
            r#type: Some("Hostname".to_owned()),
            value: "x.example".to_owned(),
        }]),
        attached_listener_sets: None,
    });
    let status = changed(merge_status(&fresh, &computed).expect("merge"));
    let types: Vec<&str> = status["conditions"].as_array().expect("conditions").iter().map(type_of).collect();
    assert_eq!(types, ["example.com/Healthy", "Accepted"]);
    assert_eq!(status["conditions"][1]["lastTransitionTime"], "1970-01-01T00:01:40Z");
    let listeners = status["listeners"].as_array().expect("listeners");
    let names: Vec<&str> = listeners.iter().map(|l| l["name"].as_str().unwrap_or("")).collect();
    assert_eq!(names, ["http", "https"], "listeners are ours: a removed one goes");
    let http: Vec<&str> = listeners[0]["conditions"].as_array().expect("conditions").iter().map(type_of).collect();
    assert_eq!(http, ["example.com/Warm", "Accepted"]);
    assert_eq!(listeners[0]["conditions"][1]["lastTransitionTime"], "1970-01-01T00:01:40Z");
    assert_eq!(listeners[0]["attachedRoutes"], 1);
    assert_eq!(status["addresses"], json!([{"type": "Hostname", "value": "x.example"}]));
    assert_eq!(status["attachedListenerSets"], 2, "fields we do not write are kept");

    let written = json!({"metadata": {"name": "gw"}, "status": status});
    assert_eq!(merge_status(&written, &computed), Ok(Merged::Unchanged), "a second run writes nothing");
}

#[test]
fn gateway_class_sets_supported_features() {
    let fresh = json!({"metadata": {"name": "lattice"}, "status": {"conditions": [
        {"type": "Accepted", "status": "Unknown", "reason": "Pending", "message": "Waiting for controller", "lastTransitionTime": "1970-01-01T00:00:00Z", "observedGeneration": 1}
    ]}});
    let computed = ObjectStatus::GatewayClass(GatewayClassStatus {
        conditions: Some(vec![condition(types::ACCEPTED, true, reasons::ACCEPTED, "", 1, at(300))]),
        supported_features: Some(vec![GatewayClassStatusSupportedFeatures { name: "HTTPRoute".to_owned() }]),
    });
    let status = changed(merge_status(&fresh, &computed).expect("merge"));
    assert_eq!(status["conditions"].as_array().map(Vec::len), Some(1));
    assert_eq!(status["conditions"][0]["status"], "True");
    assert_eq!(status["conditions"][0]["lastTransitionTime"], "1970-01-01T00:05:00Z");
    assert_eq!(status["supportedFeatures"], json!([{"name": "HTTPRoute"}]));
}

#[test]
fn comparison_ignores_timestamps_and_condition_order() {
    let a = json!({"conditions": [{"type": "B", "lastTransitionTime": "1"}, {"type": "A", "lastTransitionTime": "2"}]});
    let b = json!({"conditions": [{"type": "A", "lastTransitionTime": "3"}, {"type": "B"}]});
    assert_eq!(comparable(&a), comparable(&b));
    let c = json!({"conditions": [{"type": "A", "status": "True"}, {"type": "B"}]});
    assert_ne!(comparable(&a), comparable(&c));
}

#[test]
fn policy_and_service_network_status_replace_our_types_and_keep_others() {
    use model::status::{PolicyStatus, ServiceNetworkStatus};
    let old = condition(types::ACCEPTED, true, reasons::ACCEPTED, "applied", 1, at(10));
    let fresh = json!({"status": {"conditions": [
        serde_json::to_value(&old).expect("json"),
        {"type": "Programmed", "status": "Unknown", "reason": "Pending", "message": "", "lastTransitionTime": "1970-01-01T00:00:00Z"}
    ]}});
    let same =
        PolicyStatus { conditions: vec![condition(types::ACCEPTED, true, reasons::ACCEPTED, "applied", 1, at(99))] };
    assert_eq!(merge_status(&fresh, &ObjectStatus::Policy(same)), Ok(Merged::Unchanged));

    let invalid =
        PolicyStatus { conditions: vec![condition(types::ACCEPTED, false, "Invalid", "spec.policy: bad", 2, at(99))] };
    let Ok(Merged::Changed(status)) = merge_status(&fresh, &ObjectStatus::Policy(invalid)) else { panic!("changed") };
    let conditions = status["conditions"].as_array().expect("conditions");
    assert_eq!(conditions.len(), 2, "the pre-seeded Programmed condition is kept: {conditions:?}");
    let accepted = conditions.iter().find(|c| c["type"] == "Accepted").expect("Accepted");
    assert_eq!((accepted["status"].as_str(), accepted["reason"].as_str()), (Some("False"), Some("Invalid")));

    let network = ServiceNetworkStatus {
        service_network_arn: Some("arn:aws:vpc-lattice:us-west-2:123456789012:servicenetwork/sn-1".to_owned()),
        service_network_id: Some("sn-1".to_owned()),
        conditions: vec![condition(types::PROGRAMMED, true, reasons::PROGRAMMED, "", 1, at(5))],
    };
    let Ok(Merged::Changed(status)) = merge_status(&json!({}), &ObjectStatus::ServiceNetwork(network)) else {
        panic!("changed")
    };
    assert_eq!(status["serviceNetworkID"], "sn-1");
    assert!(status["serviceNetworkARN"].as_str().is_some_and(|a| a.ends_with("/sn-1")));

    let newer = json!({"status": {"conditions": [serde_json::to_value(condition(types::ACCEPTED, true, reasons::ACCEPTED, "", 7, at(1))).expect("json")]}});
    let ours = PolicyStatus { conditions: vec![condition(types::ACCEPTED, true, reasons::ACCEPTED, "", 6, at(2))] };
    assert_eq!(merge_status(&newer, &ObjectStatus::Policy(ours)), Ok(Merged::Stale));
}
