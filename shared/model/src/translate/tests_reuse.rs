//! A translation that reuses the routes of an earlier one gives the same result as one that
//! builds every route, and builds again only the routes whose answers changed.

use proptest::prelude::*;

use super::{Translation, translate, translate_after, translate_desired, translate_desired_after};
use crate::annotations::ANNOTATION_SERVICE_NAME_OVERRIDE;
use crate::certificates::ObservedCertificate;
use crate::conditions::reasons;
use crate::fingerprint::Fingerprints;
use crate::names::TAG_TARGET_GROUP_POLICY;
use crate::observed::ObservedState;
use crate::snapshot::ClusterSnapshot;
use crate::testing::*;

/// One generated route: its backends (`None`: the ServiceImport), whether it is also on the
/// HTTPS listener (with a custom domain, so its certificate is discovered), and whether it
/// overrides its service name with one another route may also ask for.
#[derive(Clone, Debug)]
struct RouteGen {
    backends: Vec<Option<usize>>,
    https: bool,
    shared_name: bool,
}

/// What the observed state holds besides the service network.
#[derive(Clone, Debug)]
struct ObservedGen {
    /// `None`: not read; `Some(true)`: a wildcard certificate covers every route's domain.
    certificates: Option<bool>,
    /// The ServiceImport's exported target group exists.
    import: bool,
    /// A service another controller owns holds the name of this route's service.
    foreign: Option<usize>,
    /// Our own service of this route exists with another custom domain.
    moved_domain: Option<usize>,
    /// The target groups (by position in the desired state) observed with a TargetGroupPolicy tag.
    policy_tagged: Vec<usize>,
}

const SERVICES: usize = 3;

fn route_gen() -> impl Strategy<Value = RouteGen> {
    (proptest::collection::vec(proptest::option::of(0..SERVICES), 1..3), any::<bool>(), proptest::bool::weighted(0.2))
        .prop_map(|(backends, https, shared_name)| RouteGen { backends, https, shared_name })
}

fn observed_gen() -> impl Strategy<Value = ObservedGen> {
    (
        proptest::option::of(any::<bool>()),
        any::<bool>(),
        proptest::option::of(0..5_usize),
        proptest::option::of(0..5_usize),
        proptest::collection::vec(0..8_usize, 0..3),
    )
        .prop_map(|(certificates, import, foreign, moved_domain, policy_tagged)| ObservedGen {
            certificates,
            import,
            foreign,
            moved_domain,
            policy_tagged,
        })
}

fn snapshot(routes: &[RouteGen], policy: bool) -> ClusterSnapshot {
    let mut w = world()
        .with(
            mk_gateway("default", "my-hotel")
                .listener(listener("http", "HTTP", 80))
                .listener(listener("https", "HTTPS", 443).mode("Terminate")),
        )
        .with(mk_import("default", "checkout"));
    for s in 0..SERVICES {
        w = w.with(mk_service("default", &format!("svc{s}")).port("", 80, 8080)).with(
            mk_slice("default", &format!("svc{s}"), &format!("svc{s}-1"))
                .port("", 8080)
                .endpoint(&format!("10.0.0.{s}")),
        );
    }
    if policy {
        w = w.with(mk_tgp("default", "svc0-policy", "svc0"));
    }
    for (i, r) in routes.iter().enumerate() {
        let mut rule = rule().prefix("/");
        for b in &r.backends {
            rule = rule.backend(match b {
                Some(s) => backend(&format!("svc{s}"), 80),
                None => import_backend("checkout"),
            });
        }
        let mut route = mk_route("default", &format!("r{i}"))
            .parent(parent("my-hotel").section("http"))
            .rule(rule)
            .created(i as i64);
        if r.https {
            route = route.parent(parent("my-hotel").section("https")).hostname(&format!("r{i}.example.com"));
        }
        if r.shared_name {
            route = route.annotation(ANNOTATION_SERVICE_NAME_OVERRIDE, "shared-name");
        }
        w = w.with(route);
    }
    w.build()
}

fn certificate() -> ObservedCertificate {
    ObservedCertificate {
        arn: "arn:aws:acm:us-west-2:123456789012:certificate/wild".into(),
        domain_name: Some("*.example.com".into()),
        subject_alternative_names: vec!["*.example.com".into()],
        status: "ISSUED".into(),
        key_algorithm: Some("RSA_2048".into()),
        issued_at: Some(1),
        imported_at: None,
        created_at: None,
    }
}

/// The observed state `g` describes, naming services and target groups as `reference` (a
/// translation of the same snapshot) desires them.
fn observed(snap: &ClusterSnapshot, g: &ObservedGen, reference: &Translation) -> ObservedState {
    let mut o = networks_for(snap);
    o.certificates = g.certificates.map(|covers| if covers { vec![certificate()] } else { Vec::new() });
    if g.import {
        o.target_groups.push(observed_export("tg-0blue00000000000", ("default", "checkout"), "blue", 80, "HTTP1"));
    }
    let services = &reference.desired.services;
    if let Some(spec) = g.foreign.and_then(|i| services.get(i)) {
        o.services.push(observed_service(&spec.name, "someone-else"));
    }
    if let Some(spec) = g.moved_domain.and_then(|i| services.get(i)) {
        let mut ours = observed_service(&spec.name, &config().identity.managed_by());
        ours.custom_domain_name = Some("elsewhere.example.org".into());
        o.services.push(ours);
    }
    let groups = &reference.desired.target_groups;
    for tg in g.policy_tagged.iter().filter_map(|i| groups.get(*i)) {
        let mut seen = observed_export("tg-0tagged000000000", ("default", "x"), "blue", 80, "HTTP1");
        seen.name = tg.name.clone();
        seen.tags.insert(TAG_TARGET_GROUP_POLICY.into(), "default/gone".into());
        o.target_groups.push(seen);
    }
    o
}

