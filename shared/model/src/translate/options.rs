//! What a route's annotations (and its Gateways' standalone annotation) change in its Lattice
//! resources: the service name, additional tags, standalone services and rule priorities.

use std::collections::{BTreeMap, BTreeSet};

use crate::annotations::{
    self, ANNOTATION_SERVICE_NAME_OVERRIDE, ANNOTATION_STANDALONE, ANNOTATION_TAGS, RULE_PRIORITY_PREFIX,
    RULE_PRIORITY_SUFFIX,
};
use crate::lattice::RuleSpec;
use crate::names::Tags;
use crate::route::{Route, RouteKind};
use crate::snapshot::{ClusterSnapshot, name_of, namespace_of};

/// A route's annotations, read.
#[derive(Clone, Debug, Default)]
pub(super) struct RouteOptions {
    /// The service name asked for, when valid.
    pub(super) service_name: Option<String>,
    /// Additional tags for every resource of the route.
    pub(super) tags: Tags,
    /// Rule priorities asked for, by rule index.
    pub(super) priorities: BTreeMap<usize, i32>,
    /// The route's own standalone setting, when it has the annotation.
    pub(super) standalone: Option<bool>,
    /// Invalid annotations: the route is not accepted.
    pub(super) errors: Vec<String>,
    /// Remarks for the `Accepted` message.
    pub(super) warnings: Vec<String>,
}

/// Reads the annotations of `route`.
pub(super) fn read(route: &Route) -> RouteOptions {
    let mut out = RouteOptions::default();
    let a = &route.annotations;
    if let Some(value) = a.get(ANNOTATION_SERVICE_NAME_OVERRIDE) {
        match annotations::service_name_override(value) {
            Ok(name) => out.service_name = Some(name),
            Err(e) => out.errors.push(e),
        }
    }
    if let Some(value) = a.get(ANNOTATION_TAGS) {
        match annotations::additional_tags(value) {
            Ok(t) => {
                out.tags = t.tags;
                out.warnings.extend(t.dropped);
            }
            Err(e) => out.errors.push(e),
        }
    }
    if let Some(value) = a.get(ANNOTATION_STANDALONE) {
        let (on, problem) = annotations::standalone(value);
        out.standalone = Some(on);
        out.warnings.extend(problem);
    }
    match annotations::rule_priorities(a) {
        Ok(p) => out.priorities = p,
        Err(e) => out.errors.extend(e),
    }
    let key = |i: usize| format!("{RULE_PRIORITY_PREFIX}{i}{RULE_PRIORITY_SUFFIX}");
    for &i in out.priorities.keys() {
        if route.kind == RouteKind::Tls {
            out.errors.push(format!("annotation {}: TLSRoutes have no VPC Lattice rules to prioritise", key(i)));
        } else if !route.rules.iter().any(|r| r.index == i) {
            let n = route.rules.len();
            let rules = if n == 1 { "rule" } else { "rules" };
            out.errors.push(format!(
                "annotation {}: the route has {n} {rules} (0 to {}), so there is no rule {i}",
                key(i),
                n.saturating_sub(1)
            ));
        }
    }
    if !out.errors.is_empty() {
        out.priorities.clear();
    }
    out
}

/// Whether the route's service joins the service network of the Gateway `namespace/name`: the
/// route's standalone annotation decides when present, else the Gateway's.
pub(super) fn joins(
    options: &RouteOptions,
    snapshot: &ClusterSnapshot,
    namespace: &str,
    name: &str,
    warnings: &mut Vec<String>,
) -> bool {
    if let Some(standalone) = options.standalone {
        return !standalone;
    }
    let gateway =
        snapshot.gateways.iter().find(|g| namespace_of(&g.metadata) == namespace && name_of(&g.metadata) == name);
    let Some(value) = gateway.and_then(|g| g.metadata.annotations.as_ref()).and_then(|a| a.get(ANNOTATION_STANDALONE))
    else {
        return true;
    };
    let (standalone, problem) = annotations::standalone(value);
    if let Some(problem) = problem {
        let problem = format!("Gateway {namespace}/{name}: {problem}");
        if !warnings.contains(&problem) {
            warnings.push(problem);
        }
    }
    !standalone
}

