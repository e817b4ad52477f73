//! Shared helpers: start an emulator, build SDK clients against it, speak raw HTTP to it, and build the
//! usual fixtures (a service with a listener forwarding to a target group).

use std::collections::BTreeMap;
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sdk_vpclattice::Client;
use aws_sdk_vpclattice::config::retry::RetryConfig;
use aws_sdk_vpclattice::config::{BehaviorVersion, Region};
use aws_sdk_vpclattice::types::{
    ForwardAction, HttpMatch, PathMatch, PathMatchType, RuleAction, RuleMatch, TargetGroupConfig, TargetGroupProtocol,
    TargetGroupType, WeightedTargetGroup,
};
use lattice_sim::{RunningSim, SimConfig};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const VPC: &str = "vpc-0123456789abcdef0";

pub async fn sim() -> RunningSim {
    sim_with(SimConfig::default()).await
}

pub async fn sim_with(config: SimConfig) -> RunningSim {
    lattice_sim::start(config, "127.0.0.1:0".parse().expect("address")).await.expect("emulator starts")
}

fn credentials() -> Credentials {
    Credentials::new("test", "test", None, None, "static")
}

/// A client with the SDK's default retries.
pub fn client(sim: &RunningSim) -> Client {
    client_with(sim, RetryConfig::standard().with_initial_backoff(Duration::from_millis(5)))
}

/// A client that never retries.
pub fn client_no_retry(sim: &RunningSim) -> Client {
    client_with(sim, RetryConfig::disabled())
}

pub fn client_with(sim: &RunningSim, retry: RetryConfig) -> Client {
    let config = aws_sdk_vpclattice::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-west-2"))
        .endpoint_url(sim.endpoint())
        .credentials_provider(credentials())
        .retry_config(retry)
        .build();
    Client::from_conf(config)
}

pub fn tagging(sim: &RunningSim) -> aws_sdk_resourcegroupstagging::Client {
    let config = aws_sdk_resourcegroupstagging::Config::builder()
        .behavior_version(aws_sdk_resourcegroupstagging::config::BehaviorVersion::latest())
        .region(aws_sdk_resourcegroupstagging::config::Region::new("us-west-2"))
        .endpoint_url(sim.endpoint())
        .credentials_provider(credentials())
        .build();
    aws_sdk_resourcegroupstagging::Client::from_conf(config)
}

/// A raw HTTP/1.1 exchange: (status, headers lowercased, body).
pub async fn http(sim: &RunningSim, method: &str, path: &str, body: &str) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(sim.local_addr()).await.expect("connects");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("writes");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("reads");
    let text = String::from_utf8(raw).expect("utf-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("complete response");
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

pub async fn http_json(sim: &RunningSim, method: &str, path: &str, body: &str) -> (u16, Value) {
    let (status, _, body) = http(sim, method, path, body).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

pub fn tags(pairs: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

pub fn no_tags() -> BTreeMap<String, String> {
    BTreeMap::new()
}

pub fn forward(tg_ids: &[&str]) -> RuleAction {
    let mut action = ForwardAction::builder();
    for id in tg_ids {
        let weight = if tg_ids.len() > 1 { Some(10) } else { None };
        action = action.target_groups(
            WeightedTargetGroup::builder().target_group_identifier(*id).set_weight(weight).build().expect("tg"),
        );
    }
    RuleAction::Forward(action.build().expect("forward"))
}

pub fn fixed(code: i32) -> RuleAction {
    RuleAction::FixedResponse(
        aws_sdk_vpclattice::types::FixedResponseAction::builder().status_code(code).build().expect("fixed"),
    )
}

pub fn prefix(path: &str) -> RuleMatch {
    RuleMatch::HttpMatch(
        HttpMatch::builder()
            .path_match(PathMatch::builder().r#match(PathMatchType::Prefix(path.to_owned())).build())
            .build(),
    )
}

pub async fn create_tg(c: &Client, name: &str) -> String {
    create_tg_with(c, name, TargetGroupProtocol::Http).await
}

pub async fn create_tg_with(c: &Client, name: &str, protocol: TargetGroupProtocol) -> String {
    let config = TargetGroupConfig::builder().port(80).protocol(protocol).vpc_identifier(VPC).build();
    let out = c
        .create_target_group()
        .name(name)
        .r#type(TargetGroupType::Ip)
        .config(config)
        .send()
        .await
        .expect("target group created");
    out.id().expect("id").to_owned()
}

pub async fn create_service(c: &Client, name: &str) -> String {
    let out = c.create_service().name(name).send().await.expect("service created");
    out.id().expect("id").to_owned()
}

/// A service with an HTTP listener on port 80 forwarding to a new target group: (service, listener, tg).
pub async fn service_with_listener(c: &Client, name: &str) -> (String, String, String) {
    let svc = create_service(c, name).await;
    let tg = create_tg(c, &format!("{name}-tg")).await;
    let listener = c
        .create_listener()
        .service_identifier(&svc)
        .name("http")
        .protocol(aws_sdk_vpclattice::types::ListenerProtocol::Http)
        .default_action(forward(&[&tg]))
        .send()
        .await
        .expect("listener created");
    (svc, listener.id().expect("id").to_owned(), tg)
}
