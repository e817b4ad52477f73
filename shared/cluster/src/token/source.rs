//! A cached EKS token that is minted again before the API server stops accepting it.

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};

use super::{StsEndpoint, eks_token};
use crate::error::Error;

/// Age at which a cached token is replaced. The API server accepts a token for 15 minutes after signing, awscli
/// advertises 14 and kube-rs refreshes exec tokens 60 s before that; 10 minutes leaves room for clock skew and
/// for requests that start just before the deadline.
pub const TOKEN_REFRESH_AGE: Duration = Duration::from_secs(10 * 60);

/// Mints EKS tokens for one cluster from a credentials provider and reuses each one while it is fresh.
///
/// Every [`TokenSource::token`] call asks the provider for credentials (so the provider should be cheap or
/// caching, as the SDK's providers are) and mints a new token when the cached one is [`TOKEN_REFRESH_AGE`] old,
/// was minted "in the future" (the clock went back), or was signed with other credentials.
pub struct TokenSource {
    provider: SharedCredentialsProvider,
    sts: StsEndpoint,
    cluster: String,
    cached: Mutex<Option<Cached>>,
}

/// The last token and what it was minted from.
struct Cached {
    token: String,
    minted_at: SystemTime,
    credentials: Credentials,
}

impl TokenSource {
    /// A source for `cluster`, signing with credentials from `provider` for the `sts` endpoint.
    pub fn new(provider: SharedCredentialsProvider, sts: StsEndpoint, cluster: impl Into<String>) -> Self {
        Self { provider, sts, cluster: cluster.into(), cached: Mutex::new(None) }
    }

    /// The cluster the tokens are for.
    pub fn cluster(&self) -> &str {
        &self.cluster
    }

    /// The token to send at `now`: the cached one while it is fresh and the credentials are unchanged, a new one
    /// otherwise.
    pub async fn token(&self, now: SystemTime) -> Result<String, Error> {
        let credentials = self
            .provider
            .provide_credentials()
            .await
            .map_err(|source| Error::LoadCredentials { cluster: self.cluster.clone(), source })?;

        let mut cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(cached) = cached.as_ref().filter(|c| c.is_fresh(now) && same_keys(&c.credentials, &credentials)) {
            return Ok(cached.token.clone());
        }
        let token = eks_token(&credentials, self.sts.clone(), &self.cluster, now)?;
        *cached = Some(Cached { token: token.clone(), minted_at: now, credentials });
        Ok(token)
    }

