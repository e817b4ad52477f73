//! AWS Certificate Manager `ListCertificates` (awsJson1_1, `X-Amz-Target:
//! CertificateManager.ListCertificates`), written from the ACM API reference: the status filter,
//! the `Includes` filters (key types, key usages, extended key usages; without `keyTypes` only
//! RSA_2048 certificates are listed), the key pair origin filter (ACME certificates only when
//! asked for), sorting by creation time, and `MaxItems` (1..1000) / `NextToken` pagination.
//!
//! Certificates are not issued through the API here: they are seeded (`--certificate`,
//! `POST /_sim/certificates`, [`crate::RunningSim::seed_certificate`]) and kept in the state.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::pagination::{self, Page};
use crate::validate::{Checker, NEXT_TOKEN, Str};
use crate::wire::{Reply, Request};

/// The `X-Amz-Target` prefix of ACM.
pub(crate) const ACM_TARGET: &str = "CertificateManager.";

const STATUSES: &[&str] =
    &["PENDING_VALIDATION", "ISSUED", "INACTIVE", "EXPIRED", "VALIDATION_TIMED_OUT", "REVOKED", "FAILED"];
const KEY_TYPES: &[&str] =
    &["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"];
const KEY_USAGES: &[&str] = &[
    "DIGITAL_SIGNATURE",
    "NON_REPUDIATION",
    "KEY_ENCIPHERMENT",
    "DATA_ENCIPHERMENT",
    "KEY_AGREEMENT",
    "CERTIFICATE_SIGNING",
    "CRL_SIGNING",
    "ENCIPHER_ONLY",
    "DECIPHER_ONLY",
    "ANY",
    "CUSTOM",
];
const EXTENDED_KEY_USAGES: &[&str] = &[
    "TLS_WEB_SERVER_AUTHENTICATION",
    "TLS_WEB_CLIENT_AUTHENTICATION",
    "CODE_SIGNING",
    "EMAIL_PROTECTION",
    "TIME_STAMPING",
    "OCSP_SIGNING",
    "IPSEC_END_SYSTEM",
    "IPSEC_TUNNEL",
    "IPSEC_USER",
    "ANY",
    "NONE",
    "CUSTOM",
];
const ORIGINS: &[&str] = &["AWS_MANAGED", "ACME", "CUSTOMER_PROVIDED"];
const TYPES: &[&str] = &["IMPORTED", "AMAZON_ISSUED", "PRIVATE"];
/// Subject alternative names a summary carries at most.
const MAX_SANS: usize = 100;
/// Largest `MaxItems`.
const MAX_ITEMS: i64 = 1000;

/// A certificate of the emulated account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Certificate {
    pub arn: String,
    pub seq: u64,
    pub domain_name: String,
    pub sans: Vec<String>,
    pub status: String,
    pub key_algorithm: String,
    pub kind: String,
    pub origin: String,
    pub key_usages: Vec<String>,
    pub extended_key_usages: Vec<String>,
    pub in_use: bool,
    /// Epoch milliseconds.
    pub created_at: u64,
    pub issued_at: Option<u64>,
    pub imported_at: Option<u64>,
    pub not_before: u64,
    pub not_after: u64,
}

/// What a seeded certificate looks like; absent fields take the defaults of an issued,
/// Amazon-issued RSA_2048 server certificate created now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificateSpec {
    /// Primary domain name (required).
    pub domain_name: String,
    /// Subject alternative names; the domain name alone when empty.
    #[serde(default)]
    pub subject_alternative_names: Vec<String>,
    /// `ISSUED` (default), `EXPIRED`, `PENDING_VALIDATION`, ...
    #[serde(default)]
    pub status: Option<String>,
    /// `RSA_2048` (default), `RSA_4096`, `EC_prime256v1`, ...
    #[serde(default)]
    pub key_algorithm: Option<String>,
    /// `AMAZON_ISSUED` (default), `IMPORTED` or `PRIVATE`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `AWS_MANAGED` (default), `CUSTOMER_PROVIDED` or `ACME`.
    #[serde(default)]
    pub key_pair_origin: Option<String>,
    /// Seconds since the Unix epoch of issue (or import, for imported ones); default now.
    #[serde(default)]
    pub issued_at: Option<u64>,
}

impl std::str::FromStr for CertificateSpec {
    type Err = String;

