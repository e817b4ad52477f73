//! What every part of the diff shares: ownership, tag diffs, target group identifiers, scope
//! checks on observed tags, and the references that must survive the plan.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::annotations;
use crate::index::ObservedIndex;
use crate::lattice::{ForwardAction, OwnerKey, RuleAction, WeightedTargetGroup};
use crate::names::{
    TAG_PREFIX, TAG_ROUTE_NAME, TAG_ROUTE_NAMESPACE, TAG_ROUTE_TYPE, TAG_SERVICE_NAME, TAG_SERVICE_NAMESPACE,
    TAG_SOURCE_TYPE, Tags,
};
use crate::observed::{ObservedListener, ObservedService, ObservedState, ObservedTargetGroup, is_owned};

use super::action::{Action, TagResource, UntagResource};
use super::{Plan, Refusal, Scope};

/// The state of one planning run: inputs, the plan so far, and the target groups that stay
/// referenced once the plan has run.
pub(super) struct Planner<'a> {
    pub(super) observed: &'a ObservedState,
    scope: &'a Scope,
    managed_by: &'a str,
    /// Observed target group id, ARN and name, each mapped to the id.
    tg_ids: BTreeMap<&'a str, &'a str>,
    /// Observed services and target groups by name.
    names: ObservedIndex<'a>,
    /// Observed services by id and by ARN (the first with one).
    services_by_id: HashMap<&'a str, &'a ObservedService>,
    services_by_arn: HashMap<&'a str, &'a ObservedService>,
    plan: Plan,
    /// Ids (or names, for target groups this plan creates) of target groups that a listener or
    /// rule still references after the plan.
    kept_refs: BTreeSet<String>,
    /// Services whose surviving references are already in `kept_refs`.
    accounted: BTreeSet<&'a str>,
    /// What the service network steps decided that later steps need.
    pub(super) networks: super::networks::Notes,
}

impl<'a> Planner<'a> {
    pub(super) fn new(observed: &'a ObservedState, scope: &'a Scope, managed_by: &'a str) -> Self {
        let tg_ids = observed
            .target_groups
            .iter()
            .flat_map(|tg| {
                [
                    (tg.id.as_str(), tg.id.as_str()),
                    (tg.arn.as_str(), tg.id.as_str()),
                    (tg.name.as_str(), tg.id.as_str()),
                ]
            })
            .collect();
        let by = |key: fn(&ObservedService) -> &str| {
            let mut map = HashMap::with_capacity(observed.services.len());
            for s in &observed.services {
                map.entry(key(s)).or_insert(s);
            }
            map
        };
        Self {
            observed,
            scope,
            managed_by,
            tg_ids,
            names: ObservedIndex::new(observed),
            services_by_id: by(|s| &s.id),
            services_by_arn: by(|s| &s.arn),
            plan: Plan::default(),
            kept_refs: BTreeSet::new(),
            accounted: BTreeSet::new(),
            networks: super::networks::Notes::default(),
        }
    }

