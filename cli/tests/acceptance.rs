//! The out-of-the-box demo, through the real binary: `latticectl plan -f examples/ -o json`.

use std::process::Command;

use serde_json::Value;

fn plan_examples(format: &str) -> (std::process::ExitStatus, String) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let out = Command::new(env!("CARGO_BIN_EXE_latticectl"))
        .current_dir(root)
        .args(["plan", "-f", "examples/", "-o", format])
        .env_remove("CLUSTER_NAME")
        .env_remove("AWS_ACCOUNT_ID")
        .env_remove("CLUSTER_VPC_ID")
        .env_remove("AWS_REGION")
        .output()
        .expect("latticectl runs");
    (out.status, String::from_utf8(out.stdout).expect("utf-8 output"))
}

fn condition<'a>(status: &'a Value, kind: &str, name: &str, type_: &str) -> &'a Value {
    let entry = status
        .as_array()
        .expect("status list")
        .iter()
        .find(|e| e["kind"] == kind && e["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no status for {kind} {name}"));
    let parent = &entry["status"]["parents"][0];
    parent["conditions"]
        .as_array()
        .expect("conditions")
        .iter()
        .find(|c| c["type"] == type_)
        .unwrap_or_else(|| panic!("no {type_} condition on {kind} {name}"))
}

#[test]
fn demo_plans_the_hotel() {
    let (status, stdout) = plan_examples("json");
    assert!(status.success(), "plan failed: {stdout}");
    let doc: Value = serde_json::from_str(&stdout).expect("one JSON object");
    for key in ["actions", "desired", "status", "calls"] {
        assert!(doc.get(key).is_some(), "missing {key}");
    }
    let services = doc["desired"]["services"].as_array().expect("services");
    let names: Vec<&str> = services.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["inventory-default", "rates-default"]);
    for s in services {
        let listener = &s["listeners"][0];
        assert_eq!(listener["protocol"], "HTTP");
        assert_eq!(listener["port"], 80);
        assert_eq!(listener["defaultAction"]["fixedResponse"]["statusCode"], 404);
    }
    let rates = &services[1]["listeners"][0]["rules"];
    let prefixes: Vec<&str> = rates
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["match"]["httpMatch"]["pathMatch"]["match"]["prefix"].as_str())
        .collect();
    assert_eq!(prefixes, ["/parking", "/review"]);
    let split = &services[0]["listeners"][0]["rules"][0]["action"]["forward"]["targetGroups"];
    let weights: Vec<i64> = split.as_array().expect("targets").iter().filter_map(|t| t["weight"].as_i64()).collect();
    assert_eq!(weights, [50, 50]);
    for route in ["rates", "inventory"] {
        assert_eq!(condition(&doc["status"], "HTTPRoute", route, "Accepted")["status"], "True");
        assert_eq!(condition(&doc["status"], "HTTPRoute", route, "ResolvedRefs")["status"], "True");
    }
    let ops: Vec<&str> = doc["actions"].as_array().expect("actions").iter().filter_map(|a| a["op"].as_str()).collect();
    assert_eq!(ops.iter().filter(|o| **o == "CreateService").count(), 2);
    assert_eq!(ops.iter().filter(|o| **o == "CreateRule").count(), 3);
    let targets: usize = doc["desired"]["targetGroups"]
        .as_array()
        .expect("tgs")
        .iter()
        .map(|t| t["targets"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(targets, 8, "two pods for each of four services");
}

#[test]
fn text_output_is_readable_and_uncoloured_when_piped() {
    let (status, stdout) = plan_examples("text");
    assert!(status.success());
    assert!(stdout.contains("CreateService") && stdout.contains("rates-default"), "{stdout}");
    assert!(stdout.contains("Programmed=False (Pending)"), "missing service network is reported: {stdout}");
    assert!(!stdout.contains('\x1b'), "no colour codes when not on a terminal");
}

#[test]
fn bad_identity_is_rejected_with_the_variable_name() {
    let out = Command::new(env!("CARGO_BIN_EXE_latticectl"))
        .args(["plan", "-f", "does-not-matter.yaml"])
        .env("AWS_ACCOUNT_ID", "12345")
        .output()
        .expect("latticectl runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("AWS_ACCOUNT_ID"), "{stderr}");
}

#[test]
fn malformed_documents_are_reported_and_the_rest_is_planned() {
    let dir = std::env::temp_dir().join(format!("latticectl-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("bad.yaml");
    std::fs::write(
        &file,
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: default}\nspec:\n  rules:\n    - backendRefs:\n        - name: x\n          weight: heavy\n",
    )
    .expect("write");
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
    let out = Command::new(env!("CARGO_BIN_EXE_latticectl"))
        .args(["plan", "-o", "json", "-f", root])
        .arg(&file)
        .output()
        .expect("latticectl runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1), "input errors give exit code 1");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON still printed");
    let errors = doc["input"]["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1);
    let e = errors[0].as_str().expect("message");
    assert!(e.contains("bad.yaml#0") && e.contains("spec.rules[0].backendRefs[0].weight"), "{e}");
    assert_eq!(doc["desired"]["services"].as_array().map(Vec::len), Some(2), "good documents still planned");
}
