//! An in-memory VPC Lattice for tests and simulations: [`apply`] performs a [`Plan`] on an
//! [`ObservedState`] the way Lattice would, so that planning again shows what is left to do.
//!
//! New resources get ids of the form `<prefix>-0<16 hex digits>` from a deterministic
//! [`IdGen`], ARNs in account [`ACCOUNT`] and region [`REGION`], and status `ACTIVE` at once.
//! Identifiers in actions may be ids, ARNs or names; forward actions are stored with target
//! group ids. Calls Lattice would reject (unknown identifiers, duplicate names, ports or
//! priorities, deleting a service or service network that still has associations or a target
//! group still in use, a second service network for one VPC, oversized batches) fail with a
//! [`MemoryError`].

mod networks;
mod policies;
mod resolve;
mod resources;

use std::collections::{BTreeSet, HashMap};

use thiserror::Error;

use crate::lattice::RuleAction;
use crate::names::Tags;
use crate::observed::ObservedState;

use super::{Action, Plan};

use resolve::Lattice;

/// Region of every ARN the in-memory Lattice assigns.
pub const REGION: &str = "us-west-2";
/// Account of every ARN the in-memory Lattice assigns.
pub const ACCOUNT: &str = "111122223333";
/// The partition id in service DNS names.
const DNS_PARTITION: &str = "7d67968";

/// Deterministic id source: the n-th id is `<prefix>-0` followed by n as 16 hex digits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdGen {
    next: u64,
}

impl IdGen {
    /// A generator whose first id ends in `0000000000000000`.
    pub fn new() -> Self {
        Self::default()
    }

    /// A generator whose first id encodes `next`, so that several generators never collide.
    pub fn starting_at(next: u64) -> Self {
        Self { next }
    }

    /// The next id with `prefix` (`svc`, `listener`, `rule`, `tg`, `snsa`, `sn`).
    pub fn next_id(&mut self, prefix: &str) -> String {
        let id = format!("{prefix}-0{:016x}", self.next);
        self.next += 1;
        id
    }
}

/// A call the in-memory Lattice rejected.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum MemoryError {
    /// An identifier names no existing resource.
    #[error("{op}: no {kind} is identified by `{identifier}`")]
    NotFound {
        /// The operation.
        op: &'static str,
        /// The kind of resource looked up.
        kind: &'static str,
        /// The identifier as given.
        identifier: String,
    },
    /// The call clashes with the current state.
    #[error("{op}: {kind} `{identifier}` conflicts: {reason}")]
    Conflict {
        /// The operation.
        op: &'static str,
        /// The kind of resource.
        kind: &'static str,
        /// The resource's identifier as given.
        identifier: String,
        /// What clashes.
        reason: String,
    },
    /// The call carries no items where the operation needs at least one.
    #[error("{op}: the call carries no items")]
    Empty {
        /// The operation.
        op: &'static str,
    },
    /// The call carries more items than the operation takes.
    #[error("{op}: {count} items exceed the limit of {limit}")]
    TooMany {
        /// The operation.
        op: &'static str,
        /// Items in the call.
        count: usize,
        /// Most items the operation takes.
        limit: usize,
    },
}

/// Applies every action of `plan` in order, stopping at the first rejected one (earlier actions
/// stay applied, as with the real API).
pub fn apply(plan: &Plan, observed: &mut ObservedState, ids: &mut IdGen) -> Result<(), MemoryError> {
    // No action reads `service_arns`: they are refreshed once, after the last action applied.
    let result = plan.actions.iter().try_for_each(|action| perform(action, observed, ids));
    refresh_service_arns(observed);
    result
}

/// Applies one action, then refreshes every target group's `service_arns`.
pub fn apply_action(action: &Action, observed: &mut ObservedState, ids: &mut IdGen) -> Result<(), MemoryError> {
    let result = perform(action, observed, ids);
    refresh_service_arns(observed);
    result
}

