//! The one reconcile pipeline that every Lambda function and the CLI share.
//!
//! It owns the order of work — observe VPC Lattice, translate the cluster snapshot, plan, apply,
//! compute status — and nothing else: decisions live in `model` (pure), and I/O sits behind the
//! two narrow capabilities defined here, [`LatticeReader`] and [`LatticeWriter`], which the
//! `lattice` adapter implements over the AWS SDK and tests implement in memory. It must not
//! depend on an AWS or Kubernetes client itself.
//!
//! Data flow: snapshot → names the desired state needs (and whether a route needs an ACM
//! certificate discovered) → `observe` (plus the target groups that ServiceImports in scope
//! name, `observe_imports`, and `certificates`) → `translate` (desired state and status) →
//! `plan` → `apply` (which updates the observed state with what it created) → `translate` again
//! for the status that reflects the result (DNS names, ARNs). Over a live cluster ([`run_cluster`])
//! the status is then written, the routes' external-dns records synced ([`DnsRecords`]) and the
//! readiness gates of the pods behind our target groups set from Lattice target health
//! ([`PodGates`], [`TargetHealthReader`]); pods still waiting can be checked again within a
//! bounded wait ([`recheck_readiness`]). A whole-cluster run also keeps the configuration that sends
//! new pods behind our target groups to the readiness gate webhook ([`ReadinessWebhook`]).
//!
//! Deadlines: [`reconcile_within`] and [`run_cluster_within`] pass a [`Budget`] to the apply,
//! which starts no action once it is spent. The owners of the actions not started come back in
//! [`Report::left`] for the caller to hand on (the functions put them on the queue), and their
//! status is not written by this run: it keeps what the objects carry until the run that
//! finishes their work writes it.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use k8s_openapi::jiff::Timestamp;
pub use model::budget::Budget;
use model::certificates::ObservedCertificate;
use model::config::Config;
use model::fingerprint::synthesize::{Expected, stale_services_with};
use model::imports::ImportQueries;
use model::observed::{ObservedState, ObservedTargetGroup};
pub use model::plan::owners::Leftover;
use model::plan::owners::leftover;
use model::plan::{Action, Plan, Scope, plan_with};
use model::snapshot::ClusterSnapshot;
use model::translate::{Translation, translate_after, translate_desired, translate_desired_after};

/// A boxed error from an adapter.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Reads the VPC Lattice inventory.
pub trait LatticeReader {
    /// Everything tagged with `managed_by` that belongs to `scope` (in full), the service
    /// networks with the associations of the VPC in `managed_by`, and the owners of the services
    /// and service networks named in `interesting` (so a name held by someone else can be
    /// reported, and an untagged service network adopted). A partial read is an error, never a
    /// smaller inventory.
    fn observe(
        &self,
        managed_by: &str,
        scope: &Scope,
        interesting: &BTreeSet<String>,
    ) -> impl Future<Output = Result<ObservedState, BoxError>> + Send;

    /// Like [`LatticeReader::observe`], except that owned services and target groups whose
    /// fingerprint tag matches `expected` may be built from it instead of read (their ARNs are
    /// then in [`ObservedState::unverified`]). The default reads everything in full.
    fn observe_expecting(
        &self,
        managed_by: &str,
        scope: &Scope,
        interesting: &BTreeSet<String>,
        expected: &Expected<'_>,
    ) -> impl Future<Output = Result<ObservedState, BoxError>> + Send {
        let _ = expected;
        self.observe(managed_by, scope, interesting)
    }

    /// Reads the services of `arns` (built from their fingerprint) in full into `observed`.
    /// The default has nothing to do: its [`LatticeReader::observe_expecting`] builds nothing.
    fn read_in_full(
        &self,
        managed_by: &str,
        scope: &Scope,
        arns: &[String],
        observed: &mut ObservedState,
    ) -> impl Future<Output = Result<(), BoxError>> + Send {
        let _ = (managed_by, scope, arns, observed);
        async { Ok(()) }
    }

    /// The issued ACM certificates (every key type). Read only when a route in scope needs a
    /// certificate discovered.
    fn certificates(&self) -> impl Future<Output = Result<Vec<ObservedCertificate>, BoxError>> + Send;