    /// `domain=D[,san=N]...[,status=S][,key=K][,type=T][,origin=O][,issued=EPOCH_SECONDS]`.
    fn from_str(text: &str) -> Result<Self, String> {
        let mut spec = CertificateSpec::default();
        for part in text.split(',') {
            let (key, value) = part.split_once('=').ok_or_else(|| format!("{part:?} is not key=value"))?;
            let value = value.to_owned();
            match key {
                "domain" => spec.domain_name = value,
                "san" => spec.subject_alternative_names.push(value),
                "status" => spec.status = Some(value),
                "key" => spec.key_algorithm = Some(value),
                "type" => spec.kind = Some(value),
                "origin" => spec.key_pair_origin = Some(value),
                "issued" => {
                    spec.issued_at = Some(value.parse().map_err(|_| format!("issued={value} is not a number"))?)
                }
                other => return Err(format!("unknown certificate field {other:?}")),
            }
        }
        Ok(spec)
    }
}

fn one_of(field: &str, value: Option<&String>, allowed: &[&str], default: &str) -> Result<String, String> {
    let value = value.map_or(default, String::as_str);
    if allowed.contains(&value) {
        Ok(value.to_owned())
    } else {
        Err(format!("{field} {value:?} is not one of {}", allowed.join(", ")))
    }
}

/// Adds a certificate to the state; returns its ARN.
pub(crate) fn seed(ctx: &mut Ctx<'_>, spec: &CertificateSpec) -> Result<String, String> {
    let domain = spec.domain_name.trim();
    if domain.is_empty() || domain.len() > 253 {
        return Err("domainName must be 1 to 253 characters".into());
    }
    let status = one_of("status", spec.status.as_ref(), STATUSES, "ISSUED")?;
    let key_algorithm = one_of("keyAlgorithm", spec.key_algorithm.as_ref(), KEY_TYPES, "RSA_2048")?;
    let kind = one_of("type", spec.kind.as_ref(), TYPES, "AMAZON_ISSUED")?;
    let origin = one_of("keyPairOrigin", spec.key_pair_origin.as_ref(), ORIGINS, "AWS_MANAGED")?;
    let mut sans = spec.subject_alternative_names.clone();
    if sans.is_empty() {
        sans.push(domain.to_owned());
    }
    let uuid = crate::wire::uuid(ctx.state.next_random(), ctx.state.next_random());
    let arn = format!("arn:aws:acm:{}:{}:certificate/{uuid}", ctx.env.region, ctx.env.account);
    let at = spec.issued_at.map_or(ctx.now, |secs| secs.saturating_mul(1000));
    let imported = kind == "IMPORTED";
    let certificate = Certificate {
        arn: arn.clone(),
        seq: ctx.state.next_seq(),
        domain_name: domain.to_owned(),
        sans,
        issued_at: (!imported && status == "ISSUED").then_some(at),
        imported_at: imported.then_some(at),
        status,
        key_algorithm,
        kind,
        origin,
        key_usages: vec!["DIGITAL_SIGNATURE".into(), "KEY_ENCIPHERMENT".into()],
        extended_key_usages: vec!["TLS_WEB_SERVER_AUTHENTICATION".into(), "TLS_WEB_CLIENT_AUTHENTICATION".into()],
        in_use: false,
        created_at: at,
        not_before: at,
        not_after: at.saturating_add(395 * 24 * 3600 * 1000),
    };
    ctx.state.certificates.insert(arn.clone(), certificate);
    Ok(arn)
}

/// `CertificateManager.ListCertificates`.
pub(crate) fn list_certificates(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let b = &req.body;
    let mut c = Checker::new();
    let statuses = enum_list(&mut c, b, "", "CertificateStatuses", STATUSES);
    let origins = enum_list(&mut c, b, "", "CertificateKeyPairOrigins", ORIGINS);
    let includes = c.object(b, "", "Includes", false);
    let (key_types, usages, extended) = match includes {
        Some(f) => (
            enum_list(&mut c, f, "Includes", "keyTypes", KEY_TYPES),
            enum_list(&mut c, f, "Includes", "keyUsage", KEY_USAGES),
            enum_list(&mut c, f, "Includes", "extendedKeyUsage", EXTENDED_KEY_USAGES),
        ),
        None => (None, None, None),
    };
    let max = c.int(b, "", "MaxItems", (1, MAX_ITEMS), false);
    let token = c.string(b, "", "NextToken", Str { max: 10_000, ..NEXT_TOKEN }, false);
    let sort_by = c.enumeration(b, "", "SortBy", &["CREATED_AT"], false);
    let order = c.enumeration(b, "", "SortOrder", &["ASCENDING", "DESCENDING"], false);
    if sort_by.is_some() != order.is_some() {
        c.fail("SortBy", "SortBy and SortOrder must be given together");
    }
    c.finish()?;
    let scope = "ListCertificates";
    let after = pagination::parse(None, token.as_deref(), scope, ("MaxItems", "NextToken"))?.after;
    let page = Page { max: max.map_or(MAX_ITEMS as usize, |m| m as usize), after };
    let key_types = key_types.unwrap_or_else(|| vec!["RSA_2048".to_owned()]);
    let descending = order.as_deref() == Some("DESCENDING");
    let mut listed: Vec<&Certificate> = ctx
        .state
        .certificates
        .values()
        .filter(|cert| statuses.as_ref().is_none_or(|s| s.contains(&cert.status)))
        .filter(|cert| key_types.contains(&cert.key_algorithm))
        .filter(|cert| match &origins {
            Some(o) => o.contains(&cert.origin),
            None => cert.origin != "ACME",
        })
        .filter(|cert| usages.as_ref().is_none_or(|u| covers(u, &cert.key_usages)))
        .filter(|cert| extended.as_ref().is_none_or(|u| covers(u, &cert.extended_key_usages)))
        .collect();
    listed.sort_by_key(|cert| (cert.created_at, cert.seq));
    if descending {
        listed.reverse();
    }
    let items: Vec<(u64, Value)> =
        listed.into_iter().enumerate().map(|(position, cert)| (position as u64 + 1, summary(cert))).collect();
    let (items, next) = pagination::cut(items, page, scope);
    let mut body = json!({ "CertificateSummaryList": items });
    if let (Some(token), Some(map)) = (next, body.as_object_mut()) {
        map.insert("NextToken".into(), json!(token));
    }
    Ok(Reply::ok(body))
}

