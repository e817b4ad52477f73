//! Bringing the inventory up to date after a call succeeded, the way `model::plan::memory` does,
//! but with the ids, ARNs, DNS names and statuses Lattice answered.

use std::collections::BTreeSet;

use model::lattice::{RuleAction, RuleMatch, Target, TargetGroupConfig};
use model::observed::{
    ObservedAssociation, ObservedListener, ObservedRule, ObservedService, ObservedServiceNetwork, ObservedState,
    ObservedTargetGroup,
};
use model::plan::Action;

#[path = "update_networks.rs"]
mod networks;

/// What a successful call answered that the inventory needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Answer {
    /// Id of a created resource.
    pub(super) id: String,
    /// ARN of a created resource.
    pub(super) arn: String,
    /// Status of a created resource, when it has one.
    pub(super) status: Option<String>,
    /// DNS name of a created service or association.
    pub(super) dns_name: Option<String>,
    /// Configuration of a created or updated target group, defaults filled in.
    pub(super) config: Option<TargetGroupConfig>,
    /// Targets a (de)registration handled, or rule ids a batch updated.
    pub(super) done: Vec<String>,
    /// What the call reported as failed for some items (partial success).
    pub(super) failures: Vec<String>,
}

/// Applies `action` (resolved: identifiers are ids) and its answer to `observed`.
pub(super) fn record(action: &Action, answer: Answer, observed: &mut ObservedState) {
    if super::policies::record_policy(action, &answer, observed) {
        return;
    }
    // The ARN of a service whose forwarding may change, known before a deletion removes it.
    let user =
        forwarding_service(action).and_then(|id| observed.services.iter().find(|s| s.id == id)).map(|s| s.arn.clone());
    match action {
        Action::CreateServiceNetwork(req) => observed.service_networks.push(ObservedServiceNetwork {
            id: answer.id,
            arn: answer.arn,
            name: req.name.clone(),
            tags: req.tags.clone(),
            ..ObservedServiceNetwork::default()
        }),
        Action::CreateService(req) => observed.services.push(ObservedService {
            id: answer.id,
            arn: answer.arn,
            name: req.name.clone(),
            custom_domain_name: req.custom_domain_name.clone(),
            certificate_arn: req.certificate_arn.clone(),
            dns_name: answer.dns_name,
            status: answer.status.unwrap_or_default(),
            tags: req.tags.clone(),
            associations: Vec::new(),
            listeners: Vec::new(),
        }),
        Action::UpdateService(req) => {
            if let Some(service) = service_mut(observed, &req.service_identifier)
                && req.certificate_arn.is_some()
            {
                service.certificate_arn.clone_from(&req.certificate_arn);
            }
        }
        Action::DeleteService(req) => observed.services.retain(|s| s.id != req.service_identifier),
        Action::CreateServiceNetworkServiceAssociation(req) => {
            let network = observed.service_network(&req.service_network_identifier).map(|sn| sn.name.clone());
            if let Some(service) = service_mut(observed, &req.service_identifier) {
                service.associations.push(ObservedAssociation {
                    id: answer.id,
                    arn: answer.arn,
                    service_network_id: req.service_network_identifier.clone(),
                    service_network_name: network.unwrap_or_default(),
                    status: answer.status.unwrap_or_default(),
                    tags: req.tags.clone(),
                });
            }
        }
        Action::DeleteServiceNetworkServiceAssociation(req) => {
            let id = &req.service_network_service_association_identifier;
            for service in &mut observed.services {
                service.associations.retain(|a| a.id != *id);
            }
        }
        Action::CreateListener(req) => {
            if let Some(service) = service_mut(observed, &req.service_identifier) {
                service.listeners.push(ObservedListener {
                    id: answer.id,
                    arn: answer.arn,
                    name: req.name.clone(),
                    protocol: req.protocol,
                    port: req.port,
                    default_action: req.default_action.clone(),
                    tags: req.tags.clone(),
                    rules: Vec::new(),
                });
            }
        }
        Action::UpdateListener(req) => {
            if let Some(listener) = listener_mut(observed, &req.service_identifier, &req.listener_identifier) {
                listener.default_action = req.default_action.clone();
            }
        }
        Action::DeleteListener(req) => {
            if let Some(service) = service_mut(observed, &req.service_identifier) {
                service.listeners.retain(|l| l.id != req.listener_identifier);
            }
        }
        Action::CreateRule(req) => {
            if let Some(listener) = listener_mut(observed, &req.service_identifier, &req.listener_identifier) {
                let RuleMatch::HttpMatch(matcher) = &req.matcher;
                listener.rules.push(ObservedRule {
                    id: answer.id,
                    arn: answer.arn,
                    name: req.name.clone(),
                    priority: req.priority,
                    matcher: matcher.clone(),
                    action: req.action.clone(),
                    tags: req.tags.clone(),
                });
            }
        }
        Action::BatchUpdateRule(req) => {
            if let Some(listener) = listener_mut(observed, &req.service_identifier, &req.listener_identifier) {
                for update in req.rules.iter().filter(|u| answer.done.contains(&u.rule_identifier)) {
                    let Some(rule) = listener.rules.iter_mut().find(|r| r.id == update.rule_identifier) else {
                        continue;
                    };
                    if let Some(RuleMatch::HttpMatch(matcher)) = &update.matcher {
                        rule.matcher = matcher.clone();
                    }
                    if let Some(priority) = update.priority {
                        rule.priority = priority;
                    }
                    if let Some(action) = &update.action {
                        rule.action = action.clone();
                    }
                }
            }
        }
        Action::DeleteRule(req) => {
            if let Some(listener) = listener_mut(observed, &req.service_identifier, &req.listener_identifier) {
                listener.rules.retain(|r| r.id != req.rule_identifier);
            }
        }
        Action::CreateTargetGroup(req) => observed.target_groups.push(ObservedTargetGroup {
            id: answer.id,
            arn: answer.arn,
            name: req.name.clone(),
            kind: req.kind,
            config: answer.config.unwrap_or_else(|| req.config.clone()),
            status: answer.status.unwrap_or_default(),
            tags: req.tags.clone(),
            service_arns: Vec::new(),
            targets: Vec::new(),
            health: Vec::new(),
        }),
        Action::UpdateTargetGroup(req) => {
            if let Some(tg) = observed.target_groups.iter_mut().find(|tg| tg.id == req.target_group_identifier) {
                let answered = answer.config.and_then(|c| c.health_check);
                tg.config.health_check = Some(answered.unwrap_or_else(|| req.health_check.clone()));
            }
        }
        Action::DeleteTargetGroup(req) => observed.target_groups.retain(|tg| tg.id != req.target_group_identifier),
        Action::RegisterTargets(req) | Action::DeregisterTargets(req) => {
            let register = matches!(action, Action::RegisterTargets(_));
            if let Some(tg) = observed.target_groups.iter_mut().find(|tg| tg.id == req.target_group_identifier) {
                let done: Vec<&Target> = req.targets.iter().filter(|t| answer.done.contains(&target_key(t))).collect();
                let mut targets: BTreeSet<Target> = tg.targets.drain(..).collect();
                for target in done {
                    if register {
                        targets.insert(target.clone());
                    } else {
                        targets.remove(target);
                    }
                }
                tg.targets = targets.into_iter().collect();
            }
        }
        Action::TagResource(req) => {
            if let Some(tags) = tags_mut(observed, &req.resource_arn) {
                tags.extend(req.tags.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        Action::UntagResource(req) => {
            if let Some(tags) = tags_mut(observed, &req.resource_arn) {
                tags.retain(|k, _| !req.tag_keys.contains(k));
            }
        }
        Action::UpdateServiceNetwork(_)
        | Action::PutAuthPolicy(_)
        | Action::DeleteAuthPolicy(_)
        | Action::CreateAccessLogSubscription(_)
        | Action::UpdateAccessLogSubscription(_)
        | Action::DeleteAccessLogSubscription(_) => {}
        Action::DeleteServiceNetwork(_)
        | Action::CreateServiceNetworkVpcAssociation(_)
        | Action::UpdateServiceNetworkVpcAssociation(_)
        | Action::DeleteServiceNetworkVpcAssociation(_) => networks::record(action, answer, observed),
    }
    if let Some(arn) = user {
        refresh_users(observed, &arn);
    }
}

/// The service whose forwarding `action` can change (which target groups its listeners and
/// rules use), by id.
fn forwarding_service(action: &Action) -> Option<&str> {
    match action {
        Action::DeleteService(req) => Some(&req.service_identifier),
        Action::CreateListener(req) => Some(&req.service_identifier),
        Action::UpdateListener(req) => Some(&req.service_identifier),
        Action::DeleteListener(req) => Some(&req.service_identifier),
        Action::CreateRule(req) => Some(&req.service_identifier),
        Action::BatchUpdateRule(req) => Some(&req.service_identifier),
        Action::DeleteRule(req) => Some(&req.service_identifier),
        _ => None,
    }
}

/// How a handled target is named in [`Answer::done`].
pub(super) fn target_key(target: &Target) -> String {
    format!("{}:{}", target.id, target.port)
}

fn service_mut<'a>(observed: &'a mut ObservedState, id: &str) -> Option<&'a mut ObservedService> {
    observed.services.iter_mut().find(|s| s.id == id)
}

fn listener_mut<'a>(observed: &'a mut ObservedState, service: &str, id: &str) -> Option<&'a mut ObservedListener> {
    service_mut(observed, service)?.listeners.iter_mut().find(|l| l.id == id)
}