    /// The observed service with this name.
    pub(super) fn service(&self, name: &str) -> Option<&'a ObservedService> {
        self.names.service(name)
    }

    /// The observed service with this id.
    pub(super) fn service_by_id(&self, id: &str) -> Option<&'a ObservedService> {
        self.services_by_id.get(id).copied()
    }

    /// The observed target group with this name.
    pub(super) fn target_group(&self, name: &str) -> Option<&'a ObservedTargetGroup> {
        self.names.target_group(name)
    }

    /// The plan so far.
    pub(super) fn planned(&self) -> &Plan {
        &self.plan
    }

    pub(super) fn finish(self) -> Plan {
        self.plan
    }

    pub(super) fn managed_by(&self) -> &'a str {
        self.managed_by
    }

    pub(super) fn scope(&self) -> &'a Scope {
        self.scope
    }

    /// Whether `tags` carry our `ManagedBy` value.
    pub(super) fn owns(&self, tags: &Tags) -> bool {
        is_owned(tags, self.managed_by)
    }

    pub(super) fn push(&mut self, action: Action) {
        self.plan.actions.push(action);
    }

    pub(super) fn refuse(&mut self, resource: impl Into<String>, reason: impl Into<String>) {
        self.plan.refused.push(Refusal { resource: resource.into(), reason: reason.into() });
    }

    /// The refusal for an observed resource that lacks our `ManagedBy` tag.
    pub(super) fn refuse_foreign(&mut self, resource: impl Into<String>) {
        let reason = format!("not tagged as managed by {}", self.managed_by);
        self.refuse(resource, reason);
    }

    /// The id of the observed target group named, identified or ARN'd by `identifier`, or the
    /// identifier itself when no such target group exists.
    pub(super) fn tg_id(&self, identifier: &str) -> String {
        self.tg_ids.get(identifier).copied().unwrap_or(identifier).to_owned()
    }

    /// `action` with every target group named by its observed id where one exists.
    pub(super) fn normalise(&self, action: &RuleAction) -> RuleAction {
        match action {
            RuleAction::Forward(forward) => RuleAction::Forward(ForwardAction {
                target_groups: forward
                    .target_groups
                    .iter()
                    .map(|tg| WeightedTargetGroup {
                        target_group_identifier: self.tg_id(&tg.target_group_identifier),
                        weight: tg.weight,
                    })
                    .collect(),
            }),
            RuleAction::FixedResponse(_) => action.clone(),
        }
    }

    /// Whether a desired and an observed action do the same, ignoring the order of forward
    /// target groups.
    pub(super) fn same_action(&self, desired: &RuleAction, observed: &RuleAction) -> bool {
        sorted(self.normalise(desired)) == sorted(self.normalise(observed))
    }

    /// Records that the target groups of `action` stay referenced.
    pub(super) fn keep_refs(&mut self, action: &RuleAction) {
        if let RuleAction::Forward(forward) = action {
            for tg in &forward.target_groups {
                let id = self.tg_id(&tg.target_group_identifier);
                self.kept_refs.insert(id);
            }
        }
    }

    /// Whether a listener or rule still references the observed target group `id` after the plan.
    pub(super) fn is_referenced(&self, id: &str) -> bool {
        self.kept_refs.contains(id)
    }

    /// Whether this run plans the service with this ARN in full: ours, in scope, and observed
    /// with its listeners and rules (so that its references are known).
    pub(super) fn manages_service(&self, arn: &str) -> bool {
        // ARNs are unique: the service with this one is the only candidate.
        self.services_by_arn.get(arn).is_some_and(|s| self.owns(&s.tags) && self.scope.covers(&s.tags))
    }

    /// Marks `service`'s surviving references as recorded by the caller.
    pub(super) fn account(&mut self, service: &'a str) {
        self.accounted.insert(service);
    }

    /// Keeps every reference of the observed services the plan leaves untouched.
    pub(super) fn keep_unaccounted_references(&mut self) {
        let observed = self.observed;
        for service in &observed.services {
            if !self.accounted.contains(service.name.as_str()) {
                self.keep_service_refs(service);
            }
        }
    }

    /// Keeps every reference of an observed service that stays as it is, whether or not it was
    /// accounted for already.
    pub(super) fn keep_unaccounted(&mut self, service: &'a ObservedService) {
        self.keep_service_refs(service);
    }

    /// Keeps every reference of an observed service that stays as it is.
    fn keep_service_refs(&mut self, service: &'a ObservedService) {
        self.account(&service.name);
        for listener in &service.listeners {
            self.keep_listener_refs(listener);
        }
    }

    /// Keeps every reference of an observed listener that stays as it is.
    pub(super) fn keep_listener_refs(&mut self, listener: &ObservedListener) {
        self.keep_refs(&listener.default_action);
        for rule in &listener.rules {
            self.keep_refs(&rule.action);
        }
    }

    /// Tag and untag calls that bring an owned resource's tags to `desired`: desired tags are
    /// added or overwritten, and our own keys that are not desired are removed: those under our
    /// prefix, and additional tags the resource's `AdditionalTagKeys` record says we added.
    /// Other keys (tags someone else put on the resource) are never removed.
    pub(super) fn retag(&mut self, arn: &str, observed: &Tags, desired: &Tags) {
        let add: Tags =
            desired.iter().filter(|(k, v)| observed.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect();
        let remove: Vec<String> = observed
            .keys()
            .filter(|k| {
                !desired.contains_key(*k)
                    && k.as_str() != crate::fingerprint::TAG_FINGERPRINT
                    && (k.starts_with(TAG_PREFIX) || annotations::recorded(observed, k))
            })
            .cloned()
            .collect();
        if !add.is_empty() {
            self.push(Action::TagResource(TagResource { resource_arn: arn.to_owned(), tags: add }));
        }
        if !remove.is_empty() {
            self.push(Action::UntagResource(UntagResource { resource_arn: arn.to_owned(), tag_keys: remove }));
        }
    }
}

/// `action` with its forward target groups in a canonical order.
fn sorted(mut action: RuleAction) -> RuleAction {
    if let RuleAction::Forward(forward) = &mut action {
        forward.target_groups.sort();
    }
    action
}

/// The route an observed service was built for, from its identity tags.
pub(super) fn service_owner(tags: &Tags) -> Option<OwnerKey> {
    let kind = match tags.get(TAG_ROUTE_TYPE)?.as_str() {
        "http" => "HTTPRoute",
        "grpc" => "GRPCRoute",
        "tls" => "TLSRoute",
        _ => return None,
    };
    Some(OwnerKey {
        kind: kind.to_owned(),
        namespace: tags.get(TAG_ROUTE_NAMESPACE)?.clone(),
        name: tags.get(TAG_ROUTE_NAME)?.clone(),
    })
}

