//! Executing a plan against the real API.
//!
//! Actions run in plan order, one group of consecutive same-operation actions at a time; within
//! a group, actions on different parents run concurrently (see [`sequencing`]). Each action is
//! first resolved against the inventory (names → ids, prerequisites, our `ManagedBy` tag), then
//! sent (creates with a per-run idempotency token, see [`token`]), waiting out resources in
//! progress (see [`wait`]); its answer then updates the inventory (see [`update`]). Every
//! action ends up in exactly one list of the [`ApplyReport`].
//!
//! [`Lattice::apply_within`] asks a [`Budget`] before each action: once it is spent, no further
//! action starts (those in flight complete) and the rest of the plan is reported `deferred`.

mod execute;
#[cfg(test)]
mod fixtures;
mod policies;
mod request;
mod resolve;
mod sequencing;
mod token;
mod update;
mod wait;

use model::budget::Budget;
use model::observed::ObservedState;
use model::plan::{Action, Plan};
use serde::Serialize;
use tracing::{info, warn};

use crate::client::Lattice;
use resolve::{Ledger, Resolver, Unresolved};
use token::Run;
use update::Answer;
use wait::Unapplied;

/// An action that was sent (or refused) and did not apply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// The action as planned.
    pub action: Action,
    /// What went wrong, with the AWS error code and message when Lattice answered.
    pub error: String,
    /// Whether a later run may succeed without any change to the plan's inputs.
    pub retryable: bool,
}

/// What became of every action of a plan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyReport {
    /// Actions that took effect.
    pub applied: Vec<Action>,
    /// Actions that were attempted (or refused by the ownership check) and failed.
    pub failed: Vec<Failure>,
    /// Actions not attempted because a prerequisite failed, with the reason.
    pub skipped: Vec<(Action, String)>,
    /// Actions left for the next run because a resource stayed in progress, with the reason.
    pub pending: Vec<(Action, String)>,
    /// Actions not started because the run's budget was spent, in plan order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deferred: Vec<Action>,
}

impl ApplyReport {
    /// Whether nothing failed and nothing was skipped (pending actions finish on a later run).
    pub fn is_success(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty()
    }

    /// Whether every action took effect.
    pub fn is_complete(&self) -> bool {
        self.is_success() && self.pending.is_empty() && self.deferred.is_empty()
    }
}

/// An action ready to send: its position in the plan and its resolved form.
struct Ready {
    index: usize,
    resolved: Action,
}

impl Lattice {
    /// Executes `plan`, updating `observed` with every change that took effect.
    ///
    /// `managed_by` is the safety net: an existing resource is only changed when its tags carry
    /// it. Every independent action is attempted; one whose prerequisite did not apply is
    /// skipped (or left pending when the prerequisite is pending), and nothing is silent.
    pub async fn apply(&self, plan: &Plan, observed: &mut ObservedState, managed_by: &str) -> ApplyReport {
        self.apply_within(plan, observed, managed_by, &Budget::unlimited()).await
    }

    /// [`Lattice::apply`], asking `budget` before each action. Once it is spent no action starts
    /// (one in flight completes) and every action not started is reported `deferred`: what was
    /// applied is a prefix of the plan, up to the order of independent actions within a group,
    /// so the next run's plan finishes the work.
    pub async fn apply_within(
        &self,
        plan: &Plan,
        observed: &mut ObservedState,
        managed_by: &str,
        budget: &Budget,
    ) -> ApplyReport {
        let run = Run { seed: self.config().token_seed, number: self.next_run() };
        let mut report = ApplyReport::default();
        let mut ledger = Ledger::for_plan(&plan.actions);
        for group in sequencing::groups(&plan.actions) {
            if budget.is_spent() {
                report.deferred.extend(plan.actions[group].iter().cloned());
                continue;
            }
            let mut ready = Vec::new();
            for index in group {
                let action = &plan.actions[index];
                let resolver = Resolver { observed, managed_by, ledger: &ledger };
                match resolver.resolve(action) {
                    Ok(resolved) => ready.push(Ready { index, resolved }),
                    Err(unresolved) => note_unresolved(&mut report, &mut ledger, observed, action, unresolved),
                }
            }
            let chains = sequencing::chains(ready, |r| sequencing::parent_key(&r.resolved));
            let done = self
                .bounded(chains, |chain| {
                    let this = self.clone();
                    let budget = budget.clone();
                    async move { this.run_chain(chain, run, budget).await }
                })
                .await;
            let mut done: Vec<(Ready, Result<Answer, Unapplied>)> = done.into_iter().flatten().collect();
            done.sort_by_key(|(ready, _)| ready.index);
            for (ready, result) in done {
                let action = &plan.actions[ready.index];
                self.note_result(&mut report, &mut ledger, observed, action, &ready.resolved, result);
            }
        }
        info!(
            applied = report.applied.len(),
            failed = report.failed.len(),
            skipped = report.skipped.len(),
            pending = report.pending.len(),
            deferred = report.deferred.len(),
            "Applied plan"
        );
        report
    }

