//! The reliability and security suite.
//!
//! Each scenario is an ordinary test somewhere in the workspace whose name starts with
//! `reliability_`; it asserts what it proves and, once it has passed, calls [`record`] with its
//! id and a one-line result (e.g. "converged in 2 runs, 0 duplicates"). [`EXPECTED`] lists every
//! scenario with the guarantee it proves. The `reliability` binary runs those tests (or reads
//! the records of a run that already happened) and prints the table; a scenario that failed or
//! did not run makes it fail.

#![forbid(unsafe_code)]

mod scenarios;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use scenarios::{EXPECTED, Scenario};

/// Environment variable naming the directory the records go to; without it [`record`] does nothing.
pub const OUT_VAR: &str = "RELIABILITY_OUT";

/// What a passing scenario recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The scenario's id (an entry of [`EXPECTED`]).
    pub id: String,
    /// What was measured, in one line.
    pub result: String,
}

/// Records that the scenario `id` passed with `result` (one line: counts, runs, calls), when the
/// suite asked for records. Call it at the end of the test, after its assertions.
///
/// # Panics
/// When `id` is not in [`EXPECTED`] (a typo would otherwise hide the scenario), or the record
/// cannot be written.
pub fn record(id: &str, result: &str) {
    assert!(EXPECTED.iter().any(|s| s.id == id), "scenario {id:?} is not listed in reliability::EXPECTED");
    let Some(dir) = std::env::var_os(OUT_VAR) else { return };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("the records directory can be created");
    let record = Record { id: id.to_owned(), result: result.replace('\n', " ") };
    let json = serde_json::to_string(&record).expect("a record serializes");
    std::fs::write(dir.join(format!("{id}.json")), json).expect("the record can be written");
}

/// The records found in `dir`, in no particular order; unreadable files are skipped.
pub fn read_records(dir: &Path) -> Vec<Record> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .filter_map(|text| serde_json::from_str(&text).ok())
        .collect()
}

/// One row of the table: the scenario and its result, `None` when it did not pass.
pub fn rows(records: &[Record]) -> Vec<(&'static Scenario, Option<&str>)> {
    EXPECTED.iter().map(|s| (s, records.iter().find(|r| r.id == s.id).map(|r| r.result.as_str()))).collect()
}

/// The table as text: group, scenario, PASS or FAIL, result; then a count.
pub fn table(records: &[Record]) -> String {
    let rows = rows(records);
    let width = rows.iter().map(|(s, _)| s.id.len()).max().unwrap_or(0);
    let mut out = format!("{:<13} {:<width$} {:<6} result\n", "group", "scenario", "state");
    for (s, result) in &rows {
        let (state, text) = match result {
            Some(r) => ("PASS", *r),
            None => ("FAIL", "did not pass (see the test output above)"),
        };
        out.push_str(&format!("{:<13} {:<width$} {state:<6} {text}\n", s.group, s.id));
    }
    let passed = rows.iter().filter(|(_, r)| r.is_some()).count();
    out.push_str(&format!("{passed} of {} scenarios pass\n", rows.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_scenario_states_its_guarantee() {
        let mut ids: Vec<&str> = EXPECTED.iter().map(|s| s.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "duplicate scenario ids");
        assert!(EXPECTED.iter().all(|s| !s.guarantee.is_empty() && !s.group.is_empty()));
    }

    #[test]
    fn a_missing_record_is_a_failure_in_the_table() {
        let first = EXPECTED.first().expect("scenarios");
        let records = vec![Record { id: first.id.to_owned(), result: "ok in 1 run".to_owned() }];
        let text = table(&records);
        assert!(text.contains("PASS") && text.contains("ok in 1 run"), "{text}");
        let fails = text.matches("FAIL").count();
        assert_eq!(fails, EXPECTED.len() - 1, "{text}");
    }

    #[test]
    #[should_panic(expected = "not listed")]
    fn an_unknown_id_is_refused() {
        record("no-such-scenario", "x");
    }
}
