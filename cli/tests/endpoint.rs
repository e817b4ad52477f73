//! `latticectl apply --endpoint` against a separate emulator over HTTP: convergence, drift
//! repair, foreign resources, faults and deletions.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{client, latticectl, sim};
use lattice_sim::Faults;
use serde_json::Value;

const MANAGED_BY: &str = "123456789012/demo-cluster/vpc-0123456789abcdef0";

struct Run {
    code: Option<i32>,
    doc: Value,
}

fn apply(endpoint: &str, paths: &[&Path]) -> Run {
    apply_with(endpoint, paths, &[])
}

fn apply_with(endpoint: &str, paths: &[&Path], extra: &[&str]) -> Run {
    let mut cmd = latticectl();
    cmd.args(["apply", "-o", "json", "--endpoint", endpoint]).args(extra);
    for p in paths {
        cmd.arg("-f").arg(p);
    }
    let out = cmd.output().expect("latticectl runs");
    let code = out.status.code();
    let doc = match serde_json::from_slice(&out.stdout) {
        Ok(doc) => doc,
        // A run that could not read the inventory prints its error and changes nothing.
        Err(_) if code == Some(2) => Value::Null,
        Err(e) => panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    };
    Run { code, doc }
}

fn examples() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/hotel"))
}

fn mutating(calls: &Value) -> BTreeMap<String, u64> {
    calls
        .as_object()
        .expect("calls")
        .iter()
        .filter(|(op, _)| !op.starts_with("Get") && !op.starts_with("List"))
        .map(|(op, n)| (op.clone(), n.as_u64().unwrap_or(0)))
        .collect()
}

fn ops(doc: &Value) -> Vec<String> {
    doc["actions"].as_array().expect("actions").iter().filter_map(|a| a["op"].as_str().map(str::to_owned)).collect()
}

