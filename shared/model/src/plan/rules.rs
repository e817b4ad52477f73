//! Rules of one listener, identified by match: deletion of ours that are not desired, priority
//! and action changes in `BatchUpdateRule` calls, creation of new rules, and tags.

use std::collections::BTreeSet;

use crate::lattice::{HttpMatch, RuleMatch, RuleSpec};
use crate::observed::ObservedRule;

use super::action::{Action, BatchUpdateRule, CreateRule, MAX_RULES_PER_BATCH, RuleRef, RuleUpdate};
use super::common::Planner;

/// The listener whose rules are planned, as actions name it.
pub(super) struct RuleParent {
    /// Service id, or name when the plan creates it.
    pub(super) service: String,
    /// Listener id, or name when the plan creates it.
    pub(super) listener: String,
    /// The listener's path in refusals.
    pub(super) label: String,
}

fn http_match(rule: &RuleSpec) -> &HttpMatch {
    let RuleMatch::HttpMatch(m) = &rule.matcher;
    m
}

/// A desired rule matched with our observed rule of the same match.
struct Kept<'a> {
    want: &'a RuleSpec,
    seen: &'a ObservedRule,
    /// Whether the rule must stay at its current priority.
    pinned: bool,
}

/// Plans the rules of one listener. `seen` is empty for a listener the plan creates.
pub(super) fn plan_rules(p: &mut Planner<'_>, parent: &RuleParent, desired: &[RuleSpec], seen: &[ObservedRule]) {
    let label = |name: &str| format!("{}/rule/{name}", parent.label);
    let mut matched = vec![false; desired.len()];
    let mut kept = Vec::new();
    // Priorities and names held by rules that stay where they are.
    let mut held: BTreeSet<i32> = BTreeSet::new();
    let mut names: BTreeSet<&str> = BTreeSet::new();

    for rule in seen {
        let index = (0..desired.len()).find(|&i| !matched[i] && http_match(&desired[i]) == &rule.matcher);
        if let Some(i) = index {
            matched[i] = true;
        }
        let owned = p.owns(&rule.tags);
        match index {
            Some(i) if owned => {
                names.insert(&rule.name);
                kept.push(Kept { want: &desired[i], seen: rule, pinned: false });
            }
            None if owned => p.push(Action::DeleteRule(RuleRef {
                service_identifier: parent.service.clone(),
                listener_identifier: parent.listener.clone(),
                rule_identifier: rule.id.clone(),
            })),
            _ => {
                p.refuse_foreign(label(&rule.name));
                p.keep_refs(&rule.action);
                held.insert(rule.priority);
                names.insert(&rule.name);
            }
        }
    }

    pin_blocked(p, &mut kept, &mut held, &label);
    let updates: Vec<RuleUpdate> = kept.iter().filter_map(|k| rule_update(p, k)).collect();
    let used = seen.iter().map(|r| r.priority).chain(desired.iter().map(|r| r.priority));
    for rules in batches(updates, used) {
        p.push(Action::BatchUpdateRule(BatchUpdateRule {
            service_identifier: parent.service.clone(),
            listener_identifier: parent.listener.clone(),
            rules,
        }));
    }

    for (want, _) in desired.iter().zip(&matched).filter(|(_, m)| !**m) {
        if held.contains(&want.priority) {
            let reason = format!("priority {} is held by a rule that stays", want.priority);
            p.refuse(label(&want.name), reason);
            continue;
        }
        if names.contains(want.name.as_str()) {
            p.refuse(label(&want.name), "rule name is in use");
            continue;
        }
        p.push(Action::CreateRule(CreateRule {
            service_identifier: parent.service.clone(),
            listener_identifier: parent.listener.clone(),
            name: want.name.clone(),
            matcher: want.matcher.clone(),
            priority: want.priority,
            action: p.normalise(&want.action),
            tags: want.tags.clone(),
        }));
        p.keep_refs(&want.action);
    }

    for k in &kept {
        p.retag(&k.seen.arn, &k.seen.tags, &k.want.tags);
    }
}

/// Pins every kept rule whose desired priority is held by a rule that stays, until no more
/// rules are pinned; a pinned rule holds its current priority in turn.
fn pin_blocked(p: &mut Planner<'_>, kept: &mut [Kept<'_>], held: &mut BTreeSet<i32>, label: &dyn Fn(&str) -> String) {
    loop {
        let mut changed = false;
        for k in kept.iter_mut() {
            if k.pinned || k.want.priority == k.seen.priority || !held.contains(&k.want.priority) {
                continue;
            }
            k.pinned = true;
            held.insert(k.seen.priority);
            let reason = format!("cannot move to priority {}: it is held by a rule that stays", k.want.priority);
            p.refuse(label(&k.seen.name), reason);
            changed = true;
        }
        if !changed {
            return;
        }
    }
}

