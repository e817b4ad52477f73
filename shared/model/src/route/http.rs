//! HTTPRoute → [`Route`].

use gateway_api::httproutes::{
    HttpRoute, HttpRouteRules, HttpRouteRulesFiltersType, HttpRouteRulesMatches, HttpRouteRulesMatchesHeadersType,
    HttpRouteRulesMatchesPathType,
};

use super::{
    Route, RouteKind, Rule, backend_refs, base, check_lattice_path, convert_rules, flag_unknown_rule_fields,
    header_matches,
};
use crate::config::Quotas;
use crate::lattice::{HttpMatch, PathMatch, PathMatchType};
use crate::snapshot::ClusterSnapshot;

/// Converts an HTTPRoute.
pub fn from_http(route: &HttpRoute, snapshot: &ClusterSnapshot) -> Route {
    let mut out =
        base(RouteKind::Http, &route.metadata, route.spec.parent_refs.as_ref(), route.status.as_ref(), snapshot);
    let spec = &route.spec;
    out.hostnames = spec.hostnames.clone().unwrap_or_default();
    out.rules = convert_rules(spec.rules.as_ref(), |i, r| rule(i, r, &out.namespace));
    flag_unknown_rule_fields(&mut out, snapshot);
    out
}

fn rule(index: usize, rule: &HttpRouteRules, namespace: &str) -> Rule {
    let path = format!("spec.rules[{index}]");
    let mut unsupported = Vec::new();
    for (i, filter) in rule.filters.iter().flatten().enumerate() {
        unsupported.push(format!(
            "{path}.filters[{i}]: {} filters are not supported by VPC Lattice",
            filter_name(&filter.r#type)
        ));
    }
    if rule.timeouts.as_ref().is_some_and(|t| t.request.is_some() || t.backend_request.is_some()) {
        unsupported.push(format!("{path}.timeouts: request timeouts are not supported by VPC Lattice"));
    }
    let mut matches = Vec::new();
    let default_match = [HttpRouteRulesMatches::default()];
    let spec_matches = match rule.matches.as_deref() {
        Some(m) if !m.is_empty() => m,
        _ => &default_match,
    };
    for (i, m) in spec_matches.iter().enumerate() {
        match http_match(m, &format!("{path}.matches[{i}]")) {
            Ok(m) => matches.push(m),
            Err(e) => unsupported.push(e),
        }
    }
    let backends = backend_refs(rule.backend_refs.as_ref(), namespace, &path, &mut unsupported);
    Rule { index, matches, backends, unsupported }
}

fn http_match(m: &HttpRouteRulesMatches, path: &str) -> Result<HttpMatch, String> {
    if m.query_params.as_ref().is_some_and(|q| !q.is_empty()) {
        return Err(format!("{path}.queryParams: query parameter matches are not supported by VPC Lattice"));
    }
    let (kind, value) = match &m.path {
        Some(p) => (
            p.r#type.clone().unwrap_or(HttpRouteRulesMatchesPathType::PathPrefix),
            p.value.clone().unwrap_or_else(|| "/".into()),
        ),
        None => (HttpRouteRulesMatchesPathType::PathPrefix, "/".to_owned()),
    };
    let matcher = match kind {
        HttpRouteRulesMatchesPathType::Exact => PathMatchType::Exact(value.clone()),
        HttpRouteRulesMatchesPathType::PathPrefix => PathMatchType::Prefix(value.clone()),
        HttpRouteRulesMatchesPathType::RegularExpression => {
            return Err(format!("{path}.path: RegularExpression path matches are not supported by VPC Lattice"));
        }
    };
    check_lattice_path(&value, &format!("{path}.path.value"))?;
    let headers = m.headers.iter().flatten().map(|h| {
        let exact = !matches!(h.r#type, Some(HttpRouteRulesMatchesHeadersType::RegularExpression));
        (h.name.clone(), h.value.clone(), exact)
    });
    let header_matches = header_matches(headers, path, Quotas::default().header_matches_per_rule)?;
    let method = m.method.as_ref().map(|m| {
        serde_json::to_value(m)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("{m:?}").to_uppercase())
    });
    Ok(HttpMatch { method, path_match: Some(PathMatch { matcher, case_sensitive: true }), header_matches })
}

fn filter_name(t: &HttpRouteRulesFiltersType) -> String {
    serde_json::to_value(t).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_else(|| format!("{t:?}"))
}
