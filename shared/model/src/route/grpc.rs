//! GRPCRoute → [`Route`]: `service`/`method` become the HTTP/2 path `/<service>/<method>`.

use gateway_api::grpcroutes::{
    GrpcRoute, GrpcRouteRules, GrpcRouteRulesMatches, GrpcRouteRulesMatchesHeadersType, GrpcRouteRulesMatchesMethodType,
};

use super::{
    Route, RouteKind, Rule, backend_refs, base, check_lattice_path, convert_rules, flag_unknown_rule_fields,
    header_matches,
};
use crate::config::Quotas;
use crate::lattice::{HttpMatch, PathMatch, PathMatchType};
use crate::snapshot::ClusterSnapshot;

/// Converts a GRPCRoute.
pub fn from_grpc(route: &GrpcRoute, snapshot: &ClusterSnapshot) -> Route {
    let mut out =
        base(RouteKind::Grpc, &route.metadata, route.spec.parent_refs.as_ref(), route.status.as_ref(), snapshot);
    let spec = &route.spec;
    out.hostnames = spec.hostnames.clone().unwrap_or_default();
    out.rules = convert_rules(spec.rules.as_ref(), |i, r| rule(i, r, &out.namespace));
    flag_unknown_rule_fields(&mut out, snapshot);
    out
}

fn rule(index: usize, rule: &GrpcRouteRules, namespace: &str) -> Rule {
    let path = format!("spec.rules[{index}]");
    let mut unsupported = Vec::new();
    for (i, filter) in rule.filters.iter().flatten().enumerate() {
        unsupported.push(format!("{path}.filters[{i}]: {:?} filters are not supported by VPC Lattice", filter.r#type));
    }
    let default_match = [GrpcRouteRulesMatches::default()];
    let spec_matches = match rule.matches.as_deref() {
        Some(m) if !m.is_empty() => m,
        _ => &default_match,
    };
    let mut matches = Vec::new();
    for (i, m) in spec_matches.iter().enumerate() {
        match grpc_match(m, &format!("{path}.matches[{i}]")) {
            Ok(m) => matches.push(m),
            Err(e) => unsupported.push(e),
        }
    }
    let backends = backend_refs(rule.backend_refs.as_ref(), namespace, &path, &mut unsupported);
    Rule { index, matches, backends, unsupported }
}

fn grpc_match(m: &GrpcRouteRulesMatches, path: &str) -> Result<HttpMatch, String> {
    let (matcher, value) = match &m.method {
        None => (PathMatchType::Prefix("/".into()), "/".to_owned()),
        Some(method) => {
            if matches!(method.r#type, Some(GrpcRouteRulesMatchesMethodType::RegularExpression)) {
                return Err(format!(
                    "{path}.method: RegularExpression method matches are not supported by VPC Lattice"
                ));
            }
            match (method.service.as_deref(), method.method.as_deref()) {
                (Some(s), Some(m)) => {
                    let p = format!("/{s}/{m}");
                    (PathMatchType::Exact(p.clone()), p)
                }
                (Some(s), None) => {
                    let p = format!("/{s}/");
                    (PathMatchType::Prefix(p.clone()), p)
                }
                (None, Some(_)) => {
                    return Err(format!(
                        "{path}.method: a method match without a service is not supported by VPC Lattice"
                    ));
                }
                (None, None) => (PathMatchType::Prefix("/".into()), "/".to_owned()),
            }
        }
    };
    check_lattice_path(&value, &format!("{path}.method"))?;
    let headers = m.headers.iter().flatten().map(|h| {
        let exact = !matches!(h.r#type, Some(GrpcRouteRulesMatchesHeadersType::RegularExpression));
        (h.name.clone(), h.value.clone(), exact)
    });
    let header_matches = header_matches(headers, path, Quotas::default().header_matches_per_rule)?;
    Ok(HttpMatch {
        method: Some("POST".into()),
        path_match: Some(PathMatch { matcher, case_sensitive: true }),
        header_matches,
    })
}
