//! Auth policies, access log subscriptions and target group settings against the emulator over
//! HTTP: created, changed in place, replaced where Lattice needs a new resource, removed
//! cleanly, and a second run plans nothing, at a counted cost.

mod common;

use common::*;
use lattice_sim::SimConfig;
use model::lattice::{AccessLogSubscriptionSpec, AuthPolicySpec, DesiredState, PolicyResource, ServiceNetworkSpec};
use model::names::{TAG_ACCESS_LOG_POLICY, TAG_MANAGED_BY};
use serde_json::json;

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;
const GROUP: &str = "arn:aws:logs:us-west-2:123456789012:log-group:/lattice/rates";
const BUCKET: &str = "arn:aws:s3:::lattice-access-logs";
/// A service network of ours.
const OURS: &str = "net-ours";

fn auth(resource: PolicyResource, policy: &str) -> AuthPolicySpec {
    AuthPolicySpec { resource, policy: policy.to_owned(), owner: None }
}

fn logs(resource: PolicyResource, policy: &str, destination: &str) -> AccessLogSubscriptionSpec {
    AccessLogSubscriptionSpec {
        resource,
        destination_arn: destination.to_owned(),
        tags: tags(&[(TAG_MANAGED_BY, MANAGED_BY), (TAG_ACCESS_LOG_POLICY, policy)]),
        owner: None,
    }
}

fn with_policies() -> DesiredState {
    let mut desired = desired();
    // Our network belongs to a Gateway, so it stays.
    desired.gateway_names.insert(OURS.to_owned());
    desired.service_networks.push(ServiceNetworkSpec {
        name: OURS.to_owned(),
        gateways: vec![format!("default/{OURS}")],
        tags: None,
        adopt: false,
        vpc_association: None,
    });
    desired.auth_policies = vec![
        auth(PolicyResource::service("rates-default"), POLICY),
        auth(PolicyResource::service_network(OURS), POLICY),
    ];
    desired.access_log_subscriptions = vec![
        logs(PolicyResource::service("rates-default"), "default/rates-logs", GROUP),
        logs(PolicyResource::service_network(OURS), "default/net-logs", BUCKET),
    ];
    desired
}

/// Operation names of the last plan `converge`-like runs made, after one run.
async fn ops_of_one_run(lattice: &lattice::Lattice, desired: &DesiredState) -> Vec<String> {
    let (plan, report, _) = run(lattice, desired).await;
    assert!(report.is_complete(), "{report:#?}");
    plan.actions.iter().map(|a| a.op().to_owned()).collect()
}

