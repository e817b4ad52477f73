//! Resolving the service network and VPC association actions, and tag changes that adopt a
//! resource without any `ManagedBy` tag.

use model::names::{TAG_MANAGED_BY, Tags, arn_account, managed_by_account};
use model::observed::{ObservedServiceNetwork, ObservedState, ObservedVpcAssociation};
use model::plan::Action;

use super::{Resolver, Unresolved};

/// The association with this id or ARN, with its service network.
pub(super) fn vpc_association<'a>(
    observed: &'a ObservedState,
    identifier: &str,
) -> Option<(&'a ObservedServiceNetwork, &'a ObservedVpcAssociation)> {
    observed
        .service_networks
        .iter()
        .find_map(|sn| sn.vpc_associations.iter().find(|a| a.id == identifier || a.arn == identifier).map(|a| (sn, a)))
}

impl Resolver<'_> {
    /// Replaces the identifiers of a service network or VPC association action with ids (the ARN
    /// for a service network shared from another account).
    pub(super) fn resolve_network(&self, action: &mut Action) -> Result<(), Unresolved> {
        match action {
            Action::DeleteServiceNetwork(req) => {
                let identifier = &req.service_network_identifier;
                let sn = self
                    .observed
                    .service_network(identifier)
                    .ok_or_else(|| Unresolved::Skip(format!("service network {identifier} does not exist")))?;
                self.check_owned(&sn.tags, &format!("service network {}", sn.name))?;
                req.service_network_identifier = sn.id.clone();
            }
            Action::CreateServiceNetworkVpcAssociation(req) => {
                let network = &req.service_network_identifier;
                let sn = self.observed.service_network(network).ok_or_else(|| {
                    self.ledger.missing(&format!("servicenetwork/{network}"), &format!("service network {network}"))
                })?;
                let shared = arn_account(&sn.arn) != managed_by_account(self.managed_by);
                req.service_network_identifier = if shared { sn.arn.clone() } else { sn.id.clone() };
            }
            Action::UpdateServiceNetworkVpcAssociation(req) => {
                req.service_network_vpc_association_identifier =
                    self.owned_vpc_association(&req.service_network_vpc_association_identifier)?;
            }
            Action::DeleteServiceNetworkVpcAssociation(req) => {
                req.service_network_vpc_association_identifier =
                    self.owned_vpc_association(&req.service_network_vpc_association_identifier)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn owned_vpc_association(&self, identifier: &str) -> Result<String, Unresolved> {
        let (_, a) = vpc_association(self.observed, identifier)
            .ok_or_else(|| Unresolved::Skip(format!("VPC association {identifier} does not exist")))?;
        self.check_owned(&a.tags, &format!("VPC association {}", a.id))?;
        Ok(a.id.clone())
    }

    /// Whether tagging the resource with `tags` is allowed: it is ours, or it carries no
    /// `ManagedBy` tag at all and the call makes it ours (adoption).
    pub(super) fn may_tag(&self, current: &Tags, what: &str, tags: &Tags) -> Result<(), Unresolved> {
        let adopts =
            !current.contains_key(TAG_MANAGED_BY) && tags.get(TAG_MANAGED_BY).is_some_and(|v| v == self.managed_by);
        if adopts {
            return Ok(());
        }
        self.check_owned(current, what)
    }
}
