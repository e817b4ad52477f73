//! An in-memory Kubernetes API server for tests of code that reads and writes Gateway API objects with a
//! real Kubernetes client.
//!
//! # What it owns
//! The HTTP surface a reconciler uses: discovery (`/api`, `/apis`, `/apis/{group}[/{version}]`,
//! `/version`); list (namespaced and across namespaces, `limit`/`continue`, label and field selectors),
//! get, create, replace, patch (merge, JSON and strategic merge patch) and delete of core `namespaces`,
//! `services` and `pods`, `discovery.k8s.io` `endpointslices`, the Gateway API resources (`v1`, and
//! `v1beta1` where it is still served, on the same storage), the `application-networking.k8s.aws` CRDs
//! `admissionregistration.k8s.io` `mutatingwebhookconfigurations` (stored, never called: there is no admission)
//! and, when asked for, external-dns's `externaldns.k8s.io` `dnsendpoints`, with their `/status`
//! subresources; `resourceVersion` and `uid` preconditions, `generation`, finalizers, and garbage
//! collection of the dependents (`ownerReferences`) of a deleted object; bearer-token authentication
//! (static tokens and EKS tokens); optional RBAC; injected faults.
//!
//! It is written from the Kubernetes API conventions and the EKS authenticator's rules alone, and depends
//! on no other crate of the workspace and on no Kubernetes client library, so that it and the
//! workspace's cluster client check each other instead of sharing a mistake.
//!
//! # How a request flows
//! `server` reads the request (TLS optional, rustls with the aws-lc-rs provider); `state` authenticates
//! the bearer token (`auth`, `sigv4`), records the request, and routes the path (`route`) to a discovery
//! document (`resources`) or to `ops`, which authorizes it (`authz`), applies armed `faults`, and runs the
//! operation: `list` pages over `store` snapshots, `write` checks and builds the new object (`patch`), and
//! `store` applies the server-owned metadata rules. Errors are `metav1.Status` bodies (`status`).
//!
//! # Use
//! ```no_run
//! # async fn demo() -> Result<(), fake_apiserver::Error> {
//! use fake_apiserver::{FakeConfig, start};
//! let api = start(FakeConfig::new().https().static_token("t0ken")).await?;
//! api.put(serde_json::json!({
//!     "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
//!     "metadata": {"name": "rates", "namespace": "shop"}, "spec": {},
//! }))?;
//! let kubeconfig = api.write_kubeconfig(std::env::temp_dir().join("fake-kubeconfig"), "t0ken")?;
//! // Point a client at `kubeconfig`, then inspect api.requests() and api.get(...).
//! # let _ = kubeconfig;
//! # Ok(()) }
//! ```
//!
//! # Deliberate differences from a real API server
//! No watch (400), no server-side apply (415), no admission, no defaulting or schema validation of `spec`, no
//! namespace existence check on create, no `managedFields`; strategic merge patch knows only a few list
//! merge keys (pod conditions, containers, readiness gates, service ports, owner references) and no
//! `$patch` directives (and is 415 on custom resources, as on a real server); garbage collection is
//! immediate and in the foreground of the delete that orphaned the dependents; list `resourceVersion`
//! parameters are ignored (every list is served from the latest state or, when continued, from the
//! snapshot its token names). `dryRun=All` writes are checked and answered but not stored.

#![forbid(unsafe_code)]

mod auth;
mod authz;
mod config;
mod faults;
mod gc;
mod kubeconfig;
mod list;
mod ops;
mod patch;
mod resources;
mod route;
mod selectors;
mod server;
mod sigv4;
mod state;
mod status;
mod store;
mod strategic;
mod timefmt;
mod tls;
mod write;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use config::{ApiGroup, EksAuth, FakeConfig, PolicyRule};
pub use faults::{Fault, FaultOp};
pub use state::RecordedRequest;

use state::State;

