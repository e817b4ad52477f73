//! Route annotations and ACM discovery: what they change in the desired state, and the status a
//! route gets when one of them is invalid.

use super::tests_translation::{gateway, on_hotel, svc};
use crate::annotations::{
    ANNOTATION_SERVICE_NAME_OVERRIDE, ANNOTATION_STANDALONE, ANNOTATION_TAGS, TAG_ADDITIONAL_KEYS,
};
use crate::certificates::ObservedCertificate;
use crate::conditions::{reasons, types};
use crate::testing::*;

fn route(name: &str) -> RouteB {
    on_hotel(name).rule(rule().prefix("/a").backend(backend("review", 80)))
}

fn hotel(r: RouteB) -> World {
    world().with(gateway()).with(r).with(svc("review"))
}

fn accepted_message(t: &crate::translate::Translation, name: &str) -> String {
    let c = assert_cond(t.route("default", name, "my-hotel"), types::ACCEPTED, "True", reasons::ACCEPTED);
    c.message.clone()
}

fn rejected(t: &crate::translate::Translation, name: &str, reason: &str) -> String {
    assert!(t.desired.services.iter().all(|s| s.owner.as_ref().is_none_or(|o| o.name != name)));
    assert_cond(t.route("default", name, "my-hotel"), types::ACCEPTED, "False", reason).message.clone()
}

#[test]
fn standalone_routes_join_no_service_network_and_the_route_wins_over_the_gateway() {
    let t = run(&hotel(route("rates").annotation(ANNOTATION_STANDALONE, " TRUE ")).build());
    assert!(t.service("rates-default").service_networks.is_empty());
    assert_route_ok(t.route("default", "rates", "my-hotel"));

    let gw = || gateway().annotation(ANNOTATION_STANDALONE, "true");
    let t = run(&world().with(gw()).with(route("rates")).with(svc("review")).build());
    assert!(t.service("rates-default").service_networks.is_empty(), "the Gateway's annotation applies");
    let r = route("rates").annotation(ANNOTATION_STANDALONE, "false");
    let t = run(&world().with(gw()).with(r).with(svc("review")).build());
    assert_eq!(t.service("rates-default").service_networks, ["my-hotel"], "the route's annotation wins");
}

#[test]
fn an_invalid_standalone_value_reads_as_false_and_says_so() {
    for v in ["yes", "1", ""] {
        let t = run(&hotel(route("rates").annotation(ANNOTATION_STANDALONE, v)).build());
        assert_eq!(t.service("rates-default").service_networks, ["my-hotel"]);
        let message = accepted_message(&t, "rates");
        assert!(message.contains(ANNOTATION_STANDALONE) && message.contains("read as false"), "{message}");
    }
    let t = run(&world()
        .with(gateway().annotation(ANNOTATION_STANDALONE, "maybe"))
        .with(route("rates"))
        .with(svc("review"))
        .build());
    assert!(accepted_message(&t, "rates").contains("Gateway default/my-hotel"));
}

#[test]
fn a_service_name_override_names_the_service_but_not_its_listeners() {
    let t = run(&hotel(route("rates").annotation(ANNOTATION_SERVICE_NAME_OVERRIDE, "payments-api")).build());
    let s = t.service("payments-api");
    assert_eq!(s.listeners[0].name, "rates-default-80-http");
    assert_eq!(s.tags["application-networking.k8s.aws/RouteName"], "rates");
}

#[test]
fn an_invalid_service_name_override_rejects_only_that_route() {
    let snap =
        hotel(route("rates").annotation(ANNOTATION_SERVICE_NAME_OVERRIDE, "svc-bad")).with(route("parking")).build();
    let t = run(&snap);
    let message = rejected(&t, "rates", reasons::UNSUPPORTED_VALUE);
    assert!(message.contains(ANNOTATION_SERVICE_NAME_OVERRIDE) && message.contains("\"svc-bad\""), "{message}");
    assert_route_ok(t.route("default", "parking", "my-hotel"));
}

