//! The HTTP server: one hyper connection task per client, every request counted, delayed and possibly
//! failed by the fault engine, then dispatched under the state lock, saved, and framed for its protocol.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request as HttpRequest, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use crate::acm::{self, CertificateSpec};
use crate::config::{Faults, SimConfig};
use crate::ctx::{Ctx, Env};
use crate::errors::{ApiError, Reason};
use crate::faults::FaultEngine;
use crate::lag::Lag;
use crate::router::{Op, Protocol, dispatch, route};
use crate::state::State;
use crate::wire::{Reply, Request, path_segments, query_pairs};
use crate::{Error, admin, persist, service_networks};

/// Mutable emulator data behind one lock.
pub(crate) struct Inner {
    pub state: State,
    pub faults: FaultEngine,
    pub calls: BTreeMap<String, u64>,
    lag: Lag,
    request_rng: u64,
}

/// What every connection task shares.
pub(crate) struct Shared {
    pub env: Env,
    state_file: Option<PathBuf>,
    inner: Mutex<Inner>,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds an ACM certificate to the state (and the state file); returns its ARN.
    pub fn seed_certificate(&self, spec: &CertificateSpec) -> Result<String, Error> {
        let mut inner = self.lock();
        let now = now_ms();
        inner.state.advance(now);
        let mut ctx = Ctx::new(&mut inner.state, &self.env, now);
        let arn = acm::seed(&mut ctx, spec)
            .map_err(|reason| Error::SeedCertificate { domain: spec.domain_name.clone(), reason })?;
        if let Some(path) = &self.state_file {
            persist::save(path, &inner.state)?;
        }
        Ok(arn)
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A running emulator. Dropping it stops the server (as does [`RunningSim::shutdown`]).
pub struct RunningSim {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

/// Starts an emulator on `addr` (port 0 picks a free port) and returns once it accepts connections.
pub async fn start(config: SimConfig, addr: SocketAddr) -> Result<RunningSim, Error> {
    config.validate()?;
    let state = match &config.state_file {
        Some(path) => persist::load(path)?.unwrap_or_else(|| State::new(config.seed)),
        None => State::new(config.seed),
    };
    let inner = Inner {
        state,
        faults: FaultEngine::new(config.faults, config.seed),
        calls: BTreeMap::new(),
        lag: Lag::default(),
        request_rng: config.seed ^ 0x0123_4567_89ab_cdef,
    };
    let shared = Arc::new(Shared {
        env: Env::from_config(&config),
        state_file: config.state_file.clone(),
        inner: Mutex::new(inner),
    });
    let listener = TcpListener::bind(addr).await.map_err(|source| Error::Bind { addr, source })?;
    let local = listener.local_addr().map_err(|source| Error::Bind { addr, source })?;
    let task = tokio::spawn(serve(listener, Arc::clone(&shared)));
    Ok(RunningSim { addr: local, shared, task })
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = Arc::clone(&shared);
                connections.spawn(async move {
                    let service = service_fn(move |req| handle(Arc::clone(&shared), req));
                    // A client that goes away mid-request only ends its own connection.
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

impl RunningSim {
    /// The base URL to give an SDK as `endpoint_url`, e.g. `http://127.0.0.1:4599`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// API requests received so far, by operation name.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.shared.lock().calls.clone()
    }

    /// Forgets the call counts.
    pub fn reset_calls(&self) {
        self.shared.lock().calls.clear();
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.shared.lock().faults.faults()
    }

    /// Replaces the faults in force; `fail_after` counts from now.
    pub fn set_faults(&self, faults: Faults) -> Result<(), Error> {
        faults.validate()?;
        self.shared.lock().faults.set(faults);
        Ok(())
    }

    /// Creates a service network directly in the state (same rules as CreateServiceNetwork); returns
    /// its id and ARN.
    pub fn seed_service_network(&self, name: &str, tags: &BTreeMap<String, String>) -> Result<(String, String), Error> {
        let mut inner = self.shared.lock();
        let now = now_ms();
        inner.state.advance(now);
        let mut ctx = Ctx::new(&mut inner.state, &self.shared.env, now);
        let seeded = service_networks::seed(&mut ctx, name, tags).map_err(|e| Error::SeedServiceNetwork {
            name: name.to_owned(),
            code: e.code(),
            message: e.message(),
        })?;
        if let Some(path) = &self.shared.state_file {
            persist::save(path, &inner.state)?;
        }
        Ok(seeded)
    }

    /// Scripts the health `ListTargets` reports for target `id`:`port` of target group
    /// `target_group` (id or ARN) while the group is in use with health checks on: `HEALTHY`,
    /// `UNHEALTHY` or `INITIAL`, with an optional reason code; `None` clears the script. The same as
    /// `PUT /_sim/target-health`.
    pub fn script_target_health(
        &self,
        target_group: &str,
        id: &str,
        port: u16,
        status: Option<(&str, Option<&str>)>,
    ) -> Result<(), Error> {
        let body = json!({
            "targetGroupIdentifier": target_group, "id": id, "port": port,
            "status": status.map(|s| s.0), "reasonCode": status.and_then(|s| s.1),
        });
        let mut inner = self.shared.lock();
        crate::scripted::put(&mut inner.state, &body)
            .map(|_| ())
            .map_err(|reason| Error::ScriptTargetHealth { target: format!("{target_group}/{id}:{port}"), reason })
    }

    /// Adds a service network that account `owner` shares with the emulated one through AWS RAM:
    /// it can be read and associated with VPCs and services, never changed, deleted or tagged
    /// (AccessDeniedException), and `ListServiceNetworks` shows it only when `listed`. Returns its
    /// id and ARN (which names `owner`).
    pub fn seed_shared_service_network(
        &self,
        name: &str,
        owner: &str,
        listed: bool,
    ) -> Result<(String, String), Error> {
        let mut inner = self.shared.lock();
        let now = now_ms();
        inner.state.advance(now);
        let mut ctx = Ctx::new(&mut inner.state, &self.shared.env, now);
        let seeded = service_networks::seed_shared(&mut ctx, name, owner, listed)
            .map_err(|e| Error::SeedServiceNetwork { name: name.to_owned(), code: e.code(), message: e.message() })?;
        if let Some(path) = &self.shared.state_file {
            persist::save(path, &inner.state)?;
        }
        Ok(seeded)
    }

    /// Adds an ACM certificate (see [`CertificateSpec`] for the defaults); returns its ARN.
    pub fn seed_certificate(&self, spec: &CertificateSpec) -> Result<String, Error> {
        self.shared.seed_certificate(spec)
    }

    /// The whole state as JSON (the same document as `GET /_sim/state`).
    pub fn state_json(&self) -> Value {
        let mut inner = self.shared.lock();
        inner.state.advance(now_ms());
        serde_json::to_value(&inner.state).unwrap_or(Value::Null)
    }

    /// Stops accepting connections and ends the open ones.
    pub async fn shutdown(mut self) {
        self.task.abort();
        // Waiting for the aborted task only confirms it is gone; its result carries nothing.
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(shared: Arc<Shared>, req: HttpRequest<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let bytes = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
    let request_id = next_request_id(&shared);
    let raw_path = parts.uri.path();
    if raw_path == "/_sim" || raw_path.starts_with("/_sim/") {
        return Ok(admin::handle(&shared, &parts.method, raw_path, &bytes, &request_id));
    }
    let target = parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok());
    let routed = path_segments(raw_path).and_then(|segs| route(&parts.method, &segs, target));
    let Some((op, labels)) = routed else {
        shared.lock().calls.entry("UnknownOperation".to_owned()).and_modify(|n| *n += 1).or_insert(1);
        let protocol = match target {
            Some(t) if t.starts_with(crate::acm::ACM_TARGET) => Protocol::Acm,
            Some(_) => Protocol::Tagging,
            None => Protocol::Lattice,
        };
        let message = format!("No operation matches {} {raw_path}", parts.method);
        let error = ApiError::Validation { message, reason: Reason::UnknownOperation, fields: Vec::new() };
        return Ok(render(protocol, &request_id, Err(error)));
    };
    let latency = {
        let mut inner = shared.lock();
        inner.calls.entry(op.name().to_owned()).and_modify(|n| *n += 1).or_insert(1);
        inner.faults.latency_ms()
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let fault = shared.lock().faults.decide(op);
    if let Some(error) = fault {
        return Ok(render(op.protocol(), &request_id, Err(error)));
    }
    let mut result = parse_request(labels, parts.uri.query(), &bytes).and_then(|request| run(&shared, op, &request));
    if let Ok(reply) = &mut result {
        let inner = &mut *shared.lock();
        inner.lag.observe(&inner.faults.faults(), op, reply, now_ms());
    }
    if result.is_ok()
        && op.mutating()
        && let Some(error) = shared.lock().faults.after_commit()
    {
        result = Err(error);
    }
    Ok(render(op.protocol(), &request_id, result))
}

fn parse_request(labels: Vec<String>, query: Option<&str>, bytes: &[u8]) -> Result<Request, ApiError> {
    let cannot_parse = |message: &str| ApiError::Validation {
        message: message.to_owned(),
        reason: Reason::CannotParse,
        fields: Vec::new(),
    };
    let query = query_pairs(query).ok_or_else(|| cannot_parse("Malformed query string"))?;
    let body = if bytes.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(cannot_parse("The request body must be a JSON object")),
            Err(e) => return Err(cannot_parse(&format!("Malformed JSON body: {e}"))),
        }
    };
    Ok(Request { labels, query, body })
}

fn run(shared: &Shared, op: Op, request: &Request) -> Result<Reply, ApiError> {
    let mut inner = shared.lock();
    let now = now_ms();
    inner.state.advance(now);
    let fail_creation = op.creates_async() && inner.faults.faults().create_failures > 0;
    let mut ctx = Ctx::new(&mut inner.state, &shared.env, now);
    ctx.fail_creation = fail_creation;
    let reply = dispatch(op, &mut ctx, request)?;
    if ctx.creation_failed {
        inner.faults.creation_failed();
    }
    if op.mutating()
        && let Some(path) = &shared.state_file
    {
        persist::save(path, &inner.state).map_err(|e| ApiError::Internal {
            message: format!("The state could not be saved: {e}"),
            retry_after: None,
        })?;
    }
    Ok(reply)
}

fn next_request_id(shared: &Shared) -> String {
    let mut inner = shared.lock();
    inner.request_rng =
        inner.request_rng.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
    let a = inner.request_rng;
    crate::wire::uuid(a, a.rotate_left(29) ^ 0x9e37_79b9_7f4a_7c15)
}

/// Frames a result for its protocol.
fn render(protocol: Protocol, request_id: &str, result: Result<Reply, ApiError>) -> Response<Full<Bytes>> {
    let content_type = match protocol {
        Protocol::Tagging | Protocol::Acm => "application/x-amz-json-1.1",
        _ => "application/json",
    };
    let (status, code, body, retry_after) = match result {
        Ok(reply) => (reply.status, None, reply.body, None),
        Err(e) => {
            let (status, code, body) = match protocol {
                Protocol::Lattice => (e.status(), e.code(), e.lattice_body()),
                Protocol::Eks => {
                    let (code, body) = e.eks_parts();
                    (e.status(), code, body)
                }
                Protocol::Acm => {
                    let code = e.acm_code();
                    let status = if code == "InternalFailure" { 500 } else { 400 };
                    (status, code, json!({"__type": code, "message": e.message()}))
                }
                Protocol::Tagging => {
                    let code = e.tagging_code();
                    let status = if code == "InternalServiceException" { 500 } else { 400 };
                    (status, code, json!({"__type": code, "message": e.message()}))
                }
            };
            (status, Some(code), Some(body), e.retry_after())
        }
    };
    let mut builder = Response::builder().status(status).header("x-amzn-RequestId", request_id);
    if let Some(code) = code {
        builder = builder.header("x-amzn-ErrorType", code);
    }
    if let Some(seconds) = retry_after {
        builder = builder.header("Retry-After", seconds.to_string());
    }
    let payload = match body {
        Some(value) => {
            builder = builder.header("content-type", content_type);
            Bytes::from(serde_json::to_vec(&value).unwrap_or_default())
        }
        None => Bytes::new(),
    };
    builder.body(Full::new(payload)).unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// A plain JSON response for the `/_sim` admin surface.
pub(crate) fn admin_response(status: u16, request_id: &str, body: &Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("x-amzn-RequestId", request_id)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(serde_json::to_vec(body).unwrap_or_default())))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}
