//! The step from the configuration that exists to the one wanted.

use model::webhook::{GatedService, configuration};

use super::*;

fn wanted(selector_value: &str) -> Value {
    let service = GatedService {
        namespace: "shop".into(),
        name: "review".into(),
        selector: [("app".to_owned(), selector_value.to_owned())].into(),
    };
    configuration(&[service], "https://hook.example/")
}

/// `wanted` as an API server stores it: metadata filled in, defaults the configuration did not set.
fn stored(wanted: &Value) -> Value {
    let mut object = wanted.clone();
    object["metadata"]["uid"] = json!("uid-1");
    object["metadata"]["resourceVersion"] = json!("42");
    object["metadata"]["labels"]["team"] = json!("platform");
    object["webhooks"][0]["matchConditions"] = json!([]);
    object
}

#[test]
fn a_configuration_as_stored_needs_nothing() {
    let w = wanted("review");
    assert_eq!(step(&WebhookWanted::Present(w.clone()), Some(&stored(&w))), Step::Nothing);
    assert_eq!(step(&WebhookWanted::Present(w.clone()), None), Step::Create(w));
}

#[test]
fn a_changed_selector_replaces_ours_keeping_its_metadata() {
    let old = stored(&wanted("review"));
    let new = wanted("review-v2");
    let Step::Replace(object) = step(&WebhookWanted::Present(new.clone()), Some(&old)) else {
        panic!("expected a replace")
    };
    assert_eq!(object["webhooks"], new["webhooks"]);
    assert_eq!(object["metadata"]["resourceVersion"], "42");
    assert_eq!(object["metadata"]["labels"]["team"], "platform");
    assert_eq!(object["metadata"]["labels"][MANAGED_BY_LABEL], MANAGED_BY_VALUE);
    // A removed selector label is a difference too, not a subset.
    let mut two = wanted("review");
    two["webhooks"][0]["objectSelector"]["matchLabels"]["tier"] = json!("web");
    assert!(matches!(step(&WebhookWanted::Present(wanted("review")), Some(&stored(&two))), Step::Replace(_)));
    // So is an entry more or less.
    let mut none = stored(&wanted("review"));
    none["webhooks"] = json!([]);
    assert!(matches!(step(&WebhookWanted::Present(wanted("review")), Some(&none)), Step::Replace(_)));
}

#[test]
fn ours_is_deleted_when_none_is_wanted_and_others_are_never_touched() {
    let ours = stored(&wanted("review"));
    assert_eq!(step(&WebhookWanted::Absent, Some(&ours)), Step::Delete("uid-1".into()));
    assert_eq!(step(&WebhookWanted::Absent, None), Step::Nothing);
    assert_eq!(step(&WebhookWanted::Unmanaged, Some(&ours)), Step::Nothing);
    let mut theirs = ours.clone();
    theirs["metadata"]["labels"] = json!({"team": "platform"});
    assert_eq!(step(&WebhookWanted::Absent, Some(&theirs)), Step::Nothing);
    let Step::Foreign(why) = step(&WebhookWanted::Present(wanted("review")), Some(&theirs)) else {
        panic!("expected foreign")
    };
    assert!(why.contains("lattice-pod-readiness-gate") && why.contains(MANAGED_BY_LABEL), "{why}");
}