/// Whether a usage filter admits a certificate's usages (`ANY` admits all).
fn covers(filter: &[String], usages: &[String]) -> bool {
    filter.iter().any(|f| f == "ANY" || usages.contains(f))
}

fn enum_list(
    c: &mut Checker,
    obj: &Map<String, Value>,
    path: &str,
    key: &str,
    allowed: &[&str],
) -> Option<Vec<String>> {
    let items = c.list(obj, path, key, (0, 100), false)?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(v) if allowed.contains(&v) => out.push(v.to_owned()),
            _ => c.fail(
                format!("{}[{i}]", crate::validate::join(path, key)),
                format!("Member must satisfy enum value set: [{}]", allowed.join(", ")),
            ),
        }
    }
    Some(out)
}

fn seconds(ms: u64) -> Value {
    json!(ms as f64 / 1000.0)
}

fn summary(cert: &Certificate) -> Value {
    let mut m = Map::new();
    m.insert("CertificateArn".into(), json!(cert.arn));
    m.insert("DomainName".into(), json!(cert.domain_name));
    m.insert("SubjectAlternativeNameSummaries".into(), json!(cert.sans.iter().take(MAX_SANS).collect::<Vec<_>>()));
    m.insert("HasAdditionalSubjectAlternativeNames".into(), json!(cert.sans.len() > MAX_SANS));
    m.insert("Status".into(), json!(cert.status));
    m.insert("Type".into(), json!(cert.kind));
    m.insert("KeyAlgorithm".into(), json!(cert.key_algorithm));
    m.insert("KeyUsages".into(), json!(cert.key_usages));
    m.insert("ExtendedKeyUsages".into(), json!(cert.extended_key_usages));
    m.insert("InUse".into(), json!(cert.in_use));
    m.insert("RenewalEligibility".into(), json!(if cert.kind == "AMAZON_ISSUED" { "ELIGIBLE" } else { "INELIGIBLE" }));
    m.insert("CreatedAt".into(), seconds(cert.created_at));
    m.insert("NotBefore".into(), seconds(cert.not_before));
    m.insert("NotAfter".into(), seconds(cert.not_after));
    if let Some(t) = cert.issued_at {
        m.insert("IssuedAt".into(), seconds(t));
    }
    if let Some(t) = cert.imported_at {
        m.insert("ImportedAt".into(), seconds(t));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_from_the_command_line() {
        let spec: CertificateSpec =
            "domain=example.com,san=example.com,san=*.example.com,key=EC_prime256v1,issued=100".parse().expect("spec");
        assert_eq!(spec.subject_alternative_names, ["example.com", "*.example.com"]);
        assert_eq!(spec.key_algorithm.as_deref(), Some("EC_prime256v1"));
        assert_eq!(spec.issued_at, Some(100));
        assert!("domain=x,colour=red".parse::<CertificateSpec>().is_err());
        assert!("domain".parse::<CertificateSpec>().is_err());
    }

    #[test]
    fn usage_filters_admit_any() {
        let usages = vec!["DIGITAL_SIGNATURE".to_owned()];
        assert!(covers(&["ANY".to_owned()], &usages));
        assert!(covers(&["DIGITAL_SIGNATURE".to_owned()], &usages));
        assert!(!covers(&["CRL_SIGNING".to_owned()], &usages));
    }
}
