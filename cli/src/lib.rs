//! The `latticectl` command line: argument parsing, the reconcile pipeline over manifest files
//! against VPC Lattice (a real endpoint or an emulator embedded in the process), and output for
//! people (text) and programs (JSON).

pub mod cpu;
mod document;
mod engine;
mod extras;
pub mod output;
mod reconcile;
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
    /// Reconcile a live cluster (or one route of it) with VPC Lattice and write status back.
    Reconcile(ReconcileArgs),
    /// Print an EKS bearer token as ExecCredential JSON, like `aws eks get-token` (usable as a
    /// kubectl exec plugin).
    Token(TokenArgs),
    /// Print the CustomResourceDefinitions of the application-networking.k8s.aws kinds
    /// (policies, ServiceExport, ServiceImport, ServiceNetwork), for `kubectl apply -f -`.
    Crds,
}

/// Arguments of `reconcile`.
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// EKS cluster name: found with DescribeCluster, authenticated with an EKS token.
    #[arg(long, conflicts_with = "kubeconfig", required_unless_present = "kubeconfig")]
    pub cluster: Option<String>,
    /// A kubeconfig file for any cluster (local clusters, tests) instead of EKS discovery.
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context (default: its current context).
    #[arg(long, requires = "kubeconfig")]
    pub context: Option<String>,
    /// Reconcile one route, `KIND/NAMESPACE/NAME` (e.g. `HTTPRoute/default/rates`): only its Lattice
    /// resources and its status are touched.
    #[arg(long, value_parser = parse_route)]
    pub route: Option<model::snapshot::ObjectRef>,
    /// Plan and show the status, DNS records and readiness gate conditions that would be written;
    /// change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Read every VPC Lattice resource we own in full (catches changes made behind the
    /// controller's back); by default resources whose fingerprint tag matches their desired state
    /// are not read in detail.
    #[arg(long)]
    pub verify: bool,
    /// After the run, check gated pods that are not ready yet again every 5 seconds for up to this
    /// many seconds, setting their readiness gate as their targets turn healthy (0: no wait).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait_ready: u64,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Endpoint of VPC Lattice and the tagging API (for example a `lattice-sim`); default: the
    /// standard AWS SDK configuration.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Request pacing.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// The cluster's AWS identity (with `--cluster`, name, VPC and account default to the cluster's).
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// Service networks created for the cluster.
    #[command(flatten)]
    pub networks: NetworkArgs,
    /// The garbage-collection safety valve.
    #[command(flatten)]
    pub gc: GcArgs,
}

fn parse_route(value: &str) -> Result<model::snapshot::ObjectRef, String> {
    let parts: Vec<&str> = value.split('/').collect();
    match parts.as_slice() {
        [kind @ ("HTTPRoute" | "GRPCRoute" | "TLSRoute"), ns, name] if !ns.is_empty() && !name.is_empty() => {
            Ok(model::snapshot::ObjectRef::new(kind, ns, name))
        }
        _ => {
            Err(format!("expected KIND/NAMESPACE/NAME with KIND one of HTTPRoute, GRPCRoute, TLSRoute, got {value:?}"))
        }
    }
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
    /// Endpoint of VPC Lattice, the Resource Groups Tagging API and ACM (for example a `lattice-sim`);
    /// without it, and without AWS_ENDPOINT_URL* variables, an emulator runs inside the process,
    /// seeded with the service networks the manifests need.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Use the real AWS endpoints from the standard SDK configuration (credentials, region,
    /// AWS_ENDPOINT_URL_VPC_LATTICE, AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API, AWS_ENDPOINT_URL_ACM).
    #[arg(long, conflicts_with = "endpoint")]
    pub aws: bool,
    /// Read every VPC Lattice resource we own in full (catches changes made behind the
    /// controller's back); by default resources whose fingerprint tag matches their desired state
    /// are not read in detail.
    #[arg(long)]
    pub verify: bool,
    /// Request pacing.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// The cluster's AWS identity.
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// Service networks created for the cluster.
    #[command(flatten)]
    pub networks: NetworkArgs,
    /// The garbage-collection safety valve.
    #[command(flatten)]
    pub gc: GcArgs,
}

