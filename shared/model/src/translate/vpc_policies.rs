//! VpcAssociationPolicies: which association of the cluster's VPC each Gateway's service network
//! gets, and the `Accepted` condition of every policy.
//!
//! A policy targets a Gateway of ours in its own namespace. Of several policies on one Gateway,
//! or on Gateways that map to one service network, the oldest wins; and as VPC Lattice associates
//! a VPC with one service network, of policies that associate it with different ones the oldest
//! wins too (a policy also wins over `DEFAULT_SERVICE_NETWORK`).

use std::collections::BTreeMap;

use k8s_openapi::jiff::Timestamp;

use crate::annotations;
use crate::config::Config;
use crate::gateway::GatewayModel;
use crate::lattice::{ServiceNetworkSpec, VpcAssociationSpec};
use crate::names::{TAG_MANAGED_BY, TAG_VPC_ASSOCIATION_POLICY, Tags};
use crate::networks::{NetworkMatch, associations_of_vpc, find, vpc_associations};
use crate::observed::{ObservedServiceNetwork, ObservedState, ObservedVpcAssociation, is_owned};
use crate::policy::{self, Candidate, Verdict};
use crate::route::GATEWAY_GROUP;
use crate::snapshot::{ClusterSnapshot, ObjectRef, name_of, namespace_of};
use crate::status::StatusEntry;

const KIND: &str = "VpcAssociationPolicy";
const DELETING: &str = "DELETE_IN_PROGRESS";

/// A valid policy and the service network it is about.
struct Valid<'a> {
    policy: &'a crds::VpcAssociationPolicy,
    candidate: Candidate,
    network: String,
}

/// Sets the VPC association of the service networks the winning policies target, and returns
/// the status of every policy.
pub(super) fn apply(
    snapshot: &ClusterSnapshot,
    gateways: &[GatewayModel],
    specs: &mut [ServiceNetworkSpec],
    observed: &ObservedState,
    config: &Config,
    now: Timestamp,
) -> Vec<StatusEntry> {
    let mut verdicts: BTreeMap<ObjectRef, Verdict> = BTreeMap::new();
    let mut valid = Vec::new();
    for p in &snapshot.vpc_association_policies {
        match validate(p, gateways, snapshot) {
            Ok(v) => valid.push(v),
            Err(verdict) => {
                verdicts.insert(reference(p), verdict);
            }
        }
    }
    // One policy per Gateway, then one per service network.
    let (_, losers) = policy::oldest_wins(&valid.iter().map(|v| v.candidate.clone()).collect::<Vec<_>>());
    verdicts.extend(losers);
    valid.retain(|v| !verdicts.contains_key(&v.candidate.policy));
    let per_network: Vec<Candidate> = valid
        .iter()
        .map(|v| Candidate { target: ObjectRef::new("ServiceNetwork", "", &v.network), ..v.candidate.clone() })
        .collect();
    let (_, losers) = policy::oldest_wins(&per_network);
    verdicts.extend(losers);
    valid.retain(|v| !verdicts.contains_key(&v.candidate.policy));
    valid.sort_by_key(|v| age(&v.candidate));

    let vpc = config.identity.vpc_id.clone();
    let managed_by = config.identity.managed_by();
    let mut claimed: Option<(String, String)> = None;
    for v in &valid {
        let associate = v.policy.spec.associate_with_vpc.unwrap_or(true);
        let source = format!("{KIND} {}", key(&v.candidate.policy));
        if associate {
            if let Some((network, by)) = claimed.as_ref().filter(|(n, _)| *n != v.network) {
                let message = format!(
                    "{by} is older and associates VPC {vpc} with service network {network}; VPC Lattice associates a VPC with one service network"
                );
                verdicts.insert(v.candidate.policy.clone(), Verdict::Conflicted(message));
                continue;
            }
            claimed.get_or_insert_with(|| (v.network.clone(), source.clone()));
        }
        let mut tags: Tags = [(TAG_MANAGED_BY.to_owned(), managed_by.clone())].into();
        tags.insert(TAG_VPC_ASSOCIATION_POLICY.to_owned(), key(&v.candidate.policy));
        let (tags, _) = annotations::object_tags(v.policy.metadata.annotations.as_ref(), tags);
        let mut groups = v.policy.spec.security_group_ids.clone().unwrap_or_default();
        groups.sort();
        let want = VpcAssociationSpec {
            vpc_identifier: vpc.clone(),
            associate,
            security_group_ids: Some(groups),
            tags,
            source,
        };
        if let Some(spec) = specs.iter_mut().find(|s| s.name == v.network) {
            spec.vpc_association = Some(want);
        }
    }
    // The default service network's association gives way to a policy's.
    if let Some((network, _)) = &claimed {
        for spec in specs.iter_mut().filter(|s| s.name != *network) {
            if spec
                .vpc_association
                .as_ref()
                .is_some_and(|a| a.associate && !a.tags.contains_key(TAG_VPC_ASSOCIATION_POLICY))
            {
                spec.vpc_association = None;
            }
        }
    }
    for v in &valid {
        if !verdicts.contains_key(&v.candidate.policy) {
            let mut verdict = outcome(v, specs, observed, config);
            if let Verdict::Accepted(message) = &mut verdict {
                let (_, notes) = annotations::object_tags(v.policy.metadata.annotations.as_ref(), Tags::new());
                for note in notes {
                    message.push_str("; ");
                    message.push_str(&note);
                }
            }
            verdicts.insert(v.candidate.policy.clone(), verdict);
        }
    }
    snapshot
        .vpc_association_policies
        .iter()
        .filter_map(|p| {
            let verdict = verdicts.get(&reference(p))?;
            let existing = p.status.as_ref().map(|s| s.conditions.clone()).unwrap_or_default();
            Some(policy::status_entry(KIND, &p.metadata, &existing, verdict, now))
        })
        .collect()
}

