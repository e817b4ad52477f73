//! Golden vectors: tokens printed by `aws eks get-token` (awscli 1.45.11, botocore 1.43.11) under a frozen clock,
//! committed so this test needs neither awscli nor a network.
//!
//! Regenerate one with (no network is used; `unshare -n` proves it):
//! `TZ=UTC AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… [AWS_SESSION_TOKEN=…] [AWS_STS_REGIONAL_ENDPOINTS=legacy]
//! unshare -n faketime -f '2024-01-15 12:00:00' aws eks get-token --region R --cluster-name C`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cluster::{ExecCredential, StsEndpoint, eks_token};

/// 2024-01-15 12:00:00 UTC.
const SIGNED_AT: u64 = 1_705_320_000;
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// A: us-west-2, regional STS, cluster `demo`, static credentials `AKIDEXAMPLE`.
const TOKEN_A: &str = "k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtd2VzdC0yLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BS0lERVhBTVBMRSUyRjIwMjQwMTE1JTJGdXMtd2VzdC0yJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyNDAxMTVUMTIwMDAwWiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9zdCUzQngtazhzLWF3cy1pZCZYLUFtei1TaWduYXR1cmU9ZmE3ZjE2OWI0NGU5YTRlNDcyYWIwNDNkNjk2ZjlhYjliOGY0OTQ2ZjkyYWZlMGIyM2Q2NDZhNmVkMTQ2ZDU5Yg";
const URL_A: &str = "https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240115%2Fus-west-2%2Fsts%2Faws4_request&X-Amz-Date=20240115T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature=fa7f169b44e9a4e472ab043d696f9ab9b8f4946f92afe0b23d646a6ed146d59b";
/// The full `ExecCredential` awscli printed for A (re-serialized without indentation).
const EXEC_CREDENTIAL_A: &str = r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{},"status":{"expirationTimestamp":"2024-01-15T12:14:00Z","token":"k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtd2VzdC0yLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BS0lERVhBTVBMRSUyRjIwMjQwMTE1JTJGdXMtd2VzdC0yJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyNDAxMTVUMTIwMDAwWiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9zdCUzQngtazhzLWF3cy1pZCZYLUFtei1TaWduYXR1cmU9ZmE3ZjE2OWI0NGU5YTRlNDcyYWIwNDNkNjk2ZjlhYjliOGY0OTQ2ZjkyYWZlMGIyM2Q2NDZhNmVkMTQ2ZDU5Yg"}}"#;

/// B: as A with `AWS_STS_REGIONAL_ENDPOINTS=legacy`: global host, us-east-1 scope. Contains `_` (base64url).
const TOKEN_B: &str = "k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9uPUdldENhbGxlcklkZW50aXR5JlZlcnNpb249MjAxMS0wNi0xNSZYLUFtei1BbGdvcml0aG09QVdTNC1ITUFDLVNIQTI1NiZYLUFtei1DcmVkZW50aWFsPUFLSURFWEFNUExFJTJGMjAyNDAxMTUlMkZ1cy1lYXN0LTElMkZzdHMlMkZhd3M0X3JlcXVlc3QmWC1BbXotRGF0ZT0yMDI0MDExNVQxMjAwMDBaJlgtQW16LUV4cGlyZXM9NjAmWC1BbXotU2lnbmVkSGVhZGVycz1ob3N0JTNCeC1rOHMtYXdzLWlkJlgtQW16LVNpZ25hdHVyZT0zMDNmYjg2YmNjMWYzN2JmZmM4NmIyYzIwMGU1ZTMwODRlYWRiMzAzMmUxNmEwMTVkYmI3MDg5YmRmYzQwMTU2";

/// C: eu-central-1, regional STS, cluster `prod-1`, `ASIAEXAMPLE` with a session token that needs escaping.
const TOKEN_C: &str = "k8s-aws-v1.aHR0cHM6Ly9zdHMuZXUtY2VudHJhbC0xLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BU0lBRVhBTVBMRSUyRjIwMjQwMTE1JTJGZXUtY2VudHJhbC0xJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyNDAxMTVUMTIwMDAwWiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9zdCUzQngtazhzLWF3cy1pZCZYLUFtei1TZWN1cml0eS1Ub2tlbj1JUW9KYjNKcFoybHVYMlZqRSUyQiUyRmFiY354JTNEJTNEJlgtQW16LVNpZ25hdHVyZT1jYTAzNzNmMWE2OGRlNTA4ZjY1MGNiNWM4ZGJjMmI0OWNlOGE3M2ZjYzQ3Y2FmZjNiYzk0OTgxZGZmZjEwODBk";
const SESSION_TOKEN_C: &str = "IQoJb3JpZ2luX2VjE+/abc~x==";
const QUERY_TAIL_C: &str = "&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Security-Token=IQoJb3JpZ2luX2VjE%2B%2Fabc~x%3D%3D&X-Amz-Signature=ca0373f1a68de508f650cb5c8dbc2b49ce8a73fcc47caff3bc94981dfff1080d";

fn signed_at() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(SIGNED_AT)
}

fn decode(token: &str) -> String {
    let payload = token.strip_prefix("k8s-aws-v1.").expect("prefix");
    String::from_utf8(URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("utf-8")
}

#[test]
fn vector_a_regional_static_credentials() {
    let credentials = Credentials::new("AKIDEXAMPLE", SECRET, None, None, "test");
    let token =
        eks_token(&credentials, StsEndpoint::Regional("us-west-2".to_owned()), "demo", signed_at()).expect("token A");
    assert_eq!(token, TOKEN_A);
    assert_eq!(decode(&token), URL_A);

    let exec = ExecCredential::new(token, signed_at(), None).expect("exec credential");
    assert_eq!(serde_json::to_string(&exec).expect("json"), EXEC_CREDENTIAL_A);
}

#[test]
fn vector_b_global_endpoint() {
    let credentials = Credentials::new("AKIDEXAMPLE", SECRET, None, None, "test");
    let token = eks_token(&credentials, StsEndpoint::Global, "demo", signed_at()).expect("token B");
    assert_eq!(token, TOKEN_B);
    assert!(token.contains('_'), "base64url alphabet");
    assert!(decode(&token).starts_with("https://sts.amazonaws.com/?Action=GetCallerIdentity&"));
    assert!(decode(&token).contains("%2Fus-east-1%2Fsts%2Faws4_request&"));
}

#[test]
fn vector_c_session_token_in_botocore_order() {
    let credentials = Credentials::new("ASIAEXAMPLE", SECRET, Some(SESSION_TOKEN_C.to_owned()), None, "test");
    let token = eks_token(&credentials, StsEndpoint::Regional("eu-central-1".to_owned()), "prod-1", signed_at())
        .expect("token C");
    assert_eq!(token, TOKEN_C);
    assert!(decode(&token).ends_with(QUERY_TAIL_C));
}

#[test]
fn sub_second_times_sign_as_the_whole_second() {
    let credentials = Credentials::new("AKIDEXAMPLE", SECRET, None, None, "test");
    let now = signed_at() + Duration::from_millis(999);
    let token = eks_token(&credentials, StsEndpoint::Regional("us-west-2".to_owned()), "demo", now).expect("token");
    assert_eq!(token, TOKEN_A);
}
