//! Routes converted once from the generated Gateway API types into one validated domain shape
//! shared by HTTPRoute, GRPCRoute and TLSRoute. What Lattice cannot do becomes data on the rule
//! (`unsupported`) or the route (`errors`), never an early return.

mod grpc;
mod http;
mod tls;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::lattice::{HeaderMatch, HeaderMatchType, HttpMatch};
use crate::snapshot::{ClusterSnapshot, ObjectRef, name_of, namespace_of};
use crate::status::{ParentRef, RouteParentStatus, RouteStatus};

pub use grpc::from_grpc;
pub use http::from_http;
pub use tls::from_tls;

/// Group of the Gateway API kinds.
pub const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";

/// The route kinds we handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteKind {
    /// HTTPRoute.
    Http,
    /// GRPCRoute.
    Grpc,
    /// TLSRoute.
    Tls,
}

impl RouteKind {
    /// Kind as the API spells it.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Http => "HTTPRoute",
            Self::Grpc => "GRPCRoute",
            Self::Tls => "TLSRoute",
        }
    }

    /// Value of the `RouteType` tag.
    pub fn route_type(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Grpc => "grpc",
            Self::Tls => "tls",
        }
    }

    /// The kind for an API kind name in `group`, if we handle it.
    pub fn from_kind(group: &str, kind: &str) -> Option<Self> {
        if group != GATEWAY_GROUP {
            return None;
        }
        match kind {
            "HTTPRoute" => Some(Self::Http),
            "GRPCRoute" => Some(Self::Grpc),
            "TLSRoute" => Some(Self::Tls),
            _ => None,
        }
    }
}

/// A backend reference with defaults applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendRef {
    /// API group (`""` for Service).
    pub group: String,
    /// Kind (`Service`, `ServiceImport`, ...).
    pub kind: String,
    /// Namespace of the backend (the route's when not given).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Port.
    pub port: Option<i32>,
    /// Weight (0 to 1,000,000).
    pub weight: i32,
}

/// One route rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Position in `spec.rules`.
    pub index: usize,
    /// Lattice matches, one per Gateway API match (ORed).
    pub matches: Vec<HttpMatch>,
    /// Backends.
    pub backends: Vec<BackendRef>,
    /// Why this rule cannot be implemented on Lattice (empty when it can).
    pub unsupported: Vec<String>,
}

/// A route of any kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// Kind.
    pub kind: RouteKind,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `metadata.generation` (1 for objects that have none yet, as on first apply).
    pub generation: i64,
    /// `metadata.creationTimestamp`.
    pub created: Option<Timestamp>,
    /// Annotations.
    pub annotations: BTreeMap<String, String>,
    /// Parent references with group and kind filled in.
    pub parent_refs: Vec<ParentRef>,
    /// `spec.hostnames`.
    pub hostnames: Vec<String>,
    /// Rules.
    pub rules: Vec<Rule>,
    /// Problems that make the whole route unusable on Lattice.
    pub errors: Vec<String>,
    /// The status entries currently on the object (kept for other controllers).
    pub existing_parents: Vec<RouteParentStatus>,
}

impl Route {
    /// `kind/namespace/name` of the route.
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef::new(self.kind.kind(), &self.namespace, &self.name)
    }

    /// Sort key for precedence between routes: oldest first, then `namespace/name`.
    pub fn age_key(&self) -> (Option<Timestamp>, String, String) {
        (self.created, self.namespace.clone(), self.name.clone())
    }
}

/// Converts every route of the snapshot.
pub fn routes(snapshot: &ClusterSnapshot) -> Vec<Route> {
    let mut out = Vec::new();
    out.extend(snapshot.http_routes.iter().map(|r| from_http(r, snapshot)));
    out.extend(snapshot.grpc_routes.iter().map(|r| from_grpc(r, snapshot)));
    out.extend(snapshot.tls_routes.iter().map(|r| from_tls(r, snapshot)));
    out
}

/// The fields every route kind shares: metadata, parent references and current status (the
/// generated types differ per kind but serialize alike).
pub(crate) fn base<P: Serialize, S: Serialize>(
    kind: RouteKind,
    meta: &ObjectMeta,
    parent_refs: Option<&Vec<P>>,
    status: Option<&S>,
    snapshot: &ClusterSnapshot,
) -> Route {
    let mut route = Route {
        kind,
        namespace: namespace_of(meta).to_owned(),
        name: name_of(meta).to_owned(),
        generation: meta.generation.unwrap_or(1),
        created: meta.creation_timestamp.as_ref().map(|t| t.0),
        annotations: meta.annotations.clone().unwrap_or_default(),
        parent_refs: reshape(parent_refs).unwrap_or_default(),
        hostnames: Vec::new(),
        rules: Vec::new(),
        errors: Vec::new(),
        existing_parents: reshape::<_, RouteStatus>(status).map(|s| s.parents).unwrap_or_default(),
    };
    if let Some(fields) = snapshot.unknown_fields.get(&route.object_ref()) {
        for field in fields.iter().filter(|f| rule_index(f).is_none()) {
            route.errors.push(format!("{field} is not supported by this controller"));
        }
    }
    route
}

