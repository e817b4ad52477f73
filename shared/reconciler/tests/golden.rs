//! Golden scenarios: each directory under `tests/scenarios/` holds manifests (`*.yaml`), optionally
//! an observed inventory (`observed.json`) and configuration (`config.json`:
//! `defaultServiceNetwork`, `serviceNetworkOverride`), and the expected plan, desired state and
//! status (`expected.json`). Set `UPDATE_GOLDEN=1` to rewrite
//! the expected files (`include` may list more inputs relative to the repository root) after an intended change, then review the diff.
//!
//! The Lattice inventory the plan starts from is `observed.json` (empty when absent); when the
//! scenario has a `before/` directory, the manifests in it are first translated, planned and
//! applied onto that inventory by the in-memory Lattice, so that a scenario can say "this was
//! in place, now the manifests say that" in manifests rather than in hand-written inventory.

use std::path::{Path, PathBuf};

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::jiff::Timestamp;
use model::config::{Config, Identity};
use model::imports::ImportQueries;
use model::observed::{ObservedState, ObservedTargetGroup};
use model::plan::memory::{self, IdGen};
use model::plan::{Plan, Scope, plan};
use model::translate::translate;
use reconciler::{ApplyOutcome, BoxError, LatticeReader, LatticeWriter, Mode, Report, Request};

/// A VPC Lattice that only answers reads, with a fixed inventory.
struct Fixed(ObservedState);

impl LatticeReader for Fixed {
    async fn observe(
        &self,
        _managed_by: &str,
        _scope: &Scope,
        _interesting: &BTreeSet<String>,
    ) -> Result<ObservedState, BoxError> {
        Ok(self.0.clone())
    }

    async fn certificates(&self) -> Result<Vec<model::certificates::ObservedCertificate>, BoxError> {
        Ok(self.0.certificates.clone().unwrap_or_default())
    }

    async fn observe_imports(
        &self,
        known: &BTreeSet<String>,
        queries: &ImportQueries,
    ) -> Result<Vec<ObservedTargetGroup>, BoxError> {
        Ok(queries.select(&self.0.target_groups, known))
    }
}

impl LatticeWriter for Fixed {
    async fn apply(
        &self,
        _plan: &Plan,
        _observed: &mut ObservedState,
        _managed_by: &str,
        _budget: &reconciler::Budget,
    ) -> ApplyOutcome {
        panic!("golden scenarios only plan")
    }

    fn calls(&self) -> BTreeMap<String, u64> {
        BTreeMap::new()
    }
}

/// The scenario's configuration: the test identity, and the service network settings of
/// `config.json` when there is one.
fn config(dir: &Path) -> Result<Config, String> {
    let mut config = Config::new(Identity {
        account_id: "111122223333".into(),
        cluster_name: "blue".into(),
        vpc_id: "vpc-0aaa1111bbbb2222c".into(),
        region: "us-west-2".into(),
    });
    let path = dir.join("config.json");
    if path.exists() {
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        config.default_service_network = value["defaultServiceNetwork"].as_str().map(str::to_owned);
        config.service_network_override = value["serviceNetworkOverride"].as_bool().unwrap_or(false);
        config.validate_service_networks().map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(config)
}

fn document(o: &Report, loaded: &manifests::Loaded) -> serde_json::Value {
    serde_json::json!({
        "actions": o.plan.actions,
        "desired": o.translation.desired,
        "status": o.translation.status.iter().map(model::status::StatusEntry::to_json).collect::<Vec<_>>(),
        "refused": o.plan.refused,
        "errors": loaded.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

async fn run_scenario(dir: &Path) -> Result<(), String> {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    inputs.extend(included(dir));
    let observed_path = dir.join("observed.json");
    let observed: ObservedState = if observed_path.exists() {
        let text = std::fs::read_to_string(&observed_path).map_err(|e| e.to_string())?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", observed_path.display()))?
    } else {
        ObservedState::default()
    };
    let now = Timestamp::from_second(1_767_225_600).map_err(|e| e.to_string())?;
    let observed = applied_before(dir, observed, now)?;
    let loaded = manifests::load_paths(&inputs).map_err(|e| e.to_string())?;
    let request = Request { snapshot: loaded.snapshot.clone(), scope: Scope::All, mode: Mode::Plan, now };
    let report = reconciler::reconcile(&Fixed(observed), &config(dir)?, request).await.map_err(|e| e.to_string())?;
    let actual = serde_json::to_string_pretty(&document(&report, &loaded)).map_err(|e| e.to_string())? + "\n";
    let expected_path = dir.join("expected.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&expected_path, &actual).map_err(|e| e.to_string())?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&expected_path)
        .map_err(|e| format!("{}: {e} (run with UPDATE_GOLDEN=1 to create it)", expected_path.display()))?;
    if expected != actual {
        let first = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(0);
        return Err(format!(
            "{} differs from the computed result, first at line {}:\n  expected: {}\n  actual:   {}",
            expected_path.display(),
            first + 1,
            expected.lines().nth(first).unwrap_or("<end>"),
            actual.lines().nth(first).unwrap_or("<end>")
        ));
    }
    Ok(())
}

/// The inputs `dir/include` lists, one path per line, relative to the repository root.
fn included(dir: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(dir.join("include")) else { return Vec::new() };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| root.join(l)).collect()
}

/// `observed` with the manifests of `dir/before/` (and those its `include` lists) applied,
/// when there are any.
fn applied_before(dir: &Path, mut observed: ObservedState, now: Timestamp) -> Result<ObservedState, String> {
    let before = dir.join("before");
    if !before.is_dir() {
        return Ok(observed);
    }
    let mut inputs = included(&before);
    inputs.push(before);
    let loaded = manifests::load_paths(&inputs).map_err(|e| e.to_string())?;
    let config = config(dir)?;
    let managed_by = config.identity.managed_by();
    let mut ids = IdGen::starting_at(0xb0_0000);
    // Twice: the first run creates what the manifests name, the second fills in what depends on
    // it (the status and target groups of ServiceImports, for example).
    for _ in 0..2 {
        let t = translate(&loaded.snapshot, &observed, &config, now);
        let plan = plan(&t.desired, &observed, &Scope::All, &managed_by);
        memory::apply(&plan, &mut observed, &mut ids).map_err(|e| format!("{}: before/: {e}", dir.display()))?;
    }
    Ok(observed)
}

#[tokio::test]
async fn golden_scenarios() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("scenarios directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 4, "expected at least four scenarios, found {}", dirs.len());
    let mut failures = Vec::new();
    for d in &dirs {
        if let Err(e) = run_scenario(d).await {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
