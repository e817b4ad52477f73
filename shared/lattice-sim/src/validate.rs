//! Request validation against the model's constraints. A `Checker` walks the JSON body, collects one
//! `fieldList` entry per violation and turns them into a single ValidationException.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::errors::{ApiError, FieldError, Reason};
use crate::patterns as p;

/// A full-match predicate with the description used in violation messages.
pub(crate) type Pattern = (fn(&str) -> bool, &'static str);

/// A string constraint: length bounds (in characters) and an optional full-match pattern.
#[derive(Clone, Copy)]
pub(crate) struct Str {
    pub min: usize,
    pub max: usize,
    pub pattern: Option<Pattern>,
}

const fn s(min: usize, max: usize, check: fn(&str) -> bool, describe: &'static str) -> Str {
    Str { min, max, pattern: Some((check, describe)) }
}

const fn len(min: usize, max: usize) -> Str {
    Str { min, max, pattern: None }
}

const NAME: &str = "lowercase letters, digits and single hyphens, not starting or ending with a hyphen";
pub(crate) const SN_NAME: Str = s(3, 63, p::sn_name, NAME);
pub(crate) const SERVICE_NAME: Str = s(3, 40, p::service_name, "a service name not starting with svc-");
pub(crate) const LISTENER_NAME: Str = s(3, 63, p::listener_name, "a listener name not starting with listener-");
pub(crate) const RULE_NAME: Str = s(3, 63, p::rule_name, "a rule name not starting with rule-");
pub(crate) const TG_NAME: Str = s(3, 128, p::tg_name, "a target group name not starting with tg-");
pub(crate) const SN_IDENT: Str = s(3, 2048, p::sn_ident, "a service network ID or ARN");
pub(crate) const SERVICE_IDENT: Str = s(17, 2048, p::service_ident, "a service ID or ARN");
pub(crate) const LISTENER_IDENT: Str = s(20, 2048, p::listener_ident, "a listener ID or ARN");
pub(crate) const RULE_IDENT: Str = s(20, 2048, p::rule_ident, "a rule ID or ARN");
pub(crate) const TG_IDENT: Str = s(17, 2048, p::tg_ident, "a target group ID or ARN");
pub(crate) const SNSA_IDENT: Str = s(17, 2048, p::snsa_ident, "a service network service association ID or ARN");
pub(crate) const SNVA_IDENT: Str = s(17, 2048, p::snva_ident, "a service network VPC association ID or ARN");
pub(crate) const ALS_IDENT: Str = s(17, 2048, p::als_ident, "an access log subscription ID or ARN");
pub(crate) const RESOURCE_IDENT: Str = s(17, 200, p::resource_ident, "a service network or service ID or ARN");
pub(crate) const RESOURCE_ARN: Str = s(20, 200, p::resource_arn, "a service network or service ARN");
pub(crate) const TAG_ARN: Str = s(0, 1224, p::tag_arn, "a VPC Lattice ARN");
pub(crate) const CLIENT_TOKEN: Str = s(1, 64, p::client_token, "printable ASCII");
pub(crate) const CUSTOM_DOMAIN: Str = len(3, 255);
pub(crate) const CERT_ARN: Str = s(0, 2048, p::certificate_arn, "an ACM certificate ARN");
pub(crate) const VPC_ID: Str = s(5, 50, p::vpc_id, "a VPC ID");
pub(crate) const SG_ID: Str = s(5, 200, p::sg_id, "a security group ID");
pub(crate) const URL_PATH: Str = s(1, 200, p::url_path, "a path starting with /");
pub(crate) const HEADER_NAME: Str = len(1, 100);
pub(crate) const HEADER_VALUE: Str = len(1, 200);
pub(crate) const HC_PATH: Str = s(0, 2048, p::health_path, "empty or a path starting with /");
pub(crate) const HTTP_CODES: Str = s(0, 2000, p::http_codes, "digits, commas and hyphens");
pub(crate) const HTTP_METHOD: Str = len(0, 16);
pub(crate) const TARGET_ID: Str = len(1, 200);
pub(crate) const DESTINATION_ARN: Str = s(20, 2048, p::destination_arn, "an ARN");
pub(crate) const POLICY: Str = s(1, 10_000, p::non_blank, "a non-blank policy");
pub(crate) const AUTH_POLICY: Str = len(0, 36_864);
pub(crate) const TAG_KEY: Str = len(1, 128);
pub(crate) const TAG_VALUE: Str = len(0, 256);
pub(crate) const NEXT_TOKEN: Str = len(1, 2048);
pub(crate) const DNS_DOMAIN: Str = len(1, 255);

/// Collects field violations of one request.
#[derive(Default)]
pub(crate) struct Checker {
    errors: Vec<FieldError>,
}

/// `path.key`, or `key` at top level.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a violation.
    pub fn fail(&mut self, name: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError { name: name.into(), message: message.into() });
    }

    /// How many violations were recorded so far.
    pub fn count(&self) -> usize {
        self.errors.len()
    }

    /// Checks a string value against `spec`, recording a violation under `name`.
    pub fn check_str(&mut self, name: &str, value: &str, spec: Str) -> bool {
        let n = value.chars().count();
        if n < spec.min || n > spec.max {
            self.fail(name, format!("Member must have length between {} and {}", spec.min, spec.max));
            return false;
        }
        if let Some((check, describe)) = spec.pattern
            && !check(value)
        {
            self.fail(name, format!("Member must be {describe}"));
            return false;
        }
        true
    }

    fn present<'v>(&mut self, obj: &'v Map<String, Value>, name: &str, key: &str, required: bool) -> Option<&'v Value> {
        match obj.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.fail(name, "Member must not be null");
                }
                None
            }
            Some(v) => Some(v),
        }
    }

    /// An optional or required string member.
    pub fn string(&mut self, obj: &Map<String, Value>, path: &str, key: &str, spec: Str, req: bool) -> Option<String> {
        let name = join(path, key);
        let value = self.present(obj, &name, key, req)?;
        let Some(text) = value.as_str() else {
            self.fail(name, "Member must be a string");
            return None;
        };
        self.check_str(&name, text, spec).then(|| text.to_owned())
    }

    /// An optional or required integer member within `min..=max`.
    pub fn int(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
        key: &str,
        range: (i64, i64),
        req: bool,
    ) -> Option<i64> {
        let name = join(path, key);
        let value = self.present(obj, &name, key, req)?;
        match value.as_i64() {
            Some(n) if n >= range.0 && n <= range.1 => Some(n),
            Some(_) => {
                self.fail(name, format!("Member must be between {} and {}", range.0, range.1));
                None
            }
            None => {
                self.fail(name, "Member must be an integer");
                None
            }
        }
    }

    /// An optional boolean member.
    pub fn boolean(&mut self, obj: &Map<String, Value>, path: &str, key: &str) -> Option<bool> {
        let name = join(path, key);
        let value = self.present(obj, &name, key, false)?;
        let b = value.as_bool();
        if b.is_none() {
            self.fail(name, "Member must be a boolean");
        }
        b
    }

    /// An optional or required enum member.
    pub fn enumeration(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
        key: &str,
        allowed: &[&str],
        req: bool,
    ) -> Option<String> {
        let name = join(path, key);
        let value = self.present(obj, &name, key, req)?;
        match value.as_str() {
            Some(v) if allowed.contains(&v) => Some(v.to_owned()),
            _ => {
                self.fail(name, format!("Member must satisfy enum value set: [{}]", allowed.join(", ")));
                None
            }
        }
    }

    /// An optional or required structure member.
    pub fn object<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        path: &str,
        key: &str,
        req: bool,
    ) -> Option<&'v Map<String, Value>> {
        let name = join(path, key);
        let value = self.present(obj, &name, key, req)?;
        let map = value.as_object();
        if map.is_none() {
            self.fail(name, "Member must be a structure");
        }
        map
    }

    /// An optional or required list member with `min..=max` entries.
    pub fn list<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        path: &str,
        key: &str,
        bounds: (usize, usize),
        req: bool,
    ) -> Option<&'v Vec<Value>> {
        let name = join(path, key);
        let value = self.present(obj, &name, key, req)?;
        let Some(items) = value.as_array() else {
            self.fail(name, "Member must be a list");
            return None;
        };
        if items.len() < bounds.0 || items.len() > bounds.1 {
            self.fail(name, format!("Member must have length between {} and {}", bounds.0, bounds.1));
            return None;
        }
        Some(items)
    }

    /// A list of strings, each checked against `spec`.
    pub fn string_list(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
        key: &str,
        bounds: (usize, usize),
        spec: Str,
        req: bool,
    ) -> Option<Vec<String>> {
        let name = join(path, key);
        let items = self.list(obj, path, key, bounds, req)?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let item_name = format!("{name}[{i}]");
            match item.as_str() {
                Some(text) if self.check_str(&item_name, text, spec) => out.push(text.to_owned()),
                Some(_) => {}
                None => self.fail(item_name, "Member must be a string"),
            }
        }
        (out.len() == items.len()).then_some(out)
    }

    /// A union member: exactly one of `members` must be set (non-null). Returns the chosen member.
    pub fn union<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        path: &str,
        key: &str,
        members: &[&'static str],
        req: bool,
    ) -> Option<(&'static str, &'v Value)> {
        let name = join(path, key);
        let union = self.object(obj, path, key, req)?;
        let set: Vec<&'static str> =
            members.iter().copied().filter(|m| union.get(*m).is_some_and(|v| !v.is_null())).collect();
        let unknown = union.iter().any(|(k, v)| !v.is_null() && !members.contains(&k.as_str()));
        match set.as_slice() {
            [one] if !unknown => union.get(*one).map(|v| (*one, v)),
            [] if !unknown => {
                self.fail(name, format!("Union must set exactly one of [{}], found none", members.join(", ")));
                None
            }
            _ => {
                self.fail(name, format!("Union must set exactly one of [{}]", members.join(", ")));
                None
            }
        }
    }

    /// A TagMap member (keys 1..128, values 0..256, no `aws:` prefix, at most `max_tags` entries).
    pub fn tags(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
        key: &str,
        max_tags: usize,
        req: bool,
    ) -> Option<BTreeMap<String, String>> {
        let name = join(path, key);
        let map = self.object(obj, path, key, req)?;
        self.tag_map(&name, map, max_tags)
    }

    /// Checks an already extracted TagMap.
    pub fn tag_map(
        &mut self,
        name: &str,
        map: &Map<String, Value>,
        max_tags: usize,
    ) -> Option<BTreeMap<String, String>> {
        let before = self.errors.len();
        if map.len() > max_tags.min(200) {
            self.fail(name, format!("Member must have at most {} entries", max_tags.min(200)));
        }
        let mut out = BTreeMap::new();
        for (k, v) in map {
            let entry = format!("{name}.{k}");
            if self.check_str(&entry, k, TAG_KEY) && k.to_ascii_lowercase().starts_with("aws:") {
                self.fail(&entry, "Tag keys starting with aws: are reserved");
            }
            match v.as_str() {
                Some(text) => {
                    self.check_str(&entry, text, TAG_VALUE);
                    out.insert(k.clone(), text.to_owned());
                }
                None => self.fail(&entry, "Tag value must be a string"),
            }
        }
        (self.errors.len() == before).then_some(out)
    }

    /// Ends the check: Ok when nothing failed, else one ValidationException listing every field.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let summary: Vec<String> = self.errors.iter().map(|f| format!("{}: {}", f.name, f.message)).collect();
        Err(ApiError::Validation {
            message: format!("{} validation error(s) detected: {}", self.errors.len(), summary.join("; ")),
            reason: Reason::FieldValidationFailed,
            fields: self.errors,
        })
    }
}

