use super::synthesize::{Expected, TargetGroupMatch, dns_name, service_of, stale_services, target_group_of};
use super::*;
use crate::lattice::ListenerProtocol;
use crate::observed::ObservedState;
use crate::plan::test_support::*;

fn one_route() -> DesiredState {
    let svc =
        mk_service("rates").listener(mk_listener(80, ListenerProtocol::Http, RuleAction::fixed(404)).rule(mk_rule(
            1,
            "/",
            forward(&[("k8s-rates", 1)]),
        )));
    desired(vec![svc], vec![mk_tg("k8s-rates", "rates").targets(3)])
}

use crate::lattice::RuleAction;

#[test]
fn the_digest_is_stable_and_ignores_the_fingerprint_tag() {
    assert_eq!(format!("{:032x}", stable_hash(b"")), "6c62272e07bb014262b821756295c58d");
    let d = one_route();
    let before = service(&d.services[0], &d);
    assert_eq!(before.len(), 32);
    let mut tagged = d.clone();
    tagged.services[0].tags.insert(TAG_FINGERPRINT.into(), "old".into());
    assert_eq!(service(&tagged.services[0], &tagged), before, "the fingerprint tag is not part of it");
    let mut changed = d.clone();
    changed.services[0].listeners[0].rules[0].priority = 2;
    assert_ne!(service(&changed.services[0], &changed), before);
}

#[test]
fn a_target_group_fingerprint_separates_configuration_from_targets() {
    let d = one_route();
    let tg = &d.target_groups[0];
    let mut reordered = tg.clone();
    reordered.targets.reverse();
    assert_eq!(target_group(&reordered), target_group(tg), "target order does not matter");
    let mut moved = tg.clone();
    moved.targets[0].id = "10.9.9.9".into();
    assert_eq!(config_part(&target_group(&moved)), config_part(&target_group(tg)));
    assert_ne!(target_group(&moved), target_group(tg));
    let mut reconfigured = tg.clone();
    reconfigured.config.port = 9090;
    assert_ne!(config_part(&target_group(&reconfigured)), config_part(&target_group(tg)));
}

#[test]
fn rotating_verification_reads_every_resource_once_per_cycle() {
    let arns: Vec<String> = (0..500).map(|i| format!("arn:aws:vpc-lattice:us-west-2:1:service/svc-{i:017}")).collect();
    let every = 12;
    let mut seen = vec![0; arns.len()];
    for sweep in 0..every {
        let verify = Verify::rotating(every, 300, 1_767_225_600 + u64::from(sweep) * 300);
        for (i, arn) in arns.iter().enumerate() {
            seen[i] += usize::from(verify.due(arn));
        }
    }
    assert!(seen.iter().all(|n| *n == 1), "each verified exactly once per cycle");
    let per_sweep = arns.iter().filter(|a| Verify::share(a, every) == 0).count();
    assert!((20..=65).contains(&per_sweep), "load is spread: {per_sweep} of 500 in one slice");
    assert_eq!(Verify::rotating(0, 300, 7), Verify::Fingerprint);
    assert_eq!(Verify::rotating(1, 300, 7), Verify::Full);
    assert!(!Verify::Fingerprint.due("x") && Verify::Full.due("x"));
}

#[test]
fn dns_names_follow_the_documented_form_of_a_sample() {
    let sample = (
        "rates-default",
        "svc-0aaaaaaaaaaaaaaaa",
        "rates-default-0aaaaaaaaaaaaaaaa.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
    );
    assert_eq!(
        dns_name("parking-default", "svc-0bbbbbbbbbbbbbbbb", sample).as_deref(),
        Some("parking-default-0bbbbbbbbbbbbbbbb.7d67968.vpc-lattice-svcs.us-west-2.on.aws")
    );
    assert_eq!(dns_name("x", "svc-1", ("rates", "svc-2", "elsewhere.example.com")), None);
}

/// The observed state a run builds from the fingerprints alone, from a real one.
fn synthesized(real: &ObservedState, expected: &Expected) -> ObservedState {
    let mut out = ObservedState { service_networks: real.service_networks.clone(), ..ObservedState::default() };
    for tg in &real.target_groups {
        match expected.target_group(&tg.arn, &tg.tags) {
            Some(TargetGroupMatch::InSync(spec)) => {
                out.target_groups.push(target_group_of(spec, &tg.arn, tg.tags.clone(), None));
                out.unverified.insert(tg.arn.clone());
            }
            other => panic!("{} not in sync: {other:?}", tg.name),
        }
    }
    let groups = out.target_groups.clone();
    let tg_id = move |name: &str| groups.iter().find(|tg| tg.name == name).map(|tg| tg.id.clone());
    for svc in &real.services {
        let spec = expected.service(&svc.arn, &svc.tags).expect("in sync");
        let (s, auth) =
            service_of(spec, &svc.arn, svc.tags.clone(), svc.dns_name.clone(), &out.service_networks, &tg_id)
                .expect("built");
        out.unverified.insert(s.arn.clone());
        out.services.push(s);
        out.auth.push(auth);
    }
    out
}

