//! ReferenceGrant (and allowedRoutes) enforcement, one row per kind of cross-namespace reference:
//! without the grant the reference is refused with a condition, with it the reference resolves.

use serde_json::json;

use super::Translation;
use crate::status::ObjectStatus;
use crate::testing::*;
use crate::translate::tests_conformance::base;

const GW: &str = "gateway.networking.k8s.io";
const MCS: &str = "multicluster.x-k8s.io";

/// One kind of cross-namespace reference.
struct Case {
    name: &'static str,
    /// The world with the reference and without a grant.
    world: fn() -> World,
    /// The grant (or allowedRoutes change) that permits it.
    permit: fn(World) -> World,
    /// The reason the refusal must give.
    refused: &'static str,
    /// `Ok(())` when the reference resolved; `Err(condition)` when it was refused.
    outcome: fn(&Translation) -> Result<(), String>,
}

fn route_outcome(t: &Translation, kind: &str, ns: &str, name: &str) -> Result<(), String> {
    let gateway = match (kind, ns) {
        ("GRPCRoute" | "TLSRoute", _) => "secure",
        (_, "app") => "open",
        _ => "same-namespace",
    };
    let c = t.route_of(kind, ns, name, gateway);
    let find = |type_: &str| crate::conditions::find(c, type_).map(|c| (c.status.clone(), c.reason.clone()));
    match (find("Accepted"), find("ResolvedRefs")) {
        (Some((a, _)), Some((r, _))) if a == "True" && r == "True" => Ok(()),
        (accepted, resolved) => Err(format!("Accepted {accepted:?}, ResolvedRefs {resolved:?}")),
    }
}

fn backend_case(kind: &'static str, builder: fn(&str, &str) -> RouteB, listener_protocol: &'static str) -> World {
    let gw = mk_gateway("infra", "secure").listener(listener("l", listener_protocol, 443).option(
        "application-networking.k8s.aws/certificate-arn",
        "arn:aws:acm:us-west-2:123456789012:certificate/abc",
    ));
    let parent_name = if listener_protocol == "HTTP" { "same-namespace" } else { "secure" };
    let route = builder("infra", "cross").parent(parent(parent_name)).hostname("x.example.com");
    let rule = if kind == "GRPCRoute" { rule().grpc("svc", "M") } else { rule() };
    base().with(gw).with(route.rule(rule.backend(backend("web-backend", 8080).ns("web"))))
}

/// A route in `app` on Gateway `infra/open`, whose listener admits routes from every namespace
/// only when `all`.
fn cross_parent(all: bool) -> World {
    let l = listener("http", "HTTP", 80);
    let l = if all { l.routes_from_all() } else { l };
    base().with(mk_gateway("infra", "open").listener(l)).with(
        mk_route("app", "cross")
            .parent(parent("open").ns("infra"))
            .rule(rule().backend(backend("app-backend-v1", 8080))),
    )
}