    /// The target groups that `queries` name, except those whose ARN is in `known` (read
    /// already): those exported under the names asked for, by any cluster (with their tags), and
    /// the external ones asked for by ARN (left out when they do not exist). See
    /// [`model::imports`].
    fn observe_imports(
        &self,
        known: &BTreeSet<String>,
        queries: &ImportQueries,
    ) -> impl Future<Output = Result<Vec<ObservedTargetGroup>, BoxError>> + Send;
}

/// Executes plans against VPC Lattice.
pub trait LatticeWriter {
    /// Runs `plan`, attempting every independent action, and updates `observed` with what
    /// changed (ids, ARNs, DNS names of created resources; removed ones). `budget` is asked
    /// before each action: once it is spent, no further action starts (one in flight completes)
    /// and the rest are reported in [`ApplyOutcome::deferred`].
    fn apply(
        &self,
        plan: &Plan,
        observed: &mut ObservedState,
        managed_by: &str,
        budget: &Budget,
    ) -> impl Future<Output = ApplyOutcome> + Send;

    /// API calls made so far, by operation name.
    fn calls(&self) -> BTreeMap<String, u64>;
}

/// An action that did not complete, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionProblem {
    /// The action.
    pub action: Action,
    /// What happened.
    pub message: String,
}

/// The result of applying a plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplyOutcome {
    /// Actions that succeeded.
    pub applied: usize,
    /// Actions that failed.
    pub failed: Vec<ActionProblem>,
    /// Actions not attempted because something they depend on failed.
    pub skipped: Vec<ActionProblem>,
    /// Actions left for the next run (e.g. a resource still being created).
    pub pending: Vec<ActionProblem>,
    /// Actions not started because the run's budget was spent (the deadline was near).
    pub deferred: Vec<Action>,
}

impl ApplyOutcome {
    /// Whether every action succeeded or is merely pending.
    pub fn is_success(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty()
    }
}

/// Plan only, or plan and apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Observe and plan; change nothing.
    Plan,
    /// Observe, plan and apply.
    Apply,
}

/// One reconcile run.
#[derive(Clone, Debug)]
pub struct Request {
    /// The cluster objects.
    pub snapshot: ClusterSnapshot,
    /// Which resources may change.
    pub scope: Scope,
    /// Plan or apply.
    pub mode: Mode,
    /// Stamps status transitions.
    pub now: Timestamp,
}

/// What one run did.
#[derive(Clone, Debug)]
pub struct Report {
    /// The inventory before any change.
    pub observed: ObservedState,
    /// The inventory after the apply, as far as the apply knows it (ids of what it created, targets it
    /// registered); the same as `observed` when nothing was applied.
    pub inventory: ObservedState,
    /// The plan.
    pub plan: Plan,
    /// The apply result (`None` for [`Mode::Plan`]).
    pub apply: Option<ApplyOutcome>,
    /// Desired state and the status to write, computed after the apply.
    pub translation: Translation,
    /// API calls made by this run, by operation name.
    pub calls: BTreeMap<String, u64>,
    /// Routes left exactly as they are because objects they depend on could not be read.
    pub protected: BTreeSet<model::lattice::OwnerKey>,
    /// The owners of the actions not started because the budget was spent: their work (and their
    /// status) is for a later run. Empty when the whole plan was attempted.
    pub left: Leftover,
    /// A mass deletion the garbage-collection safety valve refused (or the override allowed);
    /// see [`model::plan::valve`]. A refused one leaves the deletions in `plan.refused`.
    pub mass_delete: Option<model::plan::valve::MassDelete>,
}

impl Report {
    /// The mass deletion this run refused, if any (one the override allowed is not a refusal).
    pub fn refused_mass_delete(&self) -> Option<&model::plan::valve::MassDelete> {
        self.mass_delete.as_ref().filter(|m| !m.overridden)
    }
}

