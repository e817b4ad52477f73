//! The readiness gate webhook's MutatingWebhookConfiguration with the real kube client against the fake
//! API server over HTTP: created once, nothing written in the steady state, replaced when it changes,
//! deleted when none is wanted, someone else's never touched, and all of it within the least-privilege
//! RBAC rules (`resourceNames` for update and delete).

mod support;

use fake_apiserver::{FakeConfig, PolicyRule, RunningApi};
use model::webhook::{CONFIGURATION_NAME, GatedService, WebhookChange, WebhookOutcome, WebhookWanted, configuration};
use serde_json::{Value, json};
use support::{client, lines};

const GROUP: &str = "admissionregistration.k8s.io";
const PLURAL: &str = "mutatingwebhookconfigurations";
const PATH: &str = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";

fn wanted(services: &[(&str, &str)]) -> WebhookWanted {
    let services: Vec<GatedService> = services
        .iter()
        .map(|(namespace, name)| GatedService {
            namespace: (*namespace).into(),
            name: (*name).into(),
            selector: [("app".to_owned(), (*name).to_owned())].into(),
        })
        .collect();
    WebhookWanted::Present(configuration(&services, "https://hook.example/"))
}

fn stored(api: &RunningApi) -> Option<Value> {
    api.get(GROUP, "v1", PLURAL, None, CONFIGURATION_NAME)
}

fn changed(change: WebhookChange, entries: usize) -> WebhookOutcome {
    WebhookOutcome { change: Some(change), entries, ..WebhookOutcome::default() }
}

/// The rules examples/rbac.yaml grants on webhook configurations.
fn webhook_rules() -> Vec<PolicyRule> {
    vec![
        PolicyRule::new(&[GROUP], &[PLURAL], &["create"]),
        PolicyRule::new(&[GROUP], &[PLURAL], &["get", "update", "patch", "delete"]).names(&[CONFIGURATION_NAME]),
    ]
}

#[tokio::test]
async fn created_once_kept_replaced_and_deleted_within_least_privilege() {
    let api = support::fake(FakeConfig::new().rbac(webhook_rules())).await;
    let cluster = client(&api, "webhook-rbac").await;

    let outcome = cluster.sync_readiness_webhook(&wanted(&[("shop", "review")]), false).await;
    assert_eq!(outcome, changed(WebhookChange::Created, 1));
    let object = stored(&api).expect("created");
    assert_eq!(object["webhooks"][0]["name"], "review.shop.pod-readiness-gate.application-networking.k8s.aws");
    assert_eq!(object["webhooks"][0]["failurePolicy"], "Ignore");

    api.clear_requests();
    let outcome = cluster.sync_readiness_webhook(&wanted(&[("shop", "review")]), false).await;
    assert_eq!(outcome, WebhookOutcome { entries: 1, ..WebhookOutcome::default() });
    assert_eq!(lines(&api.requests()), [format!("GET {PATH}/{CONFIGURATION_NAME}")], "steady state: one read");

    let outcome = cluster.sync_readiness_webhook(&wanted(&[("shop", "review"), ("shop", "web")]), false).await;
    assert_eq!(outcome, changed(WebhookChange::Updated, 2));
    assert_eq!(stored(&api).expect("replaced")["webhooks"].as_array().map(Vec::len), Some(2));

    let outcome = cluster.sync_readiness_webhook(&WebhookWanted::Absent, false).await;
    assert_eq!(outcome, changed(WebhookChange::Deleted, 0));
    assert!(stored(&api).is_none());
    assert!(api.requests().iter().all(|r| r.status != 403), "nothing was forbidden");

    api.clear_requests();
    assert_eq!(cluster.sync_readiness_webhook(&WebhookWanted::Absent, false).await, WebhookOutcome::default());
    assert_eq!(cluster.sync_readiness_webhook(&WebhookWanted::Unmanaged, false).await, WebhookOutcome::default());
    assert_eq!(lines(&api.requests()), [format!("GET {PATH}/{CONFIGURATION_NAME}")], "unmanaged reads nothing");
}

#[tokio::test]
async fn a_dry_run_reports_and_writes_nothing() {
    let api = support::fake(FakeConfig::new()).await;
    let cluster = client(&api, "webhook-dry").await;
    let outcome = cluster.sync_readiness_webhook(&wanted(&[("shop", "review")]), true).await;
    assert_eq!(outcome, changed(WebhookChange::Created, 1));
    assert!(stored(&api).is_none());
    assert!(api.requests().iter().all(|r| r.method == "GET"), "{:?}", lines(&api.requests()));
}

#[tokio::test]
async fn a_configuration_of_that_name_that_is_not_ours_is_left_alone() {
    let api = support::fake(FakeConfig::new()).await;
    let theirs = json!({
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": CONFIGURATION_NAME, "labels": {"team": "platform"}}, "webhooks": [],
    });
    api.put(theirs).expect("stored");
    let cluster = client(&api, "webhook-foreign").await;
    let outcome = cluster.sync_readiness_webhook(&wanted(&[("shop", "review")]), false).await;
    assert!(outcome.change.is_none() && outcome.failed.is_none(), "{outcome:?}");
    assert!(outcome.foreign.as_deref().is_some_and(|why| why.contains("left unchanged")), "{outcome:?}");
    assert_eq!(cluster.sync_readiness_webhook(&WebhookWanted::Absent, false).await, WebhookOutcome::default());
    assert_eq!(stored(&api).expect("still there")["metadata"]["labels"], json!({"team": "platform"}));
}

#[tokio::test]
async fn a_forbidden_write_is_reported_not_fatal() {
    let api = support::fake(FakeConfig::new().rbac(webhook_rules()[1..].to_vec())).await;
    let cluster = client(&api, "webhook-no-create").await;
    let outcome = cluster.sync_readiness_webhook(&wanted(&[("shop", "review")]), false).await;
    assert_eq!(outcome.change, None);
    let failed = outcome.failed.expect("create is forbidden");
    assert!(failed.contains("writing MutatingWebhookConfiguration") && failed.contains("forbidden"), "{failed}");
}

#[tokio::test]
async fn without_the_url_an_identity_that_may_not_read_webhook_configurations_is_not_a_failure() {
    let api = support::fake(FakeConfig::new().rbac(Vec::new())).await;
    let cluster = client(&api, "webhook-old-rbac").await;
    let outcome = cluster.sync_readiness_webhook(&WebhookWanted::Absent, false).await;
    assert_eq!(outcome, WebhookOutcome::default(), "RBAC from before the webhook: nothing to remove, no failure");
    assert!(api.requests().iter().any(|r| r.status == 403), "the read was forbidden");
    let outcome = cluster.sync_readiness_webhook(&wanted(&[("shop", "review")]), false).await;
    let failed = outcome.failed.expect("with the URL, a forbidden read is a failure");
    assert!(failed.contains("reading MutatingWebhookConfiguration"), "{failed}");
}
