//! Strategic merge patch for built-in resources: a JSON merge patch, except that the lists the
//! Kubernetes types declare with a patch merge key merge element by element on that key instead
//! of being replaced. Only the merge keys a controller of Gateway API objects meets are known
//! (below); every other list is replaced, as in a merge patch. `$patch` directives are not
//! implemented.

use serde_json::{Map, Value};

/// `(resource, path of the list, merge key)`: `resource` `*` is any resource.
const MERGE_KEYS: &[(&str, &[&str], &str)] = &[
    ("pods", &["status", "conditions"], "type"),
    ("pods", &["spec", "containers"], "name"),
    ("pods", &["spec", "readinessGates"], "conditionType"),
    ("services", &["spec", "ports"], "port"),
    ("namespaces", &["status", "conditions"], "type"),
    ("*", &["metadata", "ownerReferences"], "uid"),
];

/// Applies `patch` to `target`, an object of `resource` (its plural).
pub(crate) fn strategic_merge(resource: &str, target: &mut Value, patch: &Value) {
    merge_at(resource, &mut Vec::new(), target, patch);
}

fn merge_key(resource: &str, path: &[String]) -> Option<&'static str> {
    MERGE_KEYS
        .iter()
        .find(|(r, p, _)| (*r == resource || *r == "*") && p.iter().copied().eq(path.iter().map(String::as_str)))
        .map(|(_, _, key)| *key)
}

fn merge_at(resource: &str, path: &mut Vec<String>, target: &mut Value, patch: &Value) {
    match (patch, merge_key(resource, path)) {
        (Value::Array(items), Some(key)) if target.is_array() => {
            if let Value::Array(existing) = target {
                merge_list(resource, existing, items, key);
            }
        }
        (Value::Object(patch_map), _) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(target_map) = target {
                for (field, value) in patch_map {
                    if value.is_null() {
                        target_map.remove(field);
                        continue;
                    }
                    path.push(field.clone());
                    merge_at(resource, path, target_map.entry(field.clone()).or_insert(Value::Null), value);
                    path.pop();
                }
            }
        }
        _ => *target = patch.clone(),
    }
}

/// Each patch element merges into the element with the same key, or is appended.
fn merge_list(resource: &str, existing: &mut Vec<Value>, items: &[Value], key: &str) {
    for item in items {
        let found = item.get(key).and_then(|k| existing.iter_mut().find(|e| e.get(key) == Some(k)));
        match found {
            Some(element) => merge_at(resource, &mut Vec::new(), element, item),
            None => existing.push(item.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pod_conditions_merge_by_type_and_other_lists_are_replaced() {
        let mut pod = json!({
            "metadata": {"labels": {"a": "1"}},
            "spec": {"readinessGates": [{"conditionType": "x"}], "nodeSelector": {"k": "v"}, "tolerations": [1, 2]},
            "status": {"conditions": [
                {"type": "Ready", "status": "False"},
                {"type": "gate", "status": "False", "reason": "Initial", "message": "m"}
            ]},
        });
        let patch = json!({
            "spec": {"tolerations": [3]},
            "status": {"conditions": [{"type": "gate", "status": "True", "reason": "Healthy", "message": null},
                                      {"type": "New", "status": "True"}]},
        });
        strategic_merge("pods", &mut pod, &patch);
        assert_eq!(
            pod["status"]["conditions"],
            json!([
                {"type": "Ready", "status": "False"},
                {"type": "gate", "status": "True", "reason": "Healthy"},
                {"type": "New", "status": "True"}
            ])
        );
        assert_eq!(pod["spec"]["tolerations"], json!([3]), "a list without a merge key is replaced");
        assert_eq!(pod["spec"]["readinessGates"], json!([{"conditionType": "x"}]));
        assert_eq!(pod["metadata"]["labels"], json!({"a": "1"}));
    }
}
