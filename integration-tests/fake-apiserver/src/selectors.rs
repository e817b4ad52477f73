//! Label and field selectors of list requests.

use serde_json::Value;

/// One requirement of a label selector.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Requirement {
    /// `k=v` or `k==v`.
    Equals(String, String),
    /// `k!=v`: the label is absent or has another value.
    NotEquals(String, String),
    /// `k`: the label is present.
    Exists(String),
    /// `!k`: the label is absent.
    NotExists(String),
    /// `k in (a,b)`.
    In(String, Vec<String>),
    /// `k notin (a,b)`: the label is absent or has none of the values.
    NotIn(String, Vec<String>),
}

/// A parsed `labelSelector`: all requirements must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LabelSelector(Vec<Requirement>);

/// Splits on commas that are not inside parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 317
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

fn value_list(rest: &str) -> Option<Vec<String>> {
    let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some(inner.split(',').map(|v| v.trim().to_string()).collect())
}

fn parse_requirement(raw: &str) -> Result<Requirement, String> {
    let part = raw.trim();
    let bad = || format!("unable to parse requirement: {part:?}");
    if let Some(key) = part.strip_prefix('!') {
        let key = key.trim();
        return if valid_key(key) { Ok(Requirement::NotExists(key.to_string())) } else { Err(bad()) };
    }
    for (op, negated) in [(" notin ", true), (" in ", false)] {
        if let Some((key, rest)) = part.split_once(op) {
            let key = key.trim();
            let values = value_list(rest).ok_or_else(bad)?;
            if !valid_key(key) {
                return Err(bad());
            }
            return Ok(if negated {
                Requirement::NotIn(key.to_string(), values)
            } else {
                Requirement::In(key.to_string(), values)
            });
        }
    }
    let (key, value, negated) = if let Some((k, v)) = part.split_once("!=") {
        (k, v, true)
    } else if let Some((k, v)) = part.split_once("==") {
        (k, v, false)
    } else if let Some((k, v)) = part.split_once('=') {
        (k, v, false)
    } else {
        return if valid_key(part) { Ok(Requirement::Exists(part.to_string())) } else { Err(bad()) };
    };
    let (key, value) = (key.trim(), value.trim());
    if !valid_key(key) || value.contains(['=', '!', '(', ')', ' ']) {
        return Err(bad());
    }
    Ok(if negated {
        Requirement::NotEquals(key.to_string(), value.to_string())
    } else {
        Requirement::Equals(key.to_string(), value.to_string())
    })
}

impl LabelSelector {
    /// Parses a selector; an empty string selects everything.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        if s.trim().is_empty() {
            return Ok(LabelSelector::default());
        }
        split_top_level(s).into_iter().map(parse_requirement).collect::<Result<Vec<_>, _>>().map(LabelSelector)
    }

    /// Whether the object's labels satisfy every requirement.
    pub(crate) fn matches(&self, object: &Value) -> bool {
        let labels = &object["metadata"]["labels"];
        let label = |k: &str| labels.get(k).and_then(Value::as_str);
        self.0.iter().all(|req| match req {
            Requirement::Equals(k, v) => label(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => label(k) != Some(v.as_str()),
            Requirement::Exists(k) => label(k).is_some(),
            Requirement::NotExists(k) => label(k).is_none(),
            Requirement::In(k, vs) => label(k).is_some_and(|l| vs.iter().any(|v| v == l)),
            Requirement::NotIn(k, vs) => label(k).is_none_or(|l| !vs.iter().any(|v| v == l)),
        })
    }

    /// Whether the selector has no requirement.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A parsed `fieldSelector` on `metadata.name` and `metadata.namespace`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldSelector(Vec<(String, String, bool)>);

impl FieldSelector {
    /// Parses a selector; like a CRD-backed resource, only `metadata.name` and `metadata.namespace` are known.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        let mut terms = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, value, negated) = if let Some((f, v)) = part.split_once("!=") {
                (f, v, true)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, v, false)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, v, false)
            } else {
                return Err(format!("invalid selector: '{s}'; can't understand '{part}'"));
            };
            let field = field.trim();
            if field != "metadata.name" && field != "metadata.namespace" {
                return Err(format!(
                    "\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
                ));
            }
            terms.push((field.to_string(), value.trim().to_string(), negated));
        }
        Ok(FieldSelector(terms))
    }

    /// Whether the object's fields satisfy every term.
    pub(crate) fn matches(&self, object: &Value) -> bool {
        self.0.iter().all(|(field, value, negated)| {
            let key = field.trim_start_matches("metadata.");
            let actual = object["metadata"][key].as_str().unwrap_or("");
            (actual == value) != *negated
        })
    }

    /// Whether the selector has no term.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(labels: Value) -> Value {
        json!({"metadata": {"name": "web", "namespace": "shop", "labels": labels}})
    }

    #[test]
    fn equality_and_existence() {
        let o = obj(json!({"kubernetes.io/service-name": "web", "tier": "front"}));
        let yes = ["kubernetes.io/service-name=web", "tier==front", "tier", "!missing", "tier!=back", "missing!=x", ""];
        for s in yes {
            assert!(LabelSelector::parse(s).expect(s).matches(&o), "{s}");
        }
        let no = ["kubernetes.io/service-name=api", "missing", "!tier", "tier!=front", "tier=front,missing"];
        for s in no {
            assert!(!LabelSelector::parse(s).expect(s).matches(&o), "{s}");
        }
    }

    #[test]
    fn set_based() {
        let o = obj(json!({"tier": "front"}));
        assert!(LabelSelector::parse("tier in (front, back),x notin (y)").expect("parse").matches(&o));
        assert!(!LabelSelector::parse("tier notin (front)").expect("parse").matches(&o));
        assert!(!LabelSelector::parse("tier in (back)").expect("parse").matches(&o));
    }

    #[test]
    fn rejects_garbage() {
        for s in ["a=b=c", "=x", "tier in front", "a b"] {
            assert!(LabelSelector::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn field_selector_on_name_and_namespace() {
        let o = obj(json!({}));
        assert!(FieldSelector::parse("metadata.name=web,metadata.namespace=shop").expect("parse").matches(&o));
        assert!(!FieldSelector::parse("metadata.name=api").expect("parse").matches(&o));
        assert!(FieldSelector::parse("metadata.namespace!=other").expect("parse").matches(&o));
        assert!(FieldSelector::parse("spec.type=ClusterIP").is_err());
        assert!(FieldSelector::parse("metadata.name").is_err());
    }
}
