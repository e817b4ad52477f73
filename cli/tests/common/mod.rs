//! What the end-to-end tests against a separate emulator share: the emulator and a client of it.

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};

use aws_sdk_vpclattice::config::{BehaviorVersion, Credentials, Region};
use lattice_sim::{RunningSim, SimConfig};

/// `latticectl` with static test credentials and without the identity and endpoint variables
/// of the environment it runs in.
pub fn latticectl() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_latticectl"));
    cmd.env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    for var in [
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "CLUSTER_NAME",
        "AWS_ACCOUNT_ID",
        "CLUSTER_VPC_ID",
        "AWS_REGION",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// An emulator with the service network `my-hotel`.
pub async fn sim() -> RunningSim {
    let sim =
        lattice_sim::start(SimConfig::default(), SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.expect("sim starts");
    sim.seed_service_network("my-hotel", &BTreeMap::new()).expect("seed");
    sim
}

/// A VPC Lattice client of the emulator at `endpoint`.
pub fn client(endpoint: &str) -> aws_sdk_vpclattice::Client {
    let config = aws_sdk_vpclattice::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-west-2"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .build();
    aws_sdk_vpclattice::Client::from_conf(config)
}
