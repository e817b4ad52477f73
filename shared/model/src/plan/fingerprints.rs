//! The last step of a plan: the fingerprint tag of every in-scope service and target group whose
//! tag does not match its desired state (see [`crate::fingerprint`]).
//!
//! It comes after every other action, so that it is written only once everything it vouches for
//! is done: an executor skips it (or leaves it pending) when any action on the same service or
//! target group did not apply, and a run cut short before it leaves the old fingerprint, which
//! makes the next run read the resource in full. A resource this plan creates is named by name
//! (its ARN is not known yet), and carries no fingerprint until this step. A resource with a
//! refused change gets no fingerprint: it is not as desired.

use crate::fingerprint::{self, TAG_FINGERPRINT};
use crate::lattice::DesiredState;
use crate::names::Tags;

use super::action::{Action, TagResource};
use super::common::Planner;

/// Whether `tags` is exactly a fingerprint (the form of the actions of this step).
pub fn is_fingerprint(tags: &Tags) -> bool {
    tags.len() == 1 && tags.contains_key(TAG_FINGERPRINT)
}

/// Writes the fingerprint of every in-scope desired service and target group that needs it.
pub(super) fn plan_fingerprints(p: &mut Planner<'_>, desired: &DesiredState) {
    let scope = p.scope();
    let mut writes = Vec::new();
    for spec in desired.services.iter().filter(|s| scope.includes(s.owner.as_ref())) {
        let want = fingerprint::service(spec, desired);
        let label = format!("service/{}", spec.name);
        let created = |a: &Action| matches!(a, Action::CreateService(c) if c.name == spec.name);
        writes.extend(target(p, &label, p.observed.service(&spec.name).map(|s| (&s.arn, &s.tags)), created, want));
    }
    for spec in desired.target_groups.iter().filter(|tg| scope.includes(tg.owner.as_ref())) {
        let want = fingerprint::target_group(spec);
        let label = format!("targetgroup/{}", spec.name);
        let created = |a: &Action| matches!(a, Action::CreateTargetGroup(c) if c.name == spec.name);
        let seen = p.observed.target_group(&spec.name).map(|tg| (&tg.arn, &tg.tags));
        writes.extend(target(p, &label, seen, created, want));
    }
    for (resource_arn, value) in writes {
        let tags = Tags::from([(TAG_FINGERPRINT.to_owned(), value)]);
        p.push(Action::TagResource(TagResource { resource_arn, tags }));
    }
}

/// The resource (ARN, or name when this plan creates it) whose fingerprint must become `want`.
fn target(
    p: &Planner<'_>,
    label: &str,
    seen: Option<(&String, &Tags)>,
    created: impl Fn(&Action) -> bool,
    want: String,
) -> Option<(String, String)> {
    let nested = format!("{label}/");
    if p.planned().refused.iter().any(|r| r.resource == label || r.resource.starts_with(&nested)) {
        return None;
    }
    if p.planned().actions.iter().any(created) {
        // Created, or replaced (deleted and created again): named by name.
        let name = label.split_once('/').map_or(label, |(_, name)| name);
        return Some((name.to_owned(), want));
    }
    match seen {
        Some((arn, tags)) if p.owns(tags) => (tags.get(TAG_FINGERPRINT) != Some(&want)).then(|| (arn.clone(), want)),
        _ => None,
    }
}
