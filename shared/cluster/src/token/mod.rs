//! EKS bearer tokens: a presigned STS `GetCallerIdentity` URL, base64url-encoded behind `k8s-aws-v1.`.
//!
//! The API server (aws-iam-authenticator) decodes the URL, checks that it only carries the expected query
//! parameters, that `x-k8s-aws-id` is a signed header and that `X-Amz-Date` is less than 15 minutes old, then
//! replays it against STS with `x-k8s-aws-id: <its cluster name>` added. Minting is pure computation: no network.
//!
//! [`eks_token`] reproduces `aws eks get-token` byte for byte, including botocore's query parameter order.

mod exec;
mod source;

use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::{BoxError, Error};

pub use exec::{EXEC_CREDENTIAL_LIFETIME, ExecApiVersion, ExecCredential};
pub use source::{TOKEN_REFRESH_AGE, TokenSource};

/// Prefix of every EKS token.
pub const TOKEN_PREFIX: &str = "k8s-aws-v1.";

/// Header whose value (the cluster name) is signed into the token but never sent by the client.
pub const CLUSTER_ID_HEADER: &str = "x-k8s-aws-id";

/// `X-Amz-Expires` of the presigned URL. STS accepts the URL for 15 minutes whatever this says; 60 is what
/// awscli and aws-iam-authenticator send.
pub const PRESIGNED_URL_EXPIRES: Duration = Duration::from_secs(60);

/// Region whose signing scope the global STS endpoint uses.
const GLOBAL_STS_REGION: &str = "us-east-1";

/// Query parameters the signer may return, in the order botocore writes them. The API server rejects a token
/// with any other parameter, so an unknown one is an error rather than appended.
const SIGNED_QUERY_ORDER: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Security-Token",
    "X-Amz-Signature",
];

/// RFC 3986 unreserved characters stay as they are; everything else is percent-encoded (as botocore does).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Latest instant the signer and the RFC 3339 formatter both handle (start of year 10000, in Unix seconds).
const MAX_EPOCH_SECONDS: u64 = 253_402_300_800;

/// Which STS endpoint the presigned URL names; the API server accepts every STS host of its partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StsEndpoint {
    /// `sts.<region>.amazonaws.com` (`sts.<region>.amazonaws.com.cn` for `cn-` regions), signed for that
    /// region. What awscli uses by default, and the right choice in Lambda (`AWS_REGION`).
    Regional(String),
    /// `sts.amazonaws.com`, signed for `us-east-1`: what awscli uses with `AWS_STS_REGIONAL_ENDPOINTS=legacy`
    /// in the regions that had no regional STS endpoint originally (botocore keeps newer regions, China and
    /// GovCloud regional even then).
    Global,
}

/// Regions whose STS calls botocore sends to the global endpoint when
/// `AWS_STS_REGIONAL_ENDPOINTS=legacy` (the regions that existed before regional STS endpoints).
const LEGACY_GLOBAL_REGIONS: [&str; 16] = [
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

impl StsEndpoint {
    /// The endpoint awscli uses for `region`: regional, unless `legacy` (the value `legacy` of
    /// `AWS_STS_REGIONAL_ENDPOINTS`) and the region is one of the original ones.
    pub fn for_region(region: &str, legacy: bool) -> Self {
        if legacy && LEGACY_GLOBAL_REGIONS.contains(&region) { Self::Global } else { Self::Regional(region.to_owned()) }
    }

    /// Host name of the endpoint; fails when the region could not be part of a host name.
    pub fn host(&self) -> Result<String, Error> {
        match self {
            StsEndpoint::Global => Ok("sts.amazonaws.com".to_owned()),
            StsEndpoint::Regional(region) => {
                let valid = !region.is_empty()
                    && !region.starts_with('-')
                    && !region.ends_with('-')
                    && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                if !valid {
                    return Err(Error::ResolveStsEndpoint { region: region.clone() });
                }
                let domain = if region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" };
                Ok(format!("sts.{region}.{domain}"))
            }
        }
    }

    /// Region of the SigV4 credential scope.
    pub fn signing_region(&self) -> &str {
        match self {
            StsEndpoint::Global => GLOBAL_STS_REGION,
            StsEndpoint::Regional(region) => region,
        }
    }
}

/// Mints the bearer token for `cluster` from `credentials`, as signed at `now`.
///
/// The result equals `aws eks get-token --cluster-name <cluster>` run at `now` (to the second) with the same
/// credentials and STS endpoint. The API server accepts it until `now` + 15 minutes (by its own clock).
pub fn eks_token(credentials: &Credentials, sts: StsEndpoint, cluster: &str, now: SystemTime) -> Result<String, Error> {
    let sign_error = |source: BoxError| Error::SignToken { cluster: cluster.to_owned(), source };

    let base_url = format!("https://{}/?Action=GetCallerIdentity&Version=2011-06-15", sts.host()?);
    epoch_seconds(now).map_err(sign_error)?;

    let identity = Identity::from(credentials.clone());
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(PRESIGNED_URL_EXPIRES);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(sts.signing_region())
        .name("sts")
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| sign_error(e.into()))?
        .into();
    // `host` is signed from the URL; the cluster header is signed but never sent.
    let request =
        SignableRequest::new("GET", &base_url, std::iter::once((CLUSTER_ID_HEADER, cluster)), SignableBody::Bytes(&[]))
            .map_err(|e| sign_error(e.into()))?;
    let (instructions, _signature) = sign(request, &params).map_err(|e| sign_error(e.into()))?.into_parts();
    let (_headers, query) = instructions.into_parts();

    let url = presigned_url(base_url, &query).map_err(sign_error)?;
    Ok(format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(url)))
}