/// What can go wrong when starting or driving a fake API server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The listening socket could not be bound or read.
    #[error("failed to bind the listening socket")]
    Bind {
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The CA or server certificate could not be generated.
    #[error("failed to generate a certificate")]
    Certificate {
        /// The underlying error.
        #[source]
        source: rcgen::Error,
    },
    /// The TLS configuration was refused.
    #[error("failed to configure TLS")]
    Tls {
        /// The underlying error.
        #[source]
        source: tokio_rustls::rustls::Error,
    },
    /// The kubeconfig could not be written.
    #[error("failed to write kubeconfig {path}")]
    WriteKubeconfig {
        /// Where it was to be written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An object given to [`RunningApi::put`] cannot be stored.
    #[error("invalid object: {reason}")]
    InvalidObject {
        /// Why.
        reason: String,
    },
    /// A path given to a fault or a counter does not name an object of a known resource.
    #[error("not an object path: {path}")]
    InvalidPath {
        /// The path.
        path: String,
    },
}

/// A running fake API server. Dropping it stops the server.
#[derive(Debug)]
pub struct RunningApi {
    url: String,
    ca_pem: Option<String>,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl Drop for RunningApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a server on `127.0.0.1` with a free port, on the current Tokio runtime.
pub async fn start(config: FakeConfig) -> Result<RunningApi, Error> {
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|source| Error::Bind { source })?;
    let address = listener.local_addr().map_err(|source| Error::Bind { source })?;
    let (acceptor, ca_pem) = if config.tls {
        let tls = tls::generate()?;
        (Some(tokio_rustls::TlsAcceptor::from(tls.config)), Some(tls.ca_pem))
    } else {
        (None, None)
    };
    let scheme = if acceptor.is_some() { "https" } else { "http" };
    let state = Arc::new(Mutex::new(State::new(config, address.to_string())));
    let task = tokio::spawn(server::serve(listener, acceptor, Arc::clone(&state)));
    Ok(RunningApi { url: format!("{scheme}://{address}"), ca_pem, state, task })
}

impl RunningApi {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The base URL, `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The CA certificate (PEM) that signed the server certificate, when serving HTTPS.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Writes a kubeconfig (server URL, CA data, a user with this static token) and returns its path.
    pub fn write_kubeconfig(&self, path: impl AsRef<Path>, token: &str) -> Result<PathBuf, Error> {
        let path = path.as_ref().to_path_buf();
        let text = kubeconfig::render(&self.url, self.ca_pem.as_deref(), token);
        std::fs::write(&path, text).map_err(|source| Error::WriteKubeconfig { path: path.clone(), source })?;
        Ok(path)
    }

    /// Creates or replaces an object as given, status included, bypassing authentication, faults and
    /// preconditions. Its `apiVersion` and `kind` choose the resource; a namespaced object without a
    /// namespace goes to `default`. Returns the object as stored.
    pub fn put(&self, object: Value) -> Result<Value, Error> {
        let invalid = |reason: &str| Error::InvalidObject { reason: reason.to_string() };
        let api_version = object["apiVersion"].as_str().ok_or_else(|| invalid("no apiVersion"))?;
        let kind = object["kind"].as_str().ok_or_else(|| invalid("no kind"))?;
        let (r, _) = resources::find_kind(api_version, kind)
            .ok_or_else(|| invalid(&format!("{kind} of {api_version} is not a served resource")))?;
        let name = object["metadata"]["name"].as_str().filter(|n| !n.is_empty()).ok_or_else(|| invalid("no name"))?;
        let namespace = r.namespaced.then(|| object["metadata"]["namespace"].as_str().unwrap_or("default"));
        let key = store::key(r, namespace, name);
        let mut state = self.state();
        let now = state.now();
        Ok(state.store.put(r, key, object, now))
    }

    /// The stored object, as the given version presents it. `namespace` is `None` for cluster-scoped
    /// resources; `group` is `""` for the core group.
    pub fn get(&self, group: &str, version: &str, plural: &str, namespace: Option<&str>, name: &str) -> Option<Value> {
        let r = resources::find(group, version, plural)?;
        let state = self.state();
        state.store.get(&store::key(r, namespace, name)).map(|o| store::present(o, r, version))
    }

    /// Deletes an object as a client would: with finalizers it is only marked for deletion; once gone,
    /// its dependents go too (garbage collection). Returns whether the object existed.
    pub fn delete(&self, group: &str, version: &str, plural: &str, namespace: Option<&str>, name: &str) -> bool {
        let Some(r) = resources::find(group, version, plural) else { return false };
        let mut state = self.state();
        let now = state.now();
        match state.store.delete(r, store::key(r, namespace, name), now) {
            Some((object, gone)) => {
                if let (true, Some(uid)) = (gone, object["metadata"]["uid"].as_str()) {
                    gc::collect(&mut state.store, uid, now);
                }
                true
            }
            None => false,
        }
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// Forgets the recorded requests and write counters.
    pub fn clear_requests(&self) {
        let mut state = self.state();
        state.requests.clear();
        state.writes.clear();
    }

    /// How many write requests (create, replace, patch, delete; object or status; any version) reached the
    /// object at `path`, whether or not they succeeded, once authenticated and authorized. A create counts
    /// for the object its body names.
    pub fn writes_to(&self, path: &str) -> Result<usize, Error> {
        let key = route::object_key(path).ok_or_else(|| Error::InvalidPath { path: path.to_string() })?;
        Ok(self.state().writes.get(&key).copied().unwrap_or(0))
    }

    /// Arms a fault.
    pub fn set_fault(&self, fault: Fault) -> Result<(), Error> {
        let mut state = self.state();
        match fault {
            Fault::Fail { op, plural, times, code } => state.faults.add_fail(op, plural, times, code),
            Fault::TruncateList { plural } => state.faults.add_truncate(plural),
            Fault::ConflictNextWrite { path } => {
                let key = route::object_key(&path).ok_or(Error::InvalidPath { path })?;
                state.faults.add_conflict(key);
            }
            Fault::ExpireContinueTokens => state.store.compact(),
        }
        Ok(())
    }

    /// Sets the server clock (token expiry, timestamps).
    pub fn set_now(&self, now: SystemTime) {
        self.state().clock = Some(now);
    }

    /// The current global resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.state().store.resource_version()
    }
}
