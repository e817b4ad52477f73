//! Translation rules specific to GRPCRoutes, TLSRoutes and HTTPS listeners.

use super::tests_translation::{exact, forward, http_match, on_hotel, path_of, prefix, svc};
use crate::lattice::{ListenerProtocol, PathMatchType, Target};
use crate::testing::*;

fn grpc_gateway() -> GatewayB {
    mk_gateway("default", "grpc-gw")
        .listener(listener("https", "HTTPS", 443).option(
            "application-networking.k8s.aws/certificate-arn",
            "arn:aws:acm:us-west-2:123456789012:certificate/abc",
        ))
        .listener(listener("http", "HTTP", 80))
}

#[test]
fn grpc_route_matches_become_post_paths_on_https() {
    let snap = world()
        .with(grpc_gateway())
        .with(mk_service("default", "greeter").port("grpc", 50051, 50051))
        .with(
            mk_grpc_route("default", "greeter")
                .parent(parent("grpc-gw").section("https"))
                .rule(rule().grpc("helloworld.Greeter", "SayHello").backend(backend("greeter", 50051)))
                .rule(rule().grpc("helloworld.Greeter", "").backend(backend("greeter", 50051))),
        )
        .build();
    let t = run(&snap);
    assert_route_ok(t.route_of("GRPCRoute", "default", "greeter", "grpc-gw"));
    let service = t.service("greeter-default");
    assert_eq!(service.tags.get("application-networking.k8s.aws/RouteType").map(String::as_str), Some("grpc"));
    assert_eq!(service.certificate_arn.as_deref(), Some("arn:aws:acm:us-west-2:123456789012:certificate/abc"));
    assert_eq!(service.listeners.len(), 1);
    let l = &service.listeners[0];
    assert_eq!(l.name, "greeter-default-443-https");
    assert_eq!((l.protocol, l.port), (ListenerProtocol::Https, 443));
    let paths: Vec<(PathMatchType, Option<&str>)> =
        l.rules.iter().map(|r| (path_of(r), http_match(r).method.as_deref())).collect();
    assert_eq!(
        paths,
        [(exact("/helloworld.Greeter/SayHello"), Some("POST")), (prefix("/helloworld.Greeter/"), Some("POST")),]
    );
    let tg = t.target_group("greeter", "greeter");
    assert_eq!(tg.config.protocol, "HTTP");
    assert_eq!(tg.config.protocol_version.as_deref(), Some("GRPC"));
    assert_eq!(tg.tags.get("application-networking.k8s.aws/ProtocolVersion").map(String::as_str), Some("GRPC"));
    assert_eq!(tg.tags.get("application-networking.k8s.aws/SourceTypeKey").map(String::as_str), Some("GRPCRoute"));
}

#[test]
fn grpc_route_on_http_listener_is_not_allowed() {
    let snap = world()
        .with(grpc_gateway())
        .with(mk_service("default", "greeter").port("grpc", 50051, 50051))
        .with(
            mk_grpc_route("default", "greeter")
                .parent(parent("grpc-gw").section("http"))
                .rule(rule().backend(backend("greeter", 50051))),
        )
        .build();
    let t = run(&snap);
    let route = t.route_of("GRPCRoute", "default", "greeter", "grpc-gw");
    assert_cond(route, "Accepted", "False", "NotAllowedByListeners");
    assert_cond(route, "ResolvedRefs", "True", "ResolvedRefs");
    assert!(t.desired.services.is_empty());
    assert_eq!(t.listener("default", "grpc-gw", "http").attached_routes, 0);
}

#[test]
fn tls_route_becomes_passthrough_listener_with_tcp_target_group() {
    let snap = world()
        .with(mk_gateway("default", "tls-gw").listener(listener("tls", "TLS", 443).mode("Passthrough")))
        .with(mk_service("default", "secure").port("", 443, 8443))
        .with(mk_slice("default", "secure", "secure-x1").port("", 8443).endpoint("10.0.3.10"))
        .with(
            mk_tls_route("default", "secure")
                .parent(parent("tls-gw"))
                .hostname("secure.example.com")
                .rule(rule().backend(backend("secure", 443))),
        )
        .build();
    let t = run(&snap);
    assert_route_ok(t.route_of("TLSRoute", "default", "secure", "tls-gw"));
    let service = t.service("secure-default");
    assert_eq!(service.custom_domain_name.as_deref(), Some("secure.example.com"));
    assert_eq!(service.tags.get("application-networking.k8s.aws/RouteType").map(String::as_str), Some("tls"));
    let tg = t.target_group("secure", "secure");
    assert_eq!(service.listeners.len(), 1);
    let l = &service.listeners[0];
    assert_eq!(l.name, "secure-default-443-tls");
    assert_eq!((l.protocol, l.port), (ListenerProtocol::TlsPassthrough, 443));
    assert_eq!(l.default_action, forward(&[(&tg.name, 1)]));
    assert!(l.rules.is_empty());
    assert_eq!(tg.config.protocol, "TCP");
    assert_eq!(tg.config.protocol_version, None);
    assert_eq!(tg.tags.get("application-networking.k8s.aws/ProtocolVersion").map(String::as_str), Some(""));
    assert_eq!(tg.tags.get("application-networking.k8s.aws/SourceTypeKey").map(String::as_str), Some("TLSRoute"));
    assert_eq!(tg.targets, [Target { id: "10.0.3.10".into(), port: 8443 }]);
}

#[test]
fn https_listener_certificate_and_first_hostname_make_the_service_domain() {
    let arn = "arn:aws:acm:us-west-2:123456789012:certificate/abc";
    let snap =
        world()
            .with(mk_gateway("default", "my-hotel").listener(
                listener("https", "HTTPS", 443).option("application-networking.k8s.aws/certificate-arn", arn),
            ))
            .with(svc("review"))
            .with(
                on_hotel("review")
                    .hostname("review.example.com")
                    .hostname("reviews.example.com")
                    .rule(rule().backend(backend("review", 80))),
            )
            .build();
    let t = run(&snap);
    let service = t.service("review-default");
    assert_eq!(service.certificate_arn.as_deref(), Some(arn));
    assert_eq!(service.custom_domain_name.as_deref(), Some("review.example.com"));
    assert_eq!(service.listeners[0].protocol, ListenerProtocol::Https);
    let route = t.route("default", "review", "my-hotel");
    let accepted = assert_cond(route, "Accepted", "True", "Accepted");
    assert!(accepted.message.contains("reviews.example.com"), "the hostname left out is named: {}", accepted.message);
}