#[test]
fn additional_tags_go_on_every_resource_of_the_route() {
    let r = route("rates").annotation(ANNOTATION_TAGS, "Environment=Prod,Project=MyApp,aws:cost=1");
    let t = run(&hotel(r).build());
    let s = t.service("rates-default");
    let l = &s.listeners[0];
    let tg = t.target_group("rates", "review");
    for tags in [&s.tags, &l.tags, &l.rules[0].tags, &tg.tags] {
        assert_eq!(tags["Environment"], "Prod");
        assert_eq!(tags["Project"], "MyApp");
        assert!(tags.contains_key(TAG_ADDITIONAL_KEYS));
        assert!(!tags.contains_key("aws:cost"));
    }
    assert!(accepted_message(&t, "rates").contains("aws:cost"), "the dropped key is reported");
}

#[test]
fn invalid_tags_reject_the_route() {
    let t = run(&hotel(route("rates").annotation(ANNOTATION_TAGS, "Environment")).build());
    let message = rejected(&t, "rates", reasons::UNSUPPORTED_VALUE);
    assert!(message.contains(ANNOTATION_TAGS) && message.contains("\"Environment\""), "{message}");
}

fn three_rules(name: &str) -> RouteB {
    on_hotel(name)
        .rule(rule().prefix("/a").backend(backend("review", 80)))
        .rule(rule().prefix("/abc").backend(backend("review", 80)))
        .rule(rule().exact("/x").backend(backend("review", 80)))
}

fn priorities(t: &crate::translate::Translation, name: &str) -> Vec<(String, i32)> {
    let s = t.service(name);
    s.listeners[0]
        .rules
        .iter()
        .map(|r| {
            let crate::lattice::RuleMatch::HttpMatch(m) = &r.matcher;
            let path = m.path_match.as_ref().map(|p| format!("{:?}", p.matcher)).unwrap_or_default();
            (path, r.priority)
        })
        .collect()
}

#[test]
fn rule_priority_annotations_take_their_value_and_the_rest_follow_precedence() {
    let t = run(&hotel(three_rules("rates")).build());
    let p = |v: &[(&str, i32)]| v.iter().map(|(s, n)| ((*s).to_owned(), *n)).collect::<Vec<_>>();
    assert_eq!(
        priorities(&t, "rates-default"),
        p(&[("Exact(\"/x\")", 1), ("Prefix(\"/abc\")", 2), ("Prefix(\"/a\")", 3)])
    );
    let r = three_rules("rates")
        .annotation("application-networking.k8s.aws/rule-0-priority", "1")
        .annotation("application-networking.k8s.aws/rule-2-priority", "100");
    let t = run(&hotel(r).build());
    assert_eq!(
        priorities(&t, "rates-default"),
        p(&[("Prefix(\"/a\")", 1), ("Prefix(\"/abc\")", 2), ("Exact(\"/x\")", 100)])
    );
}

#[test]
fn invalid_rule_priorities_reject_the_route_with_the_annotation_named() {
    let cases = [
        ("rule-0-priority", "invalid", "\"invalid\""),
        ("rule-0-priority", "101", "from 1 to 100"),
        ("rule-7-priority", "5", "no rule 7"),
    ];
    for (key, value, expect) in cases {
        let r = three_rules("rates").annotation(&format!("application-networking.k8s.aws/{key}"), value);
        let t = run(&hotel(r).build());
        let message = rejected(&t, "rates", reasons::UNSUPPORTED_VALUE);
        assert!(message.contains(key) && message.contains(expect), "{message}");
    }
    let r = three_rules("rates")
        .annotation("application-networking.k8s.aws/rule-0-priority", "5")
        .annotation("application-networking.k8s.aws/rule-1-priority", "5");
    assert!(rejected(&run(&hotel(r).build()), "rates", reasons::UNSUPPORTED_VALUE).contains("also given"));
    let r = on_hotel("rates")
        .rule(rule().prefix("/a").prefix("/b").backend(backend("review", 80)))
        .annotation("application-networking.k8s.aws/rule-0-priority", "5");
    let message = rejected(&run(&hotel(r).build()), "rates", reasons::UNSUPPORTED_VALUE);
    assert!(message.contains("2 matches"), "{message}");
}

