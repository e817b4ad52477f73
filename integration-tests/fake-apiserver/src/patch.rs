//! JSON merge patch (RFC 7386) and JSON patch (RFC 6902).

use serde_json::Value;

/// Applies an RFC 7386 merge patch: objects merge recursively, `null` removes, anything else replaces.
pub(crate) fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(target_map) = target {
        for (key, value) in patch_map {
            if value.is_null() {
                target_map.remove(key);
            } else {
                merge_patch(target_map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// Why a JSON patch could not be applied.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JsonPatchError {
    /// The patch document is not a list of operations (HTTP 400).
    Malformed(String),
    /// An operation failed against this object (HTTP 422).
    Failed(String),
}

fn parse_pointer(pointer: &str) -> Result<Vec<String>, JsonPatchError> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let rest = pointer
        .strip_prefix('/')
        .ok_or_else(|| JsonPatchError::Malformed(format!("JSON pointer {pointer:?} does not start with '/'")))?;
    Ok(rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect())
}

fn array_index(token: &str, len: usize, allow_end: bool) -> Result<usize, JsonPatchError> {
    if allow_end && token == "-" {
        return Ok(len);
    }
    let index: usize = token
        .parse()
        .ok()
        .filter(|_| token == "0" || !token.starts_with('0'))
        .ok_or_else(|| JsonPatchError::Failed(format!("invalid array index {token:?}")))?;
    let limit = if allow_end { len } else { len.saturating_sub(1) };
    if index > limit || (!allow_end && len == 0) {
        return Err(JsonPatchError::Failed(format!("array index {index} out of bounds")));
    }
    Ok(index)
}

fn get<'a>(doc: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(doc, |node, token| match node {
        Value::Object(map) => map.get(token),
        Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

fn parent_mut<'a>(doc: &'a mut Value, path: &[String], pointer: &str) -> Result<&'a mut Value, JsonPatchError> {
    let missing = || JsonPatchError::Failed(format!("path {pointer:?} does not exist"));
    let mut node = doc;
    for token in path {
        node = match node {
            Value::Object(map) => map.get_mut(token).ok_or_else(missing)?,
            Value::Array(items) => {
                let i = array_index(token, items.len(), false)?;
                items.get_mut(i).ok_or_else(missing)?
            }
            _ => return Err(missing()),
        };
    }
    Ok(node)
}

fn add(doc: &mut Value, path: &[String], pointer: &str, value: Value) -> Result<(), JsonPatchError> {
    let Some((last, parent_path)) = path.split_last() else {
        *doc = value;
        return Ok(());
    };
    match parent_mut(doc, parent_path, pointer)? {
        Value::Object(map) => {
            map.insert(last.clone(), value);
        }
        Value::Array(items) => {
            let i = array_index(last, items.len(), true)?;
            items.insert(i, value);
        }
        _ => return Err(JsonPatchError::Failed(format!("parent of {pointer:?} is not a container"))),
    }
    Ok(())
}

fn remove(doc: &mut Value, path: &[String], pointer: &str) -> Result<Value, JsonPatchError> {
    let missing = || JsonPatchError::Failed(format!("path {pointer:?} does not exist"));
    let (last, parent_path) =
        path.split_last().ok_or_else(|| JsonPatchError::Failed("cannot remove the root".into()))?;
    match parent_mut(doc, parent_path, pointer)? {
        Value::Object(map) => map.remove(last).ok_or_else(missing),
        Value::Array(items) => {
            let i = array_index(last, items.len(), false)?;
            Ok(items.remove(i))
        }
        _ => Err(missing()),
    }
}

fn field<'a>(op: &'a Value, name: &str) -> Result<&'a Value, JsonPatchError> {
    op.get(name).ok_or_else(|| JsonPatchError::Malformed(format!("operation {op} has no {name:?}")))
}

fn field_str<'a>(op: &'a Value, name: &str) -> Result<&'a str, JsonPatchError> {
    field(op, name)?.as_str().ok_or_else(|| JsonPatchError::Malformed(format!("{name:?} of {op} is not a string")))
}

