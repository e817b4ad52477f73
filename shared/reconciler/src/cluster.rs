//! The pipeline over a live cluster: read the Gateway API objects, reconcile VPC Lattice, write
//! status back — for the whole cluster or for one route.

use std::future::Future;

use k8s_openapi::jiff::Timestamp;
use model::config::Config;
use model::lattice::OwnerKey;
use model::plan::Scope;
use model::snapshot::{ClusterSnapshot, ObjectRef};
use model::status::StatusEntry;

use crate::{BoxError, LatticeReader, LatticeWriter, Mode, Report, Request, reconcile};

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
/// [`Mode::Plan`], writes the resulting status: for one route, only that route's status.
pub async fn run_cluster<C, L>(
    cluster: &C,
    lattice: &L,
    config: &Config,
    scope: &ReadScope,
    mode: Mode,
    now: Timestamp,
) -> Result<ClusterReport, ClusterError>
where
    C: ClusterSource + StatusSink,
    L: LatticeReader + LatticeWriter,
{
    let snapshot = cluster.read(scope).await.map_err(|source| ClusterError::Read { source })?;
    let read = snapshot.clone();
    let lattice_scope = match scope {
        ReadScope::All => Scope::All,
        ReadScope::Route(r) => Scope::Owners(
            [OwnerKey { kind: r.kind.clone(), namespace: r.namespace.clone(), name: r.name.clone() }].into(),
        ),
    };
    let report = reconcile(lattice, config, Request { snapshot, scope: lattice_scope, mode, now }).await?;
    let write = match mode {
        Mode::Plan => None,
        Mode::Apply => {
            let entries: Vec<StatusEntry> = report
                .translation
                .status
                .iter()
                .filter(|e| match scope {
                    ReadScope::All => true,
                    ReadScope::Route(r) => {
                        e.kind == r.kind && e.namespace.as_deref() == Some(&r.namespace) && e.name == r.name
                    }
                })
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
    Ok(ClusterReport { report, write })
}
