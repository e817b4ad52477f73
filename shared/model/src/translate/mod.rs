//! `translate`: cluster snapshot (+ the Lattice facts status depends on) → desired Lattice state
//! and the status of every object we own.

mod access_log_policy;
mod auth_policy;
mod certificates;
mod networks;
mod options;
mod policy_targets;
mod reuse;
mod service;
mod status;
pub mod target_group_policy;
#[cfg(test)]
mod tests_annotations;
#[cfg(test)]
mod tests_auth_log_policies;
#[cfg(test)]
mod tests_conformance;
#[cfg(test)]
mod tests_conformance_routes;
#[cfg(test)]
mod tests_conformance_tls;
#[cfg(test)]
mod tests_grants;
#[cfg(test)]
mod tests_imports;
#[cfg(test)]
mod tests_networks;
#[cfg(test)]
mod tests_prop;
#[cfg(test)]
mod tests_prop_hostile;
#[cfg(test)]
mod tests_reuse;
#[cfg(test)]
mod tests_scale;
#[cfg(test)]
mod tests_status;
#[cfg(test)]
mod tests_target_group_policy;
#[cfg(test)]
mod tests_translation;
#[cfg(test)]
mod tests_translation_kinds;
#[cfg(test)]
mod tests_unsupported;
mod vpc_policies;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use k8s_openapi::jiff::Timestamp;

use crate::attach::attach;
use crate::backends::Resolver;
use crate::conditions::reasons;
use crate::config::Config;
use crate::exports;
use crate::fingerprint::{self, Fingerprints};
use crate::gateway;
use crate::index::{ObservedIndex, SnapshotIndex};
use crate::lattice::{DesiredState, OwnerKey};
use crate::observed::{ObservedState, is_owned};
use crate::route;
use crate::snapshot::ClusterSnapshot;
use crate::status::StatusEntry;

pub use service::RouteOutcome;

/// The result of a translation.
#[derive(Clone, Debug)]
pub struct Translation {
    /// Desired Lattice state.
    pub desired: DesiredState,
    /// Status to write, one entry per object whose status we own.
    pub status: Vec<StatusEntry>,
    /// Routes on HTTPS listeners without a certificate, and the custom domain an ACM
    /// certificate has to be found for: the caller reads the certificates only when this is
    /// not empty (see [`crate::observed::ObservedState::certificates`]).
    pub certificate_lookups: BTreeMap<OwnerKey, String>,
    /// Routes whose existing Lattice resources must be left as they are this run (no ACM
    /// certificate found for their custom domain): the plan's scope leaves them out.
    pub held: BTreeSet<OwnerKey>,
    /// What a later translation of the same snapshot can reuse (see [`translate_after`]).
    routes: Box<reuse::Routes>,
    /// The fingerprints of [`Translation::desired`], once asked for.
    prints: Option<Fingerprints>,
    /// What they can take from the earlier translation this one took routes from.
    earlier: Option<Box<fingerprint::Earlier>>,
}

impl Translation {
    /// How many routes this translation built; the others it took from an earlier translation
    /// (see [`translate_after`]).
    pub fn routes_built(&self) -> usize {
        self.routes.rebuilt
    }

    /// The desired state and its fingerprints ([`Fingerprints::of`]), computed on the first
    /// call: a change made to [`Translation::desired`] after it is not reflected. A translation
    /// that took routes from an earlier one whose fingerprints were asked for takes the
    /// fingerprints of their services and target groups from it too.
    pub fn desired_with_fingerprints(&mut self) -> (&DesiredState, &Fingerprints) {
        if self.prints.is_none() {
            let prints = match self.earlier.take() {
                Some(earlier) => Fingerprints::of_reusing(&self.desired, *earlier),
                None => Fingerprints::of(&self.desired),
            };
            self.prints = Some(prints);
        }
        (&self.desired, self.prints.get_or_insert_default())
    }

    /// [`Translation::desired_with_fingerprints`]' fingerprints.
    pub fn fingerprints(&mut self) -> &Fingerprints {
        self.desired_with_fingerprints().1
    }
}

/// Translates a cluster snapshot.
///
/// `observed` supplies the Lattice facts status depends on (does the service network exist, is
/// a service name taken by another owner, which target group does a ServiceImport name, what
/// DNS name did Lattice assign, do an export's target groups exist); `now` stamps condition
/// transitions. ServiceExports add their target groups to the desired state (see
/// [`crate::exports`]).
pub fn translate(snapshot: &ClusterSnapshot, observed: &ObservedState, config: &Config, now: Timestamp) -> Translation {
    translate_as(snapshot, observed, config, now, Output::WithStatus, None)
}

/// [`translate`] without the status of the GatewayClasses, Gateways and routes (the status of
/// the other kinds still comes with it): for a caller that needs only the desired state, such
/// as a first look before the inventory is read.
pub fn translate_desired(
    snapshot: &ClusterSnapshot,
    observed: &ObservedState,
    config: &Config,
    now: Timestamp,
) -> Translation {
    translate_as(snapshot, observed, config, now, Output::DesiredOnly, None)
}

