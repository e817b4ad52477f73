//! The fingerprint path of the inventory read (see `model::fingerprint`).
//!
//! One bulk tagging read of the resource types that carry what a sweep must know (services,
//! target groups, service networks, VPC associations, access log subscriptions: not listeners,
//! rules or service associations, which would multiply the pages); then, per owned resource in
//! scope:
//!
//! - a service or target group whose fingerprint tag matches its desired state (and that is not
//!   due for verification) is built from that desired state, without a call;
//! - a target group whose configuration matches but whose targets may not gets one `ListTargets`;
//! - anything else is read in full as `observe` does, plus one tagging read (by ARN, up to 100 at
//!   a time) for the tags of the service's listeners, rules and associations.
//!
//! `ListServices` is read only when some desired service is not among the services found this
//! way (a new route, or a name someone else may hold), and a DNS name of a service built from
//! its fingerprint is derived from the documented form of another service's DNS name (one
//! `GetService` when no service was read otherwise).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use model::fingerprint::Verify;
use model::fingerprint::synthesize::{self, Expected, TargetGroupMatch, id_of};
use model::lattice::PolicyResourceType;
use model::names::Tags;
use model::observed::{ObservedAuth, ObservedService, ObservedServiceNetwork, ObservedState, ObservedTargetGroup};
use model::plan::Scope;

use super::Owned;
use super::target_groups::Read;
use crate::client::Lattice;
use crate::error::Error;

/// Resource types of the bulk tagging read on the fingerprint path.
const TYPES: [&str; 5] = [
    "vpc-lattice:service",
    "vpc-lattice:targetgroup",
    "vpc-lattice:servicenetwork",
    "vpc-lattice:servicenetworkvpcassociation",
    "vpc-lattice:accesslogsubscription",
];

/// Most ARNs one tagging read by ARN takes.
const ARNS_PER_READ: usize = 100;

/// Services found on the fingerprint path.
#[derive(Default)]
struct Services {
    services: Vec<ObservedService>,
    /// `authType` of the services read in full (their policies are read next).
    read_auth: Vec<ObservedAuth>,
    /// Auth settings of the services built from their fingerprint.
    built_auth: Vec<ObservedAuth>,
    /// ARNs of the services built from their fingerprint.
    built: BTreeSet<String>,
}

/// Whether an ARN is a service's (not one of its children's).
fn is_service(arn: &str) -> bool {
    arn.split_once(":service/").is_some_and(|(_, rest)| !rest.contains('/'))
}

impl Lattice {
    /// Reads the inventory like [`Lattice::observe`], except that owned services and target
    /// groups whose fingerprint tag matches `expected` are built from it instead of read (see the
    /// module documentation). With [`Verify::Full`] this is exactly [`Lattice::observe`].
    pub async fn observe_expecting(
        &self,
        managed_by: &str,
        scope: &Scope,
        interesting: &BTreeSet<String>,
        expected: &Expected<'_>,
    ) -> Result<ObservedState, Error> {
        if expected.verify == Verify::Full {
            return self.observe(managed_by, scope, interesting).await;
        }
        let owned = Arc::new(Owned { tags: self.owned_of(managed_by, &TYPES).await?, scope: scope.clone() });
        let (service_networks, (target_groups, built_groups), access_log_subscriptions) = tokio::try_join!(
            self.service_networks(&owned, managed_by, interesting),
            self.target_groups_expecting(&owned, expected),
            self.access_log_subscriptions(&owned),
        )?;
        let found = self.services_expecting(&owned, interesting, expected, &service_networks, &target_groups).await?;
        let mut auth = self.auth(&owned, &service_networks, found.read_auth).await?;
        auth.extend(found.built_auth);
        let mut unverified = found.built;
        unverified.extend(built_groups);
        Ok(ObservedState {
            service_networks,
            services: found.services,
            target_groups,
            auth,
            access_log_subscriptions,
            unverified,
            ..ObservedState::default()
        })
    }

