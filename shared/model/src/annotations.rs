//! The route and Gateway annotations of the existing controller that change what is built, parsed
//! and validated. Every parser returns either the value or a message that names the annotation
//! and the value, so that translation can put it in status.

use std::collections::{BTreeMap, BTreeSet};

use crate::names::{TAG_PREFIX, Tags};

/// Route or Gateway annotation: `"true"` builds the route's service without service-network
/// associations. A Route's annotation wins over its Gateways'.
pub const ANNOTATION_STANDALONE: &str = "application-networking.k8s.aws/standalone";
/// Route annotation: the VPC Lattice service name to use instead of `route-namespace`.
pub const ANNOTATION_SERVICE_NAME_OVERRIDE: &str = "application-networking.k8s.aws/service-name-override";
/// Route annotation: `k1=v1,k2=v2`, additional tags on every Lattice resource of the route.
pub const ANNOTATION_TAGS: &str = "application-networking.k8s.aws/tags";
/// Prefix of the route annotations `application-networking.k8s.aws/rule-{i}-priority`.
pub const RULE_PRIORITY_PREFIX: &str = "application-networking.k8s.aws/rule-";
/// Suffix of the rule priority annotations.
pub const RULE_PRIORITY_SUFFIX: &str = "-priority";
/// Tag that records which additional tag keys (from the tags annotation) we put on a resource,
/// as 5-character digests of the keys, so that a key removed from the annotation is removed
/// from the resource while tags that others put there are kept.
pub const TAG_ADDITIONAL_KEYS: &str = "application-networking.k8s.aws/AdditionalTagKeys";

/// Most additional tags one route may ask for.
pub const MAX_ADDITIONAL_TAGS: usize = 50;
/// Lowest rule priority an annotation may ask for.
pub const MIN_RULE_PRIORITY: i32 = 1;
/// Highest rule priority an annotation may ask for.
pub const MAX_RULE_PRIORITY: i32 = 100;

/// Reads the standalone annotation: `"true"` (any case, surrounding spaces ignored) is true,
/// `"false"` false; anything else is false too, as the existing controller reads it, and comes
/// back as the message saying so.
pub fn standalone(value: &str) -> (bool, Option<String>) {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => (true, None),
        "false" => (false, None),
        _ => (
            false,
            Some(format!("annotation {ANNOTATION_STANDALONE}: {value:?} is not \"true\" or \"false\"; read as false")),
        ),
    }
}

/// Validates a service name override: 3 to 40 characters of `a-z`, `0-9` and `-`, not starting
/// with `svc-`, without a leading or trailing hyphen and without `--`.
pub fn service_name_override(value: &str) -> Result<String, String> {
    let problem = if !(3..=40).contains(&value.len()) {
        Some("must be 3 to 40 characters long")
    } else if !value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        Some("may only contain a-z, 0-9 and -")
    } else if value.starts_with("svc-") {
        Some("must not start with svc-")
    } else if value.starts_with('-') || value.ends_with('-') {
        Some("must not start or end with -")
    } else if value.contains("--") {
        Some("must not contain --")
    } else {
        None
    };
    match problem {
        Some(why) => Err(format!(
            "annotation {ANNOTATION_SERVICE_NAME_OVERRIDE}: {value:?} is not a valid VPC Lattice service name: it {why}"
        )),
        None => Ok(value.to_owned()),
    }
}

/// The tags of the tags annotation, and the keys that were left out because they are reserved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdditionalTags {
    /// Tags to add.
    pub tags: Tags,
    /// Messages about keys that were left out.
    pub dropped: Vec<String>,
}

/// Whether `c` is in `[\p{L}\p{Z}\p{N}_.:/=+\-@]`, the characters AWS allows in tags.
fn tag_char(c: char) -> bool {
    let separator = matches!(
        c,
        ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    );
    c.is_alphabetic() || c.is_numeric() || separator || "_.:/=+-@".contains(c)
}

