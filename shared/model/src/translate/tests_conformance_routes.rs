//! The status-only conformance cases of the Gateway API suite (v1.6.1), route side: cases 13-25
//! of the harness, each named after its upstream test. `run` also checks that every condition
//! carries its object's generation.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::tests_conformance::{base, infra_route};
use crate::lattice::{PathMatchType, RuleAction, RuleMatch, RuleSpec};
use crate::observed::ObservedState;
use crate::testing::*;

const HTTP_GROUP: &str = "gateway.networking.k8s.io";

fn rule_for<'a>(rules: &'a [RuleSpec], path: &str) -> &'a RuleSpec {
    rules
        .iter()
        .find(|r| {
            let RuleMatch::HttpMatch(m) = &r.matcher;
            matches!(
                m.path_match.as_ref().map(|p| &p.matcher),
                Some(PathMatchType::Prefix(p) | PathMatchType::Exact(p)) if p == path
            )
        })
        .unwrap_or_else(|| panic!("no rule for {path} in {rules:#?}"))
}

#[test]
fn httproute_disallowed_kind() {
    let snap = base()
        .with(
            mk_gateway("infra", "tlsroutes-only")
                .listener(listener("tls", "TLS", 443).mode("Passthrough").kinds(&["TLSRoute"])),
        )
        .with(
            mk_route("infra", "disallowed-kind")
                .parent(parent("tlsroutes-only"))
                .rule(rule().backend(backend("infra-backend-v1", 8080))),
        )
        .build();
    let t = run(&snap);
    let route = t.route("infra", "disallowed-kind", "tlsroutes-only");
    assert_cond(route, "Accepted", "False", "NotAllowedByListeners");
    assert_cond(route, "ResolvedRefs", "True", "ResolvedRefs");
    assert_eq!(t.listener("infra", "tlsroutes-only", "tls").attached_routes, 0);
    assert!(t.desired.services.is_empty());
}

#[test]
fn httproute_invalid_cross_namespace_parent_ref() {
    let snap = base()
        .with(
            mk_route("web", "invalid-cross-namespace-parent-ref")
                .parent(parent("same-namespace").ns("infra"))
                .rule(rule().backend(backend("web-backend", 8080))),
        )
        .build();
    let t = run(&snap);
    let route = t.route("web", "invalid-cross-namespace-parent-ref", "same-namespace");
    assert_cond(route, "Accepted", "False", "NotAllowedByListeners");
    assert_cond(route, "ResolvedRefs", "True", "ResolvedRefs");
    assert_eq!(t.listener("infra", "same-namespace", "http").attached_routes, 0);
}

#[test]
fn httproute_invalid_parent_ref_not_matching_section_name() {
    let snap = base()
        .with(
            mk_route("infra", "httproute-listener-not-matching-section-name")
                .parent(parent("same-namespace").section("http1").port(80))
                .rule(rule().backend(backend("infra-backend-v1", 8080))),
        )
        .build();
    let t = run(&snap);
    let route = t.route("infra", "httproute-listener-not-matching-section-name", "same-namespace");
    assert_cond(route, "Accepted", "False", "NoMatchingParent");
    assert_cond(route, "ResolvedRefs", "True", "ResolvedRefs");
    assert_eq!(t.listener("infra", "same-namespace", "http").attached_routes, 0);
}

#[test]
fn httproute_invalid_parent_ref_not_matching_listener_port() {
    let snap = base()
        .with(
            mk_route("infra", "httproute-listener-not-matching-route-port")
                .parent(parent("same-namespace").port(81))
                .rule(rule().backend(backend("infra-backend-v1", 8080))),
        )
        .build();
    let t = run(&snap);
    let route = t.route("infra", "httproute-listener-not-matching-route-port", "same-namespace");
    assert_cond(route, "Accepted", "False", "NoMatchingParent");
    assert_cond(route, "ResolvedRefs", "True", "ResolvedRefs");
    assert_eq!(t.listener("infra", "same-namespace", "http").attached_routes, 0);
}

#[test]
fn httproute_invalid_parent_ref_section_name_not_matching_port() {
    let snap = base()
        .with(
            mk_route("infra", "httproute-listener-section-name-not-matching-port")
                .parent(parent("same-namespace").section("http").port(81))
                .rule(rule().backend(backend("infra-backend-v1", 8080))),
        )
        .build();
    let t = run(&snap);
    let route = t.route("infra", "httproute-listener-section-name-not-matching-port", "same-namespace");
    assert_cond(route, "Accepted", "False", "NoMatchingParent");
    assert_eq!(t.listener("infra", "same-namespace", "http").attached_routes, 0);
}

