//! TLSRoute → [`Route`]: no matches; the single rule's backends become the TLS passthrough
//! listener's default action.

use gateway_api::tlsroutes::TlsRoute;

use super::{Route, RouteKind, Rule, backend_ref, base, existing_parents, flag_unknown_rule_fields, parent_ref};
use crate::snapshot::ClusterSnapshot;

/// Converts a TLSRoute.
pub fn from_tls(route: &TlsRoute, snapshot: &ClusterSnapshot) -> Route {
    let mut out = base(RouteKind::Tls, &route.metadata, snapshot);
    let spec = &route.spec;
    out.parent_refs = spec
        .parent_refs
        .iter()
        .flatten()
        .map(|p| {
            parent_ref(
                p.group.as_ref(),
                p.kind.as_ref(),
                p.namespace.as_ref(),
                &p.name,
                p.section_name.as_ref(),
                p.port,
            )
        })
        .collect();
    out.hostnames = spec.hostnames.clone();
    if out.hostnames.is_empty() {
        out.errors
            .push("spec.hostnames: a TLSRoute needs a hostname, which becomes the Lattice custom domain name".into());
    }
    if spec.rules.len() > 1 {
        out.errors.push(format!("spec.rules: a TLSRoute has exactly one rule, found {}", spec.rules.len()));
    }
    let namespace = out.namespace.clone();
    out.rules = spec
        .rules
        .iter()
        .take(1)
        .enumerate()
        .map(|(index, r)| Rule {
            index,
            matches: Vec::new(),
            backends: r
                .backend_refs
                .iter()
                .map(|b| {
                    backend_ref(
                        &namespace,
                        b.group.as_ref(),
                        b.kind.as_ref(),
                        b.namespace.as_ref(),
                        &b.name,
                        b.port,
                        b.weight,
                    )
                })
                .collect(),
            unsupported: Vec::new(),
        })
        .collect();
    out.existing_parents = existing_parents(route.status.as_ref());
    flag_unknown_rule_fields(&mut out, snapshot);
    out
}
