//! Live comparison with the real `aws eks get-token`, run under `faketime` at fixed times.
//!
//! Needs `aws` (awscli: `pip install awscli`) and `faketime` (`apt-get install -y faketime`) on `PATH`. When
//! either is missing the test fails, unless `CLUSTER_SKIP_AWSCLI=1` is set. `get-token` without `--role-arn`
//! makes no network call; where `unshare -n` works the CLI runs in an empty network namespace to prove it.
//! The Rust side is not run under faketime: it is given the same instant.

use std::ffi::OsString;
use std::process::{Command, Output, Stdio};
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use cluster::{ExecCredential, StsEndpoint, eks_token};
use serde_json::Value;

const SKIP_VAR: &str = "CLUSTER_SKIP_AWSCLI";
const INSTALL_HINT: &str = "install awscli (`pip install awscli`) and faketime (`apt-get install -y faketime`)";

/// A session token shaped like a real one: long, and full of characters that must be percent-encoded.
const LONG_SESSION_TOKEN: &str = concat!(
    "IQoJb3JpZ2luX2VjEHcaCXVzLXdlc3QtMiJHMEUCIQD3+/k8sF4wY2h0gqj9Zx1r0y6vV7W0oQp1b1Jm0Xp5aQIgT0k7Kq3b+Yc5c",
    "Jm2hF3gX5p0l9Y0Q2vU0W2k1n3d4e0q8wMIm///////////ARAAGgwxMTExMjIyMjMzMzMiDAbc+def/ghiJKL0mnopKt0Bqr5s",
    "tuVWxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/0123456789ABCDEFGHIJKLMNOPQRST",
    "UVWXYZabcdefghijklmnopqrstuvwxyz~-._0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz==",
);

/// One `aws eks get-token` invocation and what the Rust side must produce for it.
struct Case {
    /// Wall-clock time in UTC, as `faketime -f` takes it.
    time: &'static str,
    region: &'static str,
    /// `AWS_STS_REGIONAL_ENDPOINTS=legacy` for the CLI; the Rust side then uses [`StsEndpoint::for_region`].
    legacy: bool,
    cluster: &'static str,
    access_key: &'static str,
    secret_key: &'static str,
    session_token: Option<&'static str>,
    /// `KUBERNETES_EXEC_INFO`, passed to the CLI through the environment and to the Rust side as an argument.
    exec_info: Option<&'static str>,
}

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const V1_EXEC_INFO: &str =
    r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#;
const V1BETA1_EXEC_INFO: &str = r#"{"apiVersion":"client.authentication.k8s.io/v1beta1","spec":{}}"#;

