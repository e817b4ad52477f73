use super::*;
use crate::apply::fixtures::*;
use model::plan::action::{CreateRule, ServiceRef, TagResource, TargetGroupRef};

fn resolver<'a>(observed: &'a ObservedState, ledger: &'a Ledger) -> Resolver<'a> {
    Resolver { observed, managed_by: MANAGED_BY, ledger }
}

fn new_rule(service: &str, listener: &str, tg: &str) -> Action {
    Action::CreateRule(CreateRule {
        service_identifier: service.into(),
        listener_identifier: listener.into(),
        name: "k8s-rule-b".into(),
        matcher: prefix("/b"),
        priority: 2,
        action: forward(tg),
        tags: ours(),
    })
}

#[test]
fn names_of_existing_resources_become_ids() {
    let observed = inventory();
    let ledger = Ledger::default();
    let resolved = resolver(&observed, &ledger)
        .resolve(&new_rule("rates-default", "rates-default-80-http", "k8s-rates"))
        .expect("resolves");
    let service = &observed.services[0];
    let Action::CreateRule(rule) = resolved else { panic!("a rule") };
    assert_eq!(rule.service_identifier, service.id);
    assert_eq!(rule.listener_identifier, service.listeners[0].id);
    assert_eq!(rule.action, forward(&observed.target_groups[0].id));
}

#[test]
fn a_missing_parent_skips_or_waits_with_the_reason_the_run_knows() {
    let observed = empty();
    let mut ledger = Ledger::default();
    let action = new_rule("rates-default", "rates-default-80-http", "k8s-rates");
    let unresolved = resolver(&observed, &ledger).resolve(&action);
    assert_eq!(unresolved, Err(Unresolved::Skip("service rates-default does not exist".into())));

    let create = creation().actions.into_iter().find(|a| a.op() == "CreateService").expect("planned");
    ledger.record(&create, &observed, false, "ValidationException: bad name");
    let Err(Unresolved::Skip(reason)) = resolver(&observed, &ledger).resolve(&action) else { panic!("skipped") };
    assert_eq!(reason, "service rates-default was not created: ValidationException: bad name");

    let mut ledger = Ledger::default();
    ledger.record(&create, &observed, true, "still CREATE_IN_PROGRESS");
    assert!(matches!(resolver(&observed, &ledger).resolve(&action), Err(Unresolved::Pending(_))));
}

#[test]
fn a_failed_listener_creation_skips_its_rules() {
    let mut observed = inventory();
    observed.services[0].listeners.clear();
    let mut ledger = Ledger::default();
    let create = creation().actions.into_iter().find(|a| a.op() == "CreateListener").expect("planned");
    ledger.record(&create, &observed, false, "ServiceQuotaExceededException: too many listeners");
    let action = new_rule("rates-default", "rates-default-80-http", "k8s-rates");
    let Err(Unresolved::Skip(reason)) = resolver(&observed, &ledger).resolve(&action) else { panic!("skipped") };
    assert!(reason.starts_with("listener rates-default-80-http was not created"), "{reason}");
}

#[test]
fn resources_without_our_tag_are_refused() {
    let mut observed = inventory();
    observed.target_groups[0].tags.insert(TAG_MANAGED_BY.into(), OTHER.into());
    let ledger = Ledger::default();
    let id = observed.target_groups[0].id.clone();
    let delete = Action::DeleteTargetGroup(TargetGroupRef { target_group_identifier: id });
    let Err(Unresolved::Refuse(reason)) = resolver(&observed, &ledger).resolve(&delete) else { panic!("refused") };
    assert!(reason.contains(OTHER) || reason.contains(MANAGED_BY), "{reason}");
    let tag = Action::TagResource(TagResource { resource_arn: observed.target_groups[0].arn.clone(), tags: ours() });
    assert!(matches!(resolver(&observed, &ledger).resolve(&tag), Err(Unresolved::Refuse(_))));
    let unknown = Action::TagResource(TagResource { resource_arn: "arn:aws:vpc-lattice:x".into(), tags: ours() });
    assert!(matches!(resolver(&observed, &ledger).resolve(&unknown), Err(Unresolved::Skip(_))));
}

#[test]
fn deletions_wait_for_the_deletions_they_need() {
    let observed = inventory();
    let service = &observed.services[0];
    let mut ledger = Ledger::default();
    let association = Action::DeleteServiceNetworkServiceAssociation(model::plan::action::AssociationRef {
        service_network_service_association_identifier: service.associations[0].id.clone(),
    });
    ledger.record(&association, &observed, false, "AccessDeniedException: no");
    let delete_service = Action::DeleteService(ServiceRef { service_identifier: service.id.clone() });
    let Err(Unresolved::Skip(reason)) = resolver(&observed, &ledger).resolve(&delete_service) else { panic!() };
    assert!(reason.contains("was not deleted"), "{reason}");

    ledger.record(&delete_service, &observed, true, "DELETE_IN_PROGRESS");
    let tg = observed.target_groups[0].id.clone();
    let delete_tg = Action::DeleteTargetGroup(TargetGroupRef { target_group_identifier: tg });
    assert!(matches!(resolver(&observed, &ledger).resolve(&delete_tg), Err(Unresolved::Pending(_))));
}

#[test]
fn a_retired_target_group_keeps_its_targets_while_a_rule_still_uses_it() {
    let observed = inventory();
    let service = &observed.services[0];
    let listener = &service.listeners[0];
    let tg = observed.target_groups[0].id.clone();
    let switch = Action::BatchUpdateRule(model::plan::action::BatchUpdateRule {
        service_identifier: service.id.clone(),
        listener_identifier: listener.id.clone(),
        rules: vec![model::plan::action::RuleUpdate {
            rule_identifier: listener.rules[0].id.clone(),
            matcher: None,
            priority: None,
            action: Some(forward("k8s-rates-https")),
        }],
    });
    let deregister = Action::DeregisterTargets(model::plan::action::Targets {
        target_group_identifier: tg.clone(),
        targets: observed.target_groups[0].targets.clone(),
    });
    let delete = Action::DeleteTargetGroup(TargetGroupRef { target_group_identifier: tg });

    // Deregistration that is not followed by a deletion goes ahead whatever happened.
    let mut ledger = Ledger::default();
    ledger.record(&switch, &observed, false, "ConflictException: busy");
    assert!(resolver(&observed, &ledger).resolve(&deregister).is_ok());

    // Before a deletion it waits with the deletion for the rule to move.
    let mut ledger = Ledger::for_plan(&[switch.clone(), deregister.clone(), delete.clone()]);
    assert!(resolver(&observed, &ledger).resolve(&deregister).is_ok(), "nothing failed yet");
    ledger.record(&switch, &observed, false, "ConflictException: busy");
    for action in [&deregister, &delete] {
        let Err(Unresolved::Skip(reason)) = resolver(&observed, &ledger).resolve(action) else { panic!("skipped") };
        assert!(reason.contains("was not switched away from it"), "{reason}");
    }
}
