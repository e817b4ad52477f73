//! Service networks: every one the account sees (with the association counts of the listing),
//! the associations of the cluster's VPC, and the service networks shared with the account that
//! only such an association reveals.

use std::collections::BTreeSet;
use std::sync::Arc;

use aws_sdk_vpclattice::types::{ServiceNetworkSummary, ServiceNetworkVpcAssociationSummary};
use model::names::{Tags, arn_account, managed_by_account, managed_by_vpc};
use model::observed::{ObservedServiceNetwork, ObservedVpcAssociation};

use super::{Owned, PAGE_SIZE, required};
use crate::client::Lattice;
use crate::error::{self, Error, is_not_found};

/// Status of an association that reveals a shared service network.
const ACTIVE: &str = "ACTIVE";

fn network(item: &ServiceNetworkSummary) -> Result<ObservedServiceNetwork, Error> {
    const OP: &str = "ListServiceNetworks";
    let id = required(item.id(), OP, "service network", "id")?;
    Ok(ObservedServiceNetwork {
        id: id.to_owned(),
        arn: required(item.arn(), OP, id, "arn")?.to_owned(),
        name: required(item.name(), OP, id, "name")?.to_owned(),
        associated_vpcs: item.number_of_associated_vpcs(),
        associated_services: item.number_of_associated_services(),
        ..ObservedServiceNetwork::default()
    })
}

/// An association summary, and the service network it names.
fn association(
    item: &ServiceNetworkVpcAssociationSummary,
) -> Result<(ObservedServiceNetwork, ObservedVpcAssociation), Error> {
    const OP: &str = "ListServiceNetworkVpcAssociations";
    let id = required(item.id(), OP, "association", "id")?;
    let network_id = required(item.service_network_id(), OP, id, "serviceNetworkId")?;
    let sn = ObservedServiceNetwork {
        id: network_id.to_owned(),
        arn: required(item.service_network_arn(), OP, id, "serviceNetworkArn")?.to_owned(),
        name: required(item.service_network_name(), OP, id, "serviceNetworkName")?.to_owned(),
        ..ObservedServiceNetwork::default()
    };
    let a = ObservedVpcAssociation {
        id: id.to_owned(),
        arn: required(item.arn(), OP, id, "arn")?.to_owned(),
        status: item.status().map_or("", |s| s.as_str()).to_owned(),
        vpc_id: required(item.vpc_id(), OP, id, "vpcId")?.to_owned(),
        security_group_ids: None,
        tags: Tags::new(),
    };
    Ok((sn, a))
}

impl Lattice {
    /// Every service network the account sees, with tags when we own it or its name is in
    /// `interesting`, and with the associations of our VPC.
    pub(super) async fn service_networks(
        &self,
        owned: &Arc<Owned>,
        managed_by: &str,
        interesting: &BTreeSet<String>,
    ) -> Result<Vec<ObservedServiceNetwork>, Error> {
        let vpc = managed_by_vpc(managed_by);
        let account = managed_by_account(managed_by);
        let (listed, associations) = tokio::try_join!(self.list_service_networks(), self.list_vpc_associations(vpc))?;
        let mut networks = Vec::new();
        for item in &listed {
            let mut sn = network(item)?;
            sn.tags = owned.tags(&sn.arn);
            networks.push(sn);
        }
        let asked: Vec<(usize, String)> = networks
            .iter()
            .enumerate()
            .filter(|(_, sn)| {
                !owned.contains(&sn.arn) && arn_account(&sn.arn) == account && interesting.contains(&sn.name)
            })
            .map(|(i, sn)| (i, sn.arn.clone()))
            .collect();
        let read = self
            .bounded(asked, |(i, arn)| {
                let this = self.clone();
                async move { (i, this.foreign_tags(arn).await) }
            })
            .await;
        let mut vanished = BTreeSet::new();
        for (i, tags) in read {
            match tags? {
                Some(tags) => networks[i].tags = tags,
                None => {
                    vanished.insert(i);
                }
            }
        }
        let mut networks: Vec<ObservedServiceNetwork> =
            networks.into_iter().enumerate().filter(|(i, _)| !vanished.contains(i)).map(|(_, sn)| sn).collect();
        let ours: Vec<ServiceNetworkVpcAssociationSummary> =
            associations.iter().filter(|a| a.arn().is_some_and(|arn| owned.contains(arn))).cloned().collect();
        let groups = self
            .bounded(ours, |a| {
                let this = self.clone();
                async move { this.security_groups(a.id().unwrap_or_default().to_owned()).await }
            })
            .await;
        let mut groups = groups.into_iter();
        for item in &associations {
            let (shared, mut a) = association(item)?;
            a.tags = owned.tags(&a.arn);
            if owned.contains(&a.arn) {
                match groups.next().transpose()? {
                    Some(Some((status, ids))) => {
                        a.status = status;
                        a.security_group_ids = Some(ids);
                    }
                    // Deleted since it was listed.
                    _ => continue,
                }
            }
            match networks.iter_mut().find(|sn| sn.id == shared.id) {
                Some(sn) => sn.vpc_associations.push(a),
                None if a.status == ACTIVE => {
                    networks.push(ObservedServiceNetwork { vpc_associations: vec![a], ..shared })
                }
                None => {}
            }
        }
        Ok(networks)
    }

    async fn list_service_networks(&self) -> Result<Vec<ServiceNetworkSummary>, Error> {
        self.inner
            .lattice_read
            .list_service_networks()
            .max_results(PAGE_SIZE)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| Error::ListServiceNetworks { source: error::lattice(e) })
    }

    async fn list_vpc_associations(&self, vpc: &str) -> Result<Vec<ServiceNetworkVpcAssociationSummary>, Error> {
        self.inner
            .lattice_read
            .list_service_network_vpc_associations()
            .vpc_identifier(vpc)
            .max_results(PAGE_SIZE)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| Error::ListServiceNetworkVpcAssociations { vpc: vpc.to_owned(), source: error::lattice(e) })
    }

    /// The tags of a resource we do not own; `None` when it vanished meanwhile.
    pub(super) async fn foreign_tags(&self, arn: String) -> Result<Option<Tags>, Error> {
        match self.inner.lattice_read.list_tags_for_resource().resource_arn(&arn).send().await {
            Ok(out) => Ok(Some(
                out.tags().map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default(),
            )),
            Err(e) => {
                let source = error::lattice(e);
                if is_not_found(&source) {
                    return Ok(None);
                }
                Err(Error::ListTagsForResource { arn, source })
            }
        }
    }

    /// The status and security groups of one of our associations; `None` when it vanished.
    async fn security_groups(&self, id: String) -> Result<Option<(String, Vec<String>)>, Error> {
        let call = self.inner.lattice_read.get_service_network_vpc_association();
        match call.service_network_vpc_association_identifier(&id).send().await {
            Ok(out) => {
                let mut ids = out.security_group_ids().to_vec();
                ids.sort();
                Ok(Some((out.status().map_or("", |s| s.as_str()).to_owned(), ids)))
            }
            Err(e) => {
                let source = error::lattice(e);
                if is_not_found(&source) {
                    return Ok(None);
                }
                Err(Error::GetServiceNetworkVpcAssociation { association: id, source })
            }
        }
    }
}
