//! The `latticectl` command line: argument parsing, the plan pipeline over manifest files, and
//! output for people (text) and programs (JSON).

pub mod output;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use k8s_openapi::jiff::Timestamp;
use model::config::{Config, Identity};
use model::observed::ObservedState;
use model::plan::{Plan, Scope, plan};
use model::translate::{Translation, translate};

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(name = "latticectl", version, about = "Plan Kubernetes Gateway API objects onto Amazon VPC Lattice")]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the VPC Lattice calls and the Gateway API status the manifests call for; changes nothing.
    Plan(PlanArgs),
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable plan and status summary.
    Text,
    /// One JSON object: actions, desired, status, calls.
    Json,
}

/// Arguments of `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Manifest files or directories (multi-document YAML; directories are read recursively).
    #[arg(short = 'f', long = "filename", required = true, num_args = 1..)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// The cluster's AWS identity.
    #[command(flatten)]
    pub identity: IdentityArgs,
}

/// The identity that makes up the `ManagedBy` tag, from flags or the environment.
#[derive(Debug, Args)]
pub struct IdentityArgs {
    /// EKS cluster name.
    #[arg(long, env = "CLUSTER_NAME", default_value = "demo-cluster")]
    pub cluster_name: String,
    /// AWS account id (12 digits).
    #[arg(long, env = "AWS_ACCOUNT_ID", default_value = "123456789012")]
    pub account_id: String,
    /// VPC of the cluster.
    #[arg(long, env = "CLUSTER_VPC_ID", default_value = "vpc-0123456789abcdef0")]
    pub vpc_id: String,
    /// AWS region.
    #[arg(long, env = "AWS_REGION", default_value = "us-west-2")]
    pub region: String,
}

impl IdentityArgs {
    /// Validates the values and builds an [`Identity`].
    pub fn identity(&self) -> anyhow::Result<Identity> {
        if self.account_id.len() != 12 || !self.account_id.bytes().all(|b| b.is_ascii_digit()) {
            bail!("AWS_ACCOUNT_ID / --account-id must be 12 digits, got {:?}", self.account_id);
        }
        let vpc = self.vpc_id.strip_prefix("vpc-").unwrap_or("");
        if !(vpc.len() == 8 || vpc.len() == 17) || !vpc.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()) {
            bail!("CLUSTER_VPC_ID / --vpc-id must look like vpc-0123456789abcdef0, got {:?}", self.vpc_id);
        }
        if self.cluster_name.is_empty() || self.cluster_name.len() > 100 || self.cluster_name.contains('/') {
            bail!("CLUSTER_NAME / --cluster-name must be 1 to 100 characters without '/', got {:?}", self.cluster_name);
        }
        let region_ok = !self.region.is_empty()
            && self.region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !region_ok {
            bail!("AWS_REGION / --region must look like us-west-2, got {:?}", self.region);
        }
        Ok(Identity {
            account_id: self.account_id.clone(),
            cluster_name: self.cluster_name.clone(),
            vpc_id: self.vpc_id.clone(),
            region: self.region.clone(),
        })
    }
}

/// What one run of the pipeline produced.
#[derive(Debug)]
pub struct Outcome {
    /// Manifests read.
    pub loaded: manifests::Loaded,
    /// Observed Lattice state the plan was made against.
    pub observed: ObservedState,
    /// Desired state and status.
    pub translation: Translation,
    /// The plan.
    pub plan: Plan,
}

/// Reads manifests and plans them against `observed`; `now` stamps status transitions.
pub fn plan_manifests(
    paths: &[PathBuf],
    config: &Config,
    observed: ObservedState,
    now: Timestamp,
) -> anyhow::Result<Outcome> {
    let loaded = manifests::load_paths(paths).context("reading manifests")?;
    let translation = translate(&loaded.snapshot, &observed, config, now);
    let plan = plan(&translation.desired, &observed, &Scope::All, &config.identity.managed_by());
    Ok(Outcome { loaded, observed, translation, plan })
}

/// Runs a parsed command line, writing to `out`. Exit code 1 means some input documents could
/// not be read (everything else was still planned and printed).
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Plan(args) => {
            let config = Config::new(args.identity.identity()?);
            let outcome = plan_manifests(&args.paths, &config, ObservedState::default(), Timestamp::now())?;
            match args.output {
                Format::Json => output::json(&outcome, out)?,
                Format::Text => output::text(&outcome, out, output::use_colour())?,
            }
            Ok(if outcome.loaded.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
    }
}
