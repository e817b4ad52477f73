//! The functions' errors and the stable error types Lambda reports for them.

use std::fmt;

/// A boxed error from an adapter.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The `errorType` a failed invocation reports: stable strings that alarms, retry policies and
/// people can match on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorType {
    /// The event is malformed or names something this deployment does not know: retrying the
    /// same event cannot help.
    InvalidInput,
    /// Something outside us failed (a throttle, a timeout, an API error): the same event may
    /// succeed later.
    Retryable,
    /// The deployment itself is wrong (configuration, permissions): fix it, then retry.
    Fatal,
}

impl ErrorType {
    /// The `errorType` string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "InvalidInput",
            Self::Retryable => "Retryable",
            Self::Fatal => "Fatal",
        }
    }
}

impl fmt::Display for ErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an invocation (or one record of it) failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The payload is not one of the event shapes the function accepts.
    #[error("the event is not {expected}")]
    ParseEvent {
        /// What the function accepts.
        expected: &'static str,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// A key names a cluster that is not in `CLUSTER_NAMES`.
    #[error("unknown cluster {cluster:?}: not one of CLUSTER_NAMES ({known})")]
    UnknownCluster {
        /// The name in the event.
        cluster: String,
        /// The configured names, comma-separated.
        known: String,
    },
    /// A key is incomplete or malformed.
    #[error("invalid key {key}: {problem}")]
    InvalidKey {
        /// The key as received.
        key: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// Connecting to a cluster failed (kubeconfig, `DescribeCluster`, client).
    #[error("connecting to cluster {cluster} failed")]
    ConnectCluster {
        /// The cluster.
        cluster: String,
        /// The client's error.
        #[source]
        source: cluster::Error,
    },
    /// The cluster's identity (account, VPC) is known neither from the configuration nor from EKS.
    #[error("cluster {cluster}: no {missing}; set {variable}")]
    Identity {
        /// The cluster.
        cluster: String,
        /// What is unknown.
        missing: &'static str,
        /// The variable that supplies it.
        variable: &'static str,
    },
    /// Reading the cluster or VPC Lattice failed; nothing was changed.
    #[error("reconciling {scope} of cluster {cluster} failed")]
    Reconcile {
        /// The cluster.
        cluster: String,
        /// What was reconciled.
        scope: String,
        /// The pipeline's error.
        #[source]
        source: reconciler::ClusterError,
    },
    /// The run completed, but some Lattice actions or writes to the cluster (status, DNS records,
    /// readiness gates) failed.
    #[error(
        "reconciling {scope} of cluster {cluster} left {actions_failed} failed Lattice actions and \
         {writes_failed} failed writes to the cluster"
    )]
    Incomplete {
        /// The cluster.
        cluster: String,
        /// What was reconciled.
        scope: String,
        /// Lattice actions that failed or were skipped.
        actions_failed: usize,
        /// Writes to the cluster that failed (status, DNS records, readiness gates).
        writes_failed: usize,
    },
    /// The garbage-collection safety valve refused a mass deletion; the rest of the plan ran.
    #[error("reconciling {scope} of cluster {cluster} refused a mass deletion: {detail}")]
    MassDelete {
        /// The cluster.
        cluster: String,
        /// What was reconciled.
        scope: String,
        /// What would have been deleted, the limit and the override.
        detail: String,
    },
    /// A queue message is larger than any key can be; it is not parsed.
    #[error("the message has {bytes} bytes, more than the {limit} a reconcile request can have")]
    MessageTooLarge {
        /// Its size.
        bytes: usize,
        /// The bound.
        limit: usize,
    },
    /// A queue is needed but `QUEUE_URL` is not set.
    #[error("QUEUE_URL is not set, so {purpose} cannot be queued")]
    NoQueue {
        /// What would have been queued.
        purpose: &'static str,
    },
    /// Sending messages to the queue failed.
    #[error("sending {count} messages to {queue} failed")]
    SendMessages {
        /// The queue URL.
        queue: String,
        /// Messages not sent.
        count: usize,
        /// The SDK's error, or the entries SQS rejected.
        #[source]
        source: BoxError,
    },
}

impl Error {
    /// The stable error type of this error.
    pub fn error_type(&self) -> ErrorType {
        match self {
            Self::ParseEvent { .. }
            | Self::UnknownCluster { .. }
            | Self::InvalidKey { .. }
            | Self::MessageTooLarge { .. } => ErrorType::InvalidInput,
            Self::Identity { .. } | Self::NoQueue { .. } | Self::MassDelete { .. } => ErrorType::Fatal,
            Self::ConnectCluster { source, .. } => match source {
                cluster::Error::LoadKubeconfig { .. } | cluster::Error::SdkConfigIncomplete { .. } => ErrorType::Fatal,
                _ => ErrorType::Retryable,
            },
            Self::Reconcile { .. } | Self::Incomplete { .. } | Self::SendMessages { .. } => ErrorType::Retryable,
        }
    }

    /// The message with every source in the chain, for the invocation's `errorMessage`.
    pub fn full_message(&self) -> String {
        let mut message = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(error) = source {
            message.push_str(": ");
            message.push_str(&error.to_string());
            source = error.source();
        }
        message
    }
}

impl From<Error> for lambda_runtime::Diagnostic {
    fn from(error: Error) -> Self {
        Self { error_type: error.error_type().as_str().to_owned(), error_message: error.full_message() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_stable_types_with_their_context() {
        let unknown = Error::UnknownCluster { cluster: "prod".into(), known: "demo".into() };
        assert_eq!(unknown.error_type(), ErrorType::InvalidInput);
        let diagnostic = lambda_runtime::Diagnostic::from(unknown);
        assert_eq!(diagnostic.error_type, "InvalidInput");
        assert!(diagnostic.error_message.contains("\"prod\""), "{}", diagnostic.error_message);

        let incomplete =
            Error::Incomplete { cluster: "demo".into(), scope: "cluster".into(), actions_failed: 2, writes_failed: 0 };
        assert_eq!(incomplete.error_type(), ErrorType::Retryable);
        assert_eq!(Error::NoQueue { purpose: "clusters" }.error_type(), ErrorType::Fatal);

        let parse = serde_json::from_str::<u8>("x").expect_err("not a number");
        let error = Error::ParseEvent { expected: "an SQS batch", source: parse };
        assert!(
            error.full_message().starts_with("the event is not an SQS batch: expected"),
            "{}",
            error.full_message()
        );
    }
}
