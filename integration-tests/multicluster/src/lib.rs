//! What the existing controller (the AWS Gateway API controller's pod) leaves in VPC Lattice,
//! rebuilt through the real VPC Lattice SDK with that controller's names, tags and settings, so
//! that tests can check that this project adopts it without re-creating anything.
//!
//! It shares nothing with the `model` crate on purpose: names, tag keys and configuration are
//! written here as the existing controller writes them, so that a mistake in our constants
//! shows up as a test failure instead of being agreed with.
//!
//! [`Anchor`] offers one building block per kind of resource (target groups of routes and of
//! ServiceExports, services with their associations, listeners, rules); [`seed_hotel`] composes
//! them into what the controller creates for the hotel example; the policy kinds' resources (auth
//! policies, access log subscriptions, health checks, VPC associations) are added after `seed_hotel`.

#![forbid(unsafe_code)]

mod hotel;
mod policies;
mod seed;

pub use hotel::{ExportSeed, HOTEL_NETWORK, HotelSeed, seed_hotel, seed_review_export};
pub use policies::HealthCheckSeed;
pub use seed::{Anchor, Created, Error, Identity, RouteRef, RuleSeed};
