//! The capabilities implemented by the VPC Lattice adapter over the AWS SDK.

use std::collections::{BTreeMap, BTreeSet};

use model::certificates::ObservedCertificate;
use model::fingerprint::synthesize::Expected;
use model::imports::ImportQueries;
use model::observed::{ObservedState, ObservedTargetGroup, TargetHealth};
use model::plan::{Plan, Scope};

use crate::{ActionProblem, ApplyOutcome, BoxError, Budget, LatticeReader, LatticeWriter, TargetHealthReader};

impl LatticeReader for lattice::Lattice {
    async fn observe(
        &self,
        managed_by: &str,
        scope: &Scope,
        interesting: &BTreeSet<String>,
    ) -> Result<ObservedState, BoxError> {
        lattice::Lattice::observe(self, managed_by, scope, interesting).await.map_err(|e| Box::new(e) as BoxError)
    }

    async fn observe_expecting(
        &self,
        managed_by: &str,
        scope: &Scope,
        interesting: &BTreeSet<String>,
        expected: &Expected<'_>,
    ) -> Result<ObservedState, BoxError> {
        let observed = lattice::Lattice::observe_expecting(self, managed_by, scope, interesting, expected).await;
        observed.map_err(|e| Box::new(e) as BoxError)
    }

    async fn read_in_full(
        &self,
        managed_by: &str,
        scope: &Scope,
        arns: &[String],
        observed: &mut ObservedState,
    ) -> Result<(), BoxError> {
        let read = lattice::Lattice::read_services_in_full(self, managed_by, scope, arns, observed).await;
        read.map_err(|e| Box::new(e) as BoxError)
    }

    async fn certificates(&self) -> Result<Vec<ObservedCertificate>, BoxError> {
        lattice::Lattice::certificates(self).await.map_err(|e| Box::new(e) as BoxError)
    }

    async fn observe_imports(
        &self,
        known: &BTreeSet<String>,
        queries: &ImportQueries,
    ) -> Result<Vec<ObservedTargetGroup>, BoxError> {
        lattice::Lattice::observe_imports(self, known, queries).await.map_err(|e| Box::new(e) as BoxError)
    }
}

impl LatticeWriter for lattice::Lattice {
    async fn apply(
        &self,
        plan: &Plan,
        observed: &mut ObservedState,
        managed_by: &str,
        budget: &Budget,
    ) -> ApplyOutcome {
        let report = lattice::Lattice::apply_within(self, plan, observed, managed_by, budget).await;
        let problem = |(action, message): (model::plan::Action, String)| ActionProblem { action, message };
        ApplyOutcome {
            applied: report.applied.len(),
            failed: report.failed.into_iter().map(|f| ActionProblem { action: f.action, message: f.error }).collect(),
            skipped: report.skipped.into_iter().map(problem).collect(),
            pending: report.pending.into_iter().map(problem).collect(),
            deferred: report.deferred,
        }
    }

    fn calls(&self) -> BTreeMap<String, u64> {
        lattice::Lattice::calls(self)
    }
}

impl TargetHealthReader for lattice::Lattice {
    async fn target_health(&self, target_group_id: &str, port: i32) -> Result<Vec<TargetHealth>, BoxError> {
        lattice::Lattice::target_health(self, target_group_id, port).await.map_err(|e| Box::new(e) as BoxError)
    }
}
