//! What must not change while some objects cannot be read.
//!
//! A route that cannot be read would look deleted; a Gateway, Service, Namespace or ReferenceGrant
//! that cannot be read would detach routes or break their backends. Acting on such a partial view
//! would delete or break Lattice resources by mistake, so the routes it could affect are left
//! exactly as they are (neither planned nor garbage-collected, and their status is not written)
//! until the objects can be read again. The same holds for ServiceExports and the Services and
//! EndpointSlices they read.

use std::collections::BTreeSet;

use crate::lattice::OwnerKey;
use crate::route::{self, Route};
use crate::snapshot::{ClusterSnapshot, ObjectRef, name_of};

/// The routes (and ServiceExports) whose Lattice resources and status must be left alone.
pub fn protected_owners(snapshot: &ClusterSnapshot) -> BTreeSet<OwnerKey> {
    let mut out = BTreeSet::new();
    if snapshot.unreadable.is_empty() {
        return out;
    }
    let owner = |r: &ObjectRef| OwnerKey { kind: r.kind.clone(), namespace: r.namespace.clone(), name: r.name.clone() };
    let unreadable_classes: Vec<&str> =
        snapshot.unreadable.iter().filter(|r| r.kind == "GatewayClass").map(|r| r.name.as_str()).collect();
    let gateways_of_unreadable_classes: Vec<ObjectRef> = snapshot
        .gateways
        .iter()
        .filter(|g| unreadable_classes.contains(&g.spec.gateway_class_name.as_str()))
        .map(|g| ObjectRef::new("Gateway", crate::snapshot::namespace_of(&g.metadata), name_of(&g.metadata)))
        .collect();
    for r in &snapshot.unreadable {
        if matches!(r.kind.as_str(), "HTTPRoute" | "GRPCRoute" | "TLSRoute") {
            out.insert(owner(r));
        }
    }
    for route in route::routes(snapshot) {
        if snapshot.unreadable.iter().chain(&gateways_of_unreadable_classes).any(|r| depends_on(&route, r)) {
            out.insert(OwnerKey {
                kind: route.kind.kind().into(),
                namespace: route.namespace.clone(),
                name: route.name.clone(),
            });
        }
    }
    out.extend(crate::exports::protected(snapshot));
    out
}

/// Whether service networks and VPC associations must be left as they are because an object
/// that asks for or names one could not be read (a ServiceNetwork, a VpcAssociationPolicy or a
/// Gateway): then none is deleted, as it might be the unreadable object's.
pub fn freezes_networks(snapshot: &ClusterSnapshot) -> bool {
    snapshot
        .unreadable
        .iter()
        .any(|r| matches!(r.kind.as_str(), "ServiceNetwork" | "VpcAssociationPolicy" | "Gateway" | "GatewayClass"))
}

/// Whether the translation of `route` reads `object`.
fn depends_on(route: &Route, object: &ObjectRef) -> bool {
    match object.kind.as_str() {
        "Gateway" => route.parent_refs.iter().any(|p| {
            p.kind == "Gateway"
                && p.name == object.name
                && p.namespace.as_deref().unwrap_or(&route.namespace) == object.namespace
        }),
        "Namespace" => route.namespace == object.name,
        "Service" | "ServiceImport" => route
            .rules
            .iter()
            .flat_map(|r| &r.backends)
            .any(|b| b.kind == object.kind && b.namespace == object.namespace && b.name == object.name),
        "EndpointSlice" => true,
        "ReferenceGrant" => route
            .rules
            .iter()
            .flat_map(|r| &r.backends)
            .any(|b| b.namespace == object.namespace && b.namespace != route.namespace),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn hotel() -> World {
        world()
            .with(mk_gateway("default", "my-hotel").listener(listener("http", "HTTP", 80)))
            .with(mk_service("default", "review").port("", 80, 8080))
            .with(mk_service("default", "parking").port("", 80, 8080))
    }

    #[test]
    fn nothing_is_protected_when_everything_was_read() {
        let snap = hotel()
            .with(mk_route("default", "rates").parent(parent("my-hotel")).rule(rule().backend(backend("review", 80))))
            .build();
        assert!(protected_owners(&snap).is_empty());
    }

    #[test]
    fn routes_that_depend_on_an_unreadable_object_are_protected() {
        let mut snap = hotel()
            .with(mk_route("default", "rates").parent(parent("my-hotel")).rule(rule().backend(backend("review", 80))))
            .with(mk_route("default", "other").parent(parent("my-hotel")).rule(rule().backend(backend("parking", 80))))
            .build();
        snap.unreadable.push(ObjectRef::new("Service", "default", "review"));
        snap.unreadable.push(ObjectRef::new("HTTPRoute", "default", "broken"));
        let protected: Vec<String> = protected_owners(&snap).iter().map(|o| o.name.clone()).collect();
        assert_eq!(protected, ["broken", "rates"]);
        assert!(!freezes_networks(&snap));
        snap.unreadable.push(ObjectRef::new("Gateway", "default", "my-hotel"));
        assert_eq!(protected_owners(&snap).len(), 3, "a Gateway that cannot be read protects every route on it");
        assert!(freezes_networks(&snap));
    }

    #[test]
    fn an_unreadable_service_network_or_vpc_association_policy_freezes_networks() {
        for kind in ["ServiceNetwork", "VpcAssociationPolicy"] {
            let mut snap = hotel().build();
            snap.unreadable.push(ObjectRef::new(kind, "", "x"));
            assert!(freezes_networks(&snap), "{kind}");
            assert!(protected_owners(&snap).is_empty(), "no route depends on it");
        }
    }
}