#[tokio::test]
async fn auth_and_access_logs_are_created_changed_and_removed_cleanly() {
    let sim = sim(SimConfig::default()).await;
    let (network, _) = sim.seed_service_network(OURS, &tags(&[(TAG_MANAGED_BY, MANAGED_BY)])).expect("seeded");
    let lattice = adapter(&sim, fast()).await;
    let client = raw(&sim).await;
    let mut desired = with_policies();

    let ops = ops_of_one_run(&lattice, &desired).await;
    for op in ["PutAuthPolicy", "UpdateService", "UpdateServiceNetwork", "CreateAccessLogSubscription"] {
        assert!(ops.iter().any(|o| o == op), "{op} in {ops:?}");
    }
    let rates = client.list_services().send().await.expect("list");
    let rates = rates.items().iter().find(|s| s.name() == Some("rates-default")).and_then(|s| s.id()).expect("rates");
    let service = client.get_service().service_identifier(rates).send().await.expect("get");
    assert_eq!(service.auth_type().map(|t| t.as_str()), Some("AWS_IAM"));
    let policy = client.get_auth_policy().resource_identifier(rates).send().await.expect("policy");
    assert_eq!(policy.state().map(|s| s.as_str()), Some("Active"));
    let sn = client.get_service_network().service_network_identifier(&network).send().await.expect("network");
    assert_eq!(sn.auth_type().map(|t| t.as_str()), Some("AWS_IAM"));
    let subscriptions = client.list_access_log_subscriptions().resource_identifier(rates).send().await.expect("list");
    assert_eq!(subscriptions.items().len(), 1);
    assert_eq!(subscriptions.items()[0].destination_arn(), GROUP);

    // Steady state: reads only, and few of them.
    sim.reset_calls();
    let (plan, _, observed) = run(&lattice, &desired).await;
    assert!(plan.is_noop(), "{:#?}", plan.actions);
    let steady = sim.calls();
    eprintln!("steady run with policies: {} calls: {steady:?}", total(&steady));
    assert!(mutations(&steady).is_empty(), "{steady:?}");
    assert_eq!(steady.get("GetAuthPolicy"), Some(&2), "one per resource with IAM auth");
    assert_eq!(steady.get("GetServiceNetwork"), Some(&1), "only the network we own");
    assert_eq!(steady.get("GetAccessLogSubscription"), Some(&2), "one per subscription we own");
    assert_eq!(steady.get("ListAccessLogSubscriptions"), None);
    assert_eq!(observed.auth.iter().filter(|a| a.is_iam()).count(), 2);

    // Changed in place: a new document, another log group; a new destination type replaces.
    desired.auth_policies[0].policy = POLICY.replace("Allow", "Deny");
    desired.access_log_subscriptions[0].destination_arn = format!("{GROUP}-v2");
    desired.access_log_subscriptions[1].destination_arn =
        "arn:aws:firehose:us-west-2:123456789012:deliverystream/lattice".into();
    let ops = ops_of_one_run(&lattice, &desired).await;
    assert_eq!(
        ops,
        [
            "PutAuthPolicy",
            "UpdateAccessLogSubscription",
            "CreateAccessLogSubscription",
            "DeleteAccessLogSubscription",
            "TagResource"
        ],
        "then the service's new fingerprint"
    );
    let policy = client.get_auth_policy().resource_identifier(rates).send().await.expect("policy");
    assert!(policy.policy().is_some_and(|p| p.contains("Deny")));
    let on_network = client.list_access_log_subscriptions().resource_identifier(&network).send().await.expect("list");
    let destinations: Vec<&str> = on_network.items().iter().map(|a| a.destination_arn()).collect();
    assert_eq!(destinations, ["arn:aws:firehose:us-west-2:123456789012:deliverystream/lattice"]);
    assert_eq!(converge(&lattice, &desired, 1).await, 0, "a second run plans nothing");

    // Removed: IAM off first, then the policy; subscriptions deleted.
    desired.auth_policies.clear();
    desired.access_log_subscriptions.clear();
    let ops = ops_of_one_run(&lattice, &desired).await;
    let position = |op: &str| ops.iter().position(|o| o == op).unwrap_or_else(|| panic!("{op} in {ops:?}"));
    assert!(position("UpdateService") < position("DeleteAuthPolicy"));
    assert_eq!(ops.iter().filter(|o| *o == "DeleteAccessLogSubscription").count(), 2);
    let service = client.get_service().service_identifier(rates).send().await.expect("get");
    assert_eq!(service.auth_type().map(|t| t.as_str()), Some("NONE"));
    let policy = client.get_auth_policy().resource_identifier(rates).send().await.expect("answers");
    assert!(policy.policy().is_none());
    let sn = client.get_service_network().service_network_identifier(&network).send().await.expect("network");
    assert_eq!(sn.auth_type().map(|t| t.as_str()), Some("NONE"));
    for resource in [rates, network.as_str()] {
        let left = client.list_access_log_subscriptions().resource_identifier(resource).send().await.expect("list");
        assert!(left.items().is_empty(), "{resource}: {:?}", left.items());
    }
    sim.reset_calls();
    assert_eq!(converge(&lattice, &desired, 1).await, 0);
    let after = sim.calls();
    assert_eq!(after.get("GetAuthPolicy"), None, "no IAM auth left, so no policy is read: {after:?}");
}

