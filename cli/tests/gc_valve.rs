//! The garbage-collection safety valve end to end: `latticectl apply --endpoint` against a
//! separate emulator holding the hotel, then a run whose manifests have lost every route.

mod common;

use std::path::{Path, PathBuf};

use common::{client, latticectl, sim};
use serde_json::Value;

fn apply(endpoint: &str, dir: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let out = latticectl()
        .args(["apply", "-o", "json", "--endpoint", endpoint, "-f"])
        .arg(dir)
        .args(extra)
        .env_remove("GC_MAX_DELETE_PERCENT")
        .env_remove("GC_MIN_DELETE")
        .output()
        .expect("latticectl runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (out.status.code(), doc)
}

fn hotel() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/hotel"))
}

/// The hotel without its routes: the Gateway, Services and EndpointSlices are still there.
fn without_routes(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("latticectl-gc-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for entry in std::fs::read_dir(hotel()).expect("hotel") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        if !text.contains("kind: HTTPRoute") {
            std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    dir
}

async fn counts(endpoint: &str) -> (usize, usize) {
    let c = client(endpoint);
    let services = c.list_services().send().await.expect("services").items().len();
    let tgs = c.list_target_groups().send().await.expect("target groups").items().len();
    (services, tgs)
}

fn ops(doc: &Value) -> Vec<String> {
    doc["actions"].as_array().expect("actions").iter().filter_map(|a| a["op"].as_str().map(str::to_owned)).collect()
}

fn deleting_calls(doc: &Value) -> u64 {
    doc["calls"]
        .as_object()
        .expect("calls")
        .iter()
        .filter(|(op, _)| op.starts_with("Delete") || op.as_str() == "DeregisterTargets")
        .filter_map(|(_, n)| n.as_u64())
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn reliability_gc_an_empty_read_deletes_nothing_without_the_override() {
    let sim = sim().await;
    let endpoint = sim.endpoint();
    let e = endpoint.clone();
    let (code, first) = tokio::task::spawn_blocking(move || apply(&e, &hotel(), &[])).await.expect("join");
    assert_eq!(code, Some(0), "{first}");
    assert_eq!(counts(&endpoint).await, (2, 4));

    let dir = without_routes("refused");
    let (e, d) = (endpoint.clone(), dir.clone());
    let (code, refused) = tokio::task::spawn_blocking(move || apply(&e, &d, &[])).await.expect("join");
    assert_eq!(code, Some(1), "a refused mass deletion fails the run: {refused}");
    assert_eq!(deleting_calls(&refused), 0, "no destructive call: {}", refused["calls"]);
    assert!(ops(&refused).iter().all(|op| !op.starts_with("Delete") && op != "DeregisterTargets"));
    let mass = &refused["massDelete"];
    assert_eq!((mass["deletions"].as_u64(), mass["owned"].as_u64()), (Some(6), Some(6)), "{mass}");
    assert_eq!(mass["overridden"], false);
    let refusals: Vec<&str> =
        refused["refused"].as_array().expect("refused").iter().filter_map(|r| r["resource"].as_str()).collect();
    for name in ["service/rates-default", "service/inventory-default"] {
        assert!(refusals.contains(&name), "{name} in {refusals:?}");
    }
    assert_eq!(refusals.iter().filter(|r| r.starts_with("targetgroup/")).count(), 4, "{refusals:?}");
    assert_eq!(counts(&endpoint).await, (2, 4), "everything is still there");

    // The text output says why and how to override.
    let out = latticectl()
        .args(["plan", "--endpoint", &endpoint, "-f"])
        .arg(&dir)
        .env_remove("GC_MAX_DELETE_PERCENT")
        .output()
        .expect("latticectl runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("mass deletion refused") && text.contains("--allow-mass-delete"), "{text}");

    // A looser limit from the environment lets it through, like the override.
    let (e, d) = (endpoint.clone(), dir.clone());
    let (code, allowed) =
        tokio::task::spawn_blocking(move || apply(&e, &d, &["--allow-mass-delete"])).await.expect("join");
    assert_eq!(code, Some(0), "{allowed}");
    assert_eq!(allowed["massDelete"]["overridden"], true);
    assert_eq!(counts(&endpoint).await, (0, 0), "the override deletes everything");
    let _ = std::fs::remove_dir_all(&dir);
    reliability::record(
        "gc-mass-delete-refused",
        &format!(
            "empty read of the hotel: 6 of 6 deletions refused ({} destructive calls held back, 0 made, exit 1); \
             --allow-mass-delete: {} deleting calls, 0 left",
            refused["refused"].as_array().map_or(0, Vec::len),
            deleting_calls(&allowed)
        ),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reliability_gc_the_limit_comes_from_the_environment_and_is_validated() {
    let sim = sim().await;
    let endpoint = sim.endpoint();
    let e = endpoint.clone();
    tokio::task::spawn_blocking(move || apply(&e, &hotel(), &[])).await.expect("join");
    let dir = without_routes("env");
    let out = latticectl()
        .args(["apply", "-o", "json", "--endpoint", &endpoint, "-f"])
        .arg(&dir)
        .env("GC_MAX_DELETE_PERCENT", "101")
        .output()
        .expect("latticectl runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("gc-max-delete-percent") || stderr.contains("GC_MAX_DELETE_PERCENT"), "{stderr}");
    assert_eq!(counts(&endpoint).await, (2, 4));
    let out = latticectl()
        .args(["apply", "-o", "json", "--endpoint", &endpoint, "-f"])
        .arg(&dir)
        .env("GC_MAX_DELETE_PERCENT", "100")
        .output()
        .expect("latticectl runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(counts(&endpoint).await, (0, 0));
    let _ = std::fs::remove_dir_all(&dir);
    reliability::record(
        "gc-limit-configurable",
        "GC_MAX_DELETE_PERCENT=101 rejected naming the variable (exit 2, nothing changed); =100 turns the valve off",
    );
}
