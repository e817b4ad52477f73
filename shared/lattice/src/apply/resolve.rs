//! Turning a plan action into a request: names of resources created earlier in the run (or
//! found in the inventory) become ids, prerequisites are checked, and existing resources are
//! checked for our `ManagedBy` tag before they are changed.

use std::collections::{BTreeMap, BTreeSet};

use model::lattice::{ForwardAction, RuleAction, WeightedTargetGroup};
use model::names::{TAG_MANAGED_BY, Tags};
use model::observed::{
    ObservedAssociation, ObservedListener, ObservedRule, ObservedService, ObservedState, ObservedTargetGroup, is_owned,
};
use model::plan::Action;

#[path = "resolve_networks.rs"]
mod networks;

/// Why an action is not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Unresolved {
    /// A prerequisite failed or was skipped.
    Skip(String),
    /// A prerequisite is still in progress; the next run carries on.
    Pending(String),
    /// The resource is not ours: the safety net refuses to touch it.
    Refuse(String),
}

/// How a run's unfinished actions affect later ones, keyed by the resource they concern.
#[derive(Debug, Default)]
pub(super) struct Ledger {
    entries: BTreeMap<String, (bool, String)>,
    /// Target groups the plan deletes (as planned: ids of existing ones).
    doomed: BTreeSet<String>,
    /// Services and target groups whose fingerprint must not be written.
    taints: super::fingerprint::Taints,
}

impl Ledger {
    /// A ledger for `plan`: its target group deletions are known up front, so that the
    /// deregistration before a deletion waits for the same prerequisites as the deletion.
    pub(super) fn for_plan(plan: &[Action]) -> Self {
        let doomed = plan
            .iter()
            .filter_map(|a| match a {
                Action::DeleteTargetGroup(req) => Some(req.target_group_identifier.clone()),
                _ => None,
            })
            .collect();
        Self { entries: BTreeMap::new(), doomed, taints: super::fingerprint::Taints::default() }
    }

    /// Whether the plan deletes the target group with this id.
    fn is_doomed(&self, id: &str) -> bool {
        self.doomed.contains(id)
    }

    /// Records that `action` did not complete (`pending` or not) for `reason`.
    pub(super) fn record(&mut self, action: &Action, observed: &ObservedState, pending: bool, reason: &str) {
        self.taints.record(action, observed, pending, reason);
        let mut note = |key: String, what: String| {
            self.entries.entry(key).or_insert((pending, format!("{what}: {reason}")));
        };
        match action {
            Action::CreateServiceNetwork(req) => {
                note(format!("servicenetwork/{}", req.name), created("service network", &req.name))
            }
            Action::CreateService(req) => note(format!("service/{}", req.name), created("service", &req.name)),
            Action::CreateTargetGroup(req) => {
                note(format!("targetgroup/{}", req.name), created("target group", &req.name))
            }
            Action::CreateListener(req) => {
                note(format!("listener/{}/{}", req.service_identifier, req.name), created("listener", &req.name))
            }
            Action::DeleteServiceNetworkServiceAssociation(req) => {
                let id = &req.service_network_service_association_identifier;
                if let Some((service, _)) = association(observed, id) {
                    note(format!("delete-service/{}", service.id), format!("association {id} was not deleted"));
                }
            }
            Action::DeleteService(req) => {
                if let Some(service) = service(observed, &req.service_identifier) {
                    let what = format!("service {} that forwards to it was not deleted", service.name);
                    for listener in &service.listeners {
                        for tg in forwarded(listener) {
                            note(format!("delete-targetgroup/{tg}"), what.clone());
                        }
                    }
                }
            }
            Action::BatchUpdateRule(req) => {
                // Rules that may not have moved to their new target groups still use the old ones.
                if let Some(listener) =
                    service(observed, &req.service_identifier).and_then(|s| listener(s, &req.listener_identifier))
                {
                    let what = format!("a rule of listener {} was not switched away from it", listener.name);
                    let moved: BTreeSet<&str> = req.rules.iter().map(|u| u.rule_identifier.as_str()).collect();
                    for rule in listener.rules.iter().filter(|r| moved.contains(r.id.as_str())) {
                        for tg in forwarded_by(&rule.action) {
                            note(format!("delete-targetgroup/{tg}"), what.clone());
                        }
                    }
                }
            }
            Action::UpdateListener(req) => {
                if let Some(listener) =
                    service(observed, &req.service_identifier).and_then(|s| listener(s, &req.listener_identifier))
                {
                    let what = format!("listener {} was not switched away from it", listener.name);
                    for tg in forwarded_by(&listener.default_action) {
                        note(format!("delete-targetgroup/{tg}"), what.clone());
                    }
                }
            }
            Action::DeleteListener(req) => {
                if let Some(listener) =
                    service(observed, &req.service_identifier).and_then(|s| listener(s, &req.listener_identifier))
                {
                    let what = format!("listener {} that forwards to it was not deleted", listener.name);
                    for tg in forwarded(listener) {
                        note(format!("delete-targetgroup/{tg}"), what.clone());
                    }
                }
            }
            _ => {}
        }
    }

