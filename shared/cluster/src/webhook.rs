//! The readiness gate webhook's `MutatingWebhookConfiguration` ([`Cluster::sync_readiness_webhook`]).
//!
//! One object, [`CONFIGURATION_NAME`], read with one GET per run; created, replaced (with its
//! `resourceVersion`, so a concurrent change is a conflict, not lost) or deleted (with its uid as a
//! precondition) only when it differs from what is wanted. It is ours when it carries
//! [`MANAGED_BY_LABEL`]` = `[`MANAGED_BY_VALUE`]; one that is not is never changed or deleted.

use model::webhook::{
    CONFIGURATION_NAME, MANAGED_BY_LABEL, MANAGED_BY_VALUE, WebhookChange, WebhookOutcome, WebhookWanted,
};
use serde_json::{Map, Value, json};

use crate::client::{Cluster, status_code};
use crate::read::kinds::MUTATING_WEBHOOK_CONFIGURATION as KIND;
use crate::write::chain;

/// What to do with the configuration.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Step {
    /// Leave it as it is (right already, absent and unwanted, or unmanaged).
    Nothing,
    /// Create this object.
    Create(Value),
    /// Replace ours with this object (carrying the `resourceVersion` read).
    Replace(Value),
    /// Delete ours, whose uid is given.
    Delete(String),
    /// One is wanted, but the object of that name is not ours: why it is left alone.
    Foreign(String),
}

/// The step from `existing` (the object of that name, if any) to `wanted` (pure).
pub(crate) fn step(wanted: &WebhookWanted, existing: Option<&Value>) -> Step {
    let ours = existing.is_some_and(is_ours);
    match (wanted, existing) {
        (WebhookWanted::Unmanaged, _) | (WebhookWanted::Absent, None) => Step::Nothing,
        (WebhookWanted::Absent, Some(e)) if ours => {
            Step::Delete(e.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or("").to_owned())
        }
        (WebhookWanted::Absent, Some(_)) => Step::Nothing,
        (WebhookWanted::Present(w), None) => Step::Create(w.clone()),
        (WebhookWanted::Present(_), Some(_)) if !ours => Step::Foreign(format!(
            "MutatingWebhookConfiguration {CONFIGURATION_NAME} exists without the label \
             {MANAGED_BY_LABEL}={MANAGED_BY_VALUE}; it is left unchanged, so new pods get no readiness gate from this \
             controller"
        )),
        (WebhookWanted::Present(w), Some(e)) if same(w, e) => Step::Nothing,
        (WebhookWanted::Present(w), Some(e)) => Step::Replace(replacement(w, e)),
    }
}

fn is_ours(object: &Value) -> bool {
    object.pointer(&format!("/metadata/labels/{}", MANAGED_BY_LABEL.replace('/', "~1"))).and_then(Value::as_str)
        == Some(MANAGED_BY_VALUE)
}

/// Whether `existing` holds the webhooks `wanted` lists: the same entries in the same order, each
/// with the same value of every field `wanted` sets (fields the API server adds are not compared).
fn same(wanted: &Value, existing: &Value) -> bool {
    let entries = |v: &Value| v.get("webhooks").and_then(Value::as_array).cloned().unwrap_or_default();
    let (want, have) = (entries(wanted), entries(existing));
    want.len() == have.len()
        && want.iter().zip(&have).all(|(w, h)| match w.as_object() {
            Some(fields) => fields.iter().all(|(key, value)| h.get(key) == Some(value)),
            None => w == h,
        })
}

/// `wanted` with the existing object's metadata kept (its other labels and annotations, its
/// `resourceVersion` for the optimistic lock) and our label set.
fn replacement(wanted: &Value, existing: &Value) -> Value {
    let mut metadata: Map<String, Value> =
        existing.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut labels = metadata.get("labels").and_then(Value::as_object).cloned().unwrap_or_default();
    labels.insert(MANAGED_BY_LABEL.to_owned(), json!(MANAGED_BY_VALUE));
    metadata.insert("labels".to_owned(), Value::Object(labels));
    metadata.remove("managedFields");
    let mut object = wanted.clone();
    object["metadata"] = Value::Object(metadata);
    object
}

