//! The adapter's clients, built once from an [`SdkConfig`]: VPC Lattice, the Resource Groups
//! Tagging API and ACM, sharing one rate limit and one set of call counts.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_vpclattice::config::retry::{RetryPartition, TokenBucket as RetryTokenBucket};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::limiter::{RateLimitedClient, TokenBucket};
use crate::metrics::{CallCounts, CountAttempts};

/// How the adapter paces, retries and waits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdapterConfig {
    /// Most calls in flight at once, in `observe` and for independent actions in `apply`.
    pub max_concurrency: usize,
    /// Client-side rate limit in requests per second, with a burst of as many; 0 turns it off.
    /// Every attempt, retries included, takes a token.
    pub tps: u32,
    /// Most attempts per mutating call (standard retry mode: exponential backoff with jitter).
    pub max_attempts: u32,
    /// Most attempts per read in `observe`: reads are idempotent and one failed read fails the
    /// whole inventory, so they get more attempts (never fewer than `max_attempts`).
    pub read_attempts: u32,
    /// Backoff before the first SDK retry; later retries back off exponentially from it.
    pub initial_backoff: Duration,
    /// How long an action waits for a resource that is still `*_IN_PROGRESS` before it is left
    /// pending for the next run.
    pub pending_wait: Duration,
    /// Distinguishes the idempotency tokens of this process's runs from those of earlier
    /// processes; see [`crate::apply`].
    pub token_seed: u64,
}

impl Default for AdapterConfig {
    fn default() -> Self {
        let seed = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        Self {
            max_concurrency: 4,
            tps: 10,
            max_attempts: 5,
            read_attempts: 10,
            initial_backoff: Duration::from_secs(1),
            pending_wait: Duration::from_secs(10),
            token_seed: seed,
        }
    }
}

/// Loads the SDK configuration the standard way (environment, profiles, `AWS_ENDPOINT_URL*`,
/// credentials chain), pointing every client at `endpoint` and using `region` when given.
pub async fn load_sdk_config(endpoint: Option<&str>, region: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_owned()));
    }
    loader.load().await
}

/// The VPC Lattice adapter: reads the inventory ([`Lattice::observe`]) and executes plans
/// ([`Lattice::apply`]). Cheap to clone; clones share clients, rate limit and call counts.
#[derive(Clone, Debug)]
pub struct Lattice {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) lattice: aws_sdk_vpclattice::Client,
    /// VPC Lattice client for `observe`, with more attempts.
    pub(crate) lattice_read: aws_sdk_vpclattice::Client,
    /// Tagging API client (only read, by `observe`).
    pub(crate) tagging: aws_sdk_resourcegroupstagging::Client,
    /// ACM client (only read, by `certificates`).
    pub(crate) acm: aws_sdk_acm::Client,
    pub(crate) config: AdapterConfig,
    calls: Arc<CallCounts>,
    runs: AtomicU64,
}

impl Lattice {
    /// Builds both clients from `sdk`, with the retry policy, rate limit and call counting of
    /// `config`.
    pub fn new(sdk: &SdkConfig, config: AdapterConfig) -> Self {
        let calls = Arc::new(CallCounts::default());
        let counter = CountAttempts(Arc::clone(&calls));
        // Retries are bounded by attempts and paced by our own rate limit; the SDK's retry quota
        // would stop retrying in exactly the throttling storms the retries are for.
        let partition =
            RetryPartition::custom("vpc-lattice-reconciler").token_bucket(RetryTokenBucket::unlimited()).build();
        let retry = |attempts: u32| {
            RetryConfig::standard().with_max_attempts(attempts.max(1)).with_initial_backoff(config.initial_backoff)
        };
        let bucket = TokenBucket::new(config.tps).map(Arc::new);
        let build = |attempts: u32| {
            let mut lattice = aws_sdk_vpclattice::config::Builder::from(sdk)
                .retry_config(retry(attempts))
                .retry_partition(partition.clone())
                .interceptor(counter.clone());
            let mut tagging = aws_sdk_resourcegroupstagging::config::Builder::from(sdk)
                .retry_config(retry(attempts))
                .retry_partition(partition.clone())
                .interceptor(counter.clone());
            let mut acm = aws_sdk_acm::config::Builder::from(sdk)
                .retry_config(retry(attempts))
                .retry_partition(partition.clone())
                .interceptor(counter.clone());
            if let Some(bucket) = &bucket {
                let client = RateLimitedClient::new(sdk.http_client(), Arc::clone(bucket));
                lattice = lattice.http_client(client.clone());
                tagging = tagging.http_client(client.clone());
                acm = acm.http_client(client);
            }
            (
                aws_sdk_vpclattice::Client::from_conf(lattice.build()),
                aws_sdk_resourcegroupstagging::Client::from_conf(tagging.build()),
                aws_sdk_acm::Client::from_conf(acm.build()),
            )
        };
        let (lattice, _, _) = build(config.max_attempts);
        let (lattice_read, tagging, acm) = build(config.read_attempts.max(config.max_attempts));
        let inner = Inner { lattice, lattice_read, tagging, acm, config, calls, runs: AtomicU64::new(0) };
        Self { inner: Arc::new(inner) }
    }

    /// Request attempts made so far (retries and failures included), by operation name.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.inner.calls.snapshot()
    }

    /// The configuration the adapter was built with.
    pub fn config(&self) -> &AdapterConfig {
        &self.inner.config
    }

    /// A number that differs for every `apply` of this process.
    pub(crate) fn next_run(&self) -> u64 {
        self.inner.runs.fetch_add(1, Ordering::Relaxed)
    }

    /// Runs `f` on every item with at most `max_concurrency` running at once; results come
    /// back in the order of the items.
    pub(crate) async fn bounded<T, F, Fut>(&self, items: Vec<T>, f: F) -> Vec<Fut::Output>
    where
        F: Fn(T) -> Fut,
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        let permits = Arc::new(Semaphore::new(self.inner.config.max_concurrency.max(1)));
        let mut set = JoinSet::new();
        let count = items.len();
        for (index, item) in items.into_iter().enumerate() {
            let work = f(item);
            let permits = Arc::clone(&permits);
            set.spawn(async move {
                let _permit = permits.acquire_owned().await.ok();
                (index, work.await)
            });
        }
        let mut done = Vec::with_capacity(count);
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok(result) => done.push(result),
                Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                Err(_) => {}
            }
        }
        done.sort_by_key(|(index, _)| *index);
        done.into_iter().map(|(_, output)| output).collect()
    }
}
