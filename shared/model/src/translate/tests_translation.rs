//! Translation rules: the desired VPC Lattice services, listeners, rules and target groups of
//! routes, and the route status that goes with them.

use crate::lattice::{
    FixedResponseAction, ForwardAction, HttpMatch, ListenerProtocol, PathMatch, PathMatchType, RuleAction, RuleMatch,
    RuleSpec, Target, TargetGroupType, WeightedTargetGroup,
};
use crate::names::Tags;
use crate::testing::*;

pub(super) fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs.iter().map(|(k, v)| (format!("application-networking.k8s.aws/{k}"), (*v).to_owned())).collect()
}

pub(super) fn http_match(r: &RuleSpec) -> &HttpMatch {
    let RuleMatch::HttpMatch(m) = &r.matcher;
    m
}

pub(super) fn path_of(r: &RuleSpec) -> PathMatchType {
    http_match(r).path_match.as_ref().map(|p| p.matcher.clone()).expect("rule has a path match")
}

pub(super) fn prefix(p: &str) -> PathMatchType {
    PathMatchType::Prefix(p.into())
}

pub(super) fn exact(p: &str) -> PathMatchType {
    PathMatchType::Exact(p.into())
}

pub(super) fn forward(pairs: &[(&str, i32)]) -> RuleAction {
    RuleAction::Forward(ForwardAction {
        target_groups: pairs
            .iter()
            .map(|(id, weight)| WeightedTargetGroup { target_group_identifier: (*id).to_owned(), weight: *weight })
            .collect(),
    })
}

pub(super) fn gateway() -> GatewayB {
    mk_gateway("default", "my-hotel").listener(listener("http", "HTTP", 80))
}

pub(super) fn svc(name: &str) -> ServiceB {
    mk_service("default", name).port("", 80, 8080)
}

pub(super) fn on_hotel(name: &str) -> RouteB {
    mk_route("default", name).parent(parent("my-hotel"))
}

fn hotel() -> World {
    world()
        .with(gateway())
        .with(
            on_hotel("rates")
                .rule(rule().prefix("/review").backend(backend("review", 80)))
                .rule(rule().prefix("/parking").backend(backend("parking", 80))),
        )
        .with(on_hotel("inventory").rule(
            rule().backend(backend("inventory-ver1", 80).weight(50)).backend(backend("inventory-ver2", 80).weight(50)),
        ))
        .with(mk_service("default", "parking").port("metrics", 9090, 9090).port("http", 80, 8090))
        .with(
            mk_slice("default", "parking", "parking-x1")
                .port("metrics", 9091)
                .port("http", 8090)
                .endpoint("10.0.1.12")
                .terminating("10.0.1.11")
                .endpoint("10.0.1.10"),
        )
        .with(svc("review"))
        .with(mk_slice("default", "review", "review-x1").port("", 8080).endpoint("10.0.2.10"))
        .with(svc("inventory-ver1"))
        .with(svc("inventory-ver2"))
}

#[test]
fn hotel_demo_services_listeners_and_rules() {
    let t = run(&hotel().build());
    let names: Vec<&str> = t.desired.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["inventory-default", "rates-default"]);
    assert_eq!(t.desired.service_networks.len(), 1);
    assert_eq!(t.desired.service_networks[0].name, "my-hotel");
    assert_eq!(t.desired.service_networks[0].gateways, ["default/my-hotel"]);

    let rates = t.service("rates-default");
    assert_eq!(
        rates.tags,
        tags(&[
            ("ManagedBy", MANAGED_BY),
            ("RouteName", "rates"),
            ("RouteNamespace", "default"),
            ("RouteType", "http"),
        ])
    );
    assert_eq!(rates.service_networks, ["my-hotel"]);
    assert_eq!(rates.custom_domain_name, None);
    assert_eq!(rates.certificate_arn, None);
    assert_eq!(rates.listeners.len(), 1);
    let l = &rates.listeners[0];
    assert_eq!(l.name, "rates-default-80-http");
    assert_eq!((l.protocol, l.port), (ListenerProtocol::Http, 80));
    assert_eq!(l.default_action, RuleAction::fixed(404));
    assert_eq!(l.tags, tags(&[("ManagedBy", MANAGED_BY)]));

    let parking = t.target_group("rates", "parking");
    let review = t.target_group("rates", "review");
    assert_eq!(l.rules.len(), 2);
    // The longer prefix goes first, whatever the rule order.
    assert_eq!(l.rules[0].priority, 1);
    assert_eq!(
        http_match(&l.rules[0]),
        &HttpMatch {
            method: None,
            path_match: Some(PathMatch { matcher: prefix("/parking"), case_sensitive: true }),
            header_matches: Vec::new(),
        }
    );
    assert_eq!(l.rules[0].action, forward(&[(&parking.name, 1)]));
    assert_eq!(l.rules[1].priority, 2);
    assert_eq!(path_of(&l.rules[1]), prefix("/review"));
    assert_eq!(l.rules[1].action, forward(&[(&review.name, 1)]));
    assert_eq!(l.rules[0].tags, tags(&[("ManagedBy", MANAGED_BY)]));
    assert_ne!(l.rules[0].name, l.rules[1].name);

    let inventory = &t.service("inventory-default").listeners[0];
    let v1 = t.target_group("inventory", "inventory-ver1");
    let v2 = t.target_group("inventory", "inventory-ver2");
    assert_eq!(inventory.rules.len(), 1);
    assert_eq!(path_of(&inventory.rules[0]), prefix("/"));
    assert_eq!(inventory.rules[0].action, forward(&[(&v1.name, 50), (&v2.name, 50)]));

    for route in ["rates", "inventory"] {
        assert_route_ok(t.route("default", route, "my-hotel"));
    }
    assert_eq!(t.listener("default", "my-hotel", "http").attached_routes, 2);
}

