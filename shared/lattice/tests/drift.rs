//! Changes made by hand behind the adapter's back are repaired, and nothing else is touched.

mod common;

use aws_sdk_vpclattice::types::{FixedResponseAction, RuleAction, Target};
use common::*;
use lattice_sim::SimConfig;
use model::plan::{Scope, plan};

#[tokio::test]
async fn drift_made_by_hand_is_repaired_exactly() {
    let sim = sim(SimConfig::default()).await;
    let lattice = adapter(&sim, fast()).await;
    let desired = desired();
    converge(&lattice, &desired, 2).await;
    let before = lattice.observe(MANAGED_BY, &model::plan::Scope::All, &names(&desired)).await.expect("observe");

    // By hand: delete a rule, deregister a target, change a listener's default action.
    let client = raw(&sim).await;
    let rates = before.services.iter().find(|s| s.name == "rates-default").expect("rates");
    let listener = &rates.listeners[0];
    let old = listener.rules.iter().find(|r| r.name == "k8s-rule-old").expect("rule");
    client
        .delete_rule()
        .service_identifier(&rates.id)
        .listener_identifier(&listener.id)
        .rule_identifier(&old.id)
        .send()
        .await
        .expect("rule deleted");
    let parking = before.target_groups.iter().find(|tg| tg.name == "k8s-default-parking").expect("tg");
    let gone = &parking.targets[2];
    let target = Target::builder().id(&gone.id).port(gone.port).build().expect("target");
    client
        .deregister_targets()
        .target_group_identifier(&parking.id)
        .targets(target)
        .send()
        .await
        .expect("deregistered");
    let fixed = FixedResponseAction::builder().status_code(500).build().expect("action");
    client
        .update_listener()
        .service_identifier(&rates.id)
        .listener_identifier(&listener.id)
        .default_action(RuleAction::FixedResponse(fixed))
        .send()
        .await
        .expect("listener changed");

    sim.reset_calls();
    let mut observed = lattice.observe(MANAGED_BY, &model::plan::Scope::All, &names(&desired)).await.expect("observe");
    let repair = plan(&desired, &observed, &Scope::All, MANAGED_BY);
    let ops: Vec<&str> = repair.actions.iter().map(|a| a.op()).collect();
    assert_eq!(ops, ["RegisterTargets", "UpdateListener", "CreateRule"]);
    let report = lattice.apply(&repair, &mut observed, MANAGED_BY).await;
    assert!(report.is_complete(), "{report:#?}");
    let calls = sim.calls();
    eprintln!("repair run: {} calls: {calls:?}", total(&calls));
    let expected: Vec<(String, u64)> =
        ["CreateRule", "RegisterTargets", "UpdateListener"].iter().map(|op| ((*op).to_owned(), 1)).collect();
    assert_eq!(mutations(&calls).into_iter().collect::<Vec<_>>(), expected);

    let after = lattice.observe(MANAGED_BY, &model::plan::Scope::All, &names(&desired)).await.expect("observe");
    assert_eq!(shape_of_observed(&after), shape_of_desired(&desired));
    assert_eq!(shape_of_observed(&observed), shape_of_desired(&desired), "apply kept its inventory up to date");
    let untouched = |o: &model::observed::ObservedState| {
        o.services.iter().filter(|s| s.name != "rates-default").cloned().collect::<Vec<_>>()
    };
    assert_eq!(untouched(&after), untouched(&before), "the parking service did not change");
    assert!(plan(&desired, &after, &Scope::All, MANAGED_BY).is_noop());
}

#[tokio::test]
async fn a_service_no_longer_desired_goes_with_its_associations_and_target_groups() {
    let config = SimConfig { transition_delay: std::time::Duration::from_millis(150), ..SimConfig::default() };
    let sim = sim(config).await;
    let lattice =
        adapter(&sim, lattice::AdapterConfig { pending_wait: std::time::Duration::from_secs(3), ..fast() }).await;
    let mut desired = desired();
    converge(&lattice, &desired, 3).await;

    desired.services.retain(|s| s.name != "parking-default");
    desired.target_groups.retain(|tg| tg.name != "k8s-default-parking");
    sim.reset_calls();
    let (removal, report, observed) = run(&lattice, &desired).await;
    let ops: Vec<&str> = removal.actions.iter().map(|a| a.op()).collect();
    assert_eq!(
        ops,
        ["DeleteServiceNetworkServiceAssociation", "DeleteService", "DeregisterTargets", "DeleteTargetGroup"]
    );
    assert!(report.is_complete(), "{report:#?}");
    let calls = sim.calls();
    eprintln!("removal run: {} calls: {calls:?}", total(&calls));
    assert!(observed.services.iter().all(|s| s.name != "parking-default"));
    assert!(observed.target_groups.iter().all(|tg| tg.name != "k8s-default-parking"));

    let client = raw(&sim).await;
    eventually(std::time::Duration::from_secs(5), "the deletions to finish", || async {
        !census(&client).await.keys().any(|k| k.contains("parking"))
    })
    .await;
    assert_eq!(converge(&lattice, &desired, 2).await, 0);
    let after = lattice.observe(MANAGED_BY, &model::plan::Scope::All, &names(&desired)).await.expect("observe");
    assert_eq!(shape_of_observed(&after), shape_of_desired(&desired));
}
