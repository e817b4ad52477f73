//! The cluster side of the controller: reaching an EKS cluster's Kubernetes API, reading the Gateway API
//! objects and what they refer to, and writing their status back.
//!
//! It owns:
//!
//! - **who we are**: a bearer token (`k8s-aws-v1.…`) minted locally from AWS credentials by presigning an STS
//!   `GetCallerIdentity` request, byte-identical to what `aws eks get-token` prints ([`token`]), plus a
//!   [`TokenSource`] that caches it and mints a new one before the API server stops accepting it;
//! - **where the cluster is**: its HTTPS endpoint and CA bundle, read once with `eks:DescribeCluster`
//!   ([`describe`]);
//! - **the client** ([`Cluster`]): kube's client built from a kubeconfig, or from the endpoint, the CA and a
//!   token set on every request as it leaves, so a warm Lambda never sends an expired one;
//! - **reading** ([`Cluster::snapshot`], [`Cluster::snapshot_for_route`]): raw JSON lists and gets, converted
//!   object by object with the manifest reader's conversion into a [`model::snapshot::ClusterSnapshot`]; an
//!   object that cannot be converted is reported, a group that is not installed is empty, and any other
//!   failure is an error, never a partial snapshot;
//! - **writing** ([`Cluster::write_status`]): read fresh, merge our status into it, `PUT /status` with its
//!   `resourceVersion` only when more than timestamps change, retry on conflict; annotations by merge patch;
//! - **DNS records** ([`Cluster::sync_dns_endpoints`]): external-dns `DNSEndpoint`s of routes with a custom
//!   domain name, where that CRD is installed;
//! - **readiness gates** ([`Cluster::pod_gate`], [`Cluster::set_pod_gate`]): pods read by name, their gate
//!   condition written through `pods/status`;
//! - **the readiness gate webhook** ([`Cluster::sync_readiness_webhook`]): the `MutatingWebhookConfiguration`
//!   that sends new pods behind our target groups to the webhook function.
//!
//! It depends on `model` (snapshot and status types, condition merging) and `manifests` (conversion), never on
//! the reconciler, the Lattice adapter or the Lambda runtime; the reconciler's capabilities are implemented over
//! [`Cluster`] where they are defined. Nothing here reads environment variables; time comes from the caller
//! ([`TokenSource::token`], [`Clock`]) except in [`TokenSource::token_now`] and [`system_clock`].
//!
//! Data flow: `SdkConfig` → [`describe_cluster`] (endpoint, CA) and [`TokenSource`] → [`Cluster::eks`] →
//! discovery (once per group version) → paginated lists or gets → `manifests::add_object` → [`ReadResult`];
//! core → [`model::status::StatusEntry`]s → [`pending_status`] (optional) → [`Cluster::write_status`] →
//! [`WriteReport`].
#![forbid(unsafe_code)]

mod auth;
mod client;
pub mod describe;
mod dns;
mod error;
mod pods;
mod read;
pub mod token;
mod webhook;
mod write;

pub use auth::{Clock, system_clock};
pub use client::{Cluster, DEFAULT_PAGE_SIZE};
pub use describe::{ClusterEndpoint, describe_cluster};
pub use error::Error;
pub use read::ReadResult;
pub use token::{ExecApiVersion, ExecCredential, StsEndpoint, TokenSource, eks_token};
pub use write::{WriteReport, pending_status};