fn perform(action: &Action, observed: &mut ObservedState, ids: &mut IdGen) -> Result<(), MemoryError> {
    let mut lattice = Lattice::new(observed, ids, action.op());
    if !lattice.perform_policy(action)? {
        lattice.perform(action)?;
    }
    if matches!(action, Action::DeleteService(_)) {
        lattice.forget_deleted();
    }
    Ok(())
}

/// ARN of a top-level resource: `arn:aws:vpc-lattice:<region>:<account>:<kind>/<id>`.
fn arn(kind: &str, id: &str) -> String {
    format!("arn:aws:vpc-lattice:{REGION}:{ACCOUNT}:{kind}/{id}")
}

/// Lattice's DNS name for a service.
fn dns_name(name: &str, id: &str) -> String {
    let suffix = id.strip_prefix("svc-").unwrap_or(id);
    format!("{name}-{suffix}.{DNS_PARTITION}.vpc-lattice-svcs.{REGION}.on.aws")
}

/// Target group ids a forward action uses.
fn forward_ids(action: &RuleAction) -> impl Iterator<Item = &str> {
    let groups = match action {
        RuleAction::Forward(forward) => &forward.target_groups[..],
        RuleAction::FixedResponse(_) => &[],
    };
    groups.iter().map(|tg| tg.target_group_identifier.as_str())
}

/// Sets each target group's `service_arns` to the services whose listeners or rules use it.
fn refresh_service_arns(observed: &mut ObservedState) {
    let mut users: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for svc in &observed.services {
        for l in &svc.listeners {
            for id in forward_ids(&l.default_action).chain(l.rules.iter().flat_map(|r| forward_ids(&r.action))) {
                users.entry(id).or_default().insert(svc.arn.as_str());
            }
        }
    }
    for tg in &mut observed.target_groups {
        let arns = users.get(tg.id.as_str()).into_iter().flatten();
        tg.service_arns = arns.map(|arn| (*arn).to_owned()).collect();
    }
}

