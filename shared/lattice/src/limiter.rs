//! Client-side rate limit: a token bucket that every HTTP attempt draws from.
//!
//! The bucket wraps the SDK's HTTP connector rather than sitting in an interceptor: interceptor
//! hooks are synchronous, so waiting there would block a runtime thread, while the connector's
//! future is awaited once per attempt (first tries and SDK retries alike) and can sleep without
//! blocking anything. Wrapping each `send()` instead would let SDK retries bypass the limit.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::shared::IntoShared;
use tokio::time::Instant;

/// A token bucket refilled at `rate` tokens per second up to `burst` tokens.
///
/// Callers reserve a token and wait until it is due, so waiting callers are served in the order
/// they arrived and the long-run rate never exceeds `rate`.
#[derive(Debug)]
pub(crate) struct TokenBucket {
    rate: f64,
    burst: f64,
    state: Mutex<BucketState>,
}

#[derive(Debug)]
struct BucketState {
    /// Tokens available now; negative when callers hold reservations for future tokens.
    tokens: f64,
    /// When `tokens` was last brought up to date.
    updated: Instant,
}

impl TokenBucket {
    /// A full bucket of `per_second` tokens refilled at `per_second` tokens per second; `None`
    /// when `per_second` is 0 (no limit).
    pub(crate) fn new(per_second: u32) -> Option<Self> {
        (per_second > 0).then(|| {
            let rate = f64::from(per_second);
            Self { rate, burst: rate, state: Mutex::new(BucketState { tokens: rate, updated: Instant::now() }) }
        })
    }

    /// Takes one token and returns how long the caller must wait before using it.
    pub(crate) fn reserve(&self) -> Duration {
        self.reserve_at(Instant::now())
    }

    fn reserve_at(&self, now: Instant) -> Duration {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let elapsed = now.saturating_duration_since(state.updated).as_secs_f64();
        state.tokens = (state.tokens + elapsed * self.rate).min(self.burst);
        state.updated = now;
        state.tokens -= 1.0;
        if state.tokens >= 0.0 { Duration::ZERO } else { Duration::from_secs_f64(-state.tokens / self.rate) }
    }

    /// Waits until a token is available and takes it.
    pub(crate) async fn acquire(&self) {
        let wait = self.reserve();
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// An HTTP client whose connectors take a token from the bucket before every request.
#[derive(Debug, Clone)]
pub(crate) struct RateLimitedClient {
    inner: SharedHttpClient,
    bucket: Arc<TokenBucket>,
}

impl RateLimitedClient {
    /// Wraps `inner` (or the SDK's default HTTPS client when `None`).
    pub(crate) fn new(inner: Option<SharedHttpClient>, bucket: Arc<TokenBucket>) -> Self {
        Self { inner: inner.unwrap_or_else(default_https_client), bucket }
    }
}

impl HttpClient for RateLimitedClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        let inner = self.inner.http_connector(settings, components);
        RateLimitedConnector { inner, bucket: Arc::clone(&self.bucket) }.into_shared()
    }

    fn connector_metadata(&self) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct RateLimitedConnector {
    inner: SharedHttpConnector,
    bucket: Arc<TokenBucket>,
}

impl HttpConnector for RateLimitedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let bucket = Arc::clone(&self.bucket);
        HttpConnectorFuture::new(async move {
            bucket.acquire().await;
            inner.call(request).await
        })
    }
}

/// The HTTPS client the SDK builds by default (hyper 1, rustls with aws-lc, proxy settings from
/// the environment), built here so that it can be wrapped.
fn default_https_client() -> SharedHttpClient {
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_serves_its_burst_then_spaces_callers_at_the_rate() {
        let bucket = TokenBucket::new(4).expect("limited");
        let start = Instant::now();
        let waits: Vec<Duration> = (0..6).map(|_| bucket.reserve_at(start)).collect();
        assert_eq!(&waits[..4], &[Duration::ZERO; 4]);
        assert_eq!(waits[4], Duration::from_millis(250));
        assert_eq!(waits[5], Duration::from_millis(500));
        // A second later one token has come back, and the two reservations are paid off.
        let later = start + Duration::from_secs(2);
        assert_eq!(bucket.reserve_at(later), Duration::ZERO);
    }

    #[test]
    fn the_bucket_never_holds_more_than_its_burst() {
        let bucket = TokenBucket::new(2).expect("limited");
        let later = Instant::now() + Duration::from_secs(60);
        let waits: Vec<Duration> = (0..3).map(|_| bucket.reserve_at(later)).collect();
        assert_eq!(waits, [Duration::ZERO, Duration::ZERO, Duration::from_millis(500)]);
    }

    #[test]
    fn zero_means_unlimited() {
        assert!(TokenBucket::new(0).is_none());
    }
}
