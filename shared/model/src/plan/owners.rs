//! Whose work a list of actions is: the owners (routes, exported Services) of the services and
//! target groups the actions touch, so that actions a run could not apply can be handed on as
//! scoped requests. Actions on service networks and their VPC associations (and anything whose
//! owner cannot be told) belong to the whole cluster.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::Action;
use super::common::{service_owner, target_group_owner};
use crate::lattice::{DesiredState, OwnerKey, ServiceSpec, TargetGroupSpec};
use crate::observed::{ObservedAccessLogSubscription, ObservedService, ObservedState, ObservedTargetGroup};

/// The owners of a set of actions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Leftover {
    /// Owners whose services or target groups the actions touch.
    pub owners: BTreeSet<OwnerKey>,
    /// Actions that belong to no single owner (service networks, VPC associations, resources we
    /// cannot attribute): only a run of the whole cluster redoes them.
    pub unowned: usize,
}

impl Leftover {
    /// Whether no action was left.
    pub fn is_empty(&self) -> bool {
        self.owners.is_empty() && self.unowned == 0
    }
}

/// The owners of `actions`, looked up by name in `desired` (what this run was building) and by
/// name, id or ARN in `observed` (what exists, including what the run created).
pub fn leftover(actions: &[Action], desired: &DesiredState, observed: &ObservedState) -> Leftover {
    let find = Finder::new(desired, observed);
    let mut out = Leftover::default();
    for action in actions {
        match find.owner(action) {
            Some(owner) => {
                out.owners.insert(owner);
            }
            None => out.unowned += 1,
        }
    }
    out
}

/// Keys to values, the first value of a key kept (what a scan in list order would find).
type First<'a, V> = HashMap<&'a str, &'a V>;

fn first<'a, V>(items: &'a [V], keys: impl Fn(&'a V) -> Vec<&'a str>) -> First<'a, V> {
    let mut out = HashMap::with_capacity(items.len());
    for item in items {
        for key in keys(item) {
            out.entry(key).or_insert(item);
        }
    }
    out
}

/// The desired and observed resources by every key an action may name them with, built once
/// for all the actions.
struct Finder<'a> {
    desired_services: First<'a, ServiceSpec>,
    desired_groups: First<'a, TargetGroupSpec>,
    /// Observed services by name, id or ARN.
    services: First<'a, ObservedService>,
    services_by_id: First<'a, ObservedService>,
    /// Observed services by the id or ARN of one of their associations.
    by_association: First<'a, ObservedService>,
    /// Observed services by their ARN or the ARN of an association, listener or rule of theirs.
    by_arn: First<'a, ObservedService>,
    /// Observed target groups by name, id or ARN, and by ARN alone.
    groups: First<'a, ObservedTargetGroup>,
    groups_by_arn: First<'a, ObservedTargetGroup>,
    subscriptions: First<'a, ObservedAccessLogSubscription>,
}

impl<'a> Finder<'a> {
    fn new(desired: &'a DesiredState, observed: &'a ObservedState) -> Self {
        Self {
            desired_services: first(&desired.services, |s| vec![s.name.as_str()]),
            desired_groups: first(&desired.target_groups, |t| vec![t.name.as_str()]),
            services: first(&observed.services, |s| vec![s.name.as_str(), s.id.as_str(), s.arn.as_str()]),
            services_by_id: first(&observed.services, |s| vec![s.id.as_str()]),
            by_association: first(&observed.services, |s| {
                s.associations.iter().flat_map(|a| [a.id.as_str(), a.arn.as_str()]).collect()
            }),
            by_arn: first(&observed.services, |s| {
                let mut arns = vec![s.arn.as_str()];
                arns.extend(s.associations.iter().map(|a| a.arn.as_str()));
                for l in &s.listeners {
                    arns.push(l.arn.as_str());
                    arns.extend(l.rules.iter().map(|r| r.arn.as_str()));
                }
                arns
            }),
            groups: first(&observed.target_groups, |t| vec![t.name.as_str(), t.id.as_str(), t.arn.as_str()]),
            groups_by_arn: first(&observed.target_groups, |t| vec![t.arn.as_str()]),
            subscriptions: first(&observed.access_log_subscriptions, |s| vec![s.id.as_str(), s.arn.as_str()]),
        }
    }
}

