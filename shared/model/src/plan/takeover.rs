//! Taking over a service from another owner the route names in
//! `application-networking.k8s.aws/allow-takeover-from`: its `ManagedBy` tag (and those of its
//! listeners, rules and associations with the same owner) is rewritten to ours first, then the
//! service is planned like any service we own.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::Scope;
use super::action::{Action, TagResource};
use crate::lattice::{DesiredState, ServiceSpec};
use crate::names::{TAG_MANAGED_BY, Tags};
use crate::observed::ObservedState;

/// The observed state as it is once the takeovers are done, and the `TagResource` calls that do
/// them.
pub(super) fn retag<'a>(
    desired: &DesiredState,
    observed: &'a ObservedState,
    scope: &Scope,
    managed_by: &str,
) -> (Cow<'a, ObservedState>, Vec<Action>) {
    let takeover = |s: &&ServiceSpec| s.takeover_from.as_deref().is_some_and(|f| f != managed_by);
    if !desired.services.iter().filter(takeover).any(|s| scope.includes(s.owner.as_ref())) {
        return (Cow::Borrowed(observed), Vec::new());
    }
    let mut observed = observed.clone();
    let mut actions = Vec::new();
    for spec in desired.services.iter().filter(|s| scope.includes(s.owner.as_ref())) {
        let Some(from) = spec.takeover_from.as_deref().filter(|f| *f != managed_by) else { continue };
        let Some(service) = observed.services.iter_mut().find(|s| s.name == spec.name) else { continue };
        if service.tags.get(TAG_MANAGED_BY).map(String::as_str) != Some(from) {
            continue;
        }
        let mut take = |arn: &str, tags: &mut Tags| {
            if tags.get(TAG_MANAGED_BY).map(String::as_str) == Some(from) {
                tags.insert(TAG_MANAGED_BY.to_owned(), managed_by.to_owned());
                actions.push(Action::TagResource(TagResource {
                    resource_arn: arn.to_owned(),
                    tags: BTreeMap::from([(TAG_MANAGED_BY.to_owned(), managed_by.to_owned())]),
                }));
            }
        };
        take(&service.arn, &mut service.tags);
        for a in &mut service.associations {
            take(&a.arn, &mut a.tags);
        }
        for l in &mut service.listeners {
            take(&l.arn, &mut l.tags);
            for r in &mut l.rules {
                take(&r.arn, &mut r.tags);
            }
        }
    }
    (Cow::Owned(observed), actions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::test_support::*;

    #[test]
    fn a_named_owner_is_taken_over_and_others_are_refused() {
        let old_owner = "111122223333/blue/vpc-0aaa";
        let mut svc = mk_service("rates");
        svc.listeners.push(
            mk_listener(80, crate::lattice::ListenerProtocol::Http, crate::lattice::RuleAction::fixed(404))
                .rule(mk_rule(1, "/a", crate::lattice::RuleAction::fixed(500))),
        );
        let mut desired = desired(vec![svc], vec![]);
        let (mut observed, _) = observe(&desired);
        for s in &mut observed.services {
            s.tags.insert(TAG_MANAGED_BY.into(), old_owner.into());
            for a in &mut s.associations {
                a.tags.insert(TAG_MANAGED_BY.into(), old_owner.into());
            }
            for l in &mut s.listeners {
                l.tags.insert(TAG_MANAGED_BY.into(), old_owner.into());
                for r in &mut l.rules {
                    r.tags.insert(TAG_MANAGED_BY.into(), old_owner.into());
                }
            }
        }
        desired.services[0].takeover_from = Some(old_owner.into());
        let p = plan_all(&desired, &observed);
        let retagged: Vec<&str> = p
            .actions
            .iter()
            .filter_map(|a| match a {
                Action::TagResource(t) if t.tags.get(TAG_MANAGED_BY).map(String::as_str) == Some(MANAGED_BY) => {
                    Some(t.resource_arn.as_str())
                }
                _ => None,
            })
            .collect();
        let s = &observed.services[0];
        let l = &s.listeners[0];
        let expected = [s.arn.as_str(), s.associations[0].arn.as_str(), l.arn.as_str(), l.rules[0].arn.as_str()];
        assert_eq!(retagged, expected, "service, association, listener and rule are retagged: {:?}", p.actions);
        assert!(p.refused.is_empty(), "{:?}", p.refused);
        // Taken over, the service is ours: applying the retagging leaves nothing to do.
        let mut after = observed.clone();
        crate::plan::memory::apply(&p, &mut after, &mut crate::plan::memory::IdGen::new()).expect("applies");
        assert!(plan_all(&desired, &after).is_noop());

        desired.services[0].takeover_from = Some("111122223333/green/vpc-0bbb".into());
        let p = plan_all(&desired, &observed);
        assert!(p.actions.is_empty(), "a service of an owner the route does not name stays untouched: {:?}", p.actions);
        assert!(!p.refused.is_empty());
    }
}