    /// The outcome for a resource the inventory lacks: why it is missing if this run knows.
    pub(super) fn missing(&self, key: &str, what: &str) -> Unresolved {
        match self.entries.get(key) {
            Some((true, reason)) => Unresolved::Pending(reason.clone()),
            Some((false, reason)) => Unresolved::Skip(reason.clone()),
            None => Unresolved::Skip(format!("{what} does not exist")),
        }
    }

    /// Whether an earlier unfinished action blocks this one.
    fn blocked(&self, key: &str) -> Result<(), Unresolved> {
        match self.entries.get(key) {
            Some((true, reason)) => Err(Unresolved::Pending(reason.clone())),
            Some((false, reason)) => Err(Unresolved::Skip(reason.clone())),
            None => Ok(()),
        }
    }
}

fn created(kind: &str, name: &str) -> String {
    format!("{kind} {name} was not created")
}

/// Target group ids a listener's default action and rules forward to.
fn forwarded(listener: &ObservedListener) -> impl Iterator<Item = &str> {
    std::iter::once(&listener.default_action).chain(listener.rules.iter().map(|r| &r.action)).flat_map(forwarded_by)
}

/// Target group ids an action forwards to.
fn forwarded_by(action: &RuleAction) -> impl Iterator<Item = &str> {
    let groups = match action {
        RuleAction::Forward(forward) => &forward.target_groups[..],
        RuleAction::FixedResponse(_) => &[],
    };
    groups.iter().map(|tg| tg.target_group_identifier.as_str())
}

fn names(identifier: &str, id: &str, arn: &str, name: &str) -> bool {
    identifier == id || identifier == arn || identifier == name
}

pub(super) fn service<'a>(observed: &'a ObservedState, identifier: &str) -> Option<&'a ObservedService> {
    observed.services.iter().find(|s| names(identifier, &s.id, &s.arn, &s.name))
}

pub(super) fn listener<'a>(service: &'a ObservedService, identifier: &str) -> Option<&'a ObservedListener> {
    service.listeners.iter().find(|l| names(identifier, &l.id, &l.arn, &l.name))
}

fn rule<'a>(listener: &'a ObservedListener, identifier: &str) -> Option<&'a ObservedRule> {
    listener.rules.iter().find(|r| names(identifier, &r.id, &r.arn, &r.name))
}

pub(super) fn target_group<'a>(observed: &'a ObservedState, identifier: &str) -> Option<&'a ObservedTargetGroup> {
    observed.target_groups.iter().find(|tg| names(identifier, &tg.id, &tg.arn, &tg.name))
}

pub(super) fn association<'a>(
    observed: &'a ObservedState,
    identifier: &str,
) -> Option<(&'a ObservedService, &'a ObservedAssociation)> {
    observed
        .services
        .iter()
        .find_map(|s| s.associations.iter().find(|a| a.id == identifier || a.arn == identifier).map(|a| (s, a)))
}