/// [`translate`], reusing the routes of `earlier`, a translation of the same snapshot with the
/// same configuration against another observed state: a route is built again only when
/// something it depends on in the observed state differs (an ACM certificate, the target groups
/// a ServiceImport names, the TargetGroupPolicy tag of an observed target group). The result is
/// the same as [`translate`]'s.
pub fn translate_after(
    snapshot: &ClusterSnapshot,
    observed: &ObservedState,
    config: &Config,
    now: Timestamp,
    earlier: Translation,
) -> Translation {
    translate_as(snapshot, observed, config, now, Output::WithStatus, Some(earlier))
}

/// [`translate_desired`], reusing the routes of `earlier` as [`translate_after`] does.
pub fn translate_desired_after(
    snapshot: &ClusterSnapshot,
    observed: &ObservedState,
    config: &Config,
    now: Timestamp,
    earlier: Translation,
) -> Translation {
    translate_as(snapshot, observed, config, now, Output::DesiredOnly, Some(earlier))
}

/// Whether a translation computes the status of gateways and routes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    WithStatus,
    DesiredOnly,
}

fn translate_as(
    snapshot: &ClusterSnapshot,
    observed: &ObservedState,
    config: &Config,
    now: Timestamp,
    output: Output,
    earlier: Option<Translation>,
) -> Translation {
    let mut gateways = gateway::gateways(snapshot);
    networks::map_gateways(&mut gateways, config);
    let index = SnapshotIndex::new(snapshot);
    let seen = ObservedIndex::new(observed);
    let asked = RefCell::new(Vec::new());
    let resolver = Resolver { snapshot, index: &index, seen: &seen, observed, config, asked: &asked };
    let build = |r: route::Route| {
        let attachments = attach(&r, &gateways, snapshot);
        let outcome = service::build(r, attachments, &gateways, &resolver, config);
        (outcome, std::mem::take(&mut *asked.borrow_mut()))
    };
    // The earlier fingerprints, and the policies they covered, when the earlier routes are reused.
    let mut carried: Option<(Fingerprints, DesiredState)> = None;
    let restored = earlier.and_then(|t| {
        let Translation { desired, routes, prints, .. } = t;
        let policies = DesiredState {
            auth_policies: desired.auth_policies,
            access_log_subscriptions: desired.access_log_subscriptions,
            ..DesiredState::default()
        };
        let restored = reuse::restore(*routes, desired.services, desired.target_groups, snapshot, &resolver, &build)?;
        carried = prints.map(|p| (p, policies));
        Some(restored)
    });
    let (mut outcomes, questions, fresh) = match restored {
        Some(restored) => restored,
        None => reuse::build_all(snapshot, &build),
    };
    let rebuilt = fresh.iter().filter(|f| **f).count();
    // Which desired services and target groups are the earlier translation's.
    let mut kept_services: Vec<bool> = Vec::new();
    let mut kept_groups: Vec<bool> = Vec::new();
    let mut changed = resolve_conflicts(&mut outcomes, &seen, config);

    let mut desired = DesiredState::default();
    // Target group names already desired: the first route (or export) to ask for one keeps it.
    let mut group_names: HashSet<String> = HashSet::new();
    // The services and target groups move into the desired state; status needs only the names.
    let mut service_names: Vec<Option<String>> = Vec::with_capacity(outcomes.len());
    let mut entries: Vec<reuse::Entry> = Vec::with_capacity(outcomes.len());
    for (((o, asked), changed), fresh) in outcomes.iter_mut().zip(questions).zip(&mut changed).zip(&fresh) {
        let service = o.service.take();
        let groups = std::mem::take(&mut o.target_groups);
        service_names.push(service.as_ref().map(|s| s.name.clone()));
        let mut entry = reuse::Entry { service: service.is_some(), groups: 0, changed: *changed, asked };
        if let Some(s) = service {
            desired.services.push(s);
            kept_services.push(!fresh);
            for tg in groups {
                if group_names.insert(tg.name.clone()) {
                    desired.target_groups.push(tg);
                    kept_groups.push(!fresh);
                    entry.groups += 1;
                } else {
                    entry.changed = true;
                }
            }
        }
        entries.push(entry);
    }
    let route_groups = desired.target_groups.len();
    let mut exports = exports::build(&index, config);
    target_group_policy::shape_exports(&mut exports, &index, &seen);
    for (tg, _) in exports.iter().flat_map(|o| &o.target_groups) {
        if group_names.insert(tg.name.clone()) {
            desired.target_groups.push(tg.clone());
        }
    }
    let networks = networks::build(snapshot, &gateways, observed, config, now);
    desired.service_networks = networks.specs;
    desired.gateway_names = gateways.iter().map(|g| g.name.clone()).collect();

    let routes = status::Routes { outcomes: &outcomes, services: &service_names };
    let mut status = match output {
        Output::WithStatus => status::build(snapshot, &gateways, routes, &seen, config, &networks.managed, now),
        Output::DesiredOnly => Vec::new(),
    };
    status.extend(networks.status);
    status.extend(exports::status(&exports, observed, config, now));
    status.extend(target_group_policy::status(snapshot, now));
    let managed_by = config.identity.managed_by();
    let cx = policy_targets::Context {
        snapshot,
        gateways: &gateways,
        desired: &desired,
        observed,
        managed_by: &managed_by,
        now,
        services: policy_targets::services_by_owner(&desired),
    };
    let (auth_policies, auth_status) = auth_policy::translate(&cx);
    let (access_log_subscriptions, access_log_status) = access_log_policy::translate(&cx);
    status.extend(auth_status);
    status.extend(access_log_status);
    desired.auth_policies = auth_policies;
    desired.access_log_subscriptions = access_log_subscriptions;
    let certificate_lookups = outcomes
        .iter()
        .filter_map(|o| {
            let r = &o.route;
            let owner = OwnerKey { kind: r.kind.kind().into(), namespace: r.namespace.clone(), name: r.name.clone() };
            o.certificate_lookup.clone().map(|domain| (owner, domain))
        })
        .collect();
    let held = outcomes
        .iter()
        .filter(|o| o.held)
        .map(|o| {
            let r = &o.route;
            OwnerKey { kind: r.kind.kind().into(), namespace: r.namespace.clone(), name: r.name.clone() }
        })
        .collect();
    let route_objects = reuse::route_objects(snapshot);
    let routes = reuse::Routes { outcomes, entries, route_groups, route_objects, rebuilt };
    // The exports' target groups are built again every time.
    kept_groups.resize(desired.target_groups.len(), false);
    let earlier = carried.map(|(prints, policies)| {
        Box::new(fingerprint::Earlier { prints, policies, services: kept_services, target_groups: kept_groups })
    });
    Translation { desired, status, certificate_lookups, held, routes: Box::new(routes), prints: None, earlier }
}

