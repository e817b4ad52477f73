//! The last step of a plan: the fingerprint tag of every in-scope service and target group whose
//! tag does not match its desired state (see [`crate::fingerprint`]).
//!
//! It comes after every other action, so that it is written only once everything it vouches for
//! is done: an executor skips it (or leaves it pending) when any action on the same service or
//! target group did not apply, and a run cut short before it leaves the old fingerprint, which
//! makes the next run read the resource in full. A resource this plan creates is named by name
//! (its ARN is not known yet), and carries no fingerprint until this step. A resource with a
//! refused change gets no fingerprint: it is not as desired.

use std::collections::{BTreeMap, BTreeSet};

use crate::fingerprint::{self, Fingerprints, TAG_FINGERPRINT};
use crate::lattice::DesiredState;
use crate::names::Tags;

use super::action::{Action, TagResource};
use super::common::Planner;

/// Whether `tags` is exactly a fingerprint (the form of the actions of this step).
pub fn is_fingerprint(tags: &Tags) -> bool {
    tags.len() == 1 && tags.contains_key(TAG_FINGERPRINT)
}

/// Writes the fingerprint of every in-scope desired service and target group that needs it.
/// Linear in the size of the plan and the inventory (lookups by name through maps).
/// `prints` are the fingerprints of `desired` (settling deletions in progress removes resources
/// from it, never changes one).
pub(super) fn plan_fingerprints(p: &mut Planner<'_>, desired: &DesiredState, prints: &Fingerprints) {
    let scope = p.scope();
    let planned = p.planned();
    let mut created: BTreeSet<String> = BTreeSet::new();
    for action in &planned.actions {
        match action {
            Action::CreateService(c) => created.insert(format!("service/{}", c.name)),
            Action::CreateTargetGroup(c) => created.insert(format!("targetgroup/{}", c.name)),
            _ => false,
        };
    }
    // A refusal on a resource or anything beneath it (`service/<name>/listener/...`).
    let refused: BTreeSet<String> =
        planned.refused.iter().map(|r| r.resource.splitn(3, '/').take(2).collect::<Vec<_>>().join("/")).collect();
    let mut seen: BTreeMap<String, (&String, &Tags)> = BTreeMap::new();
    for s in &p.observed.services {
        seen.entry(format!("service/{}", s.name)).or_insert((&s.arn, &s.tags));
    }
    for tg in &p.observed.target_groups {
        seen.entry(format!("targetgroup/{}", tg.name)).or_insert((&tg.arn, &tg.tags));
    }
    let services = desired.services.iter().filter(|s| scope.includes(s.owner.as_ref())).map(|s| {
        let print = prints.services.get(&s.name).cloned();
        (format!("service/{}", s.name), &s.name, print.unwrap_or_else(|| fingerprint::service(s, desired)))
    });
    let groups = desired.target_groups.iter().filter(|tg| scope.includes(tg.owner.as_ref())).map(|tg| {
        let print = prints.target_groups.get(&tg.name).cloned();
        (format!("targetgroup/{}", tg.name), &tg.name, print.unwrap_or_else(|| fingerprint::target_group(tg)))
    });
    let mut writes = Vec::new();
    for (label, name, want) in services.chain(groups) {
        if refused.contains(&label) {
            continue;
        }
        if created.contains(&label) {
            // Created, or replaced (deleted and created again): named by name.
            writes.push((name.clone(), want));
            continue;
        }
        if let Some((arn, tags)) = seen.get(&label)
            && p.owns(tags)
            && tags.get(TAG_FINGERPRINT) != Some(&want)
        {
            writes.push(((*arn).clone(), want));
        }
    }
    for (resource_arn, value) in writes {
        let tags = Tags::from([(TAG_FINGERPRINT.to_owned(), value)]);
        p.push(Action::TagResource(TagResource { resource_arn, tags }));
    }
}