/// Appends the signer's query parameters to `base_url` in botocore's order.
fn presigned_url(mut base_url: String, query: &[(&str, Cow<'_, str>)]) -> Result<String, BoxError> {
    if let Some((name, _)) = query.iter().find(|(name, _)| !SIGNED_QUERY_ORDER.contains(name)) {
        return Err(format!("the signer returned the unexpected query parameter {name}").into());
    }
    for name in SIGNED_QUERY_ORDER {
        let mut values = query.iter().filter(|(n, _)| *n == name);
        match (values.next(), values.next()) {
            (Some((_, value)), None) => {
                base_url.push('&');
                base_url.push_str(name);
                base_url.push('=');
                base_url.extend(utf8_percent_encode(value, QUERY_VALUE));
            }
            (None, _) if name == "X-Amz-Security-Token" => {}
            (None, _) => return Err(format!("the signer returned no {name} query parameter").into()),
            (Some(_), Some(_)) => return Err(format!("the signer returned {name} more than once").into()),
        }
    }
    Ok(base_url)
}

/// Seconds since the Unix epoch, for times the token format can carry (years 1970 to 9999).
fn epoch_seconds(time: SystemTime) -> Result<u64, BoxError> {
    let seconds = time.duration_since(UNIX_EPOCH)?.as_secs();
    if seconds >= MAX_EPOCH_SECONDS {
        return Err(format!("{seconds} seconds after the Unix epoch is past the year 9999").into());
    }
    Ok(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn decode(token: &str) -> String {
        let payload = token.strip_prefix(TOKEN_PREFIX).expect("token prefix");
        String::from_utf8(URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("utf-8 url")
    }

    #[test]
    fn hosts_follow_the_partition() {
        let host = |region: &str| StsEndpoint::Regional(region.to_owned()).host().expect("valid region");
        assert_eq!(host("us-west-2"), "sts.us-west-2.amazonaws.com");
        assert_eq!(host("cn-northwest-1"), "sts.cn-northwest-1.amazonaws.com.cn");
        assert_eq!(host("us-gov-west-1"), "sts.us-gov-west-1.amazonaws.com");
        assert_eq!(StsEndpoint::Global.host().expect("global"), "sts.amazonaws.com");
        assert_eq!(StsEndpoint::Global.signing_region(), "us-east-1");
    }

    #[test]
    fn regions_that_cannot_be_hosts_are_rejected() {
        for region in ["", "US-WEST-2", "us-west-2.example.com", "us west", "-us", "eu-", "a/b"] {
            let err = StsEndpoint::Regional(region.to_owned()).host().expect_err(region);
            assert!(matches!(err, Error::ResolveStsEndpoint { .. }), "{region}: {err:?}");
            let creds = Credentials::new("AKID", "secret", None, None, "test");
            let err = eks_token(&creds, StsEndpoint::Regional(region.to_owned()), "demo", at(1_705_320_000));
            assert!(matches!(err, Err(Error::ResolveStsEndpoint { .. })), "{region}");
        }
    }

    #[test]
    fn token_has_only_the_parameters_the_api_server_allows() {
        let creds = Credentials::new("ASIAEXAMPLE", "secret", Some("tok+/=".to_owned()), None, "test");
        let url = decode(&eks_token(&creds, StsEndpoint::Global, "demo", at(1_705_320_000)).expect("token"));
        let (origin, query) = url.split_once("/?").expect("query");
        assert_eq!(origin, "https://sts.amazonaws.com");
        let names: Vec<&str> = query.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, _)| k).collect();
        assert_eq!(names[..2], ["Action", "Version"]);
        assert_eq!(names[2..], SIGNED_QUERY_ORDER);
        assert!(query.contains("&X-Amz-Expires=60&"));
        assert!(query.contains("&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&"));
        assert!(query.contains("&X-Amz-Security-Token=tok%2B%2F%3D&"));
    }

    #[test]
    fn unrepresentable_times_are_errors() {
        let creds = Credentials::new("AKID", "secret", None, None, "test");
        let before_epoch = UNIX_EPOCH - Duration::from_secs(1);
        for now in [before_epoch, at(MAX_EPOCH_SECONDS)] {
            let err = eks_token(&creds, StsEndpoint::Global, "demo", now).expect_err("out of range");
            assert!(matches!(err, Error::SignToken { ref cluster, .. } if cluster == "demo"), "{err:?}");
        }
        assert!(eks_token(&creds, StsEndpoint::Global, "demo", at(MAX_EPOCH_SECONDS - 1)).is_ok());
    }

    #[test]
    fn unexpected_signer_output_is_an_error() {
        let base = "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15".to_owned();
        let full: Vec<(&str, Cow<'_, str>)> =
            SIGNED_QUERY_ORDER.iter().map(|name| (*name, Cow::Borrowed("v"))).collect();
        assert!(presigned_url(base.clone(), &full).is_ok());
        let mut extra = full.clone();
        extra.push(("X-Amz-User-Agent", Cow::Borrowed("v")));
        assert!(presigned_url(base.clone(), &extra).is_err());
        let mut doubled = full.clone();
        doubled.push(("X-Amz-Date", Cow::Borrowed("v")));
        assert!(presigned_url(base.clone(), &doubled).is_err());
        let unsigned: Vec<_> = full.into_iter().filter(|(name, _)| *name != "X-Amz-Signature").collect();
        assert!(presigned_url(base, &unsigned).is_err());
    }
}
