//! Reading the cluster: every object the controller needs ([`Cluster::snapshot`]) or only those one route
//! needs ([`Cluster::snapshot_for_route`]).
//!
//! Objects are read as raw JSON and converted one by one with the same conversion manifest files go through
//! (`manifests::add_object`), so an object the typed model cannot hold (an unknown enum value, a field of the
//! wrong type) is reported in [`ReadResult::unreadable`] with its field, and never fails the read. What does
//! fail the read is any failed request other than a 404 for a group that is not installed: a partial snapshot
//! would make the objects it lacks look deleted.

pub(crate) mod kinds;
mod scoped;

use std::path::PathBuf;

use manifests::{Loaded, Origin};
use model::snapshot::{ClusterSnapshot, ObjectRef};
use serde_json::Value;

use crate::client::Cluster;
use crate::error::Error;
use kinds::{Kind, encode};

/// What a read found.
#[derive(Clone, Debug, Default)]
pub struct ReadResult {
    /// The objects that could be converted.
    pub snapshot: ClusterSnapshot,
    /// Objects that exist but could not be converted, with the field and what is wrong with it. They are not
    /// in the snapshot, yet they exist: whatever belongs to them must not be garbage-collected.
    pub unreadable: Vec<(ObjectRef, String)>,
    /// Objects a scoped read asked for by name that do not exist (a deleted route, a missing backend Service).
    /// Always empty after a full read, where absence is simply not being listed.
    pub missing: Vec<ObjectRef>,
}

/// Collects converted objects and conversion failures.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    loaded: Loaded,
    unreadable: Vec<(ObjectRef, String)>,
    missing: Vec<ObjectRef>,
}

impl Collector {
    /// Converts one object of `kind` served as `api_version`, read from `source`, where it is item `index`.
    pub(crate) fn add(&mut self, kind: &Kind, api_version: &str, mut object: Value, source: &str, index: usize) {
        if let Value::Object(map) = &mut object {
            // List items of built-in kinds come without apiVersion and kind.
            map.entry("apiVersion").or_insert_with(|| Value::String(api_version.to_owned()));
            map.entry("kind").or_insert_with(|| Value::String(kind.kind.to_owned()));
        }
        let reference = object_ref(kind, &object);
        let before = self.loaded.errors.len();
        manifests::add_object(object, Origin::new(PathBuf::from(source), index), &mut self.loaded);
        let problems: Vec<String> = self.loaded.errors[before..]
            .iter()
            .map(|e| match &e.field {
                Some(field) => format!("{field}: {}", e.message),
                None => e.message.clone(),
            })
            .collect();
        if !problems.is_empty() {
            tracing::warn!(object = %reference, problem = %problems.join("; "), "Failed to convert an object");
            self.unreadable.push((reference, problems.join("; ")));
        }
    }

    /// Notes that `reference` was asked for and does not exist.
    pub(crate) fn missing(&mut self, reference: ObjectRef) {
        self.missing.push(reference);
    }

    /// The snapshot so far.
    pub(crate) fn snapshot(&self) -> &ClusterSnapshot {
        &self.loaded.snapshot
    }

    /// Whether `reference` was found unreadable.
    pub(crate) fn is_unreadable(&self, reference: &ObjectRef) -> bool {
        self.unreadable.iter().any(|(r, _)| r == reference)
    }

    pub(crate) fn finish(self) -> ReadResult {
        ReadResult { snapshot: self.loaded.snapshot, unreadable: self.unreadable, missing: self.missing }
    }
}

/// The reference of a raw object of `kind` (namespace empty for cluster-scoped kinds).
pub(crate) fn object_ref(kind: &Kind, object: &Value) -> ObjectRef {
    let text = |key: &str| object.pointer(&format!("/metadata/{key}")).and_then(Value::as_str).unwrap_or("");
    let namespace = if kind.namespaced { text("namespace") } else { "" };
    ObjectRef::new(kind.kind, namespace, text("name"))
}

/// One list request: a collection, optionally narrowed by namespace and label selector.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ListRequest<'a> {
    pub kind: &'a Kind,
    pub version: &'a str,
    pub namespace: Option<&'a str>,
    pub label_selector: Option<&'a str>,
}

impl ListRequest<'_> {
    fn describe(&self) -> String {
        let mut text = format!("{}/{}", self.kind.resource(), self.version);
        match self.namespace {
            Some(namespace) => text.push_str(&format!(" in namespace {namespace}")),
            None => text.push_str(" in all namespaces"),
        }
        if let Some(selector) = self.label_selector {
            text.push_str(&format!(" with labels {selector}"));
        }
        text
    }
}