fn service_grant(from_kind: &'static str) -> impl Fn(World) -> World {
    move |w| w.with(mk_grant("web", "g").from(GW, from_kind, "infra").to("", "Service", "web-backend"))
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "HTTPRoute backendRef to a Service",
            refused: "RefNotPermitted",
            world: || backend_case("HTTPRoute", mk_route, "HTTP"),
            permit: |w| service_grant("HTTPRoute")(w),
            outcome: |t| route_outcome(t, "HTTPRoute", "infra", "cross"),
        },
        Case {
            name: "GRPCRoute backendRef to a Service",
            refused: "RefNotPermitted",
            world: || backend_case("GRPCRoute", mk_grpc_route, "HTTPS"),
            permit: |w| service_grant("GRPCRoute")(w),
            outcome: |t| route_outcome(t, "GRPCRoute", "infra", "cross"),
        },
        Case {
            name: "TLSRoute backendRef to a Service",
            refused: "RefNotPermitted",
            world: || {
                let gw = mk_gateway("infra", "secure")
                    .listener(listener("tls", "TLS", 443).hostname("x.example.com").mode("Passthrough"));
                let route = mk_tls_route("infra", "cross")
                    .parent(parent("secure"))
                    .hostname("x.example.com")
                    .rule(rule().backend(backend("web-backend", 8080).ns("web")));
                base().with(gw).with(route)
            },
            permit: |w| service_grant("TLSRoute")(w),
            outcome: |t| route_outcome(t, "TLSRoute", "infra", "cross"),
        },
        Case {
            name: "HTTPRoute backendRef to a ServiceImport",
            refused: "RefNotPermitted",
            world: || {
                let route = mk_route("infra", "cross")
                    .parent(parent("same-namespace"))
                    .rule(rule().backend(import_backend("web-import").ns("web").port(8080)));
                base().with(mk_import("web", "web-import")).with(route)
            },
            permit: |w| {
                w.with(mk_grant("web", "g").from(GW, "HTTPRoute", "infra").to(MCS, "ServiceImport", "web-import"))
            },
            outcome: |t| {
                // With the grant, the import resolves as far as the cluster goes (no exported target
                // group is observed here, so the next check, BackendNotFound, speaks).
                let c = t.route("infra", "cross", "same-namespace");
                match crate::conditions::find(c, "ResolvedRefs") {
                    Some(r) if r.reason == "RefNotPermitted" => Err(format!("{} {}", r.reason, r.message)),
                    _ => Ok(()),
                }
            },
        },
        Case {
            name: "Gateway certificateRef to a Secret",
            refused: "RefNotPermitted",
            world: || {
                base().with(
                    mk_gateway("infra", "cert").listener(
                        listener("https", "HTTPS", 443).cert_ref(
                            json!({"group": "", "kind": "Secret", "name": "certificate", "namespace": "web"}),
                        ),
                    ),
                )
            },
            permit: |w| w.with(mk_grant("web", "g").from(GW, "Gateway", "infra").to("", "Secret", "certificate")),
            outcome: |t| {
                let c = &t.listener("infra", "cert", "https").conditions;
                match crate::conditions::find(c, "ResolvedRefs") {
                    Some(r) if r.status == "True" => Ok(()),
                    other => Err(format!("{other:?}")),
                }
            },
        },
        Case {
            name: "parentRef to a Gateway in another namespace (allowedRoutes)",
            refused: "NotAllowedByListeners",
            world: || cross_parent(false),
            permit: |_| cross_parent(true),
            outcome: |t| route_outcome(t, "HTTPRoute", "app", "cross"),
        },
        Case {
            name: "policy targetRef to another namespace (never allowed)",
            refused: "spec.targetRef.namespace",
            world: || base().with(mk_tgp("infra", "cross", "web-backend").target_ns("web")),
            permit: |w| {
                w.with(mk_grant("web", "g").from("application-networking.k8s.aws", "TargetGroupPolicy", "infra").to(
                    "",
                    "Service",
                    "web-backend",
                ))
            },
            outcome: |t| match t.entry("TargetGroupPolicy", "infra", "cross").map(|e| &e.status) {
                Some(ObjectStatus::Policy(p)) if p.conditions.iter().any(|c| c.status == "True") => Ok(()),
                Some(ObjectStatus::Policy(p)) => Err(format!("{:?}", p.conditions.first().map(|c| &c.message))),
                _ => Err("no status".to_owned()),
            },
        },
    ]
}

#[test]
fn reliability_security_every_cross_namespace_reference_needs_a_grant() {
    let mut rows = Vec::new();
    for case in cases() {
        let refused = (case.outcome)(&run(&(case.world)().build()));
        let reason = refused.expect_err(case.name);
        assert!(reason.contains(case.refused), "{}: refused with {reason}, not {}", case.name, case.refused);
        let permitted = (case.outcome)(&run(&(case.permit)((case.world)()).build()));
        let never = case.name.contains("never allowed");
        if never {
            assert!(permitted.is_err(), "{}: a grant must not permit it", case.name);
        } else {
            assert_eq!(permitted, Ok(()), "{}: the grant did not permit it", case.name);
        }
        rows.push(case.name);
    }
    reliability::record(
        "security-reference-grants",
        &format!(
            "{} reference kinds: each refused without its grant, resolved with it (policy targets: never)",
            rows.len()
        ),
    );
}
