//! `latticectl token` through the real binary: the token is the one `cluster::eks_token` mints for
//! the same credentials, region, cluster and time, and the ExecCredential follows kubectl's request.

use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use base64::Engine;
use cluster::{StsEndpoint, eks_token};
use serde_json::Value;

const KEY: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn token(envs: &[(&str, &str)]) -> Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_latticectl"));
    cmd.args(["token", "--cluster", "demo", "--region", "us-west-2"])
        .env("AWS_ACCESS_KEY_ID", KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("KUBERNETES_EXEC_INFO")
        .env_remove("AWS_STS_REGIONAL_ENDPOINTS")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("latticectl runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("ExecCredential JSON")
}

/// The presigned URL inside a token, and its signing time.
fn decode(token: &str) -> (String, u64) {
    let encoded = token.strip_prefix("k8s-aws-v1.").expect("prefix");
    let url = String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded).expect("base64url"))
        .expect("utf-8");
    let date = url.split("X-Amz-Date=").nth(1).and_then(|r| r.get(..16)).expect("X-Amz-Date");
    let t = k8s_openapi::jiff::civil::DateTime::strptime("%Y%m%dT%H%M%SZ", date).expect("date");
    let seconds = t.to_zoned(k8s_openapi::jiff::tz::TimeZone::UTC).expect("utc").timestamp().as_second();
    (url, u64::try_from(seconds).expect("after 1970"))
}

#[test]
fn the_binary_mints_the_same_token_as_the_library() {
    let doc = token(&[]);
    assert_eq!(doc["kind"], "ExecCredential");
    assert_eq!(doc["apiVersion"], "client.authentication.k8s.io/v1beta1");
    let token = doc["status"]["token"].as_str().expect("token");
    let (url, signed_at) = decode(token);
    assert!(
        url.starts_with("https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&"),
        "{url}"
    );
    let credentials = Credentials::new(KEY, SECRET, None, None, "test");
    let at = UNIX_EPOCH + Duration::from_secs(signed_at);
    let expected = eks_token(&credentials, StsEndpoint::Regional("us-west-2".into()), "demo", at).expect("token");
    assert_eq!(token, expected);
}

#[test]
fn kubectl_exec_info_and_legacy_sts_are_honoured() {
    let v1 = r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#;
    let doc = token(&[("KUBERNETES_EXEC_INFO", v1), ("AWS_STS_REGIONAL_ENDPOINTS", "legacy")]);
    assert_eq!(doc["apiVersion"], "client.authentication.k8s.io/v1");
    let (url, _) = decode(doc["status"]["token"].as_str().expect("token"));
    assert!(url.starts_with("https://sts.amazonaws.com/"), "{url}");
}
