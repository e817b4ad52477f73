//! Whose work a list of actions is: the owners (routes, exported Services) of the services and
//! target groups the actions touch, so that actions a run could not apply can be handed on as
//! scoped requests. Actions on service networks and their VPC associations (and anything whose
//! owner cannot be told) belong to the whole cluster.

use std::collections::BTreeSet;

use serde::Serialize;

use super::Action;
use super::common::{service_owner, target_group_owner};
use crate::lattice::{DesiredState, OwnerKey};
use crate::observed::{ObservedService, ObservedState};

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
    let find = Finder { desired, observed };
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

struct Finder<'a> {
    desired: &'a DesiredState,
    observed: &'a ObservedState,
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
        let observed =
            self.observed.services.iter().find(|s| s.name == identifier || s.id == identifier || s.arn == identifier);
        let name = observed.map_or(identifier, |s| s.name.as_str());
        self.desired
            .services
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| s.owner.clone())
            .or_else(|| observed.and_then(|s| service_owner(&s.tags)))
    }

    fn observed_service_of(&self, matches: impl Fn(&ObservedService) -> bool) -> Option<OwnerKey> {
        self.observed.services.iter().find(|s| matches(s)).and_then(|s| self.service(&s.name))
    }

    fn association(&self, identifier: &str) -> Option<OwnerKey> {
        self.observed_service_of(|s| s.associations.iter().any(|a| a.id == identifier || a.arn == identifier))
    }

    fn target_group(&self, identifier: &str) -> Option<OwnerKey> {
        let observed = self
            .observed
            .target_groups
            .iter()
            .find(|t| t.name == identifier || t.id == identifier || t.arn == identifier);
        let name = observed.map_or(identifier, |t| t.name.as_str());
        self.desired
            .target_groups
            .iter()
            .find(|t| t.name == name)
            .and_then(|t| t.owner.clone())
            .or_else(|| observed.and_then(|t| target_group_owner(&t.tags)))
    }

    fn subscription(&self, identifier: &str) -> Option<OwnerKey> {
        let subscription =
            self.observed.access_log_subscriptions.iter().find(|s| s.id == identifier || s.arn == identifier)?;
        self.observed_service_of(|s| s.id == subscription.resource_id)
    }

    /// The owner of the service, listener, rule, association or target group with this ARN.
    fn arn(&self, arn: &str) -> Option<OwnerKey> {
        self.observed_service_of(|s| {
            s.arn == arn
                || s.associations.iter().any(|a| a.arn == arn)
                || s.listeners.iter().any(|l| l.arn == arn || l.rules.iter().any(|r| r.arn == arn))
        })
        .or_else(|| self.observed.target_groups.iter().find(|t| t.arn == arn).and_then(|t| self.target_group(&t.name)))
    }
}
