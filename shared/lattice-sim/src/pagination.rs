//! Pagination: `maxResults` 1..=100 (default 100) and an opaque `nextToken` that names the last key
//! returned, bound to the listing it came from. The token is omitted on the last page.

use crate::errors::ApiError;
use crate::validate::{Checker, NEXT_TOKEN};
use crate::wire::{Request, fnv1a, hex_decode, hex_encode};

/// Page size and resume point of one List request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    pub max: usize,
    pub after: Option<u64>,
}

/// The default and largest page size.
pub(crate) const MAX_PAGE: usize = 100;

/// Reads and validates `maxResults`/`nextToken` from the query string of a request.
pub(crate) fn from_query(req: &Request, scope: &str) -> Result<Page, ApiError> {
    let max = req.query_one("maxResults");
    let token = req.query_one("nextToken");
    parse(max, token, scope, ("maxResults", "nextToken"))
}

/// Validates a page size and token given as text; `names` are the member names used in errors.
pub(crate) fn parse(
    max: Option<&str>,
    token: Option<&str>,
    scope: &str,
    names: (&str, &str),
) -> Result<Page, ApiError> {
    let mut c = Checker::new();
    let size = match max {
        None => MAX_PAGE,
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=MAX_PAGE as i64).contains(&n) => n as usize,
            _ => {
                c.fail(names.0, format!("Member must be an integer between 1 and {MAX_PAGE}"));
                MAX_PAGE
            }
        },
    };
    let mut after = None;
    if let Some(text) = token
        && c.check_str(names.1, text, NEXT_TOKEN)
    {
        after = decode(text, scope);
        if after.is_none() {
            c.fail(names.1, "Invalid pagination token");
        }
    }
    c.finish()?;
    Ok(Page { max: size, after })
}

/// Cuts one page out of `items` (sorted by their unique keys); returns the page and the next token.
pub(crate) fn cut<T>(items: Vec<(u64, T)>, page: Page, scope: &str) -> (Vec<T>, Option<String>) {
    let mut rest = items.into_iter().filter(|(k, _)| page.after.is_none_or(|a| *k > a)).peekable();
    let mut out = Vec::new();
    let mut last = None;
    while out.len() < page.max {
        let Some((k, item)) = rest.next() else { break };
        last = Some(k);
        out.push(item);
    }
    let token = match (rest.peek(), last) {
        (Some(_), Some(k)) => Some(encode(k, scope)),
        _ => None,
    };
    (out, token)
}

fn check(key: u64, scope: &str) -> u64 {
    fnv1a(format!("{scope}|{key}|lattice-sim").as_bytes())
}

fn encode(key: u64, scope: &str) -> String {
    hex_encode(format!("{key}.{:x}", check(key, scope)).as_bytes())
}

fn decode(token: &str, scope: &str) -> Option<u64> {
    let text = String::from_utf8(hex_decode(token)?).ok()?;
    let (key, sum) = text.split_once('.')?;
    let key = key.parse::<u64>().ok()?;
    (u64::from_str_radix(sum, 16).ok()? == check(key, scope)).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: u64) -> Vec<(u64, u64)> {
        (1..=n).map(|k| (k * 10, k)).collect()
    }

    #[test]
    fn pages_until_the_end_without_a_final_token() {
        let mut page = parse(Some("2"), None, "s", ("maxResults", "nextToken")).expect("valid");
        let mut seen = Vec::new();
        loop {
            let (got, token) = cut(items(5), page, "s");
            seen.extend(got);
            let Some(t) = token else { break };
            page = parse(Some("2"), Some(&t), "s", ("maxResults", "nextToken")).expect("valid token");
        }
        assert_eq!(seen, vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn exact_fit_has_no_token() {
        let page = Page { max: 5, after: None };
        assert_eq!(cut(items(5), page, "s").1, None);
    }

    #[test]
    fn tokens_are_bound_to_their_listing() {
        let (_, token) = cut(items(3), Page { max: 1, after: None }, "a");
        let token = token.expect("more pages");
        assert!(parse(None, Some(&token), "b", ("maxResults", "nextToken")).is_err());
        assert!(parse(None, Some("garbage"), "a", ("maxResults", "nextToken")).is_err());
        assert!(parse(Some("0"), None, "a", ("maxResults", "nextToken")).is_err());
        assert!(parse(Some("101"), None, "a", ("maxResults", "nextToken")).is_err());
    }
}
