//! The functions' configuration: environment variables read once at cold start, validated, typed.

use std::path::PathBuf;
use std::time::Duration;

/// Requests per second against VPC Lattice when `LATTICE_TPS` is unset.
pub const DEFAULT_LATTICE_TPS: u32 = 10;
/// Lattice calls in flight at once when `LATTICE_CONCURRENCY` is unset.
pub const DEFAULT_LATTICE_CONCURRENCY: u32 = 4;
/// The largest `LATTICE_CONCURRENCY` accepted.
const MAX_LATTICE_CONCURRENCY: u32 = 64;
/// Attempts per VPC Lattice call when `LATTICE_MAX_ATTEMPTS` is unset.
pub const DEFAULT_LATTICE_MAX_ATTEMPTS: u32 = 5;
/// The Kubernetes username of our own writes when `RECONCILER_USERNAME` is unset.
pub const DEFAULT_RECONCILER_USERNAME: &str = "lattice-reconciler";
/// Time kept free before the Lambda deadline when `DEADLINE_MARGIN_MS` is unset.
pub const DEFAULT_DEADLINE_MARGIN_MS: u64 = 20_000;
/// Longest wait for gated pods to become ready when `READINESS_WAIT_MS` is unset.
pub const DEFAULT_READINESS_WAIT_MS: u64 = 60_000;
/// Time between two checks of waiting gated pods when `READINESS_POLL_MS` is unset.
pub const DEFAULT_READINESS_POLL_MS: u64 = 5_000;
/// The share of owned resources a run may delete when `GC_MAX_DELETE_PERCENT` is unset.
pub const DEFAULT_GC_MAX_DELETE_PERCENT: u8 = model::plan::valve::DEFAULT_MAX_DELETE_PERCENT;
/// Deletions a run may always make when `GC_MIN_DELETE` is unset.
pub const DEFAULT_GC_MIN_DELETE: usize = model::plan::valve::DEFAULT_MIN_DELETE;
/// The shortest `READINESS_POLL_MS` accepted.
const MIN_READINESS_POLL_MS: u64 = 100;

/// Everything the functions read from their environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// `CLUSTER_NAMES`: the EKS clusters this deployment reconciles (one or more, comma-separated).
    pub clusters: Vec<String>,
    /// `AWS_REGION`: where the clusters and VPC Lattice are.
    pub region: String,
    /// `AWS_ACCOUNT_ID`: the account of the `ManagedBy` tag; from the cluster ARN when unset.
    pub account_id: Option<String>,
    /// `CLUSTER_VPC_ID`: the VPC of the `ManagedBy` tag; from `resourcesVpcConfig` when unset.
    pub vpc_id: Option<String>,
    /// `QUEUE_URL`: the SQS FIFO queue of reconcile requests (the audit function needs it; the
    /// sweep hands it the clusters it has no time left for).
    pub queue_url: Option<String>,
    /// `KUBECONFIG`: reach the clusters through this kubeconfig (its current context) instead of
    /// `eks:DescribeCluster`; for local runs. Then `AWS_ACCOUNT_ID` and `CLUSTER_VPC_ID` are required.
    pub kubeconfig: Option<PathBuf>,
    /// `LATTICE_TPS`: client-side request rate limit against VPC Lattice (0: none).
    pub lattice_tps: u32,
    /// `LATTICE_MAX_ATTEMPTS`: attempts per VPC Lattice call (at least 1).
    pub lattice_max_attempts: u32,
    /// `LATTICE_CONCURRENCY`: most VPC Lattice calls in flight at once (1 to 64): the detail
    /// reads of the inventory, and independent actions of one step of a plan. Every call still
    /// waits for the `LATTICE_TPS` rate limit.
    pub lattice_concurrency: u32,
    /// `RECONCILER_USERNAME`: the Kubernetes username our own writes carry; the audit function
    /// ignores its events.
    pub reconciler_username: String,
    /// `DEADLINE_MARGIN_MS`: no new cluster, and no new VPC Lattice action, is started with less
    /// time than this before the deadline; the work left is handed to the queue.
    pub deadline_margin: Duration,
    /// `READINESS_WAIT_MS`: after its runs, an invocation checks gated pods that are not ready yet
    /// again for at most this long (never past the deadline margin); 0 turns the wait off.
    pub readiness_wait: Duration,
    /// `READINESS_POLL_MS`: the time between two such checks (at least 100 ms).
    pub readiness_poll: Duration,
    /// `AWS_LAMBDA_LOG_FORMAT=JSON`: JSON log lines.
    pub json_logs: bool,
    /// `DEFAULT_SERVICE_NETWORK`: a service network created when missing and associated with
    /// each cluster's VPC.
    pub default_service_network: Option<String>,
    /// `ENABLE_SERVICE_NETWORK_OVERRIDE=true`: every Gateway maps to the default service network.
    pub service_network_override: bool,
    /// `READINESS_WEBHOOK_URL`: the readiness gate webhook function's URL (`https://`). Set, whole-cluster
    /// runs keep the `MutatingWebhookConfiguration` that sends new pods behind our target groups to it;
    /// unset, they delete ours.
    pub readiness_webhook_url: Option<String>,
    /// `GC_MAX_DELETE_PERCENT`: the most one run may delete, in percent of the services and target
    /// groups it owns in scope (0–100); more is a mass deletion, refused without the override.
    pub gc_max_delete_percent: u8,
    /// `GC_MIN_DELETE`: deletions one run may always make, whatever the share.
    pub gc_min_delete: usize,
}

