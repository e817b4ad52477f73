//! Call accounting: an SDK interceptor that counts every request attempt by operation name.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Attempts per operation name, shared by every client of one [`crate::Lattice`].
#[derive(Debug, Default)]
pub(crate) struct CallCounts {
    counts: Mutex<BTreeMap<String, u64>>,
}

impl CallCounts {
    pub(crate) fn record(&self, operation: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        *counts.entry(operation.to_owned()).or_default() += 1;
    }

    pub(crate) fn snapshot(&self) -> BTreeMap<String, u64> {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// Counts each attempt (first tries, retries and failed attempts alike) just before it is sent.
#[derive(Debug, Clone)]
pub(crate) struct CountAttempts(pub(crate) Arc<CallCounts>);

impl Intercept for CountAttempts {
    fn name(&self) -> &'static str {
        "CountAttempts"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg.load::<Metadata>().map_or("Unknown", Metadata::name);
        self.0.record(operation);
        Ok(())
    }
}
