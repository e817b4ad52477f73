//! TargetGroupPolicy → the protocol, protocol version and health check of the target groups of
//! a Service (or ServiceExport) in the policy's namespace.
//!
//! A protocol or protocol version is part of a target group's identity, so a change gives the
//! target group a new name: the plan creates it, moves the rules to it, then drains and deletes
//! the old one. A health check is changed in place. A target group carries the tag
//! `TargetGroupPolicy` while a policy shapes it; when the policy goes away its health check
//! returns to the defaults and the tag goes.

use std::collections::{BTreeMap, HashSet};

use crds::{HealthCheckConfig, TargetGroupPolicy};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use crate::exports::ExportOutcome;
use crate::index::{ObservedIndex, SnapshotIndex};
use crate::lattice::TargetGroupSpec;
use crate::names::TAG_TARGET_GROUP_POLICY;
use crate::observed::ObservedTargetGroup;
use crate::policy::{self, Candidate, Verdict};
use crate::route::RouteKind;
use crate::snapshot::{ClusterSnapshot, ObjectRef, name_of, namespace_of};
use crate::status::StatusEntry;

/// The kind's name.
const KIND: &str = "TargetGroupPolicy";
/// Target kinds: a Service or a ServiceExport.
const TARGET_KINDS: &[(&str, &str)] = &[("", "Service"), (crds::GROUP, "ServiceExport")];

/// The settings of the policy that shapes a Service's (or ServiceExport's) target groups.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetGroupSettings {
    /// `<namespace>/<name>` of the policy.
    pub policy: String,
    /// `HTTP`, `HTTPS` or `TCP`, when set.
    pub protocol: Option<String>,
    /// `HTTP1` or `HTTP2`, when set.
    pub protocol_version: Option<String>,
    /// The health check fields set.
    pub health_check: Option<HealthCheckConfig>,
}

impl TargetGroupSettings {
    /// Protocol and version of a target group of a `route` backend whose defaults (from the
    /// route kind and the port's `appProtocol`) are `derived`. TLSRoute backends are always
    /// `TCP`; GRPCRoute backends always `GRPC` over `HTTP` or `HTTPS`.
    pub fn protocols(&self, route: RouteKind, derived: (&str, Option<&str>)) -> (String, Option<String>) {
        match route {
            RouteKind::Tls => ("TCP".to_owned(), None),
            RouteKind::Grpc => {
                let protocol = if self.protocol.as_deref() == Some("HTTPS") { "HTTPS" } else { "HTTP" };
                (protocol.to_owned(), Some("GRPC".to_owned()))
            }
            RouteKind::Http => {
                let protocol = self.protocol.as_deref().unwrap_or(derived.0);
                if protocol == "TCP" {
                    return ("TCP".to_owned(), None);
                }
                let version = self.protocol_version.as_deref().or(derived.1).unwrap_or("HTTP1");
                (protocol.to_owned(), Some(version.to_owned()))
            }
        }
    }
}

/// Protocol and version of an exported port whose route type gives `derived` (`HTTP`/`HTTP1`,
/// `HTTP`/`GRPC` or `TCP`), under the policy of the ServiceExport if there is one.
pub fn export_protocols(
    settings: Option<&TargetGroupSettings>,
    derived: (&str, Option<&str>),
) -> (String, Option<String>) {
    let kind = match derived {
        ("TCP", _) => RouteKind::Tls,
        (_, Some("GRPC")) => RouteKind::Grpc,
        _ => RouteKind::Http,
    };
    match settings {
        Some(s) => s.protocols(kind, derived),
        None => (derived.0.to_owned(), derived.1.map(str::to_owned)),
    }
}

/// Sets the health check and tag of the target groups of every ServiceExport from its policy
/// (see [`apply`]).
pub(crate) fn shape_exports(exports: &mut [ExportOutcome], index: &SnapshotIndex<'_>, observed: &ObservedIndex<'_>) {
    for outcome in exports.iter_mut().filter(|o| !o.target_groups.is_empty()) {
        let meta = &outcome.export.metadata;
        let settings = index.target_group_settings("ServiceExport", namespace_of(meta), name_of(meta));
        for (tg, _) in &mut outcome.target_groups {
            let seen = observed.target_group(&tg.name);
            apply(tg, settings, seen);
        }
    }
}

