//! Fault injection and call accounting, through the library API and the `/_sim` HTTP surface.

use std::time::{Duration, Instant};

use aws_sdk_vpclattice::operation::list_services::ListServicesError;
use lattice_sim::Faults;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn fail_after_fails_every_later_request_until_cleared() {
    let sim = sim().await;
    let c = client_no_retry(&sim);
    let (status, body) = http_json(&sim, "PUT", "/_sim/faults", r#"{"failAfter": 2}"#).await;
    assert_eq!(status, 200);
    assert_eq!(body["failAfter"], 2);
    c.list_services().send().await.expect("first");
    c.list_services().send().await.expect("second");
    for _ in 0..2 {
        let err = c.list_services().send().await.expect_err("after the second");
        assert!(matches!(err.into_service_error(), ListServicesError::InternalServerException(_)));
    }
    let (_, body) = http_json(&sim, "PUT", "/_sim/faults", r#"{"latencyMs": 0}"#).await;
    assert_eq!(body["failAfter"], 2, "absent keys are unchanged");
    let (_, body) = http_json(&sim, "PUT", "/_sim/faults", r#"{"failAfter": null}"#).await;
    assert_eq!(body["failAfter"], serde_json::Value::Null);
    c.list_services().send().await.expect("cleared");
    let (_, body) = http_json(&sim, "GET", "/_sim/calls", "").await;
    assert_eq!(body, json!({"ListServices": 5}));
    let (status, _) = http_json(&sim, "PUT", "/_sim/faults", r#"{"errorRate": 3}"#).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn throttling_survives_retries_and_spares_tag_reads() {
    let sim = sim().await;
    let (_, sn_arn) = sim.seed_service_network("throttled", &no_tags()).expect("seeded");
    sim.set_faults(Faults { throttle_rate: 1.0, ..Faults::default() }).expect("valid faults");

    let err = client_no_retry(&sim).list_services().send().await.expect_err("throttled");
    let (_, headers, _) = http(&sim, "GET", "/services", "").await;
    assert!(headers.iter().any(|(k, v)| k == "retry-after" && v == "1"));
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(429));
    let ListServicesError::ThrottlingException(e) = err.into_service_error() else { panic!("throttling") };
    assert_eq!(e.retry_after_seconds(), Some(1));

    sim.reset_calls();
    let err = client(&sim).list_services().send().await.expect_err("still throttled after retries");
    assert!(err.into_service_error().is_throttling_exception());
    assert_eq!(sim.calls().get("ListServices"), Some(&3), "three attempts");

    let c = client_no_retry(&sim);
    c.list_tags_for_resource().resource_arn(&sn_arn).send().await.expect("never throttled");
    c.untag_resource().resource_arn(&sn_arn).tag_keys("x").send().await.expect("never throttled");
}

#[tokio::test]
async fn error_rate_and_latency() {
    let sim = sim().await;
    let c = client_no_retry(&sim);
    sim.set_faults(Faults { error_rate: 1.0, ..Faults::default() }).expect("valid");
    let err = c.list_service_networks().send().await.expect_err("internal error");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(500));
    assert!(err.into_service_error().is_internal_server_exception());

    sim.set_faults(Faults { latency_ms: 150, ..Faults::default() }).expect("valid");
    let started = Instant::now();
    c.list_service_networks().send().await.expect("slow but fine");
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(sim.faults().latency_ms, 150);
}

#[tokio::test]
async fn calls_count_every_request_and_reset() {
    let sim = sim().await;
    let c = client_no_retry(&sim);
    create_service(&c, "counted").await;
    create_service(&c, "counted-too").await;
    c.create_service().name("counted").send().await.expect_err("conflict is still a call");
    c.get_service().service_identifier("svc-0123456789abcdef0").send().await.expect_err("missing");
    let (_, headers, _) = http(&sim, "GET", "/services", "").await;
    assert!(headers.iter().any(|(k, v)| k == "x-amzn-requestid" && v.len() == 36));
    let (status, body) = http_json(&sim, "GET", "/_sim/calls", "").await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"CreateService": 3, "GetService": 1, "ListServices": 1}));
    let (status, _) = http_json(&sim, "DELETE", "/_sim/calls", "").await;
    assert_eq!(status, 200);
    assert!(sim.calls().is_empty());

    let (status, state) = http_json(&sim, "GET", "/_sim/state", "").await;
    assert_eq!(status, 200);
    assert_eq!(state["services"].as_object().map(|m| m.len()), Some(2));
}

#[tokio::test]
async fn sdk_retry_after_a_committed_failure_replays_the_create() {
    let sim = sim().await;
    let c = client(&sim);
    let (status, body) = http_json(&sim, "PUT", "/_sim/faults", r#"{"commitFailures": 1}"#).await;
    assert_eq!((status, body["commitFailures"].as_u64()), (200, Some(1)));
    let created = c.create_service().name("retried").send().await.expect("the retry succeeds");
    assert_eq!(sim.calls().get("CreateService"), Some(&2), "one failed attempt, one replay");
    let listed = c.list_services().send().await.expect("list");
    assert_eq!(listed.items().len(), 1, "no duplicate");
    assert_eq!(listed.items()[0].id(), created.id());
    assert_eq!(sim.faults().commit_failures, 0);
}

#[tokio::test]
async fn injected_creation_failure_lands_in_create_failed() {
    let sim = sim().await;
    let c = client(&sim);
    sim.set_faults(Faults { create_failures: 1, ..Faults::default() }).expect("valid");
    let doomed = create_service(&c, "doomed").await;
    let got = c.get_service().service_identifier(&doomed).send().await.expect("get");
    assert_eq!(got.status(), Some(&aws_sdk_vpclattice::types::ServiceStatus::CreateFailed));
    assert_eq!(got.failure_code(), Some("InjectedFailure"));
    assert!(got.failure_message().is_some());
    let err = c
        .create_listener()
        .service_identifier(&doomed)
        .name("http")
        .protocol(aws_sdk_vpclattice::types::ListenerProtocol::Http)
        .default_action(fixed(404))
        .send()
        .await
        .expect_err("failed service");
    assert!(err.into_service_error().is_conflict_exception());
    c.delete_service().service_identifier(&doomed).send().await.expect("a failed service can be deleted");
    let healthy = create_service(&c, "doomed").await;
    let got = c.get_service().service_identifier(&healthy).send().await.expect("get");
    assert_eq!(got.status(), Some(&aws_sdk_vpclattice::types::ServiceStatus::Active));
    assert!(got.failure_code().is_none());
    assert_eq!(sim.faults().create_failures, 0);
}
