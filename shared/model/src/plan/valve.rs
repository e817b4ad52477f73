//! The garbage-collection safety valve: a plan that would delete more than a configured share of
//! the services and target groups we own in scope is stripped of every destructive call.
//!
//! A cluster read that comes back empty by mistake (a wrong kubeconfig context, a namespace
//! deleted by accident, an API server answering with nothing) plans the deletion of everything we
//! own. The valve counts the `DeleteService` and `DeleteTargetGroup` calls of a plan against the
//! services and target groups we own in the run's scope; when they are more than
//! [`GcLimit::min_delete`] and more than [`GcLimit::max_delete_percent`] percent of them, the plan
//! keeps its creating and updating calls (which only add or change what the cluster asks for) and
//! loses every `Delete…` and `DeregisterTargets` call, each recorded as a [`Refusal`]. The run then
//! reports the refusal so that it fails visibly; an explicit override
//! ([`GcLimit::allow_mass_delete`]) lets the deletions through.
//!
//! A run scoped to named routes ([`Scope::Owners`]: a queue message for a route, the hand-off of
//! routes a deadline cut) is not limited: it reads each route it names by name and can only delete
//! the resources of those routes, each confirmed gone by that read. The valve guards the runs whose
//! deletions follow from a listing (whole-cluster runs), where an empty or wrong read would
//! otherwise delete everything.

use serde::{Deserialize, Serialize};

use super::{Action, Plan, Refusal, Scope};
use crate::observed::{ObservedState, is_owned};

/// The share of owned resources one run may delete when `GC_MAX_DELETE_PERCENT` is unset.
pub const DEFAULT_MAX_DELETE_PERCENT: u8 = 50;
/// Deletions a run may always make, whatever the share, when `GC_MIN_DELETE` is unset.
pub const DEFAULT_MIN_DELETE: usize = 2;

/// How much one run may garbage-collect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GcLimit {
    /// `GC_MAX_DELETE_PERCENT`: the most a run may delete, in percent of the services and target
    /// groups we own in its scope (0–100; 100 turns the valve off).
    pub max_delete_percent: u8,
    /// `GC_MIN_DELETE`: a run may always delete this many services and target groups together
    /// (so that deleting one route of two is never a mass deletion).
    pub min_delete: usize,
    /// The explicit override (`--allow-mass-delete`, `"allowMassDelete": true`).
    #[serde(default)]
    pub allow_mass_delete: bool,
}

impl Default for GcLimit {
    fn default() -> Self {
        Self {
            max_delete_percent: DEFAULT_MAX_DELETE_PERCENT,
            min_delete: DEFAULT_MIN_DELETE,
            allow_mass_delete: false,
        }
    }
}

/// A mass deletion the valve stopped (or let through with the override).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MassDelete {
    /// Services and target groups the plan would delete.
    pub deletions: usize,
    /// Services and target groups we own in the run's scope.
    pub owned: usize,
    /// The limit in force, in percent.
    pub max_delete_percent: u8,
    /// Destructive calls removed from the plan (0 when the override let them through).
    pub refused_calls: usize,
    /// Whether the override let the deletions through.
    pub overridden: bool,
}

impl std::fmt::Display for MassDelete {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the run would delete {} of the {} services and target groups it owns, more than GC_MAX_DELETE_PERCENT={}%",
            self.deletions, self.owned, self.max_delete_percent
        )?;
        if self.overridden {
            write!(f, "; allowed by the mass-delete override")
        } else {
            write!(
                f,
                "; {} destructive calls were refused (override: latticectl apply --allow-mass-delete, or \
                 \"allowMassDelete\": true in the event)",
                self.refused_calls
            )
        }
    }
}

/// Applies the valve to `plan`: unchanged (and `None`) when within the limit or scoped to named
/// routes; otherwise, without the override, every destructive call becomes a refusal.
pub fn guard(
    mut plan: Plan,
    observed: &ObservedState,
    scope: &Scope,
    managed_by: &str,
    limit: &GcLimit,
) -> (Plan, Option<MassDelete>) {
    if matches!(scope, Scope::Owners(_)) {
        return (plan, None);
    }
    let deletions =
        plan.actions.iter().filter(|a| matches!(a, Action::DeleteService(_) | Action::DeleteTargetGroup(_))).count();
    let owned = observed
        .services
        .iter()
        .map(|s| &s.tags)
        .chain(observed.target_groups.iter().map(|t| &t.tags))
        .filter(|tags| is_owned(tags, managed_by) && scope.covers(tags))
        .count();
    let over_share = deletions.saturating_mul(100) > usize::from(limit.max_delete_percent).saturating_mul(owned);
    if deletions <= limit.min_delete || !over_share {
        return (plan, None);
    }
    let mut mass = MassDelete {
        deletions,
        owned,
        max_delete_percent: limit.max_delete_percent,
        refused_calls: 0,
        overridden: limit.allow_mass_delete,
    };
    if limit.allow_mass_delete {
        return (plan, Some(mass));
    }
    let reason = format!(
        "mass deletion refused: {deletions} of {owned} owned services and target groups (limit {}%)",
        limit.max_delete_percent
    );
    let (destructive, kept): (Vec<Action>, Vec<Action>) = plan.actions.into_iter().partition(is_destructive);
    mass.refused_calls = destructive.len();
    plan.actions = kept;
    plan.refused
        .extend(destructive.iter().map(|a| Refusal { resource: resource(a, observed), reason: reason.clone() }));
    (plan, Some(mass))
}

/// Whether the call deletes or deregisters something.
pub fn is_destructive(action: &Action) -> bool {
    action.op().starts_with("Delete") || matches!(action, Action::DeregisterTargets(_))
}

/// The refusal path of a destructive call: `service/<name>` and `targetgroup/<name>` for the
/// resources the valve counts, `<Operation> <identifier>` for the others.
fn resource(action: &Action, observed: &ObservedState) -> String {
    match action {
        Action::DeleteService(r) => {
            let id = &r.service_identifier;
            let name = observed.services.iter().find(|s| &s.id == id || &s.arn == id).map_or(id, |s| &s.name);
            format!("service/{name}")
        }
        Action::DeleteTargetGroup(r) => {
            let id = &r.target_group_identifier;
            let name = observed.target_groups.iter().find(|t| &t.id == id || &t.arn == id).map_or(id, |t| &t.name);
            format!("targetgroup/{name}")
        }
        other => {
            let request = serde_json::to_value(other).ok().and_then(|v| v.get("request").cloned());
            let id = request
                .as_ref()
                .and_then(|r| r.as_object())
                .and_then(|o| o.iter().find(|(k, _)| k.ends_with("Identifier")))
                .and_then(|(_, v)| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            format!("{} {id}", other.op())
        }
    }
}
