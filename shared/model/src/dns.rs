//! DNS records for routes with a custom domain name (pure): the external-dns `DNSEndpoint` each
//! route calls for, and what a sync of them did.
//!
//! A route whose Lattice service was built (the route is accepted), whose first hostname is the
//! service's custom domain name and which Lattice gave a DNS name, wants a `DNSEndpoint`
//! `<route name>-dns` in its namespace holding one CNAME record from the hostname to that DNS name
//! (TTL 300 s), owned by the route so that Kubernetes deletes it with the route. A route of ours
//! that no longer qualifies wants none: ours is deleted, anyone else's is left alone.

use serde::Serialize;

use crate::names::ANNOTATION_DNS_NAME;
use crate::route::{GATEWAY_GROUP, RouteKind};
use crate::snapshot::{ClusterSnapshot, ObjectRef, name_of, namespace_of};
use crate::translate::Translation;

/// TTL of the records, in seconds.
pub const RECORD_TTL: i64 = 300;

/// Record type of the records.
pub const RECORD_TYPE: &str = "CNAME";

/// The name of the `DNSEndpoint` of route `route_name`.
pub fn endpoint_name(route_name: &str) -> String {
    format!("{route_name}-dns")
}

/// One CNAME record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsRecord {
    /// The route's custom domain name (its first hostname).
    pub hostname: String,
    /// The Lattice-assigned DNS name of its service.
    pub target: String,
}

/// What one route of ours wants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsWanted {
    /// The route.
    pub route: ObjectRef,
    /// The route's `metadata.uid` (the owner reference needs it).
    pub uid: Option<String>,
    /// The record, or `None`: the route has no `DNSEndpoint` of ours.
    pub record: Option<DnsRecord>,
}

/// One entry per route whose status this run computed (the routes of ours), with the record it
/// wants. Routes left alone this run (protected, or not ours) are not listed, so nothing of theirs
/// changes.
pub fn wanted(snapshot: &ClusterSnapshot, translation: &Translation) -> Vec<DnsWanted> {
    let mut out = Vec::new();
    for entry in &translation.status {
        if RouteKind::from_kind(GATEWAY_GROUP, &entry.kind).is_none() {
            continue;
        }
        let route = ObjectRef::new(&entry.kind, entry.namespace.as_deref().unwrap_or(""), &entry.name);
        let hostname = translation
            .desired
            .services
            .iter()
            .filter(|s| {
                s.owner
                    .as_ref()
                    .is_some_and(|o| o.kind == route.kind && o.namespace == route.namespace && o.name == route.name)
            })
            .find_map(|s| s.custom_domain_name.clone());
        let target = entry.annotations.get(ANNOTATION_DNS_NAME).cloned();
        let record = hostname.zip(target).map(|(hostname, target)| DnsRecord { hostname, target });
        out.push(DnsWanted { uid: route_uid(snapshot, &route), route, record });
    }
    out
}

fn route_uid(snapshot: &ClusterSnapshot, route: &ObjectRef) -> Option<String> {
    let matches = |meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        namespace_of(meta) == route.namespace && name_of(meta) == route.name
    };
    let meta = match route.kind.as_str() {
        "HTTPRoute" => snapshot.http_routes.iter().map(|r| &r.metadata).find(|m| matches(m)),
        "GRPCRoute" => snapshot.grpc_routes.iter().map(|r| &r.metadata).find(|m| matches(m)),
        "TLSRoute" => snapshot.tls_routes.iter().map(|r| &r.metadata).find(|m| matches(m)),
        _ => None,
    };
    meta.and_then(|m| m.uid.clone())
}

/// What a sync of `DNSEndpoint`s did (or, for a dry run, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsOutcome {
    /// Whether the cluster serves `externaldns.k8s.io/v1alpha1` `dnsendpoints` (when it does not,
    /// the feature is off and nothing else is set).
    pub served: bool,
    /// `DNSEndpoint`s created.
    pub created: Vec<ObjectRef>,
    /// `DNSEndpoint`s of ours changed.
    pub updated: Vec<ObjectRef>,
    /// `DNSEndpoint`s of ours deleted (their route no longer has a hostname or a DNS name).
    pub deleted: Vec<ObjectRef>,
    /// `DNSEndpoint`s of ours already right.
    pub unchanged: Vec<ObjectRef>,
    /// `DNSEndpoint`s of the name a route wants that are not ours, left alone, with the route.
    pub foreign: Vec<(ObjectRef, String)>,
    /// Failed reads or writes, with why.
    pub failed: Vec<(ObjectRef, String)>,
}

impl DnsOutcome {
    /// Whether nothing failed.
    pub fn is_success(&self) -> bool {
        self.failed.is_empty()
    }
}

#[cfg(test)]
#[path = "dns_tests.rs"]
mod tests;
