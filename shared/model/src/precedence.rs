//! Gateway API match precedence, used to give Lattice rules their priorities.

use std::cmp::Ordering;

use crate::lattice::{HttpMatch, PathMatchType};

/// Orders two matches from the same listener: exact path before prefix, longer prefix first,
/// a method before none, more header matches first. Ties keep their original order (route rule
/// order, then match order), so callers sort stably.
pub fn compare(a: &HttpMatch, b: &HttpMatch) -> Ordering {
    key(a).cmp(&key(b))
}

fn key(m: &HttpMatch) -> (u8, std::cmp::Reverse<usize>, u8, std::cmp::Reverse<usize>) {
    let (rank, len) = match m.path_match.as_ref().map(|p| &p.matcher) {
        Some(PathMatchType::Exact(p)) => (0, p.len()),
        Some(PathMatchType::Prefix(p)) => (1, p.len()),
        None => (1, 1),
    };
    (rank, std::cmp::Reverse(len), u8::from(m.method.is_none()), std::cmp::Reverse(m.header_matches.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{HeaderMatch, HeaderMatchType, PathMatch};

    fn path(exact: bool, p: &str) -> HttpMatch {
        let matcher = if exact { PathMatchType::Exact(p.into()) } else { PathMatchType::Prefix(p.into()) };
        HttpMatch { path_match: Some(PathMatch { matcher, case_sensitive: true }), ..HttpMatch::default() }
    }

    #[test]
    fn exact_beats_longest_prefix_beats_method_beats_headers() {
        let mut with_method = path(false, "/a");
        with_method.method = Some("GET".into());
        let mut with_header = path(false, "/a");
        with_header.header_matches.push(HeaderMatch {
            name: "x".into(),
            matcher: HeaderMatchType::Exact("1".into()),
            case_sensitive: true,
        });
        let mut all = [
            path(false, "/"),
            with_header.clone(),
            path(false, "/a"),
            with_method.clone(),
            path(true, "/a"),
            path(false, "/abc"),
        ];
        all.sort_by(compare);
        assert_eq!(all[0], path(true, "/a"));
        assert_eq!(all[1], path(false, "/abc"));
        assert_eq!(all[2], with_method);
        assert_eq!(all[3], with_header);
        assert_eq!(all[4], path(false, "/a"));
        assert_eq!(all[5], path(false, "/"));
    }
}
