//! The status-only TLSRoute cases of the Gateway API suite (v1.6.1). `run` also checks that
//! every condition carries its object's generation.

use super::tests_conformance::base;
use crate::lattice::{ListenerProtocol, RuleAction};
use crate::testing::*;

fn with_tls_backends(w: World) -> World {
    w.with(mk_service("infra", "tls-backend").port("", 443, 8443))
        .with(mk_service("web", "tls-backend").port("", 443, 8443))
}

fn passthrough(name: &str) -> ListenerB {
    listener(name, "TLS", 443).mode("Passthrough")
}

fn tls_route(name: &str, gateway: ParentB, host: &str, b: BackendB) -> RouteB {
    mk_tls_route("infra", name).parent(gateway).hostname(host).rule(rule().backend(b))
}

#[test]
fn tlsroute_invalid_no_matching_listener_hostname() {
    let gw = "gateway-tlsroute-hostnames";
    let snap = with_tls_backends(base())
        .with(
            mk_gateway("infra", gw)
                .listener(passthrough("tls-exact").hostname("foo.example.com"))
                .listener(listener("tls-wildcard", "TLS", 8443).mode("Passthrough").hostname("*.wildcard.io")),
        )
        .with(tls_route(
            "exact-mismatch",
            parent(gw).section("tls-exact"),
            "bar.example.com",
            backend("tls-backend", 443),
        ))
        .with(tls_route(
            "wildcard-mismatch",
            parent(gw).section("tls-wildcard"),
            "wildcard.io",
            backend("tls-backend", 443),
        ))
        .build();
    let t = run(&snap);
    for name in ["exact-mismatch", "wildcard-mismatch"] {
        let route = t.route_of("TLSRoute", "infra", name, gw);
        assert_cond(route, "Accepted", "False", "NoMatchingListenerHostname");
    }
    for l in ["tls-exact", "tls-wildcard"] {
        assert_eq!(t.listener("infra", gw, l).attached_routes, 0, "{l}");
    }
    assert!(t.desired.services.is_empty());
}

#[test]
fn tlsroute_invalid_no_matching_listener() {
    let snap = with_tls_backends(base())
        .with(mk_gateway("infra", "gateway-http-only").listener(listener("http", "HTTP", 80)))
        .with(mk_gateway("infra", "gateway-https-only").listener(listener("https", "HTTPS", 443)))
        .with(mk_gateway("infra", "gateway-tls").listener(passthrough("tls")))
        .with(tls_route("on-http", parent("gateway-http-only"), "abc.example.com", backend("tls-backend", 443)))
        .with(tls_route("on-https", parent("gateway-https-only"), "abc.example.com", backend("tls-backend", 443)))
        .with(tls_route(
            "bad-section",
            parent("gateway-tls").section("not-a-listener"),
            "abc.example.com",
            backend("tls-backend", 443),
        ))
        .build();
    let t = run(&snap);
    let on_http = t.route_of("TLSRoute", "infra", "on-http", "gateway-http-only");
    assert_cond(on_http, "Accepted", "False", "NotAllowedByListeners");
    assert_cond(on_http, "ResolvedRefs", "True", "ResolvedRefs");
    let on_https = t.route_of("TLSRoute", "infra", "on-https", "gateway-https-only");
    assert_cond(on_https, "Accepted", "False", "NotAllowedByListeners");
    let bad = t.route_of("TLSRoute", "infra", "bad-section", "gateway-tls");
    assert_cond(bad, "Accepted", "False", "NoMatchingParent");
}

#[test]
fn tlsroute_invalid_reference_grant() {
    let (r, g) = ("TLSRoute", "gateway.networking.k8s.io");
    let to = "tls-backend";
    let snap = with_tls_backends(base())
        .with(mk_gateway("infra", "gateway-tlsroute").listener(passthrough("tls")))
        .with(tls_route(
            "gateway-conformance-infra-test",
            parent("gateway-tlsroute"),
            "abc.example.com",
            backend("tls-backend", 443).ns("web"),
        ))
        .with(mk_grant("app", "not-in-target-namespace").from(g, r, "infra").to("", "Service", to))
        .with(mk_grant("web", "wrong-from-group").from("not-the-group.io", r, "infra").to("", "Service", to))
        .with(mk_grant("web", "wrong-from-kind").from(g, "HTTPRoute", "infra").to("", "Service", to))
        .with(mk_grant("web", "wrong-from-namespace").from(g, r, "app").to("", "Service", to))
        .with(mk_grant("web", "wrong-to-group").from(g, r, "infra").to("not-the-group.io", "Service", to))
        .with(mk_grant("web", "wrong-to-kind").from(g, r, "infra").to("", "Secret", to))
        .with(mk_grant("web", "wrong-to-name").from(g, r, "infra").to("", "Service", "not-tls-backend"))
        .build();
    let t = run(&snap);
    let route = t.route_of("TLSRoute", "infra", "gateway-conformance-infra-test", "gateway-tlsroute");
    assert_cond(route, "Accepted", "True", "Accepted");
    assert_cond(route, "ResolvedRefs", "False", "RefNotPermitted");
    assert_eq!(t.listener("infra", "gateway-tlsroute", "tls").attached_routes, 1);
}

