//! The pipeline over a live cluster: read the Gateway API objects, reconcile VPC Lattice, write
//! status back, keep the routes' external-dns records and the pods' readiness gates in step — for the
//! whole cluster or for one route — and, for the whole cluster, the readiness gate webhook's
//! configuration.

use std::future::Future;

use k8s_openapi::jiff::Timestamp;
use model::config::Config;
use model::dns::{DnsOutcome, DnsWanted};
use model::lattice::OwnerKey;
use model::plan::Scope;
use model::snapshot::{ClusterSnapshot, ObjectRef};
use model::status::StatusEntry;
use model::webhook::{WebhookOutcome, WebhookWanted};

use crate::readiness::{PodGates, ReadinessInputs, ReadinessOutcome, TargetHealthReader, sync_readiness};
use crate::{BoxError, Budget, LatticeReader, LatticeWriter, Mode, Report, Request, difference, reconcile_within};

/// What to read from the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadScope {
    /// Everything translation reads, complete or not at all.
    All,
    /// One route and only what it needs (its parents, backends, grants, namespace).
    Route(ObjectRef),
}

/// Reads the cluster.
pub trait ClusterSource {
    /// A snapshot of `scope`. A failed or partial listing is an error, never a smaller snapshot:
    /// Lattice resources are deleted for a missing route only after a complete read.
    fn read(&self, scope: &ReadScope) -> impl Future<Output = Result<ClusterSnapshot, BoxError>> + Send;
}

/// Writes status and annotations back.
pub trait StatusSink {
    /// Writes each entry (status subresource, then annotations); one object's failure never
    /// stops the others. `read` is the snapshot the entries were computed from: entries it
    /// already carries need no request.
    fn write(&self, entries: &[StatusEntry], read: &ClusterSnapshot) -> impl Future<Output = WriteOutcome> + Send;
}

/// Keeps the external-dns `DNSEndpoint`s of routes with a custom domain name.
pub trait DnsRecords {
    /// Creates, updates or deletes each route's record as `wanted` says, never touching an object that
    /// is not ours; with `dry_run` only reports what it would do. Nothing happens (and
    /// [`DnsOutcome::served`] is false) where the cluster does not serve `DNSEndpoint`s.
    fn sync_dns(&self, wanted: &[DnsWanted], dry_run: bool) -> impl Future<Output = DnsOutcome> + Send;
}

/// Keeps the readiness gate webhook's `MutatingWebhookConfiguration`.
pub trait ReadinessWebhook {
    /// Creates, replaces or deletes the configuration as `wanted` says, never touching one that is not
    /// ours; with `dry_run` only reports what it would do. [`WebhookWanted::Unmanaged`] does nothing.
    fn sync_webhook(&self, wanted: &WebhookWanted, dry_run: bool) -> impl Future<Output = WebhookOutcome> + Send;
}

/// What a status write did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteOutcome {
    /// Objects whose status or annotations changed.
    pub written: Vec<ObjectRef>,
    /// Objects that already carried the status (only timestamps would have changed).
    pub unchanged: Vec<ObjectRef>,
    /// Objects whose write failed, with the reason.
    pub failed: Vec<(ObjectRef, String)>,
}

/// The result of one run against a cluster.
#[derive(Debug)]
pub struct ClusterReport {
    /// The Lattice side.
    pub report: Report,
    /// The status write (`None` for a dry run).
    pub write: Option<WriteOutcome>,
    /// The routes' `DNSEndpoint`s (for a dry run: what would change).
    pub dns: DnsOutcome,
    /// The pods' readiness gates (for a dry run: what would be written); `waiting` lists the gated pods
    /// still not ready, for [`crate::recheck_readiness`].
    pub readiness: ReadinessOutcome,
    /// The readiness gate webhook's configuration (whole-cluster runs only; for a dry run: what would
    /// change).
    pub webhook: WebhookOutcome,
}

/// Why a run against a cluster could not complete.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// Reading the cluster failed; nothing was changed.
    #[error("reading the cluster failed; nothing was changed")]
    Read {
        /// The source's error.
        #[source]
        source: BoxError,
    },
    /// The Lattice side failed.
    #[error(transparent)]
    Reconcile(#[from] crate::Error),
}

