//! Service networks we create (`DEFAULT_SERVICE_NETWORK`, ServiceNetwork objects) and the
//! associations of the cluster's VPC with service networks.
//!
//! These steps run only when the whole cluster is planned (not for one route). In plan order:
//! our associations that must go are deleted (`associateWithVpc: false`, creations that failed);
//! missing service networks are created, untagged ones adopted, ours retagged; associations are
//! created or get their security groups; and, last, service networks we own that nothing asks for
//! any more are deleted when nothing uses them. Service networks of other owners, and shared ones
//! (another account), are only read; associations we do not own are never changed.

use std::collections::BTreeSet;

use crate::lattice::{DesiredState, ServiceNetworkSpec, VpcAssociationSpec};
use crate::names::{TAG_MANAGED_BY, TAG_VPC_ASSOCIATION_POLICY, managed_by_account, managed_by_vpc};
use crate::networks::{NetworkMatch, associations_of_vpc, find, is_shared, vpc_associations};
use crate::observed::{ObservedServiceNetwork, ObservedVpcAssociation};

use super::Scope;
use super::action::{
    Action, CreateServiceNetwork, CreateServiceNetworkVpcAssociation, ServiceNetworkRef, TagResource,
    UpdateServiceNetworkVpcAssociation, VpcAssociationRef,
};
use super::common::Planner;

const DELETING: &str = "DELETE_IN_PROGRESS";
const CREATE_FAILED: &str = "CREATE_FAILED";

/// What the service network steps decided that later steps need.
#[derive(Debug, Default)]
pub(super) struct Notes {
    /// Names of the service networks this plan creates.
    pub(super) created: BTreeSet<String>,
    /// Ids of the associations this plan deletes.
    deleted: BTreeSet<String>,
    /// The service network this plan associates the cluster's VPC with.
    claimed: Option<String>,
}

fn label(name: &str) -> String {
    format!("servicenetwork/{name}")
}

fn association_label(name: &str, vpc: &str) -> String {
    format!("servicenetwork/{name}/vpc-association/{vpc}")
}

/// Whether service networks and VPC associations are planned in `scope`: not for a run scoped
/// to some routes.
fn planned(scope: &Scope) -> bool {
    !matches!(scope, Scope::Owners(_))
}

impl Planner<'_> {
    fn aws_account(&self) -> &str {
        managed_by_account(self.managed_by())
    }

    /// How an association or action names the service network `name_or_id`: by id (by ARN when
    /// shared), by name when this plan creates it; `None` when it does not resolve.
    pub(super) fn network_identifier(&self, name_or_id: &str) -> Option<String> {
        match find(self.observed, name_or_id, self.aws_account()) {
            NetworkMatch::One(sn) if is_shared(sn, self.aws_account()) => Some(sn.arn.clone()),
            NetworkMatch::One(sn) => Some(sn.id.clone()),
            NetworkMatch::Missing if self.networks.created.contains(name_or_id) => Some(name_or_id.to_owned()),
            _ => None,
        }
    }
}

/// Deletes our associations of the cluster's VPC that must go: those a policy turned off, and
/// failed creations (created again by a later run).
pub(super) fn plan_vpc_disassociations(p: &mut Planner<'_>, desired: &[ServiceNetworkSpec]) {
    if !planned(p.scope()) {
        return;
    }
    let observed = p.observed;
    let vpc = managed_by_vpc(p.managed_by());
    for spec in desired {
        let Some(want) = &spec.vpc_association else { continue };
        let Some(sn) = find(observed, &spec.name, p.aws_account()).one() else { continue };
        for existing in vpc_associations(sn, vpc).filter(|a| a.status != DELETING) {
            let failed = existing.status == CREATE_FAILED;
            if want.associate && !failed {
                continue;
            }
            if p.owns(&existing.tags) {
                delete_association(p, existing);
            } else if !want.associate {
                p.refuse_foreign(association_label(&spec.name, vpc));
            }
        }
    }
    // Associations made for a VpcAssociationPolicy that no longer exists.
    if matches!(p.scope(), Scope::All) {
        for (sn, existing) in associations_of_vpc(observed, vpc) {
            let wanted = desired.iter().any(|s| {
                s.vpc_association.is_some()
                    && find(observed, &s.name, p.aws_account()).one().is_some_and(|n| n.id == sn.id)
            });
            if !wanted
                && existing.status != DELETING
                && existing.tags.contains_key(TAG_VPC_ASSOCIATION_POLICY)
                && p.owns(&existing.tags)
            {
                delete_association(p, existing);
            }
        }
    }
}