#[test]
fn httproute_observed_generation_bump() {
    let mut snap = base().with(infra_route("observed-generation-bump")).build();
    let first = run(&snap);
    assert_route_ok(first.route("infra", "observed-generation-bump", "same-namespace"));

    apply_status(&mut snap, &first);
    let old = snap.http_routes[0].status.take();
    snap.http_routes[0] = mk_route("infra", "observed-generation-bump")
        .parent(parent("same-namespace"))
        .rule(rule().backend(backend("infra-backend-v2", 8080)))
        .generation(4)
        .build_http();
    snap.http_routes[0].status = old;
    let second = run_with(&snap, &networks_for(&snap), later());
    let parents = second.parents("HTTPRoute", "infra", "observed-generation-bump");
    assert_eq!(parents.len(), 1);
    let conditions = &parents[0].conditions;
    assert_route_ok(conditions);
    assert!(conditions.iter().all(|c| c.observed_generation == Some(4)));
    assert!(conditions.iter().all(|c| c.last_transition_time == Time(now())));
    let tg = second.target_group("observed-generation-bump", "infra-backend-v2");
    assert_eq!(tg.config.port, 8080);
}

#[test]
fn httproute_invalid_backend_ref_unknown_kind() {
    let snap = base()
        .with(
            mk_route("infra", "invalid-backend-ref-unknown-kind")
                .parent(parent("same-namespace"))
                .rule(rule().backend(backend("infra-backend-v1", 8080).kind("unknownkind.example.com", "NonExistent"))),
        )
        .build();
    let mut observed = networks_for(&snap);
    observed
        .services
        .push(observed_service(&crate::names::service_name("invalid-backend-ref-unknown-kind", "infra"), MANAGED_BY));
    let t = run_with(&snap, &observed, now());
    let route = t.route("infra", "invalid-backend-ref-unknown-kind", "same-namespace");
    assert_cond(route, "Accepted", "True", "Accepted");
    assert_cond(route, "ResolvedRefs", "False", "InvalidKind");

    let gw = t.gateway("infra", "same-namespace");
    let conditions = gw.conditions.as_deref().unwrap_or_default();
    assert_cond(conditions, "Accepted", "True", "Accepted");
    assert_cond(conditions, "Programmed", "True", "Programmed");
    let addresses = gw.addresses.as_deref().unwrap_or_default();
    assert_eq!(addresses.len(), 1);
    assert_eq!(addresses[0].r#type.as_deref(), Some("Hostname"));
    let l = t.listener("infra", "same-namespace", "http");
    for type_ in ["Accepted", "ResolvedRefs", "Programmed"] {
        assert_cond(&l.conditions, type_, "True", type_);
    }
    let service = t.service_of("infra", "invalid-backend-ref-unknown-kind");
    let rule = rule_for(&service.listeners[0].rules, "/");
    assert_eq!(rule.action, RuleAction::fixed(500));
}

#[test]
fn httproute_invalid_non_existent_backend_ref() {
    let snap = base()
        .with(
            mk_route("infra", "invalid-nonexistent-backend-ref")
                .parent(parent("same-namespace"))
                .rule(rule().backend(backend("nonexistent", 8080))),
        )
        .build();
    let t = run(&snap);
    let route = t.route("infra", "invalid-nonexistent-backend-ref", "same-namespace");
    assert_cond(route, "Accepted", "True", "Accepted");
    assert_cond(route, "ResolvedRefs", "False", "BackendNotFound");
    let service = t.service_of("infra", "invalid-nonexistent-backend-ref");
    assert_eq!(service.listeners[0].rules[0].action, RuleAction::fixed(500));
    assert!(t.desired.target_groups.is_empty());
}

fn cross_namespace_backend_route() -> RouteB {
    mk_route("infra", "invalid-cross-namespace-backend-ref")
        .parent(parent("same-namespace"))
        .rule(rule().backend(backend("web-backend", 8080).ns("web")))
}

#[test]
fn httproute_invalid_cross_namespace_backend_ref() {
    let snap = base().with(cross_namespace_backend_route()).build();
    let t = run(&snap);
    let route = t.route("infra", "invalid-cross-namespace-backend-ref", "same-namespace");
    assert_cond(route, "Accepted", "True", "Accepted");
    assert_cond(route, "ResolvedRefs", "False", "RefNotPermitted");
}

#[test]
fn httproute_invalid_reference_grant() {
    let (r, g) = ("HTTPRoute", HTTP_GROUP);
    let snap = base()
        .with(cross_namespace_backend_route())
        .with(mk_grant("app", "not-in-target-namespace").from(g, r, "infra").to("", "Service", "web-backend"))
        .with(mk_grant("web", "wrong-from-group").from("not-the-group.io", r, "infra").to("", "Service", "web-backend"))
        .with(mk_grant("web", "wrong-from-kind").from(g, "Gateway", "infra").to("", "Service", "web-backend"))
        .with(mk_grant("web", "wrong-from-namespace").from(g, r, "app").to("", "Service", "web-backend"))
        .with(mk_grant("web", "wrong-to-group").from(g, r, "infra").to("not-the-group.io", "Service", "web-backend"))
        .with(mk_grant("web", "wrong-to-kind").from(g, r, "infra").to("", "Secret", "web-backend"))
        .with(mk_grant("web", "wrong-to-name").from(g, r, "infra").to("", "Service", "not-web-backend"))
        .build();
    let t = run(&snap);
    let route = t.route("infra", "invalid-cross-namespace-backend-ref", "same-namespace");
    assert_cond(route, "Accepted", "True", "Accepted");
    assert_cond(route, "ResolvedRefs", "False", "RefNotPermitted");
}

#[test]
fn httproute_partially_invalid_via_invalid_reference_grant() {
    let snap = base()
        .with(mk_grant("app", "reference-grant").from(HTTP_GROUP, "HTTPRoute", "infra").to(
            "",
            "Service",
            "app-backend-v1",
        ))
        .with(
            mk_route("infra", "invalid-reference-grant")
                .parent(parent("same-namespace"))
                .rule(rule().prefix("/v2").backend(backend("app-backend-v2", 8080).ns("app")))
                .rule(rule().backend(backend("app-backend-v1", 8080).ns("app"))),
        )
        .build();
    let t = run(&snap);
    let route = t.route("infra", "invalid-reference-grant", "same-namespace");
    assert_cond(route, "Accepted", "True", "Accepted");
    assert_cond(route, "ResolvedRefs", "False", "RefNotPermitted");
    assert_no_cond(route, "PartiallyInvalid");
    let rules = &t.service_of("infra", "invalid-reference-grant").listeners[0].rules;
    assert_eq!(rule_for(rules, "/v2").action, RuleAction::fixed(500));
    assert!(matches!(rule_for(rules, "/").action, RuleAction::Forward(_)));
}

#[test]
fn httproute_reference_grant_then_revoked() {
    let route = mk_route("infra", "reference-grant")
        .parent(parent("same-namespace"))
        .rule(rule().backend(backend("web-backend", 8080).ns("web")));
    let mut snap = base()
        .with(route)
        .with(mk_grant("web", "reference-grant").from(HTTP_GROUP, "HTTPRoute", "infra").to(
            "",
            "Service",
            "web-backend",
        ))
        .build();
    let first = run(&snap);
    assert_route_ok(first.route("infra", "reference-grant", "same-namespace"));
    assert_eq!(first.target_group("reference-grant", "web-backend").config.port, 8080);

    apply_status(&mut snap, &first);
    snap.reference_grants.clear();
    let second = run_with(&snap, &networks_for(&snap), later());
    let route = second.route("infra", "reference-grant", "same-namespace");
    let accepted = assert_cond(route, "Accepted", "True", "Accepted");
    let resolved = assert_cond(route, "ResolvedRefs", "False", "RefNotPermitted");
    assert_eq!(accepted.last_transition_time, Time(now()));
    assert_eq!(resolved.last_transition_time, Time(later()));
    assert!(second.desired.target_groups.is_empty());
}

#[test]
fn httproute_no_backend_refs() {
    let snap = base()
        .with(
            mk_route("infra", "no-backends")
                .parent(parent("same-namespace"))
                .rule(rule().prefix("/forward").backend(backend("infra-backend-v1", 8080)))
                .rule(rule().prefix("/omitted-no-forward"))
                .rule(rule().prefix("/empty-no-forward").empty_backends()),
        )
        .build();
    let t = run(&snap);
    assert_route_ok(t.route("infra", "no-backends", "same-namespace"));
    let rules = &t.service_of("infra", "no-backends").listeners[0].rules;
    assert!(matches!(rule_for(rules, "/forward").action, RuleAction::Forward(_)));
    assert_eq!(rule_for(rules, "/omitted-no-forward").action, RuleAction::fixed(500));
    assert_eq!(rule_for(rules, "/empty-no-forward").action, RuleAction::fixed(500));
}

/// The upstream route names (`specific-host-matches-listener-...`) share their first 20
/// characters, so they would share one VPC Lattice service name and the newer ones would be
/// `Conflicted`; the routes here keep the upstream hostnames under names that stay distinct.
#[test]
fn httproute_hostname_intersection() {
    let gw = "httproute-hostname-intersection";
    let route = |name: &str, hosts: &[&str]| {
        let mut r = mk_route("infra", name).parent(parent(gw)).rule(rule().backend(backend("infra-backend-v1", 8080)));
        for h in hosts {
            r = r.hostname(h);
        }
        r
    };
    let snap = base()
        .with(
            mk_gateway("infra", gw)
                .listener(listener("listener-1", "HTTP", 80).hostname("very.specific.com"))
                .listener(listener("listener-2", "HTTP", 80).hostname("*.wildcard.io"))
                .listener(listener("listener-3", "HTTP", 80).hostname("*.anotherwildcard.io")),
        )
        .with(route("specific-specific", &["non.matching.com", "*.nonmatchingwildcard.io", "very.specific.com"]))
        .with(route(
            "specific-wildcard",
            &["non.matching.com", "wildcard.io", "foo.wildcard.io", "bar.wildcard.io", "foo.bar.wildcard.io"],
        ))
        .with(route("wildcard-specific", &["non.matching.com", "*.specific.com"]))
        .with(route("wildcard-wildcard", &["*.anotherwildcard.io"]))
        .with(route("no-intersecting-hosts", &["specific.but.wrong.com", "wildcard.io"]))
        .build();
    let t = run(&snap);
    for name in ["specific-specific", "specific-wildcard", "wildcard-specific", "wildcard-wildcard"] {
        assert_route_ok(t.route("infra", name, gw));
    }
    let rejected = t.route("infra", "no-intersecting-hosts", gw);
    assert_cond(rejected, "Accepted", "False", "NoMatchingListenerHostname");
    for (l, count) in [("listener-1", 2), ("listener-2", 1), ("listener-3", 1)] {
        assert_eq!(t.listener("infra", gw, l).attached_routes, count, "{l}");
    }
    // One custom domain per Lattice service: the first effective hostname.
    let service = t.service_of("infra", "wildcard-specific");
    assert_eq!(service.custom_domain_name.as_deref(), Some("very.specific.com"));
}

#[test]
fn httproute_simple_same_namespace_and_multiple_gateways() {
    let snap = base()
        .with(
            mk_gateway("infra", "backend-namespaces")
                .listener(listener("http", "HTTP", 80).routes_from_labelled("gateway-conformance", "backend")),
        )
        .with(infra_route("gateway-conformance-infra-test"))
        .with(
            mk_route("web", "cross-namespace")
                .parent(parent("backend-namespaces").ns("infra"))
                .parent(parent("same-namespace").ns("infra"))
                .rule(rule().backend(backend("web-backend", 8080))),
        )
        .build();
    let t = run(&snap);
    assert_route_ok(t.route("infra", "gateway-conformance-infra-test", "same-namespace"));
    assert_route_ok(t.route("web", "cross-namespace", "backend-namespaces"));
    let disallowed = t.route("web", "cross-namespace", "same-namespace");
    assert_cond(disallowed, "Accepted", "False", "NotAllowedByListeners");
    let parents = t.parents("HTTPRoute", "web", "cross-namespace");
    assert_eq!(parents[0].parent_ref.namespace.as_deref(), Some("infra"));
    assert_eq!(t.service_of("web", "cross-namespace").service_networks, ["backend-namespaces"]);
    assert_eq!(t.service_of("infra", "gateway-conformance-infra-test").service_networks, ["same-namespace"]);
}

#[test]
fn route_status_without_observed_network_still_has_current_generation() {
    let snap = base().with(infra_route("no-network")).build();
    let t = run_with(&snap, &ObservedState::default(), now());
    assert_route_ok(t.route("infra", "no-network", "same-namespace"));
}
