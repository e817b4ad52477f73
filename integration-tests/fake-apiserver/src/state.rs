//! The server's shared state and the handling of one request: authenticate, record, route, answer.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::{Value, json};

use crate::auth::authenticate;
use crate::config::FakeConfig;
use crate::faults::Faults;
use crate::resources;
use crate::route::{self, Route};
use crate::status::ApiError;
use crate::store::{Key, Store};

/// A request as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// The body as text, if any.
    pub body: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The bearer token sent (accepted or not).
    pub token: Option<String>,
    /// The HTTP status code of the answer.
    pub status: u16,
}

impl RecordedRequest {
    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        self.body.as_deref().and_then(|b| serde_json::from_str(b).ok())
    }

    /// The decoded value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<String> {
        decode_query(self.query.as_deref().unwrap_or("")).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// One request, read off the wire.
#[derive(Debug, Default)]
pub(crate) struct Request {
    /// The HTTP method.
    pub method: String,
    /// The path.
    pub path: String,
    /// The raw query.
    pub raw_query: Option<String>,
    /// The decoded query parameters.
    pub query: Vec<(String, String)>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

/// Decodes `a=b&c=d` with percent-decoding and `+` as space.
pub(crate) fn decode_query(raw: &str) -> Vec<(String, String)> {
    let decode = |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Everything the server holds.
#[derive(Debug)]
pub(crate) struct State {
    /// The configuration it started with.
    pub config: FakeConfig,
    /// The server clock; `None` follows the system clock.
    pub clock: Option<SystemTime>,
    /// The objects.
    pub store: Store,
    /// Armed faults.
    pub faults: Faults,
    /// Every request, in order.
    pub requests: Vec<RecordedRequest>,
    /// Write attempts per object.
    pub writes: BTreeMap<Key, usize>,
    /// Sequence for `generateName` suffixes.
    pub name_seq: u64,
    /// `host:port` the server listens on.
    pub address: String,
}

impl State {
    /// A fresh state for a configuration.
    pub(crate) fn new(config: FakeConfig, address: String) -> Self {
        let clock = config.eks.as_ref().map(|e| e.now);
        State {
            config,
            clock,
            store: Store::default(),
            faults: Faults::default(),
            requests: Vec::new(),
            writes: BTreeMap::new(),
            name_seq: 0,
            address,
        }
    }

    /// The server's current time.
    pub(crate) fn now(&self) -> SystemTime {
        self.clock.unwrap_or_else(SystemTime::now)
    }

    /// Answers one request and records it.
    pub(crate) fn handle(&mut self, req: &Request) -> (u16, Value) {
        let token = req
            .authorization
            .as_deref()
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim().to_string());
        let (code, body) = match self.answer(req) {
            Ok(answer) => answer,
            Err(e) => (e.code, e.body()),
        };
        self.requests.push(RecordedRequest {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.raw_query.clone(),
            body: (!req.body.is_empty()).then(|| String::from_utf8_lossy(&req.body).into_owned()),
            content_type: req.content_type.clone(),
            token,
            status: code,
        });
        (code, body)
    }

    fn answer(&mut self, req: &Request) -> Result<(u16, Value), ApiError> {
        let now = self.now();
        authenticate(req.authorization.as_deref(), &self.config.static_tokens, self.config.eks.as_ref(), now)
            .map_err(ApiError::unauthorized)?;
        let route = route::parse(&req.path, &self.config.groups).ok_or_else(ApiError::no_route)?;
        if !matches!(route, Route::Resource(_)) && req.method != "GET" {
            return Err(ApiError::method_not_allowed());
        }
        let groups = &self.config.groups;
        match route {
            Route::Version => Ok((200, version())),
            Route::CoreVersions => Ok((200, resources::core_versions(&self.address))),
            Route::Groups => Ok((200, resources::group_list(groups))),
            Route::Group(group) => Ok((200, resources::group(group))),
            Route::GroupVersion(group, version) => {
                resources::resource_list(group, &version).map(|doc| (200, doc)).ok_or_else(ApiError::no_route)
            }
            Route::Resource(route) => crate::ops::handle(self, &route, req),
        }
    }
}

fn version() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.0-fake",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2024-01-15T12:00:00Z",
        "goVersion": "go1.23.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_queries() {
        let q = decode_query("labelSelector=kubernetes.io%2Fservice-name%3Dweb&limit=2&x");
        assert_eq!(q[0], ("labelSelector".to_string(), "kubernetes.io/service-name=web".to_string()));
        assert_eq!(q[1], ("limit".to_string(), "2".to_string()));
        assert_eq!(q[2], ("x".to_string(), String::new()));
    }
}