/// Numbers the Lattice rules (in precedence order, each with the index of the route rule it
/// comes from): rules with a priority annotation take that priority, the others the lowest free
/// priorities in precedence order. A priority annotation on a rule that became several Lattice
/// rules (several matches) is an error; on a rule that became none (dropped), a remark.
pub(super) fn number_rules(
    rules: Vec<(usize, RuleSpec)>,
    priorities: &BTreeMap<usize, i32>,
    warnings: &mut Vec<String>,
) -> Result<Vec<RuleSpec>, String> {
    let key = |i: usize| format!("{RULE_PRIORITY_PREFIX}{i}{RULE_PRIORITY_SUFFIX}");
    for (&i, priority) in priorities {
        match rules.iter().filter(|(origin, _)| *origin == i).count() {
            0 => warnings.push(format!("annotation {} has no effect: rule {i} is not programmed", key(i))),
            1 => {}
            n => {
                return Err(format!(
                    "annotation {}: rule {i} has {n} matches, which become {n} VPC Lattice rules needing {n} priorities; priority {priority} cannot apply to all of them",
                    key(i)
                ));
            }
        }
    }
    let taken: BTreeSet<i32> = priorities.values().copied().collect();
    let mut free = (1..).filter(|p| !taken.contains(p));
    let mut out: Vec<RuleSpec> = rules
        .into_iter()
        .map(|(origin, rule)| {
            let priority = priorities.get(&origin).copied().or_else(|| free.next()).unwrap_or(i32::MAX);
            RuleSpec { priority, ..rule }
        })
        .collect();
    out.sort_by_key(|r| r.priority);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{HttpMatch, RuleAction, RuleMatch};

    fn rules(origins: &[usize]) -> Vec<(usize, RuleSpec)> {
        origins
            .iter()
            .enumerate()
            .map(|(n, &origin)| {
                let rule = RuleSpec {
                    name: format!("r{n}"),
                    priority: 0,
                    matcher: RuleMatch::HttpMatch(HttpMatch { method: Some(format!("M{n}")), ..HttpMatch::default() }),
                    action: RuleAction::fixed(404),
                    tags: Tags::new(),
                };
                (origin, rule)
            })
            .collect()
    }

    fn numbered(origins: &[usize], priorities: &[(usize, i32)]) -> Result<Vec<(String, i32)>, String> {
        let mut warnings = Vec::new();
        let out = number_rules(rules(origins), &priorities.iter().copied().collect(), &mut warnings)?;
        Ok(out.into_iter().map(|r| (r.name, r.priority)).collect())
    }

    #[test]
    fn overrides_take_their_value_and_the_rest_fill_free_priorities_in_order() {
        assert_eq!(numbered(&[0, 1, 2], &[]), Ok(vec![("r0".into(), 1), ("r1".into(), 2), ("r2".into(), 3)]));
        // rule-0=2, rule-1=1, rule-2 unannotated: no collision (the existing controller gave rule 2 priority 2).
        assert_eq!(
            numbered(&[0, 1, 2], &[(0, 2), (1, 1)]),
            Ok(vec![("r1".into(), 1), ("r0".into(), 2), ("r2".into(), 3)])
        );
        assert_eq!(numbered(&[0, 1], &[(0, 100), (1, 50)]), Ok(vec![("r1".into(), 50), ("r0".into(), 100)]));
        // Precedence order is kept among the rules without an annotation.
        assert_eq!(numbered(&[2, 0, 1], &[(1, 1)]), Ok(vec![("r2".into(), 1), ("r0".into(), 2), ("r1".into(), 3)]));
    }

    #[test]
    fn a_rule_with_several_matches_cannot_take_one_priority() {
        let e = numbered(&[0, 0, 1], &[(0, 5)]).expect_err("several matches");
        assert!(e.contains("rule-0-priority") && e.contains("2 matches"), "{e}");
        let mut warnings = Vec::new();
        number_rules(rules(&[1]), &BTreeMap::from([(0, 5)]), &mut warnings).expect("rule 0 is not programmed");
        assert!(warnings[0].contains("has no effect"), "{warnings:?}");
    }
}
