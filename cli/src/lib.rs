//! The `latticectl` command line: argument parsing, the reconcile pipeline over manifest files
//! against VPC Lattice (a real endpoint or an emulator embedded in the process), and output for
//! people (text) and programs (JSON).

mod engine;
pub mod output;
mod token;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use k8s_openapi::jiff::Timestamp;
use model::config::{Config, Identity};
use reconciler::Mode;

pub use engine::{Limits, Outcome, Target, run_pipeline};

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(
    name = "latticectl",
    version,
    about = "Plan and apply Kubernetes Gateway API objects onto Amazon VPC Lattice"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the VPC Lattice calls and the Gateway API status the manifests call for; changes nothing.
    Plan(PipelineArgs),
    /// Make VPC Lattice match the manifests, then show what was done and the resulting status.
    Apply(PipelineArgs),
    /// Print an EKS bearer token as ExecCredential JSON, like `aws eks get-token` (usable as a
    /// kubectl exec plugin).
    Token(TokenArgs),
}

/// Arguments of `token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// EKS cluster name (the token is valid for this cluster only).
    #[arg(long)]
    pub cluster: String,
    /// AWS region of the cluster (default: the SDK's region configuration).
    #[arg(long)]
    pub region: Option<String>,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable summary.
    Text,
    /// One JSON object: actions, desired, status, calls, apply.
    Json,
}

/// Arguments of `plan` and `apply`.
#[derive(Debug, Args)]
pub struct PipelineArgs {
    /// Manifest files or directories (multi-document YAML; directories are read recursively).
    #[arg(short = 'f', long = "filename", required = true, num_args = 1..)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Endpoint of VPC Lattice and the Resource Groups Tagging API (for example a `lattice-sim`);
    /// without it, and without AWS_ENDPOINT_URL* variables, an emulator runs inside the process,
    /// seeded with the service networks the manifests need.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Use the real AWS endpoints from the standard SDK configuration (credentials, region,
    /// AWS_ENDPOINT_URL_VPC_LATTICE, AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API).
    #[arg(long, conflicts_with = "endpoint")]
    pub aws: bool,
    /// Client-side limit of VPC Lattice and tagging API requests per second (0: none).
    #[arg(long, default_value_t = 10)]
    pub tps: u32,
    /// Attempts per API call before it counts as failed (throttling and server errors are
    /// retried with exponential backoff and jitter); a failed call is retried by the next run.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
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

/// Runs a parsed command line, writing to `out`. Exit code 1: some input documents could not be
/// read or some Lattice calls failed (everything else was still done and printed).
pub async fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let (args, mode) = match cli.command {
        Command::Plan(args) => (args, Mode::Plan),
        Command::Apply(args) => (args, Mode::Apply),
        Command::Token(args) => return token::run(&args, out).await.map(|()| ExitCode::SUCCESS),
    };
    let config = Config::new(args.identity.identity()?);
    let target = match (&args.endpoint, args.aws || engine::endpoint_from_environment()) {
        (Some(url), _) => Target::Endpoint(url.clone()),
        (None, true) => Target::Aws,
        (None, false) => Target::Embedded,
    };
    let loaded = manifests::load_paths(&args.paths).context("reading manifests")?;
    let limits = engine::Limits { tps: args.tps, max_attempts: args.max_attempts };
    let outcome = run_pipeline(loaded, &config, &target, limits, mode, Timestamp::now()).await?;
    match args.output {
        Format::Json => output::json(&outcome, out)?,
        Format::Text => output::text(&outcome, out, output::use_colour())?,
    }
    let failed = outcome.report.apply.as_ref().is_some_and(|a| !a.is_success());
    Ok(if outcome.loaded.errors.is_empty() && !failed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
