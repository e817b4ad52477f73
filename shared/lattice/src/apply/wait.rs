//! Waiting out resources that are still `*_IN_PROGRESS`.
//!
//! Lattice answers `ConflictException` when an action touches a resource that is still being
//! created or deleted (registering targets in a target group still `CREATE_IN_PROGRESS`,
//! deleting a service whose association is still `DELETE_IN_PROGRESS`, creating a service whose
//! name is still held by the one a replacement deleted, ...). Such an action is
//! retried with a short backoff while the resource in the way (polled with a cheap `Get`) is in
//! progress, for at most `pending_wait`; then it is left *pending* for the next run. Any other
//! conflict is a failure.

use std::time::Duration;

use model::lattice::RuleAction;
use model::plan::Action;
use tokio::time::Instant;

use super::execute::CallError;
use super::token::Run;
use super::update::Answer;
use crate::client::Lattice;

/// First pause between polls; it doubles up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(100);
/// Longest pause between polls.
const MAX_POLL: Duration = Duration::from_secs(1);

/// Why an action did not apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Unapplied {
    /// The call failed.
    Failed(CallError),
    /// A resource stayed in progress for the whole wait.
    Pending(String),
    /// The action was not sent.
    Skipped(String),
    /// The action was not started: the run's budget was spent.
    Deferred,
}

fn busy(status: Option<&str>) -> bool {
    status.is_some_and(|s| s.ends_with("_IN_PROGRESS"))
}

fn forwarded(action: &RuleAction) -> Vec<String> {
    match action {
        RuleAction::Forward(forward) => {
            forward.target_groups.iter().map(|tg| tg.target_group_identifier.clone()).collect()
        }
        RuleAction::FixedResponse(_) => Vec::new(),
    }
}

