//! A local Amazon VPC Lattice emulator that speaks the real restJson1 wire protocol, so the unmodified
//! AWS SDKs (Rust, Go, boto3, the AWS CLI) can be pointed at it with an endpoint URL.
//!
//! # What it owns
//! The control plane a Gateway API reconciler uses: service networks, services, listeners, rules
//! (with `BatchUpdateRule` and the implicit default rule), target groups and targets, service network
//! associations with services and VPCs, auth and resource policies, access log subscriptions and tags.
//! On the same port it also answers the Resource Groups Tagging API (`GetResources`, `TagResources`,
//! `UntagResources`; awsJson1_1 on `POST /`), ACM `ListCertificates` (awsJson1_1, certificates
//! seeded with `--certificate` or `POST /_sim/certificates`) and EKS `DescribeCluster`/`ListClusters`.
//!
//! It is written from the API reference alone and depends on no other crate of the workspace, so that
//! the emulator and the Lattice adapter check each other instead of sharing a mistake.
//!
//! # How a request flows
//! `server` accepts the connection and counts the call by operation name; `faults` may delay, throttle
//! (429, never on `ListTagsForResource`/`UntagResource`) or fail it (500); `router` maps the method and
//! the percent-decoded path segments (an ARN label stays one segment) to an operation; the resource
//! module validates the request against the model's constraints (`validate`, `patterns`), resolves
//! identifiers (ID or ARN), applies conflict and quota rules and mutates `state`; creates with a
//! `clientToken` are answered from the idempotency cache when repeated. Asynchronous resources
//! (services, target groups, associations) move out of `*_IN_PROGRESS` once the configured transition
//! delay has passed, evaluated at the next request. With a state file, the state is saved after every
//! mutating request.
//!
//! # Embedding
//! ```no_run
//! # async fn demo() -> Result<(), lattice_sim::Error> {
//! use lattice_sim::{SimConfig, start};
//! let sim = start(SimConfig::default(), "127.0.0.1:0".parse().expect("address")).await?;
//! let (sn_id, sn_arn) = sim.seed_service_network("my-network", &Default::default())?;
//! // Point an SDK at sim.endpoint(), then inspect sim.calls().
//! sim.shutdown().await;
//! # let _ = (sn_id, sn_arn);
//! # Ok(()) }
//! ```
//!
//! # Admin surface (not AWS)
//! `GET|PUT /_sim/faults` (`{"throttleRate","errorRate","latencyMs","failAfter","commitFailures",
//! "createFailures","spikeRate","spikeMs","listLag","listLagMs"}`; absent keys unchanged, `"failAfter": null` clears it), `GET|DELETE /_sim/calls`,
//! `PUT /_sim/target-health` (`{"targetGroupIdentifier","id","port","status","reasonCode"}`: a target
//! of a group in use with health checks on reports `HEALTHY`, `UNHEALTHY` or `INITIAL` as scripted;
//! `"status": null` clears it), `GET /_sim/state`, `GET|POST /_sim/certificates` (seed an ACM
//! certificate from a [`CertificateSpec`] as JSON; answers `{"certificateArn"}`).

#![forbid(unsafe_code)]

mod access_logs;
mod acm;
mod actions;
mod admin;
mod associations;
mod config;
mod ctx;
mod eks;
mod error;
mod errors;
mod faults;
mod health;
mod lag;
mod listeners;
mod matches;
mod pagination;
mod patterns;
mod persist;
mod policies;
mod records;
mod router;
mod rules;
mod scripted;
mod server;
mod service_networks;
mod services;
mod state;
mod tagging_api;
mod tags;
mod target_groups;
mod targets;
mod validate;
mod vpc_associations;
mod wire;

pub use acm::CertificateSpec;
pub use config::{ClusterConfig, Faults, Quotas, SimConfig};
pub use error::Error;
pub use server::{RunningSim, start};
