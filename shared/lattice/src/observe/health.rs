//! Target health: the status `ListTargets` reports for every registered target, kept with the
//! target group at observation, and read again for one target group when a caller waits for it.

use aws_sdk_vpclattice::types as sdk;
use model::observed::TargetHealth;

use super::{PAGE_SIZE, malformed};
use crate::client::Lattice;
use crate::error::{self, Error};

/// The health of every listed target, draining ones included; a target without a port uses the
/// target group's (`default_port`).
pub(crate) fn target_health(items: &[sdk::TargetSummary], default_port: i32) -> Result<Vec<TargetHealth>, String> {
    let mut health = Vec::with_capacity(items.len());
    for item in items {
        let id = item.id().ok_or("a target without id")?;
        health.push(TargetHealth {
            id: id.to_owned(),
            port: item.port().unwrap_or(default_port),
            status: item.status().map_or("", |s| s.as_str()).to_owned(),
            reason_code: item.reason_code().map(str::to_owned),
        });
    }
    health.sort();
    Ok(health)
}

impl Lattice {
    /// `ListTargets` of the target group `target_group_id` (every page): the health of each of
    /// its targets. `default_port` is the target group's port, for targets listed without one.
    pub async fn target_health(&self, target_group_id: &str, default_port: i32) -> Result<Vec<TargetHealth>, Error> {
        let items = self.list_targets(target_group_id).await?;
        target_health(&items, default_port).map_err(|p| malformed("ListTargets", target_group_id, p))
    }

    /// Every page of `ListTargets` of one target group.
    pub(crate) async fn list_targets(&self, target_group_id: &str) -> Result<Vec<sdk::TargetSummary>, Error> {
        self.inner
            .lattice_read
            .list_targets()
            .target_group_identifier(target_group_id)
            .max_results(PAGE_SIZE)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| Error::ListTargets { target_group: target_group_id.to_owned(), source: error::lattice(e) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_keeps_its_status_and_reason() {
        let item = |id: &str, port: Option<i32>, status: sdk::TargetStatus, reason: Option<&str>| {
            sdk::TargetSummary::builder()
                .id(id)
                .set_port(port)
                .status(status)
                .set_reason_code(reason.map(Into::into))
                .build()
        };
        let items = [
            item("10.0.0.2", Some(8080), sdk::TargetStatus::Unhealthy, Some("HealthCheckFailed")),
            item("10.0.0.1", None, sdk::TargetStatus::Draining, None),
        ];
        let health = target_health(&items, 80).expect("converts");
        assert_eq!(
            health,
            [
                TargetHealth { id: "10.0.0.1".into(), port: 80, status: "DRAINING".into(), reason_code: None },
                TargetHealth {
                    id: "10.0.0.2".into(),
                    port: 8080,
                    status: "UNHEALTHY".into(),
                    reason_code: Some("HealthCheckFailed".into())
                },
            ]
        );
        let nameless = [sdk::TargetSummary::builder().build()];
        assert!(target_health(&nameless, 80).is_err());
    }
}
