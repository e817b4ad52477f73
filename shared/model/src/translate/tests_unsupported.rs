//! What VPC Lattice cannot do is rejected visibly: dropped rules (`PartiallyInvalid`), rejected
//! routes and parents, quotas, and Lattice names that belong to someone else.

use serde_json::{Value, json};

use crate::lattice::PathMatchType;
use crate::lattice::RuleMatch;
use crate::observed::ObservedState;
use crate::testing::*;

fn hotel() -> World {
    world()
        .with(mk_gateway("default", "my-hotel").listener(listener("http", "HTTP", 80)))
        .with(mk_service("default", "review").port("", 80, 8080))
}

fn ok_rule() -> RuleB {
    rule().prefix("/ok").backend(backend("review", 80))
}

fn bad() -> RuleB {
    rule().prefix("/bad")
}

fn with_filter(f: Value) -> RuleB {
    bad().filter(f).backend(backend("review", 80))
}

/// One rule per feature VPC Lattice lacks, with a fragment of the message that names it.
fn unsupported_rules() -> Vec<(&'static str, RuleB)> {
    let header_set = json!({"set": [{"name": "x-a", "value": "1"}]});
    vec![
        (
            "RequestHeaderModifier filters",
            with_filter(json!({"type": "RequestHeaderModifier", "requestHeaderModifier": header_set})),
        ),
        (
            "ResponseHeaderModifier filters",
            with_filter(json!({"type": "ResponseHeaderModifier", "responseHeaderModifier": header_set})),
        ),
        (
            "RequestMirror filters",
            with_filter(json!({"type": "RequestMirror", "requestMirror": {"backendRef": {"name": "review", "port": 80}}})),
        ),
        (
            "RequestRedirect filters",
            bad().filter(json!({"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}})),
        ),
        (
            "URLRewrite filters",
            with_filter(json!({"type": "URLRewrite", "urlRewrite": {"hostname": "x.example.com"}})),
        ),
        (
            "CORS filters",
            with_filter(json!({"type": "CORS", "cors": {"allowOrigins": ["https://a.example.com"]}})),
        ),
        (
            "ExtensionRef filters",
            with_filter(json!({"type": "ExtensionRef", "extensionRef": {"group": "example.com", "kind": "Foo", "name": "bar"}})),
        ),
        (
            "queryParams",
            rule()
                .matching(json!({"path": {"value": "/bad"}, "queryParams": [{"type": "Exact", "name": "q", "value": "1"}]}))
                .backend(backend("review", 80)),
        ),
        (
            "RegularExpression path",
            rule()
                .matching(json!({"path": {"type": "RegularExpression", "value": "/bad/.*"}}))
                .backend(backend("review", 80)),
        ),
        (
            "RegularExpression header",
            rule()
                .matching(json!({"path": {"value": "/bad"}, "headers": [{"type": "RegularExpression", "name": "x", "value": "a.*"}]}))
                .backend(backend("review", 80)),
        ),
        (
            "at most 5 per rule",
            (1..=6)
                .fold(bad(), |r, i| r.header(&format!("x-h{i}"), "1"))
                .backend(backend("review", 80)),
        ),
        (
            "timeouts",
            bad()
                .set("timeouts", json!({"request": "10s"}))
                .backend(backend("review", 80)),
        ),
        (
            "backendRefs[0].filters",
            bad().backend(backend("review", 80).filter(
                json!({"type": "RequestHeaderModifier", "requestHeaderModifier": header_set}),
            )),
        ),
    ]
}

#[test]
fn each_unsupported_feature_drops_its_rule() {
    for (fragment, bad_rule) in unsupported_rules() {
        let snap = hotel()
            .with(mk_route("default", "partial").parent(parent("my-hotel")).rule(ok_rule()).rule(bad_rule))
            .build();
        let t = run(&snap);
        let route = t.route("default", "partial", "my-hotel");
        assert_cond(route, "Accepted", "True", "Accepted");
        let partial = assert_cond(route, "PartiallyInvalid", "True", "UnsupportedValue");
        assert!(
            partial.message.starts_with("Dropped Rule 1: ") && partial.message.contains(fragment),
            "{fragment}: {}",
            partial.message
        );
        let rules = &t.service("partial-default").listeners[0].rules;
        assert_eq!(rules.len(), 1, "{fragment}");
        let RuleMatch::HttpMatch(m) = &rules[0].matcher;
        assert_eq!(m.path_match.as_ref().map(|p| &p.matcher), Some(&PathMatchType::Prefix("/ok".into())), "{fragment}");
    }
}

#[test]
fn a_route_with_nothing_left_is_not_accepted() {
    for (fragment, bad_rule) in unsupported_rules() {
        let snap = hotel().with(mk_route("default", "hopeless").parent(parent("my-hotel")).rule(bad_rule)).build();
        let t = run(&snap);
        let route = t.route("default", "hopeless", "my-hotel");
        let accepted = assert_cond(route, "Accepted", "False", "UnsupportedValue");
        assert!(
            accepted.message.contains("Dropped Rule 0: ") && accepted.message.contains(fragment),
            "{fragment}: {}",
            accepted.message
        );
        assert_no_cond(route, "PartiallyInvalid");
        assert!(t.desired.services.is_empty(), "{fragment}");
        assert!(t.desired.target_groups.is_empty(), "{fragment}");
        assert_eq!(t.listener("default", "my-hotel", "http").attached_routes, 0);
    }
}

#[test]
fn unknown_rule_fields_drop_the_rule() {
    let snap = hotel()
        .with(
            mk_route("default", "sticky")
                .parent(parent("my-hotel"))
                .rule(rule().prefix("/sticky").backend(backend("review", 80)))
                .rule(ok_rule()),
        )
        .unknown_field("HTTPRoute", "default", "sticky", "spec.rules[0].sessionPersistence")
        .build();
    let t = run(&snap);
    let route = t.route("default", "sticky", "my-hotel");
    assert_cond(route, "Accepted", "True", "Accepted");
    let partial = assert_cond(route, "PartiallyInvalid", "True", "UnsupportedValue");
    assert!(partial.message.starts_with("Dropped Rule 0: spec.rules[0].sessionPersistence"), "{}", partial.message);
    assert_eq!(t.service("sticky-default").listeners[0].rules.len(), 1);
}

#[test]
fn rules_beyond_the_listener_quota_are_dropped_from_the_end() {
    let route = (0..11).fold(mk_route("default", "many").parent(parent("my-hotel")), |r, i| {
        r.rule(rule().prefix(&format!("/r{i}")).backend(backend("review", 80)))
    });
    let t = run(&hotel().with(route).build());
    let route = t.route("default", "many", "my-hotel");
    assert_cond(route, "Accepted", "True", "Accepted");
    let partial = assert_cond(route, "PartiallyInvalid", "True", "UnsupportedValue");
    assert!(
        partial.message.starts_with("Dropped Rule 10: ")
            && partial.message.contains("11 VPC Lattice rules")
            && partial.message.contains("10"),
        "{}",
        partial.message
    );
    let rules = &t.service("many-default").listeners[0].rules;
    assert_eq!(rules.len(), 10);
    assert!(rules.iter().all(|r| {
        let RuleMatch::HttpMatch(m) = &r.matcher;
        m.path_match.as_ref().map(|p| &p.matcher) != Some(&PathMatchType::Prefix("/r10".into()))
    }));
}

fn three_ports() -> GatewayB {
    mk_gateway("default", "ports")
        .listener(listener("l80", "HTTP", 80))
        .listener(listener("l8080", "HTTP", 8080))
        .listener(listener("l8081", "HTTP", 8081))
}

#[test]
fn a_parent_beyond_the_listener_quota_is_rejected() {
    let snap = hotel()
        .with(three_ports())
        .with(
            mk_route("default", "wide")
                .parent(parent("ports").section("l80"))
                .parent(parent("ports").section("l8080"))
                .parent(parent("ports").section("l8081"))
                .rule(rule().backend(backend("review", 80))),
        )
        .build();
    let t = run(&snap);
    let parents = t.parents("HTTPRoute", "default", "wide");
    assert_eq!(parents.len(), 3);
    assert_route_ok(&parents[0].conditions);
    assert_route_ok(&parents[1].conditions);
    let rejected = assert_cond(&parents[2].conditions, "Accepted", "False", "UnsupportedValue");
    assert!(rejected.message.contains("2 listeners per service"), "{}", rejected.message);
    let ports: Vec<i32> = t.service("wide-default").listeners.iter().map(|l| l.port).collect();
    assert_eq!(ports, [80, 8080]);
    assert_eq!(t.listener("default", "ports", "l8081").attached_routes, 0);
}

#[test]
fn listeners_of_one_parent_beyond_the_quota_are_named_and_not_counted() {
    let snap = hotel()
        .with(three_ports())
        .with(mk_route("default", "wide").parent(parent("ports")).rule(rule().backend(backend("review", 80))))
        .build();
    let t = run(&snap);
    let route = t.route("default", "wide", "ports");
    let accepted = assert_cond(route, "Accepted", "True", "Accepted");
    assert!(accepted.message.contains("l8081 (port 8081)"), "{}", accepted.message);
    let ports: Vec<i32> = t.service("wide-default").listeners.iter().map(|l| l.port).collect();
    assert_eq!(ports, [80, 8080]);
    for (l, count) in [("l80", 1), ("l8080", 1), ("l8081", 0)] {
        assert_eq!(t.listener("default", "ports", l).attached_routes, count, "{l}");
    }
}

#[test]
fn service_name_collision_keeps_the_older_route() {
    let route = |name: &str, created: i64| {
        mk_route("default", name)
            .parent(parent("my-hotel"))
            .created(created)
            .rule(rule().backend(backend("review", 80)))
    };
    let snap = hotel()
        .with(route("a-very-long-route-name-one", 2_000))
        .with(route("a-very-long-route-name-two", 1_000))
        .build();
    let t = run(&snap);
    assert_eq!(t.desired.services.len(), 1);
    let service = t.service("a-very-long-route-na-default");
    assert_eq!(
        service.tags.get("application-networking.k8s.aws/RouteName").map(String::as_str),
        Some("a-very-long-route-name-two")
    );
    assert_route_ok(t.route("default", "a-very-long-route-name-two", "my-hotel"));
    let newer = t.route("default", "a-very-long-route-name-one", "my-hotel");
    let conflicted = assert_cond(newer, "Accepted", "False", "Conflicted");
    assert!(conflicted.message.contains("a-very-long-route-name-two"), "{}", conflicted.message);
    assert_eq!(t.desired.target_groups.len(), 1);
    assert_eq!(t.listener("default", "my-hotel", "http").attached_routes, 1);
}

#[test]
fn a_lattice_service_of_another_owner_is_not_taken_over() {
    let snap = hotel()
        .with(mk_route("default", "rates").parent(parent("my-hotel")).rule(rule().backend(backend("review", 80))))
        .build();
    let mut observed = networks_for(&snap);
    observed.services.push(observed_service("rates-default", "999999999999/other-cluster/vpc-0fff"));
    let t = run_with(&snap, &observed, now());
    let route = t.route("default", "rates", "my-hotel");
    let conflicted = assert_cond(route, "Accepted", "False", "Conflicted");
    assert!(conflicted.message.contains("999999999999/other-cluster/vpc-0fff"), "{}", conflicted.message);
    assert!(t.desired.services.is_empty());
    assert!(t.desired.target_groups.is_empty());
    let entry = t.entry("HTTPRoute", "default", "rates").expect("status");
    assert!(entry.annotations.is_empty());
}

#[test]
fn a_lattice_service_of_the_owner_named_in_allow_takeover_from_is_taken_over() {
    let snap = hotel()
        .with(
            mk_route("default", "rates")
                .annotation("application-networking.k8s.aws/allow-takeover-from", "999999999999/other-cluster/vpc-0fff")
                .parent(parent("my-hotel"))
                .rule(rule().backend(backend("review", 80))),
        )
        .build();
    let mut observed = networks_for(&snap);
    observed.services.push(observed_service("rates-default", "999999999999/other-cluster/vpc-0fff"));
    let t = run_with(&snap, &observed, now());
    assert_route_ok(t.route("default", "rates", "my-hotel"));
    let service = t.service("rates-default");
    assert_eq!(service.takeover_from.as_deref(), Some("999999999999/other-cluster/vpc-0fff"));
}

#[test]
fn unsupported_listener_protocols_and_modes() {
    let snap = world()
        .with(
            mk_gateway("default", "mixed")
                .listener(listener("tcp", "TCP", 9000))
                .listener(listener("udp", "UDP", 9001))
                .listener(listener("tls-terminate", "TLS", 9443).mode("Terminate"))
                .listener(listener("http", "HTTP", 80)),
        )
        .build();
    let t = run(&snap);
    for (name, reason) in
        [("tcp", "UnsupportedProtocol"), ("udp", "UnsupportedProtocol"), ("tls-terminate", "UnsupportedValue")]
    {
        let l = t.listener("default", "mixed", name);
        assert_cond(&l.conditions, "Accepted", "False", reason);
        assert_cond(&l.conditions, "Programmed", "False", "Invalid");
        assert!(supported_kinds(l).is_empty(), "{name}");
    }
    let gw = t.gateway("default", "mixed");
    assert_cond(gw.conditions.as_deref().unwrap_or_default(), "Accepted", "True", "ListenersNotValid");
}

#[test]
fn listeners_that_are_not_distinct_conflict() {
    let snap = world()
        .with(
            mk_gateway("default", "conflicts")
                .listener(listener("http", "HTTP", 80))
                .listener(listener("https", "HTTPS", 80))
                .listener(listener("a", "HTTP", 8080).hostname("a.example.com"))
                .listener(listener("a-again", "HTTP", 8080).hostname("a.example.com"))
                .listener(listener("b", "HTTP", 8080).hostname("b.example.com")),
        )
        .with(mk_route("default", "r").parent(parent("conflicts")).rule(rule()))
        .build();
    let t = run(&snap);
    for (name, reason) in [
        ("http", "ProtocolConflict"),
        ("https", "ProtocolConflict"),
        ("a", "HostnameConflict"),
        ("a-again", "HostnameConflict"),
    ] {
        let l = t.listener("default", "conflicts", name);
        assert_cond(&l.conditions, "Accepted", "False", reason);
        assert_cond(&l.conditions, "Conflicted", "True", reason);
        assert_cond(&l.conditions, "Programmed", "False", reason);
        assert_eq!(l.attached_routes, 0, "{name}");
    }
    let b = t.listener("default", "conflicts", "b");
    assert_cond(&b.conditions, "Accepted", "True", "Accepted");
    assert_no_cond(&b.conditions, "Conflicted");
    assert_eq!(b.attached_routes, 1);
    let gw = t.gateway("default", "conflicts");
    assert_cond(gw.conditions.as_deref().unwrap_or_default(), "Accepted", "True", "ListenersNotValid");
    let ports: Vec<i32> = t.service("r-default").listeners.iter().map(|l| l.port).collect();
    assert_eq!(ports, [8080]);
}

#[test]
fn static_gateway_addresses_are_unsupported() {
    let snap = world()
        .with(
            mk_gateway("default", "addressed")
                .listener(listener("http", "HTTP", 80))
                .spec("addresses", json!([{"type": "IPAddress", "value": "10.0.0.1"}])),
        )
        .with(mk_route("default", "r").parent(parent("addressed")).rule(rule()))
        .build();
    let t = run_with(&snap, &ObservedState::default(), now());
    let gw = t.gateway("default", "addressed");
    let conditions = gw.conditions.as_deref().unwrap_or_default();
    assert_cond(conditions, "Accepted", "False", "UnsupportedAddress");
    assert_cond(conditions, "Programmed", "False", "Invalid");
    let route = t.route("default", "r", "addressed");
    assert_eq!(crate::conditions::find(route, "Accepted").map(|c| c.status.as_str()), Some("False"));
    assert!(t.desired.services.is_empty());
    assert!(t.desired.service_networks.is_empty());
}
