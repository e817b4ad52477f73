//! EKS token authentication of a `Cluster::eks` client against the fake API server over HTTPS.

mod support;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use cluster::{Clock, Cluster, Error, StsEndpoint, TokenSource};
use fake_apiserver::{EksAuth, FakeConfig};
use serde_json::json;

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn tokens(cluster: &str) -> TokenSource {
    let provider = SharedCredentialsProvider::new(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "test"));
    TokenSource::new(provider, StsEndpoint::Regional("us-west-2".to_owned()), cluster)
}

/// A clock the test moves.
fn test_clock(start: SystemTime) -> (Arc<Mutex<SystemTime>>, Clock) {
    let now = Arc::new(Mutex::new(start));
    let reader = Arc::clone(&now);
    (now, Arc::new(move || *reader.lock().unwrap_or_else(PoisonError::into_inner)))
}

#[tokio::test]
async fn eks_tokens_are_accepted_and_replaced_after_the_refresh_interval() {
    let t0 = UNIX_EPOCH + Duration::from_secs(1_705_320_000);
    let eks = EksAuth::new("demo", t0).with_secret_key(ACCESS_KEY, SECRET_KEY);
    let api = fake_apiserver::start(FakeConfig::new().https().eks(eks)).await.expect("fake API server");
    api.put(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})).expect("namespace");
    let ca = api.ca_pem().expect("CA").as_bytes().to_vec();
    let (now, clock) = test_clock(t0);
    let cluster = Cluster::eks_with_clock(api.url(), &ca, tokens("demo"), clock).expect("client");

    let read = cluster.snapshot().await.expect("read with an EKS token over HTTPS");
    assert_eq!(read.snapshot.namespaces.len(), 1);
    let first: Vec<String> = api.requests().into_iter().filter_map(|r| r.token).collect();
    assert!(first.len() > 10 && first.iter().all(|t| t == &first[0]), "one cached token for every request");
    assert!(first[0].starts_with("k8s-aws-v1."));

    // Nine minutes on, the same token is still sent; eleven minutes on, a new one.
    *now.lock().expect("clock") = t0 + Duration::from_secs(9 * 60);
    api.set_now(t0 + Duration::from_secs(9 * 60));
    api.clear_requests();
    cluster.snapshot().await.expect("read at nine minutes");
    assert!(api.requests().iter().all(|r| r.token.as_ref() == Some(&first[0])));

    *now.lock().expect("clock") = t0 + Duration::from_secs(11 * 60);
    api.set_now(t0 + Duration::from_secs(11 * 60));
    api.clear_requests();
    cluster.snapshot().await.expect("read at eleven minutes");
    let later: Vec<String> = api.requests().into_iter().filter_map(|r| r.token).collect();
    assert!(!later.is_empty() && later.iter().all(|t| t == &later[0]));
    assert_ne!(later[0], first[0], "the token was minted again");
    assert!(api.requests().iter().all(|r| r.status != 401));

    // The first token is no longer accepted sixteen minutes after it was signed: refreshing matters.
    api.set_now(t0 + Duration::from_secs(16 * 60));
    let (_, stale_clock) = test_clock(t0);
    let stale = Cluster::eks_with_clock(api.url(), &ca, tokens("demo"), stale_clock).expect("client");
    let err = stale.snapshot().await.expect_err("expired token");
    assert!(matches!(err, Error::Discover { .. } | Error::List { .. }), "{err:?}");
}

#[tokio::test]
async fn a_token_for_another_cluster_is_refused() {
    let now = SystemTime::now();
    let eks = EksAuth::new("demo", now).with_secret_key(ACCESS_KEY, SECRET_KEY);
    let api = fake_apiserver::start(FakeConfig::new().https().eks(eks)).await.expect("fake API server");
    let ca = api.ca_pem().expect("CA").as_bytes().to_vec();
    let cluster = Cluster::eks(api.url(), &ca, tokens("other")).expect("client");
    let err = cluster.snapshot().await.expect_err("wrong cluster");
    assert!(format!("{:?}", err).contains("401"), "{err:?}");
    assert!(api.requests().iter().all(|r| r.status == 401));
}

#[tokio::test]
async fn a_server_whose_certificate_is_not_signed_by_the_ca_is_refused() {
    let eks = EksAuth::new("demo", SystemTime::now());
    let api = fake_apiserver::start(FakeConfig::new().https().eks(eks)).await.expect("fake API server");
    let other = fake_apiserver::start(FakeConfig::new().https()).await.expect("another server");
    let wrong_ca = other.ca_pem().expect("CA").as_bytes().to_vec();
    let cluster = Cluster::eks(api.url(), &wrong_ca, tokens("demo")).expect("client");
    assert!(cluster.snapshot().await.is_err());
    assert!(api.requests().is_empty(), "no request got through the TLS handshake");
}

#[tokio::test]
async fn reliability_a_refused_token_is_minted_again_and_the_read_succeeds() {
    // The API server's clock runs seven minutes ahead: at nine minutes by our clock the cached
    // token still looks fresh here, but the server sees it sixteen minutes old and answers 401.
    let t0 = UNIX_EPOCH + Duration::from_secs(1_705_320_000);
    let eks = EksAuth::new("demo", t0).with_secret_key(ACCESS_KEY, SECRET_KEY);
    let api = fake_apiserver::start(FakeConfig::new().https().eks(eks)).await.expect("fake API server");
    api.put(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})).expect("namespace");
    let ca = api.ca_pem().expect("CA").as_bytes().to_vec();
    let (now, clock) = test_clock(t0);
    let cluster = Cluster::eks_with_clock(api.url(), &ca, tokens("demo"), clock).expect("client");
    cluster.snapshot().await.expect("first read");
    let first = api.requests()[0].token.clone().expect("a token");

    *now.lock().expect("clock") = t0 + Duration::from_secs(9 * 60);
    api.set_now(t0 + Duration::from_secs(16 * 60));
    api.clear_requests();
    let read = cluster.snapshot().await.expect("the read succeeds after one refused token");
    assert_eq!(read.snapshot.namespaces.len(), 1);
    let requests = api.requests();
    let refused: Vec<_> = requests.iter().filter(|r| r.status == 401).collect();
    assert_eq!(refused.len(), 1, "one request is refused, then the token is minted again");
    assert_eq!(refused[0].token.as_ref(), Some(&first));
    assert_eq!(requests[1].path, refused[0].path, "the refused request is sent again");
    let later: Vec<&String> = requests.iter().skip(1).filter_map(|r| r.token.as_ref()).collect();
    assert!(later.iter().all(|t| **t != first), "every later request carries the new token");
    assert!(requests.iter().skip(1).all(|r| r.status != 401));
    reliability::record(
        "kubernetes-expired-token",
        &format!(
            "1 request refused (401), sent again with a new token; {} requests after it succeeded",
            requests.len() - 1
        ),
    );
}