fn https_world(r: RouteB) -> World {
    world()
        .with(mk_gateway("default", "my-hotel").listener(listener("https", "HTTPS", 443).mode("Terminate")))
        .with(r)
        .with(svc("review"))
}

fn cert(arn: &str, names: &[&str], key: &str, issued: i64) -> ObservedCertificate {
    ObservedCertificate {
        arn: arn.into(),
        domain_name: names.first().map(|n| (*n).to_owned()),
        subject_alternative_names: names.iter().map(|n| (*n).to_owned()).collect(),
        status: "ISSUED".into(),
        key_algorithm: Some(key.into()),
        issued_at: Some(issued),
        imported_at: None,
        created_at: None,
    }
}

#[test]
fn https_without_a_certificate_option_discovers_one_in_acm() {
    let snap = https_world(route("rates").hostname("rates.example.com")).build();
    // Before the certificates are read, the route asks for them and is not judged.
    let t = run(&snap);
    assert_eq!(t.certificate_lookups.values().collect::<Vec<_>>(), ["rates.example.com"]);
    assert_eq!(t.service("rates-default").certificate_arn, None);

    let mut observed = networks_for(&snap);
    observed.certificates = Some(vec![
        cert("arn:aws:acm:us-west-2:123456789012:certificate/wild", &["*.example.com"], "EC_prime256v1", 300),
        cert("arn:aws:acm:us-west-2:123456789012:certificate/exact", &["rates.example.com"], "RSA_4096", 100),
    ]);
    let t = run_with(&snap, &observed, now());
    assert_eq!(
        t.service("rates-default").certificate_arn.as_deref(),
        Some("arn:aws:acm:us-west-2:123456789012:certificate/exact")
    );

    observed.certificates = Some(vec![cert("arn:x", &["*.example.org"], "RSA_2048", 1)]);
    let t = run_with(&snap, &observed, now());
    let message = rejected(&t, "rates", reasons::CERTIFICATE_NOT_FOUND);
    assert!(message.contains("rates.example.com") && message.contains("certificate-arn"), "{message}");
}

#[test]
fn a_certificate_option_or_no_hostname_needs_no_discovery() {
    let with_option = world()
        .with(mk_gateway("default", "my-hotel").listener(listener("https", "HTTPS", 443).mode("Terminate").option(
            "application-networking.k8s.aws/certificate-arn",
            "arn:aws:acm:us-west-2:123456789012:certificate/given",
        )))
        .with(route("rates").hostname("rates.example.com"))
        .with(svc("review"))
        .build();
    let t = run(&with_option);
    assert!(t.certificate_lookups.is_empty());
    assert_eq!(
        t.service("rates-default").certificate_arn.as_deref(),
        Some("arn:aws:acm:us-west-2:123456789012:certificate/given")
    );
    let t = run(&https_world(route("rates")).build());
    assert!(t.certificate_lookups.is_empty(), "no hostname: VPC Lattice's own certificate");
    assert_route_ok(t.route("default", "rates", "my-hotel"));
}

#[test]
fn a_changed_hostname_says_the_dns_name_changes() {
    let snap = hotel(route("rates").hostname("new.example.com")).build();
    let mut observed = networks_for(&snap);
    let mut existing = observed_service("rates-default", MANAGED_BY);
    existing.custom_domain_name = Some("old.example.com".into());
    observed.services.push(existing);
    let message = accepted_message(&run_with(&snap, &observed, now()), "rates");
    assert!(
        message.contains("old.example.com to new.example.com") && message.contains("DNS name changes"),
        "{message}"
    );
}