/// Merges `add` into `tags`.
fn tag(tags: &mut Tags, add: &Tags) {
    tags.extend(add.iter().map(|(k, v)| (k.clone(), v.clone())));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{ListenerProtocol, RuleMatch};
    use crate::names::TAG_MANAGED_BY;
    use crate::plan::action::{BatchUpdateRule, CreateRule, RuleUpdate, ServiceRef, TargetGroupRef, UntagResource};
    use crate::plan::test_support::*;

    fn rates() -> (ObservedState, IdGen) {
        let svc = mk_service("rates").listener(
            mk_listener(80, ListenerProtocol::Http, forward(&[("k8s-a", 1)]))
                .rule(mk_rule(1, "/a", forward(&[("k8s-a", 1)])))
                .rule(mk_rule(2, "/b", RuleAction::fixed(404))),
        );
        observe(&desired(vec![svc], vec![mk_tg("k8s-a", "rates").targets(3)]))
    }

    #[test]
    fn ids_arns_and_dns_names_look_like_lattice_ones() {
        let mut ids = IdGen::starting_at(0x2a);
        assert_eq!(ids.next_id("svc"), "svc-0000000000000002a");
        assert_eq!(ids.next_id("tg"), "tg-0000000000000002b");

        let (observed, _) = rates();
        let tg = &observed.target_groups[0];
        assert_eq!(tg.id, "tg-00000000000000000");
        assert_eq!(tg.arn, format!("arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/{}", tg.id));
        assert_eq!(tg.targets, targets(3));
        assert_eq!(tg.status, "ACTIVE");
        let svc = &observed.services[0];
        assert_eq!(svc.arn, format!("arn:aws:vpc-lattice:us-west-2:111122223333:service/{}", svc.id));
        let suffix = svc.id.trim_start_matches("svc-");
        assert_eq!(
            svc.dns_name.as_deref(),
            Some(format!("rates-default-{suffix}.7d67968.vpc-lattice-svcs.us-west-2.on.aws").as_str())
        );
        assert_eq!(tg.service_arns, vec![svc.arn.clone()]);
        let association = &svc.associations[0];
        assert_eq!(association.service_network_name, "net-a");
        assert_eq!(association.service_network_id, "sn-0aaaaaaaaaaaaaaaa");
        let listener = &svc.listeners[0];
        assert!(listener.arn.starts_with(&format!("{}/listener/listener-0", svc.arn)));
        assert_eq!(listener.default_action, forward(&[(&tg.id, 1)]));
        let rule = &listener.rules[0];
        assert!(rule.arn.starts_with(&format!("{}/rule/rule-0", listener.arn)));
        assert_eq!(rule.action, forward(&[(&tg.id, 1)]));
        assert_eq!(rule.matcher, prefix("/a"));
    }

    #[test]
    fn unknown_identifiers_are_rejected() {
        let (mut observed, mut ids) = rates();
        let delete = Action::DeleteService(ServiceRef { service_identifier: "svc-0ffffffffffffffff".into() });
        assert_eq!(
            apply_action(&delete, &mut observed, &mut ids),
            Err(MemoryError::NotFound {
                op: "DeleteService",
                kind: "service",
                identifier: "svc-0ffffffffffffffff".into(),
            })
        );
        let create = Action::CreateRule(CreateRule {
            service_identifier: "rates-default".into(),
            listener_identifier: "l-80-http".into(),
            name: "k8s-rule-x".into(),
            matcher: RuleMatch::HttpMatch(prefix("/x")),
            priority: 9,
            action: forward(&[("k8s-missing", 1)]),
            tags: Tags::new(),
        });
        let error = apply_action(&create, &mut observed, &mut ids);
        assert!(matches!(error, Err(MemoryError::NotFound { kind: "target group", .. })));
        let untag = Action::UntagResource(UntagResource {
            resource_arn: "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0".into(),
            tag_keys: vec![TAG_MANAGED_BY.into()],
        });
        let error = apply_action(&untag, &mut observed, &mut ids);
        assert!(matches!(error, Err(MemoryError::NotFound { kind: "resource", .. })));
    }

    #[test]
    fn calls_lattice_would_refuse_are_conflicts() {
        let (mut observed, mut ids) = rates();
        let tg = observed.target_groups[0].id.clone();
        let delete_tg = Action::DeleteTargetGroup(TargetGroupRef { target_group_identifier: tg });
        let error = apply_action(&delete_tg, &mut observed, &mut ids);
        assert!(matches!(error, Err(MemoryError::Conflict { .. })), "{error:?}");

        let delete_svc = Action::DeleteService(ServiceRef { service_identifier: "rates-default".into() });
        let error = apply_action(&delete_svc, &mut observed, &mut ids);
        assert!(matches!(error, Err(MemoryError::Conflict { .. })), "{error:?}");

        let rule = observed.services[0].listeners[0].rules[0].id.clone();
        let clash = Action::BatchUpdateRule(BatchUpdateRule {
            service_identifier: "rates-default".into(),
            listener_identifier: "l-80-http".into(),
            rules: vec![RuleUpdate { rule_identifier: rule, matcher: None, priority: Some(2), action: None }],
        });
        let error = apply_action(&clash, &mut observed, &mut ids);
        assert!(matches!(error, Err(MemoryError::Conflict { .. })), "{error:?}");
        assert_eq!(observed.services[0].listeners[0].rules[0].priority, 1);
    }

    #[test]
    fn a_batch_is_checked_on_its_result_so_swaps_succeed() {
        let (mut observed, mut ids) = rates();
        let rules = &observed.services[0].listeners[0].rules;
        let swap = |rule: &crate::observed::ObservedRule, priority| RuleUpdate {
            rule_identifier: rule.name.clone(),
            matcher: None,
            priority: Some(priority),
            action: None,
        };
        let batch = Action::BatchUpdateRule(BatchUpdateRule {
            service_identifier: observed.services[0].id.clone(),
            listener_identifier: observed.services[0].listeners[0].arn.clone(),
            rules: vec![swap(&rules[0], 2), swap(&rules[1], 1)],
        });
        apply_action(&batch, &mut observed, &mut ids).expect("swap succeeds");
        let priorities: Vec<i32> = observed.services[0].listeners[0].rules.iter().map(|r| r.priority).collect();
        assert_eq!(priorities, [2, 1]);
    }
}
