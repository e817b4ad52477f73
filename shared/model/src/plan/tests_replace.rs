//! Replacing a service whose custom domain name changes: plan shape, convergence, and a run cut
//! off after every call.

use super::action::{Action, TagResource};
use super::memory;
use super::test_support::*;
use crate::lattice::{DesiredState, ListenerProtocol, ServiceSpec};
use crate::names::TAG_MANAGED_BY;
use crate::observed::ObservedState;

fn web(domain: Option<&str>) -> DesiredState {
    let mut svc: ServiceSpec = mk_service("rates").listener(
        mk_listener(443, ListenerProtocol::Https, forward(&[("k8s-a", 1)]))
            .rule(mk_rule(1, "/a", forward(&[("k8s-a", 1)])))
            .rule(mk_rule(2, "/b", forward(&[("k8s-a", 1)]))),
    );
    svc.custom_domain_name = domain.map(str::to_owned);
    svc.certificate_arn = Some("arn:aws:acm:us-west-2:111122223333:certificate/c".into());
    desired(vec![svc], vec![mk_tg("k8s-a", "rates").targets(2)])
}

fn settled(want: &DesiredState, observed: &ObservedState) {
    let again = plan_all(want, observed);
    assert!(again.is_noop() && again.refused.is_empty(), "{:?} {:?}", ops(&again), again.refused);
    let svc = observed.service("rates-default").expect("service");
    assert_eq!(svc.custom_domain_name, want.services[0].custom_domain_name);
    assert_eq!(svc.associations.len(), 1);
    assert_eq!(svc.listeners[0].rules.len(), 2);
}

#[test]
fn a_new_custom_domain_deletes_and_recreates_the_service_and_keeps_target_groups() {
    let (mut observed, mut ids) = observe(&web(Some("old.example.com")));
    let tg = observed.target_groups[0].id.clone();
    let want = web(Some("new.example.com"));
    let plan = plan_all(&want, &observed);
    assert_eq!(
        ops(&plan),
        [
            "DeleteServiceNetworkServiceAssociation",
            "DeleteService",
            "CreateService",
            "CreateServiceNetworkServiceAssociation",
            "CreateListener",
            "CreateRule",
            "CreateRule"
        ]
    );
    assert!(plan.refused.is_empty(), "{:?}", plan.refused);
    match &plan.actions[2] {
        Action::CreateService(c) => assert_eq!(c.custom_domain_name.as_deref(), Some("new.example.com")),
        other => panic!("unexpected {other:?}"),
    }
    apply(&plan, &mut observed, &mut ids);
    assert_eq!(observed.target_groups[0].id, tg, "the target group is kept");
    settled(&want, &observed);
    // Removing the domain replaces the service too; so does adding one.
    for domain in [None, Some("new.example.com")] {
        let want = web(domain);
        let plan = plan_all(&want, &observed);
        assert_eq!(ops(&plan)[..3], ["DeleteServiceNetworkServiceAssociation", "DeleteService", "CreateService"]);
        apply(&plan, &mut observed, &mut ids);
        settled(&want, &observed);
    }
}

#[test]
fn a_replacement_cut_off_after_any_call_is_completed_by_the_next_run() {
    let (start, ids) = observe(&web(Some("old.example.com")));
    let want = web(Some("new.example.com"));
    let full = plan_all(&want, &start).actions.len();
    for k in 0..=full {
        let (mut observed, mut ids) = (start.clone(), ids.clone());
        for action in plan_all(&want, &observed).actions.iter().take(k) {
            memory::apply_action(action, &mut observed, &mut ids).expect("applies");
        }
        let rest = plan_all(&want, &observed);
        assert!(rest.refused.is_empty(), "k={k}: {:?}", rest.refused);
        apply(&rest, &mut observed, &mut ids);
        settled(&want, &observed);
    }
}