#[test]
fn hotel_demo_target_groups() {
    let t = run(&hotel().build());
    assert_eq!(t.desired.target_groups.len(), 4);
    let parking = t.target_group("rates", "parking");
    assert!(parking.name.starts_with("k8s-default-parking-"), "{}", parking.name);
    assert_eq!(parking.kind, TargetGroupType::Ip);
    assert_eq!(parking.config.port, 80);
    assert_eq!(parking.config.protocol, "HTTP");
    assert_eq!(parking.config.protocol_version.as_deref(), Some("HTTP1"));
    assert_eq!(parking.config.ip_address_type, "IPV4");
    assert_eq!(parking.config.vpc_identifier, "vpc-0123456789abcdef0");
    // Terminating endpoints are skipped; the backendRef's Service port (80, named http) is
    // mapped to the endpoint port of the same name.
    assert_eq!(
        parking.targets,
        [Target { id: "10.0.1.10".into(), port: 8090 }, Target { id: "10.0.1.12".into(), port: 8090 },]
    );
    assert_eq!(
        parking.tags,
        tags(&[
            ("ManagedBy", MANAGED_BY),
            ("ClusterName", "test-cluster"),
            ("ServiceName", "parking"),
            ("ServiceNamespace", "default"),
            ("SourceTypeKey", "HTTPRoute"),
            ("ProtocolVersion", "HTTP1"),
            ("RouteName", "rates"),
            ("RouteNamespace", "default"),
        ])
    );
    let review = t.target_group("rates", "review");
    assert_eq!(review.targets, [Target { id: "10.0.2.10".into(), port: 8080 }]);
    assert!(t.target_group("inventory", "inventory-ver1").targets.is_empty());
}

#[test]
fn matches_become_lattice_rules_ordered_by_precedence() {
    let b = || backend("review", 80);
    let snap = world()
        .with(gateway())
        .with(svc("review"))
        .with(
            on_hotel("ordered")
                .rule(rule().backend(b()))
                .rule(rule().prefix("/a").header("x", "1").backend(b()))
                .rule(rule().prefix("/a").backend(b()))
                .rule(rule().prefix("/a").method("GET").backend(b()))
                .rule(rule().exact("/a").backend(b()))
                .rule(rule().prefix("/abc").backend(b()))
                .rule(rule().prefix("/a").header("x", "1").header("y", "2").backend(b()))
                .rule(rule().prefix("/a").header("z", "3").backend(b())),
        )
        .build();
    let t = run(&snap);
    let rules = &t.service("ordered-default").listeners[0].rules;
    let seen: Vec<(i32, PathMatchType, Option<&str>, Vec<&str>)> = rules
        .iter()
        .map(|r| {
            let m = http_match(r);
            (r.priority, path_of(r), m.method.as_deref(), m.header_matches.iter().map(|h| h.name.as_str()).collect())
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, exact("/a"), None, vec![]),
            (2, prefix("/abc"), None, vec![]),
            (3, prefix("/a"), Some("GET"), vec![]),
            (4, prefix("/a"), None, vec!["x", "y"]),
            (5, prefix("/a"), None, vec!["x"]),
            (6, prefix("/a"), None, vec!["z"]),
            (7, prefix("/a"), None, vec![]),
            (8, prefix("/"), None, vec![]),
        ]
    );
}

