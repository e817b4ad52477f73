//! The out-of-the-box demo, through the real binary on the embedded emulator.

use std::process::Command;

use serde_json::Value;

fn latticectl(args: &[&str]) -> (Option<i32>, String, String) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let out = Command::new(env!("CARGO_BIN_EXE_latticectl"))
        .current_dir(root)
        .args(args)
        .env_remove("CLUSTER_NAME")
        .env_remove("AWS_ACCOUNT_ID")
        .env_remove("CLUSTER_VPC_ID")
        .env_remove("AWS_REGION")
        .env_remove("DEFAULT_SERVICE_NETWORK")
        .env_remove("ENABLE_SERVICE_NETWORK_OVERRIDE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_VPC_LATTICE")
        .env_remove("AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API")
        .output()
        .expect("latticectl runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn conditions<'a>(status: &'a Value, kind: &str, name: &str) -> Vec<&'a Value> {
    let entry = status
        .as_array()
        .expect("status list")
        .iter()
        .find(|e| e["kind"] == kind && e["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no status for {kind} {name}"));
    match kind {
        "Gateway" | "TargetGroupPolicy" | "IAMAuthPolicy" | "AccessLogPolicy" => {
            entry["status"]["conditions"].as_array().expect("conditions").iter().collect()
        }
        _ => entry["status"]["parents"][0]["conditions"].as_array().expect("conditions").iter().collect(),
    }
}

