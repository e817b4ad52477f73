//! The status-only conformance cases of the Gateway API suite (v1.6.1), GatewayClass and Gateway
//! side: cases 1-12 of the harness, each named after its upstream test. `run` also checks that
//! every condition carries its object's generation.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::json;

use crate::observed::ObservedState;
use crate::testing::*;

/// The conformance base: namespaces, backends and the `same-namespace` Gateway.
pub(super) fn base() -> World {
    world()
        .with(mk_namespace("infra"))
        .with(mk_namespace("app"))
        .with(mk_namespace("web").label("gateway-conformance", "backend"))
        .with(mk_service("infra", "infra-backend-v1").port("", 8080, 3000))
        .with(mk_service("infra", "infra-backend-v2").port("", 8080, 3000))
        .with(mk_service("app", "app-backend-v1").port("", 8080, 3000))
        .with(mk_service("app", "app-backend-v2").port("", 8080, 3000))
        .with(mk_service("web", "web-backend").port("", 8080, 3000))
        .with(mk_gateway("infra", "same-namespace").listener(listener("http", "HTTP", 80)))
}

/// An HTTPRoute in `infra` on `same-namespace` forwarding to `infra-backend-v1`.
pub(super) fn infra_route(name: &str) -> RouteB {
    mk_route("infra", name).parent(parent("same-namespace")).rule(rule().backend(backend("infra-backend-v1", 8080)))
}

fn https(name: &str) -> ListenerB {
    listener(name, "HTTPS", 443)
}

#[test]
fn gateway_class_observed_generation_bump() {
    let mut snap = World(Default::default()).with(mk_class(CLASS).description("old")).build();
    let first = run_with(&snap, &ObservedState::default(), now());
    let accepted =
        assert_cond(first.class(CLASS).conditions.as_deref().unwrap_or_default(), "Accepted", "True", "Accepted");
    assert_eq!(accepted.observed_generation, Some(GENERATION));

    apply_status(&mut snap, &first);
    let status = snap.gateway_classes[0].status.take();
    snap.gateway_classes[0] = mk_class(CLASS).description("new").generation(4).build();
    snap.gateway_classes[0].status = status;
    let second = run_with(&snap, &ObservedState::default(), later());
    let conditions = second.class(CLASS).conditions.as_deref().unwrap_or_default();
    let accepted = assert_cond(conditions, "Accepted", "True", "Accepted");
    assert!(conditions.iter().all(|c| c.observed_generation == Some(4)));
    assert_eq!(accepted.last_transition_time, Time(now()));
}

#[test]
fn gateway_observed_generation_bump() {
    let gw = || {
        mk_gateway("infra", "gateway-observed-generation-bump")
            .listener(listener("http", "HTTP", 80).hostname("bar.com").routes_from_all())
    };
    let mut snap = world().with(gw()).build();
    let first = run(&snap);
    let status = first.gateway("infra", "gateway-observed-generation-bump");
    let conditions = status.conditions.as_deref().unwrap_or_default();
    assert_cond(conditions, "Accepted", "True", "Accepted");
    assert_cond(conditions, "Programmed", "True", "Programmed");

    apply_status(&mut snap, &first);
    let old = snap.gateways[0].status.take();
    snap.gateways[0] =
        gw().listener(listener("http-2", "HTTP", 80).hostname("foo.com").routes_from_all()).generation(4).build();
    snap.gateways[0].status = old;
    let second = run_with(&snap, &networks_for(&snap), later());
    let status = second.gateway("infra", "gateway-observed-generation-bump");
    let conditions = status.conditions.as_deref().unwrap_or_default();
    let accepted = assert_cond(conditions, "Accepted", "True", "Accepted");
    let programmed = assert_cond(conditions, "Programmed", "True", "Programmed");
    assert!(conditions.iter().all(|c| c.observed_generation == Some(4)));
    assert_eq!(accepted.last_transition_time, Time(now()));
    assert_eq!(programmed.last_transition_time, Time(now()));
    assert_eq!(status.listeners.as_ref().map(Vec::len), Some(2));
    for l in status.listeners.iter().flatten() {
        assert!(l.conditions.iter().all(|c| c.observed_generation == Some(4)));
    }
}

