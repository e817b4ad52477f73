//! What each action does to the in-memory Lattice.

use std::collections::BTreeSet;

use crate::observed::{
    ObservedAssociation, ObservedListener, ObservedRule, ObservedService, ObservedServiceNetwork, ObservedTargetGroup,
};
use crate::plan::action::{
    Action, BatchUpdateRule, CreateListener, CreateRule, CreateService, CreateServiceNetworkServiceAssociation,
    CreateTargetGroup, MAX_RULES_PER_BATCH, MAX_TARGETS_PER_CALL, Targets,
};

use super::resolve::Lattice;
use super::{MemoryError, arn, dns_name, forward_ids, tag};

const ACTIVE: &str = "ACTIVE";

impl Lattice<'_> {
    /// Performs one action.
    pub(super) fn perform(&mut self, action: &Action) -> Result<(), MemoryError> {
        match action {
            Action::CreateServiceNetwork(req) => {
                if self.service_network(&req.name).is_ok() {
                    return Err(self.conflict("service network", &req.name, "name is taken"));
                }
                let id = self.ids.next_id("sn");
                self.state.service_networks.push(ObservedServiceNetwork {
                    arn: arn("servicenetwork", &id),
                    id,
                    name: req.name.clone(),
                    tags: req.tags.clone(),
                    ..ObservedServiceNetwork::default()
                });
            }
            Action::CreateService(req) => self.create_service(req)?,
            Action::UpdateService(req) => {
                let svc = self.service_mut(&req.service_identifier)?;
                if req.certificate_arn.is_some() {
                    svc.certificate_arn.clone_from(&req.certificate_arn);
                }
            }
            Action::DeleteService(req) => {
                let i = self.service(&req.service_identifier)?;
                if !self.state.services[i].associations.is_empty() {
                    let reason = "associated with a service network";
                    return Err(self.conflict("service", &req.service_identifier, reason));
                }
                self.state.services.remove(i);
            }
            Action::CreateServiceNetworkServiceAssociation(req) => self.associate(req)?,
            Action::DeleteServiceNetworkServiceAssociation(req) => {
                let id = &req.service_network_service_association_identifier;
                let removed = self.state.services.iter_mut().any(|svc| {
                    let before = svc.associations.len();
                    svc.associations.retain(|a| a.id != *id && a.arn != *id);
                    svc.associations.len() != before
                });
                if !removed {
                    return Err(self.not_found("service network service association", id));
                }
            }
            Action::CreateListener(req) => self.create_listener(req)?,
            Action::UpdateListener(req) => {
                let action = self.resolve_action(&req.default_action)?;
                let listener = self.listener_mut(&req.service_identifier, &req.listener_identifier)?;
                listener.default_action = action;
            }
            Action::DeleteListener(req) => {
                let (s, l) = self.listener(&req.service_identifier, &req.listener_identifier)?;
                self.state.services[s].listeners.remove(l);
            }
            Action::CreateRule(req) => self.create_rule(req)?,
            Action::BatchUpdateRule(req) => self.update_rules(req)?,
            Action::DeleteRule(req) => {
                let (s, l) = self.listener(&req.service_identifier, &req.listener_identifier)?;
                let r = self.rule(&self.state.services[s].listeners[l], &req.rule_identifier)?;
                self.state.services[s].listeners[l].rules.remove(r);
            }
            Action::CreateTargetGroup(req) => self.create_target_group(req)?,
            Action::UpdateTargetGroup(req) => {
                let i = self.target_group(&req.target_group_identifier)?;
                self.state.target_groups[i].config.health_check = Some(req.health_check.clone());
            }
            Action::DeleteTargetGroup(req) => {
                let i = self.target_group(&req.target_group_identifier)?;
                let id = &self.state.target_groups[i].id;
                let in_use = self.state.services.iter().flat_map(|s| &s.listeners).any(|l| {
                    forward_ids(&l.default_action)
                        .chain(l.rules.iter().flat_map(|r| forward_ids(&r.action)))
                        .any(|used| used == id)
                });
                if in_use {
                    let reason = "a listener or rule forwards to it";
                    return Err(self.conflict("target group", &req.target_group_identifier, reason));
                }
                self.state.target_groups.remove(i);
            }
            Action::RegisterTargets(req) => {
                let tg = self.targets_of(req)?;
                let mut targets: BTreeSet<_> = tg.targets.drain(..).collect();
                targets.extend(req.targets.iter().cloned());
                tg.targets = targets.into_iter().collect();
            }
            Action::DeregisterTargets(req) => {
                let tg = self.targets_of(req)?;
                tg.targets.retain(|t| !req.targets.contains(t));
            }
            Action::DeleteServiceNetwork(req) => self.delete_service_network(req)?,
            Action::CreateServiceNetworkVpcAssociation(req) => self.create_vpc_association(req)?,
            Action::UpdateServiceNetworkVpcAssociation(req) => self.update_vpc_association(req)?,
            Action::DeleteServiceNetworkVpcAssociation(req) => self.delete_vpc_association(req)?,
            Action::TagResource(req) if crate::plan::fingerprints::is_fingerprint(&req.tags) => {
                // The fingerprint of a resource this plan created names it by name.
                let state = &*self.state;
                let arn = state
                    .service(&req.resource_arn)
                    .map(|s| s.arn.clone())
                    .or_else(|| state.target_group(&req.resource_arn).map(|tg| tg.arn.clone()))
                    .unwrap_or_else(|| req.resource_arn.clone());
                tag(self.tags_mut(&arn)?, &req.tags)
            }
            Action::TagResource(req) => tag(self.tags_mut(&req.resource_arn)?, &req.tags),
            Action::UntagResource(req) => {
                let tags = self.tags_mut(&req.resource_arn)?;
                tags.retain(|k, _| !req.tag_keys.contains(k));
            }
            Action::UpdateServiceNetwork(_)
            | Action::PutAuthPolicy(_)
            | Action::DeleteAuthPolicy(_)
            | Action::CreateAccessLogSubscription(_)
            | Action::UpdateAccessLogSubscription(_)
            | Action::DeleteAccessLogSubscription(_) => {}
        }
        Ok(())
    }

    fn create_service(&mut self, req: &CreateService) -> Result<(), MemoryError> {
        if self.service(&req.name).is_ok() {
            return Err(self.conflict("service", &req.name, "name is taken"));
        }
        let id = self.ids.next_id("svc");
        self.state.services.push(ObservedService {
            arn: arn("service", &id),
            dns_name: Some(dns_name(&req.name, &id)),
            id,
            name: req.name.clone(),
            custom_domain_name: req.custom_domain_name.clone(),
            certificate_arn: req.certificate_arn.clone(),
            status: ACTIVE.to_owned(),
            tags: req.tags.clone(),
            associations: Vec::new(),
            listeners: Vec::new(),
        });
        Ok(())
    }

    fn associate(&mut self, req: &CreateServiceNetworkServiceAssociation) -> Result<(), MemoryError> {
        let sn = self.service_network(&req.service_network_identifier)?;
        let (sn_id, sn_name) = {
            let sn = &self.state.service_networks[sn];
            (sn.id.clone(), sn.name.clone())
        };
        let s = self.service(&req.service_identifier)?;
        if self.state.services[s].associations.iter().any(|a| a.service_network_id == sn_id) {
            let reason = "already associated with this service network";
            return Err(self.conflict("service", &req.service_identifier, reason));
        }
        let id = self.ids.next_id("snsa");
        self.state.services[s].associations.push(ObservedAssociation {
            arn: arn("servicenetworkserviceassociation", &id),
            id,
            service_network_id: sn_id,
            service_network_name: sn_name,
            status: ACTIVE.to_owned(),
            tags: req.tags.clone(),
        });
        Ok(())
    }

    fn create_listener(&mut self, req: &CreateListener) -> Result<(), MemoryError> {
        let default_action = self.resolve_action(&req.default_action)?;
        let s = self.service(&req.service_identifier)?;
        let svc = &self.state.services[s];
        if svc.listeners.iter().any(|l| l.name == req.name) {
            return Err(self.conflict("listener", &req.name, "name is taken"));
        }
        if svc.listeners.iter().any(|l| l.port == req.port) {
            let reason = format!("port {} is taken", req.port);
            return Err(self.conflict("listener", &req.name, reason));
        }
        let id = self.ids.next_id("listener");
        let svc = &mut self.state.services[s];
        svc.listeners.push(ObservedListener {
            arn: format!("{}/listener/{id}", svc.arn),
            id,
            name: req.name.clone(),
            protocol: req.protocol,
            port: req.port,
            default_action,
            tags: req.tags.clone(),
            rules: Vec::new(),
        });
        Ok(())
    }

    fn create_rule(&mut self, req: &CreateRule) -> Result<(), MemoryError> {
        let action = self.resolve_action(&req.action)?;
        let (s, l) = self.listener(&req.service_identifier, &req.listener_identifier)?;
        let listener = &self.state.services[s].listeners[l];
        if listener.rules.iter().any(|r| r.name == req.name) {
            return Err(self.conflict("rule", &req.name, "name is taken"));
        }
        if listener.rules.iter().any(|r| r.priority == req.priority) {
            let reason = format!("priority {} is taken", req.priority);
            return Err(self.conflict("rule", &req.name, reason));
        }
        let id = self.ids.next_id("rule");
        let crate::lattice::RuleMatch::HttpMatch(matcher) = &req.matcher;
        let listener = &mut self.state.services[s].listeners[l];
        listener.rules.push(ObservedRule {
            arn: format!("{}/rule/{id}", listener.arn),
            id,
            name: req.name.clone(),
            priority: req.priority,
            matcher: matcher.clone(),
            action,
            tags: req.tags.clone(),
        });
        Ok(())
    }

    /// Applies all updates of one batch, checking priority uniqueness on the result.
    fn update_rules(&mut self, req: &BatchUpdateRule) -> Result<(), MemoryError> {
        if req.rules.is_empty() {
            return Err(MemoryError::Empty { op: self.op });
        }
        if req.rules.len() > MAX_RULES_PER_BATCH {
            return Err(MemoryError::TooMany { op: self.op, count: req.rules.len(), limit: MAX_RULES_PER_BATCH });
        }
        let (s, l) = self.listener(&req.service_identifier, &req.listener_identifier)?;
        let mut rules = self.state.services[s].listeners[l].rules.clone();
        for update in &req.rules {
            let r = self.rule(&self.state.services[s].listeners[l], &update.rule_identifier)?;
            if let Some(crate::lattice::RuleMatch::HttpMatch(matcher)) = &update.matcher {
                rules[r].matcher = matcher.clone();
            }
            if let Some(priority) = update.priority {
                rules[r].priority = priority;
            }
            if let Some(action) = &update.action {
                rules[r].action = self.resolve_action(action)?;
            }
        }
        let mut seen = BTreeSet::new();
        if let Some(clash) = rules.iter().find(|r| !seen.insert(r.priority)) {
            let reason = format!("priority {} would be held twice", clash.priority);
            return Err(self.conflict("listener", &req.listener_identifier, reason));
        }
        self.state.services[s].listeners[l].rules = rules;
        Ok(())
    }

    fn create_target_group(&mut self, req: &CreateTargetGroup) -> Result<(), MemoryError> {
        if self.target_group(&req.name).is_ok() {
            return Err(self.conflict("target group", &req.name, "name is taken"));
        }
        let id = self.ids.next_id("tg");
        self.state.target_groups.push(ObservedTargetGroup {
            arn: arn("targetgroup", &id),
            id,
            name: req.name.clone(),
            kind: req.kind,
            config: req.config.clone(),
            status: ACTIVE.to_owned(),
            tags: req.tags.clone(),
            service_arns: Vec::new(),
            targets: Vec::new(),
            health: Vec::new(),
        });
        Ok(())
    }

    /// The target group of a (de)registration, after checking the call's size.
    fn targets_of(&mut self, req: &Targets) -> Result<&mut ObservedTargetGroup, MemoryError> {
        if req.targets.is_empty() {
            return Err(MemoryError::Empty { op: self.op });
        }
        if req.targets.len() > MAX_TARGETS_PER_CALL {
            return Err(MemoryError::TooMany { op: self.op, count: req.targets.len(), limit: MAX_TARGETS_PER_CALL });
        }
        let i = self.target_group(&req.target_group_identifier)?;
        Ok(&mut self.state.target_groups[i])
    }
}