/// The change a kept rule needs, if any; records the references the rule keeps.
fn rule_update(p: &mut Planner<'_>, k: &Kept<'_>) -> Option<RuleUpdate> {
    p.keep_refs(&k.want.action);
    let priority = (!k.pinned && k.want.priority != k.seen.priority).then_some(k.want.priority);
    let action = (!p.same_action(&k.want.action, &k.seen.action)).then(|| p.normalise(&k.want.action));
    (priority.is_some() || action.is_some()).then(|| RuleUpdate {
        rule_identifier: k.seen.id.clone(),
        matcher: None,
        priority,
        action,
    })
}

/// Highest rule priority Lattice accepts.
const MAX_PRIORITY: i32 = 2000;

/// Splits rule updates into `BatchUpdateRule` calls.
///
/// Lattice checks priority uniqueness against the state after each call. When every priority
/// move fits in one call, that call carries all of them (so swaps work) and action-only updates
/// follow. Otherwise the moving rules are first parked on temporary priorities that no rule
/// holds now or later (above every `used` priority while there is room), then moved to their
/// final priorities.
fn batches(mut updates: Vec<RuleUpdate>, used: impl Iterator<Item = i32>) -> Vec<Vec<RuleUpdate>> {
    updates.sort_by_key(|u| u.priority.is_none());
    let moving = updates.iter().filter(|u| u.priority.is_some()).count();
    let mut calls = Vec::new();
    if moving > MAX_RULES_PER_BATCH {
        let used: BTreeSet<i32> = used.collect();
        let top = used.last().copied().unwrap_or(0);
        let free = (top + 1..=MAX_PRIORITY).chain(1..top).filter(|p| !used.contains(p));
        let parked: Vec<RuleUpdate> = updates
            .iter()
            .filter(|u| u.priority.is_some())
            .zip(free)
            .map(|(u, temporary)| RuleUpdate {
                rule_identifier: u.rule_identifier.clone(),
                matcher: None,
                priority: Some(temporary),
                action: None,
            })
            .collect();
        calls.extend(parked.chunks(MAX_RULES_PER_BATCH).map(<[_]>::to_vec));
    }
    calls.extend(updates.chunks(MAX_RULES_PER_BATCH).map(<[_]>::to_vec));
    calls
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{ListenerProtocol, ListenerSpec, RuleAction, ServiceSpec};
    use crate::names::TAG_MANAGED_BY;
    use crate::observed::ObservedState;
    use crate::plan::Plan;
    use crate::plan::test_support::*;

    fn svc(rules: &[(i32, &str, i32)]) -> ServiceSpec {
        let mut listener: ListenerSpec = mk_listener(80, ListenerProtocol::Http, RuleAction::fixed(404));
        for (priority, path, status) in rules {
            listener = listener.rule(mk_rule(*priority, path, RuleAction::fixed(*status)));
        }
        mk_service("rates").listener(listener)
    }

    /// Plans `to` against the state built from `from`, applies it and checks convergence.
    fn transition(from: &[(i32, &str, i32)], to: &[(i32, &str, i32)]) -> (ObservedState, Plan) {
        let (mut observed, mut ids) = observe(&desired(vec![svc(from)], vec![]));
        let before = observed.clone();
        let want = desired(vec![svc(to)], vec![]);
        let plan = plan_all(&want, &observed);
        apply(&plan, &mut observed, &mut ids);
        let again = plan_all(&want, &observed);
        assert!(again.is_noop(), "{:?}", again.actions);
        (before, plan)
    }

    fn batches(plan: &Plan) -> Vec<&BatchUpdateRule> {
        plan.actions
            .iter()
            .filter_map(|a| match a {
                Action::BatchUpdateRule(b) => Some(b),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn rules_are_deleted_before_new_ones_are_created() {
        let (_, plan) = transition(&[(1, "/a", 404), (2, "/b", 404)], &[(1, "/c", 404), (2, "/b", 404)]);
        assert_eq!(ops(&plan), ["DeleteRule", "CreateRule"]);
    }

    #[test]
    fn a_swap_is_one_batch() {
        let (before, plan) = transition(&[(1, "/a", 404), (2, "/b", 404)], &[(2, "/a", 404), (1, "/b", 500)]);
        assert_eq!(ops(&plan), ["BatchUpdateRule"]);
        let rules = &before.services[0].listeners[0].rules;
        let batch = batches(&plan)[0];
        assert_eq!(
            batch.rules,
            vec![
                RuleUpdate { rule_identifier: rules[0].id.clone(), matcher: None, priority: Some(2), action: None },
                RuleUpdate {
                    rule_identifier: rules[1].id.clone(),
                    matcher: None,
                    priority: Some(1),
                    action: Some(RuleAction::fixed(500)),
                },
            ]
        );
    }

    #[test]
    fn a_vacated_priority_is_reused_by_a_new_rule() {
        let (_, plan) = transition(&[(1, "/a", 404)], &[(2, "/a", 404), (1, "/b", 404)]);
        assert_eq!(ops(&plan), ["BatchUpdateRule", "CreateRule"]);
    }

    #[test]
    fn more_than_ten_moves_go_through_temporary_priorities() {
        let paths: Vec<String> = (0..12).map(|i| format!("/p{i}")).collect();
        let from: Vec<(i32, &str, i32)> = paths.iter().zip(1..).map(|(p, i)| (i, p.as_str(), 404)).collect();
        // Every rule moves down one, the last one to the top.
        let to: Vec<(i32, &str, i32)> =
            from.iter().map(|(i, p, s)| (if *i == 12 { 1 } else { i + 1 }, *p, *s)).collect();
        let (_, plan) = transition(&from, &to);
        let calls = batches(&plan);
        let sizes: Vec<usize> = calls.iter().map(|b| b.rules.len()).collect();
        assert_eq!(sizes, [10, 2, 10, 2]);
        let parked: Vec<i32> = calls[..2].iter().flat_map(|b| b.rules.iter().filter_map(|r| r.priority)).collect();
        assert_eq!(parked, (13..25).collect::<Vec<_>>());
        assert_eq!(ops(&plan).len(), 4);
    }

    #[test]
    fn temporary_priorities_fall_back_below_the_top_when_it_is_taken() {
        let moves: Vec<RuleUpdate> = (0..11)
            .map(|i| RuleUpdate {
                rule_identifier: format!("rule-{i}"),
                matcher: None,
                priority: Some(1990 + i),
                action: None,
            })
            .collect();
        let used = (1989..=2000).chain([1, 3]);
        let calls = super::batches(moves, used);
        let parked: Vec<i32> = calls[..2].iter().flat_map(|c| c.iter().filter_map(|u| u.priority)).collect();
        assert_eq!(parked, [2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
        assert_eq!(calls.len(), 4);
    }

    #[test]
    fn few_moves_and_many_action_changes_keep_the_moves_in_the_first_call() {
        let paths: Vec<String> = (0..12).map(|i| format!("/p{i}")).collect();
        let from: Vec<(i32, &str, i32)> = paths.iter().zip(1..).map(|(p, i)| (i, p.as_str(), 404)).collect();
        let mut to: Vec<(i32, &str, i32)> = from.iter().map(|(i, p, _)| (*i, *p, 500)).collect();
        to[10].0 = 12;
        to[11].0 = 11;
        let (_, plan) = transition(&from, &to);
        let calls = batches(&plan);
        assert_eq!(calls.iter().map(|b| b.rules.len()).collect::<Vec<_>>(), [10, 2]);
        let moves = calls[0].rules.iter().filter(|r| r.priority.is_some()).count();
        assert_eq!(moves, 2);
    }

    #[test]
    fn foreign_rules_are_kept_and_block_their_priorities() {
        let (mut observed, _) =
            observe(&desired(vec![svc(&[(1, "/a", 404), (3, "/x", 404), (4, "/y", 404), (5, "/z", 404)])], vec![]));
        let rules = &mut observed.services[0].listeners[0].rules;
        for rule in rules.iter_mut().skip(1) {
            rule.tags.remove(TAG_MANAGED_BY);
        }
        // /a wants priority 3 (held by foreign /x): it stays at 1 but its action changes.
        // /new wants priority 4 (held by foreign /y): refused. /b wants 1 (held by pinned /a).
        // /z is desired but foreign, /x and /y are not desired but foreign.
        let want = svc(&[(3, "/a", 500), (4, "/new", 404), (1, "/b", 404), (6, "/z", 404)]);
        let plan = plan_all(&desired(vec![want], vec![]), &observed);
        assert_eq!(ops(&plan), ["BatchUpdateRule"]);
        let update = &batches(&plan)[0].rules[0];
        assert_eq!(update.priority, None);
        assert_eq!(update.action, Some(RuleAction::fixed(500)));
        let refused: Vec<String> =
            plan.refused.iter().map(|r| r.resource.rsplit('/').next().unwrap_or_default().to_owned()).collect();
        let name = |p: &str| crate::names::rule_name(p);
        assert_eq!(refused, [name("/x"), name("/y"), name("/z"), name("/a"), name("/new"), name("/b")]);
    }
}
