//! Adopting target groups whose names differ from ours.
//!
//! The existing controller names a target group `k8s-<ns>-<svc>-<10 random letters>` and
//! recognises it by its identity tags and immutable configuration, not by name; so does this
//! plan. A desired target group without an observed one of the same name adopts an owned target
//! group that serves the same backend: the same identity tags
//! ([`crate::names::TARGET_GROUP_IDENTITY_TAGS`]) and the same type, protocol, protocol version,
//! address type and VPC. Its port may differ: every target is registered with an explicit port,
//! so the target group's default port routes nothing. An adopted target group is planned under
//! the desired name from then on (the rename is internal to the plan; Lattice names cannot change).
//!
//! Among several candidates the one the most rules and listeners of ours already forward to is
//! adopted (so that no rule has to change), then the first by name; the others are left to
//! garbage collection, after the rules stop using them.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use super::Scope;
use super::target_groups::immutable_differences;
use crate::lattice::{DesiredState, RuleAction, TargetGroupSpec};
use crate::names::TARGET_GROUP_IDENTITY_TAGS;
use crate::observed::{ObservedState, ObservedTargetGroup, is_owned};

/// Lifecycle status of a target group Lattice failed to create; never adopted.
const CREATE_FAILED: &str = "CREATE_FAILED";

/// The observed state with every adopted target group renamed to the desired name it serves.
pub(super) fn rename<'a>(
    desired: &DesiredState,
    observed: &'a ObservedState,
    scope: &Scope,
    managed_by: &str,
) -> Cow<'a, ObservedState> {
    let desired_names: BTreeSet<&str> = desired.target_groups.iter().map(|t| t.name.as_str()).collect();
    let present: BTreeSet<&str> = observed.target_groups.iter().map(|t| t.name.as_str()).collect();
    // A target group that already carries a desired name is that target group, nobody else's.
    let mut taken: Vec<bool> =
        observed.target_groups.iter().map(|tg| desired_names.contains(tg.name.as_str())).collect();
    let uses = references(observed, managed_by);
    let mut renames: Vec<(usize, String)> = Vec::new();
    for want in desired.target_groups.iter().filter(|t| scope.includes(t.owner.as_ref())) {
        if present.contains(want.name.as_str()) {
            continue;
        }
        let best = observed
            .target_groups
            .iter()
            .enumerate()
            .filter(|(i, tg)| !taken[*i] && adoptable(want, tg, managed_by))
            .max_by_key(|(_, tg)| (uses.get(tg.id.as_str()).copied().unwrap_or(0), Reverse(tg.name.as_str())));
        if let Some((i, _)) = best {
            taken[i] = true;
            renames.push((i, want.name.clone()));
        }
    }
    if renames.is_empty() {
        return Cow::Borrowed(observed);
    }
    let mut renamed = observed.clone();
    for (i, name) in renames {
        renamed.target_groups[i].name = name;
    }
    Cow::Owned(renamed)
}

/// The observed target group that stands for `want`: the one of its name, else one of ours the
/// plan would adopt for it.
pub(crate) fn counterpart<'a>(
    want: &TargetGroupSpec,
    observed: &'a ObservedState,
    managed_by: &str,
) -> Option<&'a ObservedTargetGroup> {
    observed
        .target_group(&want.name)
        .or_else(|| observed.target_groups.iter().find(|tg| adoptable(want, tg, managed_by)))
}

/// Whether `seen` is ours and serves exactly what `want` describes.
fn adoptable(want: &TargetGroupSpec, seen: &ObservedTargetGroup, managed_by: &str) -> bool {
    is_owned(&seen.tags, managed_by)
        && seen.status != CREATE_FAILED
        && TARGET_GROUP_IDENTITY_TAGS.iter().all(|key| want.tags.get(*key) == seen.tags.get(*key))
        && immutable_differences(want, seen).is_empty()
}

/// How many listeners and rules of ours forward to each target group id.
fn references<'a>(observed: &'a ObservedState, managed_by: &str) -> BTreeMap<&'a str, usize> {
    let mut uses = BTreeMap::new();
    let mut count = |action: &'a RuleAction| {
        if let RuleAction::Forward(forward) = action {
            for tg in &forward.target_groups {
                *uses.entry(tg.target_group_identifier.as_str()).or_insert(0) += 1;
            }
        }
    };
    for service in observed.services.iter().filter(|s| is_owned(&s.tags, managed_by)) {
        for listener in &service.listeners {
            count(&listener.default_action);
            for rule in &listener.rules {
                count(&rule.action);
            }
        }
    }
    uses
}

#[cfg(test)]
#[path = "tests_adopt.rs"]
mod tests;
