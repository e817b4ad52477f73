//! Listeners of one service, identified by port: deletion of ours that are not desired (or
//! whose protocol changed), creation, default-action updates and tags; then their rules.

use crate::lattice::ListenerSpec;
use crate::observed::ObservedListener;

use super::action::{Action, CreateListener, ListenerRef, UpdateListener};
use super::common::Planner;
use super::rules::{RuleParent, plan_rules};
use super::services::PlannedService;

/// Whether an observed listener gives way to the desired ones: its port is not desired, or the
/// desired listener on its port has another protocol.
fn superseded(listener: &ObservedListener, desired: &[ListenerSpec]) -> bool {
    desired.iter().find(|d| d.port == listener.port).is_none_or(|d| d.protocol != listener.protocol)
}

/// Plans the listeners of one managed service, each followed by its rules.
pub(super) fn plan_listeners<'a>(p: &mut Planner<'a>, svc: &PlannedService<'a>) {
    let desired = &svc.desired.listeners[..];
    let seen = svc.observed.map_or(&[][..], |s| &s.listeners[..]);
    let label = |port: i32| format!("{}/listener/{port}", svc.label());

    // Ours that give way are deleted; others stay as they are, references and all.
    for listener in seen {
        let owned = p.owns(&listener.tags);
        if owned && superseded(listener, desired) {
            p.push(Action::DeleteListener(ListenerRef {
                service_identifier: svc.identifier().to_owned(),
                listener_identifier: listener.id.clone(),
            }));
        } else if !owned {
            p.refuse_foreign(label(listener.port));
            p.keep_listener_refs(listener);
        }
    }

    for want in desired {
        let on_port = seen.iter().find(|l| l.port == want.port);
        let parent = match on_port {
            // Not ours: refused above, nothing planned beneath it.
            Some(listener) if !p.owns(&listener.tags) => continue,
            Some(listener) if listener.protocol == want.protocol => {
                update(p, svc, want, listener);
                RuleParent {
                    service: svc.identifier().to_owned(),
                    listener: listener.id.clone(),
                    label: label(want.port),
                }
            }
            _ => {
                let name_taken =
                    seen.iter().any(|l| l.name == want.name && !(p.owns(&l.tags) && superseded(l, desired)));
                if name_taken {
                    p.refuse(label(want.port), format!("listener name {} is in use", want.name));
                    continue;
                }
                p.push(Action::CreateListener(CreateListener {
                    service_identifier: svc.identifier().to_owned(),
                    name: want.name.clone(),
                    protocol: want.protocol,
                    port: want.port,
                    default_action: p.normalise(&want.default_action),
                    tags: want.tags.clone(),
                }));
                p.keep_refs(&want.default_action);
                RuleParent {
                    service: svc.identifier().to_owned(),
                    listener: want.name.clone(),
                    label: label(want.port),
                }
            }
        };
        let rules = on_port.filter(|l| l.protocol == want.protocol).map_or(&[][..], |l| &l.rules[..]);
        plan_rules(p, &parent, &want.rules, rules);
    }
}

