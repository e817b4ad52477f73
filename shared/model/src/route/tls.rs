//! TLSRoute → [`Route`]: no matches; the single rule's backends become the TLS passthrough
//! listener's default action.

use gateway_api::tlsroutes::TlsRoute;

use super::{Route, RouteKind, Rule, backend_refs, base, flag_unknown_rule_fields};
use crate::snapshot::ClusterSnapshot;

/// Converts a TLSRoute.
pub fn from_tls(route: &TlsRoute, snapshot: &ClusterSnapshot) -> Route {
    let mut out =
        base(RouteKind::Tls, &route.metadata, route.spec.parent_refs.as_ref(), route.status.as_ref(), snapshot);
    let spec = &route.spec;
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
        .map(|(index, r)| {
            let mut unsupported = Vec::new();
            let backends = backend_refs(Some(&r.backend_refs), &namespace, "spec.rules[0]", &mut unsupported);
            Rule { index, matches: Vec::new(), backends, unsupported }
        })
        .collect();
    flag_unknown_rule_fields(&mut out, snapshot);
    out
}