fn condition_status(status: &Value, kind: &str, name: &str, type_: &str) -> String {
    conditions(status, kind, name)
        .into_iter()
        .find(|c| c["type"] == type_)
        .map(|c| c["status"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_else(|| panic!("no {type_} on {kind} {name}"))
}

#[test]
fn demo_plans_the_hotel() {
    let (code, stdout, stderr) = latticectl(&["plan", "-f", "examples/", "-o", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
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
        assert_eq!(condition_status(&doc["status"], "HTTPRoute", route, "Accepted"), "True");
        assert_eq!(condition_status(&doc["status"], "HTTPRoute", route, "ResolvedRefs"), "True");
    }
    // The embedded emulator holds the service network, so the plan associates both services with it.
    let ops: Vec<&str> = doc["actions"].as_array().expect("actions").iter().filter_map(|a| a["op"].as_str()).collect();
    assert_eq!(ops.iter().filter(|o| **o == "CreateServiceNetworkServiceAssociation").count(), 2);
    assert_eq!(condition_status(&doc["status"], "Gateway", "my-hotel", "Programmed"), "True");
    let mutating = doc["calls"].as_object().expect("calls").keys().filter(|op| !is_read(op)).count();
    assert_eq!(mutating, 0, "plan makes no mutating call: {}", doc["calls"]);
}

fn is_read(op: &str) -> bool {
    ["Get", "List"].iter().any(|p| op.starts_with(p))
}

#[test]
fn apply_shows_the_whole_demo_offline() {
    let (code, stdout, stderr) = latticectl(&["apply", "-f", "examples/", "-o", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).expect("one JSON object");
    let actions = doc["actions"].as_array().expect("actions").len();
    assert_eq!(doc["apply"]["applied"].as_u64(), Some(actions as u64));
    assert!(doc["apply"]["failed"].as_array().is_some_and(Vec::is_empty));
    assert_eq!(doc["calls"]["CreateService"], 2);
    for route in ["rates", "inventory"] {
        let entry = doc["status"]
            .as_array()
            .expect("status")
            .iter()
            .find(|e| e["metadata"]["name"] == route)
            .expect("route status");
        let dns = entry["metadata"]["annotations"]["application-networking.k8s.aws/lattice-assigned-domain-name"]
            .as_str()
            .expect("DNS annotation");
        assert!(
            dns.starts_with(&format!("{route}-default-")) && dns.ends_with(".vpc-lattice-svcs.us-west-2.on.aws"),
            "{dns}"
        );
        let arn = entry["metadata"]["annotations"]["application-networking.k8s.aws/lattice-service-arn"].as_str();
        assert!(arn.is_some_and(|a| a.starts_with("arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-")));
    }
    let gateway = doc["status"].as_array().expect("status").iter().find(|e| e["kind"] == "Gateway").expect("gateway");
    assert_eq!(gateway["status"]["addresses"][0]["type"], "Hostname");
}

#[test]
fn text_output_is_readable_and_uncoloured_when_piped() {
    let (code, stdout, _) = latticectl(&["apply", "-f", "examples/"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("Applied 26 of 26 VPC Lattice calls"), "20 and 6 fingerprints: {stdout}");
    assert!(stdout.contains("HTTPRoute default/rates: rates-default-"), "DNS names are shown: {stdout}");
    assert!(
        stdout.contains("ok HTTPRoute default/inventory") && stdout.contains("ok Gateway default/my-hotel"),
        "{stdout}"
    );
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
fn override_mode_creates_the_default_network_and_maps_the_gateway_to_it() {
    let (code, stdout, stderr) = latticectl(&[
        "apply",
        "-f",
        "examples/",
        "-o",
        "json",
        "--default-service-network",
        "platform",
        "--enable-service-network-override",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let out: Value = serde_json::from_str(&stdout).expect("json");
    let ops: Vec<&str> = out["actions"].as_array().expect("actions").iter().filter_map(|a| a["op"].as_str()).collect();
    assert_eq!(ops[..2], ["CreateServiceNetwork", "CreateServiceNetworkVpcAssociation"]);
    assert_eq!(out["actions"][0]["request"]["name"], "platform");
    assert_eq!(condition_status(&out["status"], "Gateway", "my-hotel", "Programmed"), "True");
    let (code, _, stderr) = latticectl(&["plan", "-f", "examples/", "--default-service-network", "My_Net"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("DEFAULT_SERVICE_NETWORK"), "{stderr}");
    let (code, _, stderr) = latticectl(&["plan", "-f", "examples/", "--enable-service-network-override"]);
    assert_eq!(code, Some(2), "{stderr}");
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
    let (code, stdout, _) = latticectl(&["plan", "-o", "json", "-f", "examples/", file.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, Some(1), "input errors give exit code 1");
    let doc: Value = serde_json::from_str(&stdout).expect("JSON still printed");
    let errors = doc["input"]["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1);
    let e = errors[0].as_str().expect("message");
    assert!(e.contains("bad.yaml#0") && e.contains("spec.rules[0].backendRefs[0].weight"), "{e}");
    assert_eq!(doc["desired"]["services"].as_array().map(Vec::len), Some(2), "good documents still planned");
    assert_eq!(doc["protected"][0]["name"], "r", "what the unreadable route owns is left alone");
}

#[test]
fn crds_prints_the_committed_definitions() {
    let (code, stdout, stderr) = latticectl(&["crds"]);
    assert_eq!(code, Some(0), "{stderr}");
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/crds.yaml"))
        .expect("examples/crds.yaml");
    assert_eq!(stdout, committed);
    assert_eq!(stdout.matches("kind: CustomResourceDefinition").count(), 7);
}

#[test]
fn the_demo_applies_the_policy_examples_to_the_hotel() {
    let (code, stdout, stderr) = latticectl(&["apply", "-f", "examples/", "-o", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).expect("one JSON object");
    assert!(doc["input"]["errors"].as_array().is_some_and(Vec::is_empty), "{}", doc["input"]);
    for (kind, name) in [
        ("TargetGroupPolicy", "parking-health"),
        ("IAMAuthPolicy", "rates-auth"),
        ("AccessLogPolicy", "inventory-logs"),
    ] {
        assert_eq!(condition_status(&doc["status"], kind, name, "Accepted"), "True", "{kind} {name}");
    }
    for op in ["PutAuthPolicy", "UpdateService", "CreateAccessLogSubscription"] {
        assert_eq!(doc["calls"][op], 1, "{op}: {}", doc["calls"]);
    }
    let parking = doc["desired"]["targetGroups"]
        .as_array()
        .expect("target groups")
        .iter()
        .find(|tg| tg["name"].as_str().is_some_and(|n| n.starts_with("k8s-default-parking-")))
        .expect("parking");
    assert_eq!(parking["config"]["healthCheck"]["path"], "/health");
    // The hotel alone has no policy.
    let (_, stdout, _) = latticectl(&["plan", "-f", "examples/hotel/", "-o", "json"]);
    let doc: Value = serde_json::from_str(&stdout).expect("one JSON object");
    assert!(
        doc["status"].as_array().expect("status").iter().all(|e| !e["kind"].as_str().unwrap_or("").ends_with("Policy"))
    );
}
