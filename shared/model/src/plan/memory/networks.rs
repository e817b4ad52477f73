//! What the service network and VPC association calls do to the in-memory Lattice.
//!
//! The association counts of a service network (`numberOfAssociated*`) are kept as observed: they
//! stand for associations elsewhere that the in-memory Lattice does not model.

use crate::observed::ObservedVpcAssociation;
use crate::plan::action::{
    CreateServiceNetworkVpcAssociation, ServiceNetworkRef, UpdateServiceNetworkVpcAssociation, VpcAssociationRef,
};

use super::resolve::Lattice;
use super::{MemoryError, arn};

/// Most security groups an association takes.
const MAX_SECURITY_GROUPS: usize = 5;

impl Lattice<'_> {
    pub(super) fn delete_service_network(&mut self, req: &ServiceNetworkRef) -> Result<(), MemoryError> {
        let i = self.service_network(&req.service_network_identifier)?;
        let sn = &self.state.service_networks[i];
        let services = self.state.services.iter().any(|s| s.associations.iter().any(|a| a.service_network_id == sn.id));
        let counted = sn.associated_services.unwrap_or(0) + sn.associated_vpcs.unwrap_or(0) > 0;
        if services || counted || !sn.vpc_associations.is_empty() {
            let reason = "it has associations";
            return Err(self.conflict("service network", &req.service_network_identifier, reason));
        }
        self.state.service_networks.remove(i);
        Ok(())
    }

    pub(super) fn create_vpc_association(
        &mut self,
        req: &CreateServiceNetworkVpcAssociation,
    ) -> Result<(), MemoryError> {
        check_groups(self.op, &req.security_group_ids, 0)?;
        let i = self.service_network(&req.service_network_identifier)?;
        let taken = self
            .state
            .service_networks
            .iter()
            .flat_map(|sn| &sn.vpc_associations)
            .any(|a| a.vpc_id == req.vpc_identifier);
        if taken {
            let reason = "the VPC is already associated with a service network";
            return Err(self.conflict("VPC", &req.vpc_identifier, reason));
        }
        let id = self.ids.next_id("snva");
        self.state.service_networks[i].vpc_associations.push(ObservedVpcAssociation {
            arn: arn("servicenetworkvpcassociation", &id),
            id,
            status: "ACTIVE".to_owned(),
            vpc_id: req.vpc_identifier.clone(),
            security_group_ids: Some(req.security_group_ids.clone()),
            tags: req.tags.clone(),
        });
        Ok(())
    }

    pub(super) fn update_vpc_association(
        &mut self,
        req: &UpdateServiceNetworkVpcAssociation,
    ) -> Result<(), MemoryError> {
        check_groups(self.op, &req.security_group_ids, 1)?;
        let association = self.vpc_association_mut(&req.service_network_vpc_association_identifier)?;
        association.security_group_ids = Some(req.security_group_ids.clone());
        Ok(())
    }

    pub(super) fn delete_vpc_association(&mut self, req: &VpcAssociationRef) -> Result<(), MemoryError> {
        let id = &req.service_network_vpc_association_identifier;
        let removed = self.state.service_networks.iter_mut().any(|sn| {
            let before = sn.vpc_associations.len();
            sn.vpc_associations.retain(|a| a.id != *id && a.arn != *id);
            sn.vpc_associations.len() != before
        });
        if removed { Ok(()) } else { Err(self.not_found("service network VPC association", id)) }
    }

    fn vpc_association_mut(&mut self, identifier: &str) -> Result<&mut ObservedVpcAssociation, MemoryError> {
        let error = self.not_found("service network VPC association", identifier);
        self.state
            .service_networks
            .iter_mut()
            .flat_map(|sn| sn.vpc_associations.iter_mut())
            .find(|a| a.id == identifier || a.arn == identifier)
            .ok_or(error)
    }
}

/// Lattice takes `min` to 5 security groups.
fn check_groups(op: &'static str, groups: &[String], min: usize) -> Result<(), MemoryError> {
    if groups.len() < min {
        return Err(MemoryError::Empty { op });
    }
    if groups.len() > MAX_SECURITY_GROUPS {
        return Err(MemoryError::TooMany { op, count: groups.len(), limit: MAX_SECURITY_GROUPS });
    }
    Ok(())
}
