//! Writing status (and the route annotations) back to the objects.
//!
//! Per object: GET it fresh, merge our status into the fresh one ([`merge`]), and PUT the `/status`
//! subresource with the fresh `resourceVersion` only when something other than timestamps changed. A 409
//! (someone wrote in between) re-reads and merges again, so the concurrent writer's entries survive. Then the
//! annotations that differ are set with a JSON merge patch on the object itself. One object's failure never
//! stops the others.

mod merge;
mod pending;

use std::collections::BTreeMap;

use model::snapshot::ObjectRef;
use model::status::StatusEntry;
use serde_json::{Map, Value, json};

use crate::client::{Cluster, status_code};
use crate::read::kinds;
use merge::{Merged, merge_status};
pub use pending::pending_status;

/// Attempts at a status write that keeps meeting concurrent writers (409 Conflict).
const MAX_ATTEMPTS: usize = 5;

/// What [`Cluster::write_status`] did, per object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Objects whose status or annotations were written.
    pub written: Vec<ObjectRef>,
    /// Objects that already carried this status and these annotations (timestamps aside).
    pub unchanged: Vec<ObjectRef>,
    /// Objects that carry our status computed from a newer generation than the entry's: left as they are.
    pub stale: Vec<ObjectRef>,
    /// Objects that no longer exist.
    pub gone: Vec<ObjectRef>,
    /// Objects whose write failed, with why.
    pub failed: Vec<(ObjectRef, String)>,
}

impl WriteReport {
    /// Whether no write failed.
    pub fn is_success(&self) -> bool {
        self.failed.is_empty()
    }
}

/// How one object's write ended.
enum Outcome {
    Written,
    Unchanged,
    Stale,
    Gone,
}

impl Cluster {
    /// Writes each entry's status (and annotations) to its object, keeping what other controllers wrote.
    /// Every entry is attempted; failures are collected in [`WriteReport::failed`].
    pub async fn write_status(&self, entries: &[StatusEntry]) -> WriteReport {
        let mut report = WriteReport::default();
        for entry in entries {
            let reference = ObjectRef::new(&entry.kind, entry.namespace.as_deref().unwrap_or(""), &entry.name);
            match self.write_one(entry).await {
                Ok(Outcome::Written) => report.written.push(reference),
                Ok(Outcome::Unchanged) => report.unchanged.push(reference),
                Ok(Outcome::Stale) => {
                    tracing::info!(object = %reference, "Status from a newer generation present; not written");
                    report.stale.push(reference);
                }
                Ok(Outcome::Gone) => report.gone.push(reference),
                Err(message) => {
                    tracing::warn!(object = %reference, error = %message, "Failed to write status");
                    report.failed.push((reference, message));
                }
            }
        }
        tracing::info!(
            written = report.written.len(),
            unchanged = report.unchanged.len(),
            stale = report.stale.len(),
            gone = report.gone.len(),
            failed = report.failed.len(),
            "Wrote status"
        );
        report
    }

    async fn write_one(&self, entry: &StatusEntry) -> Result<Outcome, String> {
        let kind = kinds::status_kind(&entry.kind)
            .filter(|k| entry.api_version.split_once('/').is_some_and(|(group, _)| group == k.group))
            .ok_or_else(|| {
                format!("{} {} is not a kind whose status this controller writes", entry.api_version, entry.kind)
            })?;
        let version = self
            .served_version(&kind)
            .await
            .map_err(|error| chain(&error))?
            .ok_or_else(|| format!("the API server does not serve {}", kind.resource()))?;
        let path = kind.path(version, entry.namespace.as_deref(), Some(&entry.name));
        let get = format!("get {}", kind.plural);
        let update = format!("update {}/status", kind.plural);

        let mut status_written = false;
        let mut attempt = 0;
        let current = loop {
            attempt += 1;
            let Some(fresh) = self.get(&get, &path).await.map_err(|error| chain(&error))? else {
                return Ok(Outcome::Gone);
            };
            let status = match merge_status(&fresh, &entry.status)? {
                Merged::Unchanged => break fresh,
                Merged::Stale => return Ok(Outcome::Stale),
                Merged::Changed(status) => status,
            };
            let mut body = fresh;
            if let Value::Object(object) = &mut body {
                object.insert("status".to_owned(), status);
            }
            match self.put(&update, &format!("{path}/status"), &body).await {
                Ok(stored) => {
                    status_written = true;
                    break stored;
                }
                Err(error) if status_code(&error) == Some(409) && attempt < MAX_ATTEMPTS => {
                    tracing::debug!(path, attempt, "Status write conflicted; reading again");
                }
                Err(error) if status_code(&error) == Some(404) => return Ok(Outcome::Gone),
                Err(error) => return Err(chain(&error)),
            }
        };

        let patch = annotation_patch(&current, &entry.annotations);
        if let Some(patch) = patch {
            match self.merge_patch(&format!("patch {}", kind.plural), &path, &patch).await {
                Ok(_) => return Ok(Outcome::Written),
                Err(error) if status_code(&error) == Some(404) => return Ok(Outcome::Gone),
                Err(error) => return Err(chain(&error)),
            }
        }
        Ok(if status_written { Outcome::Written } else { Outcome::Unchanged })
    }
}

/// A merge patch setting the annotations of `wanted` that `object` does not carry with the same value.
pub(crate) fn annotation_patch(object: &Value, wanted: &BTreeMap<String, String>) -> Option<Value> {
    let current = object.pointer("/metadata/annotations");
    let differing: Map<String, Value> = wanted
        .iter()
        .filter(|(key, value)| {
            current.and_then(|a| a.get(key.as_str())).and_then(Value::as_str) != Some(value.as_str())
        })
        .map(|(key, value)| (key.clone(), Value::String(value.clone())))
        .collect();
    (!differing.is_empty()).then(|| json!({ "metadata": { "annotations": differing } }))
}

/// An error and its sources, as one line.
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_patch_sets_only_what_differs() {
        let object = json!({"metadata": {"annotations": {"a": "1", "b": "old", "other": "x"}}});
        let wanted = BTreeMap::from([
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "new".to_owned()),
            ("c".to_owned(), "3".to_owned()),
        ]);
        assert_eq!(
            annotation_patch(&object, &wanted),
            Some(json!({"metadata": {"annotations": {"b": "new", "c": "3"}}}))
        );
        let same = BTreeMap::from([("a".to_owned(), "1".to_owned())]);
        assert_eq!(annotation_patch(&object, &same), None);
        assert_eq!(annotation_patch(&json!({"metadata": {}}), &BTreeMap::new()), None);
        assert_eq!(
            annotation_patch(&json!({"metadata": {}}), &same),
            Some(json!({"metadata": {"annotations": {"a": "1"}}}))
        );
    }

    #[test]
    fn chains_name_every_cause() {
        let inner = std::io::Error::other("connection reset");
        let outer = crate::Error::LoadKubeconfig {
            path: "/k".into(),
            source: Box::new(kube::config::KubeconfigError::ReadConfig(inner, "/k".into())),
        };
        let text = chain(&outer);
        assert!(text.starts_with("failed to load kubeconfig /k: "), "{text}");
        assert!(text.ends_with("connection reset"), "{text}");
    }
}