impl Cluster {
    /// Brings the readiness gate webhook configuration to `wanted` (see [`step`]); with `dry_run` only
    /// reads and reports what it would do. [`WebhookWanted::Unmanaged`] makes no request at all.
    pub async fn sync_readiness_webhook(&self, wanted: &WebhookWanted, dry_run: bool) -> WebhookOutcome {
        let mut outcome = WebhookOutcome::default();
        if let WebhookWanted::Present(w) = wanted {
            outcome.entries = w.get("webhooks").and_then(Value::as_array).map_or(0, Vec::len);
        }
        if *wanted == WebhookWanted::Unmanaged {
            return outcome;
        }
        let path = KIND.path("v1", None, Some(CONFIGURATION_NAME));
        let existing = match self.get("get mutatingwebhookconfigurations", &path).await {
            Ok(existing) => existing,
            // Without the URL none is wanted; an identity that may not even read webhook
            // configurations (RBAC from before this feature) cannot have made ours.
            Err(error) if *wanted == WebhookWanted::Absent && status_code(&error) == Some(403) => {
                tracing::info!(
                    "Not allowed to read MutatingWebhookConfiguration {CONFIGURATION_NAME}: none is wanted, so none of ours can exist"
                );
                return outcome;
            }
            Err(error) => {
                outcome.failed =
                    Some(format!("reading MutatingWebhookConfiguration {CONFIGURATION_NAME}: {}", chain(&error)));
                tracing::warn!(problem = outcome.failed.as_deref(), "Failed to read the webhook configuration");
                return outcome;
            }
        };
        let step = step(wanted, existing.as_ref());
        let (change, result) = match step {
            Step::Nothing => (None, Ok(())),
            Step::Foreign(why) => {
                tracing::warn!(problem = %why, "Webhook configuration is not ours");
                outcome.foreign = Some(why);
                (None, Ok(()))
            }
            Step::Create(_) | Step::Replace(_) | Step::Delete(_) if dry_run => (Some(change_of(&step)), Ok(())),
            Step::Create(object) => {
                let collection = KIND.path("v1", None, None);
                (
                    Some(WebhookChange::Created),
                    self.post("create mutatingwebhookconfigurations", &collection, &object).await.map(|_| ()),
                )
            }
            Step::Replace(object) => (
                Some(WebhookChange::Updated),
                self.put("update mutatingwebhookconfigurations", &path, &object).await.map(|_| ()),
            ),
            Step::Delete(uid) => {
                let options = json!({"preconditions": {"uid": uid}});
                (
                    Some(WebhookChange::Deleted),
                    self.delete("delete mutatingwebhookconfigurations", &path, &options).await.map(|_| ()),
                )
            }
        };
        match result {
            Ok(()) => {
                outcome.change = change;
                if let Some(change) = change {
                    tracing::info!(?change, entries = outcome.entries, dry_run, "Synced the webhook configuration");
                }
            }
            Err(error) => {
                let message = match status_code(&error) {
                    Some(409) => format!("{}; someone wrote it meanwhile, the next run retries", chain(&error)),
                    _ => chain(&error),
                };
                tracing::warn!(problem = %message, "Failed to write the webhook configuration");
                outcome.failed = Some(format!("writing MutatingWebhookConfiguration {CONFIGURATION_NAME}: {message}"));
            }
        }
        outcome
    }
}

fn change_of(step: &Step) -> WebhookChange {
    match step {
        Step::Replace(_) => WebhookChange::Updated,
        Step::Delete(_) => WebhookChange::Deleted,
        _ => WebhookChange::Created,
    }
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