const CASES: &[Case] = &[
    // The three golden vectors.
    Case {
        time: "2024-01-15 12:00:00",
        region: "us-west-2",
        legacy: false,
        cluster: "demo",
        access_key: "AKIDEXAMPLE",
        secret_key: SECRET,
        session_token: None,
        exec_info: None,
    },
    Case {
        time: "2024-01-15 12:00:00",
        region: "us-west-2",
        legacy: true,
        cluster: "demo",
        access_key: "AKIDEXAMPLE",
        secret_key: SECRET,
        session_token: None,
        exec_info: None,
    },
    Case {
        time: "2024-01-15 12:00:00",
        region: "eu-central-1",
        legacy: false,
        cluster: "prod-1",
        access_key: "ASIAEXAMPLE",
        secret_key: SECRET,
        session_token: Some("IQoJb3JpZ2luX2VjE+/abc~x=="),
        exec_info: None,
    },
    // Leap day, expiration in the next month, v1 requested.
    Case {
        time: "2024-02-29 23:59:59",
        region: "ap-southeast-2",
        legacy: false,
        cluster: "Team_A-gateway-01",
        access_key: "ASIAQWERTYUIOPASDFGH",
        secret_key: "Zx9+/aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456/+",
        session_token: Some(LONG_SESSION_TOKEN),
        exec_info: Some(V1_EXEC_INFO),
    },
    // Year end, legacy STS with a session token.
    Case {
        time: "2025-12-31 23:50:30",
        region: "eu-west-1",
        legacy: true,
        cluster: "lattice",
        access_key: "ASIAZXCVBNMLKJHGFDSA",
        secret_key: SECRET,
        session_token: Some(LONG_SESSION_TOKEN),
        exec_info: Some(V1BETA1_EXEC_INFO),
    },
    // Legacy STS in a region added later: botocore stays regional.
    Case {
        time: "2026-03-01 08:00:00",
        region: "ap-east-1",
        legacy: true,
        cluster: "hk",
        access_key: "AKIAHKEXAMPLE",
        secret_key: SECRET,
        session_token: None,
        exec_info: None,
    },
    // China partition host.
    Case {
        time: "2026-11-27 07:30:00",
        region: "cn-north-1",
        legacy: false,
        cluster: "demo",
        access_key: "ASIACNEXAMPLE",
        secret_key: SECRET,
        session_token: Some("FwoGZXIvYXdzEBYaDK+/=="),
        exec_info: Some(V1_EXEC_INFO),
    },
    // GovCloud, an old date.
    Case {
        time: "2001-09-09 01:46:40",
        region: "us-gov-west-1",
        legacy: false,
        cluster: "gov",
        access_key: "AKIAGOVEXAMPLE",
        secret_key: SECRET,
        session_token: None,
        exec_info: None,
    },
    // us-east-1: regional and legacy differ only in the host.
    Case {
        time: "2030-06-30 00:00:00",
        region: "us-east-1",
        legacy: false,
        cluster: "east",
        access_key: "AKIDEXAMPLE",
        secret_key: SECRET,
        session_token: None,
        exec_info: None,
    },
    Case {
        time: "2030-06-30 00:00:00",
        region: "us-east-1",
        legacy: true,
        cluster: "east",
        access_key: "AKIDEXAMPLE",
        secret_key: SECRET,
        session_token: Some("short"),
        exec_info: Some("{malformed"),
    },
];

fn tool_works(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|out| out.status.success())
}

/// True when the tools are usable, false when one is missing and the skip was asked for; panics otherwise.
fn tools_available() -> bool {
    let missing: Vec<&str> = [
        ("aws", tool_works("aws", &["--version"])),
        ("faketime", tool_works("faketime", &["-f", "2024-01-15 12:00:00", "true"])),
    ]
    .into_iter()
    .filter(|(_, works)| !works)
    .map(|(name, _)| name)
    .collect();
    if missing.is_empty() {
        return true;
    }
    let skip = std::env::var_os(SKIP_VAR).is_some_and(|v| v == "1");
    assert!(skip, "{} not runnable: {INSTALL_HINT} (or set {SKIP_VAR}=1 to skip this test)", missing.join(" and "));
    eprintln!("SKIPPED: {} not runnable and {SKIP_VAR}=1; {INSTALL_HINT} to run it", missing.join(" and "));
    false
}

fn instant(time: &str) -> SystemTime {
    let rfc3339 = format!("{}Z", time.replacen(' ', "T", 1));
    let parsed = DateTime::from_str(&rfc3339, Format::DateTime).expect("case time");
    SystemTime::try_from(parsed).expect("case time as SystemTime")
}