/// Updates the default action and tags of an owned listener kept on its port.
fn update(p: &mut Planner<'_>, svc: &PlannedService<'_>, want: &ListenerSpec, seen: &ObservedListener) {
    if !p.same_action(&want.default_action, &seen.default_action) {
        p.push(Action::UpdateListener(UpdateListener {
            service_identifier: svc.identifier().to_owned(),
            listener_identifier: seen.id.clone(),
            default_action: p.normalise(&want.default_action),
        }));
    }
    p.keep_refs(&want.default_action);
    p.retag(&seen.arn, &seen.tags, &want.tags);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{ListenerProtocol, RuleAction, ServiceSpec};
    use crate::names::TAG_MANAGED_BY;
    use crate::plan::test_support::*;

    fn svc(listeners: Vec<ListenerSpec>) -> ServiceSpec {
        let mut svc = mk_service("rates");
        svc.listeners = listeners;
        svc
    }

    fn http(port: i32, action: RuleAction) -> ListenerSpec {
        mk_listener(port, ListenerProtocol::Http, action)
    }

    #[test]
    fn an_unchanged_listener_without_rules_plans_nothing() {
        let want = desired(vec![svc(vec![http(80, RuleAction::fixed(404))])], vec![]);
        let (observed, _) = observe(&want);
        let plan = plan_all(&want, &observed);
        assert!(plan.is_noop() && plan.refused.is_empty(), "{plan:?}");
    }

    #[test]
    fn a_protocol_change_deletes_then_recreates_the_listener() {
        let (observed, _) = observe(&desired(vec![svc(vec![http(443, RuleAction::fixed(404))])], vec![]));
        let https = mk_listener(443, ListenerProtocol::Https, RuleAction::fixed(404)).rule(mk_rule(
            1,
            "/a",
            RuleAction::fixed(500),
        ));
        let plan = plan_all(&desired(vec![svc(vec![https])], vec![]), &observed);
        assert_eq!(ops(&plan), ["DeleteListener", "CreateListener", "CreateRule"]);
        match &plan.actions[..] {
            [Action::DeleteListener(d), Action::CreateListener(c), Action::CreateRule(r)] => {
                assert_eq!(d.listener_identifier, observed.services[0].listeners[0].id);
                assert_eq!(d.service_identifier, observed.services[0].id);
                assert_eq!(c.protocol, ListenerProtocol::Https);
                assert_eq!(r.listener_identifier, c.name);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn default_action_and_tags_are_updated_in_place() {
        let want = desired(
            vec![svc(vec![http(80, RuleAction::fixed(404))])],
            vec![mk_tg("k8s-a", "rates"), mk_tg("k8s-b", "rates")],
        );
        let (observed, _) = observe(&want);
        let mut changed = want.clone();
        let listener = &mut changed.services[0].listeners[0];
        listener.default_action = forward(&[("k8s-b", 1), ("k8s-a", 2)]);
        listener.tags.insert("application-networking.k8s.aws/Extra".into(), "1".into());
        let plan = plan_all(&changed, &observed);
        assert_eq!(ops(&plan), ["UpdateListener", "TagResource"]);
        let [a, b] = [&observed.target_groups[0].id, &observed.target_groups[1].id];
        match &plan.actions[0] {
            Action::UpdateListener(u) => assert_eq!(u.default_action, forward(&[(b, 1), (a, 2)])),
            other => panic!("unexpected {other:?}"),
        }
        // The same groups in another order are no change.
        let (observed, _) = observe(&changed);
        changed.services[0].listeners[0].default_action = forward(&[("k8s-a", 2), ("k8s-b", 1)]);
        assert!(plan_all(&changed, &observed).is_noop());
    }

    #[test]
    fn foreign_listeners_stay_and_ours_are_added_beside_them() {
        let (mut observed, _) = observe(&desired(
            vec![svc(vec![http(80, RuleAction::fixed(404)), http(8080, RuleAction::fixed(404))])],
            vec![],
        ));
        for listener in &mut observed.services[0].listeners {
            listener.tags.remove(TAG_MANAGED_BY);
        }
        // 80 is desired but foreign, 8080 is not desired but foreign, 443 is new.
        let want = svc(vec![
            http(80, RuleAction::fixed(500)).rule(mk_rule(1, "/a", RuleAction::fixed(404))),
            mk_listener(443, ListenerProtocol::Https, RuleAction::fixed(404)),
        ]);
        let plan = plan_all(&desired(vec![want], vec![]), &observed);
        assert_eq!(ops(&plan), ["CreateListener"]);
        let refused: Vec<&str> = plan.refused.iter().map(|r| r.resource.as_str()).collect();
        assert_eq!(refused, ["service/rates-default/listener/80", "service/rates-default/listener/8080"]);
    }

    #[test]
    fn a_listener_name_in_use_on_another_port_is_refused() {
        let (mut observed, _) = observe(&desired(vec![svc(vec![http(80, RuleAction::fixed(404))])], vec![]));
        observed.services[0].listeners[0].tags.remove(TAG_MANAGED_BY);
        let mut moved = http(81, RuleAction::fixed(404));
        moved.name = observed.services[0].listeners[0].name.clone();
        let plan = plan_all(&desired(vec![svc(vec![moved])], vec![]), &observed);
        assert!(plan.is_noop());
        assert_eq!(plan.refused.len(), 2, "{:?}", plan.refused);
        assert!(plan.refused[1].reason.contains("in use"));
    }

    #[test]
    fn undesired_listeners_of_ours_are_deleted() {
        let (observed, _) = observe(&desired(
            vec![svc(vec![http(80, RuleAction::fixed(404)), http(8080, RuleAction::fixed(404))])],
            vec![],
        ));
        let plan = plan_all(&desired(vec![svc(vec![http(80, RuleAction::fixed(404))])], vec![]), &observed);
        assert_eq!(ops(&plan), ["DeleteListener"]);
    }
}
