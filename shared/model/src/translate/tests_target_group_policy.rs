//! TargetGroupPolicy: protocol, protocol version and health check of a Service's target groups,
//! and the policy's status for every reason.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use serde_json::json;

use super::tests_translation::{gateway, on_hotel, svc};
use crate::names::TAG_TARGET_GROUP_POLICY;
use crate::observed::{ObservedState, ObservedTargetGroup};
use crate::status::ObjectStatus;
use crate::testing::*;

#[track_caller]
pub(super) fn policy_condition<'a>(t: &'a crate::translate::Translation, kind: &str, name: &str) -> &'a Condition {
    match t.entry(kind, "default", name).map(|e| &e.status) {
        Some(ObjectStatus::Policy(p)) => {
            assert_eq!(p.conditions.len(), 1, "one Accepted condition: {:?}", p.conditions);
            &p.conditions[0]
        }
        _ => panic!("no status for {kind} default/{name}"),
    }
}

fn hotel() -> World {
    world()
        .with(gateway())
        .with(svc("parking"))
        .with(on_hotel("rates").rule(rule().prefix("/parking").backend(backend("parking", 80))))
}

#[test]
fn protocol_version_and_health_check_shape_the_target_group() {
    let plain = run(&hotel().build());
    let before = plain.target_group("rates", "parking").clone();
    assert_eq!(before.config.health_check, None, "without a policy Lattice's defaults stay");
    let check = json!({"intervalSeconds": 10, "path": "/healthz", "statusMatch": "200-299", "port": 8081});
    let snap = hotel()
        .with(mk_tgp("default", "tls-upstream", "parking").spec("protocol", json!("HTTPS")).spec("healthCheck", check))
        .build();
    let t = run(&snap);
    let tg = t.target_group("rates", "parking");
    assert_eq!(tg.config.protocol, "HTTPS");
    assert_eq!(tg.config.protocol_version.as_deref(), Some("HTTP1"));
    assert_ne!(tg.name, before.name, "a protocol change is a new target group");
    assert_eq!(
        tg.config.health_check,
        Some(json!({
            "enabled": true, "protocol": "HTTPS", "protocolVersion": "HTTP1", "path": "/healthz", "port": 8081,
            "healthCheckIntervalSeconds": 10, "healthCheckTimeoutSeconds": 5, "healthyThresholdCount": 5,
            "unhealthyThresholdCount": 2, "matcher": {"httpCode": "200-299"},
        }))
    );
    assert_eq!(tg.tags.get(TAG_TARGET_GROUP_POLICY).map(String::as_str), Some("default/tls-upstream"));
    let c = policy_condition(&t, "TargetGroupPolicy", "tls-upstream");
    assert_eq!((c.status.as_str(), c.reason.as_str()), ("True", "Accepted"));
    assert!(c.message.contains("Service default/parking") && c.message.contains("protocol HTTPS"), "{}", c.message);
    assert_eq!(c.observed_generation, Some(GENERATION));

    // A health check alone keeps the target group and changes in place.
    let snap = hotel().with(mk_tgp("default", "hc", "parking").spec("healthCheck", json!({"enabled": false}))).build();
    let tg = run(&snap).target_group("rates", "parking").clone();
    assert_eq!(tg.name, before.name);
    assert_eq!(tg.config.health_check, Some(json!({"enabled": false})));
}