/// Parses `k1=v1,k2=v2`. Pairs are separated by commas; the first `=` of a pair separates key and
/// value; spaces around keys and values are trimmed. Keys under `application-networking.k8s.aws/`
/// or `aws:` are reserved and left out (reported); more than 50 tags, keys over 128 or values over
/// 256 characters, characters AWS does not allow, a pair without `=` or a key given twice make
/// the annotation invalid.
pub fn additional_tags(value: &str) -> Result<AdditionalTags, String> {
    let invalid = |why: String| format!("annotation {ANNOTATION_TAGS}: {value:?} is invalid: {why}");
    let mut out = AdditionalTags::default();
    for pair in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, val)) = pair.split_once('=') else {
            return Err(invalid(format!("{pair:?} is not key=value")));
        };
        let (key, val) = (key.trim(), val.trim());
        if key.is_empty() {
            return Err(invalid(format!("{pair:?} has an empty key")));
        }
        if key.starts_with(TAG_PREFIX) || key.to_ascii_lowercase().starts_with("aws:") {
            out.dropped.push(format!(
                "annotation {ANNOTATION_TAGS}: key {key:?} is reserved (prefix {TAG_PREFIX} or aws:) and is not applied"
            ));
            continue;
        }
        if key.chars().count() > 128 {
            return Err(invalid(format!("key {key:?} is longer than 128 characters")));
        }
        if val.chars().count() > 256 {
            return Err(invalid(format!("the value of {key:?} is longer than 256 characters")));
        }
        if let Some(c) = key.chars().chain(val.chars()).find(|c| !tag_char(*c)) {
            return Err(invalid(format!(
                "{pair:?} contains {c:?}; tags allow letters, digits, spaces and _ . : / = + - @"
            )));
        }
        if out.tags.insert(key.to_owned(), val.to_owned()).is_some() {
            return Err(invalid(format!("key {key:?} is given twice")));
        }
    }
    if out.tags.len() > MAX_ADDITIONAL_TAGS {
        return Err(invalid(format!("{} tags; at most {MAX_ADDITIONAL_TAGS} are allowed", out.tags.len())));
    }
    Ok(out)
}

/// The 5-character digest of an additional tag key recorded in [`TAG_ADDITIONAL_KEYS`].
pub fn key_digest(key: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut hash = crate::names::fnv1a(key.as_bytes());
    (0..5)
        .map(|_| {
            let c = char::from(ALPHABET[(hash % 62) as usize]);
            hash /= 62;
            c
        })
        .collect()
}

/// The value of [`TAG_ADDITIONAL_KEYS`] for these keys (sorted digests, 5 characters each, at most
/// 250 characters for 50 keys), or `None` when there are none.
pub fn record_keys<'a>(keys: impl Iterator<Item = &'a String>) -> Option<String> {
    let digests: BTreeSet<String> = keys.map(|k| key_digest(k)).collect();
    (!digests.is_empty()).then(|| digests.into_iter().collect())
}

/// Whether an observed tag key is one we added from a tags annotation, according to the
/// resource's [`TAG_ADDITIONAL_KEYS`] record.
pub fn recorded(observed: &Tags, key: &str) -> bool {
    let Some(record) = observed.get(TAG_ADDITIONAL_KEYS) else { return false };
    let digest = key_digest(key);
    record.as_bytes().chunks(5).any(|chunk| chunk == digest.as_bytes())
}

/// `tags` with the additional tags and their record added (ours win on a clash of keys, which
/// cannot happen as reserved keys are left out).
pub fn with_additional(mut tags: Tags, additional: &Tags) -> Tags {
    for (k, v) in additional {
        tags.entry(k.clone()).or_insert_with(|| v.clone());
    }
    if let Some(record) = record_keys(additional.keys()) {
        tags.insert(TAG_ADDITIONAL_KEYS.to_owned(), record);
    }
    tags
}

/// `base` with the additional tags the object's `tags` annotation asks for, and notes for its
/// status: reserved keys left out, or why an invalid annotation adds no tag at all.
pub fn object_tags(annotations: Option<&BTreeMap<String, String>>, base: Tags) -> (Tags, Vec<String>) {
    match annotations.and_then(|a| a.get(ANNOTATION_TAGS)) {
        None => (base, Vec::new()),
        Some(value) => match additional_tags(value) {
            Ok(additional) => (with_additional(base, &additional.tags), additional.dropped),
            Err(problem) => (base, vec![format!("{problem}; no additional tags are applied")]),
        },
    }
}

