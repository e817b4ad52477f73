//! Target groups and their targets: creation, health-check updates, tags, target registration
//! and garbage collection.

use std::collections::BTreeSet;

use crate::lattice::{Target, TargetGroupSpec};
use crate::observed::ObservedTargetGroup;

use super::action::{
    Action, CreateTargetGroup, MAX_TARGETS_PER_CALL, TargetGroupRef, Targets, UntagResource, UpdateTargetGroup,
};
use super::common::{Planner, collectable, target_group_owner};
use crate::imports::SOURCE_SERVICE_EXPORT;
use crate::names::TAG_SOURCE_TYPE;

fn label(name: &str) -> String {
    format!("targetgroup/{name}")
}

/// Creates, updates and retags the in-scope desired target groups, then syncs their targets.
pub(super) fn plan_target_groups(p: &mut Planner<'_>, desired: &[TargetGroupSpec]) {
    let mut synced = Vec::new();
    let scope = p.scope();
    for tg in desired.iter().filter(|tg| scope.includes(tg.owner.as_ref())) {
        match p.target_group(&tg.name) {
            None => {
                p.push(Action::CreateTargetGroup(CreateTargetGroup {
                    name: tg.name.clone(),
                    kind: tg.kind,
                    config: tg.config.clone(),
                    tags: tg.tags.clone(),
                }));
                synced.push((tg, None));
            }
            Some(seen) if !p.owns(&seen.tags) => p.refuse_foreign(label(&tg.name)),
            Some(seen) => {
                let differences = immutable_differences(tg, seen);
                if !differences.is_empty() {
                    let reason = format!(
                        "immutable configuration differs ({}); a replacement needs a new name",
                        differences.join(", ")
                    );
                    p.refuse(label(&tg.name), reason);
                    continue;
                }
                if let Some(health_check) = &tg.config.health_check
                    && !health_check_holds(health_check, seen.config.health_check.as_ref())
                {
                    p.push(Action::UpdateTargetGroup(UpdateTargetGroup {
                        target_group_identifier: seen.id.clone(),
                        health_check: health_check.clone(),
                    }));
                }
                if let Some(port) = stuck_port(tg.config.health_check.as_ref(), seen.config.health_check.as_ref()) {
                    let reason = format!(
                        "the health check keeps port {port}: UpdateTargetGroup cannot reset it to the targets' port"
                    );
                    p.refuse(format!("{}/healthcheck/port", label(&tg.name)), reason);
                }
                p.retag(&seen.arn, &seen.tags, &tg.tags);
                synced.push((tg, Some(seen)));
            }
        }
    }
    for (tg, seen) in synced {
        plan_targets(p, tg, seen);
    }
}

/// The immutable configuration fields on which `seen` differs from `desired`. An absent
/// desired protocol version accepts whatever default Lattice filled in. The port is not one of
/// them: every target is registered with its own port, so the default port routes nothing (the
/// existing controller creates every target group with port 80).
pub(super) fn immutable_differences(desired: &TargetGroupSpec, seen: &ObservedTargetGroup) -> Vec<&'static str> {
    let (want, have) = (&desired.config, &seen.config);
    [
        ("type", desired.kind == seen.kind),
        ("protocol", want.protocol == have.protocol),
        ("protocolVersion", want.protocol_version.is_none() || want.protocol_version == have.protocol_version),
        ("ipAddressType", want.ip_address_type == have.ip_address_type),
        ("vpcIdentifier", want.vpc_identifier == have.vpc_identifier),
    ]
    .into_iter()
    .filter(|(_, same)| !same)
    .map(|(field, _)| field)
    .collect()
}

/// Whether the observed health check already is the desired one: every field the desired one
/// sets has the same value (Lattice fills in defaults for the others). A disabled check is
/// compared on `enabled` alone, since its other fields do nothing.
fn health_check_holds(desired: &serde_json::Value, observed: Option<&serde_json::Value>) -> bool {
    let Some(observed) = observed else { return false };
    let (Some(want), Some(have)) = (desired.as_object(), observed.as_object()) else {
        return desired == observed;
    };
    if want.get("enabled") == Some(&serde_json::Value::Bool(false)) {
        return have.get("enabled") == Some(&serde_json::Value::Bool(false));
    }
    want.iter().all(|(key, value)| value.is_null() || have.get(key) == Some(value))
}

/// The port an observed, enabled health check keeps although the desired one names none.
fn stuck_port(desired: Option<&serde_json::Value>, observed: Option<&serde_json::Value>) -> Option<i64> {
    let desired = desired?;
    if desired.get("enabled") != Some(&serde_json::Value::Bool(true)) || desired.get("port").is_some() {
        return None;
    }
    observed?.get("port")?.as_i64().filter(|port| *port != 0)
}