fn key(r: &ObjectRef) -> String {
    format!("{}/{}", r.namespace, r.name)
}

fn reference(p: &crds::VpcAssociationPolicy) -> ObjectRef {
    ObjectRef::new(KIND, namespace_of(&p.metadata), name_of(&p.metadata))
}

fn age(c: &Candidate) -> (bool, Option<Timestamp>, String) {
    (c.created.is_none(), c.created, c.policy.name.clone())
}

fn validate<'a>(
    p: &'a crds::VpcAssociationPolicy,
    gateways: &[GatewayModel],
    snapshot: &ClusterSnapshot,
) -> Result<Valid<'a>, Verdict> {
    let target = policy::target_of(KIND, &p.metadata, &p.spec.target_ref, &[(GATEWAY_GROUP, "Gateway")])?;
    let gateway =
        gateways.iter().find(|g| g.namespace == target.namespace && g.name == target.name).ok_or_else(|| {
            Verdict::TargetNotFound(format!(
                "Gateway {}/{} does not exist or is not of a GatewayClass of this controller",
                target.namespace, target.name
            ))
        })?;
    if let Some(fields) = snapshot.unknown_fields.get(&reference(p)).filter(|f| !f.is_empty()) {
        return Err(Verdict::Invalid(format!("{} not supported by this controller", fields.join(", "))));
    }
    if let Some(groups) = &p.spec.security_group_ids {
        if groups.is_empty() || groups.len() > 5 {
            return Err(Verdict::Invalid(format!(
                "spec.securityGroupIds: {} given; an association takes 1 to 5 security groups (leave the field out for none)",
                groups.len()
            )));
        }
        for (i, g) in groups.iter().enumerate() {
            if !is_security_group(g) {
                return Err(Verdict::Invalid(format!(
                    "spec.securityGroupIds[{i}]: {g:?} is not a security group id (sg-...)"
                )));
            }
            if groups[..i].contains(g) {
                return Err(Verdict::Invalid(format!("spec.securityGroupIds[{i}]: {g} is listed twice")));
            }
        }
    }
    Ok(Valid {
        policy: p,
        candidate: Candidate::new(KIND, &p.metadata, ObjectRef::new("Gateway", &gateway.namespace, &gateway.name)),
        network: gateway.service_network.clone(),
    })
}

