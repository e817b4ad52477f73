//! What the three Lambda functions (`sweep`, `reconcile`, `audit`) share, so that each `main` is a
//! few lines: read the [`Config`] once at cold start, build the [`Clients`] once, hand a closure to
//! the runtime.
//!
//! It owns:
//!
//! - **configuration** ([`config`]): environment variables parsed and validated into a typed
//!   struct, with errors naming the variable;
//! - **clients** ([`Clients`]): one `lattice::Lattice`, one SQS client, and one
//!   `cluster::Cluster` per configured cluster, connected on first use and cached for the life of
//!   the sandbox;
//! - **keys** ([`Key`]): `{cluster, kind, namespace, name}`, the unit of work that travels through
//!   the queue, and how a key narrows a reconcile ([`Key::read_scope`]);
//! - **runs** ([`run_key`]): one scoped reconcile and its [`Summary`];
//! - **deadlines** ([`deadline_budget`], [`hand_off`]): a run starts no Lattice action within
//!   `DEADLINE_MARGIN_MS` of the Lambda deadline, and what it left goes to the queue as keys;
//! - **readiness** ([`settle`]): gated pods a run left not ready, checked again within a bounded
//!   wait, and the routes of those still `INITIAL` put back on the queue;
//! - **the queue** ([`queue`]): FIFO messages with group and deduplication ids, sent in batches;
//! - **metrics** ([`metrics`]): CloudWatch Embedded Metric Format lines on stdout;
//! - **errors** ([`Error`]): one enum whose variants name the failed operation, mapped to the stable
//!   Lambda error types `InvalidInput`, `Retryable` and `Fatal`.
//!
//! It depends on the reconciler and its adapters (`lattice`, `cluster`), never on an event type:
//! each function parses its own events and calls in here. Only [`Config::from_env`] and
//! [`init_logging`] look at the process environment, and only `main` calls them.
//!
//! Data flow: environment → [`Config`] → [`Clients`] → per event: [`Key`] → [`run_key`]
//! (`reconciler::run_cluster`) → [`Summary`] → [`metrics::emit`]; or [`Key`] → [`queue::send_keys`].
#![forbid(unsafe_code)]

mod clients;
pub mod config;
mod error;
mod handoff;
mod key;
pub mod metrics;
pub mod queue;
mod readiness;
mod run;

pub use clients::{Clients, ConnectedCluster, adapter_config};
pub use config::Config;
pub use error::{Error, ErrorType};
pub use handoff::{MAX_SCOPED_KEYS, deadline_budget, hand_off, keys_for};
pub use key::{Key, ROUTE_KINDS};
pub use queue::Message;
pub use readiness::{Settled, WaitingPods, requeue_keys, settle};
pub use run::{Summary, run_key, run_key_allowing, run_key_waiting, run_key_within};

/// Crates whose TRACE and DEBUG output carries secrets, and the most they may log: `aws_sigv4`
/// traces canonical requests, whose query strings hold the session token of presigned requests
/// (the EKS bearer token is one); `hyper` and `h2` trace raw headers (`Authorization`).
pub const SECRET_BEARING_TARGETS: [(&str, &str); 3] = [("aws_sigv4", "info"), ("hyper", "info"), ("h2", "info")];

/// The log filter for `spec` (a `RUST_LOG` value), with [`SECRET_BEARING_TARGETS`] capped whatever
/// `spec` asks for. An unparsable spec falls back to `info`.
pub fn log_filter(spec: &str) -> tracing_subscriber::EnvFilter {
    let mut filter =
        tracing_subscriber::EnvFilter::try_new(spec).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    for (target, level) in SECRET_BEARING_TARGETS {
        if let Ok(directive) = format!("{target}={level}").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// Installs the global `tracing` subscriber: JSON lines when `json` (Lambda's
/// `AWS_LAMBDA_LOG_FORMAT=JSON`), plain text otherwise; the level from `RUST_LOG` (`info` when
/// unset), never more than [`SECRET_BEARING_TARGETS`] allow.
pub fn init_logging(json: bool) {
    let spec = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    let filter = log_filter(&spec);
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).without_time();
    let _ = if json {
        builder.json().with_current_span(true).flatten_event(true).try_init()
    } else {
        builder.with_ansi(false).try_init()
    };
}
