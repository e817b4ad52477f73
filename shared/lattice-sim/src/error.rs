//! The library's error type.

use std::net::SocketAddr;
use std::path::PathBuf;

/// What can go wrong when configuring, starting or seeding an emulator.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration value is unusable.
    #[error("invalid configuration of {field}: {reason}")]
    InvalidConfig {
        /// The offending setting.
        field: &'static str,
        /// Why it is unusable.
        reason: String,
    },
    /// The listening socket could not be bound.
    #[error("failed to bind {addr}")]
    Bind {
        /// The requested address.
        addr: SocketAddr,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The state file exists but could not be read.
    #[error("failed to read state file {path}")]
    ReadState {
        /// The state file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The state file is not a state saved by this emulator.
    #[error("failed to parse state file {path}")]
    ParseState {
        /// The state file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// The state file could not be written.
    #[error("failed to write state file {path}")]
    WriteState {
        /// The state file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A certificate to seed is not valid.
    #[error("failed to seed a certificate for {domain}: {reason}")]
    SeedCertificate {
        /// The certificate's domain name.
        domain: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Seeding a service network was refused by the same rules the API applies.
    #[error("failed to seed service network {name}: {code}: {message}")]
    SeedServiceNetwork {
        /// The requested name.
        name: String,
        /// The API error code the request would have received.
        code: &'static str,
        /// The API error message.
        message: String,
    },
}