#[test]
fn defaults_follow_the_protocol_version_and_route_kinds_override() {
    let default = |version: &str| {
        let snap = hotel().with(mk_tgp("default", "p", "parking").spec("protocolVersion", json!(version))).build();
        run(&snap).target_group("rates", "parking").config.health_check.clone()
    };
    let http1 = default("HTTP1").expect("set");
    assert_eq!(http1["enabled"], true);
    assert_eq!((http1["path"].clone(), http1["matcher"]["httpCode"].clone()), (json!("/"), json!("200")));
    assert_eq!(
        (http1["healthCheckIntervalSeconds"].clone(), http1["healthCheckTimeoutSeconds"].clone()),
        (json!(30), json!(5))
    );
    assert_eq!(
        (http1["healthyThresholdCount"].clone(), http1["unhealthyThresholdCount"].clone()),
        (json!(5), json!(2))
    );
    assert_eq!(default("HTTP2"), Some(json!({"enabled": false})));

    // GRPCRoute backends keep GRPC; the policy's HTTPS applies.
    let snap = world()
        .with(mk_gateway("default", "grpc-gw").listener(listener("https", "HTTPS", 443)))
        .with(mk_service("default", "greeter").port("grpc", 50051, 50051))
        .with(
            mk_grpc_route("default", "greeter")
                .parent(parent("grpc-gw"))
                .rule(rule().backend(backend("greeter", 50051))),
        )
        .with(
            mk_tgp("default", "p", "greeter").spec("protocol", json!("HTTPS")).spec("protocolVersion", json!("HTTP2")),
        )
        .build();
    let t = run(&snap);
    let tg = t.target_group("greeter", "greeter");
    assert_eq!((tg.config.protocol.as_str(), tg.config.protocol_version.as_deref()), ("HTTPS", Some("GRPC")));
    assert_eq!(tg.config.health_check, Some(json!({"enabled": false})), "GRPC checks are off by default");
    let message = &policy_condition(&t, "TargetGroupPolicy", "p").message;
    assert!(message.contains("GRPCRoute backends always use protocolVersion GRPC"), "{message}");

    // TLSRoute backends stay TCP; an enabled check is an HTTP one.
    let snap = world()
        .with(mk_gateway("default", "tls-gw").listener(listener("tls", "TLS", 443).mode("Passthrough")))
        .with(mk_service("default", "secure").port("", 443, 8443))
        .with(
            mk_tls_route("default", "secure")
                .parent(parent("tls-gw"))
                .hostname("s.example.com")
                .rule(rule().backend(backend("secure", 443))),
        )
        .with(
            mk_tgp("default", "p", "secure")
                .spec("protocol", json!("HTTP"))
                .spec("healthCheck", json!({"enabled": true})),
        )
        .build();
    let tg = run(&snap).target_group("secure", "secure").clone();
    assert_eq!((tg.config.protocol.as_str(), tg.config.protocol_version.as_deref()), ("TCP", None));
    let check = tg.config.health_check.expect("set");
    assert_eq!((check["enabled"].clone(), check["protocol"].clone()), (json!(true), json!("HTTP")));
}

#[test]
fn invalid_specs_name_every_bad_field_and_change_nothing() {
    let bad = mk_tgp("default", "bad", "parking")
        .spec("protocol", json!("TCP"))
        .spec("protocolVersion", json!("HTTP2"))
        .spec(
            "healthCheck",
            json!({"intervalSeconds": 3, "timeoutSeconds": 121, "healthyThresholdCount": 1, "statusMatch": "ok",
                   "path": "healthz", "protocol": "TCP"}),
        );
    let t = run(&hotel().with(bad).build());
    let c = policy_condition(&t, "TargetGroupPolicy", "bad");
    assert_eq!((c.status.as_str(), c.reason.as_str()), ("False", "Invalid"));
    for field in [
        "spec.protocolVersion: must be empty when spec.protocol is TCP",
        "spec.healthCheck.intervalSeconds: 3 is outside 5 to 300",
        "spec.healthCheck.timeoutSeconds: 121",
        "spec.healthCheck.healthyThresholdCount: 1",
        "spec.healthCheck.statusMatch",
        "spec.healthCheck.path",
        "spec.healthCheck.protocol: TCP is not one of HTTP, HTTPS",
    ] {
        assert!(c.message.contains(field), "{field} in {}", c.message);
    }
    let tg = t.target_group("rates", "parking");
    assert_eq!((tg.config.protocol.as_str(), tg.config.health_check.as_ref()), ("HTTP", None));
    assert!(!tg.tags.contains_key(TAG_TARGET_GROUP_POLICY));

    let t = run(&hotel().with(mk_tgp("default", "elsewhere", "parking").target_ns("other")).build());
    let c = policy_condition(&t, "TargetGroupPolicy", "elsewhere");
    assert_eq!(c.reason, "Invalid");
    assert!(c.message.starts_with("spec.targetRef.namespace: other"), "{}", c.message);

    let t = run(&hotel()
        .with(mk_tgp("default", "route", "x").target("gateway.networking.k8s.io", "HTTPRoute", "rates"))
        .build());
    assert_eq!(policy_condition(&t, "TargetGroupPolicy", "route").reason, "Invalid");
}