    /// Reads the services of `arns` in full (with their auth settings) into `observed`, in
    /// place of what was built from their fingerprint.
    pub async fn read_services_in_full(
        &self,
        managed_by: &str,
        scope: &Scope,
        arns: &[String],
        observed: &mut ObservedState,
    ) -> Result<(), Error> {
        let owned = Owned { tags: self.owned_of(managed_by, &TYPES).await?, scope: scope.clone() };
        let (read, read_auth) = self.read_services(&owned, arns.to_vec()).await?;
        let auth = self.auth(&owned, &[], read_auth).await?;
        for arn in arns {
            observed.unverified.remove(arn);
            observed.services.retain(|s| s.arn != *arn);
            let id = id_of(arn);
            observed.auth.retain(|a| a.resource_id != id);
        }
        observed.services.extend(read);
        observed.auth.extend(auth);
        Ok(())
    }

    /// Our target groups in scope: built, listed or read as their fingerprint says; and the ARNs
    /// of those built without a call.
    async fn target_groups_expecting(
        &self,
        owned: &Arc<Owned>,
        expected: &Expected<'_>,
    ) -> Result<(Vec<ObservedTargetGroup>, BTreeSet<String>), Error> {
        let mut groups = Vec::new();
        let mut built = BTreeSet::new();
        let mut to_read = Vec::new();
        for arn in owned.target_groups() {
            let tags = owned.tags(arn);
            match expected.target_group(arn, &tags) {
                Some(TargetGroupMatch::InSync(spec)) => {
                    groups.push(synthesize::target_group_of(spec, arn, tags, None));
                    built.insert(arn.to_owned());
                }
                Some(TargetGroupMatch::Targets(spec)) => to_read.push((arn.to_owned(), tags, Some(spec.clone()))),
                None => to_read.push((arn.to_owned(), tags, None)),
            }
        }
        let read = self
            .bounded(to_read, |(arn, tags, spec)| {
                let this = self.clone();
                async move {
                    match spec {
                        Some(spec) => {
                            let listed = this.targets(id_of(&arn), spec.config.port).await?;
                            Ok(Some(synthesize::target_group_of(&spec, &arn, tags, Some(listed))))
                        }
                        None => this.target_group(arn, tags, Read::Owned).await,
                    }
                }
            })
            .await;
        for group in read {
            groups.extend(group?);
        }
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        Ok((groups, built))
    }

    /// Our services in scope, built or read as their fingerprint says, and the services of
    /// `interesting` names found by `ListServices` when it is needed.
    async fn services_expecting(
        &self,
        owned: &Arc<Owned>,
        interesting: &BTreeSet<String>,
        expected: &Expected<'_>,
        networks: &[ObservedServiceNetwork],
        groups: &[ObservedTargetGroup],
    ) -> Result<Services, Error> {
        let tg_ids: BTreeMap<&str, &str> = groups.iter().map(|tg| (tg.name.as_str(), tg.id.as_str())).collect();
        let tg_id = |name: &str| tg_ids.get(name).map(|id| (*id).to_owned());
        let mut built = Vec::new();
        let mut to_read = Vec::new();
        for (arn, tags) in owned.tags.iter().filter(|(arn, _)| is_service(arn) && owned.in_scope(arn)) {
            let service = expected
                .service(arn, tags)
                .and_then(|exp| synthesize::service_of(exp, arn, tags.clone(), None, networks, &tg_id));
            match service {
                Some(service) => built.push(service),
                None => to_read.push(arn.clone()),
            }
        }
        let (mut services, read_auth) = self.read_services(owned, to_read).await?;
        let mut known: BTreeSet<String> =
            services.iter().chain(built.iter().map(|(s, _)| s)).map(|s| s.name.clone()).collect();
        let listed = if expected.services.values().any(|e| !known.contains(&e.spec.name)) {
            Some(self.list_services().await?)
        } else {
            None
        };
        let dns = self.dns_names(&built, &services, listed.as_deref()).await?;
        let mut found = Services::default();
        for (mut service, auth) in built {
            service.dns_name = dns.get(&service.arn).cloned();
            found.built.insert(service.arn.clone());
            found.built_auth.push(auth);
            found.services.push(service);
        }
        for summary in listed.into_iter().flatten() {
            if !known.insert(summary.name.clone()) {
                continue;
            }
            if owned.contains(&summary.arn) {
                let tags = owned.tags(&summary.arn);
                services.push(summary.into_service(tags));
            } else if interesting.contains(&summary.name) {
                services.extend(self.foreign_service(summary).await?);
            }
        }
        found.services.extend(services);
        found.read_auth = read_auth;
        Ok(found)
    }