#[test]
fn gateway_listener_unsupported_protocol() {
    let snap = world()
        .with(mk_gateway("infra", "gateway-only-invalid").listener(listener("invalid", "INVALID", 1111)))
        .with(
            mk_gateway("infra", "gateway-some-invalid")
                .listener(listener("invalid", "INVALID", 1111))
                .listener(listener("http", "HTTP", 80)),
        )
        .build();
    let t = run(&snap);

    let only = t.gateway("infra", "gateway-only-invalid");
    let gw_conditions = only.conditions.as_deref().unwrap_or_default();
    assert_cond(gw_conditions, "Accepted", "False", "ListenersNotValid");
    let l = t.listener("infra", "gateway-only-invalid", "invalid");
    assert_cond(&l.conditions, "Accepted", "False", "UnsupportedProtocol");
    assert!(supported_kinds(l).is_empty());
    assert_eq!(l.attached_routes, 0);

    let some = t.gateway("infra", "gateway-some-invalid");
    let gw_conditions = some.conditions.as_deref().unwrap_or_default();
    assert_cond(gw_conditions, "Accepted", "True", "ListenersNotValid");
    let invalid = t.listener("infra", "gateway-some-invalid", "invalid");
    assert_cond(&invalid.conditions, "Accepted", "False", "UnsupportedProtocol");
    let http = t.listener("infra", "gateway-some-invalid", "http");
    assert_cond(&http.conditions, "Accepted", "True", "Accepted");
    assert_eq!(supported_kinds(http), ["HTTPRoute"]);
}

#[test]
fn gateway_invalid_parameters_ref() {
    let snap = world()
        .with(mk_gateway("infra", "gateway-with-invalid-parameters-ref").listener(listener("http", "HTTP", 80)).spec(
            "infrastructure",
            json!({"parametersRef": {"group": "invalid.io", "kind": "InvalidParameters", "name": "invalid"}}),
        ))
        .build();
    let t = run(&snap);
    let status = t.gateway("infra", "gateway-with-invalid-parameters-ref");
    let conditions = status.conditions.as_deref().unwrap_or_default();
    assert_cond(conditions, "Accepted", "False", "InvalidParameters");
    assert!(t.desired.service_networks.is_empty(), "a Gateway that is not accepted maps to no service network");
}

#[test]
fn gateway_invalid_route_kind() {
    let snap = world()
        .with(
            mk_gateway("infra", "gateway-only-invalid-route-kind")
                .listener(listener("http", "HTTP", 80).kinds(&["InvalidRoute"])),
        )
        .with(
            mk_gateway("infra", "gateway-supported-and-invalid-route-kind")
                .listener(listener("http", "HTTP", 80).kinds(&["InvalidRoute", "HTTPRoute"])),
        )
        .build();
    let t = run(&snap);
    let only = t.listener("infra", "gateway-only-invalid-route-kind", "http");
    assert_cond(&only.conditions, "ResolvedRefs", "False", "InvalidRouteKinds");
    assert!(supported_kinds(only).is_empty());
    assert_eq!(only.attached_routes, 0);
    let mixed = t.listener("infra", "gateway-supported-and-invalid-route-kind", "http");
    assert_cond(&mixed.conditions, "ResolvedRefs", "False", "InvalidRouteKinds");
    assert_eq!(supported_kinds(mixed), ["HTTPRoute"]);
    assert_eq!(mixed.attached_routes, 0);
}

