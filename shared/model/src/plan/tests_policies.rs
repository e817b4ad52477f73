use std::collections::BTreeSet;

use super::*;
use crate::lattice::{AuthPolicySpec, ListenerProtocol, PolicyResource, RuleAction, ServiceSpec};
use crate::names::{TAG_ACCESS_LOG_POLICY, TAG_MANAGED_BY, Tags};
use crate::observed::ObservedState;
use crate::plan::Scope;
use crate::plan::memory::IdGen;
use crate::plan::test_support::*;

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;
const GROUP: &str = "arn:aws:logs:us-west-2:111122223333:log-group:hotel";
const BUCKET: &str = "arn:aws:s3:::hotel-logs";

fn web(route: &str) -> ServiceSpec {
    mk_service(route).listener(mk_listener(80, ListenerProtocol::Http, RuleAction::fixed(404)))
}

fn service_auth(route: &str, policy: &str) -> AuthPolicySpec {
    AuthPolicySpec {
        resource: PolicyResource::service(crate::names::service_name(route, NS)),
        policy: policy.to_owned(),
        owner: Some(owner("HTTPRoute", route)),
    }
}

/// `network` as a Gateway's service network that must exist.
fn gateway_network(network: &str) -> crate::lattice::ServiceNetworkSpec {
    crate::lattice::ServiceNetworkSpec {
        name: network.to_owned(),
        gateways: vec![format!("{NS}/{network}")],
        tags: None,
        adopt: false,
        vpc_association: None,
    }
}

fn network_auth(network: &str) -> AuthPolicySpec {
    AuthPolicySpec { resource: PolicyResource::service_network(network), policy: POLICY.to_owned(), owner: None }
}

fn logs(route: &str, policy: &str, destination: &str) -> AccessLogSubscriptionSpec {
    AccessLogSubscriptionSpec {
        resource: PolicyResource::service(crate::names::service_name(route, NS)),
        destination_arn: destination.to_owned(),
        tags: tags(&[(TAG_MANAGED_BY, MANAGED_BY), (TAG_ACCESS_LOG_POLICY, &format!("{NS}/{policy}"))]),
        owner: Some(owner("HTTPRoute", route)),
    }
}

/// `base_observed` with `net-a` ours.
fn owned_network() -> ObservedState {
    let mut observed = base_observed();
    observed.service_networks[0].tags = tags(&[(TAG_MANAGED_BY, MANAGED_BY)]);
    observed
}

/// An in-memory Lattice: its state and its id source.
struct Account {
    observed: ObservedState,
    ids: IdGen,
}

impl Account {
    fn new(observed: ObservedState) -> Self {
        Self { observed, ids: IdGen::new() }
    }

    /// Applies the plan of `desired` and checks that planning again does nothing.
    fn converge(&mut self, desired: &DesiredState) -> super::super::Plan {
        let plan = plan_all(desired, &self.observed);
        apply(&plan, &mut self.observed, &mut self.ids);
        let again = plan_all(desired, &self.observed);
        assert!(again.is_noop(), "a second run plans nothing: {:?}", ops(&again));
        plan
    }
}

#[test]
fn a_new_service_gets_its_policy_before_iam_is_turned_on() {
    let mut want = desired(vec![web("rates")], vec![]);
    want.auth_policies.push(service_auth("rates", POLICY));
    let mut a = Account::new(base_observed());
    let plan = a.converge(&want);
    assert!(first(&plan, "CreateService") < first(&plan, "PutAuthPolicy"));
    assert!(first(&plan, "PutAuthPolicy") < first(&plan, "UpdateService"));
    match &plan.actions[first(&plan, "UpdateService")] {
        Action::UpdateService(u) => {
            assert_eq!(u.service_identifier, "rates-default", "named by name: created by the same plan");
            assert_eq!(u.auth_type.as_deref(), Some("AWS_IAM"));
            assert_eq!(u.certificate_arn, None);
        }
        other => panic!("unexpected {other:?}"),
    }
    let auth = a.observed.auth_of(&a.observed.services[0].id).expect("auth recorded");
    assert!(auth.is_iam() && auth.policy.as_deref() == Some(POLICY));
}

