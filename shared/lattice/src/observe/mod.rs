//! Reading the inventory: everything tagged with our `ManagedBy` in bulk through the tagging
//! API, the service networks, the services (ours in full, foreign ones only by name and tags
//! when the caller asks about their names) and our target groups with their targets.

mod associations;
mod certificates;
pub(crate) mod convert;
mod economy;
mod health;
mod imports;
mod networks;
mod policies;
mod services;
mod target_groups;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use aws_sdk_resourcegroupstagging::types::TagFilter;
use model::names::{TAG_MANAGED_BY, Tags};
use model::observed::ObservedState;
use model::plan::Scope;

use crate::client::Lattice;
use crate::error::Error;

/// Resource type filter of the tagging API for VPC Lattice.
const RESOURCE_TYPE: &str = "vpc-lattice";
/// Largest page the tagging API and the Lattice list operations serve.
const PAGE_SIZE: i32 = 100;

/// The tags of every resource we own, by ARN, and which of them the run reads in full.
#[derive(Debug)]
pub(crate) struct Owned {
    tags: BTreeMap<String, Tags>,
    scope: Scope,
}

impl Owned {
    /// Whether we own the resource with this ARN.
    fn contains(&self, arn: &str) -> bool {
        self.tags.contains_key(arn)
    }

    /// Whether we own the resource with this ARN and it belongs to an owner in scope (services
    /// by their route tags, target groups by their route or export tags).
    fn in_scope(&self, arn: &str) -> bool {
        self.tags.get(arn).is_some_and(|tags| self.scope.covers(tags))
    }

    /// The tags of the resource with this ARN when we own it, else none.
    fn tags(&self, arn: &str) -> Tags {
        self.tags.get(arn).cloned().unwrap_or_default()
    }

    /// ARNs of the target groups we own that are in scope.
    fn target_groups(&self) -> impl Iterator<Item = &str> {
        self.tags.keys().map(String::as_str).filter(|arn| arn.contains(":targetgroup/") && self.in_scope(arn))
    }

    /// ARNs of the access log subscriptions we own (their scope is their resource's, known
    /// only once they are read).
    fn access_log_subscriptions(&self) -> impl Iterator<Item = &str> {
        self.tags.keys().map(String::as_str).filter(|arn| arn.contains(":accesslogsubscription/"))
    }
}

/// A required field of a response, or the error naming it.
pub(crate) fn required<'a>(
    value: Option<&'a str>,
    operation: &'static str,
    resource: &str,
    field: &str,
) -> Result<&'a str, Error> {
    value.ok_or_else(|| Error::Malformed { operation, resource: resource.to_owned(), problem: format!("no {field}") })
}

/// The error for a response value the model cannot hold.
pub(crate) fn malformed(operation: &'static str, resource: &str, problem: String) -> Error {
    Error::Malformed { operation, resource: resource.to_owned(), problem }
}

impl Lattice {
    /// Reads the inventory relevant to resources managed by `managed_by` within `scope`.
    ///
    /// Services and target groups we own are read in full when their route (or ServiceExport)
    /// is in `scope`; with [`Scope::All`] that is all of them. `interesting_names` are service
    /// names the caller wants to know about even when someone else (or an owner out of scope)
    /// holds them, so that it can say who holds a name; such services come with their tags but
    /// without associations, listeners or rules. The same names pick the service networks of the
    /// account we do not own whose tags are read (to adopt an untagged one, or to say who owns
    /// it). Service networks come with their association counts and the associations of the VPC
    /// in `managed_by` (security groups of ours); a service network shared with the account that
    /// only such an association reveals is added. Any failed call fails the whole read.
    pub async fn observe(
        &self,
        managed_by: &str,
        scope: &Scope,
        interesting_names: &BTreeSet<String>,
    ) -> Result<ObservedState, Error> {
        let owned = Arc::new(Owned { tags: self.owned(managed_by).await?, scope: scope.clone() });
        let (service_networks, target_groups, access_log_subscriptions) = tokio::try_join!(
            self.service_networks(&owned, managed_by, interesting_names),
            self.target_groups(&owned),
            self.access_log_subscriptions(&owned),
        )?;
        let (services, service_auth) = self.services(&owned, interesting_names, &service_networks).await?;
        let auth = self.auth(&owned, &service_networks, service_auth).await?;
        Ok(ObservedState {
            service_networks,
            services,
            target_groups,
            auth,
            access_log_subscriptions,
            ..ObservedState::default()
        })
    }

    /// Every Lattice resource tagged `ManagedBy = managed_by`, with all its tags.
    async fn owned(&self, managed_by: &str) -> Result<BTreeMap<String, Tags>, Error> {
        self.owned_of(managed_by, &[RESOURCE_TYPE]).await
    }

    /// The tags of the resources of `arns` (at most 100), by ARN.
    async fn tags_by_arn(&self, arns: &[String]) -> Result<BTreeMap<String, Tags>, Error> {
        if arns.is_empty() {
            return Ok(BTreeMap::new());
        }
        let fail = |source| Error::GetResources { managed_by: format!("{} resources by ARN", arns.len()), source };
        let call = self.inner.tagging.get_resources().set_resource_arn_list(Some(arns.to_vec()));
        let page = call.send().await.map_err(|e| fail(Box::new(e.into())))?;
        Ok(mappings(page.resource_tag_mapping_list()))
    }

    /// The Lattice resources of `types` (tagging API resource types) tagged `ManagedBy =
    /// managed_by`, with all their tags.
    async fn owned_of(&self, managed_by: &str, types: &[&str]) -> Result<BTreeMap<String, Tags>, Error> {
        let fail = |source| Error::GetResources { managed_by: managed_by.to_owned(), source };
        let filter = TagFilter::builder().key(TAG_MANAGED_BY).values(managed_by).build();
        let mut pages = self
            .inner
            .tagging
            .get_resources()
            .tag_filters(filter)
            .set_resource_type_filters(Some(types.iter().map(|t| (*t).to_owned()).collect()))
            .resources_per_page(PAGE_SIZE)
            .into_paginator()
            .send();
        let mut owned = BTreeMap::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| fail(Box::new(e.into())))?;
            owned.extend(mappings(page.resource_tag_mapping_list()));
        }
        Ok(owned)
    }
}

/// The tags of a tagging API answer, by ARN.
fn mappings(list: &[aws_sdk_resourcegroupstagging::types::ResourceTagMapping]) -> BTreeMap<String, Tags> {
    list.iter()
        .filter_map(|mapping| {
            let tags = mapping.tags().iter().map(|t| (t.key().to_owned(), t.value().to_owned())).collect();
            Some((mapping.resource_arn()?.to_owned(), tags))
        })
        .collect()
}
