//! Target groups that ServiceImports name and that are not in our inventory: those exported by
//! other clusters (found through their tags, a few `GetResources` calls for all imports), and
//! external ones named by ARN (one `GetTargetGroup` each). They are read for forwarding only:
//! their targets are not listed.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_resourcegroupstagging::types::TagFilter;
use model::imports::{ImportQueries, SOURCE_SERVICE_EXPORT};
use model::names::{TAG_SERVICE_NAME, TAG_SERVICE_NAMESPACE, TAG_SOURCE_TYPE, Tags};
use model::observed::ObservedTargetGroup;

use super::PAGE_SIZE;
use super::target_groups::Read;
use crate::client::Lattice;
use crate::error::Error;

/// Resource type filter of the tagging API for target groups.
const TARGET_GROUP_TYPE: &str = "vpc-lattice:targetgroup";
/// Most values one tag filter of `GetResources` takes.
const VALUES_PER_FILTER: usize = 20;

impl Lattice {
    /// The target groups `queries` name, except those whose ARN is `known` (read already, by
    /// [`Lattice::observe`]): exported ones (of any cluster) with their tags, external ones
    /// without. An external target group that does not exist, or that this account may not read,
    /// is left out; any other failure fails the read.
    pub async fn observe_imports(
        &self,
        known: &BTreeSet<String>,
        queries: &ImportQueries,
    ) -> Result<Vec<ObservedTargetGroup>, Error> {
        let mut wanted: BTreeMap<String, Tags> = BTreeMap::new();
        for (arn, tags) in self.exported(queries).await? {
            wanted.insert(arn, tags);
        }
        for arn in &queries.external {
            wanted.entry(arn.clone()).or_default();
        }
        wanted.retain(|arn, _| !known.contains(arn));
        let read = self
            .bounded(wanted.into_iter().collect(), |(arn, tags)| {
                let this = self.clone();
                async move {
                    match this.target_group(arn, tags, Read::Foreign).await {
                        Err(Error::GetTargetGroup { source, .. })
                            if matches!(*source, aws_sdk_vpclattice::Error::AccessDeniedException(_)) =>
                        {
                            Ok(None)
                        }
                        other => other,
                    }
                }
            })
            .await;
        let mut groups = Vec::new();
        for group in read {
            groups.extend(group?);
        }
        groups.sort_by(|a, b| a.id.cmp(&b.id));
        groups.dedup_by(|a, b| a.id == b.id);
        Ok(groups)
    }

    /// ARNs and tags of the exported target groups `queries` name, by tag: `SourceTypeKey =
    /// ServiceExport` and the names and namespaces asked for (20 names per call).
    async fn exported(&self, queries: &ImportQueries) -> Result<Vec<(String, Tags)>, Error> {
        let names: BTreeSet<&str> = queries.exports.iter().map(|(_, name)| name.as_str()).collect();
        let names: Vec<&str> = names.into_iter().collect();
        let mut found = Vec::new();
        for chunk in names.chunks(VALUES_PER_FILTER) {
            let namespaces: BTreeSet<&str> = queries
                .exports
                .iter()
                .filter(|(_, name)| chunk.contains(&name.as_str()))
                .map(|(ns, _)| ns.as_str())
                .collect();
            let filter = |key: &str, values: Vec<&str>| {
                TagFilter::builder().key(key).set_values(Some(values.into_iter().map(str::to_owned).collect())).build()
            };
            let fail = |source| Error::GetExportedTargetGroups { names: chunk.join(", "), source };
            let mut request = self
                .inner
                .tagging
                .get_resources()
                .tag_filters(filter(TAG_SOURCE_TYPE, vec![SOURCE_SERVICE_EXPORT]))
                .tag_filters(filter(TAG_SERVICE_NAME, chunk.to_vec()))
                .resource_type_filters(TARGET_GROUP_TYPE)
                .resources_per_page(PAGE_SIZE);
            if namespaces.len() <= VALUES_PER_FILTER {
                request = request.tag_filters(filter(TAG_SERVICE_NAMESPACE, namespaces.into_iter().collect()));
            }
            let mut pages = request.into_paginator().send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| fail(Box::new(e.into())))?;
                for mapping in page.resource_tag_mapping_list() {
                    let Some(arn) = mapping.resource_arn() else { continue };
                    let tags: Tags =
                        mapping.tags().iter().map(|t| (t.key().to_owned(), t.value().to_owned())).collect();
                    let key = (
                        tags.get(TAG_SERVICE_NAMESPACE).cloned().unwrap_or_default(),
                        tags.get(TAG_SERVICE_NAME).cloned().unwrap_or_default(),
                    );
                    if queries.exports.contains(&key) {
                        found.push((arn.to_owned(), tags));
                    }
                }
            }
        }
        Ok(found)
    }
}
