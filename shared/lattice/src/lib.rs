//! The VPC Lattice adapter: the only crate that talks to VPC Lattice, the Resource Groups
//! Tagging API and ACM (whose issued certificates HTTPS listeners without a certificate use,
//! [`Lattice::certificates`]).
//!
//! It owns three things: reading the Lattice inventory this controller manages
//! ([`Lattice::observe`] → [`model::observed::ObservedState`]), executing a
//! [`model::plan::Plan`] against the real API ([`Lattice::apply`] → [`ApplyReport`]), and the
//! economics of doing so (a client-side rate limit, SDK retries, bounded concurrency and a count
//! of every request attempt by operation, [`Lattice::calls`]).
//!
//! It makes no decisions: what should exist, and which calls get there, come from the pure
//! `model` crate. It depends on `model` and the AWS SDK only, never on Kubernetes or on the
//! emulator (which is a test dependency, so that the two check each other).
//!
//! Data flow: `GetResources` (everything tagged with our `ManagedBy`, with tags, in bulk) +
//! `List*`/`Get*` of what we own → SDK values converted once into model types → `ObservedState`.
//! Then `model::plan::plan` → `Plan` → [`Lattice::apply`], which resolves names to ids against
//! the `ObservedState`, performs the calls in plan order (independent ones concurrently), and
//! updates the `ObservedState` from the responses the way `model::plan::memory` would, so that
//! the caller can compute status without observing again.

#![forbid(unsafe_code)]

mod apply;
mod client;
mod error;
mod limiter;
mod metrics;
mod observe;

pub use apply::{ApplyReport, Failure};
pub use client::{AdapterConfig, Lattice, load_sdk_config};
pub use error::{AcmError, Error, LatticeError, TaggingError};
