//! Service networks: the ones Gateways map to, the default one (`DEFAULT_SERVICE_NETWORK`), the
//! ones ServiceNetwork objects ask for (with their status), and the associations of the cluster's
//! VPC that VpcAssociationPolicies ask for (see [`super::vpc_policies`]).

use std::collections::BTreeMap;

use k8s_openapi::jiff::Timestamp;

use super::vpc_policies;
use crate::annotations;
use crate::conditions::{self, condition, reasons, types};
use crate::config::Config;
use crate::gateway::GatewayModel;
use crate::lattice::{ServiceNetworkSpec, VpcAssociationSpec};
use crate::names::{TAG_MANAGED_BY, Tags, arn_account, check_service_network_name};
use crate::networks::{NetworkMatch, find, is_shared};
use crate::observed::{ObservedState, is_owned};
use crate::snapshot::{ClusterSnapshot, ObjectRef, name_of};
use crate::status::{ObjectStatus, ServiceNetworkStatus, StatusEntry};

/// Reason of a ServiceNetwork's `Programmed=False` when its service network cannot be managed.
pub const RECONCILE_ERROR: &str = "ReconcileError";

/// What the service network part of a translation yields.
pub(super) struct Networks {
    /// Desired service networks.
    pub(super) specs: Vec<ServiceNetworkSpec>,
    /// Status of ServiceNetwork objects and VpcAssociationPolicies.
    pub(super) status: Vec<StatusEntry>,
    /// Names of the service networks we create when missing, with what asks for each.
    pub(super) managed: BTreeMap<String, String>,
}

/// Sets every Gateway's service network: the default one in override mode, else its own name.
pub(super) fn map_gateways(gateways: &mut [GatewayModel], config: &Config) {
    if let Some(network) = config.override_network() {
        for g in gateways {
            g.service_network = network.to_owned();
        }
    }
}

/// Desired service networks and the status of the objects that ask for them.
pub(super) fn build(
    snapshot: &ClusterSnapshot,
    gateways: &[GatewayModel],
    observed: &ObservedState,
    config: &Config,
    now: Timestamp,
) -> Networks {
    let managed_by = config.identity.managed_by();
    let ours: Tags = [(TAG_MANAGED_BY.to_owned(), managed_by.clone())].into();
    let mut specs: BTreeMap<String, ServiceNetworkSpec> = BTreeMap::new();
    for g in gateways.iter().filter(|g| g.not_accepted.is_none()) {
        spec(&mut specs, &g.service_network).gateways.push(g.key());
    }
    let mut managed = BTreeMap::new();
    if let Some(name) = &config.default_service_network {
        let s = spec(&mut specs, name);
        s.tags = Some(ours.clone());
        s.vpc_association = Some(VpcAssociationSpec {
            vpc_identifier: config.identity.vpc_id.clone(),
            associate: true,
            security_group_ids: None,
            tags: ours.clone(),
            source: "DEFAULT_SERVICE_NETWORK".to_owned(),
        });
        managed.insert(name.clone(), "DEFAULT_SERVICE_NETWORK".to_owned());
    }
    let mut status = Vec::new();
    for object in &snapshot.service_networks {
        let name = name_of(&object.metadata);
        let problem = invalid(snapshot, name);
        if problem.is_none() {
            let s = spec(&mut specs, name);
            s.tags = Some(annotations::object_tags(object.metadata.annotations.as_ref(), ours.clone()).0);
            s.adopt = true;
            managed.insert(name.to_owned(), format!("ServiceNetwork {name}"));
        }
        status.push(object_status(object, problem, observed, config, now));
    }
    let mut specs: Vec<ServiceNetworkSpec> = specs.into_values().collect();
    status.extend(vpc_policies::apply(snapshot, gateways, &mut specs, observed, config, now));
    Networks { specs, status, managed }
}

/// The desired service network named `name`, added when missing.
fn spec<'a>(specs: &'a mut BTreeMap<String, ServiceNetworkSpec>, name: &str) -> &'a mut ServiceNetworkSpec {
    specs
        .entry(name.to_owned())
        .or_insert_with(|| ServiceNetworkSpec { name: name.to_owned(), ..ServiceNetworkSpec::default() })
}