impl Cluster {
    /// Reads every object of every kind the controller reads. Kinds whose API group is not installed are
    /// empty; any other failure is an error and no snapshot at all.
    pub async fn snapshot(&self) -> Result<ReadResult, Error> {
        let mut collector = Collector::default();
        for kind in &kinds::ALL {
            let Some(version) = self.served_version(kind).await? else {
                tracing::debug!(kind = kind.kind, "Kind not served; reading none");
                continue;
            };
            let request = ListRequest { kind, version, namespace: None, label_selector: None };
            self.list_into(request, &mut collector).await?;
        }
        let result = collector.finish();
        tracing::info!(unreadable = result.unreadable.len(), "Read the cluster");
        Ok(result)
    }

    /// Lists `request` page by page (`limit` = the page size, following `continue`) into `collector`.
    ///
    /// A 404 on the first page means the group is gone (it is forgotten, so the next read asks discovery again)
    /// and the list is empty; any other failure, on any page, is an error.
    pub(crate) async fn list_into(&self, request: ListRequest<'_>, collector: &mut Collector) -> Result<(), Error> {
        let base = request.kind.path(request.version, request.namespace, None);
        let api_version = request.kind.api_version(request.version);
        let mut index = 0;
        self.list_each(request, |item| {
            collector.add(request.kind, &api_version, item, &base, index);
            index += 1;
        })
        .await
    }

    /// Lists `request` page by page, handing every item to `each`; a 404 on the first page is an
    /// empty list (the group is forgotten), as in [`Cluster::list_into`].
    pub(crate) async fn list_each(&self, request: ListRequest<'_>, mut each: impl FnMut(Value)) -> Result<(), Error> {
        let base = request.kind.path(request.version, request.namespace, None);
        let operation = format!("list {}", request.kind.plural);
        let mut token: Option<String> = None;
        let mut seen_tokens = Vec::new();
        loop {
            let mut path = format!("{base}?limit={}", self.page_size);
            if let Some(selector) = request.label_selector {
                path.push_str(&format!("&labelSelector={}", encode(selector)));
            }
            if let Some(token) = &token {
                path.push_str(&format!("&continue={}", encode(token)));
            }
            let list_error = |source| Error::List { resource: request.describe(), source: Box::new(source) };
            let page = match self.get(&operation, &path).await {
                Ok(Some(page)) => page,
                Ok(None) if token.is_none() => {
                    tracing::info!(resource = %request.describe(), "Resource not found; treating it as not installed");
                    self.discovery.forget(request.kind.group);
                    return Ok(());
                }
                Ok(None) => {
                    return Err(Error::Paginate {
                        resource: request.describe(),
                        problem: "a continued page was not found (404)",
                    });
                }
                Err(error) => return Err(list_error(error)),
            };
            for item in page.get("items").and_then(Value::as_array).into_iter().flatten() {
                each(item.clone());
            }
            let next = page.pointer("/metadata/continue").and_then(Value::as_str).filter(|t| !t.is_empty());
            match next {
                None => return Ok(()),
                Some(next) if seen_tokens.iter().any(|t| t == next) => {
                    return Err(Error::Paginate {
                        resource: request.describe(),
                        problem: "the server returned a continue token it had returned before",
                    });
                }
                Some(next) => {
                    seen_tokens.push(next.to_owned());
                    token = Some(next.to_owned());
                }
            }
        }
    }

    /// Reads one object of `kind` into `collector`; a missing one is noted in [`ReadResult::missing`].
    /// Returns whether it exists.
    pub(crate) async fn get_into(
        &self,
        kind: &Kind,
        version: &str,
        namespace: &str,
        name: &str,
        collector: &mut Collector,
    ) -> Result<bool, Error> {
        let reference = ObjectRef::new(kind.kind, if kind.namespaced { namespace } else { "" }, name);
        let path = kind.path(version, Some(namespace), Some(name));
        let operation = format!("get {}", kind.plural);
        match self.get(&operation, &path).await {
            Ok(Some(object)) => {
                collector.add(kind, &kind.api_version(version), object, &path, 0);
                Ok(true)
            }
            Ok(None) => {
                collector.missing(reference);
                Ok(false)
            }
            Err(source) => Err(Error::Get { object: reference.to_string(), source: Box::new(source) }),
        }
    }
}
