//! The readiness gate webhook configuration computed from snapshots.

use serde_json::json;

use super::*;
use crate::exports::ANNOTATION_SERVICE_NAME;
use crate::testing::*;

const URL: &str = "https://abc.lambda-url.us-west-2.on.aws/";

fn labelled(name: &str) -> NamespaceB {
    mk_namespace(name).label(INJECT_LABEL, INJECT_ENABLED)
}

/// A Gateway of ours in `default`, a route `shop/rates` to Service `shop/review` (selector
/// `app=review`), and the namespace `shop` as `namespace` builds it.
fn hotel(namespace: NamespaceB) -> World {
    world()
        .with(mk_gateway("default", "my-hotel").listener(listener("http", "HTTP", 80).routes_from_all()))
        .with(namespace)
        .with(mk_service("shop", "review").port("http", 80, 8080).selector("app", "review"))
        .with(
            mk_route("shop", "rates")
                .parent(parent("my-hotel").ns("default"))
                .rule(rule().backend(backend("review", 80))),
        )
}

fn wanted_for(snapshot: &ClusterSnapshot) -> WebhookWanted {
    let t = run(snapshot);
    wanted(snapshot, &t.desired, &WebhookSetting::Url(URL.into()))
}

fn present(w: WebhookWanted) -> Value {
    match w {
        WebhookWanted::Present(v) => v,
        other => panic!("expected a configuration, got {other:?}"),
    }
}

#[test]
fn one_entry_per_gated_service_with_every_defaulted_field_explicit() {
    let config = present(wanted_for(&hotel(labelled("shop")).build()));
    assert_eq!(
        config,
        json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": "lattice-pod-readiness-gate",
                "labels": {"app.kubernetes.io/managed-by": "lattice-gateway-controller"}},
            "webhooks": [{
                "name": "review.shop.pod-readiness-gate.application-networking.k8s.aws",
                "admissionReviewVersions": ["v1"],
                "clientConfig": {"url": URL},
                "failurePolicy": "Ignore",
                "matchPolicy": "Equivalent",
                "namespaceSelector": {"matchLabels": {
                    "kubernetes.io/metadata.name": "shop",
                    "application-networking.k8s.aws/pod-readiness-gate-inject": "enabled",
                }},
                "objectSelector": {"matchLabels": {"app": "review"}},
                "reinvocationPolicy": "Never",
                "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                    "resources": ["pods"], "scope": "Namespaced"}],
                "sideEffects": "None",
                "timeoutSeconds": 3,
            }],
        })
    );
}

#[test]
fn namespaces_without_the_label_or_with_another_value_get_nothing() {
    for namespace in [mk_namespace("shop"), mk_namespace("shop").label(INJECT_LABEL, "disabled")] {
        let snapshot = hotel(namespace).build();
        assert_eq!(wanted_for(&snapshot), WebhookWanted::Absent);
    }
    // A namespace that is not in the snapshot at all is not labelled either.
    let snapshot = hotel(labelled("elsewhere")).build();
    assert_eq!(wanted_for(&snapshot), WebhookWanted::Absent);
}

#[test]
fn services_without_a_selector_get_no_entry() {
    let snapshot = hotel(labelled("shop"))
        .with(mk_service("shop", "manual").port("http", 80, 8080))
        .with(
            mk_route("shop", "by-hand")
                .parent(parent("my-hotel").ns("default"))
                .rule(rule().backend(backend("manual", 80))),
        )
        .build();
    let t = run(&snapshot);
    let names: Vec<String> = gated_services(&snapshot, &t.desired).into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["review"], "the selector-less Service has a target group but no entry");
}

#[test]
fn routes_of_other_gateway_classes_gate_nothing() {
    let snapshot = world()
        .with(mk_class("other").controller("example.com/other-controller"))
        .with(mk_gateway("default", "theirs").class("other").listener(listener("http", "HTTP", 80).routes_from_all()))
        .with(labelled("shop"))
        .with(mk_service("shop", "review").port("http", 80, 8080).selector("app", "review"))
        .with(
            mk_route("shop", "rates")
                .parent(parent("theirs").ns("default"))
                .rule(rule().backend(backend("review", 80))),
        )
        .build();
    assert_eq!(wanted_for(&snapshot), WebhookWanted::Absent);
}

#[test]
fn federated_exports_gate_the_service_they_export() {
    let snapshot = world()
        .with(labelled("shop"))
        .with(mk_service("shop", "payments-v2").port("http", 80, 8080).selector("app", "payments").selector("v", "2"))
        .with(mk_export("shop", "payments").port(80, "HTTP").annotation(ANNOTATION_SERVICE_NAME, "payments-v2"))
        .with(mk_service("shop", "ignored").port("http", 80, 8080).selector("app", "ignored"))
        .with(mk_export("shop", "ignored").port(80, "HTTP").without(crate::exports::ANNOTATION_FEDERATION))
        .build();
    let config = present(wanted_for(&snapshot));
    let webhooks = config["webhooks"].as_array().expect("webhooks");
    assert_eq!(webhooks.len(), 1, "{config}");
    assert_eq!(webhooks[0]["name"], "payments-v2.shop.pod-readiness-gate.application-networking.k8s.aws");
    assert_eq!(webhooks[0]["objectSelector"], json!({"matchLabels": {"app": "payments", "v": "2"}}));
}

#[test]
fn entries_are_sorted_and_not_repeated_for_services_behind_several_routes() {
    let snapshot = hotel(labelled("shop"))
        .with(labelled("alpha"))
        .with(mk_service("alpha", "api").port("http", 80, 8080).selector("app", "api"))
        .with(
            mk_route("alpha", "api").parent(parent("my-hotel").ns("default")).rule(rule().backend(backend("api", 80))),
        )
        .with(
            mk_route("shop", "rates-2")
                .parent(parent("my-hotel").ns("default"))
                .rule(rule().backend(backend("review", 80))),
        )
        .build();
    let config = present(wanted_for(&snapshot));
    let names: Vec<&str> =
        config["webhooks"].as_array().expect("webhooks").iter().filter_map(|w| w["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "api.alpha.pod-readiness-gate.application-networking.k8s.aws",
            "review.shop.pod-readiness-gate.application-networking.k8s.aws"
        ]
    );
}

#[test]
fn the_setting_decides_whether_anything_is_kept() {
    let snapshot = hotel(labelled("shop")).build();
    let t = run(&snapshot);
    assert_eq!(wanted(&snapshot, &t.desired, &WebhookSetting::Unmanaged), WebhookWanted::Unmanaged);
    assert_eq!(wanted(&snapshot, &t.desired, &WebhookSetting::Off), WebhookWanted::Absent);
    assert!(matches!(wanted(&snapshot, &t.desired, &WebhookSetting::Url(URL.into())), WebhookWanted::Present(_)));
}

#[test]
fn urls_are_checked_as_the_api_server_does() {
    assert_eq!(check_url(URL), Ok(()));
    assert_eq!(check_url("https://hooks.example.com:8443/inject"), Ok(()));
    for (bad, problem) in [
        ("http://abc.lambda-url.us-west-2.on.aws/", "https://"),
        ("https:///path", "no host"),
        ("https://user:pw@host/", "user information"),
        ("https://host/?q=1", "query"),
        ("https://host/#frag", "query or fragment"),
        ("https://host/a b", "whitespace"),
    ] {
        let err = check_url(bad).expect_err(bad);
        assert!(err.contains(problem), "{bad}: {err}");
    }
}