#[test]
fn gateway_modify_listeners_add_listener() {
    let gw = || {
        mk_gateway("infra", "gateway-add-listener").listener(
            https("https").hostname("secure.test.com").cert_ref(json!({"name": "tls-validity-checks-certificate"})),
        )
    };
    let route = mk_route("infra", "http-route-1")
        .parent(parent("gateway-add-listener"))
        .rule(rule().backend(backend("infra-backend-v1", 8080)));
    let mut snap = base().with(gw()).with(route).build();
    let first = run(&snap);
    assert_eq!(first.listener("infra", "gateway-add-listener", "https").attached_routes, 1);

    apply_status(&mut snap, &first);
    let i = snap.gateways.len() - 1;
    let old = snap.gateways[i].status.take();
    snap.gateways[i] = gw().listener(listener("http", "HTTP", 80).hostname("data.test.com")).generation(4).build();
    snap.gateways[i].status = old;
    let second = run_with(&snap, &networks_for(&snap), later());
    let status = second.gateway("infra", "gateway-add-listener");
    let names: Vec<&str> = status.listeners.iter().flatten().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["https", "http"]);
    for l in status.listeners.iter().flatten() {
        assert_cond(&l.conditions, "Accepted", "True", "Accepted");
        assert_cond(&l.conditions, "ResolvedRefs", "True", "ResolvedRefs");
        assert!(supported_kinds(l).contains(&"HTTPRoute"));
        assert_eq!(l.attached_routes, 1, "listener {}", l.name);
    }
}

#[test]
fn gateway_modify_listeners_remove_listener() {
    let gw = || {
        mk_gateway("infra", "gateway-remove-listener").listener(listener("http", "HTTP", 80).hostname("data.test.com"))
    };
    let route = mk_route("infra", "http-route-2")
        .parent(parent("gateway-remove-listener"))
        .rule(rule().backend(backend("infra-backend-v1", 8080)));
    let with_https = gw().listener(
        https("https").hostname("secure.test.com").cert_ref(json!({"name": "tls-validity-checks-certificate"})),
    );
    let mut snap = base().with(with_https).with(route).build();
    let first = run(&snap);
    let listeners = first.gateway("infra", "gateway-remove-listener").listeners.as_ref();
    assert_eq!(listeners.map(Vec::len), Some(2));

    apply_status(&mut snap, &first);
    let i = snap.gateways.len() - 1;
    let old = snap.gateways[i].status.take();
    snap.gateways[i] = gw().generation(4).build();
    snap.gateways[i].status = old;
    let second = run_with(&snap, &networks_for(&snap), later());
    let status = second.gateway("infra", "gateway-remove-listener");
    let listeners = status.listeners.as_deref().unwrap_or_default();
    assert_eq!(listeners.len(), 1);
    assert_eq!(listeners[0].name, "http");
    assert_eq!(listeners[0].attached_routes, 1);
    assert_cond(&listeners[0].conditions, "Accepted", "True", "Accepted");
    assert_cond(&listeners[0].conditions, "ResolvedRefs", "True", "ResolvedRefs");
}

#[test]
fn gateway_with_attached_routes() {
    let snap = base()
        .with(
            mk_gateway("infra", "gateway-with-one-attached-route").listener(
                listener("http", "HTTP", 80)
                    .kinds(&["HTTPRoute"])
                    .routes_from_labelled("kubernetes.io/metadata.name", "infra"),
            ),
        )
        .with(
            mk_route("infra", "http-route-1")
                .parent(parent("gateway-with-one-attached-route"))
                .rule(rule().backend(backend("infra-backend-v1", 8080))),
        )
        .with(
            mk_gateway("infra", "gateway-with-two-attached-routes")
                .listener(listener("http", "HTTP", 80).hostname("foo.example.com")),
        )
        .with(
            mk_route("infra", "http-route-2")
                .parent(parent("gateway-with-two-attached-routes"))
                .rule(rule().backend(backend("infra-backend-v1", 8080))),
        )
        .with(
            mk_route("infra", "http-route-3")
                .parent(parent("gateway-with-two-attached-routes"))
                .rule(rule().backend(backend("infra-backend-v1", 8080))),
        )
        .with(
            mk_route("infra", "http-route-4")
                .parent(parent("gateway-with-two-attached-routes"))
                .hostname("not-accepted.test.com")
                .rule(rule().backend(backend("infra-backend-v1", 8080))),
        )
        .build();
    let t = run(&snap);
    let one = t.listener("infra", "gateway-with-one-attached-route", "http");
    assert_eq!(one.attached_routes, 1);
    assert_cond(&one.conditions, "Accepted", "True", "Accepted");
    assert_cond(&one.conditions, "ResolvedRefs", "True", "ResolvedRefs");
    assert_route_ok(t.route("infra", "http-route-1", "gateway-with-one-attached-route"));

    let two = t.listener("infra", "gateway-with-two-attached-routes", "http");
    assert_eq!(two.attached_routes, 2);
    let rejected = t.route("infra", "http-route-4", "gateway-with-two-attached-routes");
    assert_cond(rejected, "Accepted", "False", "NoMatchingListenerHostname");
    assert_cond(rejected, "ResolvedRefs", "True", "ResolvedRefs");
}