fn assert_same(reused: &Translation, built: &Translation) {
    assert_eq!(reused.desired, built.desired);
    assert_eq!(reused.status, built.status);
    assert_eq!(reused.certificate_lookups, built.certificate_lookups);
    assert_eq!(reused.held, built.held);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn reusing_routes_gives_what_building_them_gives(
        routes in proptest::collection::vec(route_gen(), 1..5),
        policy in any::<bool>(),
        steps in proptest::collection::vec(observed_gen(), 1..4),
    ) {
        let snap = snapshot(&routes, policy);
        let reference = translate(&snap, &networks_for(&snap), &config(), now());
        let mut earlier = translate_desired(&snap, &ObservedState::default(), &config(), now());
        for (i, step) in steps.iter().enumerate() {
            let o = observed(&snap, step, &reference);
            // A run asks for the fingerprints of most translations, and they carry over.
            if i != 1 {
                earlier.fingerprints();
            }
            // Alternate the two kinds of translation, as a run does.
            let (reused, built) = if i % 2 == 0 {
                (translate_after(&snap, &o, &config(), now(), earlier), translate(&snap, &o, &config(), now()))
            } else {
                (translate_desired_after(&snap, &o, &config(), now(), earlier), translate_desired(&snap, &o, &config(), now()))
            };
            let mut reused = reused;
            assert_same(&reused, &built);
            prop_assert_eq!(reused.fingerprints(), &Fingerprints::of(&built.desired));
            earlier = reused;
        }
    }
}

fn rebuilt(t: &Translation) -> usize {
    t.routes_built()
}

fn three_routes() -> ClusterSnapshot {
    let plain = RouteGen { backends: vec![Some(0)], https: false, shared_name: false };
    let import = RouteGen { backends: vec![None, Some(1)], https: false, shared_name: false };
    let https = RouteGen { backends: vec![Some(2)], https: true, shared_name: false };
    snapshot(&[plain, import, https], false)
}

#[test]
fn routes_whose_answers_hold_are_not_built_again() {
    let snap = three_routes();
    let first = translate_desired(&snap, &ObservedState::default(), &config(), now());
    assert_eq!(rebuilt(&first), 3, "a first translation builds every route");
    let o = networks_for(&snap);
    let t = translate_after(&snap, &o, &config(), now(), first);
    assert_eq!(rebuilt(&t), 0);
    assert_same(&t, &translate(&snap, &o, &config(), now()));
}

#[test]
fn only_the_routes_an_answer_changed_for_are_built_again() {
    let snap = three_routes();
    let first = translate_desired(&snap, &ObservedState::default(), &config(), now());
    let g =
        ObservedGen { certificates: None, import: true, foreign: None, moved_domain: None, policy_tagged: Vec::new() };
    let o = observed(&snap, &g, &first);
    let t = translate_after(&snap, &o, &config(), now(), first);
    assert_eq!(rebuilt(&t), 1, "only the route with the ServiceImport");
    assert_route_ok(t.route("default", "r1", "my-hotel"));
    let certificates = ObservedGen { certificates: Some(true), ..g };
    let o = observed(&snap, &certificates, &t);
    let t = translate_after(&snap, &o, &config(), now(), t);
    assert_eq!(rebuilt(&t), 1, "only the route on the HTTPS listener");
    assert_eq!(
        t.service("r2-default").certificate_arn.as_deref(),
        Some("arn:aws:acm:us-west-2:123456789012:certificate/wild")
    );
    assert_same(&t, &translate(&snap, &o, &config(), now()));
}

#[test]
fn a_route_a_conflict_changed_is_built_again_and_recovers() {
    let snap = three_routes();
    let first = translate_desired(&snap, &ObservedState::default(), &config(), now());
    let g = ObservedGen {
        certificates: None,
        import: false,
        foreign: Some(0),
        moved_domain: None,
        policy_tagged: Vec::new(),
    };
    let o = observed(&snap, &g, &first);
    let conflicted = translate_after(&snap, &o, &config(), now(), first);
    assert_eq!(rebuilt(&conflicted), 0, "a conflict does not change what a route asks");
    assert!(conflicted.desired.services.iter().all(|s| s.name != "r0-default"));
    let rejected = assert_cond(conflicted.route("default", "r0", "my-hotel"), "Accepted", "False", reasons::CONFLICTED);
    assert!(rejected.message.contains("someone-else"), "{}", rejected.message);
    // Once the foreign service is gone, the route gets its service back.
    let o = networks_for(&snap);
    let t = translate_after(&snap, &o, &config(), now(), conflicted);
    assert_eq!(rebuilt(&t), 1);
    assert_route_ok(t.route("default", "r0", "my-hotel"));
    assert_same(&t, &translate(&snap, &o, &config(), now()));
}

#[test]
fn a_translation_of_another_snapshot_is_not_reused() {
    let snap = three_routes();
    let other = snapshot(&[RouteGen { backends: vec![Some(0)], https: false, shared_name: false }], false);
    let earlier = translate_desired(&other, &ObservedState::default(), &config(), now());
    let o = networks_for(&snap);
    let t = translate_after(&snap, &o, &config(), now(), earlier);
    assert_eq!(rebuilt(&t), 3);
    assert_same(&t, &translate(&snap, &o, &config(), now()));
}