/// Two routes whose service names collide: the older keeps the name. A name held in Lattice by
/// another owner is not taken over.
///
/// Returns, for each outcome, whether this changed it.
fn resolve_conflicts(outcomes: &mut [RouteOutcome], seen: &ObservedIndex<'_>, config: &Config) -> Vec<bool> {
    let managed_by = config.identity.managed_by();
    // What happens to each outcome: a conflict, or a warning; decided before changing any.
    let mut verdicts: Vec<Option<Result<String, String>>> = vec![None; outcomes.len()];
    // Service names already kept, with the position of the route keeping each.
    let mut taken: HashMap<&str, usize> = HashMap::with_capacity(outcomes.len());
    for (i, o) in outcomes.iter().enumerate() {
        let Some(service) = &o.service else { continue };
        let name = service.name.as_str();
        if let Some(holder) = taken.get(name) {
            let holder = outcomes[*holder].route.object_ref();
            verdicts[i] =
                Some(Err(format!("VPC Lattice service name {name} is already used by {holder}, which is older")));
        } else if let Some(existing) = seen.service(name).filter(|s| !is_owned(&s.tags, &managed_by)).filter(|s| {
            service.takeover_from.is_none()
                || s.tags.get(crate::names::TAG_MANAGED_BY) != service.takeover_from.as_ref()
        }) {
            let owner = existing.tags.get(crate::names::TAG_MANAGED_BY).map_or("nobody (untagged)", String::as_str);
            verdicts[i] =
                Some(Err(format!("VPC Lattice service {name} exists and is managed by {owner}, not {managed_by}")));
        } else {
            if let Some(existing) = seen.service(name)
                && existing.custom_domain_name != service.custom_domain_name
            {
                verdicts[i] = Some(Ok(format!(
                    "the custom domain name changes from {} to {}: VPC Lattice cannot change it in place, so service {name} is deleted and created again and its VPC Lattice DNS name changes{}",
                    existing.custom_domain_name.as_deref().unwrap_or("none"),
                    service.custom_domain_name.as_deref().unwrap_or("none"),
                    existing.dns_name.as_deref().map(|d| format!(" (now {d})")).unwrap_or_default()
                )));
            }
            taken.insert(name, i);
        }
    }
    let changed = verdicts.iter().map(Option::is_some).collect();
    for (o, verdict) in outcomes.iter_mut().zip(verdicts) {
        match verdict {
            Some(Err(message)) => {
                for a in o.attachments.iter_mut().filter(|a| a.outcome.is_ok()) {
                    a.outcome = Err((reasons::CONFLICTED, message.clone()));
                }
                o.service = None;
                o.target_groups.clear();
            }
            Some(Ok(warning)) => o.warnings.push(warning),
            None => {}
        }
    }
    changed
}