/// Upstream uses a certificateRef to a missing Secret. Secrets are never read (VPC Lattice
/// takes ACM certificates), so the listener here is broken by a certificateRef of a wrong kind:
/// the point of the case, attachment counted on a listener that is not programmed, is the same.
#[test]
fn gateway_with_attached_routes_on_listener_with_invalid_certificate() {
    let snap = base()
        .with(
            mk_gateway("infra", "unresolved-gateway-with-one-attached-unresolved-route")
                .listener(https("tls").cert_ref(json!({"group": "", "kind": "WrongKind", "name": "cert"}))),
        )
        .with(
            mk_route("infra", "attached-unresolved-route")
                .parent(parent("unresolved-gateway-with-one-attached-unresolved-route").section("tls"))
                .rule(rule().backend(backend("does-not-exist", 8080))),
        )
        .build();
    let t = run(&snap);
    let l = t.listener("infra", "unresolved-gateway-with-one-attached-unresolved-route", "tls");
    assert_eq!(l.attached_routes, 1);
    assert_cond(&l.conditions, "ResolvedRefs", "False", "InvalidCertificateRef");
    assert_eq!(crate::conditions::find(&l.conditions, "Programmed").map(|c| c.status.as_str()), Some("False"));
    let route = t.route("infra", "attached-unresolved-route", "unresolved-gateway-with-one-attached-unresolved-route");
    assert_cond(route, "Accepted", "True", "Accepted");
    assert_cond(route, "ResolvedRefs", "False", "BackendNotFound");
}

#[test]
fn gateway_with_attached_routes_with_port_8080() {
    let snap = base()
        .with(
            mk_gateway("infra", "gateway-with-two-listeners-and-one-attached-route")
                .listener(listener("http-unattached", "HTTP", 8080))
                .listener(listener("http", "HTTP", 80)),
        )
        .with(
            mk_route("infra", "http-route-4")
                .parent(parent("gateway-with-two-listeners-and-one-attached-route").section("http"))
                .rule(rule().backend(backend("infra-backend-v1", 8080))),
        )
        .build();
    let t = run(&snap);
    let gw = "gateway-with-two-listeners-and-one-attached-route";
    for (name, count) in [("http-unattached", 0), ("http", 1)] {
        let l = t.listener("infra", gw, name);
        assert_eq!(l.attached_routes, count, "listener {name}");
        assert_cond(&l.conditions, "Accepted", "True", "Accepted");
        assert_cond(&l.conditions, "ResolvedRefs", "True", "ResolvedRefs");
    }
    assert_eq!(t.service("http-route-4-infra").listeners.len(), 1);
    assert_eq!(t.service("http-route-4-infra").listeners[0].port, 80);
}