/// How VPC Lattice requests are paced and retried.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Client-side limit of VPC Lattice and tagging API requests per second (0: none).
    #[arg(long, default_value_t = 10)]
    pub tps: u32,
    /// Attempts per API call before it counts as failed (throttling and server errors are
    /// retried with exponential backoff and jitter); a failed call is retried by the next run.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
}

impl LimitArgs {
    /// The limits for the engine.
    pub fn limits(&self) -> engine::Limits {
        engine::Limits { tps: self.tps, max_attempts: self.max_attempts }
    }
}

/// The identity that makes up the `ManagedBy` tag, from flags or the environment.
#[derive(Debug, Args)]
pub struct IdentityArgs {
    /// EKS cluster name [default: demo-cluster, or the `--cluster` of `reconcile`].
    #[arg(long, env = "CLUSTER_NAME")]
    pub cluster_name: Option<String>,
    /// AWS account id (12 digits) [default: 123456789012, or the cluster's account].
    #[arg(long, env = "AWS_ACCOUNT_ID")]
    pub account_id: Option<String>,
    /// VPC of the cluster [default: vpc-0123456789abcdef0, or the cluster's VPC].
    #[arg(long, env = "CLUSTER_VPC_ID")]
    pub vpc_id: Option<String>,
    /// AWS region [default: us-west-2].
    #[arg(long, env = "AWS_REGION")]
    pub region: Option<String>,
}

/// Service networks created for the cluster, as the existing controller's variables set them.
#[derive(Debug, Args)]
pub struct NetworkArgs {
    /// A VPC Lattice service network created when missing and associated with the cluster's VPC.
    #[arg(long, env = "DEFAULT_SERVICE_NETWORK")]
    pub default_service_network: Option<String>,
    /// Map every Gateway to the default service network instead of the one of its own name.
    #[arg(long, env = "ENABLE_SERVICE_NETWORK_OVERRIDE", requires = "default_service_network")]
    pub enable_service_network_override: bool,
}

impl NetworkArgs {
    /// The translation configuration for `identity` with these settings, validated.
    pub fn config(&self, identity: Identity) -> anyhow::Result<Config> {
        let mut config = Config::new(identity);
        config.default_service_network.clone_from(&self.default_service_network);
        config.service_network_override = self.enable_service_network_override;
        config.validate_service_networks().map_err(|problem| anyhow::anyhow!("{problem}"))?;
        Ok(config)
    }
}

/// What `--verify` asks for.
pub fn verification(verify: bool) -> model::fingerprint::Verify {
    if verify { model::fingerprint::Verify::Full } else { model::fingerprint::Verify::Fingerprint }
}

/// The garbage-collection safety valve (see `model::plan::valve`).
#[derive(Debug, Args)]
pub struct GcArgs {
    /// The most one run may delete, in percent of the services and target groups it owns in
    /// scope (0 to 100; 100 turns the valve off). A larger deletion is refused: only creating and
    /// updating calls are made, and the exit code is 1.
    #[arg(long, env = "GC_MAX_DELETE_PERCENT", default_value_t = model::plan::valve::DEFAULT_MAX_DELETE_PERCENT,
          value_parser = clap::value_parser!(u8).range(0..=100))]
    pub gc_max_delete_percent: u8,
    /// Deletions one run may always make, whatever the share.
    #[arg(long, env = "GC_MIN_DELETE", default_value_t = model::plan::valve::DEFAULT_MIN_DELETE)]
    pub gc_min_delete: usize,
    /// Let a mass deletion through the safety valve.
    #[arg(long)]
    pub allow_mass_delete: bool,
}

impl GcArgs {
    /// The limit these flags set.
    pub fn limit(&self) -> model::plan::valve::GcLimit {
        model::plan::valve::GcLimit {
            max_delete_percent: self.gc_max_delete_percent,
            min_delete: self.gc_min_delete,
            allow_mass_delete: self.allow_mass_delete,
        }
    }
}

