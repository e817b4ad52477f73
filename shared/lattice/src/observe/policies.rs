//! Auth settings and access log subscriptions, read only where they can matter and never in
//! bulk per resource:
//!
//! - a service's `authType` comes with the `GetService` its full read makes anyway; a service
//!   network's takes one `GetServiceNetwork`, made only for the networks we own and only when
//!   the run covers whole networks (not for a run scoped to some routes);
//! - `GetAuthPolicy` is made only where `authType` is `AWS_IAM` (elsewhere a policy, if any,
//!   is inactive and the plan puts the desired one without reading it);
//! - our access log subscriptions are found in the tagging API's answer, which `observe` reads
//!   anyway, so only one `GetAccessLogSubscription` per subscription we own is made, for its
//!   resource and destination.

use std::sync::Arc;

use model::lattice::PolicyResourceType;
use model::observed::{ObservedAccessLogSubscription, ObservedAuth, ObservedServiceNetwork};
use model::plan::Scope;

use super::{Owned, required};
use crate::client::Lattice;
use crate::error::{self, Error, is_not_found};

impl Lattice {
    /// The auth settings of `services` (read with them) and of the service networks we own,
    /// with the policy of every resource whose `authType` is `AWS_IAM`.
    pub(super) async fn auth(
        &self,
        owned: &Owned,
        networks: &[ObservedServiceNetwork],
        services: Vec<ObservedAuth>,
    ) -> Result<Vec<ObservedAuth>, Error> {
        let whole_networks = !matches!(owned.scope, Scope::Owners(_));
        let ours: Vec<String> =
            networks.iter().filter(|sn| whole_networks && owned.contains(&sn.arn)).map(|sn| sn.id.clone()).collect();
        let read = self
            .bounded(ours, |id| {
                let this = self.clone();
                async move { this.network_auth_type(id).await }
            })
            .await;
        let mut auth = services;
        for network in read {
            auth.extend(network?);
        }
        let read = self
            .bounded(auth, |entry| {
                let this = self.clone();
                async move { this.with_policy(entry).await }
            })
            .await;
        read.into_iter().filter_map(Result::transpose).collect()
    }

    /// A service network's `authType`; `None` when it vanished meanwhile.
    async fn network_auth_type(&self, id: String) -> Result<Option<ObservedAuth>, Error> {
        match self.inner.lattice_read.get_service_network().service_network_identifier(&id).send().await {
            Ok(sn) => Ok(Some(ObservedAuth {
                resource_type: PolicyResourceType::ServiceNetwork,
                auth_type: sn.auth_type().map_or("NONE", |t| t.as_str()).to_owned(),
                resource_id: id,
                policy: None,
            })),
            Err(e) => {
                let source = error::lattice(e);
                if is_not_found(&source) {
                    return Ok(None);
                }
                Err(Error::GetServiceNetwork { service_network: id, source })
            }
        }
    }

    /// `entry` with its policy when its `authType` is `AWS_IAM`; `None` when the resource
    /// vanished meanwhile.
    async fn with_policy(&self, mut entry: ObservedAuth) -> Result<Option<ObservedAuth>, Error> {
        if !entry.is_iam() {
            return Ok(Some(entry));
        }
        match self.inner.lattice_read.get_auth_policy().resource_identifier(&entry.resource_id).send().await {
            Ok(out) => {
                entry.policy = out.policy().filter(|p| !p.is_empty()).map(str::to_owned);
                Ok(Some(entry))
            }
            Err(e) => {
                let source = error::lattice(e);
                if is_not_found(&source) {
                    return Ok(None);
                }
                Err(Error::GetAuthPolicy { resource: entry.resource_id, source })
            }
        }
    }

    /// Every access log subscription tagged as ours, with its resource and destination.
    pub(super) async fn access_log_subscriptions(
        &self,
        owned: &Arc<Owned>,
    ) -> Result<Vec<ObservedAccessLogSubscription>, Error> {
        let arns: Vec<String> = owned.access_log_subscriptions().map(str::to_owned).collect();
        let read = self
            .bounded(arns, |arn| {
                let this = self.clone();
                let owned = Arc::clone(owned);
                async move { this.access_log_subscription(arn, &owned).await }
            })
            .await;
        let mut subscriptions = Vec::new();
        for subscription in read {
            subscriptions.extend(subscription?);
        }
        Ok(subscriptions)
    }

    /// One subscription; `None` when it vanished since it was listed.
    async fn access_log_subscription(
        &self,
        arn: String,
        owned: &Owned,
    ) -> Result<Option<ObservedAccessLogSubscription>, Error> {
        const OP: &str = "GetAccessLogSubscription";
        let call = self.inner.lattice_read.get_access_log_subscription();
        let out = match call.access_log_subscription_identifier(&arn).send().await {
            Ok(out) => out,
            Err(e) => {
                let source = error::lattice(e);
                if is_not_found(&source) {
                    return Ok(None);
                }
                return Err(Error::GetAccessLogSubscription { subscription: arn, source });
            }
        };
        let id = required(Some(out.id()).filter(|id| !id.is_empty()), OP, &arn, "id")?;
        Ok(Some(ObservedAccessLogSubscription {
            id: id.to_owned(),
            resource_id: required(Some(out.resource_id()).filter(|r| !r.is_empty()), OP, id, "resourceId")?.to_owned(),
            destination_arn: required(Some(out.destination_arn()).filter(|d| !d.is_empty()), OP, id, "destinationArn")?
                .to_owned(),
            tags: owned.tags(&arn),
            arn,
        }))
    }
}
