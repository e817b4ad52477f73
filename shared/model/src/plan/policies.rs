//! IAM auth policies and access log subscriptions of services and service networks.
//!
//! Auth: a desired policy is put first, then the resource's `authType` turns to `AWS_IAM`, so
//! that traffic is never denied for want of a policy; removal turns `authType` back to `NONE`
//! first, then deletes the policy. Auth settings are changed only on resources we own.
//!
//! Access logs: a subscription is ours when it carries our `ManagedBy`, and it belongs to the
//! AccessLogPolicy named by its `AccessLogPolicy` tag. Subscriptions no longer desired are
//! deleted first (Lattice allows one subscription per destination type on a resource, so a
//! new policy may need the place); a new destination of the same type is an update in place;
//! a new destination type is a new subscription, created before the old one is deleted.

use std::collections::BTreeSet;

use crate::lattice::policies::{DestinationType, same_policy};
use crate::lattice::{AccessLogSubscriptionSpec, DesiredState, PolicyResource, PolicyResourceType};
use crate::names::TAG_ACCESS_LOG_POLICY;
use crate::observed::policies::{AUTH_TYPE_IAM, AUTH_TYPE_NONE};
use crate::observed::{ObservedAccessLogSubscription, ObservedAuth};

use super::action::{
    AccessLogSubscriptionRef, Action, CreateAccessLogSubscription, DeleteAuthPolicy, PutAuthPolicy,
    UpdateAccessLogSubscription, UpdateService, UpdateServiceNetwork,
};
use super::common::{Planner, collectable, service_owner};

/// What a policy's resource is to this plan.
enum Resolved {
    /// It exists and is ours: its id.
    Ours(String),
    /// This plan creates it: its name.
    Created(String),
    /// It exists and is not ours.
    Foreign,
    /// It does not exist and this plan does not create it.
    Missing,
    /// A service network this plan creates or takes over: its settings follow on the next run,
    /// once it has an id and our tag.
    Later,
}

/// Whether this plan creates the service network `name` (a desired one with our tags).
fn created_now(p: &Planner<'_>, desired: &DesiredState, name: &str) -> bool {
    desired.service_networks.iter().any(|sn| sn.name == name && sn.tags.as_ref().is_some_and(|t| p.owns(t)))
}

/// Whether this plan takes over the untagged service network `name`.
fn adopted_now(p: &Planner<'_>, desired: &DesiredState, name: &str, tags: &crate::names::Tags) -> bool {
    !tags.contains_key(crate::names::TAG_MANAGED_BY)
        && desired.service_networks.iter().any(|sn| sn.name == name && sn.adopt)
        && p.scope().includes(None)
}

/// Resolves `resource` against the observed state and the services this plan manages.
fn resolve(p: &Planner<'_>, desired: &DesiredState, resource: &PolicyResource) -> Resolved {
    let name = &resource.resource_identifier;
    match resource.resource_type {
        PolicyResourceType::Service => match p.service(name) {
            Some(s) if p.owns(&s.tags) => Resolved::Ours(s.id.clone()),
            Some(_) => Resolved::Foreign,
            None if desired.services.iter().any(|s| &s.name == name && p.scope().includes(s.owner.as_ref())) => {
                Resolved::Created(name.clone())
            }
            None => Resolved::Missing,
        },
        PolicyResourceType::ServiceNetwork => match p.observed.service_network(name) {
            Some(sn) if p.owns(&sn.tags) => Resolved::Ours(sn.id.clone()),
            Some(sn) if adopted_now(p, desired, name, &sn.tags) => Resolved::Later,
            Some(_) => Resolved::Foreign,
            None if created_now(p, desired, name) => Resolved::Later,
            None => Resolved::Missing,
        },
    }
}

/// Whether an observed resource we own (by id) is one this run may change: it is still there
/// and its owner is in scope.
fn in_scope(p: &Planner<'_>, resource_id: &str) -> bool {
    if let Some(svc) = p.service_by_id(resource_id) {
        return p.owns(&svc.tags) && collectable(p.scope(), service_owner(&svc.tags));
    }
    p.observed
        .service_networks
        .iter()
        .find(|sn| sn.id == resource_id)
        .is_some_and(|sn| p.owns(&sn.tags) && collectable(p.scope(), None))
}

/// Refuses a change to a resource that is missing or not ours; `what` names the change.
fn refuse(p: &mut Planner<'_>, resource: &PolicyResource, what: &str, resolved: &Resolved) {
    let label = format!("{resource}/{what}");
    match resolved {
        Resolved::Foreign => p.refuse_foreign(label),
        Resolved::Missing => p.refuse(label, "the resource does not exist"),
        Resolved::Later => {
            p.refuse(label, "the service network is created or taken over by this run; this follows on the next run")
        }
        Resolved::Ours(_) | Resolved::Created(_) => {}
    }
}

fn set_auth_type(resource_type: PolicyResourceType, identifier: &str, auth_type: &str) -> Action {
    match resource_type {
        PolicyResourceType::Service => Action::UpdateService(UpdateService {
            service_identifier: identifier.to_owned(),
            certificate_arn: None,
            auth_type: Some(auth_type.to_owned()),
        }),
        PolicyResourceType::ServiceNetwork => Action::UpdateServiceNetwork(UpdateServiceNetwork {
            service_network_identifier: identifier.to_owned(),
            auth_type: auth_type.to_owned(),
        }),
    }
}