async fn names(client: &aws_sdk_vpclattice::Client) -> (Vec<String>, Vec<String>) {
    let services =
        client.list_services().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await.expect("services");
    let tgs =
        client.list_target_groups().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await.expect("tgs");
    let mut s: Vec<String> = services.iter().filter_map(|s| s.name().map(str::to_owned)).collect();
    let mut t: Vec<String> = tgs.iter().filter_map(|t| t.name().map(str::to_owned)).collect();
    s.sort();
    t.sort();
    (s, t)
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_converges_and_a_second_apply_changes_nothing() {
    let sim = sim().await;
    let endpoint = sim.endpoint();
    let first = tokio::task::spawn_blocking({
        let e = endpoint.clone();
        move || apply(&e, &[&examples()])
    })
    .await
    .expect("join");
    assert_eq!(first.code, Some(0), "{}", first.doc);
    assert_eq!(mutating(&first.doc["calls"]).values().sum::<u64>(), 17 + 6, "and 6 fingerprints");
    let second = tokio::task::spawn_blocking(move || apply(&endpoint, &[&examples()])).await.expect("join");
    assert_eq!(second.code, Some(0));
    assert!(ops(&second.doc).is_empty(), "{:?}", ops(&second.doc));
    assert!(mutating(&second.doc["calls"]).is_empty(), "no mutating call: {}", second.doc["calls"]);
    let (services, tgs) = names(&client(&sim.endpoint())).await;
    assert_eq!(services, ["inventory-default", "rates-default"]);
    assert_eq!(tgs.len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn drift_made_by_hand_is_repaired_and_nothing_else_is_touched() {
    let sim = sim().await;
    let endpoint = sim.endpoint();
    let e = endpoint.clone();
    tokio::task::spawn_blocking(move || apply(&e, &[&examples()])).await.expect("join");
    let c = client(&endpoint);
    let service = c
        .list_services()
        .send()
        .await
        .expect("list")
        .items()
        .iter()
        .find(|s| s.name() == Some("rates-default"))
        .cloned()
        .expect("rates");
    let listener = c
        .list_listeners()
        .service_identifier(service.id().unwrap_or_default())
        .send()
        .await
        .expect("listeners")
        .items()[0]
        .clone();
    let rules = c
        .list_rules()
        .service_identifier(service.id().unwrap_or_default())
        .listener_identifier(listener.id().unwrap_or_default())
        .send()
        .await
        .expect("rules");
    let rule = rules.items().iter().find(|r| r.is_default() != Some(true)).cloned().expect("a rule");
    c.delete_rule()
        .service_identifier(service.id().unwrap_or_default())
        .listener_identifier(listener.id().unwrap_or_default())
        .rule_identifier(rule.id().unwrap_or_default())
        .send()
        .await
        .expect("delete rule");
    let e = endpoint.clone();
    let unseen = tokio::task::spawn_blocking(move || apply(&e, &[&examples()])).await.expect("join");
    assert!(ops(&unseen.doc).is_empty(), "the fingerprint still vouches for the rule: {:?}", ops(&unseen.doc));
    let e = endpoint.clone();
    let repair =
        tokio::task::spawn_blocking(move || apply_with(&e, &[&examples()], &["--verify"])).await.expect("join");
    assert_eq!(repair.code, Some(0), "{}", repair.doc);
    assert_eq!(ops(&repair.doc), ["CreateRule"], "--verify reads everything and repairs it");
    assert_eq!(mutating(&repair.doc["calls"]), BTreeMap::from([("CreateRule".to_owned(), 1)]));
}

#[tokio::test(flavor = "multi_thread")]
async fn foreign_resources_survive_and_the_route_reports_the_conflict() {
    let sim = sim().await;
    let endpoint = sim.endpoint();
    let c = client(&endpoint);
    let foreign = c
        .create_service()
        .name("rates-default")
        .tags("application-networking.k8s.aws/ManagedBy", "999999999999/other/vpc-0fffffffffffffff0")
        .send()
        .await
        .expect("foreign service");
    c.create_service().name("untagged-svc").send().await.expect("untagged service");
    let e = endpoint.clone();
    let run = tokio::task::spawn_blocking(move || apply(&e, &[&examples()])).await.expect("join");
    assert_eq!(run.code, Some(0), "{}", run.doc);
    let rates =
        run.doc["status"].as_array().expect("status").iter().find(|e| e["metadata"]["name"] == "rates").expect("rates");
    let accepted = &rates["status"]["parents"][0]["conditions"][0];
    assert_eq!(
        (accepted["type"].as_str(), accepted["status"].as_str(), accepted["reason"].as_str()),
        (Some("Accepted"), Some("False"), Some("Conflicted"))
    );
    let after = c.get_service().service_identifier(foreign.id().unwrap_or_default()).send().await.expect("still there");
    assert_eq!(after.name(), Some("rates-default"));
    let listeners =
        c.list_listeners().service_identifier(foreign.id().unwrap_or_default()).send().await.expect("listeners");
    assert!(listeners.items().is_empty(), "nothing was added to the foreign service");
    let tags = c.list_tags_for_resource().resource_arn(foreign.arn().unwrap_or_default()).send().await.expect("tags");
    assert_ne!(
        tags.tags().and_then(|t| t.get("application-networking.k8s.aws/ManagedBy")).map(String::as_str),
        Some(MANAGED_BY)
    );
    let (services, _) = names(&c).await;
    assert_eq!(services, ["inventory-default", "rates-default", "untagged-svc"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_and_server_errors_converge_without_duplicates() {
    let sim = sim().await;
    sim.set_faults(Faults { throttle_rate: 0.2, error_rate: 0.05, ..Faults::default() }).expect("faults");
    let endpoint = sim.endpoint();
    let mut runs = 0;
    loop {
        runs += 1;
        let e = endpoint.clone();
        let run =
            tokio::task::spawn_blocking(move || apply_with(&e, &[&examples()], &["--max-attempts", "2", "--tps", "0"]))
                .await
                .expect("join");
        if run.code == Some(0) && !run.doc.is_null() && ops(&run.doc).is_empty() {
            break;
        }
        assert!(runs < 20, "did not converge in 20 runs: {}", run.doc["apply"]);
    }
    sim.set_faults(Faults::default()).expect("clear faults");
    let (services, tgs) = names(&client(&endpoint)).await;
    assert_eq!(services, ["inventory-default", "rates-default"], "no duplicate services");
    let unique: BTreeSet<&String> = tgs.iter().collect();
    assert_eq!((tgs.len(), unique.len()), (4, 4), "no duplicate target groups");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_removed_route_is_deleted_in_a_valid_order() {
    let sim = sim().await;
    let endpoint = sim.endpoint();
    let e = endpoint.clone();
    tokio::task::spawn_blocking(move || apply(&e, &[&examples()])).await.expect("join");
    let dir = std::env::temp_dir().join(format!("latticectl-remove-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for entry in std::fs::read_dir(examples()).expect("examples") {
        let path = entry.expect("entry").path();
        if path.file_name().is_some_and(|n| n != "inventory-route.yaml") {
            std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    let d = dir.clone();
    let e = endpoint.clone();
    let run = tokio::task::spawn_blocking(move || apply(&e, &[&d])).await.expect("join");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run.code, Some(0), "{}", run.doc);
    assert_eq!(
        ops(&run.doc),
        [
            "DeleteServiceNetworkServiceAssociation",
            "DeleteService",
            "DeregisterTargets",
            "DeregisterTargets",
            "DeleteTargetGroup",
            "DeleteTargetGroup"
        ]
    );
    let (services, tgs) = names(&client(&endpoint)).await;
    assert_eq!(services, ["rates-default"]);
    assert_eq!(tgs.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_policy_examples_converge_and_go_cleanly() {
    let sim = sim().await;
    let endpoint = sim.endpoint();
    let policies = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policies"));
    let run = |paths: Vec<PathBuf>| {
        let e = endpoint.clone();
        tokio::task::spawn_blocking(move || apply(&e, &paths.iter().map(PathBuf::as_path).collect::<Vec<_>>()))
    };
    let first = run(vec![examples(), policies.clone()]).await.expect("join");
    assert_eq!(first.code, Some(0), "{}", first.doc);
    assert_eq!(
        mutating(&first.doc["calls"]).values().sum::<u64>(),
        20 + 6,
        "and 6 fingerprints: {}",
        first.doc["calls"]
    );
    let second = run(vec![examples(), policies]).await.expect("join");
    assert!(ops(&second.doc).is_empty(), "{:?}", ops(&second.doc));
    let calls = &second.doc["calls"];
    // The service's auth policy is vouched for by its fingerprint; subscriptions are still read.
    assert_eq!((calls["GetAuthPolicy"].as_u64(), calls["GetAccessLogSubscription"].as_u64()), (None, Some(1)));

    let c = client(&sim.endpoint());
    let services = c.list_services().send().await.expect("services");
    let rates =
        services.items().iter().find(|s| s.name() == Some("rates-default")).and_then(|s| s.id()).expect("rates");
    let rates = rates.to_owned();
    assert_eq!(
        c.get_service().service_identifier(&rates).send().await.expect("get").auth_type().map(|t| t.as_str()),
        Some("AWS_IAM")
    );

    // Without the policies: IAM auth off, the policy and the subscription gone, the health
    // check back to the defaults.
    let third = run(vec![examples()]).await.expect("join");
    assert_eq!(third.code, Some(0), "{}", third.doc);
    let mut removal = ops(&third.doc);
    removal.sort();
    assert_eq!(
        removal,
        [
            "DeleteAccessLogSubscription",
            "DeleteAuthPolicy",
            "TagResource",
            "TagResource",
            "TagResource",
            "UntagResource",
            "UpdateService",
            "UpdateTargetGroup"
        ],
        "and the new fingerprints of the two services and the target group"
    );
    assert_eq!(
        c.get_service().service_identifier(&rates).send().await.expect("get").auth_type().map(|t| t.as_str()),
        Some("NONE")
    );
    assert!(c.get_auth_policy().resource_identifier(&rates).send().await.expect("get").policy().is_none());
    // The default health check is given back once, while the target group still carries the
    // policy's tag; afterwards its desired state no longer names it: one new fingerprint.
    let fourth = run(vec![examples()]).await.expect("join");
    assert_eq!(ops(&fourth.doc), ["TagResource"], "{:?}", ops(&fourth.doc));
    assert!(mutating(&fourth.doc["calls"]).keys().all(|op| op == "TagResource"), "{}", fourth.doc["calls"]);
    let fifth = run(vec![examples()]).await.expect("join");
    assert!(ops(&fifth.doc).is_empty(), "{:?}", ops(&fifth.doc));
}
