//! The diff: `plan(desired, observed, scope)` returns the ordered Lattice calls that make the
//! observed state equal the desired state, touching only resources tagged with our `ManagedBy`.

pub mod action;

pub use action::Action;