/// Rule priorities asked for by `rule-{i}-priority` annotations, by rule index, or the messages
/// naming each invalid annotation (not an integer, outside 1..100, a priority given twice).
pub fn rule_priorities(annotations: &BTreeMap<String, String>) -> Result<BTreeMap<usize, i32>, Vec<String>> {
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    let mut by_priority: BTreeMap<i32, usize> = BTreeMap::new();
    for (key, value) in annotations {
        let Some(index) = key.strip_prefix(RULE_PRIORITY_PREFIX).and_then(|k| k.strip_suffix(RULE_PRIORITY_SUFFIX))
        else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            errors.push(format!("annotation {key}: {index:?} is not a rule index"));
            continue;
        };
        let priority = match value.trim().parse::<i32>() {
            Ok(p) if (MIN_RULE_PRIORITY..=MAX_RULE_PRIORITY).contains(&p) => p,
            _ => {
                errors.push(format!(
                    "annotation {key}: {value:?} is not a priority from {MIN_RULE_PRIORITY} to {MAX_RULE_PRIORITY}"
                ));
                continue;
            }
        };
        if let Some(other) = by_priority.insert(priority, index) {
            errors.push(format!(
                "annotation {key}: priority {priority} is also given to rule {other} ({RULE_PRIORITY_PREFIX}{other}{RULE_PRIORITY_SUFFIX})"
            ));
            continue;
        }
        out.insert(index, priority);
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standalone_reads_true_and_false_and_reports_the_rest() {
        assert_eq!(standalone(" TRUE "), (true, None));
        assert_eq!(standalone("false"), (false, None));
        for v in ["", " ", "yes", "1"] {
            let (on, message) = standalone(v);
            assert!(!on);
            let message = message.expect("reported");
            assert!(message.contains(ANNOTATION_STANDALONE) && message.contains(&format!("{v:?}")), "{message}");
        }
    }

    #[test]
    fn service_name_overrides_follow_lattice_names() {
        assert_eq!(service_name_override("my-svc-1").as_deref(), Ok("my-svc-1"));
        for bad in ["ab", "a".repeat(41).as_str(), "Upper", "svc-abc", "-abc", "abc-", "a--b", "a_b", "a b"] {
            let e = service_name_override(bad).expect_err(bad);
            assert!(e.contains(ANNOTATION_SERVICE_NAME_OVERRIDE) && e.contains(&format!("{bad:?}")), "{e}");
        }
        assert!(service_name_override(&"a".repeat(40)).is_ok());
    }

    #[test]
    fn tags_parse_drop_reserved_keys_and_reject_bad_ones() {
        let t = additional_tags(" Env = Prod , Team=a b,empty=, aws:x=1,application-networking.k8s.aws/Y=2,")
            .expect("valid");
        assert_eq!(
            t.tags,
            Tags::from([("Env".into(), "Prod".into()), ("Team".into(), "a b".into()), ("empty".into(), String::new())])
        );
        assert_eq!(t.dropped.len(), 2);
        assert!(t.dropped[0].contains("aws:x"));
        assert_eq!(additional_tags("a=b=c").expect("valid").tags["a"], "b=c");
        for bad in
            ["novalue", "=v", "k=v,k=w", "k=v!", &format!("{}=v", "k".repeat(129)), &format!("k={}", "v".repeat(257))]
        {
            let e = additional_tags(bad).expect_err(bad);
            assert!(e.contains(ANNOTATION_TAGS), "{e}");
        }
        let many: Vec<String> = (0..51).map(|i| format!("k{i}=v")).collect();
        assert!(additional_tags(&many.join(",")).is_err());
        assert!(additional_tags(&many[..50].join(",")).is_ok());
        assert!(additional_tags("ключ=значение, k=ü").is_ok(), "letters of any script are allowed");
    }

    #[test]
    fn the_key_record_fits_fifty_long_keys_and_finds_them() {
        let keys: Vec<String> = (0..50).map(|i| format!("{i}-{}", "k".repeat(120))).collect();
        let record = record_keys(keys.iter()).expect("record");
        assert!(record.len() <= 256 && record.len() % 5 == 0, "{}", record.len());
        let tags = Tags::from([(TAG_ADDITIONAL_KEYS.to_owned(), record)]);
        assert!(keys.iter().all(|k| recorded(&tags, k)));
        assert!(!recorded(&tags, "team"));
        assert!(!recorded(&Tags::new(), &keys[0]));
        assert_eq!(record_keys(std::iter::empty()), None);
    }

    #[test]
    fn rule_priorities_are_checked() {
        let a = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (format!("{RULE_PRIORITY_PREFIX}{k}{RULE_PRIORITY_SUFFIX}"), (*v).to_owned()))
                .collect()
        };
        assert_eq!(rule_priorities(&a(&[("0", "100"), ("1", " 50 ")])), Ok(BTreeMap::from([(0, 100), (1, 50)])));
        let errors =
            rule_priorities(&a(&[("0", "invalid"), ("1", "0"), ("2", "101"), ("x", "5"), ("3", "7"), ("4", "7")]))
                .expect_err("invalid");
        assert_eq!(errors.len(), 5, "{errors:?}");
        assert!(errors[0].contains("rule-0-priority") && errors[0].contains("\"invalid\""), "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("also given to rule 3")), "{errors:?}");
        assert_eq!(rule_priorities(&BTreeMap::from([("other".to_owned(), "1".to_owned())])), Ok(BTreeMap::new()));
    }
}
