//! Access to an Amazon EKS cluster's Kubernetes API without a kubeconfig.
//!
//! This crate owns the two facts a client needs to talk to an EKS API server from a Lambda function:
//!
//! - **who we are**: a bearer token (`k8s-aws-v1.…`) minted locally from AWS credentials by presigning an STS
//!   `GetCallerIdentity` request, byte-identical to what `aws eks get-token` prints ([`token`]), plus a
//!   [`TokenSource`] that caches it and mints a new one before the API server stops accepting it;
//! - **where the cluster is**: its HTTPS endpoint and CA bundle, read once with `eks:DescribeCluster`
//!   ([`describe`]).
//!
//! It must not depend on a Kubernetes client, on the Gateway API model or on the Lattice adapter: the binary that
//! builds the Kubernetes client combines these values. Nothing here reads environment variables or the clock
//! except [`TokenSource::token_now`]; callers pass `now` and configuration in.
//!
//! Data flow: `SdkConfig` credentials → [`TokenSource::token`] → [`token::eks_token`] (SigV4 presign, no network)
//! → `Authorization: Bearer <token>`; `aws_sdk_eks::Client` → [`describe::describe_cluster`] →
//! [`ClusterEndpoint`] (endpoint URL and PEM CA for TLS).
#![forbid(unsafe_code)]

mod auth;
mod client;
pub mod describe;
mod error;
mod read;
pub mod token;
mod write;

pub use auth::{Clock, system_clock};
pub use client::{Cluster, DEFAULT_PAGE_SIZE};
pub use describe::{ClusterEndpoint, describe_cluster};
pub use error::Error;
pub use read::ReadResult;
pub use token::{ExecApiVersion, ExecCredential, StsEndpoint, TokenSource, eks_token};
pub use write::WriteReport;