/// Reads the cluster (all of it, or one route), reconciles VPC Lattice and, unless `mode` is
/// [`Mode::Plan`], writes the resulting status (for one route, only that route's status), then syncs
/// the routes' `DNSEndpoint`s and sets the readiness gates of the pods behind them; a whole-cluster run
/// also keeps the readiness gate webhook's configuration as `config.readiness_webhook` says. A dry run
/// reads and reports what those steps would write.
pub async fn run_cluster<C, L>(
    cluster: &C,
    lattice: &L,
    config: &Config,
    scope: &ReadScope,
    mode: Mode,
    now: Timestamp,
) -> Result<ClusterReport, ClusterError>
where
    C: ClusterSource + StatusSink + DnsRecords + PodGates + ReadinessWebhook,
    L: LatticeReader + LatticeWriter + TargetHealthReader,
{
    run_cluster_within(cluster, lattice, config, scope, mode, now, &Budget::unlimited()).await
}

/// [`run_cluster`] whose apply starts actions only while `budget` allows (see
/// [`crate::reconcile_within`]): the routes whose work was left ([`Report::left`]) keep the status
/// they carry, and the report says whose work a later run must finish.
pub async fn run_cluster_within<C, L>(
    cluster: &C,
    lattice: &L,
    config: &Config,
    scope: &ReadScope,
    mode: Mode,
    now: Timestamp,
    budget: &Budget,
) -> Result<ClusterReport, ClusterError>
where
    C: ClusterSource + StatusSink + DnsRecords + PodGates + ReadinessWebhook,
    L: LatticeReader + LatticeWriter + TargetHealthReader,
{
    let before = lattice.calls();
    let snapshot = cluster.read(scope).await.map_err(|source| ClusterError::Read { source })?;
    let read = snapshot.clone();
    let lattice_scope = match scope {
        ReadScope::All => Scope::All,
        ReadScope::Route(r) => Scope::Owners(
            [OwnerKey { kind: r.kind.clone(), namespace: r.namespace.clone(), name: r.name.clone() }].into(),
        ),
    };
    let mut report =
        reconcile_within(lattice, config, Request { snapshot, scope: lattice_scope, mode, now }, budget).await?;
    let in_scope = |kind: &str, namespace: &str, name: &str| match scope {
        ReadScope::All => true,
        ReadScope::Route(r) => kind == r.kind && namespace == r.namespace && name == r.name,
    };
    let write = match mode {
        Mode::Plan => None,
        Mode::Apply => {
            let entries: Vec<StatusEntry> = report
                .translation
                .status
                .iter()
                .filter(|e| in_scope(&e.kind, e.namespace.as_deref().unwrap_or(""), &e.name))
                .cloned()
                .collect();
            let outcome = cluster.write(&entries, &read).await;
            tracing::info!(
                written = outcome.written.len(),
                unchanged = outcome.unchanged.len(),
                failed = outcome.failed.len(),
                "Wrote status"
            );
            Some(outcome)
        }
    };
    let wanted: Vec<DnsWanted> = model::dns::wanted(&read, &report.translation)
        .into_iter()
        .filter(|w| in_scope(&w.route.kind, &w.route.namespace, &w.route.name))
        .collect();
    let dns = cluster.sync_dns(&wanted, mode == Mode::Plan).await;
    let changed = report.apply.as_ref().is_some_and(|a| a.applied > 0);
    let inputs = ReadinessInputs {
        snapshot: &read,
        desired: &report.translation.desired,
        inventory: &report.inventory,
        changed,
    };
    let readiness = sync_readiness(cluster, lattice, inputs, mode, now).await;
    let webhook = match scope {
        ReadScope::All => {
            let wanted = model::webhook::wanted(&read, &report.translation.desired, &config.readiness_webhook);
            cluster.sync_webhook(&wanted, mode == Mode::Plan).await
        }
        ReadScope::Route(_) => WebhookOutcome::default(),
    };
    report.calls = difference(&lattice.calls(), &before);
    Ok(ClusterReport { report, write, dns, readiness, webhook })
}
