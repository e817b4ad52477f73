//! Observing one route: only its service and target groups are read in full.

mod common;

use std::collections::BTreeSet;

use common::*;
use lattice_sim::SimConfig;
use model::lattice::OwnerKey;
use model::plan::Scope;

#[tokio::test]
async fn a_scoped_read_reads_only_the_routes_in_scope() {
    let sim = sim(SimConfig::default()).await;
    let lattice = adapter(&sim, fast()).await;
    let desired = desired();
    let (_, report, _) = run(&lattice, &desired).await;
    assert!(report.is_complete(), "{report:#?}");

    sim.reset_calls();
    let all = lattice.observe(MANAGED_BY, &Scope::All, &BTreeSet::new()).await.expect("observe all");
    let full = sim.calls();
    sim.reset_calls();
    let owner = OwnerKey { kind: "HTTPRoute".into(), namespace: "default".into(), name: "parking".into() };
    let scope = Scope::Owners(BTreeSet::from([owner]));
    let one = lattice.observe(MANAGED_BY, &scope, &BTreeSet::new()).await.expect("observe one");
    let scoped = sim.calls();

    let names = |o: &model::observed::ObservedState| {
        let mut n: Vec<String> = o.services.iter().map(|s| s.name.clone()).collect();
        n.sort();
        n
    };
    assert_eq!(names(&all), ["parking-default", "rates-default"]);
    assert_eq!(names(&one), ["parking-default"], "an out-of-scope service we own is left out");
    let parking = all.services.iter().find(|s| s.name == "parking-default").expect("parking");
    assert_eq!(&one.services[0], parking, "the route in scope is read in full");
    let groups: Vec<&str> = one.target_groups.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(groups, ["k8s-default-parking"]);
    assert!(total(&scoped) < total(&full), "scoped {scoped:?} vs full {full:?}");
    assert_eq!(scoped.get("GetTargetGroup"), Some(&1));
    assert_eq!(scoped.get("GetService"), Some(&1));

    // A name of interest held by an out-of-scope service of ours comes with its tags only.
    let interesting = BTreeSet::from(["rates-default".to_owned()]);
    let with_name = lattice.observe(MANAGED_BY, &scope, &interesting).await.expect("observe");
    let rates = with_name.services.iter().find(|s| s.name == "rates-default").expect("rates is reported");
    assert!(rates.listeners.is_empty() && rates.tags.contains_key(model::names::TAG_MANAGED_BY));
}