impl Lattice {
    /// Calls `action`, waiting out conflicts with resources in progress.
    pub(super) async fn perform(&self, action: &Action, run: Run) -> Result<Answer, Unapplied> {
        let wait = self.config().pending_wait;
        let deadline = Instant::now() + wait;
        let mut pause = FIRST_POLL;
        loop {
            let error = match self.call(action, run).await {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            if !error.conflict || !(error.says_in_progress() || self.in_progress(action).await) {
                return Err(Unapplied::Failed(error));
            }
            loop {
                if Instant::now() + pause > deadline {
                    let reason = format!("{} (still in progress after waiting {wait:?})", error.message);
                    return Err(Unapplied::Pending(reason));
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_POLL);
                if !self.in_progress(action).await {
                    break;
                }
            }
        }
    }

    /// Whether a resource the action needs is in a `*_IN_PROGRESS` state now. Unknown (a failed
    /// read, or no resource to ask about) counts as not in progress.
    async fn in_progress(&self, action: &Action) -> bool {
        match action {
            Action::RegisterTargets(req) | Action::DeregisterTargets(req) => {
                self.target_group_busy(&req.target_group_identifier, false).await
            }
            Action::UpdateTargetGroup(req) => self.target_group_busy(&req.target_group_identifier, false).await,
            Action::DeleteTargetGroup(req) => self.target_group_busy(&req.target_group_identifier, true).await,
            Action::DeleteServiceNetworkServiceAssociation(req) => {
                let id = &req.service_network_service_association_identifier;
                let call = self.inner.lattice.get_service_network_service_association();
                let out = call.service_network_service_association_identifier(id).send().await;
                out.is_ok_and(|a| busy(a.status().map(|s| s.as_str())))
            }
            Action::DeleteService(req) => {
                let id = &req.service_identifier;
                if self.service_busy(id).await {
                    return true;
                }
                let call = self.inner.lattice.list_service_network_service_associations().service_identifier(id);
                let out = call.send().await;
                out.is_ok_and(|o| o.items().iter().any(|a| busy(a.status().map(|s| s.as_str()))))
            }
            Action::CreateListener(req) => self.any_busy(&req.service_identifier, forwarded(&req.default_action)).await,
            Action::UpdateListener(req) => self.any_busy(&req.service_identifier, forwarded(&req.default_action)).await,
            Action::CreateRule(req) => self.any_busy(&req.service_identifier, forwarded(&req.action)).await,
            Action::BatchUpdateRule(req) => {
                let groups = req.rules.iter().filter_map(|r| r.action.as_ref()).flat_map(forwarded).collect();
                self.any_busy(&req.service_identifier, groups).await
            }
            Action::UpdateService(req) => self.service_busy(&req.service_identifier).await,
            Action::CreateServiceNetworkServiceAssociation(req) => self.service_busy(&req.service_identifier).await,
            Action::DeleteListener(req) => self.service_busy(&req.service_identifier).await,
            Action::DeleteRule(req) => self.service_busy(&req.service_identifier).await,
            Action::PutAuthPolicy(req) => self.resource_busy(&req.resource_identifier).await,
            Action::DeleteAuthPolicy(req) => self.resource_busy(&req.resource_identifier).await,
            Action::CreateAccessLogSubscription(req) => self.resource_busy(&req.resource_identifier).await,
            Action::CreateServiceNetworkVpcAssociation(req) => {
                let call = self.inner.lattice.list_service_network_vpc_associations();
                let out = call.vpc_identifier(&req.vpc_identifier).send().await;
                out.is_ok_and(|o| o.items().iter().any(|a| busy(a.status().map(|s| s.as_str()))))
            }
            Action::UpdateServiceNetworkVpcAssociation(req) => {
                self.vpc_association_busy(&req.service_network_vpc_association_identifier).await
            }
            Action::DeleteServiceNetworkVpcAssociation(req) => {
                self.vpc_association_busy(&req.service_network_vpc_association_identifier).await
            }
            Action::DeleteServiceNetwork(req) => {
                let id = &req.service_network_identifier;
                let vpcs = self.inner.lattice.list_service_network_vpc_associations().service_network_identifier(id);
                let services =
                    self.inner.lattice.list_service_network_service_associations().service_network_identifier(id);
                let (vpcs, services) = tokio::join!(vpcs.send(), services.send());
                vpcs.is_ok_and(|o| o.items().iter().any(|a| busy(a.status().map(|s| s.as_str()))))
                    || services.is_ok_and(|o| o.items().iter().any(|a| busy(a.status().map(|s| s.as_str()))))
            }
            Action::CreateService(req) => self.service_name_busy(&req.name).await,
            Action::CreateServiceNetwork(_)
            | Action::CreateTargetGroup(_)
            | Action::TagResource(_)
            | Action::UntagResource(_)
            | Action::UpdateServiceNetwork(_)
            | Action::UpdateAccessLogSubscription(_)
            | Action::DeleteAccessLogSubscription(_) => false,
        }
    }

    /// Whether the service an auth policy or subscription is on is in progress (service
    /// networks have no lifecycle).
    async fn resource_busy(&self, id: &str) -> bool {
        !super::policies::is_network(id) && self.service_busy(id).await
    }

    async fn vpc_association_busy(&self, id: &str) -> bool {
        let call = self.inner.lattice.get_service_network_vpc_association();
        let out = call.service_network_vpc_association_identifier(id).send().await;
        out.is_ok_and(|a| busy(a.status().map(|s| s.as_str())))
    }

    /// Whether a service of this name is in progress (still being deleted, so the name is taken).
    async fn service_name_busy(&self, name: &str) -> bool {
        let listing = self.inner.lattice.list_services().max_results(100).into_paginator().items().send();
        let services = listing.collect::<Result<Vec<_>, _>>().await;
        services.is_ok_and(|s| s.iter().any(|s| s.name() == Some(name) && busy(s.status().map(|s| s.as_str()))))
    }

    async fn service_busy(&self, id: &str) -> bool {
        let out = self.inner.lattice.get_service().service_identifier(id).send().await;
        out.is_ok_and(|s| busy(s.status().map(|s| s.as_str())))
    }

    /// Whether the service or any of the target groups is in progress.
    async fn any_busy(&self, service: &str, target_groups: Vec<String>) -> bool {
        if self.service_busy(service).await {
            return true;
        }
        for tg in target_groups {
            if self.target_group_busy(&tg, false).await {
                return true;
            }
        }
        false
    }

    /// Whether the target group is in progress, or (with `users`) a service using it is.
    async fn target_group_busy(&self, id: &str, users: bool) -> bool {
        let Ok(tg) = self.inner.lattice.get_target_group().target_group_identifier(id).send().await else {
            return false;
        };
        if busy(tg.status().map(|s| s.as_str())) {
            return true;
        }
        if users {
            for service in tg.service_arns() {
                if self.service_busy(service).await {
                    return true;
                }
            }
        }
        false
    }
}