/// The tags of the resource with this ARN, with what to call it.
fn tags_of<'a>(observed: &'a ObservedState, arn: &str) -> Option<(&'a Tags, String)> {
    if let Some(sn) = observed.service_networks.iter().find(|sn| sn.arn == arn) {
        return Some((&sn.tags, format!("service network {}", sn.name)));
    }
    if let Some((_, a)) = networks::vpc_association(observed, arn) {
        return Some((&a.tags, format!("VPC association {}", a.id)));
    }
    if let Some(tg) = observed.target_groups.iter().find(|tg| tg.arn == arn) {
        return Some((&tg.tags, format!("target group {}", tg.name)));
    }
    if let Some(als) = observed.access_log_subscriptions.iter().find(|a| a.arn == arn) {
        return Some((&als.tags, format!("access log subscription {}", als.id)));
    }
    for s in &observed.services {
        if s.arn == arn {
            return Some((&s.tags, format!("service {}", s.name)));
        }
        if let Some(a) = s.associations.iter().find(|a| a.arn == arn) {
            return Some((&a.tags, format!("association {}", a.id)));
        }
        for l in &s.listeners {
            if l.arn == arn {
                return Some((&l.tags, format!("listener {}", l.name)));
            }
            if let Some(r) = l.rules.iter().find(|r| r.arn == arn) {
                return Some((&r.tags, format!("rule {}", r.name)));
            }
        }
    }
    None
}

/// Resolves actions against the inventory as it stands and the run's ledger.
pub(super) struct Resolver<'a> {
    pub(super) observed: &'a ObservedState,
    pub(super) managed_by: &'a str,
    pub(super) ledger: &'a Ledger,
}