fn delete_association(p: &mut Planner<'_>, existing: &ObservedVpcAssociation) {
    if p.networks.deleted.insert(existing.id.clone()) {
        p.push(Action::DeleteServiceNetworkVpcAssociation(VpcAssociationRef {
            service_network_vpc_association_identifier: existing.id.clone(),
        }));
    }
}

/// Creates the service networks we manage that are missing, adopts untagged ones when asked,
/// and brings the tags of ours up to date.
pub(super) fn plan_networks(p: &mut Planner<'_>, desired: &[ServiceNetworkSpec]) {
    if !planned(p.scope()) {
        return;
    }
    for spec in desired {
        let Some(tags) = &spec.tags else { continue };
        match find(p.observed, &spec.name, p.aws_account()) {
            NetworkMatch::Missing => {
                if p.networks.created.insert(spec.name.clone()) {
                    p.push(Action::CreateServiceNetwork(CreateServiceNetwork {
                        name: spec.name.clone(),
                        tags: tags.clone(),
                    }));
                }
            }
            NetworkMatch::Ambiguous(_) => {
                p.refuse(label(&spec.name), "several service networks carry this name; none is managed")
            }
            NetworkMatch::One(sn) if is_shared(sn, p.aws_account()) => {
                if spec.adopt {
                    let reason = format!(
                        "shared from account {}; it cannot be managed here",
                        crate::names::arn_account(&sn.arn)
                    );
                    p.refuse(label(&spec.name), reason);
                }
            }
            NetworkMatch::One(sn) if p.owns(&sn.tags) => p.retag(&sn.arn, &sn.tags, tags),
            NetworkMatch::One(sn) if spec.adopt && !sn.tags.contains_key(TAG_MANAGED_BY) => {
                p.push(Action::TagResource(TagResource { resource_arn: sn.arn.clone(), tags: tags.clone() }));
            }
            NetworkMatch::One(_) if spec.adopt => p.refuse_foreign(label(&spec.name)),
            NetworkMatch::One(_) => {}
        }
    }
}

/// Creates the associations of the cluster's VPC that are missing and sets the security groups
/// and tags of ours. A VPC is associated with one service network at a time.
pub(super) fn plan_vpc_associations(p: &mut Planner<'_>, desired: &[ServiceNetworkSpec]) {
    if !planned(p.scope()) {
        return;
    }
    for spec in desired {
        let Some(want) = spec.vpc_association.as_ref().filter(|w| w.associate) else { continue };
        let found = find(p.observed, &spec.name, p.aws_account());
        match found {
            NetworkMatch::Ambiguous(_) => p.refuse(
                association_label(&spec.name, &want.vpc_identifier),
                "several service networks carry this name",
            ),
            NetworkMatch::Missing if !p.networks.created.contains(&spec.name) => {
                p.refuse(association_label(&spec.name, &want.vpc_identifier), "the service network does not exist")
            }
            NetworkMatch::Missing => create_association(p, spec, want, None),
            NetworkMatch::One(sn) => {
                let existing: Vec<&ObservedVpcAssociation> = vpc_associations(sn, &want.vpc_identifier)
                    .filter(|a| !p.networks.deleted.contains(&a.id))
                    .collect();
                match existing.as_slice() {
                    [] => create_association(p, spec, want, Some(sn)),
                    [a, ..] if a.status == DELETING => p.refuse(
                        association_label(&spec.name, &want.vpc_identifier),
                        "the association is still being deleted; it is created again on a later run",
                    ),
                    [a, ..] => update_association(p, spec, want, a),
                }
            }
        }
    }
}

