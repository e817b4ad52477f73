//! The inventory after a service network or VPC association call succeeded.

use model::names::Tags;
use model::observed::{ObservedServiceNetwork, ObservedState, ObservedVpcAssociation};
use model::plan::Action;

use super::Answer;

/// Applies a resolved service network or VPC association action and its answer to `observed`.
pub(super) fn record(action: &Action, answer: Answer, observed: &mut ObservedState) {
    match action {
        Action::DeleteServiceNetwork(req) => {
            observed.service_networks.retain(|sn| sn.id != req.service_network_identifier)
        }
        Action::CreateServiceNetworkVpcAssociation(req) => {
            let network = &req.service_network_identifier;
            if let Some(sn) = observed.service_networks.iter_mut().find(|sn| sn.id == *network || sn.arn == *network) {
                sn.vpc_associations.push(ObservedVpcAssociation {
                    id: answer.id,
                    arn: answer.arn,
                    status: answer.status.unwrap_or_default(),
                    vpc_id: req.vpc_identifier.clone(),
                    security_group_ids: Some(req.security_group_ids.clone()),
                    tags: req.tags.clone(),
                });
            }
        }
        Action::UpdateServiceNetworkVpcAssociation(req) => {
            if let Some(a) = association_mut(observed, &req.service_network_vpc_association_identifier) {
                a.security_group_ids = Some(req.security_group_ids.clone());
                if let Some(status) = answer.status {
                    a.status = status;
                }
            }
        }
        Action::DeleteServiceNetworkVpcAssociation(req) => {
            let id = &req.service_network_vpc_association_identifier;
            for sn in &mut observed.service_networks {
                sn.vpc_associations.retain(|a| a.id != *id);
            }
        }
        _ => {}
    }
}

fn association_mut<'a>(observed: &'a mut ObservedState, id: &str) -> Option<&'a mut ObservedVpcAssociation> {
    observed.service_networks.iter_mut().flat_map(|sn| sn.vpc_associations.iter_mut()).find(|a| a.id == id)
}

/// The tags of the service network or VPC association with this ARN.
pub(super) fn tags_mut<'a>(networks: &'a mut [ObservedServiceNetwork], arn: &str) -> Option<&'a mut Tags> {
    networks.iter_mut().find_map(|sn| {
        if sn.arn == arn {
            return Some(&mut sn.tags);
        }
        sn.vpc_associations.iter_mut().find(|a| a.arn == arn).map(|a| &mut a.tags)
    })
}