/// Puts the desired auth policies and turns IAM auth on; turns it off where it is no longer
/// desired.
pub(super) fn plan_auth(p: &mut Planner<'_>, desired: &DesiredState) {
    let mut kept = BTreeSet::new();
    let scope = p.scope();
    for spec in desired.auth_policies.iter().filter(|s| scope.includes(s.owner.as_ref())) {
        let resolved = resolve(p, desired, &spec.resource);
        let (identifier, seen): (String, Option<&ObservedAuth>) = match &resolved {
            Resolved::Ours(id) => {
                kept.insert(id.clone());
                (id.clone(), p.observed.auth_of(id))
            }
            Resolved::Created(name) => (name.clone(), None),
            Resolved::Foreign | Resolved::Missing | Resolved::Later => {
                refuse(p, &spec.resource, "authpolicy", &resolved);
                continue;
            }
        };
        let iam = seen.is_some_and(ObservedAuth::is_iam);
        let same = iam && seen.and_then(|s| s.policy.as_deref()).is_some_and(|have| same_policy(have, &spec.policy));
        if !same {
            p.push(Action::PutAuthPolicy(PutAuthPolicy {
                resource_identifier: identifier.clone(),
                policy: spec.policy.clone(),
            }));
        }
        if !iam {
            p.push(set_auth_type(spec.resource.resource_type, &identifier, AUTH_TYPE_IAM));
        }
    }
    let observed = p.observed;
    for seen in &observed.auth {
        if kept.contains(&seen.resource_id) || !in_scope(p, &seen.resource_id) {
            continue;
        }
        if seen.is_iam() {
            p.push(set_auth_type(seen.resource_type, &seen.resource_id, AUTH_TYPE_NONE));
        }
        if seen.policy.is_some() {
            p.push(Action::DeleteAuthPolicy(DeleteAuthPolicy { resource_identifier: seen.resource_id.clone() }));
        }
    }
}

/// The observed subscription a desired one becomes: ours, on the same resource and built for
/// the same policy; the same destination is preferred, then the same destination type.
fn counterpart<'a>(
    p: &Planner<'a>,
    resource_id: &str,
    spec: &AccessLogSubscriptionSpec,
    taken: &BTreeSet<&str>,
) -> Option<&'a ObservedAccessLogSubscription> {
    let policy = spec.tags.get(TAG_ACCESS_LOG_POLICY);
    let kind = DestinationType::of(&spec.destination_arn);
    let candidates: Vec<&ObservedAccessLogSubscription> = p
        .observed
        .access_log_subscriptions
        .iter()
        .filter(|a| {
            a.resource_id == resource_id
                && p.owns(&a.tags)
                && a.tags.get(TAG_ACCESS_LOG_POLICY) == policy
                && !taken.contains(a.id.as_str())
        })
        .collect();
    let rank = |a: &&ObservedAccessLogSubscription| {
        if a.destination_arn == spec.destination_arn {
            0
        } else if DestinationType::of(&a.destination_arn) == kind {
            1
        } else {
            2
        }
    };
    candidates.into_iter().min_by_key(rank)
}

/// Creates, updates, retags and deletes access log subscriptions.
pub(super) fn plan_access_logs(p: &mut Planner<'_>, desired: &DesiredState) {
    let mut taken: BTreeSet<&str> = BTreeSet::new();
    let mut changes: Vec<Action> = Vec::new();
    let mut retags = Vec::new();
    let mut replaced: Vec<String> = Vec::new();
    let scope = p.scope();
    for spec in desired.access_log_subscriptions.iter().filter(|s| scope.includes(s.owner.as_ref())) {
        let resolved = resolve(p, desired, &spec.resource);
        let identifier = match &resolved {
            Resolved::Ours(id) => id.clone(),
            Resolved::Created(name) => name.clone(),
            Resolved::Foreign | Resolved::Missing | Resolved::Later => {
                refuse(p, &spec.resource, "accesslogsubscription", &resolved);
                continue;
            }
        };
        let create = Action::CreateAccessLogSubscription(CreateAccessLogSubscription {
            resource_identifier: identifier.clone(),
            destination_arn: spec.destination_arn.clone(),
            tags: spec.tags.clone(),
        });
        let Some(seen) = counterpart(p, &identifier, spec, &taken) else {
            changes.push(create);
            continue;
        };
        taken.insert(&seen.id);
        if seen.destination_arn == spec.destination_arn {
            retags.push((seen, spec));
        } else if DestinationType::of(&seen.destination_arn) == DestinationType::of(&spec.destination_arn) {
            changes.push(Action::UpdateAccessLogSubscription(UpdateAccessLogSubscription {
                access_log_subscription_identifier: seen.id.clone(),
                destination_arn: spec.destination_arn.clone(),
            }));
            retags.push((seen, spec));
        } else {
            changes.push(create);
            replaced.push(seen.id.clone());
        }
    }
    let observed = p.observed;
    for seen in &observed.access_log_subscriptions {
        if !taken.contains(seen.id.as_str()) && p.owns(&seen.tags) && in_scope(p, &seen.resource_id) {
            p.push(delete_subscription(&seen.id));
        }
    }
    for action in changes {
        p.push(action);
    }
    for (seen, spec) in retags {
        p.retag(&seen.arn, &seen.tags, &spec.tags);
    }
    for id in replaced {
        p.push(delete_subscription(&id));
    }
}

fn delete_subscription(id: &str) -> Action {
    Action::DeleteAccessLogSubscription(AccessLogSubscriptionRef { access_log_subscription_identifier: id.to_owned() })
}

#[cfg(test)]
#[path = "tests_policies.rs"]
mod tests;
