//! Fingerprint writes (the last step of a plan, see `model::plan::fingerprints`): each is sent
//! only when every other action on its service or target group applied. Actions that did not
//! apply taint their *subject* (the service or target group whose fingerprint covers them), and
//! a tainted subject's fingerprint write is skipped, or left pending when the action it waits for
//! is pending, so that the old fingerprint makes the next run read the resource in full.

use std::collections::BTreeMap;

use model::observed::ObservedState;
use model::plan::Action;
use model::plan::fingerprints::is_fingerprint;

use super::resolve::{association, service, target_group};

/// The subjects whose fingerprint must not be written this run: `(pending, reason)` by subject.
#[derive(Debug, Default)]
pub(super) struct Taints {
    subjects: BTreeMap<String, (bool, String)>,
}

impl Taints {
    /// Records that `action` did not apply.
    pub(super) fn record(&mut self, action: &Action, observed: &ObservedState, pending: bool, reason: &str) {
        if let Some(subject) = subject(action, observed) {
            let why = format!("{} on {subject} did not apply: {reason}", action.op());
            self.subjects.entry(subject).or_insert((pending, why));
        }
    }

    /// Why the fingerprint of `subject` must not be written, if it must not: `(pending, reason)`.
    pub(super) fn of(&self, subject: &str) -> Option<&(bool, String)> {
        self.subjects.get(subject)
    }
}

/// Whether `action` is a fingerprint write.
pub(super) fn is_write(action: &Action) -> bool {
    matches!(action, Action::TagResource(t) if is_fingerprint(&t.tags))
}

/// The service (`service/<name>`) or target group (`targetgroup/<name>`) whose fingerprint
/// covers `action`, named as the inventory knows it.
pub(super) fn subject(action: &Action, observed: &ObservedState) -> Option<String> {
    let svc = |identifier: &str| {
        let name = service(observed, identifier).map_or(identifier, |s| s.name.as_str());
        Some(format!("service/{name}"))
    };
    let tg = |identifier: &str| {
        let name = target_group(observed, identifier).map_or(identifier, |t| t.name.as_str());
        Some(format!("targetgroup/{name}"))
    };
    let policy = |identifier: &str| if identifier.starts_with("sn-") { None } else { svc(identifier) };
    match action {
        Action::CreateService(req) => svc(&req.name),
        Action::UpdateService(req) => svc(&req.service_identifier),
        Action::DeleteService(req) => svc(&req.service_identifier),
        Action::CreateServiceNetworkServiceAssociation(req) => svc(&req.service_identifier),
        Action::DeleteServiceNetworkServiceAssociation(req) => {
            association(observed, &req.service_network_service_association_identifier).and_then(|(s, _)| svc(&s.name))
        }
        Action::CreateListener(req) => svc(&req.service_identifier),
        Action::UpdateListener(req) => svc(&req.service_identifier),
        Action::DeleteListener(req) => svc(&req.service_identifier),
        Action::CreateRule(req) => svc(&req.service_identifier),
        Action::BatchUpdateRule(req) => svc(&req.service_identifier),
        Action::DeleteRule(req) => svc(&req.service_identifier),
        Action::PutAuthPolicy(req) => policy(&req.resource_identifier),
        Action::DeleteAuthPolicy(req) => policy(&req.resource_identifier),
        Action::CreateAccessLogSubscription(req) => policy(&req.resource_identifier),
        Action::UpdateAccessLogSubscription(req) => logged(observed, &req.access_log_subscription_identifier, svc),
        Action::DeleteAccessLogSubscription(req) => logged(observed, &req.access_log_subscription_identifier, svc),
        Action::CreateTargetGroup(req) => tg(&req.name),
        Action::UpdateTargetGroup(req) => tg(&req.target_group_identifier),
        Action::DeleteTargetGroup(req) => tg(&req.target_group_identifier),
        Action::RegisterTargets(req) | Action::DeregisterTargets(req) => tg(&req.target_group_identifier),
        Action::TagResource(req) => tagged(observed, &req.resource_arn),
        Action::UntagResource(req) => tagged(observed, &req.resource_arn),
        Action::CreateServiceNetwork(_)
        | Action::DeleteServiceNetwork(_)
        | Action::UpdateServiceNetwork(_)
        | Action::CreateServiceNetworkVpcAssociation(_)
        | Action::UpdateServiceNetworkVpcAssociation(_)
        | Action::DeleteServiceNetworkVpcAssociation(_) => None,
    }
}

/// The subject of an access log subscription: its service.
fn logged(observed: &ObservedState, id: &str, svc: impl Fn(&str) -> Option<String>) -> Option<String> {
    let subscription = observed.access_log_subscriptions.iter().find(|a| a.id == id || a.arn == id)?;
    if subscription.resource_id.starts_with("sn-") { None } else { svc(&subscription.resource_id) }
}

/// The subject of a tagged resource: the service it is or belongs to, or the target group.
fn tagged(observed: &ObservedState, arn: &str) -> Option<String> {
    if let Some(tg) = target_group(observed, arn) {
        return Some(format!("targetgroup/{}", tg.name));
    }
    let owner = observed.services.iter().find(|s| {
        s.arn == arn
            || s.name == arn
            || s.associations.iter().any(|a| a.arn == arn)
            || s.listeners.iter().any(|l| l.arn == arn || l.rules.iter().any(|r| r.arn == arn))
    })?;
    Some(format!("service/{}", owner.name))
}
