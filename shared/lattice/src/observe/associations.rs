//! Service associations in bulk: when listing the associations of every service network costs
//! fewer calls than listing those of each service read in full, one listing per service network
//! (100 associations a page) stands in for one per service.

use std::collections::BTreeMap;

use aws_sdk_vpclattice::types::ServiceNetworkServiceAssociationSummary;
use model::observed::{ObservedAssociation, ObservedServiceNetwork};

use super::{Owned, PAGE_SIZE, required};
use crate::client::Lattice;
use crate::error::{self, Error};

/// The associations of services, by service id, as one listing per service network found them.
pub(super) type ByService = BTreeMap<String, Vec<ObservedAssociation>>;

/// An association summary as observed.
pub(super) fn observed(
    item: &ServiceNetworkServiceAssociationSummary,
    owned: &Owned,
) -> Result<ObservedAssociation, Error> {
    const OP: &str = "ListServiceNetworkServiceAssociations";
    let id = required(item.id(), OP, "association", "id")?;
    let arn = required(item.arn(), OP, id, "arn")?;
    Ok(ObservedAssociation {
        id: id.to_owned(),
        arn: arn.to_owned(),
        service_network_id: required(item.service_network_id(), OP, id, "serviceNetworkId")?.to_owned(),
        service_network_name: item.service_network_name().unwrap_or_default().to_owned(),
        status: item.status().map_or("", |s| s.as_str()).to_owned(),
        tags: owned.tags(arn),
    })
}

/// Calls listing the associations of every service network in `networks` take at least: one
/// page per 100 associations as the listing counted them, and one for a network whose count is
/// zero or unknown (a count may lag an association made a moment ago, so every network is listed).
pub(super) fn calls_by_network(networks: &[ObservedServiceNetwork]) -> usize {
    let page = usize::try_from(PAGE_SIZE).unwrap_or(1);
    networks
        .iter()
        .map(|sn| sn.associated_services.and_then(|n| usize::try_from(n).ok()).unwrap_or(0).div_ceil(page).max(1))
        .sum()
}

impl Lattice {
    /// The associations of every service network in `networks`, by service id.
    pub(super) async fn associations_by_network(
        &self,
        networks: &[ObservedServiceNetwork],
        owned: &Owned,
    ) -> Result<ByService, Error> {
        let ids: Vec<String> = networks.iter().map(|sn| sn.id.clone()).collect();
        let listed = self
            .bounded(ids, |network| {
                let this = self.clone();
                async move {
                    let items = this
                        .inner
                        .lattice_read
                        .list_service_network_service_associations()
                        .service_network_identifier(&network)
                        .max_results(PAGE_SIZE)
                        .into_paginator()
                        .items()
                        .send()
                        .collect::<Result<Vec<_>, _>>()
                        .await;
                    items.map_err(|e| Error::ListNetworkServiceAssociations {
                        service_network: network,
                        source: error::lattice(e),
                    })
                }
            })
            .await;
        let mut by_service = ByService::new();
        for items in listed {
            for item in items? {
                let association = observed(&item, owned)?;
                let service =
                    required(item.service_id(), "ListServiceNetworkServiceAssociations", &association.id, "serviceId")?;
                by_service.entry(service.to_owned()).or_default().push(association);
            }
        }
        Ok(by_service)
    }
}