#[test]
fn tlsroute_listener_passthrough_supported_kinds() {
    let gw = "gateway-tls-supported-kinds";
    let snap =
        base().with(mk_gateway("infra", gw).listener(passthrough("tls").kinds(&["TCPRoute", "TLSRoute"]))).build();
    let t = run(&snap);
    let l = t.listener("infra", gw, "tls");
    assert_cond(&l.conditions, "ResolvedRefs", "False", "InvalidRouteKinds");
    assert_eq!(supported_kinds(l), ["TLSRoute"]);
}

#[test]
fn tlsroute_listener_terminate_not_supported() {
    let gw = "gateway-tls-terminate";
    let snap = base()
        .with(mk_gateway("infra", gw).listener(listener("tls", "TLS", 443).mode("Terminate")))
        .with(tls_route("terminated", parent(gw), "abc.example.com", backend("infra-backend-v1", 8080)))
        .build();
    let t = run(&snap);
    let l = t.listener("infra", gw, "tls");
    assert_cond(&l.conditions, "Accepted", "False", "UnsupportedValue");
    assert_eq!(l.attached_routes, 0);
    let route = t.route_of("TLSRoute", "infra", "terminated", gw);
    assert_cond(route, "Accepted", "False", "NotAllowedByListeners");
}

#[test]
fn tlsroute_simple_same_namespace() {
    let snap = with_tls_backends(base())
        .with(mk_gateway("infra", "gateway-tlsroute").listener(passthrough("tls")))
        .with(tls_route(
            "gateway-conformance-infra-test",
            parent("gateway-tlsroute"),
            "abc.example.com",
            backend("tls-backend", 443),
        ))
        .build();
    let t = run(&snap);
    assert_route_ok(t.route_of("TLSRoute", "infra", "gateway-conformance-infra-test", "gateway-tlsroute"));
    let service = t.service_of("infra", "gateway-conformance-infra-test");
    assert_eq!(service.listeners.len(), 1);
    assert_eq!(service.listeners[0].protocol, ListenerProtocol::TlsPassthrough);
}

/// A TLS passthrough listener can only forward (VPC Lattice has no fixed response there), so a
/// TLSRoute without a usable backend gets its service but no listener: connections are refused.
#[test]
fn tlsroute_invalid_backend_ref_nonexistent_and_unknown_kind() {
    let snap = with_tls_backends(base())
        .with(mk_gateway("infra", "gateway-tlsroute").listener(passthrough("tls")))
        .with(tls_route(
            "nonexistent-backend",
            parent("gateway-tlsroute"),
            "abc.example.com",
            backend("does-not-exist", 443),
        ))
        .with(tls_route(
            "unknown-kind-backend",
            parent("gateway-tlsroute"),
            "def.example.com",
            backend("tls-backend", 443).kind("unknownkind.example.com", "NonExistent"),
        ))
        .build();
    let t = run(&snap);
    for (name, reason) in [("nonexistent-backend", "BackendNotFound"), ("unknown-kind-backend", "InvalidKind")] {
        let route = t.route_of("TLSRoute", "infra", name, "gateway-tlsroute");
        assert_cond(route, "Accepted", "True", "Accepted");
        assert_cond(route, "ResolvedRefs", "False", reason);
        let service = t.service_of("infra", name);
        assert!(
            service.listeners.iter().all(|l| !matches!(l.default_action, RuleAction::FixedResponse(_))),
            "{name}: {:#?}",
            service.listeners
        );
        assert!(service.listeners.is_empty(), "{name}");
    }
    assert_eq!(t.listener("infra", "gateway-tlsroute", "tls").attached_routes, 2);
}