fn spawn_cli(case: &Case, isolate_network: bool) -> std::process::Child {
    let mut argv: Vec<&str> = Vec::new();
    if isolate_network {
        argv.extend(["unshare", "-n"]);
    }
    argv.extend(["faketime", "-f", case.time, "aws", "eks", "get-token"]);
    argv.extend(["--cluster-name", case.cluster, "--region", case.region, "--output", "json"]);

    let mut command = Command::new(argv[0]);
    command.args(&argv[1..]).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    // Nothing from the caller's AWS or kubectl setup may leak in.
    let inherited: Vec<OsString> = std::env::vars_os()
        .map(|(name, _)| name)
        .filter(|name| {
            let name = name.to_string_lossy();
            name.starts_with("AWS_") || name.starts_with("FAKETIME") || name == "KUBERNETES_EXEC_INFO"
        })
        .collect();
    for name in inherited {
        command.env_remove(name);
    }
    let nowhere = std::env::temp_dir().join("cluster-awscli-test-no-such-file");
    command
        .env("TZ", "UTC")
        .env("AWS_CONFIG_FILE", &nowhere)
        .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_STS_REGIONAL_ENDPOINTS", if case.legacy { "legacy" } else { "regional" })
        .env("AWS_ACCESS_KEY_ID", case.access_key)
        .env("AWS_SECRET_ACCESS_KEY", case.secret_key);
    if let Some(session_token) = case.session_token {
        command.env("AWS_SESSION_TOKEN", session_token);
    }
    if let Some(exec_info) = case.exec_info {
        command.env("KUBERNETES_EXEC_INFO", exec_info);
    }
    command.spawn().unwrap_or_else(|e| panic!("spawning {argv:?}: {e}"))
}

fn ours(case: &Case) -> ExecCredential {
    let now = instant(case.time);
    let credentials = Credentials::new(
        case.access_key,
        case.secret_key,
        case.session_token.map(str::to_owned),
        None,
        "awscli-comparison",
    );
    let sts = StsEndpoint::for_region(case.region, case.legacy);
    let token = eks_token(&credentials, sts, case.cluster, now).expect("token");
    ExecCredential::new(token, now, case.exec_info).expect("exec credential")
}

/// Compares one case; returns a description of every difference.
fn compare(case: &Case, output: &Output) -> Vec<String> {
    let label = format!("{} {} legacy={} cluster={}", case.time, case.region, case.legacy, case.cluster);
    if !output.status.success() {
        return vec![format!("{label}: aws failed ({}): {}", output.status, String::from_utf8_lossy(&output.stderr))];
    }
    let theirs: Value = match serde_json::from_slice(&output.stdout) {
        Ok(value) => value,
        Err(e) => {
            return vec![format!("{label}: aws printed no JSON ({e}): {}", String::from_utf8_lossy(&output.stdout))];
        }
    };
    let ours = serde_json::to_value(ours(case)).expect("serialize");

    let mut differences = Vec::new();
    let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
    for (path, a, b) in [
        ("top-level keys", Value::from(keys(&theirs)), Value::from(keys(&ours))),
        ("status keys", Value::from(keys(&theirs["status"])), Value::from(keys(&ours["status"]))),
        ("kind", theirs["kind"].clone(), ours["kind"].clone()),
        ("apiVersion", theirs["apiVersion"].clone(), ours["apiVersion"].clone()),
        ("spec", theirs["spec"].clone(), ours["spec"].clone()),
        (
            "status.expirationTimestamp",
            theirs["status"]["expirationTimestamp"].clone(),
            ours["status"]["expirationTimestamp"].clone(),
        ),
    ] {
        if a != b {
            differences.push(format!("{label}: {path}: aws {a} vs ours {b}"));
        }
    }
    let (their_token, our_token) = (theirs["status"]["token"].as_str(), ours["status"]["token"].as_str());
    if their_token.is_none() || their_token != our_token {
        differences.push(format!("{label}: token differs:\n  aws  {their_token:?}\n  ours {our_token:?}"));
    }
    differences
}

#[test]
fn tokens_and_exec_credentials_match_aws_eks_get_token() {
    if !tools_available() {
        return;
    }
    let isolate_network = tool_works("unshare", &["-n", "true"]);
    eprintln!(
        "running aws eks get-token {} network namespace",
        if isolate_network { "in an empty" } else { "without a" }
    );

    let children: Vec<_> = CASES.iter().map(|case| spawn_cli(case, isolate_network)).collect();
    let mut differences = Vec::new();
    for (case, child) in CASES.iter().zip(children) {
        let output = child.wait_with_output().expect("aws eks get-token output");
        differences.extend(compare(case, &output));
    }
    assert!(differences.is_empty(), "{} differences from awscli:\n{}", differences.len(), differences.join("\n"));
}