/// Why a run could not complete.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading the ACM certificates some route needs failed; nothing was changed.
    #[error("listing the ACM certificates failed; nothing was changed")]
    Certificates {
        /// The adapter's error.
        #[source]
        source: BoxError,
    },
    /// Reading the Lattice inventory failed; nothing was changed.
    #[error("reading the VPC Lattice inventory failed; nothing was changed")]
    Observe {
        /// The adapter's error.
        #[source]
        source: BoxError,
    },
}

/// Runs the pipeline once, with no limit on the apply.
pub async fn reconcile<L: LatticeReader + LatticeWriter>(
    lattice: &L,
    config: &Config,
    request: Request,
) -> Result<Report, Error> {
    reconcile_within(lattice, config, request, &Budget::unlimited()).await
}

/// Runs the pipeline once; the apply starts actions only while `budget` allows. The owners of
/// the actions it did not start are in [`Report::left`], and their status entries are left out
/// of the translation, so that nothing reports work that was not done.
pub async fn reconcile_within<L: LatticeReader + LatticeWriter>(
    lattice: &L,
    config: &Config,
    request: Request,
    budget: &Budget,
) -> Result<Report, Error> {
    let managed_by = config.identity.managed_by();
    let before = lattice.calls();
    let first = translate_desired(&request.snapshot, &ObservedState::default(), config, request.now);
    let interesting: BTreeSet<String> = first
        .desired
        .services
        .iter()
        .map(|s| s.name.clone())
        .chain(first.desired.service_networks.iter().filter(|n| n.tags.is_some()).map(|n| n.name.clone()))
        .collect();
    let protected = model::protect::protected_owners(&request.snapshot);
    let mut scope = narrow(request.scope.clone(), &protected);
    if scope == Scope::All && model::protect::freezes_networks(&request.snapshot) {
        tracing::warn!(
            "Left service networks and VPC associations unchanged because objects naming them could not be read"
        );
        scope = Scope::Except(BTreeSet::new());
    }
    // ACM is asked only when a route in scope has an HTTPS listener without a certificate.
    let certificates = if first.certificate_lookups.keys().any(|owner| scope.includes(Some(owner))) {
        Some(lattice.certificates().await.map_err(|source| Error::Certificates { source })?)
    } else {
        None
    };
    // What the fingerprint tags are compared with: the desired state as far as it is known
    // before the inventory is read (with the discovered certificates).
    let mut vouched = match &certificates {
        Some(c) => {
            let seen = ObservedState { certificates: Some(c.clone()), ..ObservedState::default() };
            translate_desired_after(&request.snapshot, &seen, config, request.now, first)
        }
        None => first,
    };
    let (vouched_desired, vouched_prints) = vouched.desired_with_fingerprints();
    let expected = Expected::with(vouched_desired, vouched_prints, config.verify);
    let mut observed = lattice
        .observe_expecting(&managed_by, &scope, &interesting, &expected)
        .await
        .map_err(|source| Error::Observe { source })?;
    let queries = model::imports::queries(&request.snapshot, &scope, config);
    if !queries.is_empty() {
        // Our own exported target groups are in the inventory only when their export is in scope.
        let known: BTreeSet<String> = observed.target_groups.iter().map(|tg| tg.arn.clone()).collect();
        let imported = lattice.observe_imports(&known, &queries).await.map_err(|source| Error::Observe { source })?;
        let mut ids: BTreeSet<String> = observed.target_groups.iter().map(|tg| tg.id.clone()).collect();
        for tg in imported {
            if ids.insert(tg.id.clone()) {
                observed.target_groups.push(tg);
            }
        }
    }
    observed.certificates = certificates;
    // Routes are built again only where the inventory changes what they depend on.
    let mut translation = translate_after(&request.snapshot, &observed, config, request.now, vouched);
    tracing::debug!(routes_built = translation.routes_built(), "Translated with the inventory");
    // Services vouched for by a fingerprint of a desired state that is not the final one are
    // read in full before planning (their children's ids are needed).
    let stale = stale_services_with(&observed, translation.fingerprints());
    if !stale.is_empty() {
        tracing::info!(services = stale.len(), "Reading services whose desired state changed during the run");
        lattice
            .read_in_full(&managed_by, &scope, &stale, &mut observed)
            .await
            .map_err(|source| Error::Observe { source })?;
        translation = translate_after(&request.snapshot, &observed, config, request.now, translation);
    }
    // Routes waiting for an ACM certificate keep what they have in Lattice.
    let in_scope = narrow(scope.clone(), &translation.held);
    let (desired, prints) = translation.desired_with_fingerprints();
    let plan = plan_with(desired, &observed, &in_scope, &managed_by, prints);
    let (plan, mass_delete) = model::plan::valve::guard(plan, &observed, &scope, &managed_by, &config.gc);
    match &mass_delete {
        Some(mass) if mass.overridden => tracing::warn!(
            deletions = mass.deletions,
            owned = mass.owned,
            "Deleting more than GC_MAX_DELETE_PERCENT of what we own: the mass-delete override allows it"
        ),
        Some(mass) => tracing::error!(
            deletions = mass.deletions,
            owned = mass.owned,
            max_delete_percent = mass.max_delete_percent,
            refused_calls = mass.refused_calls,
            "Refused a mass deletion: only creating and updating calls are made"
        ),
        None => {}
    }
    tracing::info!(actions = plan.actions.len(), refused = plan.refused.len(), "Planned");
    let mut left = Leftover::default();
    let (apply, translation, inventory) = match request.mode {
        Mode::Plan => (None, translation, observed.clone()),
        Mode::Apply if plan.actions.is_empty() => (Some(ApplyOutcome::default()), translation, observed.clone()),
        Mode::Apply => {
            let mut after = observed.clone();
            let outcome = lattice.apply(&plan, &mut after, &managed_by, budget).await;
            tracing::info!(
                applied = outcome.applied,
                failed = outcome.failed.len(),
                skipped = outcome.skipped.len(),
                pending = outcome.pending.len(),
                deferred = outcome.deferred.len(),
                "Applied"
            );
            let translation = translate_after(&request.snapshot, &after, config, request.now, translation);
            left = leftover(&outcome.deferred, &translation.desired, &after);
            if !left.is_empty() {
                tracing::warn!(
                    deferred = outcome.deferred.len(),
                    owners = left.owners.len(),
                    unowned = left.unowned,
                    "Left actions for a later run: the time budget was spent"
                );
            }
            (Some(outcome), translation, after)
        }
    };
    let mut translation = translation;
    translation.status.retain(|e| {
        let Some(namespace) = &e.namespace else { return true };
        let owner =
            model::lattice::OwnerKey { kind: e.kind.clone(), namespace: namespace.clone(), name: e.name.clone() };
        !protected.contains(&owner) && !left.owners.contains(&owner)
    });
    if !protected.is_empty() {
        tracing::warn!(
            routes = protected.len(),
            "Left routes unchanged because objects they depend on could not be read"
        );
    }
    let calls = difference(&lattice.calls(), &before);
    Ok(Report { observed, inventory, plan, apply, translation, calls, protected, left, mass_delete })
}

/// The scope without the protected routes.
fn narrow(scope: Scope, protected: &BTreeSet<model::lattice::OwnerKey>) -> Scope {
    if protected.is_empty() {
        return scope;
    }
    match scope {
        Scope::All => Scope::Except(protected.clone()),
        Scope::Owners(owners) => Scope::Owners(owners.difference(protected).cloned().collect()),
        Scope::Except(excluded) => Scope::Except(excluded.union(protected).cloned().collect()),
    }
}

fn difference(after: &BTreeMap<String, u64>, before: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    after
        .iter()
        .filter_map(|(op, n)| {
            let d = n.saturating_sub(before.get(op).copied().unwrap_or(0));
            (d > 0).then(|| (op.clone(), d))
        })
        .collect()
}

mod aws;
mod cluster;
mod kube;
mod readiness;

pub use cluster::{
    ClusterError, ClusterReport, ClusterSource, DnsRecords, ReadScope, ReadinessWebhook, StatusSink, WriteOutcome,
    run_cluster, run_cluster_within,
};
pub use readiness::{
    PodGates, ReadinessInputs, ReadinessOutcome, TargetHealthReader, WaitPolicy, Waiting, recheck_readiness,
    sync_readiness,
};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_deadline;
