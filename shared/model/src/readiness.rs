//! Pod readiness gates (pure): which pods behind our target groups may carry the readiness gate
//! `application-networking.k8s.aws/pod-readiness-gate`, and what its condition says for the health
//! VPC Lattice reports of their targets.
//!
//! A pod lists the gate in `spec.readinessGates`; Kubernetes keeps it out of service until the
//! condition of that type is `True`. We set the condition from `ListTargets`: `HEALTHY` and
//! `UNAVAILABLE` (health checks off) make it `True`; anything else `False`. Once `True` a pod is
//! never changed again. Such a pod's EndpointSlice endpoint is `ready` (a pod is Ready only when all
//! its gates are `True`), so [`candidates`] are only endpoints that are not ready: a steady state
//! reads no pod at all.

use std::collections::{BTreeSet, HashMap};

use k8s_openapi::api::core::v1::PodCondition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::index::{ObservedIndex, SnapshotIndex};
use crate::lattice::{DesiredState, OwnerKey, Target};
use crate::names::{TAG_SERVICE_NAME, TAG_SERVICE_NAMESPACE};
use crate::observed::ObservedState;
use crate::snapshot::{ClusterSnapshot, ObjectRef};

/// The pod condition type (and readiness gate) this controller sets.
pub const GATE_CONDITION_TYPE: &str = "application-networking.k8s.aws/pod-readiness-gate";

/// Reasons of the gate condition.
pub mod reasons {
    /// The target is `HEALTHY`.
    pub const HEALTHY: &str = "Healthy";
    /// The target is `UNAVAILABLE`: its target group has health checks off.
    pub const HEALTH_CHECK_UNAVAILABLE: &str = "HealthCheckUnavailable";
    /// The target is `INITIAL`: the first health checks are running.
    pub const INITIAL: &str = "Initial";
    /// The target is `UNHEALTHY`.
    pub const UNHEALTHY: &str = "Unhealthy";
    /// The target is `DRAINING`.
    pub const DRAINING: &str = "Draining";
    /// The target is `UNUSED`: no service uses its target group.
    pub const UNUSED: &str = "Unused";
    /// The target is not registered in its target group.
    pub const TARGET_NOT_FOUND: &str = "TargetNotFound";
    /// Lattice reported a status this controller does not know.
    pub const UNKNOWN: &str = "UnknownTargetStatus";
}

/// A target's health as `ListTargets` reports it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetHealth {
    /// IP address.
    pub id: String,
    /// Port.
    pub port: i32,
    /// `HEALTHY`, `UNAVAILABLE`, `INITIAL`, `UNHEALTHY`, `DRAINING` or `UNUSED`.
    pub status: String,
    /// Why, when Lattice says (`HealthCheckFailed`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
}

/// One target of one of our target groups that is a pod whose endpoint is not ready.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct GateTarget {
    /// The pod (kind `Pod`), from the endpoint's `targetRef`.
    pub pod: ObjectRef,
    /// Id of the target group.
    pub target_group_id: String,
    /// Name of the target group.
    pub target_group: String,
    /// Port of the target group (of targets listed without one).
    pub target_group_port: i32,
    /// The target.
    pub target: Target,
    /// The route the target group is built for.
    pub owner: Option<OwnerKey>,
}

/// The targets of `desired`'s target groups (as registered in `inventory`, which gives their ids)
/// that are pods whose EndpointSlice endpoint is not ready and not terminating, in a stable order.
pub fn candidates(snapshot: &ClusterSnapshot, desired: &DesiredState, inventory: &ObservedState) -> Vec<GateTarget> {
    let mut out = BTreeSet::new();
    let index = SnapshotIndex::new(snapshot);
    let seen = ObservedIndex::new(inventory);
    for spec in &desired.target_groups {
        let (Some(service), Some(namespace)) = (spec.tags.get(TAG_SERVICE_NAME), spec.tags.get(TAG_SERVICE_NAMESPACE))
        else {
            continue;
        };
        let Some(group) = seen.target_group(&spec.name) else { continue };
        let slices = index.endpoint_slices(namespace, service);
        // The desired targets by address, grouped on the first endpoint that needs them.
        let mut by_address: Option<HashMap<&str, Vec<&Target>>> = None;
        for endpoint in slices.iter().flat_map(|s| &s.endpoints) {
            let conditions = endpoint.conditions.as_ref();
            let not_ready = conditions.and_then(|c| c.ready) == Some(false);
            let terminating = conditions.and_then(|c| c.terminating) == Some(true);
            let Some(pod) = endpoint.target_ref.as_ref().filter(|r| r.kind.as_deref() == Some("Pod")) else {
                continue;
            };
            if !not_ready || terminating {
                continue;
            }
            let pod_namespace = pod.namespace.as_deref().unwrap_or(namespace);
            let pod = ObjectRef::new("Pod", pod_namespace, pod.name.as_deref().unwrap_or(""));
            for address in &endpoint.addresses {
                let by_address = by_address.get_or_insert_with(|| {
                    let mut map: HashMap<&str, Vec<&Target>> = HashMap::new();
                    for t in &spec.targets {
                        map.entry(t.id.as_str()).or_default().push(t);
                    }
                    map
                });
                for &target in by_address.get(address.as_str()).into_iter().flatten() {
                    out.insert(GateTarget {
                        pod: pod.clone(),
                        target_group_id: group.id.clone(),
                        target_group: group.name.clone(),
                        target_group_port: group.config.port,
                        target: target.clone(),
                        owner: spec.owner.clone(),
                    });
                }
            }
        }
    }
    out.into_iter().filter(|t| !t.pod.name.is_empty()).collect()
}

