//! IAMAuthPolicy and AccessLogPolicy: targets, validation, conflicts and ownership.

use serde_json::json;

use super::tests_target_group_policy::policy_condition;
use super::tests_translation::{gateway, on_hotel, svc};
use crate::lattice::{PolicyResource, PolicyResourceType};
use crate::names::{TAG_ACCESS_LOG_POLICY, TAG_MANAGED_BY};
use crate::observed::ObservedState;
use crate::testing::*;

const DOC: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"vpc-lattice-svcs:Invoke\", \"Resource\": \"*\"}]\n}";
const GROUP: &str = "arn:aws:logs:us-west-2:123456789012:log-group:/lattice/hotel";

fn hotel() -> World {
    world().with(gateway()).with(svc("parking")).with(on_hotel("rates").rule(rule().backend(backend("parking", 80))))
}

/// The hotel's service network, owned by us.
fn owned(snapshot: &crate::snapshot::ClusterSnapshot) -> ObservedState {
    let mut observed = networks_for(snapshot);
    for sn in &mut observed.service_networks {
        sn.tags.insert(TAG_MANAGED_BY.into(), MANAGED_BY.into());
    }
    observed
}

#[test]
fn an_auth_policy_on_a_route_is_minified_onto_its_service() {
    let snap = hotel().with(mk_iap("default", "rates-auth", "HTTPRoute", "rates", DOC)).build();
    let t = run(&snap);
    assert_eq!(t.desired.auth_policies.len(), 1);
    let spec = &t.desired.auth_policies[0];
    assert_eq!(spec.resource, PolicyResource::service("rates-default"));
    assert!(!spec.policy.contains('\n') && spec.policy.starts_with("{\"Statement\""), "{}", spec.policy);
    assert_eq!(spec.owner.as_ref().map(|o| o.kind.as_str()), Some("HTTPRoute"));
    let c = policy_condition(&t, "IAMAuthPolicy", "rates-auth");
    assert_eq!((c.status.as_str(), c.reason.as_str()), ("True", "Accepted"));
    assert!(c.message.contains("VPC Lattice service rates-default"), "{}", c.message);
}

#[test]
fn a_gateway_policy_applies_only_to_a_service_network_we_own() {
    let snap = hotel().with(mk_iap("default", "net-auth", "Gateway", "my-hotel", DOC)).build();
    let t = run_with(&snap, &owned(&snap), now());
    assert_eq!(t.desired.auth_policies[0].resource, PolicyResource::service_network("my-hotel"));
    assert_eq!(t.desired.auth_policies[0].owner, None);
    assert_eq!(policy_condition(&t, "IAMAuthPolicy", "net-auth").reason, "Accepted");

    // A shared network: reported, never touched.
    let t = run(&snap);
    assert!(t.desired.auth_policies.is_empty());
    let c = policy_condition(&t, "IAMAuthPolicy", "net-auth");
    assert_eq!((c.status.as_str(), c.reason.as_str()), ("False", "Invalid"));
    assert!(c.message.contains("service network my-hotel") && c.message.contains("not managed by this controller"));

    // No network at all.
    let t = run_with(&snap, &ObservedState::default(), now());
    assert_eq!(policy_condition(&t, "IAMAuthPolicy", "net-auth").reason, "TargetNotFound");
}

#[test]
fn bad_documents_are_invalid_naming_spec_policy() {
    let big = format!("{{\"Statement\": \"{}\"}}", "x".repeat(11 * 1024));
    for (document, expected) in [
        ("{not json", "spec.policy: not a valid JSON document"),
        ("[1, 2]", "spec.policy: an IAM policy document is a JSON object"),
        (big.as_str(), "exceed VPC Lattice's auth policy size limit"),
    ] {
        let t = run(&hotel().with(mk_iap("default", "bad", "HTTPRoute", "rates", document)).build());
        let c = policy_condition(&t, "IAMAuthPolicy", "bad");
        assert_eq!(c.reason, "Invalid");
        assert!(c.message.contains(expected), "{expected} in {}", c.message);
        assert!(t.desired.auth_policies.is_empty());
    }
}

#[test]
fn targets_that_are_missing_unaccepted_or_elsewhere() {
    let snap = world()
        .with(gateway())
        .with(svc("parking"))
        .with(
            mk_route("default", "orphan")
                .parent(parent("no-such-gateway"))
                .rule(rule().backend(backend("parking", 80))),
        )
        .with(mk_iap("default", "missing", "HTTPRoute", "nowhere", DOC))
        .with(mk_iap("default", "orphaned", "HTTPRoute", "orphan", DOC))
        .with(mk_iap("default", "grpc", "GRPCRoute", "orphan", DOC))
        .with(mk_iap("default", "other-ns", "HTTPRoute", "orphan", DOC).target_ns("kube-system"))
        .with(mk_iap("default", "tls", "TLSRoute", "orphan", DOC))
        .build();
    let t = run(&snap);
    let c = policy_condition(&t, "IAMAuthPolicy", "missing");
    assert_eq!(
        (c.reason.as_str(), c.message.as_str()),
        ("TargetNotFound", "spec.targetRef: HTTPRoute default/nowhere not found")
    );
    let c = policy_condition(&t, "IAMAuthPolicy", "orphaned");
    assert_eq!(c.reason, "TargetNotFound");
    assert!(c.message.contains("has no VPC Lattice service"), "{}", c.message);
    assert_eq!(policy_condition(&t, "IAMAuthPolicy", "grpc").reason, "TargetNotFound");
    assert_eq!(policy_condition(&t, "IAMAuthPolicy", "other-ns").reason, "Invalid");
    let c = policy_condition(&t, "IAMAuthPolicy", "tls");
    assert!(c.reason == "Invalid" && c.message.contains("TLSRoute"), "{}", c.message);
    assert!(t.desired.auth_policies.is_empty());
}