/// A variable that is missing or malformed.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {variable}: {problem}")]
pub struct ConfigError {
    /// The variable.
    pub variable: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `lookup` (empty values count as unset).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let bad = |variable: &'static str, problem: String| ConfigError { variable, problem };

        let names = get("CLUSTER_NAMES").ok_or_else(|| bad("CLUSTER_NAMES", "not set".into()))?;
        let mut clusters = Vec::new();
        for name in names.split(',').map(str::trim) {
            if !valid_cluster_name(name) {
                return Err(bad("CLUSTER_NAMES", format!("{name:?} is not an EKS cluster name")));
            }
            if !clusters.iter().any(|c| c == name) {
                clusters.push(name.to_owned());
            }
        }
        let region = get("AWS_REGION").ok_or_else(|| bad("AWS_REGION", "not set".into()))?;
        let account_id = get("AWS_ACCOUNT_ID");
        if let Some(account) = &account_id
            && !(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad("AWS_ACCOUNT_ID", format!("{account:?} is not a 12-digit account id")));
        }
        let vpc_id = get("CLUSTER_VPC_ID");
        if let Some(vpc) = &vpc_id
            && !vpc.starts_with("vpc-")
        {
            return Err(bad("CLUSTER_VPC_ID", format!("{vpc:?} is not a VPC id (vpc-...)")));
        }
        let queue_url = get("QUEUE_URL");
        if let Some(url) = &queue_url
            && !url.ends_with(".fifo")
        {
            return Err(bad("QUEUE_URL", format!("{url:?} is not a FIFO queue (its name ends in .fifo)")));
        }
        let kubeconfig = get("KUBECONFIG").map(PathBuf::from);
        if kubeconfig.is_some() {
            if account_id.is_none() {
                return Err(bad("AWS_ACCOUNT_ID", "required when KUBECONFIG is set".into()));
            }
            if vpc_id.is_none() {
                return Err(bad("CLUSTER_VPC_ID", "required when KUBECONFIG is set".into()));
            }
        }
        let number = |variable: &'static str, default: u64| -> Result<u64, ConfigError> {
            get(variable).map_or(Ok(default), |v| {
                v.parse::<u64>().map_err(|_| bad(variable, format!("{v:?} is not a non-negative integer")))
            })
        };
        let small = |variable: &'static str, default: u32| -> Result<u32, ConfigError> {
            u32::try_from(number(variable, u64::from(default))?).map_err(|_| bad(variable, "too large".into()))
        };
        let lattice_tps = small("LATTICE_TPS", DEFAULT_LATTICE_TPS)?;
        let lattice_max_attempts = small("LATTICE_MAX_ATTEMPTS", DEFAULT_LATTICE_MAX_ATTEMPTS)?;
        if lattice_max_attempts == 0 {
            return Err(bad("LATTICE_MAX_ATTEMPTS", "must be at least 1".into()));
        }
        let lattice_concurrency = small("LATTICE_CONCURRENCY", DEFAULT_LATTICE_CONCURRENCY)?;
        if !(1..=MAX_LATTICE_CONCURRENCY).contains(&lattice_concurrency) {
            return Err(bad(
                "LATTICE_CONCURRENCY",
                format!("{lattice_concurrency} is not between 1 and {MAX_LATTICE_CONCURRENCY}"),
            ));
        }
        let reconciler_username = get("RECONCILER_USERNAME").unwrap_or_else(|| DEFAULT_RECONCILER_USERNAME.to_owned());
        let deadline_margin = Duration::from_millis(number("DEADLINE_MARGIN_MS", DEFAULT_DEADLINE_MARGIN_MS)?);
        let readiness_wait = Duration::from_millis(number("READINESS_WAIT_MS", DEFAULT_READINESS_WAIT_MS)?);
        let poll = number("READINESS_POLL_MS", DEFAULT_READINESS_POLL_MS)?;
        if poll < MIN_READINESS_POLL_MS {
            return Err(bad("READINESS_POLL_MS", format!("{poll} is below {MIN_READINESS_POLL_MS}")));
        }
        let readiness_poll = Duration::from_millis(poll);
        let json_logs = get("AWS_LAMBDA_LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json"));
        let default_service_network = get("DEFAULT_SERVICE_NETWORK");
        if let Some(name) = &default_service_network {
            model::names::check_service_network_name(name).map_err(|problem| {
                bad("DEFAULT_SERVICE_NETWORK", format!("{name:?} is not a service network name: it {problem}"))
            })?;
        }
        let service_network_override = match get("ENABLE_SERVICE_NETWORK_OVERRIDE") {
            None => false,
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            Some(v) => return Err(bad("ENABLE_SERVICE_NETWORK_OVERRIDE", format!("{v:?} is neither true nor false"))),
        };
        if service_network_override && default_service_network.is_none() {
            return Err(bad("ENABLE_SERVICE_NETWORK_OVERRIDE", "needs DEFAULT_SERVICE_NETWORK".into()));
        }
        let readiness_webhook_url = get("READINESS_WEBHOOK_URL");
        if let Some(url) = &readiness_webhook_url {
            model::webhook::check_url(url).map_err(|problem| bad("READINESS_WEBHOOK_URL", problem))?;
        }
        let percent = number("GC_MAX_DELETE_PERCENT", u64::from(DEFAULT_GC_MAX_DELETE_PERCENT))?;
        let gc_max_delete_percent = u8::try_from(percent)
            .ok()
            .filter(|p| *p <= 100)
            .ok_or_else(|| bad("GC_MAX_DELETE_PERCENT", format!("{percent} is not a percentage (0 to 100)")))?;
        let gc_min_delete = usize::try_from(number("GC_MIN_DELETE", DEFAULT_GC_MIN_DELETE as u64)?)
            .map_err(|_| bad("GC_MIN_DELETE", "too large".into()))?;
        Ok(Self {
            clusters,
            region,
            account_id,
            vpc_id,
            queue_url,
            kubeconfig,
            lattice_tps,
            lattice_max_attempts,
            lattice_concurrency,
            reconciler_username,
            deadline_margin,
            readiness_wait,
            readiness_poll,
            json_logs,
            default_service_network,
            service_network_override,
            readiness_webhook_url,
            gc_max_delete_percent,
            gc_min_delete,
        })
    }
}