/// Reads a generated per-kind type as one of our shared shapes, through their common JSON form.
fn reshape<T: Serialize, U: DeserializeOwned>(value: Option<&T>) -> Option<U> {
    value.and_then(|v| serde_json::to_value(v).ok()).and_then(|v| serde_json::from_value(v).ok())
}

/// A backend reference as every route kind spells it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BackendRefSpec {
    #[serde(default)]
    group: String,
    #[serde(default = "service_kind")]
    kind: String,
    namespace: Option<String>,
    name: String,
    port: Option<i32>,
    #[serde(default = "one")]
    weight: i32,
    #[serde(default)]
    filters: Vec<serde_json::Value>,
}

fn service_kind() -> String {
    "Service".to_owned()
}

fn one() -> i32 {
    1
}

/// Converts a rule's backend references (any route kind), noting backend filters as unsupported.
pub(crate) fn backend_refs<B: Serialize>(
    refs: Option<&Vec<B>>,
    route_namespace: &str,
    path: &str,
    unsupported: &mut Vec<String>,
) -> Vec<BackendRef> {
    let specs: Vec<BackendRefSpec> = reshape(refs).unwrap_or_default();
    specs
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            if !b.filters.is_empty() {
                unsupported
                    .push(format!("{path}.backendRefs[{i}].filters: backend filters are not supported by VPC Lattice"));
            }
            BackendRef {
                group: b.group,
                kind: b.kind,
                namespace: b.namespace.unwrap_or_else(|| route_namespace.to_owned()),
                name: b.name,
                port: b.port,
                weight: b.weight,
            }
        })
        .collect()
}

/// Converts `rules` with `convert`; absent or empty rules mean one default rule (`R::default()`),
/// as the API server would default them.
pub(crate) fn convert_rules<R: Default>(rules: Option<&Vec<R>>, convert: impl Fn(usize, &R) -> Rule) -> Vec<Rule> {
    match rules {
        Some(rules) if !rules.is_empty() => rules.iter().enumerate().map(|(i, r)| convert(i, r)).collect(),
        _ => vec![convert(0, &R::default())],
    }
}

/// Marks rules that carry fields the typed objects do not know (e.g. `sessionPersistence`).
pub(crate) fn flag_unknown_rule_fields(route: &mut Route, snapshot: &ClusterSnapshot) {
    let Some(fields) = snapshot.unknown_fields.get(&route.object_ref()) else {
        return;
    };
    for field in fields {
        if let Some(i) = rule_index(field)
            && let Some(rule) = route.rules.iter_mut().find(|r| r.index == i)
        {
            rule.unsupported.push(format!("{field} is not supported by VPC Lattice"));
        }
    }
}

/// `Some(i)` for paths under `spec.rules[i]`.
fn rule_index(path: &str) -> Option<usize> {
    let rest = path.strip_prefix("spec.rules[")?;
    rest.split(']').next()?.parse().ok()
}

/// Converts Gateway API header matches (`Exact` only) into Lattice header matches, or explains
/// why they cannot be.
pub(crate) fn header_matches(
    headers: impl Iterator<Item = (String, String, bool)>,
    path: &str,
    limit: usize,
) -> Result<Vec<HeaderMatch>, String> {
    let mut out = Vec::new();
    for (i, (name, value, exact)) in headers.enumerate() {
        if !exact {
            return Err(format!(
                "{path}.headers[{i}]: RegularExpression header matches are not supported by VPC Lattice"
            ));
        }
        if name.len() > 100 || value.len() > 200 {
            return Err(format!(
                "{path}.headers[{i}]: VPC Lattice header names are limited to 100 and values to 200 characters"
            ));
        }
        out.push(HeaderMatch { name, matcher: HeaderMatchType::Exact(value), case_sensitive: true });
    }
    if out.len() > limit {
        return Err(format!(
            "{path}.headers: {} header matches; VPC Lattice allows at most {limit} per rule",
            out.len()
        ));
    }
    Ok(out)
}

/// Checks a path against Lattice's path constraints (1 to 200 characters of
/// `/[a-zA-Z0-9@:%_+.~#?&/=-]*`).
pub(crate) fn check_lattice_path(path: &str, field: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "@:%_+.~#?&/=-".contains(c);
    if !path.starts_with('/') || path.len() > 200 || !path.chars().all(allowed) {
        return Err(format!(
            "{field}: path {path:?} is outside what VPC Lattice accepts (at most 200 characters of A-Z a-z 0-9 @:%_+.~#?&/=-, starting with /)"
        ));
    }
    Ok(())
}