/// Applies an RFC 6902 JSON patch (`add`, `remove`, `replace`, `move`, `copy`, `test`) to a copy of `doc`.
pub(crate) fn json_patch(doc: &Value, patch: &Value) -> Result<Value, JsonPatchError> {
    let ops = patch.as_array().ok_or_else(|| JsonPatchError::Malformed("a JSON patch must be a list".into()))?;
    let mut out = doc.clone();
    for op in ops {
        let pointer = field_str(op, "path")?;
        let path = parse_pointer(pointer)?;
        match field_str(op, "op")? {
            "add" => add(&mut out, &path, pointer, field(op, "value")?.clone())?,
            "remove" => {
                remove(&mut out, &path, pointer)?;
            }
            "replace" => {
                remove(&mut out, &path, pointer)?;
                add(&mut out, &path, pointer, field(op, "value")?.clone())?;
            }
            "move" => {
                let from_pointer = field_str(op, "from")?;
                let value = remove(&mut out, &parse_pointer(from_pointer)?, from_pointer)?;
                add(&mut out, &path, pointer, value)?;
            }
            "copy" => {
                let from_pointer = field_str(op, "from")?;
                let value = get(&out, &parse_pointer(from_pointer)?)
                    .cloned()
                    .ok_or_else(|| JsonPatchError::Failed(format!("path {from_pointer:?} does not exist")))?;
                add(&mut out, &path, pointer, value)?;
            }
            "test" => {
                let expected = field(op, "value")?;
                if get(&out, &path) != Some(expected) {
                    return Err(JsonPatchError::Failed(format!("testing value {pointer} failed: test failed")));
                }
            }
            other => return Err(JsonPatchError::Malformed(format!("unexpected operation {other:?}"))),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7386_examples() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut doc, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}}));
        let mut doc = json!({"a": [{"b": "c"}]});
        merge_patch(&mut doc, &json!({"a": [1]}));
        assert_eq!(doc, json!({"a": [1]}));
        let mut doc = json!({"e": null});
        merge_patch(&mut doc, &json!({"a": {"bb": {"ccc": null}}}));
        assert_eq!(doc, json!({"e": null, "a": {"bb": {}}}));
    }

    #[test]
    fn json_patch_operations() {
        let doc = json!({"metadata": {"annotations": {"a/b": "1"}, "finalizers": ["x"]}});
        let patch = json!([
            {"op": "test", "path": "/metadata/annotations/a~1b", "value": "1"},
            {"op": "add", "path": "/metadata/finalizers/-", "value": "y"},
            {"op": "replace", "path": "/metadata/annotations/a~1b", "value": "2"},
            {"op": "remove", "path": "/metadata/finalizers/0"},
            {"op": "copy", "from": "/metadata/finalizers", "path": "/spec"},
            {"op": "move", "from": "/spec", "path": "/status"},
        ]);
        let out = json_patch(&doc, &patch).expect("applies");
        assert_eq!(out, json!({"metadata": {"annotations": {"a/b": "2"}, "finalizers": ["y"]}, "status": ["y"]}));
    }

    #[test]
    fn json_patch_failures() {
        let doc = json!({"a": [1]});
        let failed = |p: Value| matches!(json_patch(&doc, &p), Err(JsonPatchError::Failed(_)));
        assert!(failed(json!([{"op": "test", "path": "/a/0", "value": 2}])));
        assert!(failed(json!([{"op": "remove", "path": "/b"}])));
        assert!(failed(json!([{"op": "replace", "path": "/a/1", "value": 0}])));
        assert!(failed(json!([{"op": "add", "path": "/x/y", "value": 0}])));
        let malformed = |p: Value| matches!(json_patch(&doc, &p), Err(JsonPatchError::Malformed(_)));
        assert!(malformed(json!({"op": "add"})));
        assert!(malformed(json!([{"op": "frobnicate", "path": "/a"}])));
        assert!(malformed(json!([{"op": "add", "path": "/a"}])));
    }
}