/// The object an observed target group was built for, from its identity tags: the route for
/// route target groups, the exported Service for `ServiceExport` ones.
pub(super) fn target_group_owner(tags: &Tags) -> Option<OwnerKey> {
    let kind = tags.get(TAG_SOURCE_TYPE)?;
    let (namespace, name) = if kind == "ServiceExport" {
        (TAG_SERVICE_NAMESPACE, TAG_SERVICE_NAME)
    } else {
        (TAG_ROUTE_NAMESPACE, TAG_ROUTE_NAME)
    };
    Some(OwnerKey { kind: kind.clone(), namespace: tags.get(namespace)?.clone(), name: tags.get(name)?.clone() })
}

/// Whether an observed resource with this (tag-derived) owner may be garbage-collected.
pub(super) fn collectable(scope: &Scope, owner: Option<OwnerKey>) -> bool {
    match scope {
        Scope::All => true,
        Scope::Owners(owners) => owner.is_some_and(|o| owners.contains(&o)),
        Scope::Except(protected) => owner.is_none_or(|o| !protected.contains(&o)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::RuleAction;
    use crate::names::TAG_MANAGED_BY;
    use crate::plan::test_support::*;

    #[test]
    fn retag_adds_changed_tags_and_removes_only_our_stale_keys() {
        let observed = ObservedState::default();
        let mut p = Planner::new(&observed, &Scope::All, MANAGED_BY);
        let have = tags(&[
            (TAG_MANAGED_BY, MANAGED_BY),
            (TAG_ROUTE_NAME, "old"),
            (TAG_ROUTE_TYPE, "http"),
            ("team", "payments"),
        ]);
        let want = tags(&[(TAG_MANAGED_BY, MANAGED_BY), (TAG_ROUTE_NAME, "new")]);
        p.retag("arn:x", &have, &want);
        let plan = p.finish();
        assert_eq!(
            plan.actions,
            vec![
                Action::TagResource(TagResource {
                    resource_arn: "arn:x".into(),
                    tags: tags(&[(TAG_ROUTE_NAME, "new")]),
                }),
                Action::UntagResource(UntagResource {
                    resource_arn: "arn:x".into(),
                    tag_keys: vec![TAG_ROUTE_TYPE.into()],
                }),
            ]
        );
    }

    #[test]
    fn forward_actions_compare_by_id_and_ignore_order() {
        let (observed, _) = observe(&desired(vec![], vec![mk_tg("a", "r"), mk_tg("b", "r")]));
        let p = Planner::new(&observed, &Scope::All, MANAGED_BY);
        let a = p.tg_id("a");
        let b = p.tg_id("b");
        assert!(a.starts_with("tg-0"));
        assert_eq!(p.tg_id(&observed.target_groups[0].arn), a);
        assert_eq!(p.tg_id(&b), b);
        assert_eq!(p.tg_id("k8s-unknown"), "k8s-unknown");

        let desired = forward(&[("a", 1), ("b", 2)]);
        assert!(p.same_action(&desired, &forward(&[(&b, 2), (&a, 1)])));
        assert!(!p.same_action(&desired, &forward(&[(&a, 1), (&b, 3)])));
        assert!(!p.same_action(&desired, &forward(&[(&a, 1)])));
        assert!(!p.same_action(&desired, &RuleAction::fixed(404)));
        assert!(p.same_action(&RuleAction::fixed(404), &RuleAction::fixed(404)));
        assert_eq!(p.normalise(&desired), forward(&[(&a, 1), (&b, 2)]));
    }

    #[test]
    fn owners_come_from_identity_tags() {
        let svc = tags(&[(TAG_ROUTE_NAME, "rates"), (TAG_ROUTE_NAMESPACE, "default"), (TAG_ROUTE_TYPE, "grpc")]);
        assert_eq!(service_owner(&svc), Some(owner("GRPCRoute", "rates")));
        let tg = tags(&[(TAG_ROUTE_NAME, "rates"), (TAG_ROUTE_NAMESPACE, "default"), (TAG_SOURCE_TYPE, "HTTPRoute")]);
        assert_eq!(target_group_owner(&tg), Some(owner("HTTPRoute", "rates")));
        assert_eq!(service_owner(&tags(&[(TAG_ROUTE_NAME, "x")])), None);
        let scope = Scope::Owners([owner("HTTPRoute", "rates")].into());
        assert!(collectable(&scope, target_group_owner(&tg)));
        assert!(!collectable(&scope, service_owner(&svc)));
        assert!(!collectable(&scope, None));
        assert!(collectable(&Scope::All, None));
        let except = Scope::Except([owner("HTTPRoute", "rates")].into());
        assert!(!collectable(&except, Some(owner("HTTPRoute", "rates"))), "a protected owner is kept");
        assert!(collectable(&except, Some(owner("HTTPRoute", "other"))));
    }
}
