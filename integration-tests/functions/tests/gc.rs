//! The garbage-collection safety valve in the functions: every route of the cluster disappears at
//! once; the sweep and a whole-cluster reconcile refuse to delete, fail, and delete only with
//! `"allowMassDelete": true`.

mod world;

use lambda_runtime::LambdaEvent;
use serde_json::json;
use world::{Access, context, counts, world};

#[tokio::test(flavor = "multi_thread")]
async fn reliability_gc_the_functions_refuse_a_mass_deletion() {
    let w = world("gc", Access::Kubeconfig, &[]).await;
    let swept = sweep::handle(&w.clients, LambdaEvent::new(json!({}), context())).await.expect("first sweep");
    assert_eq!(swept.clusters.len(), 1);
    assert_eq!(counts(&w.sim).await, (2, 4));

    for route in ["rates", "inventory"] {
        assert!(w.api.delete("gateway.networking.k8s.io", "v1", "httproutes", Some("default"), route));
    }
    let error = sweep::handle(&w.clients, LambdaEvent::new(json!({}), context())).await.expect_err("refused");
    assert!(error.full_message().contains("1 of 1 clusters failed"), "{}", error.full_message());
    assert_eq!(counts(&w.sim).await, (2, 4), "the sweep deleted nothing");

    // A whole-cluster reconcile names the refusal in its error.
    let incoming: reconcile::Incoming =
        serde_json::from_value(json!({"cluster": "demo", "kind": "Cluster", "name": "demo"})).expect("shape");
    let error = reconcile::handle(&w.clients, LambdaEvent::new(incoming, context())).await.expect_err("refused");
    assert_eq!(error.error_type().as_str(), "Fatal");
    let message = error.full_message();
    assert!(message.contains("refused a mass deletion") && message.contains("6 of the 6"), "{message}");
    assert!(message.contains("allowMassDelete"), "{message}");
    assert_eq!(counts(&w.sim).await, (2, 4));

    // The summary of a refused run carries the refusals and the metric's count.
    let key = lambda_support::Key::cluster("demo");
    let (summary, _) = lambda_support::run_key_allowing(
        &w.clients,
        &key,
        reconciler::Mode::Apply,
        now(),
        &reconciler::Budget::unlimited(),
        false,
    )
    .await
    .expect("run");
    assert!(summary.deletions_refused >= 6, "{summary:?}");
    assert!(summary.refused.iter().any(|r| r.starts_with("service/rates-default: mass deletion refused")));
    let metrics = lambda_support::metrics::RunMetrics::from_summary("reconcile", &summary);
    let doc = lambda_support::metrics::emf_document(&metrics, 0);
    assert_eq!(doc["DeletionsRefused"].as_u64(), Some(summary.deletions_refused as u64));

    // With the override, the reconcile function deletes everything.
    let incoming: reconcile::Incoming =
        serde_json::from_value(json!({"cluster": "demo", "kind": "Cluster", "name": "demo", "allowMassDelete": true}))
            .expect("shape");
    let out = reconcile::handle(&w.clients, LambdaEvent::new(incoming, context())).await.expect("allowed");
    let out = serde_json::to_value(out).expect("JSON");
    assert!(out["massDelete"].as_str().is_some_and(|m| m.contains("allowed by the mass-delete override")), "{out}");
    assert_eq!(counts(&w.sim).await, (0, 0));
    reliability::record(
        "gc-functions-refuse",
        &format!(
            "all routes gone: sweep and reconcile failed (Fatal), 0 of 6 deleted, DeletionsRefused={}; \
             allowMassDelete deleted all 6",
            summary.deletions_refused
        ),
    );
}

fn now() -> k8s_openapi::jiff::Timestamp {
    k8s_openapi::jiff::Timestamp::now()
}
