//! Pod readiness gates in the pipeline: after the apply, the pods behind our target groups whose
//! endpoints are not ready are read by name; those that list the gate get its condition from the
//! health VPC Lattice reports for their targets ([`sync_readiness`]). Those still not ready can be
//! checked again, within a bounded wait, with one `ListTargets` per target group per poll
//! ([`recheck_readiness`]).
//!
//! Lattice health comes from the inventory the run observed (no extra call) unless the run changed
//! something, in which case the target groups of gated pods are listed once more, so a target
//! registered by this very run is judged on what Lattice says now.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::Duration;

use k8s_openapi::api::core::v1::PodCondition;
use k8s_openapi::jiff::Timestamp;
use model::lattice::DesiredState;
use model::observed::{ObservedState, TargetHealth};
use model::readiness::{self, GateTarget, PodGate, Recheck, Verdict};
use model::snapshot::{ClusterSnapshot, ObjectRef};

use crate::{BoxError, Mode};

/// Reads the health of the targets of one target group (`ListTargets`).
pub trait TargetHealthReader {
    /// Every target of target group `target_group_id` with its status; `port` is the group's port,
    /// for targets listed without one.
    fn target_health(
        &self,
        target_group_id: &str,
        port: i32,
    ) -> impl Future<Output = Result<Vec<TargetHealth>, BoxError>> + Send;
}

/// Reads pods and writes their readiness gate condition.
pub trait PodGates {
    /// The pod's gate state; `None` when the pod does not exist.
    fn pod_gate(&self, pod: &ObjectRef) -> impl Future<Output = Result<Option<PodGate>, BoxError>> + Send;

    /// Writes the gate condition; `Ok(false)` when the pod is gone or was replaced.
    fn set_pod_gate(
        &self,
        gate: &PodGate,
        condition: &PodCondition,
    ) -> impl Future<Output = Result<bool, BoxError>> + Send;
}

/// A gated pod that is not ready yet, with what checking it again needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Waiting {
    /// The pod, with the gate condition it now carries.
    pub gate: PodGate,
    /// Its targets in our target groups.
    pub targets: Vec<GateTarget>,
    /// How soon a change is expected.
    pub recheck: Recheck,
}

/// What the readiness gate pass did (for a dry run: would do).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadinessOutcome {
    /// Pods read because their endpoint was not ready.
    pub pods_read: usize,
    /// Of those, the pods that list the gate and whose condition is not `True` yet.
    pub gated: usize,
    /// Gate conditions written (or, for a dry run, that would be written), by pod.
    pub written: Vec<(ObjectRef, PodCondition)>,
    /// Gated pods still not ready after the pass.
    pub waiting: Vec<Waiting>,
    /// Pods (or target groups) whose read or write failed, with why.
    pub failed: Vec<(ObjectRef, String)>,
}

impl ReadinessOutcome {
    /// Whether nothing failed.
    pub fn is_success(&self) -> bool {
        self.failed.is_empty()
    }

    /// Adds what a later pass did; its waiting pods replace these.
    pub fn absorb(&mut self, later: ReadinessOutcome) {
        self.pods_read += later.pods_read;
        self.written.extend(later.written);
        self.failed.extend(later.failed);
        self.waiting = later.waiting;
    }
}

/// What the first pass reads.
pub struct ReadinessInputs<'a> {
    /// The cluster snapshot (EndpointSlices).
    pub snapshot: &'a ClusterSnapshot,
    /// The desired state (our target groups and their targets).
    pub desired: &'a DesiredState,
    /// The inventory after the apply (target group ids).
    pub inventory: &'a ObservedState,
    /// Whether the run changed VPC Lattice, making the observed health stale.
    pub changed: bool,
}

/// The first pass: reads the candidate pods, sets the gate condition of the gated ones from the
/// target health, and returns those still waiting.
pub async fn sync_readiness<C: PodGates, L: TargetHealthReader>(
    cluster: &C,
    lattice: &L,
    inputs: ReadinessInputs<'_>,
    mode: Mode,
    now: Timestamp,
) -> ReadinessOutcome {
    let mut outcome = ReadinessOutcome::default();
    let mut by_pod: BTreeMap<ObjectRef, Vec<GateTarget>> = BTreeMap::new();
    for target in readiness::candidates(inputs.snapshot, inputs.desired, inputs.inventory) {
        by_pod.entry(target.pod.clone()).or_default().push(target);
    }
    let mut gated = Vec::new();
    for (pod, targets) in by_pod {
        outcome.pods_read += 1;
        match cluster.pod_gate(&pod).await {
            Ok(Some(gate)) if gate.gated && gate.condition.as_ref().is_none_or(|c| c.status != "True") => {
                gated.push(Waiting { gate, targets, recheck: Recheck::Soon });
            }
            Ok(_) => {}
            Err(error) => outcome.failed.push((pod, error.to_string())),
        }
    }
    outcome.gated = gated.len();
    if gated.is_empty() {
        return outcome;
    }
    let mut health = Health::default();
    if !inputs.changed {
        // Target groups built from their fingerprint come without health: those are listed.
        for group in inputs.inventory.target_groups.iter().filter(|g| !inputs.inventory.unverified.contains(&g.arn)) {
            health.known.insert(group.id.clone(), group.health.clone());
        }
    }
    health.fill(lattice, &gated).await;
    decide(cluster, gated, &health, mode, now, &mut outcome).await;
    outcome
}