#[test]
fn an_applied_plan_writes_fingerprints_last_and_then_nothing_is_read_or_planned() {
    let d = one_route();
    let mut observed = base_observed();
    let mut ids = crate::plan::memory::IdGen::new();
    let first = plan_with_fingerprints(&d, &observed);
    assert!(!observe(&d).0.services[0].tags.contains_key(TAG_FINGERPRINT), "plan_all leaves them out");
    let n = first.actions.len();
    assert_eq!(ops(&first)[n - 2..], ["TagResource", "TagResource"], "{:?}", ops(&first));
    assert!(first.actions[..n - 2].iter().all(|a| a.op() != "TagResource"));
    apply(&first, &mut observed, &mut ids);
    assert!(plan_with_fingerprints(&d, &observed).is_noop());
    let expected = Expected::of(&d, Verify::Fingerprint);
    let fake = synthesized(&observed, &expected);
    assert!(plan_with_fingerprints(&d, &fake).is_noop(), "{:?}", plan_all(&d, &fake).actions);
    assert_eq!(fake.services[0].listeners[0].rules[0].action, observed.services[0].listeners[0].rules[0].action);
    assert!(stale_services(&fake, &d).is_empty());

    let mut changed = d.clone();
    changed.services[0].listeners[0].rules[0].priority = 2;
    assert_eq!(stale_services(&fake, &changed), vec![fake.services[0].arn.clone()], "read before planning");
    assert_eq!(Expected::of(&d, Verify::Full).service(&observed.services[0].arn, &observed.services[0].tags), None);
}

/// The observed state after applying `desired` from scratch, fingerprints included.
fn applied(desired: &DesiredState) -> ObservedState {
    let mut observed = base_observed();
    apply(&plan_with_fingerprints(desired, &observed), &mut observed, &mut crate::plan::memory::IdGen::new());
    observed
}

#[test]
fn a_target_change_is_planned_as_a_difference_and_a_new_fingerprint() {
    let d = one_route();
    let observed = applied(&d);
    let mut moved = d.clone();
    moved.target_groups[0].targets[0].id = "10.9.9.9".into();
    let expected = Expected::of(&moved, Verify::Fingerprint);
    let tg = &observed.target_groups[0];
    assert!(matches!(expected.target_group(&tg.arn, &tg.tags), Some(TargetGroupMatch::Targets(_))));
    let p = plan_with_fingerprints(&moved, &observed);
    assert_eq!(ops(&p), ["RegisterTargets", "DeregisterTargets", "TagResource"]);
}

#[test]
fn a_refused_change_gets_no_fingerprint() {
    let d = one_route();
    let observed = applied(&d);
    let mut reconfigured = d.clone();
    reconfigured.target_groups[0].config.protocol = "HTTPS".into();
    reconfigured.target_groups[0].targets.pop();
    let p = plan_with_fingerprints(&reconfigured, &observed);
    assert!(!p.refused.is_empty());
    assert!(p.actions.iter().all(|a| a.op() != "TagResource"), "{:?}", ops(&p));
}

/// The first auth policy `desired` sets on the service named `name`, found by a scan.
fn service_auth_policy<'a>(desired: &'a DesiredState, name: &str) -> Option<&'a str> {
    desired
        .auth_policies
        .iter()
        .find(|p| p.resource.resource_type == PolicyResourceType::Service && p.resource.resource_identifier == name)
        .map(|p| p.policy.as_str())
}

#[test]
fn a_service_fingerprint_covers_its_own_auth_policy_and_access_logs_only() {
    use crate::lattice::{AccessLogSubscriptionSpec, AuthPolicySpec, PolicyResource};
    let log = |service: &str, destination: &str| AccessLogSubscriptionSpec {
        resource: PolicyResource::service(service),
        destination_arn: destination.into(),
        tags: Tags::new(),
        owner: None,
    };
    let auth = |service: &str, policy: &str| AuthPolicySpec {
        resource: PolicyResource::service(service),
        policy: policy.into(),
        owner: None,
    };
    let d = one_route();
    let name = d.services[0].name.clone();
    let bare = service(&d.services[0], &d);
    let mut logged = d.clone();
    logged.access_log_subscriptions = vec![log(&name, "arn:aws:s3:::a"), log(&name, "arn:aws:s3:::b")];
    let with_logs = service(&logged.services[0], &logged);
    assert_ne!(with_logs, bare);
    logged.access_log_subscriptions.reverse();
    assert_eq!(service(&logged.services[0], &logged), with_logs, "the order of the subscriptions does not matter");
    logged.access_log_subscriptions.push(log("someone-else", "arn:aws:s3:::c"));
    assert_eq!(service(&logged.services[0], &logged), with_logs, "another service's subscription does not count");

    let mut guarded = d.clone();
    guarded.auth_policies = vec![auth(&name, "{\"first\":1}"), auth(&name, "{\"second\":2}")];
    let policies = ServicePolicies::of(&guarded);
    assert_eq!(policies.auth(&name), service_auth_policy(&guarded, &name), "the first policy counts");
    let first = service_with(&guarded.services[0], &policies);
    assert_ne!(first, bare);
    guarded.auth_policies.remove(1);
    assert_eq!(service(&guarded.services[0], &guarded), first);
    guarded.auth_policies[0].policy = "{\"changed\":1}".into();
    assert_ne!(service(&guarded.services[0], &guarded), first);
}

