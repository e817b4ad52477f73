//! The cluster capabilities implemented by the `cluster` crate over the Kubernetes API.

use model::snapshot::ClusterSnapshot;
use model::status::StatusEntry;

use crate::{BoxError, ClusterSource, ReadScope, StatusSink, WriteOutcome};

impl ClusterSource for cluster::Cluster {
    async fn read(&self, scope: &ReadScope) -> Result<ClusterSnapshot, BoxError> {
        let result = match scope {
            ReadScope::All => self.snapshot().await,
            ReadScope::Route(route) => self.snapshot_for_route(route).await,
        }
        .map_err(|e| Box::new(e) as BoxError)?;
        for (object, problem) in &result.unreadable {
            tracing::warn!(%object, %problem, "Could not read object");
        }
        Ok(result.snapshot)
    }
}

impl StatusSink for cluster::Cluster {
    async fn write(&self, entries: &[StatusEntry], read: &ClusterSnapshot) -> WriteOutcome {
        let pending = cluster::pending_status(entries, read);
        let report = self.write_status(&pending).await;
        let mut unchanged = report.unchanged;
        unchanged.extend(report.stale);
        unchanged.extend(report.gone);
        unchanged.extend(
            entries
                .iter()
                .filter(|e| !pending.contains(e))
                .map(|e| model::snapshot::ObjectRef::new(&e.kind, e.namespace.as_deref().unwrap_or(""), &e.name)),
        );
        WriteOutcome { written: report.written, unchanged, failed: report.failed }
    }
}
