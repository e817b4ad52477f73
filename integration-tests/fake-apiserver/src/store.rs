//! Object storage with the server-owned metadata rules: one global `resourceVersion` counter bumped by
//! every write, `uid` and `creationTimestamp` on create, `generation` bumped by spec changes, and
//! deletion that waits for finalizers. Snapshots kept by `resourceVersion` back continue tokens.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::{Map, Value, json};

use crate::resources::ResourceType;
use crate::timefmt::rfc3339;

/// Where an object is stored: group, plural, namespace (empty when cluster-scoped), name.
pub(crate) type Key = (String, String, String, String);

/// The storage key of an object.
pub(crate) fn key(r: &ResourceType, namespace: Option<&str>, name: &str) -> Key {
    (r.group().to_string(), r.plural.to_string(), namespace.unwrap_or("").to_string(), name.to_string())
}

/// Every stored object, by key.
pub(crate) type Objects = BTreeMap<Key, Value>;

/// The stored objects and the counters that give them identity and versions.
#[derive(Clone, Debug, Default)]
pub(crate) struct Store {
    objects: Arc<Objects>,
    resource_version: u64,
    uid_seq: u64,
    snapshots: BTreeMap<u64, Arc<Objects>>,
}

/// The object with `apiVersion` and `kind` set for the version a client asked for.
pub(crate) fn present(object: &Value, r: &ResourceType, version: &str) -> Value {
    let mut out = object.clone();
    if let Some(map) = out.as_object_mut() {
        map.insert("apiVersion".into(), r.api_version(version).into());
        map.insert("kind".into(), r.kind.into());
    }
    out
}

/// The object without the parts `generation` ignores: type, metadata and status.
fn spec_part(object: &Value) -> Value {
    let mut out = object.clone();
    if let Some(map) = out.as_object_mut() {
        for field in ["apiVersion", "kind", "metadata", "status"] {
            map.remove(field);
        }
    }
    out
}

fn metadata_mut(object: &mut Value) -> &mut Map<String, Value> {
    if !object.is_object() {
        *object = json!({});
    }
    let Some(map) = object.as_object_mut() else { unreachable!("just made an object") };
    let meta = map.entry("metadata").or_insert_with(|| json!({}));
    if !meta.is_object() {
        *meta = json!({});
    }
    match meta.as_object_mut() {
        Some(meta) => meta,
        None => unreachable!("just made an object"),
    }
}

/// Whether the object is waiting for finalizers.
pub(crate) fn has_finalizers(object: &Value) -> bool {
    object["metadata"]["finalizers"].as_array().is_some_and(|f| !f.is_empty())
}

impl Store {
    /// The current (latest) resourceVersion.
    pub(crate) fn resource_version(&self) -> u64 {
        self.resource_version
    }

    /// The stored object.
    pub(crate) fn get(&self, key: &Key) -> Option<&Value> {
        self.objects.get(key)
    }

    /// A consistent view of every object at the current resourceVersion, kept for continue tokens.
    pub(crate) fn snapshot(&mut self) -> (u64, Arc<Objects>) {
        let objects = Arc::clone(&self.objects);
        self.snapshots.insert(self.resource_version, Arc::clone(&objects));
        (self.resource_version, objects)
    }

    /// The view kept at a resourceVersion, if not yet compacted away.
    pub(crate) fn snapshot_at(&self, resource_version: u64) -> Option<Arc<Objects>> {
        self.snapshots.get(&resource_version).cloned()
    }

    /// Forgets every kept view, so outstanding continue tokens expire.
    pub(crate) fn compact(&mut self) {
        self.snapshots.clear();
    }

    /// The current objects.
    pub(crate) fn objects(&self) -> Arc<Objects> {
        Arc::clone(&self.objects)
    }

    fn bump(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }

    fn write(&mut self, key: Key, object: Option<Value>) {
        let objects = Arc::make_mut(&mut self.objects);
        match object {
            Some(object) => {
                objects.insert(key, object);
            }
            None => {
                objects.remove(&key);
                if key.0.is_empty() && key.1 == "namespaces" {
                    objects.retain(|k, _| k.2 != key.3);
                }
            }
        }
    }

    /// Stores a new object: sets uid, creationTimestamp, resourceVersion, and generation 1 for custom
    /// resources. The caller has checked that the key is free.
    pub(crate) fn create(&mut self, r: &ResourceType, key: Key, mut object: Value, now: SystemTime) -> Value {
        let resource_version = self.bump();
        self.uid_seq += 1;
        let uid = format!("6b1f3a52-0000-4000-8000-{:012x}", self.uid_seq);
        let meta = metadata_mut(&mut object);
        for field in ["deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "generation"] {
            meta.remove(field);
        }
        meta.insert("name".into(), key.3.clone().into());
        if r.namespaced {
            meta.insert("namespace".into(), key.2.clone().into());
        } else {
            meta.remove("namespace");
        }
        meta.insert("uid".into(), uid.into());
        meta.insert("creationTimestamp".into(), rfc3339(now).into());
        meta.insert("resourceVersion".into(), resource_version.into());
        if r.is_custom() {
            meta.insert("generation".into(), 1.into());
        }
        let stored = present(&object, r, r.preferred_version());
        self.write(key, Some(stored.clone()));
        stored
    }

