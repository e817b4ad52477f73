//! The last step of a plan: the fingerprint tag of every in-scope service and target group whose
//! tag does not match its desired state (see [`crate::fingerprint`]).
//!
//! It comes after every other action, so that it is written only once everything it vouches for
//! is done: an executor skips it (or leaves it pending) when any action on the same service or
//! target group did not apply, and a run cut short before it leaves the old fingerprint, which
//! makes the next run read the resource in full. A resource this plan creates is named by name
//! (its ARN is not known yet), and carries no fingerprint until this step. A resource with a
//! refused change gets no fingerprint: it is not as desired.

use std::collections::{HashMap, HashSet};

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
    let (mut services, mut groups) = (Known::default(), Known::default());
    for action in &planned.actions {
        match action {
            Action::CreateService(c) => services.created.insert(&c.name),
            Action::CreateTargetGroup(c) => groups.created.insert(&c.name),
            _ => false,
        };
    }
    // A refusal on a resource or anything beneath it (`service/<name>/listener/...`).
    for r in &planned.refused {
        let mut parts = r.resource.splitn(3, '/');
        match (parts.next(), parts.next()) {
            (Some("service"), Some(name)) => services.refused.insert(name),
            (Some("targetgroup"), Some(name)) => groups.refused.insert(name),
            _ => false,
        };
    }
    for s in &p.observed.services {
        services.seen.entry(&s.name).or_insert((&s.arn, &s.tags));
    }
    for tg in &p.observed.target_groups {
        groups.seen.entry(&tg.name).or_insert((&tg.arn, &tg.tags));
    }
    let wanted_services = desired.services.iter().filter(|s| scope.includes(s.owner.as_ref())).map(|s| {
        let print = prints.services.get(&s.name).cloned();
        (&s.name, print.unwrap_or_else(|| fingerprint::service(s, desired)), &services)
    });
    let wanted_groups = desired.target_groups.iter().filter(|tg| scope.includes(tg.owner.as_ref())).map(|tg| {
        let print = prints.target_groups.get(&tg.name).cloned();
        (&tg.name, print.unwrap_or_else(|| fingerprint::target_group(tg)), &groups)
    });
    let mut writes = Vec::new();
    for (name, want, known) in wanted_services.chain(wanted_groups) {
        if known.refused.contains(name.as_str()) {
            continue;
        }
        if known.created.contains(name.as_str()) {
            // Created, or replaced (deleted and created again): named by name.
            writes.push((name.clone(), want));
            continue;
        }
        if let Some((arn, tags)) = known.seen.get(name.as_str())
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

/// What the plan and the inventory say of the services, or of the target groups, by name.
#[derive(Default)]
struct Known<'a> {
    /// Created (or replaced) by this plan.
    created: HashSet<&'a str>,
    /// With a refused change on them or beneath them.
    refused: HashSet<&'a str>,
    /// Observed: ARN and tags (the first of a name).
    seen: HashMap<&'a str, (&'a String, &'a Tags)>,
}
