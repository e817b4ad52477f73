//! Every file of `corpus/` is loaded together with the hotel (`examples/hotel`) and run through
//! the real pipeline (`latticectl apply`'s engine: loader, translation, plan, the AWS SDK against
//! an in-process VPC Lattice emulator). For each file: no panic, every `# expect:` line holds (the
//! bad object's input error or status condition names it and the field), and the hotel is still
//! reconciled (both routes Accepted, their Lattice services created). All failures are reported at
//! once. `BAD_INPUT_SHOW=1` prints what each file produced.

use std::path::{Path, PathBuf};

use latticectl::{Limits, Target, run_pipeline};
use model::config::Config;
use reconciler::Mode;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `# expect:` lines of a corpus file.
fn expectations(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    text.lines().map_while(|l| l.strip_prefix("# expect: ")).map(|l| l.trim_end().to_owned()).collect()
}

/// What one run produced, as text to match against.
struct Produced {
    errors: Vec<String>,
    skipped: Vec<String>,
    /// `Kind ns/name` → the status JSON.
    status: Vec<(String, Value)>,
    hotel_services: Vec<String>,
    objects: usize,
}

fn accepted(status: &Value) -> bool {
    status["parents"].as_array().is_some_and(|parents| {
        !parents.is_empty()
            && parents.iter().all(|p| {
                p["conditions"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|c| c["type"] == "Accepted" && c["status"] == "True"))
            })
    })
}

async fn run(file: PathBuf) -> Result<Produced, String> {
    let dir = std::env::temp_dir().join(format!(
        "bad-input-{}-{}",
        std::process::id(),
        file.file_stem().and_then(|s| s.to_str()).unwrap_or("x")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let hotel = root().join("../../examples/hotel");
    for entry in std::fs::read_dir(&hotel).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        std::fs::copy(&path, dir.join(path.file_name().unwrap_or_default())).map_err(|e| e.to_string())?;
    }
    std::fs::copy(&file, dir.join(file.file_name().unwrap_or_default())).map_err(|e| e.to_string())?;
    let loaded = manifests::load_paths(std::slice::from_ref(&dir)).map_err(|e| format!("load failed: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    let loaded = loaded?;
    let errors: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
    let skipped: Vec<String> = loaded.skipped.keys().cloned().collect();
    let objects = loaded.snapshot.http_routes.len() + loaded.snapshot.services.len();
    let config = Config::new(latticectl::offline_identity());
    let limits = Limits { tps: 0, max_attempts: 2 };
    let outcome =
        run_pipeline(loaded, &config, &Target::Embedded, limits, Mode::Apply, k8s_openapi::jiff::Timestamp::now())
            .await
            .map_err(|e| format!("the pipeline failed: {e:#}"))?;
    let status = outcome
        .report
        .translation
        .status
        .iter()
        .map(|e| {
            let name = format!("{} {}/{}", e.kind, e.namespace.as_deref().unwrap_or(""), e.name);
            (name, e.to_json()["status"].clone())
        })
        .collect();
    let hotel_services =
        outcome.report.inventory.services.iter().map(|s| s.name.clone()).filter(|n| n.ends_with("-default")).collect();
    Ok(Produced { errors, skipped, status, hotel_services, objects })
}

/// The problems of one file's run; empty when every expectation holds.
fn check(expect: &[String], p: &Produced) -> Vec<String> {
    let mut problems = Vec::new();
    if expect.is_empty() {
        problems.push("no `# expect:` line".to_owned());
    }
    for e in expect {
        let holds = if let Some(text) = e.strip_prefix("error ") {
            p.errors.iter().any(|m| m.contains(text.trim()))
        } else if let Some(kind) = e.strip_prefix("skipped ") {
            p.skipped.iter().any(|k| k.contains(kind.trim()))
        } else if e == "nothing" {
            p.errors.is_empty()
        } else if let Some(rest) = e.strip_prefix("status ") {
            let mut parts = rest.splitn(3, ' ');
            let (kind, object, text) =
                (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let key = format!("{kind} {object}");
            p.status.iter().any(|(k, s)| *k == key && s.to_string().contains(text))
        } else {
            false
        };
        if !holds {
            problems.push(format!("expected {e:?}"));
        }
    }
    for route in ["HTTPRoute default/rates", "HTTPRoute default/inventory"] {
        if !p.status.iter().any(|(k, s)| k == route && accepted(s)) {
            problems.push(format!("{route} is not Accepted"));
        }
    }
    for service in ["rates-default", "inventory-default"] {
        if !p.hotel_services.iter().any(|s| s == service) {
            problems.push(format!("Lattice service {service} was not created"));
        }
    }
    problems
}

fn show(name: &str, p: &Produced) {
    eprintln!("== {name}: {} objects", p.objects);
    for e in &p.errors {
        eprintln!("   error: {}", &e[..e.len().min(300)]);
    }
    for s in &p.skipped {
        eprintln!("   skipped: {s}");
    }
    for (k, s) in &p.status {
        let text = s.to_string();
        if !k.ends_with("default/rates") && !k.ends_with("default/inventory") && !k.starts_with("GatewayClass") {
            eprintln!("   status {k}: {}", &text[..text.len().min(600)]);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reliability_bad_input_corpus() {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(root().join("corpus")).expect("corpus").map(|e| e.expect("entry").path()).collect();
    files.sort();
    assert!(files.len() >= 60, "the corpus has {} files", files.len());
    let show_all = std::env::var_os("BAD_INPUT_SHOW").is_some();
    let mut failures = Vec::new();
    let (mut conditions, mut errors) = (0, 0);
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_owned();
        let expect = expectations(&std::fs::read(file).expect("read"));
        // A panic anywhere in the pipeline surfaces as a failed task, not a crashed suite.
        let produced = match tokio::spawn(run(file.clone())).await {
            Ok(Ok(p)) => p,
            Ok(Err(e)) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
            Err(e) => {
                failures.push(format!("{name}: PANIC {e}"));
                continue;
            }
        };
        if show_all {
            show(&name, &produced);
        }
        conditions += expect.iter().filter(|e| e.starts_with("status ")).count();
        errors += expect.iter().filter(|e| e.starts_with("error ")).count();
        for problem in check(&expect, &produced) {
            failures.push(format!("{name}: {problem}"));
        }
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
    reliability::record(
        "bad-input-corpus",
        &format!(
            "{} files with the hotel: 0 panics, {conditions} status conditions and {errors} input errors as expected, \
             the hotel reconciled every time",
            files.len()
        ),
    );
}

#[test]
fn expectations_are_read_after_a_byte_order_mark() {
    let text = "\u{feff}# expect: error x\n# expect: nothing\nkind: A\n# expect: not this\n";
    assert_eq!(expectations(text.as_bytes()), ["error x", "nothing"]);
    let _ = Path::new("unused");
}