    /// Stores a new state of an existing object. Identity and lifecycle metadata come from the stored
    /// object; generation is bumped when anything outside metadata and status changed; resourceVersion is
    /// bumped. An object being deleted whose last finalizer is removed goes away. Returns what was stored.
    pub(crate) fn update(&mut self, r: &ResourceType, key: Key, mut object: Value) -> Value {
        let old = self.objects.get(&key).cloned().unwrap_or(Value::Null);
        let resource_version = self.bump();
        let spec_changed = spec_part(&old) != spec_part(&object);
        let meta = metadata_mut(&mut object);
        meta.remove("managedFields");
        for field in
            ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"]
        {
            match old["metadata"].get(field) {
                Some(value) => meta.insert(field.into(), value.clone()),
                None => meta.remove(field),
            };
        }
        meta.insert("resourceVersion".into(), resource_version.into());
        match old["metadata"]["generation"].as_i64() {
            Some(generation) => {
                meta.insert("generation".into(), (generation + i64::from(spec_changed)).into());
            }
            None => {
                meta.remove("generation");
            }
        }
        let stored = present(&object, r, r.preferred_version());
        let gone = !stored["metadata"]["deletionTimestamp"].is_null() && !has_finalizers(&stored);
        self.write(key, if gone { None } else { Some(stored.clone()) });
        stored
    }

    /// Bumps an object's resourceVersion as a write by another client would.
    pub(crate) fn touch(&mut self, r: &ResourceType, key: Key) {
        if let Some(object) = self.objects.get(&key).cloned() {
            self.update(r, key, object);
        }
    }

    /// Deletes an object: with finalizers it is only marked (deletionTimestamp), else it is removed.
    /// Returns the object as last stored and whether it is gone.
    pub(crate) fn delete(&mut self, r: &ResourceType, key: Key, now: SystemTime) -> Option<(Value, bool)> {
        let mut object = self.objects.get(&key)?.clone();
        if has_finalizers(&object) {
            if object["metadata"]["deletionTimestamp"].is_null() {
                let resource_version = self.bump();
                let meta = metadata_mut(&mut object);
                meta.insert("deletionTimestamp".into(), rfc3339(now).into());
                meta.insert("deletionGracePeriodSeconds".into(), 0.into());
                meta.insert("resourceVersion".into(), resource_version.into());
                self.write(key, Some(object.clone()));
            }
            return Some((present(&object, r, r.preferred_version()), false));
        }
        let resource_version = self.bump();
        metadata_mut(&mut object).insert("resourceVersion".into(), resource_version.into());
        self.write(key, None);
        Some((object, true))
    }

    /// Creates or replaces an object as given (status included), for test setup.
    pub(crate) fn put(&mut self, r: &ResourceType, key: Key, object: Value, now: SystemTime) -> Value {
        if self.objects.contains_key(&key) { self.update(r, key, object) } else { self.create(r, key, object, now) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::find;
    use std::time::UNIX_EPOCH;

    fn route() -> &'static ResourceType {
        find("gateway.networking.k8s.io", "v1", "httproutes").expect("httproutes")
    }

    #[test]
    fn generation_follows_spec_only() {
        let mut store = Store::default();
        let r = route();
        let k = key(r, Some("shop"), "rates");
        let created = store.create(r, k.clone(), json!({"metadata": {"name": "rates"}, "spec": {"a": 1}}), UNIX_EPOCH);
        assert_eq!(created["metadata"]["generation"], 1);
        assert_eq!(created["metadata"]["resourceVersion"], "1");
        assert_eq!(created["metadata"]["creationTimestamp"], "1970-01-01T00:00:00Z");
        let mut next = created.clone();
        next["metadata"]["annotations"] = json!({"x": "y"});
        next["status"] = json!({"parents": []});
        let updated = store.update(r, k.clone(), next.clone());
        assert_eq!(updated["metadata"]["generation"], 1);
        assert_eq!(updated["metadata"]["resourceVersion"], "2");
        next["spec"] = json!({"a": 2});
        let updated = store.update(r, k, next);
        assert_eq!(updated["metadata"]["generation"], 2);
        assert_eq!(updated["metadata"]["uid"], created["metadata"]["uid"]);
    }

    #[test]
    fn deletion_waits_for_finalizers() {
        let mut store = Store::default();
        let r = route();
        let k = key(r, Some("shop"), "rates");
        let object = json!({"metadata": {"name": "rates", "finalizers": ["a/b"]}, "spec": {}});
        store.create(r, k.clone(), object, UNIX_EPOCH);
        let (marked, gone) = store.delete(r, k.clone(), UNIX_EPOCH).expect("exists");
        assert!(!gone);
        assert!(marked["metadata"]["deletionTimestamp"].is_string());
        let mut cleared = marked.clone();
        cleared["metadata"]["finalizers"] = json!([]);
        store.update(r, k.clone(), cleared);
        assert!(store.get(&k).is_none());
    }

    #[test]
    fn snapshots_survive_writes_until_compacted() {
        let mut store = Store::default();
        let r = route();
        let k = key(r, Some("shop"), "rates");
        store.create(r, k.clone(), json!({"metadata": {"name": "rates"}}), UNIX_EPOCH);
        let (rv, view) = store.snapshot();
        store.delete(r, k.clone(), UNIX_EPOCH);
        assert!(store.get(&k).is_none());
        assert!(view.contains_key(&k));
        assert!(store.snapshot_at(rv).is_some_and(|v| v.contains_key(&k)));
        store.compact();
        assert!(store.snapshot_at(rv).is_none());
    }
}
