//! Other owners' resources through a whole life cycle of ours: create, update, drift repair and the
//! deletion of everything we own. Another cluster's service holds a name a route of ours wants
//! (the route is told so in its status), foreign services carry our listener and rule names, the
//! Gateway's service network belongs to another cluster, and untagged resources sit beside them:
//! none is ever modified or deleted. (Every other scenario of this crate checks the same.)

use lattice_sim::SimConfig;
use model::plan::Scope;
use model::status::ObjectStatus;
use resilience_tests::{demo_with, fast, hotel, hotel_updated, world};

#[tokio::test]
async fn reliability_foreign_resources_survive_our_whole_life_cycle() {
    let w = world(SimConfig::default()).await;
    let lattice = w.adapter(fast());
    let report = w.reconcile(&lattice, &hotel(), Scope::All).await.expect("create");
    let taken = report.translation.status.iter().find(|e| e.name == "taken").expect("the taken route's status");
    let ObjectStatus::Route(status) = &taken.status else { panic!("a route status: {taken:?}") };
    let accepted = status.parents[0].conditions.iter().find(|c| c.type_ == "Accepted").expect("Accepted");
    assert_eq!((accepted.status.as_str(), accepted.reason.as_str()), ("False", "Conflicted"));
    assert!(accepted.message.contains("taken-default") && accepted.message.contains("other-cluster"), "{accepted:?}");
    w.assert_foreign_untouched_and_no_duplicates();
    let mut phases = vec!["create"];

    w.converge(&lattice, &hotel_updated(), 3).await;
    w.assert_foreign_untouched_and_no_duplicates();
    phases.push("update");

    // Drift: a rule of ours deleted behind our back is put back by a verifying run (the
    // fingerprint path trusts its tags and does not see it); the foreign rules of the same
    // listener names are left alone.
    let client = aws_sdk_vpclattice::Client::new(&w.sdk);
    let state = w.sim.state_json();
    let ours = |r: &&serde_json::Value| {
        r["is_default"] == false && w.foreign.values().all(|f| f["record"]["meta"]["id"] != r["meta"]["id"])
    };
    let rule = state["rules"].as_object().expect("rules").values().find(ours).expect("a rule of ours").clone();
    client
        .delete_rule()
        .service_identifier(rule["service_id"].as_str().expect("service"))
        .listener_identifier(rule["listener_id"].as_str().expect("listener"))
        .rule_identifier(rule["meta"]["id"].as_str().expect("id"))
        .send()
        .await
        .expect("deleted by hand");
    assert_eq!(w.converge(&lattice, &hotel_updated(), 3).await, 0, "invisible without verification");
    assert_eq!(w.converge_verifying(&lattice, &hotel_updated(), 3).await, 1);
    w.assert_foreign_untouched_and_no_duplicates();
    phases.push("drift repair");

    // Everything of ours goes: no routes, no policies.
    let nothing = demo_with(|name, text| {
        let keep = ["00-gatewayclass.yaml", "01-gateway.yaml"];
        keep.contains(&name).then_some(text)
    });
    w.converge(&lattice, &nothing, 4).await;
    assert!(w.ours().is_empty(), "nothing of ours is left: {:#?}", w.ours());
    w.assert_foreign_untouched_and_no_duplicates();
    phases.push("deletion of everything ours");
    reliability::record(
        "ownership-foreign-untouched",
        &format!(
            "{} foreign resources (other cluster and untagged, our names) unchanged through {}; and in every crash, noisy, concurrency and kubernetes scenario",
            w.foreign.len(),
            phases.join(", ")
        ),
    );
}
