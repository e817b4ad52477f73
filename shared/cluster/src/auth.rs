//! The EKS bearer token, set on every request as it leaves the client.
//!
//! The token is taken from the [`TokenSource`] per request rather than baked into the client: the source hands
//! back its cached token (no signing, no network) until it is [`TOKEN_REFRESH_AGE`] old and mints a new one
//! then. So a client that lives for hours in a warm Lambda sandbox — including one that was frozen between
//! invocations — never sends a token the API server has stopped accepting, and its connection pool and TLS
//! sessions survive every refresh, which rebuilding the client on a timer would throw away.
//!
//! A request the API server answers with 401 Unauthorized is sent once more with a newly minted token (when its
//! body can be replayed, as every body this crate sends can): the server may judge a token expired that looks
//! fresh here, when the clocks disagree or the credentials changed.
//!
//! [`TOKEN_REFRESH_AGE`]: crate::token::TOKEN_REFRESH_AGE

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, Response, StatusCode};
use kube::client::Body;
use tower::buffer::Buffer;
use tower::{BoxError, Layer, Service, ServiceExt as _};

use crate::token::TokenSource;

/// Where the time comes from when a token is chosen: the system clock in production, a test's own clock in tests.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(SystemTime::now)
}

/// Wraps a Kubernetes client stack so that every request carries `Authorization: Bearer <token>`.
#[derive(Clone)]
pub(crate) struct BearerLayer {
    tokens: Arc<TokenSource>,
    clock: Clock,
}

impl BearerLayer {
    pub(crate) fn new(tokens: TokenSource, clock: Clock) -> Self {
        Self { tokens: Arc::new(tokens), clock }
    }
}

impl fmt::Debug for BearerLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerLayer").field("tokens", &self.tokens).finish_non_exhaustive()
    }
}

type ResponseFuture<R> = Pin<Box<dyn Future<Output = Result<R, BoxError>> + Send>>;

impl<S> Layer<S> for BearerLayer
where
    S: Service<Request<Body>> + Send + 'static,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
    S::Error: Into<BoxError> + Send + Sync,
{
    type Service = Bearer<S::Future>;

    fn layer(&self, inner: S) -> Self::Service {
        // The token is minted asynchronously before the inner stack sees the request, so the inner stack must be
        // callable from a future that outlives `call`: a buffer makes it cheap to clone.
        Bearer { inner: Buffer::new(inner, 1024), tokens: Arc::clone(&self.tokens), clock: Arc::clone(&self.clock) }
    }
}

/// The service [`BearerLayer`] makes.
pub(crate) struct Bearer<F> {
    inner: Buffer<Request<Body>, F>,
    tokens: Arc<TokenSource>,
    clock: Clock,
}

impl<F: Send + 'static> Clone for Bearer<F> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone(), tokens: Arc::clone(&self.tokens), clock: Arc::clone(&self.clock) }
    }
}

impl<B, F, E> Service<Request<Body>> for Bearer<F>
where
    F: Future<Output = Result<Response<B>, E>> + Send + 'static,
    E: Into<BoxError>,
    B: Send + 'static,
{
    type Response = Response<B>;
    type Error = BoxError;
    type Future = ResponseFuture<Response<B>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // Readiness is awaited on a clone of the buffer inside the returned future.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        let mut inner = self.inner.clone();
        let tokens = Arc::clone(&self.tokens);
        let clock = Arc::clone(&self.clock);
        Box::pin(async move {
            let replay = replayable(&request);
            authorize(&mut request, &tokens.token(clock()).await?)?;
            let response = inner.ready().await?.call(request).await?;
            let Some(mut replay) = replay.filter(|_| response.status() == StatusCode::UNAUTHORIZED) else {
                return Ok(response);
            };
            tracing::warn!("The API server refused the bearer token; retrying once with a new one");
            tokens.forget();
            authorize(&mut replay, &tokens.token(clock()).await?)?;
            inner.ready().await?.call(replay).await
        })
    }
}

/// A copy of `request` to send again, when its body can be replayed.
fn replayable(request: &Request<Body>) -> Option<Request<Body>> {
    let mut copy = Request::new(request.body().try_clone()?);
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    Some(copy)
}

/// Sets `Authorization: Bearer <token>`, marked sensitive (never logged by the HTTP stack).
fn authorize(request: &mut Request<Body>, token: &str) -> Result<(), BoxError> {
    let mut value = HeaderValue::try_from(format!("Bearer {token}"))?;
    value.set_sensitive(true);
    request.headers_mut().insert(AUTHORIZATION, value);
    Ok(())
}