#[test]
fn fingerprints_of_a_fixed_desired_state_never_change_within_a_version() {
    // Tags written by earlier releases must keep matching: a change here makes every owned
    // resource be read in full once, so it needs a new VERSION.
    let mut d = one_route();
    d.services[0].tags.insert("team".into(), "quote \" and é".into());
    let name = d.services[0].name.clone();
    d.auth_policies.push(crate::lattice::AuthPolicySpec {
        resource: crate::lattice::PolicyResource::service(name.clone()),
        policy: r#"{"Statement":[]}"#.into(),
        owner: None,
    });
    for bucket in ["b", "a"] {
        d.access_log_subscriptions.push(crate::lattice::AccessLogSubscriptionSpec {
            resource: crate::lattice::PolicyResource::service(name.clone()),
            destination_arn: format!("arn:aws:s3:::{bucket}"),
            tags: Tags::from([("k".to_owned(), "v".to_owned())]),
            owner: None,
        });
    }
    assert_eq!(service(&d.services[0], &d), "c62e245dda30b5c5186dcdeffca7e1f1");
    assert_eq!(target_group(&d.target_groups[0]), "61862baf5f518e76.cb7fba35f763c36e");
}

#[test]
fn expectations_index_services_and_whole_target_group_fingerprints() {
    let d = one_route();
    let expected = Expected::of(&d, Verify::Fingerprint);
    assert_eq!(expected.services.len(), 1);
    assert_eq!(expected.target_group_prints.values().next(), Some(&target_group(&d.target_groups[0])));
}

#[test]
fn access_log_order_does_not_change_a_service_fingerprint() {
    let mut d = one_route();
    let name = d.services[0].name.clone();
    for bucket in ["b", "a"] {
        d.access_log_subscriptions.push(crate::lattice::AccessLogSubscriptionSpec {
            resource: crate::lattice::PolicyResource::service(name.clone()),
            destination_arn: format!("arn:aws:s3:::{bucket}"),
            tags: Tags::new(),
            owner: None,
        });
    }
    let before = service(&d.services[0], &d);
    d.access_log_subscriptions.reverse();
    assert_eq!(service(&d.services[0], &d), before);
    d.access_log_subscriptions.pop();
    assert_ne!(service(&d.services[0], &d), before);
}

#[test]
fn fingerprints_are_taken_from_an_earlier_state_only_for_what_is_unchanged() {
    use crate::lattice::{AuthPolicySpec, PolicyResource};
    let d = one_route();
    let name = d.services[0].name.clone();
    let tg = d.target_groups[0].name.clone();
    // Marker fingerprints show which ones were taken rather than computed.
    let marked = || Fingerprints {
        services: [(name.clone(), "taken".to_owned())].into(),
        target_groups: [(tg.clone(), "taken.taken".to_owned())].into(),
    };
    let earlier = |services: bool, groups: bool, policies: DesiredState| Earlier {
        prints: marked(),
        policies,
        services: vec![services],
        target_groups: vec![groups],
    };
    let computed = Fingerprints::of(&d);

    let all = Fingerprints::of_reusing(&d, earlier(true, true, DesiredState::default()));
    assert_eq!(all, marked(), "unchanged resources keep their earlier fingerprints");
    let none = Fingerprints::of_reusing(&d, earlier(false, false, DesiredState::default()));
    assert_eq!(none, computed, "resources built again are fingerprinted again");

    // The service is unchanged but its auth policy is not: its fingerprint is computed again.
    let mut guarded = d.clone();
    guarded.auth_policies =
        vec![AuthPolicySpec { resource: PolicyResource::service(name.clone()), policy: "{}".into(), owner: None }];
    let policy_changed = Fingerprints::of_reusing(&guarded, earlier(true, true, DesiredState::default()));
    assert_eq!(policy_changed.services[&name], Fingerprints::of(&guarded).services[&name]);
    assert_eq!(policy_changed.target_groups[&tg], "taken.taken");
    let policy_kept = Fingerprints::of_reusing(&guarded, earlier(true, true, guarded.clone()));
    assert_eq!(policy_kept.services[&name], "taken");
}
