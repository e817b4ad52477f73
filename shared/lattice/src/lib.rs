//! Placeholder replaced by the adapter.