/// What makes a ServiceNetwork object unusable: a name VPC Lattice does not take, or spec
/// fields this controller does not know.
fn invalid(snapshot: &ClusterSnapshot, name: &str) -> Option<String> {
    if let Err(problem) = check_service_network_name(name) {
        return Some(format!("metadata.name: {name:?} is not a VPC Lattice service network name: it {problem}"));
    }
    let fields = snapshot.unknown_fields.get(&ObjectRef::new("ServiceNetwork", "", name))?;
    (!fields.is_empty()).then(|| format!("{} not supported by this controller", fields.join(", ")))
}

fn object_status(
    object: &crds::ServiceNetwork,
    problem: Option<String>,
    observed: &ObservedState,
    config: &Config,
    now: Timestamp,
) -> StatusEntry {
    let name = name_of(&object.metadata);
    let generation = object.metadata.generation.unwrap_or(1);
    let managed_by = config.identity.managed_by();
    let account = &config.identity.account_id;
    let mut status = ServiceNetworkStatus::default();
    let computed = match problem {
        Some(message) => vec![
            condition(types::ACCEPTED, false, reasons::INVALID, message, generation, now),
            condition(types::PROGRAMMED, false, reasons::INVALID, "ServiceNetwork is not accepted", generation, now),
        ],
        None => {
            let programmed = match find(observed, name, account) {
                NetworkMatch::One(sn) if is_shared(sn, account) => (
                    false,
                    RECONCILE_ERROR,
                    format!(
                        "VPC Lattice service network {name} is shared from account {}; it cannot be managed here",
                        arn_account(&sn.arn)
                    ),
                ),
                NetworkMatch::One(sn) if is_owned(&sn.tags, &managed_by) => {
                    status.service_network_arn = Some(sn.arn.clone());
                    status.service_network_id = Some(sn.id.clone());
                    (true, reasons::PROGRAMMED, format!("aws-service-network-arn: {}", sn.arn))
                }
                NetworkMatch::One(sn) => match sn.tags.get(TAG_MANAGED_BY) {
                    None => (
                        false,
                        reasons::PENDING,
                        format!(
                            "VPC Lattice service network {name} ({}) has no ManagedBy tag; it is adopted by tagging it",
                            sn.id
                        ),
                    ),
                    Some(owner) => (
                        false,
                        RECONCILE_ERROR,
                        format!(
                            "VPC Lattice service network {name} ({}) is managed by {owner}, not {managed_by}; it is left alone",
                            sn.id
                        ),
                    ),
                },
                NetworkMatch::Missing => (
                    false,
                    reasons::PENDING,
                    format!("VPC Lattice service network {name} does not exist yet; it is created"),
                ),
                NetworkMatch::Ambiguous(found) => (
                    false,
                    RECONCILE_ERROR,
                    format!("{} VPC Lattice service networks are named {name}; none is managed", found.len()),
                ),
            };
            let (ok, reason, message) = programmed;
            let mut accepted = "ServiceNetwork is accepted".to_owned();
            for note in annotations::object_tags(object.metadata.annotations.as_ref(), Tags::new()).1 {
                accepted.push_str("; ");
                accepted.push_str(&note);
            }
            vec![
                condition(types::ACCEPTED, true, reasons::ACCEPTED, accepted, generation, now),
                condition(types::PROGRAMMED, ok, reason, message, generation, now),
            ]
        }
    };
    let existing = object.status.as_ref().map(|s| s.conditions.clone()).unwrap_or_default();
    status.conditions = conditions::merge(&existing, computed);
    StatusEntry {
        api_version: crds::API_VERSION.to_owned(),
        kind: "ServiceNetwork".to_owned(),
        namespace: None,
        name: name.to_owned(),
        status: ObjectStatus::ServiceNetwork(status),
        annotations: BTreeMap::new(),
    }
}