/// Whether (and how soon) a gate that is not `True` is worth checking again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Recheck {
    /// Settled: `True`, or `UNUSED` (nothing will change until the configuration does).
    Settled,
    /// Expected to change on its own shortly: the first health checks are running, or the target
    /// was registered by this run and its health is not known yet.
    Soon,
    /// May change, but nothing says when: `UNHEALTHY`, `DRAINING`, not registered.
    Later,
}

/// What the gate condition should say for one pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Condition status `True`.
    pub ready: bool,
    /// Condition reason.
    pub reason: &'static str,
    /// Condition message.
    pub message: String,
    /// Whether to check again.
    pub recheck: Recheck,
}

/// The verdict for `target` given the health of the targets of its target group.
pub fn verdict(target: &GateTarget, health: &[TargetHealth]) -> Verdict {
    let t = &target.target;
    let found = health.iter().find(|h| h.id == t.id && h.port == t.port);
    let Some(found) = found else {
        return Verdict {
            ready: false,
            reason: reasons::TARGET_NOT_FOUND,
            message: format!(
                "Target {}:{} is not registered in VPC Lattice target group {} ({})",
                t.id, t.port, target.target_group, target.target_group_id
            ),
            recheck: Recheck::Later,
        };
    };
    let (ready, reason, recheck) = match found.status.as_str() {
        "HEALTHY" => (true, reasons::HEALTHY, Recheck::Settled),
        "UNAVAILABLE" => (true, reasons::HEALTH_CHECK_UNAVAILABLE, Recheck::Settled),
        "INITIAL" => (false, reasons::INITIAL, Recheck::Soon),
        "UNHEALTHY" => (false, reasons::UNHEALTHY, Recheck::Later),
        "DRAINING" => (false, reasons::DRAINING, Recheck::Later),
        "UNUSED" => (false, reasons::UNUSED, Recheck::Settled),
        _ => (false, reasons::UNKNOWN, Recheck::Later),
    };
    let because = found.reason_code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
    let message = format!(
        "Target {}:{} of VPC Lattice target group {} ({}) is {}{because}",
        t.id, t.port, target.target_group, target.target_group_id, found.status
    );
    Verdict { ready, reason, message, recheck }
}

/// One pod's verdict from the verdicts of all its targets: ready when every target is, else the
/// first target that is not (the pod may back several routes).
pub fn pod_verdict(verdicts: Vec<Verdict>) -> Option<Verdict> {
    let first_not_ready = verdicts.iter().position(|v| !v.ready);
    let mut verdicts = verdicts;
    match first_not_ready {
        Some(i) => Some(verdicts.swap_remove(i)),
        None => verdicts.into_iter().next(),
    }
}

/// The gate condition to write over `current` for `verdict`, or `None` when nothing changes: the
/// gate is already `True` (never touched again), or status, reason and message are the same.
/// `lastTransitionTime` moves only when the status flips.
pub fn next_condition(current: Option<&PodCondition>, verdict: &Verdict, now: Timestamp) -> Option<PodCondition> {
    let status = if verdict.ready { "True" } else { "False" };
    if let Some(current) = current {
        if current.status == "True" {
            return None;
        }
        if current.status == status
            && current.reason.as_deref() == Some(verdict.reason)
            && current.message.as_deref() == Some(verdict.message.as_str())
        {
            return None;
        }
    }
    let transition = match current {
        Some(c) if c.status == status => c.last_transition_time.clone(),
        _ => None,
    };
    Some(PodCondition {
        type_: GATE_CONDITION_TYPE.to_owned(),
        status: status.to_owned(),
        reason: Some(verdict.reason.to_owned()),
        message: Some(verdict.message.clone()),
        last_transition_time: transition.or(Some(Time(now))),
        last_probe_time: None,
    })
}

/// A pod as the gate logic needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct PodGate {
    /// The pod.
    pub pod: ObjectRef,
    /// `metadata.uid` (a write is refused if the pod was replaced by one of the same name).
    pub uid: String,
    /// Whether `spec.readinessGates` lists [`GATE_CONDITION_TYPE`].
    pub gated: bool,
    /// The current condition of that type.
    pub condition: Option<PodCondition>,
}

#[cfg(test)]
#[path = "readiness_tests.rs"]
mod tests;