/// Registers desired targets that are missing and deregisters registered targets that are not
/// desired, in sorted chunks of at most [`MAX_TARGETS_PER_CALL`].
fn plan_targets(p: &mut Planner<'_>, desired: &TargetGroupSpec, seen: Option<&ObservedTargetGroup>) {
    let want: BTreeSet<&Target> = desired.targets.iter().collect();
    let have: BTreeSet<&Target> = seen.map(|s| s.targets.iter().collect()).unwrap_or_default();
    let identifier = seen.map_or(&desired.name, |s| &s.id);
    let register: Vec<Target> = want.difference(&have).map(|t| (*t).clone()).collect();
    let deregister: Vec<Target> = have.difference(&want).map(|t| (*t).clone()).collect();
    for chunk in register.chunks(MAX_TARGETS_PER_CALL) {
        p.push(Action::RegisterTargets(Targets {
            target_group_identifier: identifier.clone(),
            targets: chunk.to_vec(),
        }));
    }
    for chunk in deregister.chunks(MAX_TARGETS_PER_CALL) {
        p.push(Action::DeregisterTargets(Targets {
            target_group_identifier: identifier.clone(),
            targets: chunk.to_vec(),
        }));
    }
}

/// Deletes the owned, collectable target groups that are neither desired nor still referenced,
/// each after deregistering its remaining targets (so that they drain).
///
/// A target group that a service this run does not manage still uses (another cluster's route
/// to an exported target group, say) cannot be deleted yet: its targets are deregistered, since
/// nothing keeps them current any more, an exported one loses its `SourceTypeKey` tag so that
/// importers no longer find it (and so stop using it), and the deletion waits for a later run.
pub(super) fn plan_deletions(p: &mut Planner<'_>, desired: &[TargetGroupSpec]) {
    let desired: BTreeSet<&str> = desired.iter().map(|tg| tg.name.as_str()).collect();
    let observed = p.observed;
    let mut doomed = Vec::new();
    for tg in &observed.target_groups {
        if desired.contains(tg.name.as_str())
            || !p.owns(&tg.tags)
            || !collectable(p.scope(), target_group_owner(&tg.tags))
        {
            continue;
        }
        if p.is_referenced(&tg.id) {
            p.refuse(label(&tg.name), "not desired, but a listener or rule that stays still forwards to it");
            continue;
        }
        if let Some(user) = tg.service_arns.iter().find(|arn| !p.manages_service(arn)) {
            let reason = format!("not desired, but service {user}, which this run does not manage, still uses it");
            p.refuse(label(&tg.name), reason);
            deregister_all(p, tg);
            if tg.tags.get(TAG_SOURCE_TYPE).map(String::as_str) == Some(SOURCE_SERVICE_EXPORT) {
                // Withdrawn from the export: importers stop finding it, and let go of it.
                p.push(Action::UntagResource(UntagResource {
                    resource_arn: tg.arn.clone(),
                    tag_keys: vec![TAG_SOURCE_TYPE.to_owned()],
                }));
            }
            continue;
        }
        doomed.push(tg);
    }
    for tg in &doomed {
        deregister_all(p, tg);
    }
    for tg in doomed {
        p.push(Action::DeleteTargetGroup(TargetGroupRef { target_group_identifier: tg.id.clone() }));
    }
}