/// Unwraps a member that `Checker::finish` already proved present.
pub(crate) fn need<T>(value: Option<T>, name: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::field(name, "Member must not be null"))
}

/// Validates a path label and returns it, or a ValidationException naming the label.
pub(crate) fn label(name: &str, value: &str, spec: Str) -> Result<String, ApiError> {
    let mut c = Checker::new();
    c.check_str(name, value, spec);
    c.finish().map(|()| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn collects_every_violation() {
        let body = obj(json!({"name": "x", "port": 70000, "authType": "BAD"}));
        let mut c = Checker::new();
        c.string(&body, "", "name", SERVICE_NAME, true);
        c.int(&body, "", "port", (1, 65535), false);
        c.enumeration(&body, "", "authType", &["NONE", "AWS_IAM"], false);
        c.string(&body, "", "missing", SERVICE_NAME, true);
        let Err(ApiError::Validation { fields, reason, .. }) = c.finish() else { panic!("expected validation") };
        assert_eq!(reason, Reason::FieldValidationFailed);
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, vec!["name", "port", "authType", "missing"]);
    }

    #[test]
    fn unions_need_exactly_one_member() {
        let members = &["forward", "fixedResponse"];
        let mut c = Checker::new();
        assert!(c.union(&obj(json!({"a": {}})), "", "a", members, true).is_none());
        assert!(c.union(&obj(json!({"a": {"forward": {}, "fixedResponse": {}}})), "", "a", members, true).is_none());
        assert!(c.union(&obj(json!({"a": {"forward": {}}})), "", "a", members, true).is_some());
        assert_eq!(c.finish().err().map(|e| e.code()), Some("ValidationException"));
    }

    #[test]
    fn tag_rules() {
        let mut c = Checker::new();
        let tags = c.tags(&obj(json!({"tags": {"aws:x": "1"}})), "", "tags", 50, false);
        assert!(tags.is_none());
        assert!(c.count() > 0);
    }
}
