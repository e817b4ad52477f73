//! Resolving auth policy and access log subscription actions: the service, service network or
//! subscription must exist and be ours.

use model::observed::ObservedServiceNetwork;
use model::plan::Action;

use super::{Resolver, Unresolved};
use crate::apply::policies::is_network;

impl<'a> Resolver<'a> {
    /// Resolves an auth or access log action in place.
    pub(super) fn resolve_policy(&self, action: &mut Action) -> Result<(), Unresolved> {
        match action {
            Action::UpdateServiceNetwork(req) => {
                req.service_network_identifier = self.owned_network(&req.service_network_identifier)?.id.clone();
            }
            Action::PutAuthPolicy(req) => req.resource_identifier = self.owned_resource(&req.resource_identifier)?,
            Action::DeleteAuthPolicy(req) => req.resource_identifier = self.owned_resource(&req.resource_identifier)?,
            Action::CreateAccessLogSubscription(req) => {
                req.resource_identifier = self.owned_resource(&req.resource_identifier)?;
            }
            Action::UpdateAccessLogSubscription(req) => {
                req.access_log_subscription_identifier =
                    self.owned_subscription(&req.access_log_subscription_identifier)?;
            }
            Action::DeleteAccessLogSubscription(req) => {
                req.access_log_subscription_identifier =
                    self.owned_subscription(&req.access_log_subscription_identifier)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn owned_network(&self, identifier: &str) -> Result<&'a ObservedServiceNetwork, Unresolved> {
        let found = self
            .observed
            .service_networks
            .iter()
            .find(|sn| sn.id == identifier || sn.arn == identifier || sn.name == identifier)
            .ok_or_else(|| {
                self.ledger.missing(&format!("servicenetwork/{identifier}"), &format!("service network {identifier}"))
            })?;
        self.check_owned(&found.tags, &format!("service network {}", found.name))?;
        Ok(found)
    }

    /// The id of the service or service network an identifier names. Plans name service
    /// networks by id and services by id or, when the same plan creates them, by name: a name
    /// is therefore always a service's.
    fn owned_resource(&self, identifier: &str) -> Result<String, Unresolved> {
        if is_network(identifier) {
            return Ok(self.owned_network(identifier)?.id.clone());
        }
        Ok(self.owned_service(identifier)?.id.clone())
    }

    fn owned_subscription(&self, identifier: &str) -> Result<String, Unresolved> {
        let found = self
            .observed
            .access_log_subscriptions
            .iter()
            .find(|a| a.id == identifier || a.arn == identifier)
            .ok_or_else(|| Unresolved::Skip(format!("access log subscription {identifier} does not exist")))?;
        self.check_owned(&found.tags, &format!("access log subscription {}", found.id))?;
        Ok(found.id.clone())
    }
}