fn create_association(
    p: &mut Planner<'_>,
    spec: &ServiceNetworkSpec,
    want: &VpcAssociationSpec,
    sn: Option<&ObservedServiceNetwork>,
) {
    let resource = association_label(&spec.name, &want.vpc_identifier);
    if let Some(other) = &p.networks.claimed {
        let reason = format!(
            "this plan associates the VPC with service network {other}; a VPC is associated with one service network"
        );
        p.refuse(resource, reason);
        return;
    }
    let observed = p.observed;
    let elsewhere = associations_of_vpc(observed, &want.vpc_identifier)
        .find(|(other, a)| sn.is_none_or(|sn| sn.id != other.id) && !p.networks.deleted.contains(&a.id));
    if let Some((other, a)) = elsewhere {
        let reason = format!(
            "the VPC is associated with service network {} ({}); a VPC is associated with one service network",
            other.name, a.id
        );
        p.refuse(resource, reason);
        return;
    }
    let Some(identifier) = p.network_identifier(&spec.name) else { return };
    p.networks.claimed = Some(spec.name.clone());
    let mut security_group_ids = want.security_group_ids.clone().unwrap_or_default();
    security_group_ids.sort();
    p.push(Action::CreateServiceNetworkVpcAssociation(CreateServiceNetworkVpcAssociation {
        service_network_identifier: identifier,
        vpc_identifier: want.vpc_identifier.clone(),
        security_group_ids,
        tags: want.tags.clone(),
    }));
}

fn update_association(
    p: &mut Planner<'_>,
    spec: &ServiceNetworkSpec,
    want: &VpcAssociationSpec,
    a: &ObservedVpcAssociation,
) {
    let resource = association_label(&spec.name, &want.vpc_identifier);
    p.networks.claimed.get_or_insert_with(|| spec.name.clone());
    let Some(groups) = &want.security_group_ids else {
        if p.owns(&a.tags) {
            p.retag(&a.arn, &a.tags, &want.tags);
        }
        return;
    };
    if !p.owns(&a.tags) {
        let reason = format!(
            "not tagged as managed by {}; its security groups are left as they are ({} asks for {})",
            p.managed_by(),
            want.source,
            list(groups)
        );
        p.refuse(resource, reason);
        return;
    }
    let mut wanted = groups.clone();
    wanted.sort();
    let mut have = a.security_group_ids.clone().unwrap_or_default();
    have.sort();
    if wanted != have {
        if wanted.is_empty() {
            let reason = format!(
                "VPC Lattice cannot remove every security group from an association: it keeps {}; set associateWithVpc to false, then back to true, to recreate it without any",
                list(&have)
            );
            p.refuse(resource, reason);
        } else {
            p.push(Action::UpdateServiceNetworkVpcAssociation(UpdateServiceNetworkVpcAssociation {
                service_network_vpc_association_identifier: a.id.clone(),
                security_group_ids: wanted,
            }));
        }
    }
    p.retag(&a.arn, &a.tags, &want.tags);
}

fn list(groups: &[String]) -> String {
    if groups.is_empty() { "none".to_owned() } else { groups.join(", ") }
}

/// Deletes the service networks we own that nothing asks for any more: no desired service
/// network of that name, no Gateway named after it, and no association left.
pub(super) fn plan_network_deletions(p: &mut Planner<'_>, desired: &DesiredState) {
    if !matches!(p.scope(), Scope::All) {
        return;
    }
    let observed = p.observed;
    for sn in &observed.service_networks {
        let managed = desired.service_networks.iter().any(|s| s.tags.is_some() && s.name == sn.name);
        if is_shared(sn, p.aws_account()) || !p.owns(&sn.tags) || managed {
            continue;
        }
        if let Some(gateway) = desired.gateway_names.iter().find(|name| **name == sn.name || **name == sn.id) {
            p.refuse(label(&sn.name), format!("not deleted: a Gateway is named {gateway}"));
            continue;
        }
        let services =
            observed.services.iter().filter(|s| s.associations.iter().any(|a| a.service_network_id == sn.id)).count()
                as i64;
        let services = services.max(sn.associated_services.unwrap_or(0));
        let vpcs = (sn.vpc_associations.len() as i64).max(sn.associated_vpcs.unwrap_or(0));
        if services > 0 || vpcs > 0 {
            let reason = format!(
                "not deleted: {vpcs} VPC and {services} service associations use it; it is deleted once they are gone"
            );
            p.refuse(label(&sn.name), reason);
            continue;
        }
        p.push(Action::DeleteServiceNetwork(ServiceNetworkRef { service_network_identifier: sn.id.clone() }));
    }
}

#[cfg(test)]
#[path = "networks_tests.rs"]
mod tests;