#[test]
fn one_policy_per_target_the_oldest() {
    let snap = hotel()
        .with(mk_iap("default", "second", "HTTPRoute", "rates", "{}").created("2024-03-01T00:00:00Z"))
        .with(mk_iap("default", "first", "HTTPRoute", "rates", DOC).created("2024-02-01T00:00:00Z"))
        .build();
    let t = run(&snap);
    assert_eq!(policy_condition(&t, "IAMAuthPolicy", "first").reason, "Accepted");
    assert_eq!(policy_condition(&t, "IAMAuthPolicy", "second").reason, "Conflicted");
    assert_eq!(t.desired.auth_policies.len(), 1);
    assert!(t.desired.auth_policies[0].policy.contains("Allow"));
}

#[test]
fn access_logs_go_to_validated_destinations_tagged_with_their_policy() {
    let snap = hotel()
        .with(mk_alp("default", "route-logs", "HTTPRoute", "rates", "arn:aws:s3:::hotel-logs"))
        .with(mk_alp("default", "net-logs", "Gateway", "my-hotel", GROUP))
        .build();
    let t = run_with(&snap, &owned(&snap), now());
    assert_eq!(t.desired.access_log_subscriptions.len(), 2);
    let route = t
        .desired
        .access_log_subscriptions
        .iter()
        .find(|s| s.resource.resource_type == PolicyResourceType::Service)
        .expect("route subscription");
    assert_eq!(route.resource.resource_identifier, "rates-default");
    assert_eq!(route.tags.get(TAG_ACCESS_LOG_POLICY).map(String::as_str), Some("default/route-logs"));
    assert_eq!(route.tags.get(TAG_MANAGED_BY).map(String::as_str), Some(MANAGED_BY));
    let c = policy_condition(&t, "AccessLogPolicy", "route-logs");
    assert_eq!(c.reason, "Accepted");
    assert!(c.message.contains("S3 bucket arn:aws:s3:::hotel-logs"), "{}", c.message);
    let c = policy_condition(&t, "AccessLogPolicy", "net-logs");
    assert!(c.message.contains("service network my-hotel") && c.message.contains("CloudWatch Logs"), "{}", c.message);

    // The shared network of the default world is not ours.
    let t = run(&snap);
    assert_eq!(policy_condition(&t, "AccessLogPolicy", "net-logs").reason, "Invalid");
    assert_eq!(t.desired.access_log_subscriptions.len(), 1);
}

#[test]
fn access_log_destinations_must_be_log_destinations() {
    let snap = hotel()
        .with(mk_alp("default", "queue", "HTTPRoute", "rates", "arn:aws:sqs:us-west-2:123456789012:q"))
        .with(mk_alp("default", "none", "HTTPRoute", "rates", "").spec("destinationArn", json!(null)))
        .with(mk_alp("default", "late", "HTTPRoute", "rates", GROUP).created("2025-01-01T00:00:00Z"))
        .with(mk_alp("default", "early", "HTTPRoute", "rates", GROUP).created("2024-06-01T00:00:00Z"))
        .build();
    let t = run(&snap);
    let c = policy_condition(&t, "AccessLogPolicy", "queue");
    assert_eq!(c.reason, "Invalid");
    assert!(c.message.starts_with("spec.destinationArn: arn:aws:sqs"), "{}", c.message);
    assert_eq!(policy_condition(&t, "AccessLogPolicy", "none").message, "spec.destinationArn: required");
    assert_eq!(policy_condition(&t, "AccessLogPolicy", "late").reason, "Conflicted");
    assert_eq!(policy_condition(&t, "AccessLogPolicy", "early").reason, "Accepted");
    assert_eq!(t.desired.access_log_subscriptions.len(), 1);
}

#[test]
fn the_tags_annotation_of_an_access_log_policy_tags_its_subscription() {
    let policy = mk_alp("default", "logs", "HTTPRoute", "rates", GROUP);
    let snap = hotel().with(policy.annotation(crate::annotations::ANNOTATION_TAGS, "Team=Pay, aws:x=1")).build();
    let t = run(&snap);
    let tags = &t.desired.access_log_subscriptions[0].tags;
    assert_eq!(tags.get("Team").map(String::as_str), Some("Pay"));
    assert!(tags.contains_key(crate::annotations::TAG_ADDITIONAL_KEYS));
    let c = policy_condition(&t, "AccessLogPolicy", "logs");
    assert_eq!(c.reason, "Accepted");
    assert!(c.message.contains("\"aws:x\" is reserved"), "{}", c.message);

    let policy = mk_alp("default", "logs", "HTTPRoute", "rates", GROUP);
    let snap = hotel().with(policy.annotation(crate::annotations::ANNOTATION_TAGS, "no-equals")).build();
    let t = run(&snap);
    assert!(!t.desired.access_log_subscriptions[0].tags.contains_key("no-equals"));
    let c = policy_condition(&t, "AccessLogPolicy", "logs");
    assert!(c.reason == "Accepted" && c.message.contains("no additional tags are applied"), "{}", c.message);
}

#[test]
fn a_gateway_policy_on_the_default_service_network_we_create_is_accepted_before_it_exists() {
    let mut config = config();
    config.default_service_network = Some("my-hotel".into());
    let snap = hotel().with(mk_iap("default", "net-auth", "Gateway", "my-hotel", DOC)).build();
    let t = crate::translate::translate(&snap, &ObservedState::default(), &config, now());
    assert_eq!(policy_condition(&t, "IAMAuthPolicy", "net-auth").reason, "Accepted");
    assert_eq!(t.desired.auth_policies[0].resource, PolicyResource::service_network("my-hotel"));
}
