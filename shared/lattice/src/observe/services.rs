//! Services: ours read in full (attributes, associations, listeners, rules), foreign ones whose
//! names the caller asked about read by name and tags only.

use model::names::Tags;
use std::collections::BTreeSet;
use std::sync::Arc;

use aws_sdk_vpclattice::operation::get_service::GetServiceOutput;
use aws_sdk_vpclattice::types::ServiceSummary;
use model::lattice::PolicyResourceType;
use model::observed::{
    ObservedAssociation, ObservedAuth, ObservedListener, ObservedRule, ObservedService, ObservedServiceNetwork,
};

use super::associations::{self, ByService};
use super::{Owned, PAGE_SIZE, convert, malformed, required};
use crate::client::Lattice;
use crate::error::{self, Error, is_not_found};

/// What a service summary must carry.
pub(super) struct Summary {
    pub(super) id: String,
    pub(super) arn: String,
    pub(super) name: String,
    status: String,
    custom_domain_name: Option<String>,
    pub(super) dns_name: Option<String>,
}

impl Summary {
    /// The service as known from its summary and tags alone (no associations, listeners or rules).
    pub(super) fn into_service(self, tags: Tags) -> ObservedService {
        ObservedService {
            id: self.id,
            arn: self.arn,
            name: self.name,
            custom_domain_name: self.custom_domain_name,
            certificate_arn: None,
            dns_name: self.dns_name,
            status: self.status,
            tags,
            associations: Vec::new(),
            listeners: Vec::new(),
        }
    }

    pub(super) fn of(item: &ServiceSummary) -> Result<Self, Error> {
        const OP: &str = "ListServices";
        let id = required(item.id(), OP, "service", "id")?;
        Ok(Self {
            id: id.to_owned(),
            arn: required(item.arn(), OP, id, "arn")?.to_owned(),
            name: required(item.name(), OP, id, "name")?.to_owned(),
            status: item.status().map_or("", |s| s.as_str()).to_owned(),
            custom_domain_name: item.custom_domain_name().map(str::to_owned),
            dns_name: item.dns_entry().and_then(|d| d.domain_name()).map(str::to_owned),
        })
    }
}

impl Lattice {
    /// Our services in full, and the foreign services named in `interesting` with their tags;
    /// with the `authType` of each service read in full (its policy is read later). The
    /// associations come from one listing per service network of `networks` when that costs
    /// fewer calls than one per service.
    pub(super) async fn services(
        &self,
        owned: &Arc<Owned>,
        interesting: &BTreeSet<String>,
        networks: &[ObservedServiceNetwork],
    ) -> Result<(Vec<ObservedService>, Vec<ObservedAuth>), Error> {
        let mut wanted = Vec::new();
        for summary in self.list_services().await? {
            if owned.in_scope(&summary.arn) || interesting.contains(&summary.name) {
                wanted.push(summary);
            }
        }
        let in_full = wanted.iter().filter(|s| owned.in_scope(&s.arn)).count();
        let by_network = if associations::calls_by_network(networks) < in_full {
            Some(Arc::new(self.associations_by_network(networks, owned).await?))
        } else {
            None
        };
        let read = self
            .bounded(wanted, |summary| {
                let this = self.clone();
                let owned = Arc::clone(owned);
                let by_network = by_network.clone();
                async move {
                    if owned.in_scope(&summary.arn) {
                        this.owned_service(summary, &owned, by_network.as_deref()).await
                    } else if owned.contains(&summary.arn) {
                        let tags = owned.tags(&summary.arn);
                        Ok(Some((summary.into_service(tags), None)))
                    } else {
                        Ok(this.foreign_service(summary).await?.map(|s| (s, None)))
                    }
                }
            })
            .await;
        let mut services = Vec::new();
        let mut auth = Vec::new();
        for service in read {
            let Some((service, auth_type)) = service? else { continue };
            if let Some(auth_type) = auth_type {
                auth.push(ObservedAuth {
                    resource_type: PolicyResourceType::Service,
                    resource_id: service.id.clone(),
                    auth_type,
                    policy: None,
                });
            }
            services.push(service);
        }
        Ok((services, auth))
    }