impl Finder<'_> {
    fn owner(&self, action: &Action) -> Option<OwnerKey> {
        match action {
            Action::CreateService(req) => self.service(&req.name),
            Action::UpdateService(req) => self.service(&req.service_identifier),
            Action::DeleteService(req) => self.service(&req.service_identifier),
            Action::CreateServiceNetworkServiceAssociation(req) => self.service(&req.service_identifier),
            Action::DeleteServiceNetworkServiceAssociation(req) => {
                self.association(&req.service_network_service_association_identifier)
            }
            Action::CreateListener(req) => self.service(&req.service_identifier),
            Action::UpdateListener(req) => self.service(&req.service_identifier),
            Action::DeleteListener(req) => self.service(&req.service_identifier),
            Action::CreateRule(req) => self.service(&req.service_identifier),
            Action::BatchUpdateRule(req) => self.service(&req.service_identifier),
            Action::DeleteRule(req) => self.service(&req.service_identifier),
            Action::CreateTargetGroup(req) => self.target_group(&req.name),
            Action::UpdateTargetGroup(req) => self.target_group(&req.target_group_identifier),
            Action::DeleteTargetGroup(req) => self.target_group(&req.target_group_identifier),
            Action::RegisterTargets(req) | Action::DeregisterTargets(req) => {
                self.target_group(&req.target_group_identifier)
            }
            // A fingerprint write names a service or target group created by the same plan by name.
            Action::TagResource(req) if super::fingerprints::is_fingerprint(&req.tags) => {
                self.service(&req.resource_arn).or_else(|| self.target_group(&req.resource_arn))
            }
            Action::TagResource(req) => self.arn(&req.resource_arn),
            Action::UntagResource(req) => self.arn(&req.resource_arn),
            Action::PutAuthPolicy(req) => self.service(&req.resource_identifier),
            Action::DeleteAuthPolicy(req) => self.service(&req.resource_identifier),
            Action::CreateAccessLogSubscription(req) => self.service(&req.resource_identifier),
            Action::UpdateAccessLogSubscription(req) => self.subscription(&req.access_log_subscription_identifier),
            Action::DeleteAccessLogSubscription(req) => self.subscription(&req.access_log_subscription_identifier),
            Action::CreateServiceNetwork(_)
            | Action::UpdateServiceNetwork(_)
            | Action::DeleteServiceNetwork(_)
            | Action::CreateServiceNetworkVpcAssociation(_)
            | Action::UpdateServiceNetworkVpcAssociation(_)
            | Action::DeleteServiceNetworkVpcAssociation(_) => None,
        }
    }

    /// The owner of the service named, or with this id or ARN.
    fn service(&self, identifier: &str) -> Option<OwnerKey> {
        let observed = self.services.get(identifier).copied();
        let name = observed.map_or(identifier, |s| s.name.as_str());
        self.desired_services
            .get(name)
            .and_then(|s| s.owner.clone())
            .or_else(|| observed.and_then(|s| service_owner(&s.tags)))
    }

    fn association(&self, identifier: &str) -> Option<OwnerKey> {
        self.by_association.get(identifier).and_then(|s| self.service(&s.name))
    }

    fn target_group(&self, identifier: &str) -> Option<OwnerKey> {
        let observed = self.groups.get(identifier).copied();
        let name = observed.map_or(identifier, |t| t.name.as_str());
        self.desired_groups
            .get(name)
            .and_then(|t| t.owner.clone())
            .or_else(|| observed.and_then(|t| target_group_owner(&t.tags)))
    }

    fn subscription(&self, identifier: &str) -> Option<OwnerKey> {
        let subscription = self.subscriptions.get(identifier)?;
        self.services_by_id.get(subscription.resource_id.as_str()).and_then(|s| self.service(&s.name))
    }

    /// The owner of the service, listener, rule, association or target group with this ARN.
    fn arn(&self, arn: &str) -> Option<OwnerKey> {
        self.by_arn
            .get(arn)
            .and_then(|s| self.service(&s.name))
            .or_else(|| self.groups_by_arn.get(arn).and_then(|t| self.target_group(&t.name)))
    }
}