/// Deregisters every remaining target of `tg`, at most [`MAX_TARGETS_PER_CALL`] per call.
fn deregister_all(p: &mut Planner<'_>, tg: &ObservedTargetGroup) {
    for chunk in tg.targets.chunks(MAX_TARGETS_PER_CALL) {
        p.push(Action::DeregisterTargets(Targets { target_group_identifier: tg.id.clone(), targets: chunk.to_vec() }));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::lattice::{ListenerProtocol, OwnerKey, Target};
    use crate::names::TAG_MANAGED_BY;
    use crate::plan::Scope;
    use crate::plan::test_support::*;

    fn registered(plan: &crate::plan::Plan, op: &str) -> Vec<Vec<Target>> {
        plan.actions
            .iter()
            .filter(|a| a.op() == op)
            .map(|a| match a {
                Action::RegisterTargets(t) | Action::DeregisterTargets(t) => t.targets.clone(),
                _ => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn a_new_target_group_is_created_then_filled_in_chunks_of_100() {
        let want = desired(vec![], vec![mk_tg("k8s-rates", "rates").targets(250)]);
        let plan = plan_all(&want, &base_observed());
        assert_eq!(ops(&plan), ["CreateTargetGroup", "RegisterTargets", "RegisterTargets", "RegisterTargets"]);
        let chunks = registered(&plan, "RegisterTargets");
        assert_eq!(chunks.iter().map(Vec::len).collect::<Vec<_>>(), [100, 100, 50]);
        let all: Vec<Target> = chunks.concat();
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(all, sorted, "targets are sent sorted");
        match &plan.actions[1] {
            Action::RegisterTargets(t) => assert_eq!(t.target_group_identifier, "k8s-rates"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn targets_are_registered_and_deregistered_by_difference() {
        let (observed, _) = observe(&desired(vec![], vec![mk_tg("k8s-rates", "rates").targets(250)]));
        let mut tg = mk_tg("k8s-rates", "rates");
        // Keep targets 150..250, add 250..400.
        tg.targets = targets(400).split_off(150);
        let plan = plan_all(&desired(vec![], vec![tg]), &observed);
        let added = registered(&plan, "RegisterTargets");
        let removed = registered(&plan, "DeregisterTargets");
        assert_eq!(added.iter().map(Vec::len).collect::<Vec<_>>(), [100, 50]);
        assert_eq!(removed.iter().map(Vec::len).collect::<Vec<_>>(), [100, 50]);
        let removed: BTreeSet<Target> = removed.concat().into_iter().collect();
        assert_eq!(removed, targets(150).into_iter().collect());
        let id = &observed.target_groups[0].id;
        assert!(plan.actions.iter().all(|a| matches!(a,
            Action::RegisterTargets(t) | Action::DeregisterTargets(t) if &t.target_group_identifier == id)));
    }

    #[test]
    fn health_check_and_tags_are_updated_in_place() {
        let (observed, _) = observe(&desired(vec![], vec![mk_tg("k8s-rates", "rates")]));
        let mut tg = mk_tg("k8s-rates", "rates");
        tg.config.health_check = Some(serde_json::json!({"enabled": false}));
        tg.tags.insert("team".into(), "payments".into());
        let plan = plan_all(&desired(vec![], vec![tg.clone()]), &observed);
        assert_eq!(ops(&plan), ["UpdateTargetGroup", "TagResource"]);
        // No health check desired: Lattice's current one is left alone.
        tg.config.health_check = None;
        let plan = plan_all(&desired(vec![], vec![tg]), &observed);
        assert_eq!(ops(&plan), ["TagResource"]);
    }

    #[test]
    fn an_immutable_change_is_refused_and_nothing_else_is_planned() {
        let (observed, _) = observe(&desired(vec![], vec![mk_tg("k8s-rates", "rates")]));
        let mut tg = mk_tg("k8s-rates", "rates").targets(3);
        tg.config.port = 9090;
        tg.config.protocol = "HTTPS".into();
        let plan = plan_all(&desired(vec![], vec![tg]), &observed);
        assert!(plan.is_noop(), "{:?}", ops(&plan));
        assert_eq!(plan.refused.len(), 1);
        assert_eq!(plan.refused[0].resource, "targetgroup/k8s-rates");
        assert!(plan.refused[0].reason.contains("(protocol)"), "{}", plan.refused[0].reason);
    }

    #[test]
    fn a_target_group_of_someone_else_is_refused() {
        let (mut observed, _) = observe(&desired(vec![], vec![mk_tg("k8s-rates", "rates")]));
        observed.target_groups[0].tags.insert(TAG_MANAGED_BY.into(), OTHER.into());
        let plan = plan_all(&desired(vec![], vec![mk_tg("k8s-rates", "rates").targets(1)]), &observed);
        assert!(plan.is_noop());
        assert_eq!(plan.refused[0].resource, "targetgroup/k8s-rates");
        // Nor is it collected when not desired.
        let plan = plan_all(&desired(vec![], vec![]), &observed);
        assert!(plan.is_noop() && plan.refused.is_empty());
    }

    fn three_groups() -> ObservedStateAndIds {
        observe(&desired(vec![], vec![mk_tg("k8s-a", "a"), mk_tg("k8s-b", "b"), mk_tg("k8s-c", "c")]))
    }

    type ObservedStateAndIds = (crate::observed::ObservedState, crate::plan::memory::IdGen);

    fn deleted(plan: &crate::plan::Plan, observed: &crate::observed::ObservedState) -> Vec<String> {
        plan.actions
            .iter()
            .filter_map(|a| match a {
                Action::DeleteTargetGroup(r) => observed
                    .target_groups
                    .iter()
                    .find(|tg| tg.id == r.target_group_identifier)
                    .map(|tg| tg.name.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn scope_all_collects_every_owned_target_group_not_desired() {
        let (mut observed, _) = three_groups();
        observed.target_groups[2].tags.remove(TAG_MANAGED_BY);
        let plan = plan_all(&desired(vec![], vec![mk_tg("k8s-b", "b")]), &observed);
        assert_eq!(deleted(&plan, &observed), ["k8s-a"]);
    }

    #[test]
    fn scope_owners_collects_only_target_groups_of_those_owners() {
        let (observed, _) = three_groups();
        let scope = Scope::Owners(BTreeSet::from([owner("HTTPRoute", "a")]));
        let plan = plan_in(&scope, &desired(vec![], vec![]), &observed);
        assert_eq!(deleted(&plan, &observed), ["k8s-a"]);
        // A GRPCRoute of the same name is another owner.
        let scope = Scope::Owners(BTreeSet::from([OwnerKey { kind: "GRPCRoute".into(), ..owner("", "a") }]));
        let plan = plan_in(&scope, &desired(vec![], vec![]), &observed);
        assert!(plan.is_noop());
        // Desired target groups of owners outside the scope are not planned.
        let scope = Scope::Owners(BTreeSet::from([owner("HTTPRoute", "b")]));
        // (k8s-newer speaks another protocol than k8s-b, so it does not adopt k8s-b.)
        let mut newer = mk_tg("k8s-newer", "b");
        newer.config.protocol = "HTTPS".into();
        let want = desired(vec![], vec![mk_tg("k8s-new", "a"), newer]);
        let plan = plan_in(&scope, &want, &observed);
        match &plan.actions[..] {
            [Action::CreateTargetGroup(c), Action::DeleteTargetGroup(_)] => {
                assert_eq!(c.name, "k8s-newer");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    /// Our target group `tg`, which a service of another owner forwards to.
    fn used_by_another_owner(tg: TargetGroupSpec) -> (crate::observed::ObservedState, crate::plan::memory::IdGen) {
        let mut svc = mk_service("a").listener(mk_listener(80, ListenerProtocol::Http, forward(&[(&tg.name, 1)])));
        svc.tags.insert(TAG_MANAGED_BY.into(), OTHER.into());
        let (mut observed, _) = observe(&desired(vec![], vec![tg]));
        let mut ids = crate::plan::memory::IdGen::starting_at(1000);
        let foreign = crate::plan::plan(&desired(vec![svc], vec![]), &observed, &Scope::All, OTHER);
        apply(&foreign, &mut observed, &mut ids);
        (observed, ids)
    }

    #[test]
    fn a_target_group_still_in_use_is_not_collected() {
        // A foreign service forwards to our target group.
        let (observed, _) = used_by_another_owner(mk_tg("k8s-a", "a"));
        let plan = plan_all(&desired(vec![], vec![]), &observed);
        assert!(plan.is_noop(), "{:?}", ops(&plan));
        assert_eq!(plan.refused.len(), 1);
        assert_eq!(plan.refused[0].resource, "targetgroup/k8s-a");
    }

    #[test]
    fn a_target_group_another_service_uses_loses_its_targets_and_waits() {
        // Another cluster's service forwards to our (exported) target group, which we no
        // longer want.
        let (mut observed, mut ids) = used_by_another_owner(mk_tg("k8s-a", "a").targets(3));
        // Only our part of the inventory is visible (as the adapter reads it).
        let user = observed.services.remove(0);
        assert_eq!(observed.target_groups[0].service_arns, std::slice::from_ref(&user.arn));
        let plan = plan_all(&desired(vec![], vec![]), &observed);
        assert_eq!(ops(&plan), ["DeregisterTargets"]);
        assert_eq!(plan.refused[0].resource, "targetgroup/k8s-a");
        assert!(plan.refused[0].reason.contains(&user.arn), "{}", plan.refused[0].reason);
        observed.services.push(user);
        apply(&plan, &mut observed, &mut ids);
        let user = observed.services.remove(0);
        let again = plan_all(&desired(vec![], vec![]), &observed);
        assert!(again.is_noop() && again.refused.len() == 1, "{again:?}");
        // Once the other service lets go, the target group is deleted.
        observed.target_groups[0].service_arns.clear();
        drop(user);
        assert_eq!(ops(&plan_all(&desired(vec![], vec![]), &observed)), ["DeleteTargetGroup"]);
    }
}
