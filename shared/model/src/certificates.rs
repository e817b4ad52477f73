//! ACM certificates for HTTPS listeners that name none: the issued certificate whose subject
//! alternative names cover the route's custom domain. An exact name beats a single-level
//! wildcard (`*.example.com` covers `a.example.com`, not `a.b.example.com` or `example.com`),
//! and among equals the newest wins.

use serde::{Deserialize, Serialize};

/// Status of a certificate that can be used.
pub const ISSUED: &str = "ISSUED";

/// An ACM certificate as `ListCertificates` summarises it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedCertificate {
    /// Certificate ARN.
    pub arn: String,
    /// Primary domain name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_name: Option<String>,
    /// Subject alternative names (the first 100).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subject_alternative_names: Vec<String>,
    /// Status (`ISSUED`, `EXPIRED`, ...).
    pub status: String,
    /// Key algorithm (`RSA_2048`, `EC_prime256v1`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_algorithm: Option<String>,
    /// When it was issued, in seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<i64>,
    /// When it was imported, in seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_at: Option<i64>,
    /// When it was requested, in seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
}

impl ObservedCertificate {
    /// The names it covers: its subject alternative names, or its domain name without them.
    fn names(&self) -> impl Iterator<Item = &str> {
        let fallback = self.subject_alternative_names.is_empty().then_some(self.domain_name.as_deref()).flatten();
        self.subject_alternative_names.iter().map(String::as_str).chain(fallback)
    }

    /// Newest first: issued, else imported, else requested.
    fn age(&self) -> Option<i64> {
        self.issued_at.or(self.imported_at).or(self.created_at)
    }
}

/// Whether the wildcard `pattern` (`*.example.com`) covers `hostname` one level down.
fn wildcard_covers(pattern: &str, hostname: &str) -> bool {
    let Some(suffix) = pattern.strip_prefix('*') else { return false };
    if !suffix.starts_with('.') || suffix.len() < 2 || suffix.contains('*') {
        return false;
    }
    let (host, suffix) = (hostname.to_ascii_lowercase(), suffix.to_ascii_lowercase());
    host.strip_suffix(&suffix).is_some_and(|label| !label.is_empty() && !label.contains('.'))
}

/// The best issued certificate for `hostname` among `certificates`, if any.
pub fn best_match<'a>(certificates: &'a [ObservedCertificate], hostname: &str) -> Option<&'a ObservedCertificate> {
    let issued = || certificates.iter().filter(|c| c.status == ISSUED);
    let newest = |matches: Vec<&'a ObservedCertificate>| {
        matches.into_iter().max_by(|a, b| a.age().cmp(&b.age()).then_with(|| b.arn.cmp(&a.arn)))
    };
    let exact: Vec<_> = issued().filter(|c| c.names().any(|n| n.eq_ignore_ascii_case(hostname))).collect();
    if !exact.is_empty() {
        return newest(exact);
    }
    newest(issued().filter(|c| c.names().any(|n| wildcard_covers(n, hostname))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(arn: &str, names: &[&str], issued: i64) -> ObservedCertificate {
        ObservedCertificate {
            arn: arn.into(),
            domain_name: names.first().map(|n| (*n).to_owned()),
            subject_alternative_names: names.iter().map(|n| (*n).to_owned()).collect(),
            status: ISSUED.into(),
            key_algorithm: Some("RSA_2048".into()),
            issued_at: Some(issued),
            imported_at: None,
            created_at: None,
        }
    }

    #[test]
    fn exact_beats_wildcard_and_newest_wins() {
        let certs = vec![
            cert("wild-new", &["*.example.com"], 300),
            cert("exact-old", &["example.com", "rates.example.com"], 100),
            cert("exact-new", &["RATES.example.com"], 200),
        ];
        assert_eq!(best_match(&certs, "rates.example.com").map(|c| c.arn.as_str()), Some("exact-new"));
        assert_eq!(best_match(&certs, "other.example.com").map(|c| c.arn.as_str()), Some("wild-new"));
        assert_eq!(best_match(&certs, "example.com").map(|c| c.arn.as_str()), Some("exact-old"));
        assert_eq!(best_match(&certs, "a.b.example.com"), None, "a wildcard covers one level only");
        assert_eq!(best_match(&certs, "example.org"), None);
    }

    #[test]
    fn only_issued_certificates_count_and_the_domain_name_stands_in_for_missing_names() {
        let mut expired = cert("expired", &["rates.example.com"], 500);
        expired.status = "EXPIRED".into();
        let mut bare = cert("bare", &[], 0);
        bare.domain_name = Some("rates.example.com".into());
        bare.issued_at = None;
        bare.imported_at = Some(50);
        let certs = vec![expired, bare];
        assert_eq!(best_match(&certs, "rates.example.com").map(|c| c.arn.as_str()), Some("bare"));
    }

    #[test]
    fn malformed_wildcards_cover_nothing() {
        for pattern in ["*", "*.", "**.example.com", "*example.com", "*.*.example.com"] {
            assert!(!wildcard_covers(pattern, "a.example.com"), "{pattern}");
        }
        assert!(wildcard_covers("*.Example.com", "a.example.COM"));
    }
}
