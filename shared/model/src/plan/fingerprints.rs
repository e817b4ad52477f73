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
    let mut created = Names::default();
    for action in &planned.actions {
        match action {
            Action::CreateService(c) => created.services.insert(&c.name),
            Action::CreateTargetGroup(c) => created.target_groups.insert(&c.name),
            _ => false,
        };
    }
    // A refusal on a resource or anything beneath it (`service/<name>/listener/...`).
    let mut refused = Names::default();
    for r in &planned.refused {
        let mut parts = r.resource.splitn(3, '/');
        match (parts.next(), parts.next()) {
            (Some("service"), Some(name)) => refused.services.insert(name),
            (Some("targetgroup"), Some(name)) => refused.target_groups.insert(name),
            _ => false,
        };
    }
    let mut seen_services: HashMap<&str, (&String, &Tags)> = HashMap::new();
    for s in &p.observed.services {
        seen_services.entry(&s.name).or_insert((&s.arn, &s.tags));
    }
    let mut seen_groups: HashMap<&str, (&String, &Tags)> = HashMap::new();
    for tg in &p.observed.target_groups {
        seen_groups.entry(&tg.name).or_insert((&tg.arn, &tg.tags));
    }
    let services = desired.services.iter().filter(|s| scope.includes(s.owner.as_ref())).map(|s| {
        let print = prints.services.get(&s.name).cloned();
        let print = print.unwrap_or_else(|| fingerprint::service(s, desired));
        (&s.name, print, &created.services, &refused.services, &seen_services)
    });
    let groups = desired.target_groups.iter().filter(|tg| scope.includes(tg.owner.as_ref())).map(|tg| {
        let print = prints.target_groups.get(&tg.name).cloned();
        let print = print.unwrap_or_else(|| fingerprint::target_group(tg));
        (&tg.name, print, &created.target_groups, &refused.target_groups, &seen_groups)
    });
    let mut writes = Vec::new();
    for (name, want, created, refused, seen) in services.chain(groups) {
        if refused.contains(name.as_str()) {
            continue;
        }
        if created.contains(name.as_str()) {
            // Created, or replaced (deleted and created again): named by name.
            writes.push((name.clone(), want));
            continue;
        }
        if let Some((arn, tags)) = seen.get(name.as_str())
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

/// Names of services and of target groups.
#[derive(Default)]
struct Names<'a> {
    services: HashSet<&'a str>,
    target_groups: HashSet<&'a str>,
}
