//! Wire-level helpers: the decoded request a handler sees, the reply it returns, percent decoding of path
//! segments and query strings, RFC 3339 timestamps and JSON tidying.

use serde_json::{Map, Value};

/// A request after routing: decoded path labels, query pairs and the parsed JSON body.
#[derive(Debug, Clone, Default)]
pub(crate) struct Request {
    /// Percent-decoded path labels in the order they appear in the route template.
    pub labels: Vec<String>,
    /// Percent-decoded query pairs in request order (keys may repeat).
    pub query: Vec<(String, String)>,
    /// The JSON body (an empty object when the request had no body).
    pub body: Map<String, Value>,
}

impl Request {
    /// The label at `index`, or "" when the route has fewer labels.
    pub fn label(&self, index: usize) -> &str {
        self.labels.get(index).map(String::as_str).unwrap_or("")
    }

    /// The first value of query key `key`.
    pub fn query_one(&self, key: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every value of the repeated query key `key`.
    pub fn query_all(&self, key: &str) -> Vec<String> {
        self.query.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
    }
}

/// A successful reply: status code and optional JSON body (None means no body at all).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Option<Value>,
}

impl Reply {
    /// 200 with a JSON body.
    pub fn ok(body: Value) -> Self {
        Self { status: 200, body: Some(strip_nulls(body)) }
    }

    /// 201 with a JSON body.
    pub fn created(body: Value) -> Self {
        Self { status: 201, body: Some(strip_nulls(body)) }
    }

    /// 204 without a body.
    pub fn no_content() -> Self {
        Self { status: 204, body: None }
    }
}

/// Removes `null` members from every object, recursively, so optional members are omitted rather than null.
pub(crate) fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, strip_nulls(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// Splits a raw (still encoded) path into percent-decoded segments; `%2F` stays inside its segment.
/// Returns None when a segment is not valid percent-encoded UTF-8.
pub(crate) fn path_segments(raw_path: &str) -> Option<Vec<String>> {
    raw_path.split('/').filter(|s| !s.is_empty()).map(percent_decode).collect()
}

/// Parses a raw query string into decoded pairs; a key without `=` has an empty value.
pub(crate) fn query_pairs(raw_query: Option<&str>) -> Option<Vec<(String, String)>> {
    let Some(raw) = raw_query else { return Some(Vec::new()) };
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(k)?, percent_decode(v)?))
        })
        .collect()
}

/// Decodes `%XX` escapes; None for a malformed escape or bytes that are not UTF-8.
pub(crate) fn percent_decode(input: &str) -> Option<String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let text = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(text, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Formats milliseconds since the Unix epoch as RFC 3339 with millisecond precision and `Z`.
pub(crate) fn timestamp(epoch_ms: u64) -> String {
    let secs = epoch_ms / 1000;
    let ms = epoch_ms % 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z", rem / 3600, (rem % 3600) / 60, rem % 60)
}

/// Converts days since 1970-01-01 to a (year, month, day) civil date (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Lowercase hex encoding.
pub(crate) fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes lowercase or uppercase hex; None when malformed.
pub(crate) fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// A 64-bit FNV-1a hash, used for opaque tokens and derived constants.
pub(crate) fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// A version-4 style UUID made of two random words.
pub(crate) fn uuid(a: u64, b: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48 & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arn_stays_one_segment() {
        let segs = path_segments("/tags/arn%3Aaws%3Avpc-lattice%3Aus-west-2%3A1%3Aservice%2Fsvc-1").expect("decodes");
        assert_eq!(segs, vec!["tags", "arn:aws:vpc-lattice:us-west-2:1:service/svc-1"]);
    }

    #[test]
    fn malformed_escape_is_rejected() {
        assert_eq!(percent_decode("a%2"), None);
        assert_eq!(percent_decode("a%zz"), None);
    }

    #[test]
    fn repeated_query_keys() {
        let q = query_pairs(Some("tagKeys=a&tagKeys=b%20c&maxResults=5")).expect("decodes");
        assert_eq!(q.len(), 3);
        assert_eq!(q[1], ("tagKeys".into(), "b c".into()));
    }

    #[test]
    fn timestamps_have_millis_and_z() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(timestamp(1_683_347_664_122), "2023-05-06T04:34:24.122Z");
        assert_eq!(timestamp(951_825_600_000), "2000-02-29T12:00:00.000Z");
    }

    #[test]
    fn nulls_are_stripped() {
        let v = strip_nulls(json!({"a": null, "b": {"c": null, "d": 1}, "e": [{"f": null}]}));
        assert_eq!(v, json!({"b": {"d": 1}, "e": [{}]}));
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex_decode(&hex_encode(b"p:12")).as_deref(), Some(&b"p:12"[..]));
        assert_eq!(hex_decode("abc"), None);
    }
}
