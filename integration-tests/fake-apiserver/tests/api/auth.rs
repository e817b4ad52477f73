use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use fake_apiserver::{EksAuth, FakeConfig, PolicyRule, start};
use serde_json::json;

use crate::client::{Client, MERGE};
use crate::{ROUTES, TOKEN, route};

/// 2024-01-15T12:00:00Z, the signing time of the tokens below.
const SIGNED_AT: u64 = 1_705_320_000;
const SIGNATURE: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn at(seconds_after_signing: i64) -> SystemTime {
    let base = UNIX_EPOCH + Duration::from_secs(SIGNED_AT);
    if seconds_after_signing >= 0 {
        base + Duration::from_secs(seconds_after_signing.unsigned_abs())
    } else {
        base - Duration::from_secs(seconds_after_signing.unsigned_abs())
    }
}

/// The query parameters of a presigned URL as `aws eks get-token` builds it (raw, already encoded).
fn params(date: &str) -> Vec<(String, String)> {
    [
        ("Action", "GetCallerIdentity"),
        ("Version", "2011-06-15"),
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
        ("X-Amz-Credential", &format!("ASIATEST%2F{}%2Fus-west-2%2Fsts%2Faws4_request", &date[..8])),
        ("X-Amz-Date", date),
        ("X-Amz-Expires", "60"),
        ("X-Amz-SignedHeaders", "host%3Bx-k8s-aws-id"),
        ("X-Amz-Security-Token", "IQoJb3JpZ2luX2VjE%2B%2Fabc~x%3D%3D"),
        ("X-Amz-Signature", SIGNATURE),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn url(host: &str, path: &str, params: &[(String, String)]) -> String {
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("https://{host}{path}?{}", query.join("&"))
}

fn token(url: &str) -> String {
    format!("k8s-aws-v1.{}", URL_SAFE_NO_PAD.encode(url))
}

fn valid_token(date: &str) -> String {
    token(&url("sts.us-west-2.amazonaws.com", "/", &params(date)))
}

fn with(date: &str, name: &str, value: Option<&str>) -> Vec<(String, String)> {
    let mut p = params(date);
    match value {
        Some(value) => match p.iter_mut().find(|(k, _)| k == name) {
            Some(entry) => entry.1 = value.to_string(),
            None => p.push((name.to_string(), value.to_string())),
        },
        None => p.retain(|(k, _)| k != name),
    }
    p
}

#[tokio::test]
async fn static_tokens_and_401s() {
    let api = start(FakeConfig::new().static_token(TOKEN).static_token("second")).await.expect("server");
    let c = Client::new(&api, TOKEN);
    assert_eq!(c.get("/api").await.status, 200);
    assert_eq!(c.with_token(Some("second")).get(ROUTES).await.status, 200);
    for (client, why) in
        [(c.with_token(None), "no Authorization header"), (c.with_token(Some("wrong")), "not one this server accepts")]
    {
        let r = client.get(ROUTES).await;
        assert_eq!(r.status, 401);
        assert_eq!((r.body["kind"].as_str(), r.body["reason"].as_str()), (Some("Status"), Some("Unauthorized")));
        assert_eq!(r.body["code"], 401);
        assert!(r.body["message"].as_str().is_some_and(|m| m.contains(why)), "{}", r.body);
    }
    let eks = c.with_token(Some(&valid_token("20240115T120000Z"))).get(ROUTES).await;
    assert_eq!(eks.status, 401, "EKS tokens need FakeConfig::eks");
    let tokens: Vec<Option<String>> = api.requests().into_iter().map(|r| r.token).collect();
    assert_eq!(tokens[..4], [Some(TOKEN.into()), Some("second".into()), None, Some("wrong".into())]);
    assert_eq!(api.requests()[2].status, 401);
}

#[tokio::test]
async fn eks_tokens_are_checked_and_expire() {
    let api = start(FakeConfig::new().eks(EksAuth::new("demo", at(300)))).await.expect("server");
    let c = Client::new(&api, "unused");
    let first = valid_token("20240115T120000Z");
    let ok = c.with_token(Some(&first)).get(ROUTES).await;
    assert_eq!(ok.status, 200, "{}", ok.body);

    api.set_now(at(15 * 60 + 1));
    let expired = c.with_token(Some(&first)).get(ROUTES).await;
    assert_eq!(expired.status, 401);
    assert!(expired.body["message"].as_str().is_some_and(|m| m.contains("expired")), "{}", expired.body);
    let refreshed = valid_token("20240115T121400Z");
    assert_eq!(c.with_token(Some(&refreshed)).get(ROUTES).await.status, 200);
    let used: Vec<(Option<String>, u16)> = api.requests().into_iter().map(|r| (r.token, r.status)).collect();
    assert_eq!(used, [(Some(first.clone()), 200), (Some(first), 401), (Some(refreshed), 200)]);

    let legacy = params("20240115T121400Z")
        .into_iter()
        .map(|(k, v)| if k == "X-Amz-Credential" { (k, v.replace("us-west-2", "us-east-1")) } else { (k, v) })
        .collect::<Vec<_>>();
    let global = c.with_token(Some(&token(&url("sts.amazonaws.com", "/", &legacy)))).get(ROUTES).await;
    assert_eq!(global.status, 200, "{}", global.body);
    let lower_case_names: Vec<(String, String)> =
        params("20240115T121400Z").into_iter().map(|(k, v)| (k.to_lowercase(), v)).collect();
    let lower =
        c.with_token(Some(&token(&url("sts.us-west-2.amazonaws.com", "/", &lower_case_names)))).get(ROUTES).await;
    assert_eq!(lower.status, 200, "parameter names are case-insensitive: {}", lower.body);
}

#[tokio::test]
async fn malformed_eks_tokens_are_rejected_with_a_reason() {
    let api = start(FakeConfig::new().eks(EksAuth::new("demo", at(60)))).await.expect("server");
    let c = Client::new(&api, "unused");
    let date = "20240115T120000Z";
    let good_url = url("sts.us-west-2.amazonaws.com", "/", &params(date));
    let padded = format!("k8s-aws-v1.{}", URL_SAFE.encode(format!("{good_url}&")));
    let standard_alphabet = format!("k8s-aws-v1.{}+/", URL_SAFE_NO_PAD.encode(&good_url));
    let mut long_params = params(date);
    long_params.iter_mut().for_each(|(k, v)| {
        if k == "X-Amz-Security-Token" {
            *v = "A".repeat(3100)
        }
    });
    let cases: Vec<(String, &str)> = vec![
        (format!("k8s-aws-v2.{}", URL_SAFE_NO_PAD.encode(&good_url)), "not one this server accepts"),
        (padded, "base64url without padding"),
        (standard_alphabet, "base64url without padding"),
        (token(&url("sts.us-west-2.amazonaws.com", "/", &long_params)), "too large"),
        (token(&good_url.replacen("https", "http", 1)), "unexpected scheme"),
        (token(&url("sts.example.com", "/", &params(date))), "unexpected hostname"),
        (token(&url("sts.us-west-2.amazonaws.com:443", "/", &params(date))), "unexpected hostname"),
        (token(&url("sts.us-west-2.amazonaws.com", "/x", &params(date))), "unexpected path"),
        (
            token(&url("sts.us-west-2.amazonaws.com", "/", &with(date, "X-Amz-User-Agent", Some("aws-cli")))),
            "non-whitelisted",
        ),
        (token(&format!("{good_url}&action=GetCallerIdentity")), "more than once"),
        (
            token(&url("sts.us-west-2.amazonaws.com", "/", &with(date, "Action", Some("GetSessionToken")))),
            "unexpected action",
        ),
        (
            token(&url("sts.us-west-2.amazonaws.com", "/", &with(date, "X-Amz-SignedHeaders", Some("host")))),
            "x-k8s-aws-id",
        ),
        (token(&url("sts.us-west-2.amazonaws.com", "/", &with(date, "X-Amz-Expires", Some("901")))), "X-Amz-Expires"),
        (token(&url("sts.us-west-2.amazonaws.com", "/", &with(date, "X-Amz-Expires", Some("-1")))), "X-Amz-Expires"),
        (token(&url("sts.us-west-2.amazonaws.com", "/", &with(date, "X-Amz-Date", None))), "X-Amz-Date"),
        (valid_token("20240115T120700Z"), "in the future"),
        (valid_token("20240115T114500Z"), "expired"),
        (
            token(&url("sts.us-west-2.amazonaws.com", "/", &with(date, "X-Amz-Signature", Some("abc")))),
            "64 lower-case hex",
        ),
        (token(&url("sts.us-west-2.amazonaws.com", "/", &with(date, "X-Amz-Signature", Some(&"g".repeat(64))))), "hex"),
        (token(&url("sts.eu-west-1.amazonaws.com", "/", &params(date))), "region"),
    ];
    for (bad, why) in cases {
        let r = c.with_token(Some(&bad)).get(ROUTES).await;
        assert_eq!(r.status, 401, "{why}: {}", r.body);
        assert_eq!(r.body["reason"], "Unauthorized");
        let message = r.body["message"].as_str().unwrap_or("");
        assert!(message.contains(why), "expected {why:?} in {message:?}");
    }
    let still_fine = c.with_token(Some(&valid_token("20240115T120400Z"))).get(ROUTES).await;
    assert_eq!(still_fine.status, 200, "{} in the future is within the skew", still_fine.body);
}

/// `aws eks get-token --cluster-name demo` with AKIDEXAMPLE at 2024-01-15T12:00:00Z, us-west-2.
const AWS_CLI_TOKEN: &str = "k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtd2VzdC0yLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BS0lERVhBTVBMRSUyRjIwMjQwMTE1JTJGdXMtd2VzdC0yJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyNDAxMTVUMTIwMDAwWiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9zdCUzQngtazhzLWF3cy1pZCZYLUFtei1TaWduYXR1cmU9ZmE3ZjE2OWI0NGU5YTRlNDcyYWIwNDNkNjk2ZjlhYjliOGY0OTQ2ZjkyYWZlMGIyM2Q2NDZhNmVkMTQ2ZDU5Yg";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

#[tokio::test]
async fn signatures_are_verified_for_known_keys() {
    let demo = start(FakeConfig::new().eks(EksAuth::new("demo", at(300)).with_secret_key("AKIDEXAMPLE", SECRET)))
        .await
        .expect("server");
    let ok = Client::new(&demo, AWS_CLI_TOKEN).get(ROUTES).await;
    assert_eq!(ok.status, 200, "{}", ok.body);

    let prod = start(FakeConfig::new().eks(EksAuth::new("prod", at(300)).with_secret_key("AKIDEXAMPLE", SECRET)))
        .await
        .expect("server");
    let other_cluster = Client::new(&prod, AWS_CLI_TOKEN).get(ROUTES).await;
    assert_eq!(other_cluster.status, 401);
    assert!(other_cluster.body["message"].as_str().is_some_and(|m| m.contains("signature does not match")));

    let other_key = start(FakeConfig::new().eks(EksAuth::new("demo", at(300)).with_secret_key("AKIDEXAMPLE", "other")))
        .await
        .expect("server");
    assert_eq!(Client::new(&other_key, AWS_CLI_TOKEN).get(ROUTES).await.status, 401);
}

#[tokio::test]
async fn rbac_rules_gate_resource_requests() {
    let rules = vec![
        PolicyRule::new(&["gateway.networking.k8s.io"], &["httproutes"], &["get", "list"]),
        PolicyRule::new(&["gateway.networking.k8s.io"], &["httproutes/status"], &["get", "patch", "update"]),
    ];
    let api = start(FakeConfig::new().static_token(TOKEN).rbac(rules)).await.expect("server");
    api.put(route("shop", "rates")).expect("put");
    let c = Client::new(&api, TOKEN);
    assert_eq!(c.get("/apis").await.status, 200, "discovery is always allowed");
    assert_eq!(c.get(ROUTES).await.status, 200);
    let status = c.patch(&format!("{ROUTES}/rates/status"), MERGE, &json!({"status": {"parents": []}})).await;
    assert_eq!(status.status, 200);
    let main = c.patch(&format!("{ROUTES}/rates"), MERGE, &json!({"metadata": {"annotations": {"a": "b"}}})).await;
    assert_eq!((main.status, main.body["reason"].as_str()), (403, Some("Forbidden")));
    assert_eq!(
        main.body["message"],
        "httproutes.gateway.networking.k8s.io \"rates\" is forbidden: User \"lattice-reconciler\" cannot patch \
         resource \"httproutes\" in API group \"gateway.networking.k8s.io\" in the namespace \"shop\""
    );
    let gateways = c.get("/apis/gateway.networking.k8s.io/v1/gateways").await;
    assert_eq!(gateways.status, 403);
    assert!(gateways.body["message"].as_str().is_some_and(|m| m.ends_with("at the cluster scope")));
    assert_eq!(api.writes_to(&format!("{ROUTES}/rates")).expect("path"), 1, "forbidden writes do not reach the object");
}

#[tokio::test]
async fn https_with_the_generated_ca_and_a_kubeconfig() {
    let api = start(FakeConfig::new().https().static_token(TOKEN)).await.expect("server");
    assert!(api.url().starts_with("https://127.0.0.1:"));
    let ca = api.ca_pem().expect("CA");
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
    let c = Client::new(&api, TOKEN);
    assert_eq!(c.get("/apis").await.status, 200);
    assert_eq!(c.post(ROUTES, &route("shop", "tls")).await.status, 201);

    let dir = std::env::temp_dir().join(format!("fake-apiserver-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = api.write_kubeconfig(dir.join("config"), TOKEN).expect("kubeconfig");
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(&format!("server: \"{}\"", api.url())));
    assert!(text.contains(&format!("certificate-authority-data: \"{}\"", STANDARD.encode(ca))));
    assert!(text.contains(&format!("token: \"{TOKEN}\"")));
    std::fs::remove_dir_all(&dir).expect("cleanup");

    let plain = start(FakeConfig::new().static_token(TOKEN)).await.expect("server");
    assert!(plain.url().starts_with("http://") && plain.ca_pem().is_none());
}
