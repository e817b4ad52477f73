//! Shared setup of the adapter tests: an emulator, an adapter pointed at it, a small desired
//! state, and helpers to run reconcile loops and to read call counts.

#![allow(dead_code, reason = "each test binary uses a different part of the harness")]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use lattice::{AdapterConfig, ApplyReport, Lattice};
use lattice_sim::{RunningSim, SimConfig};
use model::lattice::{
    DesiredState, ForwardAction, HeaderMatch, HeaderMatchType, HttpMatch, ListenerProtocol, ListenerSpec, PathMatch,
    PathMatchType, RuleAction, RuleMatch, RuleSpec, ServiceSpec, Target, TargetGroupConfig, TargetGroupSpec,
    TargetGroupType, WeightedTargetGroup,
};
use model::names::{TAG_MANAGED_BY, TAG_ROUTE_NAME, TAG_ROUTE_NAMESPACE, TAG_ROUTE_TYPE, TAG_SOURCE_TYPE, Tags};
use model::observed::ObservedState;
use model::plan::{Plan, Scope, plan};

/// Our `ManagedBy` value.
pub const MANAGED_BY: &str = "123456789012/test-cluster/vpc-0123456789abcdef0";
/// Someone else's.
pub const OTHER: &str = "123456789012/other-cluster/vpc-0fedcba9876543210";
/// The service network every desired service joins.
pub const NETWORK: &str = "net-a";

/// An emulator with `net-a` seeded.
pub async fn sim(config: SimConfig) -> RunningSim {
    let sim = lattice_sim::start(config, "127.0.0.1:0".parse().expect("address")).await.expect("emulator starts");
    sim.seed_service_network(NETWORK, &Tags::new()).expect("network seeded");
    sim
}

/// The SDK configuration tests use: static credentials, us-west-2, the emulator's endpoint.
pub async fn sdk_config(sim: &RunningSim) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .region(Region::new("us-west-2"))
        .endpoint_url(sim.endpoint())
        .load()
        .await
}

/// Test pacing: no rate limit worth waiting for, fast SDK retries, a short pending wait.
pub fn fast() -> AdapterConfig {
    AdapterConfig {
        tps: 1000,
        initial_backoff: Duration::from_millis(5),
        pending_wait: Duration::from_secs(1),
        ..AdapterConfig::default()
    }
}

pub async fn adapter(sim: &RunningSim, config: AdapterConfig) -> Lattice {
    Lattice::new(&sdk_config(sim).await, config)
}

pub fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn route_tags(route: &str) -> Tags {
    tags(&[
        (TAG_MANAGED_BY, MANAGED_BY),
        (TAG_ROUTE_NAME, route),
        (TAG_ROUTE_NAMESPACE, "default"),
        (TAG_ROUTE_TYPE, "http"),
    ])
}

pub fn forward(groups: &[(&str, i32)]) -> RuleAction {
    RuleAction::Forward(ForwardAction {
        target_groups: groups
            .iter()
            .map(|(tg, weight)| WeightedTargetGroup { target_group_identifier: (*tg).to_owned(), weight: *weight })
            .collect(),
    })
}

pub fn prefix(path: &str) -> HttpMatch {
    HttpMatch {
        path_match: Some(PathMatch { matcher: PathMatchType::Prefix(path.to_owned()), case_sensitive: true }),
        ..HttpMatch::default()
    }
}

pub fn rule(name: &str, priority: i32, matcher: HttpMatch, action: RuleAction) -> RuleSpec {
    RuleSpec {
        name: name.to_owned(),
        priority,
        matcher: RuleMatch::HttpMatch(matcher),
        action,
        tags: tags(&[(TAG_MANAGED_BY, MANAGED_BY)]),
    }
}

pub fn target_group(name: &str, route: &str, targets: usize) -> TargetGroupSpec {
    let mut tags = route_tags(route);
    tags.remove(TAG_ROUTE_TYPE);
    tags.insert(TAG_SOURCE_TYPE.to_owned(), "HTTPRoute".to_owned());
    TargetGroupSpec {
        name: name.to_owned(),
        kind: TargetGroupType::Ip,
        config: TargetGroupConfig {
            port: 8080,
            protocol: "HTTP".to_owned(),
            protocol_version: Some("HTTP1".to_owned()),
            ip_address_type: "IPV4".to_owned(),
            vpc_identifier: "vpc-0123456789abcdef0".to_owned(),
            health_check: None,
        },
        tags,
        targets: (0..targets)
            .map(|i| Target { id: format!("10.0.{}.{}", i / 200, i % 200 + 10), port: 8080 })
            .collect(),
        owner: None,
    }
}