    /// Forgets the cached token, so the next [`TokenSource::token`] mints a new one: for a token the API
    /// server refused (401) although it looked fresh here, e.g. because the two clocks disagree.
    pub fn forget(&self) {
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// [`TokenSource::token`] at the system clock's current time.
    pub async fn token_now(&self) -> Result<String, Error> {
        self.token(SystemTime::now()).await
    }
}

impl Cached {
    fn is_fresh(&self, now: SystemTime) -> bool {
        now.duration_since(self.minted_at).is_ok_and(|age| age < TOKEN_REFRESH_AGE)
    }
}

/// Whether two credentials sign identically (expiry and provider name do not matter).
fn same_keys(a: &Credentials, b: &Credentials) -> bool {
    a.access_key_id() == b.access_key_id()
        && a.secret_access_key() == b.secret_access_key()
        && a.session_token() == b.session_token()
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource").field("sts", &self.sts).field("cluster", &self.cluster).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::UNIX_EPOCH;

    use aws_credential_types::provider::future;

    use super::*;

    const T0: u64 = 1_705_320_000; // 2024-01-15T12:00:00Z

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn creds(key: &str, session: Option<&str>) -> Credentials {
        Credentials::new(key, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", session.map(str::to_owned), None, "test")
    }

    /// Hands out whatever credentials the test last set, and counts the calls.
    #[derive(Debug, Clone, Default)]
    struct SwitchableProvider(Arc<Mutex<(Option<Credentials>, usize)>>);

    impl SwitchableProvider {
        fn set(&self, credentials: Option<Credentials>) {
            self.0.lock().expect("lock").0 = credentials;
        }
        fn calls(&self) -> usize {
            self.0.lock().expect("lock").1
        }
    }

    impl ProvideCredentials for SwitchableProvider {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            let mut state = self.0.lock().expect("lock");
            state.1 += 1;
            future::ProvideCredentials::ready(
                state
                    .0
                    .clone()
                    .ok_or_else(|| aws_credential_types::provider::error::CredentialsError::not_loaded("unset")),
            )
        }
    }

    fn source(provider: &SwitchableProvider) -> TokenSource {
        TokenSource::new(
            SharedCredentialsProvider::new(provider.clone()),
            StsEndpoint::Regional("us-west-2".to_owned()),
            "demo",
        )
    }

    fn expected(credentials: &Credentials, now: SystemTime) -> String {
        eks_token(credentials, StsEndpoint::Regional("us-west-2".to_owned()), "demo", now).expect("token")
    }

    #[tokio::test]
    async fn reuses_the_token_for_ten_minutes_then_mints_a_new_one() {
        let provider = SwitchableProvider::default();
        let first = creds("AKIDEXAMPLE", None);
        provider.set(Some(first.clone()));
        let source = source(&provider);

        let minted = source.token(at(T0)).await.expect("token");
        assert_eq!(minted, expected(&first, at(T0)));
        for later in [T0 + 1, T0 + 300, T0 + 599] {
            assert_eq!(source.token(at(later)).await.expect("token"), minted, "reused at +{}s", later - T0);
        }
        let refreshed = source.token(at(T0 + 600)).await.expect("token");
        assert_ne!(refreshed, minted);
        assert_eq!(refreshed, expected(&first, at(T0 + 600)));
        assert_eq!(source.token(at(T0 + 1199)).await.expect("token"), refreshed);
        assert_eq!(provider.calls(), 6, "credentials are checked on every call");
    }

    #[tokio::test]
    async fn sub_second_calls_reuse_the_token() {
        let provider = SwitchableProvider::default();
        provider.set(Some(creds("AKIDEXAMPLE", None)));
        let source = source(&provider);
        let minted = source.token(at(T0) + Duration::from_millis(250)).await.expect("token");
        assert_eq!(source.token(at(T0) + Duration::from_millis(900)).await.expect("token"), minted);
    }

    #[tokio::test]
    async fn changed_credentials_mint_a_new_token_at_once() {
        let provider = SwitchableProvider::default();
        let first = creds("ASIAFIRST", Some("session-1"));
        provider.set(Some(first.clone()));
        let source = source(&provider);
        let minted = source.token(at(T0)).await.expect("token");

        let rotated = creds("ASIAFIRST", Some("session-2"));
        provider.set(Some(rotated.clone()));
        assert_eq!(source.token(at(T0 + 5)).await.expect("token"), expected(&rotated, at(T0 + 5)));

        // Same keys from a differently named provider with an expiry: nothing to re-sign.
        let same = Credentials::new(
            "ASIAFIRST",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("session-2".to_owned()),
            Some(at(T0 + 3600)),
            "other",
        );
        provider.set(Some(same));
        assert_eq!(source.token(at(T0 + 6)).await.expect("token"), expected(&rotated, at(T0 + 5)));
        assert_ne!(minted, expected(&rotated, at(T0 + 5)));
    }

    #[tokio::test]
    async fn a_clock_that_went_back_mints_a_new_token() {
        let provider = SwitchableProvider::default();
        let first = creds("AKIDEXAMPLE", None);
        provider.set(Some(first.clone()));
        let source = source(&provider);
        source.token(at(T0)).await.expect("token");
        assert_eq!(source.token(at(T0 - 30)).await.expect("token"), expected(&first, at(T0 - 30)));
    }

    #[tokio::test]
    async fn provider_failure_names_the_cluster_and_keeps_no_stale_answer() {
        let provider = SwitchableProvider::default();
        let source = source(&provider);
        let err = source.token(at(T0)).await.expect_err("no credentials");
        assert!(matches!(err, Error::LoadCredentials { ref cluster, .. } if cluster == "demo"), "{err:?}");

        provider.set(Some(creds("AKIDEXAMPLE", None)));
        source.token(at(T0)).await.expect("token");
        provider.set(None);
        assert!(source.token(at(T0 + 1)).await.is_err(), "a cached token is not served without credentials");
    }

    #[test]
    fn token_future_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let provider = SwitchableProvider::default();
        let source = source(&provider);
        assert_send(&source.token(at(T0)));
        assert_send(&source.token_now());
    }

    #[test]
    fn debug_shows_no_token() {
        let provider = SwitchableProvider::default();
        let text = format!("{:?}", source(&provider));
        assert!(text.contains("demo") && !text.contains("k8s-aws-v1"), "{text}");
    }
}