    /// The services of `arns` read in full, with the tags of their children, and their `authType`.
    async fn read_services(
        &self,
        owned: &Owned,
        arns: Vec<String>,
    ) -> Result<(Vec<ObservedService>, Vec<ObservedAuth>), Error> {
        let owned = Arc::new(Owned { tags: owned.tags.clone(), scope: owned.scope.clone() });
        let read = self
            .bounded(arns, |arn| {
                let this = self.clone();
                let owned = Arc::clone(&owned);
                async move { this.owned_service_by_arn(&arn, &owned).await }
            })
            .await;
        let mut services = Vec::new();
        let mut auth = Vec::new();
        for service in read {
            let Some((service, auth_type)) = service? else { continue };
            auth.extend(auth_type.map(|auth_type| ObservedAuth {
                resource_type: PolicyResourceType::Service,
                resource_id: service.id.clone(),
                auth_type,
                policy: None,
            }));
            services.push(service);
        }
        let children: Vec<String> = services.iter().flat_map(children).collect();
        let mut tags = BTreeMap::new();
        for chunk in children.chunks(ARNS_PER_READ) {
            tags.extend(self.tags_by_arn(chunk).await?);
        }
        for service in &mut services {
            set_children_tags(service, &tags);
        }
        Ok((services, auth))
    }

    /// The DNS names of the built services: from `ListServices` when it was read, else derived
    /// from a sample service (one read in full, or one `GetService`).
    async fn dns_names(
        &self,
        built: &[(ObservedService, ObservedAuth)],
        read: &[ObservedService],
        listed: Option<&[super::services::Summary]>,
    ) -> Result<BTreeMap<String, String>, Error> {
        if let Some(listed) = listed {
            return Ok(listed.iter().filter_map(|s| Some((s.arn.clone(), s.dns_name.clone()?))).collect());
        }
        let Some((first, _)) = built.first() else { return Ok(BTreeMap::new()) };
        let sample = match read.iter().find(|s| s.dns_name.is_some()) {
            Some(s) => Some((s.name.clone(), s.id.clone(), s.dns_name.clone().unwrap_or_default())),
            None => self.get_service(&first.arn).await?.and_then(|out| {
                Some((out.name()?.to_owned(), out.id()?.to_owned(), out.dns_entry()?.domain_name()?.to_owned()))
            }),
        };
        let derived: Option<BTreeMap<String, String>> = sample.and_then(|(name, id, dns)| {
            built
                .iter()
                .map(|(s, _)| Some((s.arn.clone(), synthesize::dns_name(&s.name, &s.id, (&name, &id, &dns))?)))
                .collect()
        });
        match derived {
            Some(derived) => Ok(derived),
            None => {
                let listed = self.list_services().await?;
                Ok(listed.iter().filter_map(|s| Some((s.arn.clone(), s.dns_name.clone()?))).collect())
            }
        }
    }
}

/// ARNs of a service's associations, listeners and rules.
fn children(service: &ObservedService) -> Vec<String> {
    let associations = service.associations.iter().map(|a| a.arn.clone());
    let listeners = service
        .listeners
        .iter()
        .flat_map(|l| std::iter::once(l.arn.clone()).chain(l.rules.iter().map(|r| r.arn.clone())).collect::<Vec<_>>());
    associations.chain(listeners).collect()
}

/// Sets the tags of a service's children from `tags` (by ARN; untagged ones have none).
fn set_children_tags(service: &mut ObservedService, tags: &BTreeMap<String, Tags>) {
    let of = |arn: &str| tags.get(arn).cloned().unwrap_or_default();
    for a in &mut service.associations {
        a.tags = of(&a.arn);
    }
    for l in &mut service.listeners {
        l.tags = of(&l.arn);
        for r in &mut l.rules {
            r.tags = of(&r.arn);
        }
    }
}