impl<'a> Resolver<'a> {
    /// The action with every identifier replaced by an id.
    pub(super) fn resolve(&self, action: &Action) -> Result<Action, Unresolved> {
        let mut resolved = action.clone();
        match &mut resolved {
            Action::CreateServiceNetwork(_) | Action::CreateService(_) | Action::CreateTargetGroup(_) => {}
            Action::UpdateService(req) => {
                req.service_identifier = self.owned_service(&req.service_identifier)?.id.clone()
            }
            Action::DeleteService(req) => {
                let id = self.owned_service(&req.service_identifier)?.id.clone();
                self.ledger.blocked(&format!("delete-service/{id}"))?;
                req.service_identifier = id;
            }
            Action::CreateServiceNetworkServiceAssociation(req) => {
                req.service_identifier = self.owned_service(&req.service_identifier)?.id.clone();
                let network = &req.service_network_identifier;
                let found = self.observed.service_network(network);
                let found = found.ok_or_else(|| {
                    self.ledger.missing(&format!("servicenetwork/{network}"), &format!("service network {network}"))
                })?;
                req.service_network_identifier = found.id.clone();
            }
            Action::DeleteServiceNetworkServiceAssociation(req) => {
                let id = &req.service_network_service_association_identifier;
                let (_, found) = association(self.observed, id)
                    .ok_or_else(|| Unresolved::Skip(format!("association {id} does not exist")))?;
                self.check_owned(&found.tags, &format!("association {id}"))?;
                req.service_network_service_association_identifier = found.id.clone();
            }
            Action::CreateListener(req) => {
                req.service_identifier = self.owned_service(&req.service_identifier)?.id.clone();
                req.default_action = self.action(&req.default_action)?;
            }
            Action::UpdateListener(req) => {
                let (service, listener) = self.owned_listener(&req.service_identifier, &req.listener_identifier)?;
                (req.service_identifier, req.listener_identifier) = (service, listener);
                req.default_action = self.action(&req.default_action)?;
            }
            Action::DeleteListener(req) => {
                let (service, listener) = self.owned_listener(&req.service_identifier, &req.listener_identifier)?;
                (req.service_identifier, req.listener_identifier) = (service, listener);
            }
            Action::CreateRule(req) => {
                let (service, listener) = self.owned_listener(&req.service_identifier, &req.listener_identifier)?;
                (req.service_identifier, req.listener_identifier) = (service, listener);
                req.action = self.action(&req.action)?;
            }
            Action::BatchUpdateRule(req) => {
                let parent = self.listener_of(&req.service_identifier, &req.listener_identifier)?;
                self.check_owned(&parent.tags, &format!("listener {}", parent.name))?;
                for update in &mut req.rules {
                    update.rule_identifier = self.owned_rule(parent, &update.rule_identifier)?;
                    if let Some(action) = &update.action {
                        update.action = Some(self.action(action)?);
                    }
                }
                let (service, listener) = self.owned_listener(&req.service_identifier, &req.listener_identifier)?;
                (req.service_identifier, req.listener_identifier) = (service, listener);
            }
            Action::DeleteRule(req) => {
                let parent = self.listener_of(&req.service_identifier, &req.listener_identifier)?;
                req.rule_identifier = self.owned_rule(parent, &req.rule_identifier)?;
                let (service, listener) = self.owned_listener(&req.service_identifier, &req.listener_identifier)?;
                (req.service_identifier, req.listener_identifier) = (service, listener);
            }
            Action::UpdateTargetGroup(req) => {
                req.target_group_identifier = self.owned_target_group(&req.target_group_identifier)?
            }
            Action::DeleteTargetGroup(req) => {
                let id = self.owned_target_group(&req.target_group_identifier)?;
                self.ledger.blocked(&format!("delete-targetgroup/{id}"))?;
                req.target_group_identifier = id;
            }
            Action::RegisterTargets(req) => {
                req.target_group_identifier = self.owned_target_group(&req.target_group_identifier)?;
            }
            Action::DeregisterTargets(req) => {
                let id = self.owned_target_group(&req.target_group_identifier)?;
                if self.ledger.is_doomed(&id) {
                    self.ledger.blocked(&format!("delete-targetgroup/{id}"))?;
                }
                req.target_group_identifier = id;
            }
            Action::TagResource(req) if super::fingerprint::is_write(action) => {
                req.resource_arn = self.fingerprinted(action, &req.resource_arn)?;
            }
            Action::TagResource(req) => {
                let (tags, what) = tags_of(self.observed, &req.resource_arn)
                    .ok_or_else(|| Unresolved::Skip(format!("no resource has ARN {}", req.resource_arn)))?;
                self.may_tag(tags, &what, &req.tags)?
            }
            Action::UntagResource(req) => self.owned_arn(&req.resource_arn)?,
            Action::DeleteServiceNetwork(_)
            | Action::CreateServiceNetworkVpcAssociation(_)
            | Action::UpdateServiceNetworkVpcAssociation(_)
            | Action::DeleteServiceNetworkVpcAssociation(_) => self.resolve_network(&mut resolved)?,
            Action::UpdateServiceNetwork(_)
            | Action::PutAuthPolicy(_)
            | Action::DeleteAuthPolicy(_)
            | Action::CreateAccessLogSubscription(_)
            | Action::UpdateAccessLogSubscription(_)
            | Action::DeleteAccessLogSubscription(_) => self.resolve_policy(&mut resolved)?,
        }
        Ok(resolved)
    }

    pub(super) fn check_owned(&self, tags: &Tags, what: &str) -> Result<(), Unresolved> {
        if is_owned(tags, self.managed_by) {
            return Ok(());
        }
        Err(Unresolved::Refuse(format!("refused: {what} is not tagged {TAG_MANAGED_BY}={}", self.managed_by)))
    }

