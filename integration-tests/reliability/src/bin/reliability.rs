//! Runs the reliability and security suite and prints its table.
//!
//! `reliability` runs every test named `reliability_…` in the workspace (debug build) with
//! records enabled, then prints the table. `reliability --records DIR` only prints the table of
//! the records a test run already wrote to DIR (the Makefile's test target does this). The exit
//! status is non-zero when a scenario failed or did not run.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = match args.as_slice() {
        [flag, dir] if flag == "--records" => PathBuf::from(dir),
        [] => {
            let dir = std::env::temp_dir().join(format!("reliability-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
                .args(["test", "--workspace", "--", "reliability_"])
                .env(reliability::OUT_VAR, &dir)
                .status();
            match status {
                Ok(s) if s.success() => {}
                Ok(s) => eprintln!("reliability: the tests failed ({s})"),
                Err(e) => {
                    eprintln!("reliability: cannot run cargo: {e}");
                    return ExitCode::from(2);
                }
            }
            dir
        }
        _ => {
            eprintln!("usage: reliability [--records DIR]");
            return ExitCode::from(2);
        }
    };
    let records = reliability::read_records(&dir);
    print!("{}", reliability::table(&records));
    let all = reliability::rows(&records).iter().all(|(_, result)| result.is_some());
    if all { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
