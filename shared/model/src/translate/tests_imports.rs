//! ServiceImport backends: exported target groups of several clusters, narrowing annotations,
//! external target groups and their errors, route-kind fit, ports, and the one-service rule.

use std::collections::BTreeSet;

use crate::imports::{self, ImportQueries};
use crate::lattice::{OwnerKey, RuleAction};
use crate::observed::{ObservedState, ObservedTargetGroup};
use crate::plan::Scope;
use crate::snapshot::ClusterSnapshot;
use crate::testing::*;
use crate::translate::Translation;

const ARN: &str = "application-networking.k8s.aws/target-group-arn";

/// A target group that cluster `cluster` exported for ServiceExport `default/name`.
fn export_tg(id: &str, name: &str, cluster: &str, port: i32, version: &str) -> ObservedTargetGroup {
    observed_export(id, ("default", name), cluster, port, version)
}

/// The hotel's Gateway and the `parking` Service, plus `imports`.
fn snapshot(imports: Vec<ImportB>, route: RouteB) -> ClusterSnapshot {
    let mut w = world()
        .with(
            mk_gateway("default", "my-hotel")
                .listener(listener("http", "HTTP", 80))
                .listener(listener("https", "HTTPS", 443)),
        )
        .with(mk_service("default", "parking").port("", 80, 8080))
        .with(route);
    for import in imports {
        w = w.with(import);
    }
    w.build()
}

fn translate_with(snap: &ClusterSnapshot, groups: Vec<ObservedTargetGroup>) -> Translation {
    let mut observed: ObservedState = networks_for(snap);
    observed.target_groups = groups;
    run_with(snap, &observed, now())
}

fn checkout_route(backend: BackendB) -> RouteB {
    mk_route("default", "shop").parent(parent("my-hotel").section("http")).rule(rule().backend(backend))
}

fn action(t: &Translation, route: &str) -> RuleAction {
    t.service_of("default", route).listeners[0].rules[0].action.clone()
}

fn weights(action: &RuleAction) -> Vec<(String, i32)> {
    match action {
        RuleAction::Forward(f) => {
            f.target_groups.iter().map(|t| (t.target_group_identifier.clone(), t.weight)).collect()
        }
        RuleAction::FixedResponse(_) => Vec::new(),
    }
}

#[test]
fn an_import_exported_by_two_clusters_forwards_to_both_sharing_its_weight() {
    let route = mk_route("default", "shop")
        .parent(parent("my-hotel").section("http"))
        .rule(rule().backend(import_backend("checkout").weight(90)).backend(backend("parking", 80).weight(10)));
    let snap = snapshot(vec![mk_import("default", "checkout")], route);
    let blue = export_tg("tg-0blue00000000000", "checkout", "blue", 80, "HTTP1");
    let green = export_tg("tg-0green0000000000", "checkout", "green", 80, "HTTP1");
    let t = translate_with(&snap, vec![green, blue]);
    let parking = t.target_group("shop", "parking").name.clone();
    // 45% to each cluster, 10% to the local Service.
    assert_eq!(
        weights(&action(&t, "shop")),
        [("tg-0blue00000000000".into(), 90), ("tg-0green0000000000".into(), 90), (parking, 20)]
    );
    assert_route_ok(t.route("default", "shop", "my-hotel"));
}

#[test]
fn annotations_rename_the_export_and_narrow_it_to_a_cluster_or_vpc() {
    let groups = || {
        vec![
            export_tg("tg-0blue00000000000", "payments", "blue", 80, "HTTP1"),
            export_tg("tg-0green0000000000", "payments", "green", 80, "HTTP1"),
            export_tg("tg-0other0000000000", "checkout", "blue", 80, "HTTP1"),
        ]
    };
    let cases = [
        (
            vec![("application-networking.k8s.aws/export-name", "payments")],
            vec!["tg-0blue00000000000", "tg-0green0000000000"],
        ),
        (
            vec![
                ("application-networking.k8s.aws/export-name", "payments"),
                ("application-networking.k8s.aws/aws-eks-cluster-name", "green"),
            ],
            vec!["tg-0green0000000000"],
        ),
        (
            vec![
                ("application-networking.k8s.aws/export-name", "payments"),
                ("application-networking.k8s.aws/aws-vpc", "vpc-blue"),
            ],
            vec!["tg-0blue00000000000"],
        ),
        // A blank export name falls back to the import's name.
        (vec![("application-networking.k8s.aws/export-name", " ")], vec!["tg-0other0000000000"]),
    ];
    for (annotations, expected) in cases {
        let mut import = mk_import("default", "checkout");
        for (k, v) in &annotations {
            import = import.annotation(k, v);
        }
        let snap = snapshot(vec![import], checkout_route(import_backend("checkout")));
        let t = translate_with(&snap, groups());
        let ids: Vec<String> = weights(&action(&t, "shop")).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, expected, "{annotations:?}");
    }
    // Narrowed to a cluster that exports nothing: not found, and the message says where we looked.
    let import =
        mk_import("default", "checkout").annotation("application-networking.k8s.aws/aws-eks-cluster-name", "red");
    let snap = snapshot(vec![import], checkout_route(import_backend("checkout")));
    let t = translate_with(&snap, groups());
    let c = assert_cond(t.route("default", "shop", "my-hotel"), "ResolvedRefs", "False", "BackendNotFound");
    assert!(
        c.message.contains("ServiceExport default/checkout") && c.message.contains("from cluster red"),
        "{}",
        c.message
    );
    assert_eq!(action(&t, "shop"), RuleAction::fixed(500));
}