impl Config {
    /// What whole-cluster runs do with the readiness gate webhook configuration: keep it calling
    /// `READINESS_WEBHOOK_URL`, or (unset) delete ours.
    pub fn webhook_setting(&self) -> model::webhook::WebhookSetting {
        match &self.readiness_webhook_url {
            Some(url) => model::webhook::WebhookSetting::Url(url.clone()),
            None => model::webhook::WebhookSetting::Off,
        }
    }
}

/// EKS cluster names: 1–100 characters, alphanumerics, hyphens and underscores, starting with an
/// alphanumeric.
fn valid_cluster_name(name: &str) -> bool {
    (1..=100).contains(&name.len())
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn parse(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: BTreeMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_fill_what_is_unset() {
        let config = parse(&[("CLUSTER_NAMES", "demo, prod ,demo"), ("AWS_REGION", "us-west-2")]).expect("valid");
        assert_eq!(config.clusters, ["demo", "prod"]);
        assert_eq!(config.lattice_tps, 10);
        assert_eq!(config.lattice_max_attempts, 5);
        assert_eq!(config.lattice_concurrency, 4);
        assert_eq!(config.reconciler_username, "lattice-reconciler");
        assert_eq!(config.deadline_margin, Duration::from_secs(20));
        assert_eq!((config.readiness_wait, config.readiness_poll), (Duration::from_secs(60), Duration::from_secs(5)));
        assert_eq!(config.queue_url, None);
        assert!(!config.json_logs);
        assert_eq!((config.gc_max_delete_percent, config.gc_min_delete), (50, 2));
    }

    #[test]
    fn every_error_names_its_variable() {
        // Each case overrides the valid base; an empty value counts as unset.
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("CLUSTER_NAMES", "")], "CLUSTER_NAMES"),
            (&[("AWS_REGION", "")], "AWS_REGION"),
            (&[("CLUSTER_NAMES", "a,,b")], "CLUSTER_NAMES"),
            (&[("AWS_ACCOUNT_ID", "12")], "AWS_ACCOUNT_ID"),
            (&[("CLUSTER_VPC_ID", "subnet-1")], "CLUSTER_VPC_ID"),
            (&[("QUEUE_URL", "https://sqs/q")], "QUEUE_URL"),
            (&[("LATTICE_TPS", "fast")], "LATTICE_TPS"),
            (&[("LATTICE_MAX_ATTEMPTS", "0")], "LATTICE_MAX_ATTEMPTS"),
            (&[("LATTICE_CONCURRENCY", "0")], "LATTICE_CONCURRENCY"),
            (&[("LATTICE_CONCURRENCY", "65")], "LATTICE_CONCURRENCY"),
            (&[("LATTICE_CONCURRENCY", "many")], "LATTICE_CONCURRENCY"),
            (&[("DEADLINE_MARGIN_MS", "-1")], "DEADLINE_MARGIN_MS"),
            (&[("READINESS_WAIT_MS", "soon")], "READINESS_WAIT_MS"),
            (&[("READINESS_POLL_MS", "10")], "READINESS_POLL_MS"),
            (&[("KUBECONFIG", "/k")], "AWS_ACCOUNT_ID"),
            (&[("KUBECONFIG", "/k"), ("AWS_ACCOUNT_ID", "123456789012")], "CLUSTER_VPC_ID"),
            (&[("DEFAULT_SERVICE_NETWORK", "My_Network")], "DEFAULT_SERVICE_NETWORK"),
            (&[("ENABLE_SERVICE_NETWORK_OVERRIDE", "yes")], "ENABLE_SERVICE_NETWORK_OVERRIDE"),
            (&[("ENABLE_SERVICE_NETWORK_OVERRIDE", "true")], "ENABLE_SERVICE_NETWORK_OVERRIDE"),
            (&[("READINESS_WEBHOOK_URL", "http://hook.example/")], "READINESS_WEBHOOK_URL"),
            (&[("GC_MAX_DELETE_PERCENT", "101")], "GC_MAX_DELETE_PERCENT"),
            (&[("GC_MAX_DELETE_PERCENT", "half")], "GC_MAX_DELETE_PERCENT"),
            (&[("GC_MIN_DELETE", "-3")], "GC_MIN_DELETE"),
        ];
        for (overrides, variable) in cases {
            let mut vars = vec![("CLUSTER_NAMES", "demo"), ("AWS_REGION", "us-west-2")];
            vars.extend_from_slice(overrides);
            let error = parse(&vars).expect_err(variable);
            assert_eq!(error.variable, *variable, "{overrides:?}: {error}");
            assert!(error.to_string().starts_with(&format!("environment variable {variable}:")), "{error}");
        }
    }

    #[test]
    fn the_default_service_network_and_override_mode() {
        let base = [("CLUSTER_NAMES", "demo"), ("AWS_REGION", "us-west-2")];
        let config = parse(&base).expect("valid");
        assert_eq!((config.default_service_network, config.service_network_override), (None, false));
        let mut vars = base.to_vec();
        vars.extend([("DEFAULT_SERVICE_NETWORK", "platform"), ("ENABLE_SERVICE_NETWORK_OVERRIDE", "TRUE")]);
        let config = parse(&vars).expect("valid");
        assert_eq!(config.default_service_network.as_deref(), Some("platform"));
        assert!(config.service_network_override);
    }

    #[test]
    fn the_readiness_webhook_url_decides_the_webhook_setting() {
        use model::webhook::WebhookSetting;
        let base = [("CLUSTER_NAMES", "demo"), ("AWS_REGION", "us-west-2")];
        assert_eq!(parse(&base).expect("valid").webhook_setting(), WebhookSetting::Off);
        let url = "https://abc.lambda-url.us-west-2.on.aws/";
        let mut vars = base.to_vec();
        vars.push(("READINESS_WEBHOOK_URL", url));
        assert_eq!(parse(&vars).expect("valid").webhook_setting(), WebhookSetting::Url(url.into()));
    }

    #[test]
    fn json_logs_follow_the_lambda_log_format() {
        let config = parse(&[("CLUSTER_NAMES", "demo"), ("AWS_REGION", "r"), ("AWS_LAMBDA_LOG_FORMAT", "JSON")]);
        assert!(config.expect("valid").json_logs);
    }
}
