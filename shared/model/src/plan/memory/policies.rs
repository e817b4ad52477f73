//! Auth policies and access log subscriptions in the in-memory Lattice.

use crate::lattice::PolicyResourceType;
use crate::lattice::policies::DestinationType;
use crate::observed::{ObservedAccessLogSubscription, ObservedAuth};
use crate::plan::action::Action;

use super::resolve::Lattice;
use super::{MemoryError, arn};

impl Lattice<'_> {
    /// Performs an auth or access log action; `false` for any other action.
    pub(super) fn perform_policy(&mut self, action: &Action) -> Result<bool, MemoryError> {
        match action {
            Action::UpdateService(req) => {
                if let Some(auth_type) = &req.auth_type {
                    let i = self.service(&req.service_identifier)?;
                    let id = self.state.services[i].id.clone();
                    self.auth_mut(PolicyResourceType::Service, &id).auth_type.clone_from(auth_type);
                }
                Ok(false)
            }
            Action::UpdateServiceNetwork(req) => {
                let i = self.service_network(&req.service_network_identifier)?;
                let id = self.state.service_networks[i].id.clone();
                self.auth_mut(PolicyResourceType::ServiceNetwork, &id).auth_type.clone_from(&req.auth_type);
                Ok(true)
            }
            Action::PutAuthPolicy(req) => {
                let (kind, id) = self.policy_resource(&req.resource_identifier)?;
                self.auth_mut(kind, &id).policy = Some(req.policy.clone());
                Ok(true)
            }
            Action::DeleteAuthPolicy(req) => {
                let (kind, id) = self.policy_resource(&req.resource_identifier)?;
                self.auth_mut(kind, &id).policy = None;
                Ok(true)
            }
            Action::CreateAccessLogSubscription(req) => {
                let (_, resource_id) = self.policy_resource(&req.resource_identifier)?;
                let kind = DestinationType::of(&req.destination_arn);
                let clash = self
                    .state
                    .access_log_subscriptions
                    .iter()
                    .any(|a| a.resource_id == resource_id && DestinationType::of(&a.destination_arn) == kind);
                if clash {
                    let reason = "the resource already has a subscription of this destination type";
                    return Err(self.conflict("access log subscription", &req.destination_arn, reason));
                }
                let id = self.ids.next_id("als");
                self.state.access_log_subscriptions.push(ObservedAccessLogSubscription {
                    arn: arn("accesslogsubscription", &id),
                    id,
                    resource_id,
                    destination_arn: req.destination_arn.clone(),
                    tags: req.tags.clone(),
                });
                Ok(true)
            }
            Action::UpdateAccessLogSubscription(req) => {
                let i = self.subscription(&req.access_log_subscription_identifier)?;
                let seen = &self.state.access_log_subscriptions[i];
                if DestinationType::of(&seen.destination_arn) != DestinationType::of(&req.destination_arn) {
                    let reason = "the destination type cannot change";
                    return Err(self.conflict(
                        "access log subscription",
                        &req.access_log_subscription_identifier,
                        reason,
                    ));
                }
                self.state.access_log_subscriptions[i].destination_arn.clone_from(&req.destination_arn);
                Ok(true)
            }
            Action::DeleteAccessLogSubscription(req) => {
                let i = self.subscription(&req.access_log_subscription_identifier)?;
                self.state.access_log_subscriptions.remove(i);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Drops the auth settings and subscriptions of resources that no longer exist (after a
    /// `DeleteService`), as Lattice does.
    pub(super) fn forget_deleted(&mut self) {
        let state = &mut *self.state;
        let exists =
            |id: &str| state.services.iter().any(|s| s.id == id) || state.service_networks.iter().any(|sn| sn.id == id);
        let auth: Vec<_> = state.auth.drain(..).filter(|a| exists(&a.resource_id)).collect();
        let logs: Vec<_> = state.access_log_subscriptions.drain(..).filter(|a| exists(&a.resource_id)).collect();
        state.auth = auth;
        state.access_log_subscriptions = logs;
    }

    /// The kind and id of the service or service network `identifier` names (id, ARN or name;
    /// services first).
    fn policy_resource(&self, identifier: &str) -> Result<(PolicyResourceType, String), MemoryError> {
        let is_network = identifier.starts_with("sn-") || identifier.contains(":servicenetwork/");
        if !is_network && let Ok(i) = self.service(identifier) {
            return Ok((PolicyResourceType::Service, self.state.services[i].id.clone()));
        }
        let i = self.service_network(identifier)?;
        Ok((PolicyResourceType::ServiceNetwork, self.state.service_networks[i].id.clone()))
    }

    fn auth_mut(&mut self, resource_type: PolicyResourceType, id: &str) -> &mut ObservedAuth {
        self.state.auth_mut(resource_type, id)
    }

    fn subscription(&self, identifier: &str) -> Result<usize, MemoryError> {
        self.state
            .access_log_subscriptions
            .iter()
            .position(|a| a.id == identifier || a.arn == identifier)
            .ok_or_else(|| self.not_found("access log subscription", identifier))
    }
}