#[tokio::test]
async fn a_shared_service_network_is_never_touched() {
    let sim = sim(SimConfig::default()).await;
    let lattice = adapter(&sim, fast()).await;
    let mut desired = desired();
    desired.auth_policies = vec![auth(PolicyResource::service_network(NETWORK), POLICY)];
    desired.access_log_subscriptions = vec![logs(PolicyResource::service_network(NETWORK), "default/l", BUCKET)];
    converge(&lattice, &desired, 3).await;
    sim.reset_calls();
    let (plan, _, _) = run(&lattice, &desired).await;
    assert!(plan.is_noop());
    let refused: Vec<&str> = plan.refused.iter().map(|r| r.resource.as_str()).collect();
    assert_eq!(refused, ["servicenetwork/net-a/authpolicy", "servicenetwork/net-a/accesslogsubscription"]);
    let calls = sim.calls();
    assert_eq!(calls.get("GetServiceNetwork"), None, "{calls:?}");
    let client = raw(&sim).await;
    let sn = client.list_service_networks().send().await.expect("list");
    let id = sn.items().iter().find(|s| s.name() == Some(NETWORK)).and_then(|s| s.id()).expect("net-a");
    let sn = client.get_service_network().service_network_identifier(id).send().await.expect("get");
    assert_eq!(sn.auth_type().map(|t| t.as_str()), Some("NONE"));
}

#[tokio::test]
async fn health_checks_change_in_place_and_a_protocol_change_moves_rules_first() {
    let sim = sim(SimConfig::default()).await;
    let lattice = adapter(&sim, fast()).await;
    let client = raw(&sim).await;
    let mut desired = desired();
    let check = json!({
        "enabled": true, "protocol": "HTTP", "protocolVersion": "HTTP1", "path": "/healthz",
        "healthCheckIntervalSeconds": 10, "healthCheckTimeoutSeconds": 5, "healthyThresholdCount": 3,
        "unhealthyThresholdCount": 2, "matcher": {"httpCode": "200-299"},
    });
    desired.target_groups[2].config.health_check = Some(check.clone());
    assert_eq!(converge(&lattice, &desired, 3).await, 1);

    let mut changed = check.clone();
    changed["path"] = json!("/ready");
    desired.target_groups[2].config.health_check = Some(changed);
    assert_eq!(ops_of_one_run(&lattice, &desired).await, ["UpdateTargetGroup", "TagResource"], "then its fingerprint");
    let tgs = client.list_target_groups().send().await.expect("list");
    let parking = tgs.items().iter().find(|t| t.name() == Some("k8s-default-parking")).and_then(|t| t.id());
    let parking = parking.expect("parking").to_owned();
    let got = client.get_target_group().target_group_identifier(&parking).send().await.expect("get");
    let path = got.config().and_then(|c| c.health_check()).and_then(|h| h.path());
    assert_eq!(path, Some("/ready"));
    assert_eq!(converge(&lattice, &desired, 1).await, 0);

    // HTTPS: a new target group, the rule and the default action move to it, then the old one
    // is drained and deleted.
    let mut https = desired.target_groups[2].clone();
    https.name = "k8s-default-parking-https".into();
    https.config.protocol = "HTTPS".into();
    desired.target_groups[2] = https;
    let parking_svc = desired.services.iter_mut().find(|s| s.name == "parking-default").expect("parking");
    parking_svc.listeners[0].default_action = forward(&[("k8s-default-parking-https", 1)]);
    parking_svc.listeners[0].rules[0].action = forward(&[("k8s-default-parking-https", 1)]);
    let ops = ops_of_one_run(&lattice, &desired).await;
    let position = |op: &str| ops.iter().position(|o| o == op).unwrap_or_else(|| panic!("{op} in {ops:?}"));
    assert!(position("CreateTargetGroup") < position("RegisterTargets"));
    assert!(position("RegisterTargets") < position("UpdateListener"));
    assert!(position("BatchUpdateRule") < position("DeregisterTargets"));
    assert!(position("DeregisterTargets") < position("DeleteTargetGroup"));
    let old = client.get_target_group().target_group_identifier(&parking).send().await;
    assert!(
        old.map_or(true, |tg| tg.status().map(|s| s.as_str()) == Some("DELETE_IN_PROGRESS")),
        "the old target group goes"
    );
    assert_eq!(converge(&lattice, &desired, 2).await, 0, "a second run plans nothing");
}