#[test]
fn an_external_target_group_must_be_a_valid_existing_arn_of_this_region_and_alone() {
    let external = |id: &str| {
        let mut tg = export_tg(id, "x", "none", 80, "HTTP1");
        tg.tags.clear();
        tg
    };
    let good = "arn:aws:vpc-lattice:us-west-2:210987654321:targetgroup/tg-0ec2000000000000a";
    type Annotations<'a> = Vec<(&'a str, &'a str)>;
    let cases: Vec<(Annotations, &str, &str)> = vec![
        (vec![(ARN, good)], "ResolvedRefs", ""),
        (vec![(ARN, "tg-0ec2000000000000a")], imports::REASON_INVALID_EXTERNAL, "is not an ARN"),
        (
            vec![(ARN, "arn:aws:vpc-lattice:us-west-2:210987654321:service/svc-0ec2000000000000a")],
            imports::REASON_INVALID_EXTERNAL,
            "not a target group ARN",
        ),
        (
            vec![(ARN, "arn:aws:vpc-lattice:us-west-2:210987654321:targetgroup/tg-short")],
            imports::REASON_INVALID_EXTERNAL,
            "17",
        ),
        (
            vec![(ARN, "arn:aws:elasticloadbalancing:us-west-2:210987654321:targetgroup/tg-0ec2000000000000a")],
            imports::REASON_INVALID_EXTERNAL,
            "VPC Lattice",
        ),
        (
            vec![(ARN, "arn:aws:vpc-lattice:eu-west-1:210987654321:targetgroup/tg-0ec2000000000000a")],
            imports::REASON_EXTERNAL_NOT_FOUND,
            "eu-west-1",
        ),
        (
            vec![(ARN, "arn:aws:vpc-lattice:us-west-2:210987654321:targetgroup/tg-0gone000000000000")],
            imports::REASON_EXTERNAL_NOT_FOUND,
            "does not exist",
        ),
        (
            vec![(ARN, good), ("application-networking.k8s.aws/export-name", "x")],
            imports::REASON_CONFLICTING,
            "export-name",
        ),
        (vec![(ARN, good), ("application-networking.k8s.aws/aws-vpc", "")], imports::REASON_CONFLICTING, "aws-vpc"),
        (
            vec![(ARN, good), ("application-networking.k8s.aws/aws-eks-cluster-name", "blue")],
            imports::REASON_CONFLICTING,
            "aws-eks-cluster-name",
        ),
    ];
    for (annotations, reason, needle) in cases {
        let mut import = mk_import("default", "legacy");
        for (k, v) in &annotations {
            import = import.annotation(k, v);
        }
        let snap = snapshot(vec![import], checkout_route(import_backend("legacy")));
        let t = translate_with(&snap, vec![external("tg-0ec2000000000000a")]);
        let conditions = t.route("default", "shop", "my-hotel");
        if reason == "ResolvedRefs" {
            assert_route_ok(conditions);
            assert_eq!(weights(&action(&t, "shop")), [("tg-0ec2000000000000a".into(), 1)]);
            assert!(t.desired.target_groups.is_empty(), "an external target group is never ours");
            continue;
        }
        let c = assert_cond(conditions, "ResolvedRefs", "False", reason);
        assert!(
            c.message.contains(needle) && c.message.contains("spec.rules[0].backendRefs[0]"),
            "{annotations:?}: {}",
            c.message
        );
        assert_eq!(action(&t, "shop"), RuleAction::fixed(500), "{annotations:?}");
    }
}

