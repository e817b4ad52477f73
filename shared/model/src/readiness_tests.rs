//! Which pods are gate candidates, the verdict per Lattice target status, and when the condition
//! is (not) written.

use k8s_openapi::api::core::v1::PodCondition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::*;
use crate::lattice::TargetGroupType;
use crate::observed::ObservedTargetGroup;
use crate::testing::*;

fn snapshot(slice: SliceB) -> ClusterSnapshot {
    world()
        .with(mk_gateway("default", "my-hotel").listener(listener("http", "HTTP", 80)))
        .with(mk_service("default", "review").port("http", 80, 8080))
        .with(slice)
        .with(mk_route("default", "rates").parent(parent("my-hotel")).rule(rule().backend(backend("review", 80))))
        .build()
}

fn inventory(desired: &DesiredState) -> ObservedState {
    let spec = &desired.target_groups[0];
    ObservedState {
        target_groups: vec![ObservedTargetGroup {
            id: "tg-0aaa".into(),
            arn: "arn:aws:vpc-lattice:us-west-2:123456789012:targetgroup/tg-0aaa".into(),
            name: spec.name.clone(),
            kind: TargetGroupType::Ip,
            config: spec.config.clone(),
            status: "ACTIVE".into(),
            tags: spec.tags.clone(),
            service_arns: Vec::new(),
            targets: spec.targets.clone(),
            health: Vec::new(),
        }],
        ..ObservedState::default()
    }
}

fn gate_target(ip: &str) -> GateTarget {
    GateTarget {
        pod: ObjectRef::new("Pod", "default", "review-1"),
        target_group_id: "tg-0aaa".into(),
        target_group: "k8s-default-review".into(),
        target_group_port: 80,
        target: Target { id: ip.into(), port: 8080 },
        owner: None,
    }
}

fn health(status: &str, reason: Option<&str>) -> Vec<TargetHealth> {
    vec![TargetHealth {
        id: "10.0.0.2".into(),
        port: 8080,
        status: status.into(),
        reason_code: reason.map(str::to_owned),
    }]
}

#[test]
fn only_pods_whose_endpoints_are_not_ready_are_candidates() {
    let slice = mk_slice("default", "review", "review-a")
        .port("http", 8080)
        .pod("10.0.0.1", "review-ready", true)
        .pod("10.0.0.2", "review-starting", false)
        .endpoint("10.0.0.3")
        .terminating("10.0.0.4");
    let snap = snapshot(slice);
    let t = run(&snap);
    assert_eq!(t.desired.target_groups[0].targets.len(), 3, "ready, starting and plain endpoints are targets");
    let found = candidates(&snap, &t.desired, &inventory(&t.desired));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].pod, ObjectRef::new("Pod", "default", "review-starting"));
    assert_eq!(found[0].target, Target { id: "10.0.0.2".into(), port: 8080 });
    assert_eq!(found[0].target_group_id, "tg-0aaa");
    assert_eq!(found[0].owner.as_ref().map(|o| o.name.as_str()), Some("rates"));
}

#[test]
fn target_groups_not_in_the_inventory_have_no_candidates() {
    let snap = snapshot(mk_slice("default", "review", "review-a").port("http", 8080).pod("10.0.0.2", "p", false));
    let t = run(&snap);
    assert!(candidates(&snap, &t.desired, &ObservedState::default()).is_empty());
}

#[test]
fn each_lattice_status_has_its_verdict() {
    let target = gate_target("10.0.0.2");
    let cases = [
        ("HEALTHY", true, reasons::HEALTHY, Recheck::Settled),
        ("UNAVAILABLE", true, reasons::HEALTH_CHECK_UNAVAILABLE, Recheck::Settled),
        ("INITIAL", false, reasons::INITIAL, Recheck::Soon),
        ("UNHEALTHY", false, reasons::UNHEALTHY, Recheck::Later),
        ("DRAINING", false, reasons::DRAINING, Recheck::Later),
        ("UNUSED", false, reasons::UNUSED, Recheck::Settled),
        ("SOMETHING_NEW", false, reasons::UNKNOWN, Recheck::Later),
    ];
    for (status, ready, reason, recheck) in cases {
        let v = verdict(&target, &health(status, None));
        assert_eq!((v.ready, v.reason, v.recheck), (ready, reason, recheck), "{status}");
        assert!(v.message.contains(status) && v.message.contains("10.0.0.2:8080"), "{}", v.message);
    }
    let v = verdict(&target, &health("UNHEALTHY", Some("HealthCheckFailed")));
    assert!(v.message.ends_with("is UNHEALTHY (HealthCheckFailed)"), "{}", v.message);
    let missing = verdict(&gate_target("10.0.0.9"), &health("HEALTHY", None));
    assert_eq!((missing.ready, missing.reason, missing.recheck), (false, reasons::TARGET_NOT_FOUND, Recheck::Later));
    let other_port = TargetHealth { port: 9090, ..health("HEALTHY", None)[0].clone() };
    assert_eq!(verdict(&target, &[other_port]).reason, reasons::TARGET_NOT_FOUND, "the port is part of the target");
}

#[test]
fn a_pod_is_ready_only_when_all_its_targets_are() {
    let healthy = verdict(&gate_target("10.0.0.2"), &health("HEALTHY", None));
    let initial = verdict(&gate_target("10.0.0.2"), &health("INITIAL", None));
    assert_eq!(pod_verdict(vec![healthy.clone(), initial.clone()]), Some(initial));
    assert_eq!(pod_verdict(vec![healthy.clone(), healthy.clone()]), Some(healthy));
    assert_eq!(pod_verdict(Vec::new()), None);
}

fn condition(status: &str, reason: &str, message: &str, at: i64) -> PodCondition {
    PodCondition {
        type_: GATE_CONDITION_TYPE.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_transition_time: Some(Time(Timestamp::from_second(at).expect("time"))),
        ..PodCondition::default()
    }
}

#[test]
fn conditions_change_only_when_something_does_and_true_is_final() {
    let initial = verdict(&gate_target("10.0.0.2"), &health("INITIAL", None));
    let healthy = verdict(&gate_target("10.0.0.2"), &health("HEALTHY", None));
    let unhealthy = verdict(&gate_target("10.0.0.2"), &health("UNHEALTHY", None));

    let first = next_condition(None, &initial, now()).expect("a pod without the condition gets it");
    assert_eq!((first.status.as_str(), first.reason.as_deref()), ("False", Some(reasons::INITIAL)));
    assert_eq!(first.last_transition_time, Some(Time(now())));
    assert_eq!(first.type_, GATE_CONDITION_TYPE);

    assert_eq!(next_condition(Some(&first), &initial, later()), None, "same verdict: no write");

    let still_false = next_condition(Some(&first), &unhealthy, later()).expect("reason changed");
    assert_eq!(still_false.reason.as_deref(), Some(reasons::UNHEALTHY));
    assert_eq!(still_false.last_transition_time, Some(Time(now())), "no flip: the transition time stays");

    let ready = next_condition(Some(&still_false), &healthy, later()).expect("flip");
    assert_eq!((ready.status.as_str(), ready.last_transition_time), ("True", Some(Time(later()))));

    let done = condition("True", reasons::HEALTHY, "whatever", 1);
    assert_eq!(next_condition(Some(&done), &unhealthy, later()), None, "a True gate is never touched again");
}
