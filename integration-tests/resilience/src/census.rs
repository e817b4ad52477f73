//! What the emulated account holds, read from the emulator's own state (`GET /_sim/state`), so a
//! check never depends on the adapter it checks.
//!
//! A [`Census`] maps every resource's ARN to its full record: the resource itself (a target
//! group's targets, a listener's default action, a rule's match and action, a lifecycle status,
//! the last-updated time), its tags, and a service's or service network's auth and resource
//! policies. [`shape`] turns the census into the same description without ids, ARNs and times, so
//! two accounts reconciled along different paths can be compared.

use std::collections::{BTreeMap, BTreeSet};

use lattice_sim::RunningSim;
use serde_json::{Map, Value};

/// The resource collections of the emulator's state.
const COLLECTIONS: [&str; 8] =
    ["service_networks", "services", "listeners", "rules", "target_groups", "snsas", "snvas", "access_logs"];

/// Every resource by ARN, with its collection, record, tags and policies.
pub type Census = BTreeMap<String, Value>;

/// The census of the emulator's account now.
pub fn census(sim: &RunningSim) -> Census {
    census_of(&sim.state_json())
}

/// The census of an emulator state document.
pub fn census_of(state: &Value) -> Census {
    let mut out = Census::new();
    for collection in COLLECTIONS {
        let Some(records) = state.get(collection).and_then(Value::as_object) else { continue };
        for record in records.values() {
            let Some(arn) = record.pointer("/meta/arn").and_then(Value::as_str) else { continue };
            let id = record.pointer("/meta/id").and_then(Value::as_str).unwrap_or_default();
            let mut entry = Map::new();
            entry.insert("collection".into(), Value::from(collection));
            entry.insert("record".into(), record.clone());
            entry.insert("tags".into(), state.pointer(&format!("/tags/{}", escape(arn))).cloned().unwrap_or_default());
            entry.insert(
                "authPolicy".into(),
                state.get("auth_policies").and_then(|p| p.get(id)).cloned().unwrap_or_default(),
            );
            entry.insert(
                "resourcePolicy".into(),
                state.get("resource_policies").and_then(|p| p.get(arn)).cloned().unwrap_or_default(),
            );
            out.insert(arn.to_owned(), Value::Object(entry));
        }
    }
    out
}

/// A JSON pointer token for `key`.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The resources of `census` whose ARN is not in `except`, described without ids, ARNs, times and
/// DNS names (references name the resource they point to instead), one sorted line each: equal
/// shapes mean the same resources, configured the same way, the same number of times.
pub fn shape(census: &Census, except: &BTreeSet<String>) -> Vec<String> {
    let mut labels: Vec<(String, String)> = Vec::new();
    for (arn, entry) in census {
        let label = label(entry);
        labels.push((arn.clone(), label.clone()));
        if let Some(id) = entry.pointer("/record/meta/id").and_then(Value::as_str) {
            labels.push((id.to_owned(), label));
        }
    }
    // Longest first: an ARN contains its id.
    labels.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    let mut lines: Vec<String> = census
        .iter()
        .filter(|(arn, _)| !except.contains(*arn))
        .map(|(_, entry)| {
            let mut text = normalized(entry).to_string();
            for (from, to) in &labels {
                if text.contains(from.as_str()) {
                    text = text.replace(from.as_str(), to);
                }
            }
            text
        })
        .collect();
    lines.sort();
    lines
}

/// `collection/name`, the name a reference to the resource is replaced with.
fn label(entry: &Value) -> String {
    let collection = entry["collection"].as_str().unwrap_or_default();
    let name = entry.pointer("/record/name").and_then(Value::as_str).unwrap_or("(unnamed)");
    format!("<{collection}/{name}>")
}

/// The entry without what differs between equal accounts: record metadata, transition times,
/// registration times and DNS names.
fn normalized(entry: &Value) -> Value {
    let mut entry = entry.clone();
    if let Some(record) = entry.get_mut("record").and_then(Value::as_object_mut) {
        for key in ["meta", "dns_name"] {
            record.remove(key);
        }
        if let Some(life) = record.get_mut("life").and_then(Value::as_object_mut) {
            life.remove("due");
        }
        if let Some(Value::Array(targets)) = record.get_mut("targets") {
            for target in targets.iter_mut().filter_map(Value::as_object_mut) {
                target.retain(|k, _| k == "id" || k == "port" || k == "draining_until");
            }
            targets.sort_by_key(Value::to_string);
        }
    }
    for policy in ["authPolicy"] {
        if let Some(p) = entry.get_mut(policy).and_then(Value::as_object_mut) {
            p.retain(|k, _| k != "created_at" && k != "updated_at");
        }
    }
    entry
}

/// Resources that exist more than once: the same name in the same parent (services, target
/// groups, service networks, listeners, rules), the same association, the same log destination.
pub fn duplicates(census: &Census) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for entry in census.values() {
        let r = &entry["record"];
        let field = |k: &str| r.get(k).map(Value::to_string).unwrap_or_default();
        let key = match entry["collection"].as_str().unwrap_or_default() {
            "listeners" => format!("listener {} {}", field("service_id"), field("name")),
            "rules" => format!("rule {} {}", field("listener_id"), field("name")),
            "snsas" => format!("association {} {}", field("service_id"), field("sn_id")),
            "snvas" => format!("vpc association {} {}", field("sn_id"), field("vpc_id")),
            "access_logs" => format!("access log {} {}", field("resource_id"), field("destination_arn")),
            other => format!("{other} {}", field("name")),
        };
        *seen.entry(key).or_default() += 1;
    }
    seen.into_iter().filter(|(_, n)| *n > 1).map(|(k, n)| format!("{k} ×{n}")).collect()
}

/// The resources of `before` that are gone or changed in `after`, with both descriptions.
pub fn changed(before: &Census, after: &Census) -> Vec<String> {
    before
        .iter()
        .filter(|(arn, entry)| after.get(*arn) != Some(entry))
        .map(|(arn, entry)| {
            format!("{arn}: was {entry}, now {}", after.get(arn).map_or("gone".into(), Value::to_string))
        })
        .collect()
}
