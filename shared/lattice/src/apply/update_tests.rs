use super::*;
use crate::apply::fixtures::*;
use crate::apply::resolve::{Ledger, Resolver};
use model::plan::memory::{self, IdGen};

const PREFIX: &str = "arn:aws:vpc-lattice:us-west-2:111122223333";

/// The answer Lattice would give to a resolved create, with the in-memory Lattice's ids.
fn answer(action: &Action, observed: &ObservedState, ids: &mut IdGen) -> Answer {
    let (prefix, base) = match action {
        Action::CreateService(_) => ("svc", format!("{PREFIX}:service/")),
        Action::CreateServiceNetworkServiceAssociation(_) => {
            ("snsa", format!("{PREFIX}:servicenetworkserviceassociation/"))
        }
        Action::CreateTargetGroup(_) => ("tg", format!("{PREFIX}:targetgroup/")),
        Action::CreateListener(req) => {
            let service = observed.services.iter().find(|s| s.id == req.service_identifier).expect("exists");
            ("listener", format!("{}/listener/", service.arn))
        }
        Action::CreateRule(req) => {
            let service = observed.services.iter().find(|s| s.id == req.service_identifier).expect("exists");
            let listener = service.listeners.iter().find(|l| l.id == req.listener_identifier).expect("exists");
            ("rule", format!("{}/rule/", listener.arn))
        }
        Action::RegisterTargets(req) => {
            return Answer { done: req.targets.iter().map(target_key).collect(), ..Answer::default() };
        }
        _ => return Answer::default(),
    };
    let id = ids.next_id(prefix);
    let dns_name = matches!(action, Action::CreateService(_)).then(|| {
        let suffix = id.trim_start_matches("svc-");
        format!("rates-default-{suffix}.7d67968.vpc-lattice-svcs.us-west-2.on.aws")
    });
    Answer { arn: format!("{base}{id}"), id, status: Some("ACTIVE".into()), dns_name, ..Answer::default() }
}

#[test]
fn recording_answers_gives_the_inventory_the_in_memory_lattice_gives() {
    let plan = creation();
    let expected = inventory();

    let mut observed = empty();
    let mut ids = IdGen::new();
    let ledger = Ledger::default();
    for action in &plan.actions {
        let resolved = Resolver { observed: &observed, managed_by: MANAGED_BY, ledger: &ledger }
            .resolve(action)
            .expect("resolves");
        let answer = answer(&resolved, &observed, &mut ids);
        record(&resolved, answer, &mut observed);
    }
    assert_eq!(observed, expected);
    assert_eq!(observed.target_groups[0].service_arns, vec![observed.services[0].arn.clone()]);
}

#[test]
fn only_what_a_partial_answer_reports_done_is_recorded() {
    let mut observed = inventory();
    let tg = observed.target_groups[0].id.clone();
    let targets = vec![Target { id: "10.0.0.3".into(), port: 8080 }, Target { id: "10.0.0.4".into(), port: 8080 }];
    let register = Action::RegisterTargets(model::plan::action::Targets { target_group_identifier: tg, targets });
    let answer = Answer {
        done: vec!["10.0.0.3:8080".into()],
        failures: vec!["target 10.0.0.4:8080: UnsupportedTarget: no".into()],
        ..Answer::default()
    };
    record(&register, answer, &mut observed);
    let ids: Vec<&str> = observed.target_groups[0].targets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["10.0.0.1", "10.0.0.2", "10.0.0.3"]);

    let service = &observed.services[0];
    let listener = &service.listeners[0];
    let batch = Action::BatchUpdateRule(model::plan::action::BatchUpdateRule {
        service_identifier: service.id.clone(),
        listener_identifier: listener.id.clone(),
        rules: vec![model::plan::action::RuleUpdate {
            rule_identifier: listener.rules[0].id.clone(),
            matcher: None,
            priority: Some(7),
            action: Some(RuleAction::fixed(404)),
        }],
    });
    let mut unchanged = observed.clone();
    record(&batch, Answer::default(), &mut unchanged);
    assert_eq!(unchanged, observed, "nothing reported done, nothing changes");
    let done = Answer { done: vec![listener.rules[0].id.clone()], ..Answer::default() };
    record(&batch, done, &mut observed);
    let rule = &observed.services[0].listeners[0].rules[0];
    assert_eq!((rule.priority, &rule.action), (7, &RuleAction::fixed(404)));
}

#[test]
fn deletions_remove_and_the_target_group_is_freed() {
    let mut observed = inventory();
    let service = observed.services[0].clone();
    let listener = model::plan::action::ListenerRef {
        service_identifier: service.id.clone(),
        listener_identifier: service.listeners[0].id.clone(),
    };
    record(&Action::DeleteListener(listener), Answer::default(), &mut observed);
    assert!(observed.services[0].listeners.is_empty());
    assert!(observed.target_groups[0].service_arns.is_empty());
    let delete = model::plan::action::ServiceRef { service_identifier: service.id.clone() };
    record(&Action::DeleteService(delete), Answer::default(), &mut observed);
    assert!(observed.services.is_empty());
    let mut memory_view = inventory();
    let plan =
        model::plan::plan(&model::lattice::DesiredState::default(), &memory_view, &model::plan::Scope::All, MANAGED_BY);
    memory::apply(&plan, &mut memory_view, &mut IdGen::starting_at(100)).expect("applies");
    assert!(memory_view.services.is_empty() && memory_view.target_groups.is_empty());
}
