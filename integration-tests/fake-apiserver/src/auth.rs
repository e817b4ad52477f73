//! Bearer token authentication: static tokens, and EKS tokens checked the way the EKS authenticator and
//! STS would check them, short of calling STS.

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::config::EksAuth;
use crate::sigv4::{self, Presigned};
use crate::timefmt::parse_amz_date;

/// The prefix of an EKS token.
pub(crate) const EKS_PREFIX: &str = "k8s-aws-v1.";
/// The largest token the EKS authenticator accepts.
const MAX_TOKEN_BYTES: usize = 4096;
/// A presigned `GetCallerIdentity` URL is valid this long after `X-Amz-Date`, whatever `X-Amz-Expires` says.
const PRESIGNED_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// How far in the future `X-Amz-Date` may be (clock skew).
const MAX_FUTURE_SKEW: Duration = Duration::from_secs(5 * 60);
/// The only query parameters the EKS authenticator allows, lower case.
const ALLOWED_PARAMS: [&str; 9] = [
    "action",
    "version",
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-expires",
    "x-amz-security-token",
    "x-amz-signature",
    "x-amz-signedheaders",
];

/// Checks the `Authorization` header and returns the bearer token, or says why it is not accepted.
pub(crate) fn authenticate(
    header: Option<&str>,
    static_tokens: &[String],
    eks: Option<&EksAuth>,
    now: SystemTime,
) -> Result<String, String> {
    let header = header.ok_or("no Authorization header: every request needs a bearer token")?;
    let token = match header.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => return Err("the Authorization header is not a bearer token".into()),
    };
    if static_tokens.iter().any(|t| t == token) {
        return Ok(token.to_string());
    }
    if token.starts_with(EKS_PREFIX) {
        let eks = eks.ok_or("EKS tokens are not accepted by this server")?;
        verify_eks_token(token, eks, now).map_err(|reason| format!("invalid EKS token: {reason}"))?;
        return Ok(token.to_string());
    }
    Err("the bearer token is not one this server accepts".into())
}

/// The region an STS host serves, if it is an STS host of the `aws` or `aws-cn` partition.
fn sts_region(host: &str) -> Option<&str> {
    if host == "sts.amazonaws.com" {
        return Some("us-east-1");
    }
    let rest = host.strip_prefix("sts.")?;
    let region = rest.strip_suffix(".amazonaws.com").or_else(|| rest.strip_suffix(".amazonaws.com.cn"))?;
    let parts: Vec<&str> = region.split('-').collect();
    let well_formed = parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| !p.is_empty())
        && parts[..parts.len() - 1].iter().all(|p| p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit());
    well_formed.then_some(region)
}

/// Decodes a query component as Go's `url.QueryUnescape` does (`+` is a space).
fn query_unescape(s: &str) -> Result<String, String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.next().and_then(|c| (c as char).to_digit(16));
                let lo = bytes.next().and_then(|c| (c as char).to_digit(16));
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(u8::try_from(hi * 16 + lo).map_err(|e| e.to_string())?),
                    _ => return Err(format!("invalid percent-encoding in {s:?}")),
                }
            }
            _ => out.push(b),
        }
    }
    String::from_utf8(out).map_err(|_| format!("{s:?} does not decode to UTF-8"))
}

fn parse_query(query: &str) -> Result<Vec<(String, String)>, String> {
    let mut params = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        if pair.contains(';') {
            return Err("malformed query parameter: invalid semicolon separator".into());
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        params.push((query_unescape(k)?, query_unescape(v)?));
    }
    Ok(params)
}

