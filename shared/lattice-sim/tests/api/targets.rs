//! Targets: registration, health states, draining and their quota.

use std::time::Duration;

use aws_sdk_vpclattice::Client;
use aws_sdk_vpclattice::operation::register_targets::RegisterTargetsError;
use aws_sdk_vpclattice::types::{ListenerProtocol, Target, TargetStatus};
use lattice_sim::{Quotas, SimConfig};

use crate::common::*;

fn target(id: &str) -> Target {
    Target::builder().id(id).build().expect("target")
}

async fn statuses(c: &Client, tg: &str) -> Vec<(String, Option<i32>, Option<TargetStatus>)> {
    let out = c.list_targets().target_group_identifier(tg).send().await.expect("list targets");
    out.items().iter().map(|t| (t.id().expect("id").to_owned(), t.port(), t.status().cloned())).collect()
}

/// A service `name` whose listener forwards to `tg`, which makes the group's targets used.
async fn put_in_use(c: &Client, tg: &str, name: &str) {
    let svc = create_service(c, name).await;
    c.create_listener()
        .service_identifier(&svc)
        .name("http")
        .protocol(ListenerProtocol::Http)
        .default_action(forward(&[tg]))
        .send()
        .await
        .expect("listener");
}

#[tokio::test]
async fn health_follows_use() {
    let sim = sim().await;
    let c = client(&sim);
    let tg = create_tg(&c, "pool").await;
    let out = c
        .register_targets()
        .target_group_identifier(&tg)
        .targets(target("10.0.0.1"))
        .targets(Target::builder().id("10.0.0.2").port(8080).build().expect("target"))
        .targets(target("not-an-ip"))
        .send()
        .await
        .expect("register");
    assert_eq!(out.successful().len(), 2);
    assert_eq!(out.successful()[0].port(), Some(80), "port defaults to the group's");
    assert_eq!(out.unsuccessful()[0].failure_code(), Some("UnsupportedTarget"));

    let unused = statuses(&c, &tg).await;
    assert!(unused.iter().all(|(_, _, s)| s == &Some(TargetStatus::Unused)), "{unused:?}");

    put_in_use(&c, &tg, "users").await;
    let healthy = statuses(&c, &tg).await;
    assert!(healthy.iter().all(|(_, _, s)| s == &Some(TargetStatus::Healthy)), "{healthy:?}");

    let filtered = c
        .list_targets()
        .target_group_identifier(&tg)
        .targets(Target::builder().id("10.0.0.2").port(8080).build().expect("target"))
        .send()
        .await
        .expect("filtered");
    assert_eq!(filtered.items().len(), 1);

    let again =
        c.register_targets().target_group_identifier(&tg).targets(target("10.0.0.1")).send().await.expect("again");
    assert_eq!(again.successful().len(), 1, "re-registering is idempotent");
    assert_eq!(statuses(&c, &tg).await.len(), 2);
}

#[tokio::test]
async fn deregistered_targets_drain_then_disappear() {
    let sim = sim_with(SimConfig { drain: Duration::from_millis(300), ..SimConfig::default() }).await;
    let c = client(&sim);
    let tg = create_tg(&c, "drain").await;
    c.register_targets().target_group_identifier(&tg).targets(target("10.0.0.1")).send().await.expect("register");
    let out = c
        .deregister_targets()
        .target_group_identifier(&tg)
        .targets(target("10.0.0.1"))
        .targets(target("10.0.0.9"))
        .send()
        .await
        .expect("deregister");
    assert_eq!(out.successful().len(), 1);
    assert_eq!(out.unsuccessful().len(), 1);
    assert_eq!(statuses(&c, &tg).await[0].2, Some(TargetStatus::Draining));

    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !statuses(&c, &tg).await.is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "target never left DRAINING");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn drain_zero_removes_at_once() {
    let sim = sim().await;
    let c = client(&sim);
    let tg = create_tg(&c, "instant").await;
    c.register_targets().target_group_identifier(&tg).targets(target("10.0.0.1")).send().await.expect("register");
    c.deregister_targets().target_group_identifier(&tg).targets(target("10.0.0.1")).send().await.expect("deregister");
    assert!(statuses(&c, &tg).await.is_empty());
}