/// A service of route `route` in `default`, on `net-a`, with one HTTP listener on port 80.
pub fn service(route: &str, default_action: RuleAction, rules: Vec<RuleSpec>) -> ServiceSpec {
    let name = model::names::service_name(route, "default");
    ServiceSpec {
        listeners: vec![ListenerSpec {
            name: format!("{name}-80-http"),
            protocol: ListenerProtocol::Http,
            port: 80,
            default_action,
            rules,
            tags: tags(&[(TAG_MANAGED_BY, MANAGED_BY)]),
        }],
        name,
        custom_domain_name: None,
        certificate_arn: None,
        tags: route_tags(route),
        service_networks: vec![NETWORK.to_owned()],
        owner: None,
        takeover_from: None,
    }
}

/// Two routes: `rates` (three rules, two target groups, one with weights) and `parking`
/// (one rule), five targets per target group.
pub fn desired() -> DesiredState {
    let header = HttpMatch {
        method: Some("GET".to_owned()),
        header_matches: vec![HeaderMatch {
            name: "x-canary".to_owned(),
            matcher: HeaderMatchType::Exact("yes".to_owned()),
            case_sensitive: false,
        }],
        ..prefix("/rates")
    };
    let rates = service(
        "rates",
        RuleAction::fixed(404),
        vec![
            rule("k8s-rule-canary", 1, header, forward(&[("k8s-default-rates-v2", 1)])),
            rule(
                "k8s-rule-rates",
                2,
                prefix("/rates"),
                forward(&[("k8s-default-rates-v1", 90), ("k8s-default-rates-v2", 10)]),
            ),
            rule("k8s-rule-old", 3, prefix("/old"), RuleAction::fixed(500)),
        ],
    );
    let parking = service(
        "parking",
        forward(&[("k8s-default-parking", 1)]),
        vec![rule("k8s-rule-parking", 1, prefix("/parking"), forward(&[("k8s-default-parking", 1)]))],
    );
    DesiredState {
        services: vec![rates, parking],
        target_groups: vec![
            target_group("k8s-default-rates-v1", "rates", 5),
            target_group("k8s-default-rates-v2", "rates", 5),
            target_group("k8s-default-parking", "parking", 5),
        ],
        ..DesiredState::default()
    }
}

/// Names a run asks about: the services, and the service networks it creates when missing.
pub fn names(desired: &DesiredState) -> BTreeSet<String> {
    let networks = desired.service_networks.iter().filter(|n| n.tags.is_some()).map(|n| n.name.clone());
    desired.services.iter().map(|s| s.name.clone()).chain(networks).collect()
}

/// Observe, plan and apply once.
pub async fn run(lattice: &Lattice, desired: &DesiredState) -> (Plan, ApplyReport, ObservedState) {
    let mut observed = lattice.observe(MANAGED_BY, &model::plan::Scope::All, &names(desired)).await.expect("observe");
    let plan = plan(desired, &observed, &Scope::All, MANAGED_BY);
    let report = lattice.apply(&plan, &mut observed, MANAGED_BY).await;
    (plan, report, observed)
}

/// Runs until a plan is empty; returns how many runs applied something.
pub async fn converge(lattice: &Lattice, desired: &DesiredState, max_runs: usize) -> usize {
    for runs in 0..max_runs {
        let (plan, report, _) = run(lattice, desired).await;
        if plan.is_noop() {
            return runs;
        }
        eprintln!(
            "run {}: {} actions: {} applied, {} failed, {} skipped, {} pending",
            runs + 1,
            plan.actions.len(),
            report.applied.len(),
            report.failed.len(),
            report.skipped.len(),
            report.pending.len()
        );
    }
    panic!("no convergence within {max_runs} runs");
}

/// Whether an operation changes something.
pub fn mutating(op: &str) -> bool {
    !(op.starts_with("Get") || op.starts_with("List"))
}

/// The mutating calls among `calls`.
pub fn mutations(calls: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    calls.iter().filter(|(op, _)| mutating(op)).map(|(op, n)| (op.clone(), *n)).collect()
}

pub fn total(calls: &BTreeMap<String, u64>) -> u64 {
    calls.values().sum()
}

/// What the desired state says, in a form the inventory can be compared with: per service its
/// networks and per listener the default action and rules (target groups by name), and per
/// target group its sorted targets.
pub fn shape_of_desired(desired: &DesiredState) -> Vec<String> {
    let mut lines = Vec::new();
    for s in &desired.services {
        lines.push(format!("service {} networks {:?}", s.name, s.service_networks));
        for l in &s.listeners {
            lines.push(format!(
                "listener {} {}:{} default {}",
                l.name,
                l.protocol.as_str(),
                l.port,
                action(&l.default_action, &|n| n.to_owned())
            ));
            for r in &l.rules {
                lines.push(format!(
                    "rule {} {} {:?} {}",
                    r.name,
                    r.priority,
                    r.matcher,
                    action(&r.action, &|n| n.to_owned())
                ));
            }
        }
    }
    for tg in &desired.target_groups {
        let mut targets = tg.targets.clone();
        targets.sort();
        lines.push(format!("targetgroup {} {:?}", tg.name, targets));
    }
    lines.sort();
    lines
}