#[test]
fn a_missing_service_is_target_not_found_and_the_oldest_policy_wins() {
    let t = run(&hotel().with(mk_tgp("default", "lost", "nowhere")).build());
    let c = policy_condition(&t, "TargetGroupPolicy", "lost");
    assert_eq!((c.status.as_str(), c.reason.as_str()), ("False", "TargetNotFound"));
    assert!(c.message.contains("Service default/nowhere not found"), "{}", c.message);

    let snap = hotel()
        .with(mk_tgp("default", "b-newer", "parking").spec("protocol", json!("HTTPS")).created("2024-02-01T00:00:00Z"))
        .with(
            mk_tgp("default", "z-older", "parking")
                .spec("protocolVersion", json!("HTTP2"))
                .created("2024-01-01T00:00:00Z"),
        )
        .with(mk_tgp("default", "a-newer", "parking").created("2024-02-01T00:00:00Z"))
        .build();
    let t = run(&snap);
    assert_eq!(policy_condition(&t, "TargetGroupPolicy", "z-older").reason, "Accepted");
    for loser in ["a-newer", "b-newer"] {
        let c = policy_condition(&t, "TargetGroupPolicy", loser);
        assert_eq!(c.reason, "Conflicted");
        assert!(c.message.contains("TargetGroupPolicy z-older"), "{}", c.message);
    }
    let tg = t.target_group("rates", "parking");
    assert_eq!((tg.config.protocol.as_str(), tg.config.protocol_version.as_deref()), ("HTTP", Some("HTTP2")));
}

#[test]
fn a_removed_policy_gives_the_default_health_check_back_once() {
    let with = hotel().with(mk_tgp("default", "hc", "parking").spec("healthCheck", json!({"path": "/ready"}))).build();
    let shaped = run(&with).target_group("rates", "parking").clone();
    let seen = |tags: crate::names::Tags| ObservedState {
        target_groups: vec![ObservedTargetGroup {
            id: "tg-0aaaaaaaaaaaaaaaa".into(),
            arn: "arn:aws:vpc-lattice:us-west-2:123456789012:targetgroup/tg-0aaaaaaaaaaaaaaaa".into(),
            name: shaped.name.clone(),
            kind: shaped.kind,
            config: shaped.config.clone(),
            status: "ACTIVE".into(),
            tags,
            service_arns: Vec::new(),
            targets: Vec::new(),
            health: Vec::new(),
        }],
        ..networks_for(&with)
    };
    let without = hotel().build();
    let t = run_with(&without, &seen(shaped.tags.clone()), now());
    let tg = t.target_group("rates", "parking");
    assert_eq!(tg.config.health_check.as_ref().map(|c| c["path"].clone()), Some(json!("/")));
    assert!(!tg.tags.contains_key(TAG_TARGET_GROUP_POLICY), "the tag goes with the policy");
    // Once the tag is gone, Lattice's health check is left alone again.
    let mut untagged = shaped.tags.clone();
    untagged.remove(TAG_TARGET_GROUP_POLICY);
    let t = run_with(&without, &seen(untagged), now());
    assert_eq!(t.target_group("rates", "parking").config.health_check, None);
}

#[test]
fn a_policy_on_a_service_export_shapes_its_exported_target_groups() {
    let snap = world()
        .with(mk_service("default", "checkout").port("http", 80, 8080).port("grpc", 8081, 9090))
        .with(mk_export("default", "checkout").port(80, "HTTP").port(8081, "GRPC"))
        .with(
            mk_tgp("default", "export-tls", "checkout")
                .target(crds::GROUP, "ServiceExport", "checkout")
                .spec("protocol", json!("HTTPS"))
                .spec("healthCheck", json!({"path": "/livez"})),
        )
        .build();
    let t = run(&snap);
    let exported: Vec<_> = t
        .desired
        .target_groups
        .iter()
        .filter(|tg| tg.tags.get(crate::names::TAG_SOURCE_TYPE).map(String::as_str) == Some("ServiceExport"))
        .collect();
    assert_eq!(exported.len(), 2);
    for tg in &exported {
        assert_eq!(tg.config.protocol, "HTTPS", "{}", tg.name);
        assert_eq!(tg.tags.get(TAG_TARGET_GROUP_POLICY).map(String::as_str), Some("default/export-tls"));
    }
    let grpc = exported.iter().find(|tg| tg.config.port == 8081).expect("grpc port");
    assert_eq!(grpc.config.protocol_version.as_deref(), Some("GRPC"));
    let http = exported.iter().find(|tg| tg.config.port == 80).expect("http port");
    assert_eq!(http.config.health_check.as_ref().map(|c| c["path"].clone()), Some(json!("/livez")));
    let c = policy_condition(&t, "TargetGroupPolicy", "export-tls");
    assert_eq!(c.reason, "Accepted");
    assert!(c.message.contains("ServiceExport default/checkout"), "{}", c.message);
}