#[tokio::test]
async fn targets_quota_and_request_limits() {
    let mut quotas = Quotas::default();
    quotas.set("targets-per-target-group", 2).expect("known quota");
    let sim = sim_with(SimConfig { quotas, ..SimConfig::default() }).await;
    let c = client(&sim);
    let tg = create_tg(&c, "small").await;
    c.register_targets()
        .target_group_identifier(&tg)
        .targets(target("10.0.0.1"))
        .targets(target("10.0.0.2"))
        .send()
        .await
        .expect("two fit");
    let err =
        c.register_targets().target_group_identifier(&tg).targets(target("10.0.0.3")).send().await.expect_err("full");
    assert!(matches!(err.into_service_error(), RegisterTargetsError::ServiceQuotaExceededException(_)));

    let many: Vec<Target> = (0..101).map(|i| target(&format!("10.0.1.{i}"))).collect();
    let err = c.register_targets().target_group_identifier(&tg).set_targets(Some(many)).send().await.expect_err("101");
    assert!(err.into_service_error().is_validation_exception());
}

#[tokio::test]
async fn scripted_health_overrides_checked_targets_only() {
    let sim = sim().await;
    let c = client(&sim);
    let tg = create_tg(&c, "scripted").await;
    let two = [target("10.0.0.1"), Target::builder().id("10.0.0.2").port(8080).build().expect("target")];
    c.register_targets().target_group_identifier(&tg).set_targets(Some(two.to_vec())).send().await.expect("register");
    sim.script_target_health(&tg, "10.0.0.2", 8080, Some(("UNHEALTHY", Some("HealthCheckFailed")))).expect("script");
    assert!(
        statuses(&c, &tg).await.iter().all(|(_, _, s)| s == &Some(TargetStatus::Unused)),
        "an unused group's targets stay UNUSED"
    );

    put_in_use(&c, &tg, "scripted").await;
    let out = c.list_targets().target_group_identifier(&tg).send().await.expect("list");
    let scripted = out.items().iter().find(|t| t.id() == Some("10.0.0.2")).expect("scripted target");
    assert_eq!(scripted.status(), Some(&TargetStatus::Unhealthy));
    assert_eq!(scripted.reason_code(), Some("HealthCheckFailed"));
    let other = out.items().iter().find(|t| t.id() == Some("10.0.0.1")).expect("other target");
    assert_eq!((other.status(), other.reason_code()), (Some(&TargetStatus::Healthy), None));

    let body = format!(r#"{{"targetGroupIdentifier":"{tg}","id":"10.0.0.2","port":8080,"status":"INITIAL"}}"#);
    let (code, _) = http_json(&sim, "PUT", "/_sim/target-health", &body).await;
    assert_eq!(code, 200);
    assert!(statuses(&c, &tg).await.contains(&("10.0.0.2".to_owned(), Some(8080), Some(TargetStatus::Initial))));

    let clear = format!(r#"{{"targetGroupIdentifier":"{tg}","id":"10.0.0.2","port":8080,"status":null}}"#);
    assert_eq!(http_json(&sim, "PUT", "/_sim/target-health", &clear).await.0, 200);
    assert!(statuses(&c, &tg).await.iter().all(|(_, _, s)| s == &Some(TargetStatus::Healthy)));

    let draining = format!(r#"{{"targetGroupIdentifier":"{tg}","id":"10.0.0.2","port":8080,"status":"DRAINING"}}"#);
    let (code, body) = http_json(&sim, "PUT", "/_sim/target-health", &draining).await;
    assert_eq!(code, 400, "DRAINING follows from deregistration, it is not scripted: {body}");
    assert!(sim.script_target_health("tg-0000000000000000", "10.0.0.2", 8080, Some(("HEALTHY", None))).is_err());
}
