//! The diff: `plan(desired, observed, scope, managed_by)` returns the ordered Lattice calls that
//! make the observed state equal the desired state, touching only resources tagged with our
//! `ManagedBy`.
//!
//! The plan is computed in this order, so that parents are created before their children and
//! children are removed before their parents:
//!
//! 0. service networks and the cluster VPC's associations (whole-cluster runs only): our
//!    associations that must go, missing service networks we manage, associations and their
//!    security groups;
//! 1. target groups: create missing ones, update health checks, sync tags;
//! 2. targets: register missing ones, deregister stale ones (at most 100 per call);
//! 3. services: create missing ones, update certificates, sync tags;
//! 4. service-network associations: create missing ones, delete ours that are not desired;
//! 5. per service, listeners: delete ours that are not desired (or whose protocol changed),
//!    create missing ones, update default actions;
//! 6. per listener, rules: delete ours that are not desired, move priorities and actions in
//!    batches, create new rules at their final priorities;
//! 7. IAM auth policies and access log subscriptions of services and service networks (see
//!    `policies`);
//! 8. services we own that are no longer desired: their associations, then the service;
//! 9. target groups we own that are no longer desired and no longer referenced: their
//!    remaining targets are deregistered, then the target group is deleted (one still used by
//!    a service this run does not manage only loses its targets);
//! 10. service networks we own that nothing asks for or uses any more (whole-cluster runs);
//! 11. the fingerprint tags of the services and target groups whose subtree changed (see
//!     `fingerprints`), last, so that they vouch only for what was done.
//!
//! A service we own whose custom domain name must change is replaced in step 3: its
//! associations and the service are deleted, then it is created again like a missing one.
//! Target groups are matched by name, or else adopted by identity tags and configuration
//! whatever their name (see `adopt`), so that those the existing controller created are kept.
//!
//! Resources without our `ManagedBy` tag are never modified or deleted; each change we would
//! have made to one is recorded as a [`Refusal`] instead.

pub mod action;
mod action_networks;
mod adopt;
mod common;
pub mod fingerprints;
mod listeners;
pub mod memory;
mod networks;
pub mod owners;
mod policies;
mod rules;
mod services;
mod settle;
mod takeover;
mod target_groups;
pub mod valve;

#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_owners;
#[cfg(test)]
mod tests_prop;
#[cfg(test)]
mod tests_replace;
#[cfg(test)]
mod tests_valve;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

pub use action::Action;
pub(crate) use adopt::counterpart;

use crate::fingerprint::Fingerprints;
use crate::lattice::{DesiredState, OwnerKey};
use crate::observed::ObservedState;

use common::Planner;

/// Which desired resources a run plans, and which observed resources it may garbage-collect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Everything: every desired resource is planned, and every owned service or target group
    /// that is not desired is deleted.
    All,
    /// Only the resources built for these owners: desired resources whose `owner` is in the
    /// set, and owned observed resources whose identity tags name an owner in the set.
    Owners(BTreeSet<OwnerKey>),
    /// Everything except the resources of these owners: neither planned nor garbage-collected.
    /// Used for objects that exist in the cluster but could not be read, so that what they own
    /// is not deleted by mistake.
    Except(BTreeSet<OwnerKey>),
}

impl Scope {
    /// Whether a desired resource built for `owner` is planned.
    pub fn includes(&self, owner: Option<&OwnerKey>) -> bool {
        match self {
            Self::All => true,
            Self::Owners(owners) => owner.is_some_and(|o| owners.contains(o)),
            Self::Except(protected) => owner.is_none_or(|o| !protected.contains(o)),
        }
    }

    /// Whether an observed service or target group with these tags belongs to the scope (its
    /// owner is derived from the route tags of services and the identity tags of target groups).
    pub fn covers(&self, tags: &crate::names::Tags) -> bool {
        common::collectable(self, common::service_owner(tags).or_else(|| common::target_group_owner(tags)))
    }
}

/// A change the plan would have made but did not, with the reason.
///
/// `resource` is a path such as `servicenetwork/<name>`,
/// `servicenetwork/<name>/vpc-association/<vpc>`, `service/<name>`, `service/<name>/listener/<port>`,
/// `service/<name>/listener/<port>/rule/<name>`, `service/<name>/association/<network>` or
/// `targetgroup/<name>`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    /// The resource that was left alone.
    pub resource: String,
    /// Why it was left alone.
    pub reason: String,
}

/// The ordered actions of one run, and the changes it refused to make.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// Lattice calls, in the order they must be made.
    pub actions: Vec<Action>,
    /// Changes left out because the resource is not ours or cannot change in place.
    pub refused: Vec<Refusal>,
}

impl Plan {
    /// Whether the plan makes no call (refusals may still be present).
    pub fn is_noop(&self) -> bool {
        self.actions.is_empty()
    }
}

/// Computes the Lattice calls that turn `observed` into `desired` within `scope`, touching only
/// resources whose `application-networking.k8s.aws/ManagedBy` tag equals `managed_by`.
///
/// Pure: the same inputs always give the same plan, and a steady state gives an empty one.
pub fn plan(desired: &DesiredState, observed: &ObservedState, scope: &Scope, managed_by: &str) -> Plan {
    plan_with(desired, observed, scope, managed_by, &Fingerprints::of(desired))
}

/// [`plan`] with the fingerprints of `desired` already computed (`prints`, which must be
/// [`Fingerprints::of`] `desired`, or reuse it).
pub fn plan_with(
    desired: &DesiredState,
    observed: &ObservedState,
    scope: &Scope,
    managed_by: &str,
    prints: &Fingerprints,
) -> Plan {
    let (desired, observed, waiting) = settle::in_progress(desired, observed);
    let (observed, takeovers) = takeover::retag(&desired, &observed, scope, managed_by);
    let observed = adopt::rename(&desired, &observed, scope, managed_by);
    let desired: &DesiredState = &desired;
    let mut p = Planner::new(&observed, scope, managed_by);
    for action in takeovers {
        p.push(action);
    }
    networks::plan_vpc_disassociations(&mut p, &desired.service_networks);
    networks::plan_networks(&mut p, &desired.service_networks);
    networks::plan_vpc_associations(&mut p, &desired.service_networks);
    target_groups::plan_target_groups(&mut p, &desired.target_groups);
    let services = services::select(&mut p, &desired.services);
    services::plan_attributes(&mut p, &services);
    services::plan_associations(&mut p, &services);
    for service in &services {
        listeners::plan_listeners(&mut p, service);
    }
    policies::plan_auth(&mut p, desired);
    policies::plan_access_logs(&mut p, desired);
    services::plan_deletions(&mut p, &desired.services);
    p.keep_unaccounted_references();
    target_groups::plan_deletions(&mut p, &desired.target_groups);
    networks::plan_network_deletions(&mut p, desired);
    fingerprints::plan_fingerprints(&mut p, desired, prints);
    let mut plan = p.finish();
    plan.refused.extend(waiting);
    plan
}