#[test]
fn a_changed_policy_is_put_again_and_a_reformatted_one_is_not() {
    let mut want = desired(vec![web("rates")], vec![]);
    want.auth_policies.push(service_auth("rates", POLICY));
    let mut a = Account::new(base_observed());
    a.converge(&want);

    let pretty = serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(POLICY).expect("json"))
        .expect("pretty");
    want.auth_policies[0].policy = pretty;
    assert!(plan_all(&want, &a.observed).is_noop(), "the same document in another layout is the same policy");

    want.auth_policies[0].policy = POLICY.replace("Allow", "Deny");
    let plan = a.converge(&want);
    assert_eq!(ops(&plan), ["PutAuthPolicy"], "authType is already AWS_IAM");
}

#[test]
fn a_removed_policy_turns_iam_off_then_deletes_the_policy() {
    let mut want = desired(vec![web("rates")], vec![]);
    want.auth_policies.push(service_auth("rates", POLICY));
    let mut a = Account::new(base_observed());
    a.converge(&want);
    want.auth_policies.clear();
    let plan = a.converge(&want);
    assert_eq!(ops(&plan), ["UpdateService", "DeleteAuthPolicy"]);
    match &plan.actions[0] {
        Action::UpdateService(u) => assert_eq!(u.auth_type.as_deref(), Some("NONE")),
        other => panic!("unexpected {other:?}"),
    }
    let auth = a.observed.auth_of(&a.observed.services[0].id).expect("auth recorded");
    assert!(!auth.is_iam() && auth.policy.is_none());
}

#[test]
fn a_deleted_route_loses_auth_and_logs_before_its_service() {
    let mut want = desired(vec![web("rates")], vec![]);
    want.auth_policies.push(service_auth("rates", POLICY));
    want.access_log_subscriptions.push(logs("rates", "alp", GROUP));
    let mut a = Account::new(base_observed());
    a.converge(&want);
    let plan = a.converge(&desired(vec![], vec![]));
    assert!(last(&plan, "DeleteAuthPolicy") < first(&plan, "DeleteService"), "{:?}", ops(&plan));
    assert!(last(&plan, "DeleteAccessLogSubscription") < first(&plan, "DeleteService"));
    assert!(a.observed.auth.is_empty() && a.observed.access_log_subscriptions.is_empty());
}

#[test]
fn service_network_auth_only_on_a_network_we_own() {
    let mut want = desired(vec![], vec![]);
    want.service_networks.push(gateway_network("net-a"));
    want.gateway_names.insert("net-a".into());
    want.auth_policies.push(network_auth("net-a"));
    let mut a = Account::new(owned_network());
    let plan = a.converge(&want);
    assert_eq!(ops(&plan), ["PutAuthPolicy", "UpdateServiceNetwork"]);
    match &plan.actions[1] {
        Action::UpdateServiceNetwork(u) => {
            assert_eq!(u.service_network_identifier, "sn-0aaaaaaaaaaaaaaaa");
            assert_eq!(u.auth_type, "AWS_IAM");
        }
        other => panic!("unexpected {other:?}"),
    }
    // A shared network that is not ours is never touched.
    let plan = plan_all(&want, &base_observed());
    assert!(plan.is_noop(), "{:?}", ops(&plan));
    assert_eq!(plan.refused.len(), 1);
    assert_eq!(plan.refused[0].resource, "servicenetwork/net-a/authpolicy");
    // A missing one is refused too.
    want.auth_policies[0] = network_auth("net-missing");
    let plan = plan_all(&want, &base_observed());
    assert!(plan.is_noop());
    assert_eq!(plan.refused[0].reason, "the resource does not exist");
}

#[test]
fn a_service_of_someone_else_gets_no_policy() {
    let (mut observed, _) = observe(&desired(vec![web("rates")], vec![]));
    observed.services[0].tags.insert(TAG_MANAGED_BY.into(), OTHER.into());
    let mut want = desired(vec![web("rates")], vec![]);
    want.auth_policies.push(service_auth("rates", POLICY));
    want.access_log_subscriptions.push(logs("rates", "alp", GROUP));
    let plan = plan_all(&want, &observed);
    assert!(plan.is_noop(), "{:?}", ops(&plan));
    let refused: BTreeSet<&str> = plan.refused.iter().map(|r| r.resource.as_str()).collect();
    assert!(refused.contains("service/rates-default/authpolicy"), "{refused:?}");
    assert!(refused.contains("service/rates-default/accesslogsubscription"), "{refused:?}");
}