    /// Sends the actions of one chain in order, each only if `budget` still allows. After a failed
    /// `BatchUpdateRule` the rest of the listener's batches are skipped: they were computed
    /// assuming the earlier ones applied.
    async fn run_chain(self, chain: Vec<Ready>, run: Run, budget: Budget) -> Vec<(Ready, Result<Answer, Unapplied>)> {
        let mut out = Vec::with_capacity(chain.len());
        let mut stop: Option<String> = None;
        for ready in chain {
            if let Some(reason) = &stop {
                out.push((ready, Err(Unapplied::Skipped(reason.clone()))));
                continue;
            }
            if !budget.allows() {
                out.push((ready, Err(Unapplied::Deferred)));
                continue;
            }
            let result = self.perform(&ready.resolved, run).await;
            let incomplete = result.as_ref().map_or(true, |answer| !answer.failures.is_empty());
            if incomplete && matches!(ready.resolved, Action::BatchUpdateRule(_)) {
                stop = Some("an earlier BatchUpdateRule on this listener did not fully apply".to_owned());
            }
            out.push((ready, result));
        }
        out
    }

    fn note_result(
        &self,
        report: &mut ApplyReport,
        ledger: &mut Ledger,
        observed: &mut ObservedState,
        action: &Action,
        resolved: &Action,
        result: Result<Answer, Unapplied>,
    ) {
        match result {
            Ok(answer) => {
                let failures = answer.failures.clone();
                update::record(resolved, answer, observed);
                if failures.is_empty() {
                    report.applied.push(action.clone());
                } else {
                    let error = format!("partly failed: {}", failures.join("; "));
                    warn!(op = action.op(), %error, "Lattice call partly failed");
                    ledger.record(action, observed, false, &error);
                    report.failed.push(Failure { action: action.clone(), error, retryable: true });
                }
            }
            Err(Unapplied::Failed(error)) => {
                warn!(op = action.op(), error = %error.message, "Lattice call failed");
                ledger.record(action, observed, false, &error.message);
                let failure = Failure { action: action.clone(), error: error.message, retryable: error.retryable };
                report.failed.push(failure);
            }
            Err(Unapplied::Pending(reason)) => {
                ledger.record(action, observed, true, &reason);
                report.pending.push((action.clone(), reason));
            }
            Err(Unapplied::Skipped(reason)) => {
                ledger.record(action, observed, false, &reason);
                report.skipped.push((action.clone(), reason));
            }
            Err(Unapplied::Deferred) => {
                ledger.record(action, observed, true, "not started: the run's time was spent");
                report.deferred.push(action.clone());
            }
        }
    }
}

fn note_unresolved(
    report: &mut ApplyReport,
    ledger: &mut Ledger,
    observed: &ObservedState,
    action: &Action,
    unresolved: Unresolved,
) {
    match unresolved {
        Unresolved::Skip(reason) => {
            ledger.record(action, observed, false, &reason);
            report.skipped.push((action.clone(), reason));
        }
        Unresolved::Pending(reason) => {
            ledger.record(action, observed, true, &reason);
            report.pending.push((action.clone(), reason));
        }
        Unresolved::Refuse(error) => {
            warn!(op = action.op(), %error, "Refused to change a resource we do not own");
            ledger.record(action, observed, false, &error);
            report.failed.push(Failure { action: action.clone(), error, retryable: false });
        }
    }
}
