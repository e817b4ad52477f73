//! The suite's own plumbing: a record written to a directory is read back into the table.

use reliability::{Record, read_records, record, table};

#[test]
fn reliability_suite_records() {
    let dir = std::env::temp_dir().join(format!("reliability-self-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let written = Record { id: "suite-records".into(), result: "written".into() };
    std::fs::write(dir.join("suite-records.json"), serde_json::to_string(&written).expect("serializes"))
        .expect("write");
    std::fs::write(dir.join("junk.json"), "not json").expect("write");
    let records = read_records(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(records, [written], "unreadable files are skipped");
    assert!(table(&records).contains("PASS"));
    record("suite-records", "a record is written and read back");
}