    /// Every service of the account (`ListServices`, all pages).
    pub(super) async fn list_services(&self) -> Result<Vec<Summary>, Error> {
        let items = self
            .inner
            .lattice_read
            .list_services()
            .max_results(PAGE_SIZE)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| Error::ListServices { source: error::lattice(e) })?;
        items.iter().map(Summary::of).collect()
    }

    /// A service we do not own: its summary and tags; `None` when it vanished meanwhile.
    pub(super) async fn foreign_service(&self, summary: Summary) -> Result<Option<ObservedService>, Error> {
        let Some(tags) = self.foreign_tags(summary.arn.clone()).await? else { return Ok(None) };
        Ok(Some(summary.into_service(tags)))
    }

    /// A service we own, with everything beneath it and its `authType`; `None` when it vanished
    /// meanwhile. Its associations are those of `by_network` when given.
    async fn owned_service(
        &self,
        summary: Summary,
        owned: &Owned,
        by_network: Option<&ByService>,
    ) -> Result<Option<(ObservedService, Option<String>)>, Error> {
        let Some(service) = self.get_service(&summary.id).await? else { return Ok(None) };
        self.owned_service_beneath(summary, service, owned, by_network).await
    }

    /// `GetService`; `None` when the service does not exist.
    pub(super) async fn get_service(&self, identifier: &str) -> Result<Option<GetServiceOutput>, Error> {
        match self.inner.lattice_read.get_service().service_identifier(identifier).send().await {
            Ok(service) => Ok(Some(service)),
            Err(e) => {
                let source = error::lattice(e);
                if is_not_found(&source) {
                    return Ok(None);
                }
                Err(Error::GetService { service: identifier.to_owned(), source })
            }
        }
    }

    /// A service we own (identified by `arn`, or its id) read in full with its `authType`;
    /// `None` when it does not exist.
    pub(super) async fn owned_service_by_arn(
        &self,
        arn: &str,
        owned: &Owned,
    ) -> Result<Option<(ObservedService, Option<String>)>, Error> {
        let Some(service) = self.get_service(arn).await? else { return Ok(None) };
        const OP: &str = "GetService";
        let id = required(service.id(), OP, arn, "id")?;
        let summary = Summary {
            id: id.to_owned(),
            arn: required(service.arn(), OP, id, "arn")?.to_owned(),
            name: required(service.name(), OP, id, "name")?.to_owned(),
            status: service.status().map_or("", |s| s.as_str()).to_owned(),
            custom_domain_name: service.custom_domain_name().map(str::to_owned),
            dns_name: service.dns_entry().and_then(|d| d.domain_name()).map(str::to_owned),
        };
        self.owned_service_beneath(summary, service, owned, None).await
    }

    /// The rest of a service we own once `GetService` answered: associations (those of
    /// `by_network` when given, else listed), listeners, rules.
    async fn owned_service_beneath(
        &self,
        summary: Summary,
        service: GetServiceOutput,
        owned: &Owned,
        by_network: Option<&ByService>,
    ) -> Result<Option<(ObservedService, Option<String>)>, Error> {
        let associations = match by_network {
            Some(listed) => listed.get(&summary.id).cloned().unwrap_or_default(),
            None => match self.associations(&summary.id, owned).await? {
                Some(associations) => associations,
                None => return Ok(None),
            },
        };
        let Some(listeners) = self.listeners(&summary.id, owned).await? else {
            return Ok(None);
        };
        let auth_type = service.auth_type().map(|t| t.as_str().to_owned());
        let service = ObservedService {
            tags: owned.tags(&summary.arn),
            custom_domain_name: service.custom_domain_name().map(str::to_owned).or(summary.custom_domain_name),
            certificate_arn: service.certificate_arn().filter(|arn| !arn.is_empty()).map(str::to_owned),
            dns_name: service.dns_entry().and_then(|d| d.domain_name()).map(str::to_owned).or(summary.dns_name),
            status: service.status().map_or(summary.status, |s| s.as_str().to_owned()),
            id: summary.id,
            arn: summary.arn,
            name: summary.name,
            associations,
            listeners,
        };
        Ok(Some((service, auth_type)))
    }

    /// The associations of a service; `None` when the service vanished meanwhile.
    async fn associations(&self, service: &str, owned: &Owned) -> Result<Option<Vec<ObservedAssociation>>, Error> {
        let listed = self
            .inner
            .lattice_read
            .list_service_network_service_associations()
            .service_identifier(service)
            .max_results(PAGE_SIZE)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(error::lattice);
        let Some(items) = unless_vanished(listed, |source| Error::ListServiceNetworkServiceAssociations {
            service: service.to_owned(),
            source,
        })?
        else {
            return Ok(None);
        };
        items.iter().map(|a| associations::observed(a, owned)).collect::<Result<Vec<_>, _>>().map(Some)
    }

    /// The listeners of a service with their rules; `None` when the service vanished meanwhile.
    async fn listeners(&self, service: &str, owned: &Owned) -> Result<Option<Vec<ObservedListener>>, Error> {
        const OP: &str = "GetListener";
        let listed = self
            .inner
            .lattice_read
            .list_listeners()
            .service_identifier(service)
            .max_results(PAGE_SIZE)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(error::lattice);
        let Some(items) =
            unless_vanished(listed, |source| Error::ListListeners { service: service.to_owned(), source })?
        else {
            return Ok(None);
        };
        let mut listeners = Vec::new();
        for item in &items {
            let id = required(item.id(), "ListListeners", "listener", "id")?;
            let listener = match self
                .inner
                .lattice_read
                .get_listener()
                .service_identifier(service)
                .listener_identifier(id)
                .send()
                .await
            {
                Ok(listener) => listener,
                Err(e) => {
                    let source = error::lattice(e);
                    if is_not_found(&source) {
                        continue;
                    }
                    return Err(Error::GetListener { service: service.to_owned(), listener: id.to_owned(), source });
                }
            };
            let Some(rules) = self.rules(service, id, owned).await? else {
                continue;
            };
            let arn = required(listener.arn(), OP, id, "arn")?;
            let default_action =
                listener.default_action().ok_or_else(|| malformed(OP, id, "no defaultAction".into()))?;
            listeners.push(ObservedListener {
                id: id.to_owned(),
                arn: arn.to_owned(),
                name: required(listener.name(), OP, id, "name")?.to_owned(),
                protocol: convert::listener_protocol(listener.protocol()).map_err(|p| malformed(OP, id, p))?,
                port: listener.port().ok_or_else(|| malformed(OP, id, "no port".into()))?,
                default_action: convert::rule_action(default_action).map_err(|p| malformed(OP, id, p))?,
                tags: owned.tags(arn),
                rules,
            });
        }
        Ok(Some(listeners))
    }

    /// The non-default rules of a listener; `None` when the listener vanished meanwhile.
    async fn rules(&self, service: &str, listener: &str, owned: &Owned) -> Result<Option<Vec<ObservedRule>>, Error> {
        const OP: &str = "GetRule";
        let listed = self
            .inner
            .lattice_read
            .list_rules()
            .service_identifier(service)
            .listener_identifier(listener)
            .max_results(PAGE_SIZE)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(error::lattice);
        let Some(items) = unless_vanished(listed, |source| Error::ListRules {
            service: service.to_owned(),
            listener: listener.to_owned(),
            source,
        })?
        else {
            return Ok(None);
        };
        let mut rules = Vec::new();
        for item in items.iter().filter(|r| r.is_default() != Some(true)) {
            let id = required(item.id(), "ListRules", "rule", "id")?;
            let call = self.inner.lattice_read.get_rule().service_identifier(service).listener_identifier(listener);
            let rule = match call.rule_identifier(id).send().await {
                Ok(rule) => rule,
                Err(e) => {
                    let source = error::lattice(e);
                    if is_not_found(&source) {
                        continue;
                    }
                    return Err(Error::GetRule { listener: listener.to_owned(), rule: id.to_owned(), source });
                }
            };
            let arn = required(rule.arn(), OP, id, "arn")?;
            let matcher = rule.r#match().ok_or_else(|| malformed(OP, id, "no match".into()))?;
            let action = rule.action().ok_or_else(|| malformed(OP, id, "no action".into()))?;
            rules.push(ObservedRule {
                id: id.to_owned(),
                arn: arn.to_owned(),
                name: required(rule.name(), OP, id, "name")?.to_owned(),
                priority: rule.priority().ok_or_else(|| malformed(OP, id, "no priority".into()))?,
                matcher: convert::rule_match(matcher).map_err(|p| malformed(OP, id, p))?,
                action: convert::rule_action(action).map_err(|p| malformed(OP, id, p))?,
                tags: owned.tags(arn),
            });
        }
        rules.sort_by_key(|r| r.priority);
        Ok(Some(rules))
    }
}

/// A listing of a resource's children: `None` when the parent vanished meanwhile (not found),
/// the items otherwise, or the error `fail` builds.
fn unless_vanished<T>(
    listed: Result<Vec<T>, error::LatticeError>,
    fail: impl FnOnce(error::LatticeError) -> Error,
) -> Result<Option<Vec<T>>, Error> {
    match listed {
        Ok(items) => Ok(Some(items)),
        Err(source) if is_not_found(&source) => Ok(None),
        Err(source) => Err(fail(source)),
    }
}
