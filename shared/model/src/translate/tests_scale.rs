//! Scale: thousands of routes, each with its own Service and EndpointSlice, translate and plan
//! correctly in one pass each, and a second run against what the first created plans nothing.
//! Every lookup of a route's objects (Service, EndpointSlices, policies, the observed service and
//! target group of its name) goes through a map: a scan per route would make this test run for
//! minutes in a debug build instead of seconds (it asserts results, never times).

use std::collections::HashMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;

use crate::index::{ObservedIndex, SnapshotIndex};
use crate::lattice::{Target, TargetGroupSpec};
use crate::names::TAG_ROUTE_NAME;
use crate::plan::memory::{self, IdGen};
use crate::plan::{Scope, plan};
use crate::status::StatusEntry;
use crate::testing::*;

use super::tests_translation::{on_hotel, svc};

const ROUTES: usize = 3000;

fn address(i: usize) -> String {
    format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256)
}

fn cluster() -> World {
    let mut w = world().with(mk_gateway("default", "my-hotel").listener(listener("http", "HTTP", 80)));
    for i in 0..ROUTES {
        let service = format!("s{i}");
        w = w
            .with(svc(&service))
            .with(mk_slice("default", &service, &format!("{service}-a")).port("", 8080).endpoint(&address(i)))
            .with(on_hotel(&format!("r{i}")).rule(rule().prefix(&format!("/r{i}")).backend(backend(&service, 80))));
    }
    w
}

#[test]
fn thousands_of_routes_translate_plan_and_settle() {
    let snapshot = cluster().build();
    let mut observed = networks_for(&snapshot);
    let t = run_with(&snapshot, &observed, now());
    assert_eq!(t.desired.services.len(), ROUTES);
    assert_eq!(t.desired.target_groups.len(), ROUTES);
    let by_route: HashMap<&str, &TargetGroupSpec> =
        t.desired.target_groups.iter().map(|g| (g.tags.get(TAG_ROUTE_NAME).map_or("", String::as_str), g)).collect();
    for i in 0..ROUTES {
        let tg = by_route.get(format!("r{i}").as_str()).unwrap_or_else(|| panic!("no target group for route r{i}"));
        assert_eq!(tg.targets, [Target { id: address(i), port: 8080 }], "{}", tg.name);
    }
    let routes: Vec<&StatusEntry> = t.status.iter().filter(|e| e.kind == "HTTPRoute").collect();
    assert_eq!(routes.len(), ROUTES);
    for e in routes {
        let conditions: Vec<Condition> = e.conditions().into_iter().map(|(_, c)| c.clone()).collect();
        assert_route_ok(&conditions);
    }
    let first = plan(&t.desired, &observed, &Scope::All, MANAGED_BY);
    memory::apply(&first, &mut observed, &mut IdGen::new()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(observed.services.len(), ROUTES);
    assert_eq!(observed.target_groups.len(), ROUTES);
    let again = run_with(&snapshot, &observed, later());
    let second = plan(&again.desired, &observed, &Scope::All, MANAGED_BY);
    assert!(second.is_noop(), "{:?}", &second.actions[..second.actions.len().min(5)]);
    assert!(second.refused.is_empty(), "{:?}", &second.refused[..second.refused.len().min(5)]);
}

#[test]
fn the_indexes_find_what_a_scan_of_the_lists_finds_first() {
    let snapshot = world()
        .with(svc("a").port("first", 81, 81))
        .with(svc("a"))
        .with(mk_slice("default", "a", "a-1").endpoint("10.0.0.1"))
        .with(mk_slice("other", "a", "a-2").endpoint("10.0.0.2"))
        .with(mk_slice("default", "a", "a-3").endpoint("10.0.0.3"))
        .build();
    let index = SnapshotIndex::new(&snapshot);
    let found = index.service("default", "a").expect("service a");
    assert!(std::ptr::eq(found, &snapshot.services[0]), "the first of two Services of one name");
    assert!(index.service("other", "a").is_none());
    let slices: Vec<&str> =
        index.endpoint_slices("default", "a").iter().map(|s| s.metadata.name.as_deref().unwrap_or("")).collect();
    assert_eq!(slices, ["a-1", "a-3"], "by namespace and service label, in snapshot order");
    assert!(index.endpoint_slices("default", "b").is_empty());
    assert!(index.target_group_settings("Service", "default", "a").is_none());

    let mut observed = networks_for(&snapshot);
    let mut twin = observed_service("svc-a", MANAGED_BY);
    observed.services.push(twin.clone());
    twin.id = "svc-other".into();
    observed.services.push(twin);
    let seen = ObservedIndex::new(&observed);
    assert_eq!(seen.service("svc-a").map(|s| s.id.as_str()), Some(observed.services[0].id.as_str()));
    assert!(seen.target_group("svc-a").is_none());
}