#[test]
fn scope_limits_auth_to_routes_in_scope_and_networks_to_whole_runs() {
    let mut want = desired(vec![web("rates"), web("parking")], vec![]);
    want.auth_policies.push(service_auth("rates", POLICY));
    want.auth_policies.push(service_auth("parking", POLICY));
    want.auth_policies.push(network_auth("net-a"));
    let (observed, _) = observe(&desired(vec![web("rates"), web("parking")], vec![]));
    let mut observed = observed;
    observed.service_networks[0].tags = tags(&[(TAG_MANAGED_BY, MANAGED_BY)]);
    let scope = Scope::Owners(BTreeSet::from([owner("HTTPRoute", "rates")]));
    let plan = plan_in(&scope, &want, &observed);
    let targets: Vec<&str> = plan
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::PutAuthPolicy(p) => Some(p.resource_identifier.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(targets, [observed.service("rates-default").expect("rates").id.as_str()]);
    assert_eq!(ops(&plan_all(&want, &observed)).iter().filter(|o| **o == "PutAuthPolicy").count(), 3);
}

#[test]
fn access_logs_are_created_updated_in_place_and_replaced_by_type() {
    let mut want = desired(vec![web("rates")], vec![]);
    want.access_log_subscriptions.push(logs("rates", "alp", GROUP));
    let mut a = Account::new(base_observed());
    let plan = a.converge(&want);
    assert_eq!(ops(&plan)[ops(&plan).len() - 1], "CreateAccessLogSubscription");
    let first_id = a.observed.access_log_subscriptions[0].id.clone();

    // Another log group: same destination type, updated in place.
    want.access_log_subscriptions[0].destination_arn = format!("{GROUP}-2");
    let plan = a.converge(&want);
    assert_eq!(ops(&plan), ["UpdateAccessLogSubscription"]);
    assert_eq!(a.observed.access_log_subscriptions[0].id, first_id);

    // An S3 bucket: a new subscription first, then the old one goes.
    want.access_log_subscriptions[0].destination_arn = BUCKET.into();
    let plan = a.converge(&want);
    assert_eq!(ops(&plan), ["CreateAccessLogSubscription", "DeleteAccessLogSubscription"]);
    match &plan.actions[1] {
        Action::DeleteAccessLogSubscription(d) => assert_eq!(d.access_log_subscription_identifier, first_id),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(a.observed.access_log_subscriptions.len(), 1);
    assert_eq!(a.observed.access_log_subscriptions[0].destination_arn, BUCKET);

    // Tags follow the policy.
    want.access_log_subscriptions[0].tags.insert("team".into(), "payments".into());
    let plan = a.converge(&want);
    assert_eq!(ops(&plan), ["TagResource"]);

    // Removed.
    want.access_log_subscriptions.clear();
    let plan = a.converge(&want);
    assert_eq!(ops(&plan), ["DeleteAccessLogSubscription"]);
}

#[test]
fn a_new_policy_takes_the_place_of_an_old_one_of_the_same_type() {
    let mut want = desired(vec![web("rates")], vec![]);
    want.access_log_subscriptions.push(logs("rates", "old", GROUP));
    let mut a = Account::new(base_observed());
    a.converge(&want);
    want.access_log_subscriptions = vec![logs("rates", "new", &format!("{GROUP}-new"))];
    let plan = a.converge(&want);
    assert_eq!(ops(&plan), ["DeleteAccessLogSubscription", "CreateAccessLogSubscription"]);
    let tag = a.observed.access_log_subscriptions[0].tags.get(TAG_ACCESS_LOG_POLICY).cloned();
    assert_eq!(tag.as_deref(), Some("default/new"));
}

#[test]
fn subscriptions_we_do_not_own_are_left_alone() {
    let mut want = desired(vec![web("rates")], vec![]);
    want.access_log_subscriptions.push(logs("rates", "alp", GROUP));
    let mut a = Account::new(base_observed());
    a.converge(&want);
    a.observed.access_log_subscriptions[0].tags = Tags::new();
    // Ours is gone as far as we know; someone else's of the same type stays, and the create
    // that Lattice would refuse is the visible failure.
    let plan = plan_all(&want, &a.observed);
    assert_eq!(ops(&plan), ["CreateAccessLogSubscription"]);
    let plan = plan_all(&desired(vec![web("rates")], vec![]), &a.observed);
    assert!(plan.is_noop(), "{:?}", ops(&plan));
}

#[test]
fn a_protocol_change_switches_rules_to_a_new_target_group_before_the_old_one_goes() {
    let svc = |tg: &str| {
        mk_service("rates").listener(mk_listener(80, ListenerProtocol::Http, RuleAction::fixed(404)).rule(mk_rule(
            1,
            "/",
            forward(&[(tg, 1)]),
        )))
    };
    let old = mk_tg("k8s-rates-http", "rates").targets(150);
    let mut a = Account::new(base_observed());
    a.converge(&desired(vec![svc("k8s-rates-http")], vec![old]));
    let old_id = a.observed.target_group("k8s-rates-http").expect("old").id.clone();

    let mut new = mk_tg("k8s-rates-https", "rates").targets(150);
    new.config.protocol = "HTTPS".into();
    let plan = a.converge(&desired(vec![svc("k8s-rates-https")], vec![new]));
    assert_eq!(
        ops(&plan),
        [
            "CreateTargetGroup",
            "RegisterTargets",
            "RegisterTargets",
            "BatchUpdateRule",
            "DeregisterTargets",
            "DeregisterTargets",
            "DeleteTargetGroup"
        ]
    );
    match &plan.actions[3] {
        Action::BatchUpdateRule(b) => {
            let action = b.rules[0].action.as_ref().expect("action");
            assert_eq!(action, &forward(&[("k8s-rates-https", 1)]), "the new group is named by name");
        }
        other => panic!("unexpected {other:?}"),
    }
    match &plan.actions[6] {
        Action::DeleteTargetGroup(d) => assert_eq!(d.target_group_identifier, old_id),
        other => panic!("unexpected {other:?}"),
    }
    assert!(a.observed.target_group("k8s-rates-http").is_none());
}

#[test]
fn health_checks_compare_on_the_fields_we_set() {
    let mut tg = mk_tg("k8s-rates", "rates");
    tg.config.health_check = Some(serde_json::json!({"enabled": true, "path": "/healthz", "port": null}));
    let (mut observed, _) = observe(&desired(vec![], vec![tg.clone()]));
    // Lattice fills in the rest.
    observed.target_groups[0].config.health_check =
        Some(serde_json::json!({"enabled": true, "path": "/healthz", "healthCheckIntervalSeconds": 30}));
    assert!(plan_all(&desired(vec![], vec![tg.clone()]), &observed).is_noop());
    tg.config.health_check = Some(serde_json::json!({"enabled": true, "path": "/ready"}));
    assert_eq!(ops(&plan_all(&desired(vec![], vec![tg.clone()]), &observed)), ["UpdateTargetGroup"]);
    // A disabled check compares on `enabled` alone.
    tg.config.health_check = Some(serde_json::json!({"enabled": false, "path": "/"}));
    observed.target_groups[0].config.health_check = Some(serde_json::json!({"enabled": false}));
    assert!(plan_all(&desired(vec![], vec![tg]), &observed).is_noop());

    // A port set earlier cannot be taken back in place: said, not ignored.
    let mut tg = mk_tg("k8s-rates", "rates");
    tg.config.health_check = Some(serde_json::json!({"enabled": true, "path": "/"}));
    observed.target_groups[0].config.health_check =
        Some(serde_json::json!({"enabled": true, "path": "/", "port": 8081}));
    let plan = plan_all(&desired(vec![], vec![tg]), &observed);
    assert!(plan.is_noop());
    assert_eq!(plan.refused[0].resource, "targetgroup/k8s-rates/healthcheck/port");
}

#[test]
fn a_service_network_this_run_creates_gets_its_auth_on_the_next_run() {
    let mut want = desired(vec![], vec![]);
    want.service_networks.push(crate::lattice::ServiceNetworkSpec {
        tags: Some(tags(&[(TAG_MANAGED_BY, MANAGED_BY)])),
        ..gateway_network("net-new")
    });
    want.auth_policies.push(network_auth("net-new"));
    let mut a = Account::new(base_observed());
    let plan = plan_all(&want, &a.observed);
    assert_eq!(ops(&plan), ["CreateServiceNetwork"]);
    assert_eq!(plan.refused[0].resource, "servicenetwork/net-new/authpolicy");
    assert!(plan.refused[0].reason.contains("next run"), "{}", plan.refused[0].reason);
    apply(&plan, &mut a.observed, &mut a.ids);
    let plan = a.converge(&want);
    assert_eq!(ops(&plan), ["PutAuthPolicy", "UpdateServiceNetwork"]);
}
