//! The pure core of the controller.
//!
//! It owns the whole decision: which Gateway API objects are ours, what VPC Lattice state they
//! call for, what status each object gets, and which Lattice calls turn an observed state into
//! the desired one. It depends on no AWS or Kubernetes client and performs no I/O: callers hand
//! in a [`snapshot::ClusterSnapshot`] and an [`observed::ObservedState`], and get back plain data.
//!
//! Data flow: `ClusterSnapshot` → [`translate::translate`] → desired [`lattice::DesiredState`] +
//! [`status::StatusEntry`]s → [`plan::plan`] against the `ObservedState` → ordered
//! [`plan::Action`]s for an executor. [`plan::memory`] is such an executor over an in-memory
//! `ObservedState`, for tests and simulations.

pub mod annotations;
pub mod attach;
pub mod backends;
pub mod budget;
pub mod certificates;
pub mod conditions;
pub mod config;
pub mod dns;
pub mod exports;
pub mod fingerprint;
pub mod gateway;
pub mod grants;
pub mod hostnames;
pub mod imports;
pub mod index;
pub mod lattice;
pub mod names;
pub mod networks;
pub mod observed;
pub mod plan;
pub mod policy;
pub mod precedence;
pub mod protect;
pub mod readiness;
pub mod route;
pub mod snapshot;
pub mod status;
#[cfg(test)]
mod testing;
pub mod translate;
pub mod webhook;
