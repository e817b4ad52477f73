//! Builders of HTTPRoutes, GRPCRoutes and TLSRoutes with their parentRefs, rules and
//! backendRefs.

use gateway_api::httproutes::HttpRoute;
use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::objects::{AddTo, from_json, meta, push};
use crate::snapshot::{ClusterSnapshot, MCS_GROUP};

pub struct ParentB(Value);

/// A parentRef to Gateway `name`.
pub fn parent(name: &str) -> ParentB {
    ParentB(json!({"name": name}))
}

impl ParentB {
    /// `namespace`.
    pub fn ns(mut self, ns: &str) -> Self {
        self.0["namespace"] = json!(ns);
        self
    }

    /// `sectionName`.
    pub fn section(mut self, s: &str) -> Self {
        self.0["sectionName"] = json!(s);
        self
    }

    /// `port`.
    pub fn port(mut self, p: i32) -> Self {
        self.0["port"] = json!(p);
        self
    }
}

/// Builder of a backendRef.
pub struct BackendB(Value);

/// A backendRef to Service `name` on `port`.
pub fn backend(name: &str, port: i32) -> BackendB {
    BackendB(json!({"name": name, "port": port}))
}

/// A backendRef to ServiceImport `name` of the multi-cluster services API.
pub fn import_backend(name: &str) -> BackendB {
    BackendB(json!({"group": MCS_GROUP, "kind": "ServiceImport", "name": name}))
}

impl BackendB {
    /// `port`.
    pub fn port(mut self, p: i32) -> Self {
        self.0["port"] = json!(p);
        self
    }

    /// `weight`.
    pub fn weight(mut self, w: i32) -> Self {
        self.0["weight"] = json!(w);
        self
    }

    /// `namespace`.
    pub fn ns(mut self, ns: &str) -> Self {
        self.0["namespace"] = json!(ns);
        self
    }

    /// `group` and `kind`.
    pub fn kind(mut self, group: &str, kind: &str) -> Self {
        self.0["group"] = json!(group);
        self.0["kind"] = json!(kind);
        self
    }

    /// Appends a backend-level filter.
    pub fn filter(mut self, f: Value) -> Self {
        push(&mut self.0, "filters", f);
        self
    }
}

/// Builder of a route rule.
pub struct RuleB(Value);

/// A rule without matches (the default match) and without a `backendRefs` field.
pub fn rule() -> RuleB {
    RuleB(json!({}))
}

impl RuleB {
    /// Appends a raw match.
    pub fn matching(mut self, m: Value) -> Self {
        push(&mut self.0, "matches", m);
        self
    }

    /// Appends a `PathPrefix` match.
    pub fn prefix(self, p: &str) -> Self {
        self.matching(json!({"path": {"type": "PathPrefix", "value": p}}))
    }

    /// Appends an `Exact` path match.
    pub fn exact(self, p: &str) -> Self {
        self.matching(json!({"path": {"type": "Exact", "value": p}}))
    }

    /// Appends a GRPCRoute method match (`method` may be empty for a service-only match).
    pub fn grpc(self, service: &str, method: &str) -> Self {
        let mut m = json!({"service": service});
        if !method.is_empty() {
            m["method"] = json!(method);
        }
        self.matching(json!({"method": m}))
    }

    /// Adds an exact header match to the last match.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if self.0.get("matches").is_none() {
            self = self.prefix("/");
        }
        if let Some(last) = self.0["matches"].as_array_mut().and_then(|m| m.last_mut()) {
            push(last, "headers", json!({"name": name, "value": value}));
        }
        self
    }

    /// Sets the method of the last match.
    pub fn method(mut self, method: &str) -> Self {
        if self.0.get("matches").is_none() {
            self = self.prefix("/");
        }
        if let Some(last) = self.0["matches"].as_array_mut().and_then(|m| m.last_mut()) {
            last["method"] = json!(method);
        }
        self
    }

    /// Appends a backendRef.
    pub fn backend(mut self, b: BackendB) -> Self {
        push(&mut self.0, "backendRefs", b.0);
        self
    }

    /// `backendRefs: []`.
    pub fn empty_backends(mut self) -> Self {
        self.0["backendRefs"] = json!([]);
        self
    }

    /// Appends a rule filter.
    pub fn filter(mut self, f: Value) -> Self {
        push(&mut self.0, "filters", f);
        self
    }

    /// Sets a raw rule field (`timeouts`, ...).
    pub fn set(mut self, key: &str, value: Value) -> Self {
        self.0[key] = value;
        self
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Http,
    Grpc,
    Tls,
}

/// Builder of an HTTPRoute, GRPCRoute or TLSRoute.
pub struct RouteB {
    kind: Kind,
    v: Value,
}

fn mk(kind: Kind, ns: &str, name: &str) -> RouteB {
    let k = match kind {
        Kind::Http => "HTTPRoute",
        Kind::Grpc => "GRPCRoute",
        Kind::Tls => "TLSRoute",
    };
    RouteB {
        kind,
        v: json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": k,
            "metadata": meta(Some(ns), name),
            "spec": {"rules": []},
        }),
    }
}

/// An HTTPRoute without parents and rules.
pub fn mk_route(ns: &str, name: &str) -> RouteB {
    mk(Kind::Http, ns, name)
}

/// A GRPCRoute without parents and rules.
pub fn mk_grpc_route(ns: &str, name: &str) -> RouteB {
    mk(Kind::Grpc, ns, name)
}

/// A TLSRoute without parents and rules.
pub fn mk_tls_route(ns: &str, name: &str) -> RouteB {
    let mut r = mk(Kind::Tls, ns, name);
    r.v["spec"]["hostnames"] = json!([]);
    r
}

impl RouteB {
    /// Appends a parentRef.
    pub fn parent(mut self, p: ParentB) -> Self {
        push(&mut self.v["spec"], "parentRefs", p.0);
        self
    }

    /// Appends a hostname.
    pub fn hostname(mut self, h: &str) -> Self {
        push(&mut self.v["spec"], "hostnames", json!(h));
        self
    }

    /// Appends a rule.
    pub fn rule(mut self, r: RuleB) -> Self {
        push(&mut self.v["spec"], "rules", r.0);
        self
    }

    /// `metadata.generation`.
    pub fn generation(mut self, g: i64) -> Self {
        self.v["metadata"]["generation"] = json!(g);
        self
    }

    /// `metadata.creationTimestamp`, in seconds after the epoch.
    pub fn created(mut self, secs: i64) -> Self {
        let t = Timestamp::from_second(secs).expect("valid timestamp");
        self.v["metadata"]["creationTimestamp"] = json!(t.to_string());
        self
    }

    /// Adds a `metadata.annotations` entry.
    pub fn annotation(mut self, key: &str, value: &str) -> Self {
        self.v["metadata"]["annotations"][key] = json!(value);
        self
    }

    /// Sets `status` to a raw value.
    pub fn status(mut self, status: Value) -> Self {
        self.v["status"] = status;
        self
    }
}

impl RouteB {
    /// The route as an HTTPRoute.
    pub fn build_http(self) -> HttpRoute {
        assert!(self.kind == Kind::Http, "not an HTTPRoute");
        from_json(self.v)
    }
}

impl AddTo for RouteB {
    fn add_to(self, s: &mut ClusterSnapshot) {
        match self.kind {
            Kind::Http => s.http_routes.push(from_json(self.v)),
            Kind::Grpc => s.grpc_routes.push(from_json(self.v)),
            Kind::Tls => s.tls_routes.push(from_json(self.v)),
        }
    }
}
