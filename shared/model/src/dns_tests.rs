//! Which routes want a DNSEndpoint record, and which want none.

use super::*;
use crate::observed::ObservedState;
use crate::testing::*;

fn hotel() -> World {
    world()
        .with(mk_gateway("default", "my-hotel").listener(listener("http", "HTTP", 80)))
        .with(mk_service("default", "review").port("", 80, 8080))
}

fn route(name: &str) -> RouteB {
    mk_route("default", name)
        .uid(&format!("uid-{name}"))
        .parent(parent("my-hotel"))
        .rule(rule().backend(backend("review", 80)))
}

fn observed(snap: &ClusterSnapshot, services: &[&str]) -> ObservedState {
    let mut observed = networks_for(snap);
    observed.services = services.iter().map(|s| observed_service(s, MANAGED_BY)).collect();
    observed
}

#[test]
fn accepted_routes_with_a_hostname_and_a_lattice_name_want_a_record() {
    let snap = hotel()
        .with(route("rates").hostname("rates.example.com").hostname("ignored.example.com"))
        .with(route("plain"))
        .with(route("pending").hostname("pending.example.com"))
        .build();
    let t = run_with(&snap, &observed(&snap, &["rates-default", "plain-default"]), now());
    let wanted = wanted(&snap, &t);
    let by_name = |name: &str| wanted.iter().find(|w| w.route.name == name).expect(name);
    let rates = by_name("rates");
    assert_eq!(rates.route, ObjectRef::new("HTTPRoute", "default", "rates"));
    assert_eq!(rates.uid.as_deref(), Some("uid-rates"));
    let record = rates.record.as_ref().expect("a record");
    assert_eq!(record.hostname, "rates.example.com", "the first hostname");
    assert_eq!(record.target, observed_service("rates-default", MANAGED_BY).dns_name.expect("dns"));
    assert_eq!(by_name("plain").record, None, "no hostname");
    assert_eq!(by_name("pending").record, None, "no Lattice DNS name yet");
    assert_eq!(endpoint_name("rates"), "rates-dns");
}

#[test]
fn routes_that_are_not_accepted_want_none_and_others_routes_are_not_listed() {
    let snap = hotel()
        .with(
            mk_route("default", "lost")
                .hostname("lost.example.com")
                .parent(parent("my-hotel").section("nope"))
                .rule(rule().backend(backend("review", 80))),
        )
        .with(mk_class("other").controller("example.com/other"))
        .with(mk_gateway("default", "theirs").class("other").listener(listener("http", "HTTP", 80)))
        .with(mk_route("default", "theirs").hostname("theirs.example.com").parent(parent("theirs")))
        .build();
    let t = run_with(&snap, &observed(&snap, &["lost-default"]), now());
    let wanted = wanted(&snap, &t);
    assert!(wanted.iter().all(|w| w.route.name != "theirs"), "a route we do not handle is left alone: {wanted:?}");
    let lost = wanted.iter().find(|w| w.route.name == "lost").expect("our route, with status");
    assert_eq!(lost.record, None, "not accepted: no service, no record, even with a Lattice service left over");
}