/// The identity used offline when nothing else is given.
pub fn offline_identity() -> Identity {
    Identity {
        account_id: "123456789012".into(),
        cluster_name: "demo-cluster".into(),
        vpc_id: "vpc-0123456789abcdef0".into(),
        region: "us-west-2".into(),
    }
}

impl IdentityArgs {
    /// Validates the values, falling back to `defaults`, and builds an [`Identity`].
    pub fn identity(&self, defaults: &Identity) -> anyhow::Result<Identity> {
        let pick = |given: &Option<String>, default: &String| given.clone().unwrap_or_else(|| default.clone());
        let identity = Identity {
            account_id: pick(&self.account_id, &defaults.account_id),
            cluster_name: pick(&self.cluster_name, &defaults.cluster_name),
            vpc_id: pick(&self.vpc_id, &defaults.vpc_id),
            region: pick(&self.region, &defaults.region),
        };
        if identity.account_id.len() != 12 || !identity.account_id.bytes().all(|b| b.is_ascii_digit()) {
            bail!("AWS_ACCOUNT_ID / --account-id must be 12 digits, got {:?}", identity.account_id);
        }
        let vpc = identity.vpc_id.strip_prefix("vpc-").unwrap_or("");
        if !(vpc.len() == 8 || vpc.len() == 17) || !vpc.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()) {
            bail!("CLUSTER_VPC_ID / --vpc-id must look like vpc-0123456789abcdef0, got {:?}", identity.vpc_id);
        }
        let name = &identity.cluster_name;
        if name.is_empty() || name.len() > 100 || name.contains('/') {
            bail!("CLUSTER_NAME / --cluster-name must be 1 to 100 characters without '/', got {name:?}");
        }
        let region = &identity.region;
        if region.is_empty() || !region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            bail!("AWS_REGION / --region must look like us-west-2, got {region:?}");
        }
        Ok(identity)
    }
}

/// Runs a parsed command line, writing to `out`. Exit code 1: some input documents could not be
/// read, some Lattice calls failed, or a mass deletion was refused (everything else was still done
/// and printed). Meant for a process that ends with the command: the memory of the run is left
/// to the operating system rather than freed object by object.
pub async fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let (args, mode) = match cli.command {
        Command::Plan(args) => (args, Mode::Plan),
        Command::Apply(args) => (args, Mode::Apply),
        Command::Token(args) => return token::run(&args, out).await.map(|()| ExitCode::SUCCESS),
        Command::Reconcile(args) => return reconcile::run(args, out).await,
        Command::Crds => {
            out.write_all(crds::yaml().as_bytes())?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let mut config = args.networks.config(args.identity.identity(&offline_identity())?)?;
    config.verify = verification(args.verify);
    config.gc = args.gc.limit();
    let target = match (&args.endpoint, args.aws || engine::endpoint_from_environment()) {
        (Some(url), _) => Target::Endpoint(url.clone()),
        (None, true) => Target::Aws,
        (None, false) => Target::Embedded,
    };
    let start = cpu::used_ms();
    let loaded = manifests::load_paths(&args.paths).context("reading manifests")?;
    let read = cpu::used_ms();
    let limits = args.limits.limits();
    let mut outcome = run_pipeline(loaded, &config, &target, limits, mode, Timestamp::now()).await?;
    outcome.cpu = cpu::Phases::between(start, read, cpu::used_ms());
    match args.output {
        Format::Json => output::json(&outcome, out)?,
        Format::Text => output::text(&outcome, out, output::use_colour())?,
    }
    let failed = outcome.report.apply.as_ref().is_some_and(|a| !a.is_success())
        || outcome.report.refused_mass_delete().is_some();
    let input_errors = matches!(&outcome.input, engine::Input::Manifests(l) if !l.errors.is_empty());
    // Freeing the snapshot, the translations and the plan of a large run one allocation at a
    // time costs a good part of the time the run itself took; the process ends next.
    std::mem::forget(outcome);
    Ok(if !input_errors && !failed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
