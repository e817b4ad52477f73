//! The cluster capabilities implemented by the `cluster` crate over the Kubernetes API.

use k8s_openapi::api::core::v1::PodCondition;
use model::dns::{DnsOutcome, DnsWanted};
use model::readiness::PodGate;
use model::snapshot::{ClusterSnapshot, ObjectRef};
use model::status::StatusEntry;

use model::webhook::{WebhookOutcome, WebhookWanted};

use crate::{BoxError, ClusterSource, DnsRecords, PodGates, ReadScope, ReadinessWebhook, StatusSink, WriteOutcome};

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

impl DnsRecords for cluster::Cluster {
    async fn sync_dns(&self, wanted: &[DnsWanted], dry_run: bool) -> DnsOutcome {
        self.sync_dns_endpoints(wanted, dry_run).await
    }
}

impl PodGates for cluster::Cluster {
    async fn pod_gate(&self, pod: &ObjectRef) -> Result<Option<PodGate>, BoxError> {
        cluster::Cluster::pod_gate(self, pod).await.map_err(|e| Box::new(e) as BoxError)
    }

    async fn set_pod_gate(&self, gate: &PodGate, condition: &PodCondition) -> Result<bool, BoxError> {
        cluster::Cluster::set_pod_gate(self, gate, condition).await.map_err(|e| Box::new(e) as BoxError)
    }
}

impl ReadinessWebhook for cluster::Cluster {
    async fn sync_webhook(&self, wanted: &WebhookWanted, dry_run: bool) -> WebhookOutcome {
        self.sync_readiness_webhook(wanted, dry_run).await
    }
}