/// The health check of a target group of `protocol`/`version`: the defaults (HTTP1: enabled,
/// `/`, 200, every 30 s, 5 s timeout, 5 healthy / 2 unhealthy; HTTP2 and GRPC: disabled; TCP:
/// disabled), with the fields `set` gives. A disabled check is `{"enabled": false}` alone.
pub fn health_check(protocol: &str, version: Option<&str>, set: Option<&HealthCheckConfig>) -> Value {
    let set = set.cloned().unwrap_or_default();
    let enabled_by_default = protocol != "TCP" && matches!(version, None | Some("HTTP1"));
    if !set.enabled.unwrap_or(enabled_by_default) {
        return json!({"enabled": false});
    }
    let check_protocol = if protocol == "HTTPS" { "HTTPS" } else { "HTTP" };
    let check_version = if version == Some("HTTP2") { "HTTP2" } else { "HTTP1" };
    let mut check = json!({
        "enabled": true,
        "protocol": set.protocol.as_deref().unwrap_or(check_protocol),
        "protocolVersion": set.protocol_version.as_deref().unwrap_or(check_version),
        "path": set.path.as_deref().unwrap_or("/"),
        "healthCheckIntervalSeconds": set.interval_seconds.unwrap_or(30),
        "healthCheckTimeoutSeconds": set.timeout_seconds.unwrap_or(5),
        "healthyThresholdCount": set.healthy_threshold_count.unwrap_or(5),
        "unhealthyThresholdCount": set.unhealthy_threshold_count.unwrap_or(2),
        "matcher": {"httpCode": set.status_match.as_deref().unwrap_or("200")},
    });
    if let Some(port) = set.port {
        check["port"] = json!(port);
    }
    check
}

/// Sets `tg`'s health check and tag from the policy that shapes it. Without one, a target
/// group that still carries a policy's tag (`seen` is the observed target group of its name)
/// gets the default health check back.
pub fn apply(tg: &mut TargetGroupSpec, settings: Option<&TargetGroupSettings>, seen: Option<&ObservedTargetGroup>) {
    let (protocol, version) = (tg.config.protocol.clone(), tg.config.protocol_version.clone());
    match settings {
        Some(s) => {
            tg.config.health_check = Some(health_check(&protocol, version.as_deref(), s.health_check.as_ref()));
            tg.tags.insert(TAG_TARGET_GROUP_POLICY.to_owned(), s.policy.clone());
        }
        None => {
            if tagged(seen) {
                tg.config.health_check = Some(health_check(&protocol, version.as_deref(), None));
            }
        }
    }
}

/// Whether the observed target group carries a TargetGroupPolicy tag: a policy targeted it
/// when it was last written, so removing the policy resets its health check to the default.
pub(crate) fn tagged(seen: Option<&ObservedTargetGroup>) -> bool {
    seen.is_some_and(|seen| seen.tags.contains_key(TAG_TARGET_GROUP_POLICY))
}

/// Everything wrong with a policy's spec, each naming its field.
fn problems(p: &TargetGroupPolicy) -> Vec<String> {
    let mut out = Vec::new();
    let mut one_of = |field: &str, value: Option<&str>, allowed: &[&str]| {
        if let Some(v) = value.filter(|v| !allowed.contains(v)) {
            out.push(format!("{field}: {v} is not one of {}", allowed.join(", ")));
        }
    };
    let spec = &p.spec;
    one_of("spec.protocol", spec.protocol.as_deref(), &["HTTP", "HTTPS", "TCP"]);
    one_of("spec.protocolVersion", spec.protocol_version.as_deref(), &["HTTP1", "HTTP2"]);
    let hc = spec.health_check.clone().unwrap_or_default();
    one_of("spec.healthCheck.protocol", hc.protocol.as_deref(), &["HTTP", "HTTPS"]);
    one_of("spec.healthCheck.protocolVersion", hc.protocol_version.as_deref(), &["HTTP1", "HTTP2"]);
    if spec.protocol.as_deref() == Some("TCP") && spec.protocol_version.is_some() {
        out.push("spec.protocolVersion: must be empty when spec.protocol is TCP".to_owned());
    }
    let ranges = [
        ("intervalSeconds", hc.interval_seconds, 5, 300),
        ("timeoutSeconds", hc.timeout_seconds, 1, 120),
        ("healthyThresholdCount", hc.healthy_threshold_count, 2, 10),
        ("unhealthyThresholdCount", hc.unhealthy_threshold_count, 2, 10),
        ("port", hc.port, 1, 65535),
    ];
    for (field, value, low, high) in ranges {
        if let Some(v) = value.filter(|v| !(low..=high).contains(v)) {
            out.push(format!("spec.healthCheck.{field}: {v} is outside {low} to {high}"));
        }
    }
    if let Some(codes) = &hc.status_match
        && (codes.is_empty()
            || codes.len() > 2000
            || !codes.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b','))
    {
        out.push(format!("spec.healthCheck.statusMatch: {codes:?} is not a list of HTTP codes like 200 or 200-299"));
    }
    let path_char = |c: char| c.is_ascii_alphanumeric() || "@:%_+.~#?&/=-".contains(c);
    if let Some(path) = &hc.path
        && (!path.starts_with('/') || path.len() > 2048 || !path.chars().all(path_char))
    {
        out.push(format!("spec.healthCheck.path: {path:?} is not an absolute path of URL characters"));
    }
    out
}