#[test]
fn a_service_kept_alive_by_a_foreign_association_is_not_replaced() {
    let (mut observed, _) = observe(&web(Some("old.example.com")));
    let mut other = observed.services[0].associations[0].clone();
    other.id = "snsa-0ffffffffffffffff".into();
    other.service_network_name = "net-b".into();
    other.tags = tags(&[(TAG_MANAGED_BY, OTHER)]);
    observed.services[0].associations.push(other);
    let plan = plan_all(&web(Some("new.example.com")), &observed);
    assert!(plan.is_noop(), "{:?}", ops(&plan));
    let refused: Vec<&str> = plan.refused.iter().map(|r| r.resource.as_str()).collect();
    assert_eq!(refused, ["service/rates-default/association/net-b", "service/rates-default"]);
    assert!(plan.refused[1].reason.contains("custom domain cannot change"));
}

#[test]
fn a_new_service_name_deletes_the_old_service_of_the_route_even_in_a_scoped_run() {
    let (observed, _) = observe(&web(Some("old.example.com")));
    let mut want = web(Some("old.example.com"));
    want.services[0].name = "payments-api".into();
    let scope = crate::plan::Scope::Owners([owner("HTTPRoute", "rates")].into());
    let plan = plan_in(&scope, &want, &observed);
    let ops = ops(&plan);
    assert_eq!(ops[0], "CreateService", "{ops:?}");
    assert_eq!(ops[ops.len() - 2..], ["DeleteServiceNetworkServiceAssociation", "DeleteService"], "{ops:?}");
}

#[test]
fn a_certificate_change_alone_updates_the_service_in_place() {
    let (observed, _) = observe(&web(Some("old.example.com")));
    let mut want = web(Some("old.example.com"));
    want.services[0].certificate_arn = Some("arn:aws:acm:us-west-2:111122223333:certificate/d".into());
    assert_eq!(ops(&plan_all(&want, &observed)), ["UpdateService"]);
}

#[test]
fn additional_tags_we_recorded_are_removed_and_foreign_ones_kept() {
    use crate::annotations::{TAG_ADDITIONAL_KEYS, with_additional};
    let mut want = web(None);
    let extra = tags(&[("env", "prod"), ("team", "a")]);
    want.services[0].tags = with_additional(want.services[0].tags.clone(), &extra);
    let (mut observed, mut ids) = observe(&want);
    observed.services[0].tags.insert("cost-center".into(), "42".into());
    assert!(plan_all(&want, &observed).is_noop());
    // The annotation drops `team` and changes `env`.
    let mut next = web(None);
    next.services[0].tags = with_additional(next.services[0].tags.clone(), &tags(&[("env", "dev")]));
    let plan = plan_all(&next, &observed);
    let record = next.services[0].tags[TAG_ADDITIONAL_KEYS].clone();
    let retag = |arn: &str| {
        [
            Action::TagResource(TagResource {
                resource_arn: arn.to_owned(),
                tags: tags(&[("env", "dev"), (TAG_ADDITIONAL_KEYS, &record)]),
            }),
            Action::UntagResource(super::action::UntagResource {
                resource_arn: arn.to_owned(),
                tag_keys: vec!["team".into()],
            }),
        ]
    };
    let service = &observed.services[0];
    let expected: Vec<Action> = retag(&service.arn).into_iter().chain(retag(&service.associations[0].arn)).collect();
    assert_eq!(plan.actions, expected, "the service and its association");
    apply(&plan, &mut observed, &mut ids);
    assert_eq!(observed.services[0].tags.get("cost-center").map(String::as_str), Some("42"), "foreign tags stay");
    // The existing association follows too (created with the old tags, before this plan).
    let association = &observed.services[0].associations[0];
    assert_eq!(association.tags.get("env").map(String::as_str), Some("dev"), "{:?}", association.tags);
    assert!(!association.tags.contains_key("team"));
    // Without the annotation, the record and every recorded key go, from both.
    let plan = plan_all(&web(None), &observed);
    assert_eq!(ops(&plan), ["UntagResource", "UntagResource"]);
    for action in &plan.actions {
        match action {
            Action::UntagResource(u) => {
                assert_eq!(u.tag_keys, vec![TAG_ADDITIONAL_KEYS.to_owned(), "env".to_owned()]);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