    fn service(&self, identifier: &str) -> Result<&'a ObservedService, Unresolved> {
        service(self.observed, identifier)
            .ok_or_else(|| self.ledger.missing(&format!("service/{identifier}"), &format!("service {identifier}")))
    }

    fn owned_service(&self, identifier: &str) -> Result<&'a ObservedService, Unresolved> {
        let found = self.service(identifier)?;
        self.check_owned(&found.tags, &format!("service {}", found.name))?;
        Ok(found)
    }

    fn listener_of(&self, service_identifier: &str, identifier: &str) -> Result<&'a ObservedListener, Unresolved> {
        let parent = self.owned_service(service_identifier)?;
        listener(parent, identifier).ok_or_else(|| {
            let key = format!("listener/{service_identifier}/{identifier}");
            self.ledger.missing(&key, &format!("listener {identifier} of service {}", parent.name))
        })
    }

    /// Ids of an owned listener and of its service.
    fn owned_listener(&self, service_identifier: &str, identifier: &str) -> Result<(String, String), Unresolved> {
        let found = self.listener_of(service_identifier, identifier)?;
        self.check_owned(&found.tags, &format!("listener {}", found.name))?;
        Ok((self.owned_service(service_identifier)?.id.clone(), found.id.clone()))
    }

    fn owned_rule(&self, parent: &ObservedListener, identifier: &str) -> Result<String, Unresolved> {
        let found = rule(parent, identifier)
            .ok_or_else(|| Unresolved::Skip(format!("rule {identifier} of listener {} does not exist", parent.name)))?;
        self.check_owned(&found.tags, &format!("rule {}", found.name))?;
        Ok(found.id.clone())
    }

    fn target_group(&self, identifier: &str) -> Result<&'a ObservedTargetGroup, Unresolved> {
        target_group(self.observed, identifier).ok_or_else(|| {
            self.ledger.missing(&format!("targetgroup/{identifier}"), &format!("target group {identifier}"))
        })
    }

    fn owned_target_group(&self, identifier: &str) -> Result<String, Unresolved> {
        let found = self.target_group(identifier)?;
        self.check_owned(&found.tags, &format!("target group {}", found.name))?;
        Ok(found.id.clone())
    }

    /// The ARN of the service or target group (named by ARN, or by name when this run created
    /// it) whose fingerprint `action` writes, unless an action it vouches for did not apply.
    fn fingerprinted(&self, action: &Action, identifier: &str) -> Result<String, Unresolved> {
        let subject = super::fingerprint::subject(action, self.observed);
        if let Some((pending, reason)) = subject.as_deref().and_then(|s| self.ledger.taints.of(s)) {
            let reason = format!("the fingerprint waits: {reason}");
            return Err(if *pending { Unresolved::Pending(reason) } else { Unresolved::Skip(reason) });
        }
        let (tags, what, arn) = if let Some(s) = service(self.observed, identifier) {
            (&s.tags, format!("service {}", s.name), &s.arn)
        } else if let Some(tg) = target_group(self.observed, identifier) {
            (&tg.tags, format!("target group {}", tg.name), &tg.arn)
        } else {
            return Err(Unresolved::Skip(format!("no service or target group {identifier}")));
        };
        self.check_owned(tags, &what)?;
        Ok(arn.clone())
    }

    fn owned_arn(&self, arn: &str) -> Result<(), Unresolved> {
        let (tags, what) =
            tags_of(self.observed, arn).ok_or_else(|| Unresolved::Skip(format!("no resource has ARN {arn}")))?;
        self.check_owned(tags, &what)
    }

    /// A rule action with its target groups named by id; each must exist.
    fn action(&self, action: &RuleAction) -> Result<RuleAction, Unresolved> {
        let RuleAction::Forward(forward) = action else {
            return Ok(action.clone());
        };
        let target_groups = forward
            .target_groups
            .iter()
            .map(|tg| {
                let found = self.target_group(&tg.target_group_identifier)?;
                Ok(WeightedTargetGroup { target_group_identifier: found.id.clone(), weight: tg.weight })
            })
            .collect::<Result<_, Unresolved>>()?;
        Ok(RuleAction::Forward(ForwardAction { target_groups }))
    }
}

#[path = "resolve_policies.rs"]
mod policies;

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod tests;