/// The same shape read from the inventory, for the services and target groups we own.
pub fn shape_of_observed(observed: &ObservedState) -> Vec<String> {
    let tg_name =
        |id: &str| observed.target_groups.iter().find(|tg| tg.id == id).map_or(id.to_owned(), |tg| tg.name.clone());
    let mut lines = Vec::new();
    for s in observed.services.iter().filter(|s| model::observed::is_owned(&s.tags, MANAGED_BY)) {
        let networks: Vec<String> = s.associations.iter().map(|a| a.service_network_name.clone()).collect();
        lines.push(format!("service {} networks {networks:?}", s.name));
        for l in &s.listeners {
            lines.push(format!(
                "listener {} {}:{} default {}",
                l.name,
                l.protocol.as_str(),
                l.port,
                action(&l.default_action, &tg_name)
            ));
            for r in &l.rules {
                lines.push(format!(
                    "rule {} {} {:?} {}",
                    r.name,
                    r.priority,
                    RuleMatch::HttpMatch(r.matcher.clone()),
                    action(&r.action, &tg_name)
                ));
            }
        }
    }
    for tg in observed.target_groups.iter().filter(|tg| model::observed::is_owned(&tg.tags, MANAGED_BY)) {
        lines.push(format!("targetgroup {} {:?}", tg.name, tg.targets));
    }
    lines.sort();
    lines
}

fn action(action: &RuleAction, name: &dyn Fn(&str) -> String) -> String {
    match action {
        RuleAction::Forward(f) => {
            let mut groups: Vec<String> = f
                .target_groups
                .iter()
                .map(|tg| format!("{}*{}", name(&tg.target_group_identifier), tg.weight))
                .collect();
            groups.sort();
            format!("forward {groups:?}")
        }
        RuleAction::FixedResponse(r) => format!("fixed {}", r.status_code),
    }
}

/// A plain SDK client on the emulator, for changes made behind the adapter's back.
pub async fn raw(sim: &RunningSim) -> aws_sdk_vpclattice::Client {
    aws_sdk_vpclattice::Client::new(&sdk_config(sim).await)
}

/// Runs until a plan is empty, tolerating failed reads and failed actions; returns the runs
/// that did something (or failed to read).
pub async fn converge_despite_faults(lattice: &Lattice, desired: &DesiredState, max_runs: usize) -> usize {
    for runs in 0..max_runs {
        let mut observed = match lattice.observe(MANAGED_BY, &model::plan::Scope::All, &names(desired)).await {
            Ok(observed) => observed,
            Err(error) => {
                eprintln!("run {}: observe failed: {error}", runs + 1);
                continue;
            }
        };
        let plan = plan(desired, &observed, &Scope::All, MANAGED_BY);
        if plan.is_noop() {
            return runs;
        }
        let report = lattice.apply(&plan, &mut observed, MANAGED_BY).await;
        eprintln!(
            "run {}: {} actions: {} applied, {} failed, {} skipped, {} pending",
            runs + 1,
            plan.actions.len(),
            report.applied.len(),
            report.failed.len(),
            report.skipped.len(),
            report.pending.len()
        );
    }
    panic!("no convergence within {max_runs} runs");
}

/// Every service and target group in the account by name, with how many exist of each name
/// and, per service, its listener and rule names: duplicates show up as counts above one.
pub async fn census(client: &aws_sdk_vpclattice::Client) -> BTreeMap<String, usize> {
    let mut census = BTreeMap::new();
    let services = client.list_services().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for s in services.expect("list services") {
        let id = s.id().unwrap_or_default();
        *census.entry(format!("service/{}", s.name().unwrap_or_default())).or_default() += 1;
        let Ok(listeners) = client.list_listeners().service_identifier(id).send().await else {
            continue; // deleted meanwhile
        };
        for l in listeners.items() {
            let name = format!("service/{}/listener/{}", s.name().unwrap_or_default(), l.name().unwrap_or_default());
            *census.entry(name.clone()).or_default() += 1;
            let rules = client.list_rules().service_identifier(id).listener_identifier(l.id().unwrap_or_default());
            let Ok(rules) = rules.send().await else { continue };
            for r in rules.items().iter().filter(|r| r.is_default() != Some(true)) {
                *census.entry(format!("{name}/rule/{}", r.name().unwrap_or_default())).or_default() += 1;
            }
        }
        let associations = client.list_service_network_service_associations().service_identifier(id);
        let Ok(associations) = associations.send().await else { continue };
        for a in associations.items() {
            let name = format!(
                "service/{}/association/{}",
                s.name().unwrap_or_default(),
                a.service_network_name().unwrap_or_default()
            );
            *census.entry(name).or_default() += 1;
        }
    }
    let groups = client.list_target_groups().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for tg in groups.expect("list target groups") {
        *census.entry(format!("targetgroup/{}", tg.name().unwrap_or_default())).or_default() += 1;
    }
    census
}

/// Polls `condition` every 50 ms until it holds, failing after `timeout`.
pub async fn eventually<F, Fut>(timeout: Duration, what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    while !condition().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
