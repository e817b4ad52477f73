//! Garbage collection: when an object goes away, its dependents (objects whose
//! `metadata.ownerReferences` name its uid) that have no other owner left go too, and theirs in turn,
//! as the garbage collector does with background propagation — here at once, within the delete.

use std::time::SystemTime;

use serde_json::Value;

use crate::resources::RESOURCES;
use crate::store::Store;

/// Deletes the dependents of the object whose uid was `uid`, recursively. Returns how many went.
pub(crate) fn collect(store: &mut Store, uid: &str, now: SystemTime) -> usize {
    let mut gone = 0;
    let mut orphaned = vec![uid.to_owned()];
    while let Some(owner) = orphaned.pop() {
        let objects = store.objects();
        let live = |uid: &str| objects.values().any(|o| o["metadata"]["uid"].as_str() == Some(uid));
        let dependents: Vec<_> = objects
            .iter()
            .filter(|(_, o)| {
                let owners = owner_uids(o);
                owners.iter().any(|u| *u == owner) && owners.iter().all(|u| *u == owner || !live(u))
            })
            .map(|(key, _)| key.clone())
            .collect();
        for key in dependents {
            let Some(r) = RESOURCES.iter().find(|r| r.group() == key.0 && r.plural == key.1) else { continue };
            if let Some((object, true)) = store.delete(r, key, now) {
                gone += 1;
                if let Some(uid) = object["metadata"]["uid"].as_str() {
                    orphaned.push(uid.to_owned());
                }
            }
        }
    }
    gone
}

fn owner_uids(object: &Value) -> Vec<&str> {
    object["metadata"]["ownerReferences"].as_array().into_iter().flatten().filter_map(|r| r["uid"].as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::find;
    use crate::store::key;
    use serde_json::json;
    use std::time::UNIX_EPOCH;

    #[test]
    fn dependents_go_with_their_last_owner() {
        let mut store = Store::default();
        let routes = find("gateway.networking.k8s.io", "v1", "httproutes").expect("routes");
        let records = find("externaldns.k8s.io", "v1alpha1", "dnsendpoints").expect("records");
        let route = |name: &str| json!({"metadata": {"name": name, "namespace": "shop"}});
        let a = store.create(routes, key(routes, Some("shop"), "a"), route("a"), UNIX_EPOCH);
        let b = store.create(routes, key(routes, Some("shop"), "b"), route("b"), UNIX_EPOCH);
        let owned_by = |name: &str, owners: &[&Value]| {
            let refs: Vec<Value> = owners.iter().map(|o| json!({"uid": o["metadata"]["uid"]})).collect();
            json!({"metadata": {"name": name, "namespace": "shop", "ownerReferences": refs}})
        };
        store.create(records, key(records, Some("shop"), "only-a"), owned_by("only-a", &[&a]), UNIX_EPOCH);
        store.create(records, key(records, Some("shop"), "both"), owned_by("both", &[&a, &b]), UNIX_EPOCH);
        store.create(records, key(records, Some("shop"), "free"), json!({"metadata": {"name": "free"}}), UNIX_EPOCH);

        store.delete(routes, key(routes, Some("shop"), "a"), UNIX_EPOCH);
        let uid = a["metadata"]["uid"].as_str().expect("uid");
        assert_eq!(collect(&mut store, uid, UNIX_EPOCH), 1);
        assert!(store.get(&key(records, Some("shop"), "only-a")).is_none());
        assert!(store.get(&key(records, Some("shop"), "both")).is_some(), "b still owns it");
        assert!(store.get(&key(records, Some("shop"), "free")).is_some());
    }
}
