//! Hostname intersection between Gateway listeners and routes (Gateway API rules: exact and
//! `*.` wildcard hostnames, a wildcard matches one or more labels but not the bare suffix).

/// Whether `host` is matched by `pattern`, where either may be a `*.` wildcard.
fn covers(pattern: &str, host: &str) -> bool {
    let Some(suffix) = pattern.strip_prefix("*.") else {
        return pattern.eq_ignore_ascii_case(host);
    };
    let suffix = suffix.to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    match host.strip_prefix("*.") {
        Some(inner) => inner == suffix || inner.ends_with(&format!(".{suffix}")),
        None => host.ends_with(&format!(".{suffix}")),
    }
}

/// The hostnames a route serves on a listener: route hostnames covered by the listener's
/// hostname, plus the listener hostname itself where a route wildcard covers it. An empty result
/// with non-empty inputs means the route does not intersect the listener. `None` means "any".
pub fn intersect(listener: Option<&str>, route: &[String]) -> Option<Vec<String>> {
    let Some(listener) = listener.filter(|l| !l.is_empty()) else {
        return if route.is_empty() { None } else { Some(route.to_vec()) };
    };
    if route.is_empty() {
        return Some(vec![listener.to_owned()]);
    }
    let mut out = Vec::new();
    for host in route {
        if covers(listener, host) || listener.eq_ignore_ascii_case(host) {
            out.push(host.clone());
        } else if covers(host, listener) {
            out.push(listener.to_owned());
        }
    }
    out.dedup();
    Some(out)
}

/// Whether two listener hostnames overlap (one covers the other, or they are equal).
pub fn overlap(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b) || covers(a, b) || covers(b, a),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn exact_and_wildcard_intersections() {
        assert_eq!(intersect(Some("very.specific.com"), &v(&["very.specific.com"])), Some(v(&["very.specific.com"])));
        assert_eq!(intersect(Some("*.wildcard.io"), &v(&["foo.wildcard.io"])), Some(v(&["foo.wildcard.io"])));
        assert_eq!(intersect(Some("very.specific.com"), &v(&["*.specific.com"])), Some(v(&["very.specific.com"])));
        assert_eq!(
            intersect(Some("*.anotherwildcard.io"), &v(&["*.anotherwildcard.io"])),
            Some(v(&["*.anotherwildcard.io"]))
        );
        assert_eq!(intersect(Some("*.wildcard.io"), &v(&["specific.but.wrong.com", "wildcard.io"])), Some(vec![]));
        assert_eq!(intersect(Some("*.example.com"), &v(&["a.b.example.com"])), Some(v(&["a.b.example.com"])));
        assert_eq!(intersect(None, &[]), None);
        assert_eq!(intersect(Some("foo.example.com"), &[]), Some(v(&["foo.example.com"])));
    }

    #[test]
    fn overlapping_listener_hostnames() {
        assert!(overlap(Some("a.example.com"), Some("*.example.com")));
        assert!(!overlap(Some("a.example.com"), Some("b.example.com")));
        assert!(overlap(None, Some("b.example.com")));
    }
}