/// `sg-` followed by 8 or 17 lowercase letters or digits.
fn is_security_group(value: &str) -> bool {
    value.strip_prefix("sg-").is_some_and(|rest| {
        (rest.len() == 8 || rest.len() == 17) && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// The verdict of a winning policy: what it does, and what stands in its way.
fn outcome(v: &Valid<'_>, specs: &[ServiceNetworkSpec], observed: &ObservedState, config: &Config) -> Verdict {
    let vpc = &config.identity.vpc_id;
    let network = &v.network;
    let managed_by = config.identity.managed_by();
    let associate = v.policy.spec.associate_with_vpc.unwrap_or(true);
    let groups = v.policy.spec.security_group_ids.clone().unwrap_or_default();
    let sn = match find(observed, network, &config.identity.account_id) {
        NetworkMatch::One(sn) => Some(sn),
        NetworkMatch::Ambiguous(found) => {
            return Verdict::Accepted(format!(
                "{} VPC Lattice service networks are named {network}; the association is made once one is left",
                found.len()
            ));
        }
        NetworkMatch::Missing => None,
    };
    let existing: Option<&ObservedVpcAssociation> =
        sn.and_then(|sn| vpc_associations(sn, vpc).find(|a| a.status != DELETING));
    if !associate {
        let mut message =
            format!("VPC {vpc} is not associated with service network {network} (associateWithVpc: false)");
        if let Some(a) = existing.filter(|a| !is_owned(&a.tags, &managed_by)) {
            message.push_str(&format!("; the association {} is not managed by this controller and is left", a.id));
        }
        return Verdict::Accepted(message);
    }
    if let Some((other, a)) = associations_of_vpc(observed, vpc).find(|(other, a)| {
        sn.is_none_or(|sn| sn.id != other.id) && a.status != DELETING && !leaving(other, a, specs, &managed_by)
    }) {
        return Verdict::Conflicted(format!(
            "VPC {vpc} is associated with service network {} ({}); VPC Lattice associates a VPC with one service network: remove that association first",
            other.name, a.id
        ));
    }
    let listed = if groups.is_empty() {
        "no security groups".to_owned()
    } else {
        format!("security groups {}", groups.join(", "))
    };
    let mut message = format!("VPC {vpc} is associated with service network {network} with {listed}");
    match (sn, existing) {
        (None, _) => message.push_str(&format!("; service network {network} does not exist yet, the association is made once it does")),
        (Some(_), Some(a)) if !is_owned(&a.tags, &managed_by) => message.push_str(&format!(
            "; the association {} is not managed by this controller: its security groups are left as they are",
            a.id
        )),
        (Some(_), Some(a)) if groups.is_empty() && a.security_group_ids.as_ref().is_some_and(|g| !g.is_empty()) => {
            message.push_str(&format!(
                "; VPC Lattice cannot remove every security group from an association: it keeps {}; set associateWithVpc to false, then to true, to recreate it without any",
                a.security_group_ids.as_deref().unwrap_or_default().join(", ")
            ))
        }
        _ => {}
    }
    Verdict::Accepted(message)
}

/// Whether the plan removes this association of ours: a policy turned it off, or the policy it
/// was made for is gone and nothing else asks for it.
fn leaving(
    sn: &ObservedServiceNetwork,
    a: &ObservedVpcAssociation,
    specs: &[ServiceNetworkSpec],
    managed_by: &str,
) -> bool {
    if !is_owned(&a.tags, managed_by) {
        return false;
    }
    let wanted = specs.iter().filter(|s| s.name == sn.name || s.name == sn.id).find_map(|s| s.vpc_association.as_ref());
    match wanted {
        Some(w) => !w.associate,
        None => a.tags.contains_key(TAG_VPC_ASSOCIATION_POLICY),
    }
}
