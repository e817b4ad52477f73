//! Creating everything from nothing, then a steady state that costs reads only.

mod common;

use common::*;
use lattice_sim::SimConfig;

#[tokio::test]
async fn create_from_nothing_then_steady_state() {
    let sim = sim(SimConfig::default()).await;
    let lattice = adapter(&sim, fast()).await;
    let desired = desired();

    let (plan, report, after) = run(&lattice, &desired).await;
    assert!(report.is_complete(), "{report:#?}");
    assert_eq!(report.applied.len(), plan.actions.len());
    let create_calls = sim.calls();
    eprintln!("create run: {} actions, {} calls: {create_calls:?}", plan.actions.len(), total(&create_calls));
    assert_eq!(shape_of_observed(&after), shape_of_desired(&desired), "the inventory after apply");
    for service in &after.services {
        assert!(service.dns_name.as_deref().is_some_and(|d| d.contains(&service.name)), "{service:?}");
    }

    let observed = lattice.observe(MANAGED_BY, &model::plan::Scope::All, &names(&desired)).await.expect("observe");
    assert_eq!(shape_of_observed(&observed), shape_of_desired(&desired), "the observed inventory");
    let dns = |o: &model::observed::ObservedState| o.services.iter().map(|s| s.dns_name.clone()).collect::<Vec<_>>();
    assert_eq!(dns(&observed), dns(&after));

    assert_eq!(lattice.calls(), sim.calls(), "the adapter counts what the emulator received");
    sim.reset_calls();
    let (plan, report, _) = run(&lattice, &desired).await;
    assert!(plan.is_noop(), "{:#?}", plan.actions);
    assert!(report.applied.is_empty());
    let steady = sim.calls();
    eprintln!("steady run: {} calls: {steady:?}", total(&steady));
    assert!(mutations(&steady).is_empty(), "{steady:?}");
}
