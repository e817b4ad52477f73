//! The RuleMatch union: an `httpMatch` with method, path match and up to five header matches. Stored as
//! the normalised JSON it is echoed back as.

use serde_json::{Map, Value, json};

use crate::validate::{Checker, HEADER_NAME, HEADER_VALUE, HTTP_METHOD, URL_PATH, join};

/// Reads a RuleMatch member, recording violations in `c`; returns the normalised match.
pub(crate) fn parse(c: &mut Checker, obj: &Map<String, Value>, path: &str, key: &str, req: bool) -> Option<Value> {
    let name = join(path, key);
    let before = c.count();
    let (_, value) = c.union(obj, path, key, &["httpMatch"], req)?;
    let http_path = join(&name, "httpMatch");
    let Some(http) = value.as_object() else {
        c.fail(http_path, "Member must be a structure");
        return None;
    };
    let mut out = Map::new();
    if let Some(method) = c.string(http, &http_path, "method", HTTP_METHOD, false) {
        out.insert("method".into(), json!(method));
    }
    if let Some(path_match) = c.object(http, &http_path, "pathMatch", false) {
        let pm_path = join(&http_path, "pathMatch");
        let chosen = c.union(path_match, &pm_path, "match", &["exact", "prefix"], true);
        let case = c.boolean(path_match, &pm_path, "caseSensitive");
        if let Some((kind, v)) = chosen {
            let value_name = join(&join(&pm_path, "match"), kind);
            match v.as_str() {
                Some(text) if c.check_str(&value_name, text, URL_PATH) => {
                    let mut pm = Map::new();
                    pm.insert("match".into(), json!({ kind: text }));
                    if let Some(case) = case {
                        pm.insert("caseSensitive".into(), json!(case));
                    }
                    out.insert("pathMatch".into(), Value::Object(pm));
                }
                Some(_) => {}
                None => c.fail(value_name, "Member must be a string"),
            }
        }
    }
    if let Some(headers) = c.list(http, &http_path, "headerMatches", (1, 5), false) {
        let list_path = join(&http_path, "headerMatches");
        let mut parsed = Vec::new();
        for (i, item) in headers.iter().enumerate() {
            if let Some(h) = header(c, item, &format!("{list_path}[{i}]")) {
                parsed.push(h);
            }
        }
        out.insert("headerMatches".into(), Value::Array(parsed));
    }
    if out.is_empty() && c.count() == before {
        c.fail(http_path, "An httpMatch must set at least one of method, pathMatch or headerMatches");
    }
    (c.count() == before).then(|| json!({ "httpMatch": out }))
}

fn header(c: &mut Checker, item: &Value, path: &str) -> Option<Value> {
    let Some(h) = item.as_object() else {
        c.fail(path, "Member must be a structure");
        return None;
    };
    let name = c.string(h, path, "name", HEADER_NAME, true);
    let chosen = c.union(h, path, "match", &["exact", "prefix", "contains"], true);
    let case = c.boolean(h, path, "caseSensitive");
    let (kind, v) = chosen?;
    let value_name = join(&join(path, "match"), kind);
    let Some(text) = v.as_str() else {
        c.fail(value_name, "Member must be a string");
        return None;
    };
    if !c.check_str(&value_name, text, HEADER_VALUE) {
        return None;
    }
    let mut out = Map::new();
    out.insert("name".into(), json!(name?));
    out.insert("match".into(), json!({ kind: text }));
    if let Some(case) = case {
        out.insert("caseSensitive".into(), json!(case));
    }
    Some(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(v: Value) -> (Option<Value>, bool) {
        let body = json!({ "match": v });
        let mut c = Checker::new();
        let m = parse(&mut c, body.as_object().expect("object"), "", "match", true);
        (m, c.count() == 0)
    }

    #[test]
    fn normalises_a_full_match() {
        let (m, ok) = run(json!({"httpMatch": {
            "method": "GET",
            "pathMatch": {"match": {"prefix": "/api"}, "caseSensitive": true},
            "headerMatches": [{"name": "x-env", "match": {"exact": "prod"}}],
            "ignored": 1
        }}));
        assert!(ok);
        let m = m.expect("match");
        assert_eq!(m["httpMatch"]["pathMatch"]["match"]["prefix"], "/api");
        assert!(m["httpMatch"].get("ignored").is_none());
    }

    #[test]
    fn rejects_empty_and_bad_members() {
        assert!(!run(json!({"httpMatch": {}})).1);
        assert!(!run(json!({})).1);
        assert!(!run(json!({"httpMatch": {"pathMatch": {"match": {"exact": "no-slash"}}}})).1);
        assert!(!run(json!({"httpMatch": {"pathMatch": {"match": {"exact": "/a", "prefix": "/b"}}}})).1);
        assert!(!run(json!({"httpMatch": {"headerMatches": []}})).1);
        let six: Vec<Value> = (0..6).map(|i| json!({"name": format!("h{i}"), "match": {"exact": "v"}})).collect();
        assert!(!run(json!({"httpMatch": {"headerMatches": six}})).1);
    }
}