#[test]
fn a_rule_with_several_matches_becomes_several_lattice_rules() {
    let snap = world()
        .with(gateway())
        .with(svc("review"))
        .with(
            on_hotel("multi")
                .rule(rule().prefix("/x").exact("/y").prefix("/z").method("POST").backend(backend("review", 80))),
        )
        .build();
    let t = run(&snap);
    let rules = &t.service("multi-default").listeners[0].rules;
    let tg = t.target_group("multi", "review");
    let paths: Vec<PathMatchType> = rules.iter().map(path_of).collect();
    // Same-length prefixes: the one with a method goes first.
    assert_eq!(paths, [exact("/y"), prefix("/z"), prefix("/x")]);
    assert_eq!(http_match(&rules[1]).method.as_deref(), Some("POST"));
    assert_eq!(http_match(&rules[2]).method, None);
    assert!(rules.iter().all(|r| r.action == forward(&[(&tg.name, 1)])));
}

#[test]
fn weights_are_rescaled_into_lattice_range() {
    let snap = world()
        .with(gateway())
        .with(svc("a"))
        .with(svc("b"))
        .with(svc("c"))
        .with(
            on_hotel("weights")
                .rule(
                    rule()
                        .prefix("/big")
                        .backend(backend("a", 80).weight(1_000_000))
                        .backend(backend("b", 80).weight(500_000))
                        .backend(backend("c", 80).weight(1)),
                )
                .rule(rule().prefix("/zero").backend(backend("a", 80).weight(0)).backend(backend("b", 80).weight(3)))
                .rule(
                    rule().prefix("/all-zero").backend(backend("a", 80).weight(0)).backend(backend("b", 80).weight(0)),
                ),
        )
        .build();
    let t = run(&snap);
    let rules = &t.service("weights-default").listeners[0].rules;
    let (a, b, c) = (
        &t.target_group("weights", "a").name,
        &t.target_group("weights", "b").name,
        &t.target_group("weights", "c").name,
    );
    let by_path = |p: &str| rules.iter().find(|r| path_of(r) == prefix(p)).map(|r| r.action.clone()).expect("rule");
    assert_eq!(by_path("/big"), forward(&[(a, 999), (b, 500), (c, 1)]));
    assert_eq!(by_path("/zero"), forward(&[(a, 0), (b, 3)]));
    assert_eq!(by_path("/all-zero"), RuleAction::fixed(500));
    assert_route_ok(t.route("default", "weights", "my-hotel"));
}

#[test]
fn rules_without_usable_backends_answer_500() {
    let snap = world()
        .with(gateway())
        .with(
            on_hotel("broken")
                .rule(rule().prefix("/missing").backend(backend("nope", 80)).backend(backend("neither", 80)))
                .rule(rule().prefix("/none")),
        )
        .with(on_hotel("empty").rule(rule().prefix("/none")))
        .build();
    let t = run(&snap);
    for r in &t.service("broken-default").listeners[0].rules {
        assert_eq!(r.action, RuleAction::FixedResponse(FixedResponseAction { status_code: 500 }));
    }
    let broken = t.route("default", "broken", "my-hotel");
    assert_cond(broken, "Accepted", "True", "Accepted");
    let resolved = assert_cond(broken, "ResolvedRefs", "False", "BackendNotFound");
    assert!(resolved.message.contains("nope") && resolved.message.contains("neither"));
    assert_route_ok(t.route("default", "empty", "my-hotel"));
    assert_eq!(t.service("empty-default").listeners[0].rules[0].action, RuleAction::fixed(500));
}

/// VPC Lattice cannot answer 500 for a share of a rule: the share of a backend that does not
/// resolve goes to the rule's other backends, and `ResolvedRefs` says which one is missing.
#[test]
fn an_unresolved_backend_leaves_the_rule_to_the_others() {
    let snap = world()
        .with(gateway())
        .with(svc("review"))
        .with(
            on_hotel("half")
                .rule(rule().backend(backend("review", 80).weight(3)).backend(backend("gone", 80).weight(1))),
        )
        .build();
    let t = run(&snap);
    let tg = t.target_group("half", "review");
    assert_eq!(t.service("half-default").listeners[0].rules[0].action, forward(&[(&tg.name, 3)]));
    let route = t.route("default", "half", "my-hotel");
    assert_cond(route, "Accepted", "True", "Accepted");
    let resolved = assert_cond(route, "ResolvedRefs", "False", "BackendNotFound");
    assert!(resolved.message.contains("gone") && resolved.message.contains("other backends"), "{}", resolved.message);
}

#[test]
fn the_desired_state_alone_is_that_of_the_full_translation() {
    let snapshot = hotel().build();
    let full = run(&snapshot);
    let desired = crate::translate::translate_desired(&snapshot, &networks_for(&snapshot), &config(), now());
    assert_eq!(desired.desired, full.desired);
    assert_eq!(desired.certificate_lookups, full.certificate_lookups);
    assert_eq!(desired.held, full.held);
    let routes = |t: &crate::translate::Translation| t.status.iter().filter(|e| e.kind.ends_with("Route")).count();
    assert!(routes(&full) > 0);
    assert_eq!(routes(&desired), 0, "no route status is computed");
}
