//! Identifier resolution of the in-memory Lattice: ids, ARNs or names to positions in the
//! observed state.

use crate::lattice::{ForwardAction, RuleAction, WeightedTargetGroup};
use crate::names::Tags;
use crate::observed::{ObservedListener, ObservedService, ObservedState};

use super::{IdGen, MemoryError};

/// The observed state being changed by one action.
pub(super) struct Lattice<'s> {
    pub(super) state: &'s mut ObservedState,
    pub(super) ids: &'s mut IdGen,
    pub(super) op: &'static str,
}

/// Whether a resource with this id, ARN and name is the one `identifier` names.
fn names(identifier: &str, id: &str, arn: &str, name: &str) -> bool {
    identifier == id || identifier == arn || identifier == name
}

impl<'s> Lattice<'s> {
    pub(super) fn new(state: &'s mut ObservedState, ids: &'s mut IdGen, op: &'static str) -> Self {
        Self { state, ids, op }
    }

    pub(super) fn not_found(&self, kind: &'static str, identifier: &str) -> MemoryError {
        MemoryError::NotFound { op: self.op, kind, identifier: identifier.to_owned() }
    }

    pub(super) fn conflict(&self, kind: &'static str, identifier: &str, reason: impl Into<String>) -> MemoryError {
        MemoryError::Conflict { op: self.op, kind, identifier: identifier.to_owned(), reason: reason.into() }
    }

    pub(super) fn service_network(&self, identifier: &str) -> Result<usize, MemoryError> {
        self.state
            .service_networks
            .iter()
            .position(|sn| names(identifier, &sn.id, &sn.arn, &sn.name))
            .ok_or_else(|| self.not_found("service network", identifier))
    }

    pub(super) fn service(&self, identifier: &str) -> Result<usize, MemoryError> {
        self.state
            .services
            .iter()
            .position(|s| names(identifier, &s.id, &s.arn, &s.name))
            .ok_or_else(|| self.not_found("service", identifier))
    }

    pub(super) fn service_mut(&mut self, identifier: &str) -> Result<&mut ObservedService, MemoryError> {
        let i = self.service(identifier)?;
        Ok(&mut self.state.services[i])
    }

    /// Position of the service and of its listener.
    pub(super) fn listener(&self, service: &str, identifier: &str) -> Result<(usize, usize), MemoryError> {
        let s = self.service(service)?;
        let l = self.state.services[s]
            .listeners
            .iter()
            .position(|l| names(identifier, &l.id, &l.arn, &l.name))
            .ok_or_else(|| self.not_found("listener", identifier))?;
        Ok((s, l))
    }

    pub(super) fn listener_mut(
        &mut self,
        service: &str,
        identifier: &str,
    ) -> Result<&mut ObservedListener, MemoryError> {
        let (s, l) = self.listener(service, identifier)?;
        Ok(&mut self.state.services[s].listeners[l])
    }

    /// Position of a rule within `listener`.
    pub(super) fn rule(&self, listener: &ObservedListener, identifier: &str) -> Result<usize, MemoryError> {
        listener
            .rules
            .iter()
            .position(|r| names(identifier, &r.id, &r.arn, &r.name))
            .ok_or_else(|| self.not_found("rule", identifier))
    }

    pub(super) fn target_group(&self, identifier: &str) -> Result<usize, MemoryError> {
        self.state
            .target_groups
            .iter()
            .position(|tg| names(identifier, &tg.id, &tg.arn, &tg.name))
            .ok_or_else(|| self.not_found("target group", identifier))
    }

    /// `action` with every target group named by id; each must exist.
    pub(super) fn resolve_action(&self, action: &RuleAction) -> Result<RuleAction, MemoryError> {
        match action {
            RuleAction::Forward(forward) => {
                let target_groups = forward
                    .target_groups
                    .iter()
                    .map(|tg| {
                        let i = self.target_group(&tg.target_group_identifier)?;
                        Ok(WeightedTargetGroup {
                            target_group_identifier: self.state.target_groups[i].id.clone(),
                            weight: tg.weight,
                        })
                    })
                    .collect::<Result<_, MemoryError>>()?;
                Ok(RuleAction::Forward(ForwardAction { target_groups }))
            }
            RuleAction::FixedResponse(_) => Ok(action.clone()),
        }
    }

    /// The tags of the resource with this ARN.
    pub(super) fn tags_mut(&mut self, arn: &str) -> Result<&mut Tags, MemoryError> {
        let state = &mut *self.state;
        let found = state
            .service_networks
            .iter_mut()
            .find_map(|sn| {
                if sn.arn == arn {
                    return Some(&mut sn.tags);
                }
                sn.vpc_associations.iter_mut().find(|a| a.arn == arn).map(|a| &mut a.tags)
            })
            .or_else(|| state.target_groups.iter_mut().find(|tg| tg.arn == arn).map(|tg| &mut tg.tags))
            .or_else(|| state.access_log_subscriptions.iter_mut().find(|a| a.arn == arn).map(|a| &mut a.tags))
            .or_else(|| {
                state.services.iter_mut().find_map(|svc| {
                    if svc.arn == arn {
                        return Some(&mut svc.tags);
                    }
                    let association = svc.associations.iter_mut().find(|a| a.arn == arn);
                    if let Some(association) = association {
                        return Some(&mut association.tags);
                    }
                    svc.listeners.iter_mut().find_map(|l| {
                        if l.arn == arn {
                            return Some(&mut l.tags);
                        }
                        l.rules.iter_mut().find(|r| r.arn == arn).map(|r| &mut r.tags)
                    })
                })
            });
        match found {
            Some(tags) => Ok(tags),
            None => Err(MemoryError::NotFound { op: self.op, kind: "resource", identifier: arn.to_owned() }),
        }
    }
}
