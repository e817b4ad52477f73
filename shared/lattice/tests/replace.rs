//! A service whose custom domain name changes is deleted and created again on the emulator, a
//! second run plans nothing, and a run cut off after any call is completed by the next.

mod common;

use common::*;
use lattice::AdapterConfig;
use lattice_sim::{Faults, SimConfig};
use model::lattice::DesiredState;
use model::plan::Scope;

fn with_domain(domain: &str) -> DesiredState {
    let mut d = desired();
    d.services[0].custom_domain_name = Some(domain.to_owned());
    d
}

#[tokio::test]
async fn a_new_custom_domain_replaces_the_service_and_keeps_its_target_groups() {
    let sim = sim(SimConfig::default()).await;
    let lattice = adapter(&sim, fast()).await;
    converge(&lattice, &with_domain("old.example.com"), 3).await;
    let before = lattice.observe(MANAGED_BY, &Scope::All, &names(&desired())).await.expect("observe");
    let old = before.service("rates-default").expect("service").clone();

    let want = with_domain("new.example.com");
    sim.reset_calls();
    let (plan, report, _) = run(&lattice, &want).await;
    let ops: Vec<&str> = plan.actions.iter().map(|a| a.op()).collect();
    assert_eq!(ops[..3], ["DeleteServiceNetworkServiceAssociation", "DeleteService", "CreateService"], "{ops:?}");
    assert!(!ops.contains(&"DeleteTargetGroup") && !ops.contains(&"CreateTargetGroup"), "{ops:?}");
    assert!(report.is_complete(), "{report:#?}");
    eprintln!("replacement: {} actions, calls {:?}", plan.actions.len(), sim.calls());

    let (again, _, after) = run(&lattice, &want).await;
    assert!(again.is_noop(), "{:?}", again.actions);
    let new = after.service("rates-default").expect("service");
    assert_ne!(new.id, old.id);
    assert_ne!(new.dns_name, old.dns_name, "the Lattice DNS name changes");
    assert_eq!(new.custom_domain_name.as_deref(), Some("new.example.com"));
    let groups = |o: &model::observed::ObservedState| o.target_groups.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
    assert_eq!(groups(&after), groups(&before), "target groups are kept");
    assert_eq!(shape_of_observed(&after), shape_of_desired(&want));
}

#[tokio::test]
async fn a_replacement_waits_for_the_old_service_to_be_gone_and_completes_in_one_run() {
    let delay = std::time::Duration::from_millis(300);
    let sim = sim(SimConfig { transition_delay: delay, ..SimConfig::default() }).await;
    let config = AdapterConfig { pending_wait: std::time::Duration::from_secs(5), ..fast() };
    let lattice = adapter(&sim, config).await;
    converge(&lattice, &with_domain("old.example.com"), 5).await;
    let want = with_domain("new.example.com");
    let (plan, report, _) = run(&lattice, &want).await;
    assert!(plan.actions.iter().any(|a| a.op() == "DeleteService"));
    assert!(report.is_complete(), "the new service waits out the old one's deletion: {report:#?}");
    let (again, _, after) = run(&lattice, &want).await;
    assert!(again.is_noop(), "{:?}", again.actions);
    assert_eq!(after.service("rates-default").and_then(|s| s.custom_domain_name.as_deref()), Some("new.example.com"));
}

#[tokio::test]
async fn a_replacement_cut_off_after_any_call_converges_on_the_next_run() {
    let old = with_domain("old.example.com");
    let want = with_domain("new.example.com");
    let config = AdapterConfig { max_attempts: 2, pending_wait: std::time::Duration::from_millis(100), ..fast() };
    let length = uncut_length(&old, &want).await;
    for k in 0..=length {
        let sim = sim(SimConfig::default()).await;
        let lattice = adapter(&sim, config.clone()).await;
        converge(&lattice, &old, 3).await;
        sim.set_faults(Faults { fail_after: Some(k), ..Faults::default() }).expect("faults set");
        if let Ok(mut observed) = lattice.observe(MANAGED_BY, &Scope::All, &names(&want)).await {
            let plan = model::plan::plan(&want, &observed, &Scope::All, MANAGED_BY);
            lattice.apply(&plan, &mut observed, MANAGED_BY).await;
        }
        sim.set_faults(Faults::default()).expect("faults cleared");
        let runs = converge(&lattice, &want, 4).await;
        assert!(runs <= 2, "cut after {k} calls: {runs} runs to converge");
        let observed = lattice.observe(MANAGED_BY, &Scope::All, &names(&want)).await.expect("observe");
        assert_eq!(shape_of_observed(&observed), shape_of_desired(&want), "cut after {k} calls");
        assert_eq!(
            observed.service("rates-default").and_then(|s| s.custom_domain_name.as_deref()),
            Some("new.example.com")
        );
    }
}

/// Calls an uncut replacement run makes (observe included).
async fn uncut_length(old: &DesiredState, want: &DesiredState) -> u64 {
    let sim = sim(SimConfig::default()).await;
    let lattice = adapter(&sim, fast()).await;
    converge(&lattice, old, 3).await;
    sim.reset_calls();
    run(&lattice, want).await;
    total(&sim.calls())
}