fn tags_mut<'a>(observed: &'a mut ObservedState, arn: &str) -> Option<&'a mut model::names::Tags> {
    if let Some(tags) = networks::tags_mut(&mut observed.service_networks, arn) {
        return Some(tags);
    }
    if let Some(tg) = observed.target_groups.iter_mut().find(|tg| tg.arn == arn) {
        return Some(&mut tg.tags);
    }
    if let Some(als) = observed.access_log_subscriptions.iter_mut().find(|a| a.arn == arn) {
        return Some(&mut als.tags);
    }
    observed.services.iter_mut().find_map(|s| {
        if s.arn == arn {
            return Some(&mut s.tags);
        }
        if let Some(a) = s.associations.iter_mut().find(|a| a.arn == arn) {
            return Some(&mut a.tags);
        }
        s.listeners.iter_mut().find_map(|l| {
            if l.arn == arn {
                return Some(&mut l.tags);
            }
            l.rules.iter_mut().find(|r| r.arn == arn).map(|r| &mut r.tags)
        })
    })
}

/// Brings every target group's `service_arns` up to date for the service `arn` after a change
/// to its listeners or rules (or its deletion): listed where it forwards now, unlisted elsewhere.
/// One pass over the target groups and that service's rules, not over every service.
fn refresh_users(observed: &mut ObservedState, arn: &str) {
    let used: BTreeSet<&str> = observed
        .services
        .iter()
        .find(|s| s.arn == arn)
        .into_iter()
        .flat_map(|s| &s.listeners)
        .flat_map(|l| std::iter::once(&l.default_action).chain(l.rules.iter().map(|r| &r.action)))
        .flat_map(|action| match action {
            RuleAction::Forward(forward) => forward.target_groups.as_slice(),
            RuleAction::FixedResponse(_) => &[],
        })
        .map(|tg| tg.target_group_identifier.as_str())
        .collect();
    for tg in &mut observed.target_groups {
        let uses = used.contains(tg.id.as_str());
        let listed = tg.service_arns.iter().any(|a| a == arn);
        if uses && !listed {
            tg.service_arns.push(arn.to_owned());
        } else if !uses && listed {
            tg.service_arns.retain(|a| a != arn);
        }
    }
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