/// How long to keep checking and how often.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitPolicy {
    /// The time the checks may sleep in all: `budget / poll` checks at most (each check's own
    /// requests come on top; callers keep a margin).
    pub budget: Duration,
    /// The time between two checks.
    pub poll: Duration,
}

/// Checks `waiting` pods again every `policy.poll` until all are ready (or settled) or the
/// `policy.budget / policy.poll` checks are done, writing each change of their gate condition.
/// `now` stamps transitions; `sleep` waits (injected, like the clock).
pub async fn recheck_readiness<C, L, S, F>(
    cluster: &C,
    lattice: &L,
    waiting: Vec<Waiting>,
    policy: WaitPolicy,
    now: impl Fn() -> Timestamp,
    sleep: S,
) -> ReadinessOutcome
where
    C: PodGates,
    L: TargetHealthReader,
    S: Fn(Duration) -> F,
    F: Future<Output = ()>,
{
    let mut outcome = ReadinessOutcome { waiting, ..ReadinessOutcome::default() };
    let polls = if policy.poll.is_zero() { 0 } else { policy.budget.as_millis() / policy.poll.as_millis() };
    for _ in 0..polls {
        if outcome.waiting.is_empty() {
            break;
        }
        sleep(policy.poll).await;
        let mut health = Health::default();
        health.fill(lattice, &outcome.waiting).await;
        let waiting = std::mem::take(&mut outcome.waiting);
        decide(cluster, waiting, &health, Mode::Apply, now(), &mut outcome).await;
    }
    tracing::info!(written = outcome.written.len(), still_waiting = outcome.waiting.len(), "Rechecked readiness gates");
    outcome
}

/// Target health by target group id; `failed` holds the groups whose listing failed.
#[derive(Default)]
struct Health {
    known: BTreeMap<String, Vec<TargetHealth>>,
    failed: BTreeMap<String, String>,
}

impl Health {
    /// Lists the target groups of `waiting` not known yet.
    async fn fill<L: TargetHealthReader>(&mut self, lattice: &L, waiting: &[Waiting]) {
        let groups: BTreeSet<(String, i32)> = waiting
            .iter()
            .flat_map(|w| &w.targets)
            .map(|t| (t.target_group_id.clone(), t.target_group_port))
            .filter(|(id, _)| !self.known.contains_key(id))
            .collect();
        for (id, port) in groups {
            match lattice.target_health(&id, port).await {
                Ok(health) => {
                    self.known.insert(id, health);
                }
                Err(error) => {
                    tracing::warn!(target_group = %id, %error, "Failed to read target health");
                    self.failed.insert(id, error.to_string());
                }
            }
        }
    }
}

/// Sets the condition of each waiting pod from `health` and keeps those still waiting.
async fn decide<C: PodGates>(
    cluster: &C,
    waiting: Vec<Waiting>,
    health: &Health,
    mode: Mode,
    now: Timestamp,
    outcome: &mut ReadinessOutcome,
) {
    for mut w in waiting {
        if let Some((id, error)) = w.targets.iter().find_map(|t| health.failed.get_key_value(&t.target_group_id)) {
            outcome.failed.push((w.gate.pod.clone(), format!("ListTargets of target group {id} failed: {error}")));
            outcome.waiting.push(w);
            continue;
        }
        let verdicts: Vec<Verdict> = w
            .targets
            .iter()
            .map(|t| readiness::verdict(t, health.known.get(&t.target_group_id).map_or(&[][..], Vec::as_slice)))
            .collect();
        let Some(verdict) = readiness::pod_verdict(verdicts) else { continue };
        if let Some(condition) = readiness::next_condition(w.gate.condition.as_ref(), &verdict, now) {
            if mode == Mode::Apply {
                match cluster.set_pod_gate(&w.gate, &condition).await {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(error) => {
                        outcome.failed.push((w.gate.pod.clone(), error.to_string()));
                        outcome.waiting.push(w);
                        continue;
                    }
                }
            }
            tracing::info!(pod = %w.gate.pod, status = %condition.status, reason = verdict.reason, "Set readiness gate");
            outcome.written.push((w.gate.pod.clone(), condition.clone()));
            w.gate.condition = Some(condition);
        }
        if !verdict.ready && verdict.recheck != Recheck::Settled {
            w.recheck = verdict.recheck;
            outcome.waiting.push(w);
        }
    }
}

#[cfg(test)]
#[path = "readiness_tests.rs"]
mod tests;