/// The verdict of every policy, and the winner's settings per target (`Service` or
/// `ServiceExport`).
fn decide(
    snapshot: &ClusterSnapshot,
) -> (Vec<(&TargetGroupPolicy, Verdict)>, BTreeMap<ObjectRef, TargetGroupSettings>) {
    let mut verdicts: Vec<(&TargetGroupPolicy, Result<ObjectRef, Verdict>)> = Vec::new();
    let (services, exports) = if snapshot.target_group_policies.is_empty() {
        (HashSet::new(), HashSet::new())
    } else {
        (
            keys(snapshot.services.iter().map(|s| &s.metadata)),
            keys(snapshot.service_exports.iter().map(|e| &e.metadata)),
        )
    };
    for p in &snapshot.target_group_policies {
        let problems = problems(p);
        let target = if problems.is_empty() {
            policy::target_of(KIND, &p.metadata, &p.spec.target_ref, TARGET_KINDS)
        } else {
            Err(Verdict::Invalid(problems.join("; ")))
        };
        let target = target.and_then(|t| {
            let key = (t.namespace.as_str(), t.name.as_str());
            let exists = match t.kind.as_str() {
                "Service" => services.contains(&key),
                _ => exports.contains(&key),
            };
            if exists { Ok(t) } else { Err(Verdict::TargetNotFound(format!("spec.targetRef: {t} not found"))) }
        });
        verdicts.push((p, target));
    }
    let candidates: Vec<Candidate> = verdicts
        .iter()
        .filter_map(|(p, t)| t.as_ref().ok().map(|t| Candidate::new(KIND, &p.metadata, t.clone())))
        .collect();
    let (_, losers) = policy::oldest_wins(&candidates);
    let mut settings = BTreeMap::new();
    let verdicts = verdicts
        .into_iter()
        .map(|(p, target)| {
            let me = ObjectRef::new(KIND, namespace_of(&p.metadata), name_of(&p.metadata));
            let verdict = match (target, losers.get(&me)) {
                (Err(verdict), _) => verdict,
                (Ok(_), Some(lost)) => lost.clone(),
                (Ok(target), None) => {
                    let message = accepted(p, &target);
                    settings.insert(target, settings_of(p));
                    Verdict::Accepted(message)
                }
            };
            (p, verdict)
        })
        .collect();
    (verdicts, settings)
}

/// `(namespace, name)` of every object.
fn keys<'m>(metas: impl Iterator<Item = &'m ObjectMeta>) -> HashSet<(&'m str, &'m str)> {
    metas.map(|m| (namespace_of(m), name_of(m))).collect()
}

fn settings_of(p: &TargetGroupPolicy) -> TargetGroupSettings {
    TargetGroupSettings {
        policy: format!("{}/{}", namespace_of(&p.metadata), name_of(&p.metadata)),
        protocol: p.spec.protocol.clone(),
        protocol_version: p.spec.protocol_version.clone(),
        health_check: p.spec.health_check.clone(),
    }
}

/// The `Accepted` message: what the policy sets, and where the route kind overrides it.
fn accepted(p: &TargetGroupPolicy, target: &ObjectRef) -> String {
    let mut set = Vec::new();
    if let Some(protocol) = &p.spec.protocol {
        set.push(format!("protocol {protocol}"));
    }
    if let Some(version) = &p.spec.protocol_version {
        set.push(format!("protocolVersion {version}"));
    }
    let check = health_check(
        p.spec.protocol.as_deref().unwrap_or("HTTP"),
        p.spec.protocol_version.as_deref(),
        p.spec.health_check.as_ref(),
    );
    set.push(format!("health check {check}"));
    let mut message = format!("target groups of {target} use {}", set.join(", "));
    if p.spec.protocol.is_some() || p.spec.protocol_version.is_some() {
        message.push_str(
            "; GRPCRoute backends always use protocolVersion GRPC (over HTTP or HTTPS) and TLSRoute backends TCP",
        );
    }
    message
}

/// The settings of the policy that shapes the target groups of `kind` (`Service` or
/// `ServiceExport`) `namespace/name`, if one does.
pub fn settings_for(
    snapshot: &ClusterSnapshot,
    kind: &str,
    namespace: &str,
    name: &str,
) -> Option<TargetGroupSettings> {
    if snapshot.target_group_policies.is_empty() {
        return None;
    }
    settings(snapshot).remove(&ObjectRef::new(kind, namespace, name))
}

/// The settings of every policy that shapes target groups, by target (`Service` or
/// `ServiceExport`): decided once for all the lookups of a translation (see
/// [`crate::index::SnapshotIndex::target_group_settings`]).
pub(crate) fn settings(snapshot: &ClusterSnapshot) -> BTreeMap<ObjectRef, TargetGroupSettings> {
    if snapshot.target_group_policies.is_empty() {
        return BTreeMap::new();
    }
    decide(snapshot).1
}

/// The status of every TargetGroupPolicy.
pub(super) fn status(snapshot: &ClusterSnapshot, now: Timestamp) -> Vec<StatusEntry> {
    decide(snapshot)
        .0
        .into_iter()
        .map(|(p, verdict)| {
            let existing = p.status.as_ref().map_or(&[][..], |s| &s.conditions[..]);
            policy::status_entry(KIND, &p.metadata, existing, &verdict, now)
        })
        .collect()
}
