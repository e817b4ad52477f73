use std::collections::BTreeSet;

use serde_json::Value;

use super::*;

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("lattice-bench-shape-{name}-{}", std::process::id()))
}

fn documents(path: &Path) -> Vec<Value> {
    let text = fs::read_to_string(path).expect("route file");
    serde_json::Deserializer::from_str(&text).into_iter::<Value>().map(|v| v.expect("JSON")).collect()
}

fn addresses(cluster: &Cluster) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    for entry in fs::read_dir(cluster.dir()).expect("dir") {
        for doc in documents(&entry.expect("entry").path()) {
            for endpoint in doc["endpoints"].as_array().into_iter().flatten() {
                all.insert(endpoint["addresses"][0].as_str().expect("address").to_owned());
            }
        }
    }
    all
}

#[test]
fn writes_one_file_per_route_with_its_services_and_slices() {
    let dir = scratch("files");
    let shape = Shape { rules: 2, backends: 3, targets: 4 };
    let cluster = Cluster::generate(&dir, 5, shape).expect("generated");
    assert_eq!(cluster.counts(), Counts { routes: 5, rules: 10, backends: 30, targets: 120 });
    let files = fs::read_dir(&dir).expect("dir").count();
    assert_eq!(files, 6, "the Gateway's file and one per route");
    let docs = documents(&dir.join("route-00003.json"));
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().expect("kind")).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "HTTPRoute").count(), 1);
    assert_eq!(kinds.iter().filter(|k| **k == "Service").count(), 6);
    assert_eq!(kinds.iter().filter(|k| **k == "EndpointSlice").count(), 6);
    let rules = docs[0]["spec"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[1]["matches"][0]["path"]["value"], "/r3/p1");
    assert_eq!(rules[1]["backendRefs"][2]["name"], "s3-1-2");
    assert_eq!(addresses(&cluster).len(), 120, "every target has its own address");
    fs::remove_dir_all(&dir).expect("cleaned");
}

#[test]
fn mutations_touch_exactly_what_they_say() {
    let dir = scratch("mutations");
    let mut cluster = Cluster::generate(&dir, 10, Shape::default()).expect("generated");
    let before = addresses(&cluster);

    assert_eq!(cluster.replace_one_endpoint().expect("replaced"), 0);
    let after = addresses(&cluster);
    assert_eq!(before.difference(&after).count(), 1);
    assert_eq!(after.difference(&before).count(), 1);

    assert_eq!(cluster.change_one_route().expect("changed"), 5);
    assert_eq!(
        documents(&dir.join("route-00005.json"))[0]["spec"]["rules"][0]["matches"][0]["path"]["value"],
        "/r5/p0-v2"
    );

    let before = addresses(&cluster);
    assert_eq!(cluster.churn_targets(10).expect("churned"), 3, "10% of 30 targets");
    let after = addresses(&cluster);
    assert_eq!(before.difference(&after).count(), 3);
    assert_eq!(after.len(), 30);

    assert_eq!(cluster.delete_one_route().expect("deleted"), 9);
    assert!(!dir.join("route-00009.json").exists());
    assert_eq!(cluster.counts().routes, 9);
    assert_eq!(addresses(&cluster).len(), 27);
    fs::remove_dir_all(&dir).expect("cleaned");
}

#[test]
fn one_percent_churn_replaces_at_least_one_target() {
    let dir = scratch("churn");
    let mut cluster = Cluster::generate(&dir, 2, Shape { rules: 1, backends: 1, targets: 2 }).expect("generated");
    assert_eq!(cluster.churn_targets(1).expect("churned"), 1);
    fs::remove_dir_all(&dir).expect("cleaned");
}