/// Upstream also has a missing Secret and a malformed Secret; Secrets are never read (VPC
/// Lattice takes ACM certificates), so only the references that are wrong on their face apply.
#[test]
fn gateway_invalid_tls_configuration() {
    let snap = base()
        .with(mk_gateway("infra", "gateway-certificate-unsupported-group").listener(https("https").cert_ref(
            json!({"group": "wrong.group.company.io", "kind": "Secret", "name": "tls-validity-checks-certificate"}),
        )))
        .with(
            mk_gateway("infra", "gateway-certificate-unsupported-kind").listener(
                https("https")
                    .cert_ref(json!({"group": "", "kind": "WrongKind", "name": "tls-validity-checks-certificate"})),
            ),
        )
        .build();
    let t = run(&snap);
    for gw in ["gateway-certificate-unsupported-group", "gateway-certificate-unsupported-kind"] {
        let l = t.listener("infra", gw, "https");
        assert_cond(&l.conditions, "ResolvedRefs", "False", "InvalidCertificateRef");
        assert!(supported_kinds(l).contains(&"HTTPRoute"), "{gw}");
        assert_eq!(l.attached_routes, 0);
        let conditions = t.gateway("infra", gw).conditions.as_deref().unwrap_or_default();
        assert_cond(conditions, "ResolvedRefs", "False", "ListenersNotResolved");
    }
}

fn cross_namespace_cert_gateway() -> GatewayB {
    mk_gateway("infra", "gateway-secret-cross-namespace").listener(
        https("https").cert_ref(json!({"group": "", "kind": "Secret", "name": "certificate", "namespace": "web"})),
    )
}

#[test]
fn gateway_secret_missing_reference_grant() {
    let snap = base().with(cross_namespace_cert_gateway()).build();
    let t = run(&snap);
    let l = t.listener("infra", "gateway-secret-cross-namespace", "https");
    assert_cond(&l.conditions, "ResolvedRefs", "False", "RefNotPermitted");
    assert_eq!(crate::conditions::find(&l.conditions, "Programmed").map(|c| c.status.as_str()), Some("False"));
}

#[test]
fn gateway_secret_invalid_reference_grant() {
    let gw = "Gateway";
    let group = "gateway.networking.k8s.io";
    let snap = base()
        .with(cross_namespace_cert_gateway())
        .with(mk_grant("app", "not-in-target-namespace").from(group, gw, "infra").to("", "Secret", "certificate"))
        .with(mk_grant("web", "wrong-from-group").from("not-the-group.io", gw, "infra").to("", "Secret", "certificate"))
        .with(mk_grant("web", "wrong-from-kind").from(group, "HTTPRoute", "infra").to("", "Secret", "certificate"))
        .with(mk_grant("web", "wrong-from-namespace").from(group, gw, "app").to("", "Secret", "certificate"))
        .with(mk_grant("web", "wrong-to-group").from(group, gw, "infra").to(
            "not-the-group.io",
            "Secret",
            "certificate",
        ))
        .with(mk_grant("web", "wrong-to-kind").from(group, gw, "infra").to("", "Service", "certificate"))
        .with(mk_grant("web", "wrong-to-name").from(group, gw, "infra").to("", "Secret", "not-the-certificate"))
        .build();
    let t = run(&snap);
    let l = t.listener("infra", "gateway-secret-cross-namespace", "https");
    assert_cond(&l.conditions, "ResolvedRefs", "False", "RefNotPermitted");
}

#[test]
fn gateway_secret_reference_grant_specific_and_all_in_namespace() {
    for to_name in ["certificate", ""] {
        let snap = base()
            .with(cross_namespace_cert_gateway())
            .with(
                mk_grant("web", "reference-grant")
                    .from("gateway.networking.k8s.io", "Gateway", "infra")
                    .to("", "Secret", to_name),
            )
            .build();
        let t = run(&snap);
        let l = t.listener("infra", "gateway-secret-cross-namespace", "https");
        assert_cond(&l.conditions, "ResolvedRefs", "True", "ResolvedRefs");
        assert_cond(&l.conditions, "Programmed", "True", "Programmed");
        let conditions = t.gateway("infra", "gateway-secret-cross-namespace").conditions.as_deref().unwrap_or_default();
        assert_cond(conditions, "Programmed", "True", "Programmed");
    }
}