#[test]
fn only_target_groups_that_fit_the_route_kind_and_port_are_used() {
    let groups = || {
        vec![
            export_tg("tg-0http00000000000", "checkout", "blue", 80, "HTTP1"),
            export_tg("tg-0grpc00000000000", "checkout", "blue", 8081, "GRPC"),
            export_tg("tg-0http20000000000", "checkout", "blue", 8082, "HTTP1"),
        ]
    };
    let snap = snapshot(vec![mk_import("default", "checkout")], checkout_route(import_backend("checkout")));
    let t = translate_with(&snap, groups());
    let ids: Vec<String> = weights(&action(&t, "shop")).into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["tg-0http00000000000", "tg-0http20000000000"], "both HTTP ports");
    // A port that one of them exports picks it.
    let snap = snapshot(vec![mk_import("default", "checkout")], checkout_route(import_backend("checkout").port(8082)));
    let t = translate_with(&snap, groups());
    assert_eq!(weights(&action(&t, "shop")), [("tg-0http20000000000".into(), 1)]);
    // A GRPCRoute takes the gRPC one.
    let grpc = mk_grpc_route("default", "shop")
        .parent(parent("my-hotel").section("https"))
        .rule(rule().backend(import_backend("checkout")));
    let snap = snapshot(vec![mk_import("default", "checkout")], grpc);
    let t = translate_with(&snap, groups());
    assert_eq!(weights(&action(&t, "shop")), [("tg-0grpc00000000000".into(), 1)]);
    // Only a gRPC target group for an HTTPRoute: the route kind is named in the message.
    let snap = snapshot(vec![mk_import("default", "checkout")], checkout_route(import_backend("checkout")));
    let t = translate_with(&snap, vec![export_tg("tg-0grpc00000000000", "checkout", "blue", 8081, "GRPC")]);
    let c = assert_cond(t.route("default", "shop", "my-hotel"), "ResolvedRefs", "False", "UnsupportedProtocol");
    assert!(c.message.contains("HTTPRoute") && c.message.contains("routeType HTTP"), "{}", c.message);
}

#[test]
fn a_target_group_another_service_uses_is_refused() {
    let mut used = export_tg("tg-0blue00000000000", "checkout", "blue", 80, "HTTP1");
    used.service_arns = vec!["arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0someoneelse00000".into()];
    let snap = snapshot(vec![mk_import("default", "checkout")], checkout_route(import_backend("checkout")));
    let t = translate_with(&snap, vec![used.clone()]);
    let c = assert_cond(t.route("default", "shop", "my-hotel"), "ResolvedRefs", "False", imports::REASON_IN_USE);
    assert!(c.message.contains("svc-0someoneelse00000"), "{}", c.message);
    // Used by the route's own service: fine.
    let mut observed = networks_for(&snap);
    let own = observed_service("shop-default", MANAGED_BY);
    used.service_arns = vec![own.arn.clone()];
    observed.services.push(own);
    observed.target_groups.push(used);
    let t = run_with(&snap, &observed, now());
    assert_route_ok(t.route("default", "shop", "my-hotel"));
}

#[test]
fn queries_name_what_routes_in_scope_import() {
    const LEGACY: &str = "arn:aws:vpc-lattice:us-west-2:210987654321:targetgroup/tg-0ec2000000000000a";
    let snap = world()
        .with(mk_gateway("default", "my-hotel").listener(listener("http", "HTTP", 80)))
        .with(mk_import("default", "checkout").annotation("application-networking.k8s.aws/export-name", "payments"))
        .with(mk_import("default", "legacy").annotation(ARN, LEGACY))
        .with(
            mk_import("default", "elsewhere")
                .annotation(ARN, "arn:aws:vpc-lattice:eu-west-1:210987654321:targetgroup/tg-0ec2000000000000a"),
        )
        .with(mk_import("default", "unused"))
        .with(
            mk_route("default", "a")
                .parent(parent("my-hotel"))
                .rule(rule().backend(import_backend("checkout")).backend(import_backend("missing"))),
        )
        .with(
            mk_route("default", "b")
                .parent(parent("my-hotel"))
                .rule(rule().backend(import_backend("legacy")).backend(import_backend("elsewhere"))),
        )
        .build();
    let all = imports::queries(&snap, &Scope::All, &config());
    assert_eq!(
        all,
        ImportQueries {
            exports: BTreeSet::from([("default".into(), "payments".into())]),
            external: BTreeSet::from([LEGACY.into()]),
        }
    );
    let owner = OwnerKey { kind: "HTTPRoute".into(), namespace: "default".into(), name: "b".into() };
    let scoped = imports::queries(&snap, &Scope::Owners(BTreeSet::from([owner])), &config());
    assert!(scoped.exports.is_empty() && scoped.external.len() == 1);
    assert!(imports::queries(&world().build(), &Scope::All, &config()).is_empty());

    // An inventory answers with the exported target groups asked for that are not known yet,
    // and the external ones.
    let known = observed_export("tg-0ours00000000000", ("default", "payments"), "test-cluster", 80, "HTTP1");
    let theirs = observed_export("tg-0theirs000000000", ("default", "payments"), "green", 80, "HTTP1");
    let unasked = observed_export("tg-0unasked00000000", ("default", "checkout"), "green", 80, "HTTP1");
    let mut external = observed_export("tg-0ec2000000000000a", ("x", "y"), "none", 80, "HTTP1");
    external.tags.clear();
    let ids: Vec<String> = all
        .select(&[known.clone(), theirs, unasked, external], &BTreeSet::from([known.arn]))
        .into_iter()
        .map(|tg| tg.id)
        .collect();
    assert_eq!(ids, ["tg-0theirs000000000", "tg-0ec2000000000000a"]);
}