/// Checks an EKS token for form, host, parameters and time; verifies the signature when the key is known.
pub(crate) fn verify_eks_token(token: &str, eks: &EksAuth, now: SystemTime) -> Result<(), String> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(format!("token is too large ({} bytes; at most {MAX_TOKEN_BYTES})", token.len()));
    }
    let encoded = token.strip_prefix(EKS_PREFIX).ok_or(format!("token is missing expected {EKS_PREFIX:?} prefix"))?;
    let decoded =
        URL_SAFE_NO_PAD.decode(encoded).map_err(|e| format!("token is not base64url without padding: {e}"))?;
    let url = String::from_utf8(decoded).map_err(|_| "token does not decode to a UTF-8 URL".to_string())?;
    let (scheme, rest) = url.split_once("://").ok_or("token does not decode to a URL")?;
    if !scheme.eq_ignore_ascii_case("https") {
        return Err(format!("unexpected scheme {scheme:?} in pre-signed URL"));
    }
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let host_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (host, path_and_query) = rest.split_at(host_end);
    let host_region = sts_region(host).ok_or(format!("unexpected hostname {host:?} in pre-signed URL"))?;
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    if path != "/" {
        return Err(format!("unexpected path {path:?} in pre-signed URL"));
    }
    let params = parse_query(query)?;
    let mut lower: Vec<(String, &str)> = Vec::new();
    for (key, value) in &params {
        let key_lower = key.to_ascii_lowercase();
        if !ALLOWED_PARAMS.contains(&key_lower.as_str()) {
            return Err(format!("non-whitelisted query parameter {key:?}"));
        }
        if lower.iter().any(|(k, _)| *k == key_lower) {
            return Err(format!("query parameter {key:?} appears more than once"));
        }
        lower.push((key_lower, value));
    }
    let get = |name: &str| lower.iter().find(|(k, _)| k == name).map(|(_, v)| *v);
    if get("action") != Some("GetCallerIdentity") {
        return Err("unexpected action parameter in pre-signed URL (must be GetCallerIdentity)".into());
    }
    let signed_headers: Vec<&str> = get("x-amz-signedheaders").unwrap_or("").split(';').collect();
    if !signed_headers.contains(&"x-k8s-aws-id") {
        return Err("client did not sign the x-k8s-aws-id header in the pre-signed URL".into());
    }
    if !signed_headers.contains(&"host") {
        return Err("the host header is not signed (STS rejects the URL)".into());
    }
    let expires = get("x-amz-expires").unwrap_or("");
    match expires.parse::<i64>() {
        Ok(e) if (0..=900).contains(&e) => {}
        _ => return Err(format!("invalid X-Amz-Expires parameter in pre-signed URL: {expires:?} (0 to 900)")),
    }
    let amz_date = get("x-amz-date").ok_or("X-Amz-Date parameter must be present in pre-signed URL")?;
    let signed_at =
        parse_amz_date(amz_date).ok_or(format!("X-Amz-Date {amz_date:?} is not in the format yyyymmddTHHMMSSZ"))?;
    if now > signed_at + PRESIGNED_LIFETIME {
        return Err(format!("X-Amz-Date parameter is expired (15 minute expiration) {amz_date}"));
    }
    if signed_at > now + MAX_FUTURE_SKEW {
        return Err(format!("X-Amz-Date {amz_date} is in the future (more than 5 minutes ahead of the server)"));
    }
    if get("x-amz-algorithm") != Some("AWS4-HMAC-SHA256") {
        return Err("X-Amz-Algorithm must be AWS4-HMAC-SHA256".into());
    }
    let credential = get("x-amz-credential").ok_or("X-Amz-Credential parameter must be present")?;
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key, date, region, service, terminator] = parts[..] else {
        return Err(format!("X-Amz-Credential {credential:?} is not <key>/<date>/<region>/sts/aws4_request"));
    };
    if access_key.is_empty() || service != "sts" || terminator != "aws4_request" {
        return Err(format!("X-Amz-Credential {credential:?} is not <key>/<date>/<region>/sts/aws4_request"));
    }
    if !amz_date.starts_with(date) || date.len() != 8 {
        return Err(format!("credential date {date:?} does not match X-Amz-Date {amz_date:?}"));
    }
    if region != host_region {
        return Err(format!("credential region {region:?} does not match the STS host {host:?}"));
    }
    let signature = get("x-amz-signature").unwrap_or("");
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err("X-Amz-Signature is not 64 lower-case hex digits".into());
    }
    if let Some(secret) = eks.secret_keys.get(access_key) {
        let presigned = Presigned {
            host,
            params: &params,
            amz_date,
            scope: [date, region, service],
            signed_headers: &signed_headers,
            signature,
        };
        sigv4::verify(&presigned, &eks.cluster_name, secret)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_sts_hosts() {
        assert_eq!(sts_region("sts.amazonaws.com"), Some("us-east-1"));
        assert_eq!(sts_region("sts.us-west-2.amazonaws.com"), Some("us-west-2"));
        assert_eq!(sts_region("sts.us-gov-west-1.amazonaws.com"), Some("us-gov-west-1"));
        assert_eq!(sts_region("sts.cn-north-1.amazonaws.com.cn"), Some("cn-north-1"));
        for host in ["sts.amazonaws.com:443", "sts.evil.com", "evil.us-west-2.amazonaws.com", "sts.us.amazonaws.com"] {
            assert_eq!(sts_region(host), None, "{host}");
        }
    }

    #[test]
    fn unescapes_like_go() {
        assert_eq!(query_unescape("a%2Fb+c").as_deref(), Ok("a/b c"));
        assert!(query_unescape("%zz").is_err());
        assert!(parse_query("a=1;b=2").is_err());
        assert_eq!(parse_query("a=1&&b").expect("parses"), vec![("a".into(), "1".into()), ("b".into(), "".into())]);
    }

    #[test]
    fn static_tokens_and_header_forms() {
        let tokens = vec!["secret".to_string()];
        let now = SystemTime::now();
        assert_eq!(authenticate(Some("Bearer secret"), &tokens, None, now).as_deref(), Ok("secret"));
        assert_eq!(authenticate(Some("bearer secret"), &tokens, None, now).as_deref(), Ok("secret"));
        assert!(authenticate(None, &tokens, None, now).is_err());
        assert!(authenticate(Some("Basic c2VjcmV0"), &tokens, None, now).is_err());
        assert!(authenticate(Some("Bearer other"), &tokens, None, now).is_err());
        let eks = authenticate(Some("Bearer k8s-aws-v1.abc"), &tokens, None, now);
        assert_eq!(eks, Err("EKS tokens are not accepted by this server".into()));
    }
}
