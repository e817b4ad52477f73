//! What IAMAuthPolicy and AccessLogPolicy share: a Gateway target is the Gateway's service
//! network (only one we own: a shared network is its owner's to configure), an HTTPRoute or
//! GRPCRoute target is the route's Lattice service; and the resolution of one policy kind from
//! targets to verdicts, oldest first.

use std::collections::HashMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, ObjectMeta};
use k8s_openapi::jiff::Timestamp;

use crate::gateway::GatewayModel;
use crate::lattice::{DesiredState, OwnerKey, PolicyResource, ServiceSpec};
use crate::observed::{ObservedState, is_owned};
use crate::policy::{self, Candidate, Verdict};
use crate::route::GATEWAY_GROUP;
use crate::snapshot::{ClusterSnapshot, ObjectRef, name_of, namespace_of};
use crate::status::StatusEntry;

/// Target kinds of IAMAuthPolicy and AccessLogPolicy.
pub(super) const GATEWAY_OR_ROUTE: &[(&str, &str)] =
    &[(GATEWAY_GROUP, "Gateway"), (GATEWAY_GROUP, "HTTPRoute"), (GATEWAY_GROUP, "GRPCRoute")];

/// The Lattice resource a policy applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Attached {
    /// The service or service network.
    pub(super) resource: PolicyResource,
    /// The route whose service it is (none for a service network).
    pub(super) owner: Option<OwnerKey>,
}

/// What translation knows when it resolves policy targets.
pub(super) struct Context<'a> {
    pub(super) snapshot: &'a ClusterSnapshot,
    pub(super) gateways: &'a [GatewayModel],
    pub(super) desired: &'a DesiredState,
    pub(super) observed: &'a ObservedState,
    pub(super) managed_by: &'a str,
    pub(super) now: Timestamp,
    /// The desired services by owner (see [`services_by_owner`]).
    pub(super) services: HashMap<&'a OwnerKey, &'a ServiceSpec>,
}

/// The desired services by owner, the first of an owner (one lookup per policy target).
pub(super) fn services_by_owner(desired: &DesiredState) -> HashMap<&OwnerKey, &ServiceSpec> {
    let mut out = HashMap::with_capacity(desired.services.len());
    for s in &desired.services {
        if let Some(owner) = &s.owner {
            out.entry(owner).or_insert(s);
        }
    }
    out
}

impl Context<'_> {
    /// The Lattice resource of `target` (a Gateway, HTTPRoute or GRPCRoute), or the verdict
    /// why the policy cannot apply; `what` names the setting (`auth`, `access logs`).
    pub(super) fn attach(&self, target: &ObjectRef, what: &str) -> Result<Attached, Verdict> {
        if target.kind == "Gateway" {
            return self.network(target, what);
        }
        let owner =
            OwnerKey { kind: target.kind.clone(), namespace: target.namespace.clone(), name: target.name.clone() };
        if let Some(service) = self.services.get(&owner) {
            return Ok(Attached { resource: PolicyResource::service(&service.name), owner: Some(owner) });
        }
        let exists = match target.kind.as_str() {
            "HTTPRoute" => self.snapshot.http_routes.iter().any(|r| same(&r.metadata, target)),
            _ => self.snapshot.grpc_routes.iter().any(|r| same(&r.metadata, target)),
        };
        Err(Verdict::TargetNotFound(if exists {
            format!(
                "spec.targetRef: {target} has no VPC Lattice service: no Gateway of this controller accepts it (see its status)"
            )
        } else {
            format!("spec.targetRef: {target} not found")
        }))
    }

    fn network(&self, target: &ObjectRef, what: &str) -> Result<Attached, Verdict> {
        let Some(gateway) = self.gateways.iter().find(|g| g.namespace == target.namespace && g.name == target.name)
        else {
            return Err(Verdict::TargetNotFound(format!(
                "spec.targetRef: {target} not found among the Gateways of this controller's GatewayClasses"
            )));
        };
        let key = gateway.key();
        let Some(network) = self.desired.service_networks.iter().find(|sn| sn.gateways.contains(&key)) else {
            return Err(Verdict::TargetNotFound(format!(
                "spec.targetRef: {target} is not accepted (see its status), so it has no service network"
            )));
        };
        let ours_to_create = network.tags.as_ref().is_some_and(|t| is_owned(t, self.managed_by));
        let Some(seen) = self.observed.service_network(&network.name) else {
            if ours_to_create {
                // Created by this controller: the settings follow once it exists.
                return Ok(Attached { resource: PolicyResource::service_network(&network.name), owner: None });
            }
            return Err(Verdict::TargetNotFound(format!(
                "spec.targetRef: the service network {} of {target} does not exist",
                network.name
            )));
        };
        let adopted = network.adopt && !seen.tags.contains_key(crate::names::TAG_MANAGED_BY);
        if !is_owned(&seen.tags, self.managed_by) && !adopted {
            return Err(Verdict::Invalid(format!(
                "spec.targetRef: the service network {} of {target} is not managed by this controller (ManagedBy {}); \
                 its {what} are left to its owner",
                network.name, self.managed_by
            )));
        }
        Ok(Attached { resource: PolicyResource::service_network(&network.name), owner: None })
    }
}

fn same(meta: &ObjectMeta, target: &ObjectRef) -> bool {
    namespace_of(meta) == target.namespace && name_of(meta) == target.name
}

/// One policy of a kind as the common resolution sees it.
pub(super) struct Subject<'p, T> {
    /// The policy object.
    pub(super) policy: &'p T,
    /// Its metadata.
    pub(super) meta: &'p ObjectMeta,
    /// Its current conditions.
    pub(super) existing: &'p [Condition],
    /// Its target, or why the spec is invalid or the target cannot take it.
    pub(super) attached: Result<(ObjectRef, Attached), Verdict>,
}

/// The verdict of every subject: invalid ones and ones without a target keep theirs; among
/// the rest the oldest per target wins, and `accept` builds the winner's verdict (and its
/// desired state). Returns the status entries.
pub(super) fn decide<T>(
    kind: &str,
    subjects: Vec<Subject<'_, T>>,
    now: Timestamp,
    mut accept: impl FnMut(&T, &ObjectMeta, &Attached) -> Verdict,
) -> Vec<StatusEntry> {
    let candidates: Vec<Candidate> = subjects
        .iter()
        .filter_map(|s| s.attached.as_ref().ok().map(|(target, _)| Candidate::new(kind, s.meta, target.clone())))
        .collect();
    let (_, losers) = policy::oldest_wins(&candidates);
    subjects
        .into_iter()
        .map(|s| {
            let me = ObjectRef::new(kind, namespace_of(s.meta), name_of(s.meta));
            let verdict = match (&s.attached, losers.get(&me)) {
                (Err(verdict), _) => verdict.clone(),
                (Ok(_), Some(lost)) => lost.clone(),
                (Ok((_, attached)), None) => accept(s.policy, s.meta, attached),
            };
            policy::status_entry(kind, s.meta, s.existing, &verdict, now)
        })
        .collect()
}
