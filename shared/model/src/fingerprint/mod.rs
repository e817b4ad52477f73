//! Desired-state fingerprints: a short, stable digest of everything we set on a Lattice service
//! (with its listeners, rules, associations, auth policy and access logs) or target group (its
//! configuration, and separately its targets), kept in the resource's
//! `application-networking.k8s.aws/Fingerprint` tag once a plan applied it in full.
//!
//! A sweep reads the tags of everything we own in bulk through the tagging API; a resource whose
//! tag equals the fingerprint of its desired state is in sync and needs no detail read (see
//! [`synthesize`]). Only resources whose fingerprint is missing or different are read in full and
//! diffed. Full verification ([`Verify`]) reads everything regardless, to catch changes made
//! behind our back.
//!
//! The digest is FNV-1a (128 bits) over a canonical JSON rendering (object keys sorted), so it
//! is the same in every process and version that renders the same desired state the same way;
//! the rendering starts with [`VERSION`], which changes whenever the rendering does.

pub mod synthesize;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::lattice::{DesiredState, PolicyResourceType, ServiceSpec, Target, TargetGroupSpec};
use crate::names::Tags;

/// The tag holding a resource's fingerprint.
pub const TAG_FINGERPRINT: &str = "application-networking.k8s.aws/Fingerprint";

/// First element of every rendering: bumping it makes every fingerprint differ once.
pub const VERSION: &str = "lattice-fingerprint/1";

/// FNV-1a, 128 bits: stable across processes, platforms and versions (unlike std's hasher).
pub fn stable_hash(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    bytes.iter().fold(OFFSET, |hash, byte| (hash ^ u128::from(*byte)).wrapping_mul(PRIME))
}

/// 64 bits of the stable hash of `value`'s canonical rendering, in hex.
fn digest64(value: &Value) -> String {
    let hash = stable_hash(canonical(value).as_bytes());
    format!("{:016x}", (hash >> 64) as u64 ^ hash as u64)
}

/// 128 bits of the stable hash of `value`'s canonical rendering, in hex.
fn digest128(value: &Value) -> String {
    format!("{:032x}", stable_hash(canonical(value).as_bytes()))
}

/// JSON text of `value` with the keys of every object sorted.
pub fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// `value` as JSON (shapes of this crate always serialize).
fn to_value(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// `tags` without the fingerprint itself.
fn without_fingerprint(tags: &Tags) -> Tags {
    tags.iter().filter(|(k, _)| k.as_str() != TAG_FINGERPRINT).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The auth policies and access log subscriptions of a desired state's services, by service
/// name, indexed once so that fingerprinting every service stays linear.
pub struct ServicePolicies<'a> {
    auth: BTreeMap<&'a str, &'a str>,
    logs: BTreeMap<&'a str, Vec<Value>>,
}

impl<'a> ServicePolicies<'a> {
    /// The index of `desired` (when several auth policies name a service, the first counts).
    pub fn of(desired: &'a DesiredState) -> Self {
        let mut auth = BTreeMap::new();
        for p in desired.auth_policies.iter().filter(|p| p.resource.resource_type == PolicyResourceType::Service) {
            auth.entry(p.resource.resource_identifier.as_str()).or_insert(p.policy.as_str());
        }
        let mut logs: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        for s in
            desired.access_log_subscriptions.iter().filter(|s| s.resource.resource_type == PolicyResourceType::Service)
        {
            let log = json!({"destinationArn": s.destination_arn, "tags": s.tags});
            logs.entry(s.resource.resource_identifier.as_str()).or_default().push(log);
        }
        for list in logs.values_mut() {
            list.sort_by_key(canonical);
        }
        Self { auth, logs }
    }

    /// The auth policy of the service named `name`.
    pub fn auth(&self, name: &str) -> Option<&'a str> {
        self.auth.get(name).copied()
    }
}

/// The fingerprint of a service's desired subtree: the service, its listeners and rules (target
/// groups by name), its service networks, its auth policy and access log subscriptions. To
/// fingerprint many services, index the policies once and use [`service_with`].
pub fn service(spec: &ServiceSpec, desired: &DesiredState) -> String {
    service_with(spec, &ServicePolicies::of(desired))
}

/// [`service`] with the policies already indexed.
pub fn service_with(spec: &ServiceSpec, policies: &ServicePolicies<'_>) -> String {
    let mut shape = spec.clone();
    shape.tags = without_fingerprint(&spec.tags);
    let logs = policies.logs.get(spec.name.as_str()).cloned().unwrap_or_default();
    let auth = policies.auth(&spec.name);
    digest128(&json!([VERSION, "service", to_value(&shape), auth, logs]))
}

/// The configuration part of a target group's fingerprint: name, type, configuration, tags.
pub fn target_group_config(spec: &TargetGroupSpec) -> String {
    let tags = without_fingerprint(&spec.tags);
    digest64(&json!([VERSION, "targetgroup", spec.name, to_value(&spec.kind), to_value(&spec.config), tags]))
}

/// The targets part of a target group's fingerprint (order does not matter).
pub fn targets(targets: &[Target]) -> String {
    let mut sorted: Vec<&Target> = targets.iter().collect();
    sorted.sort();
    sorted.dedup();
    digest64(&json!([VERSION, "targets", to_value(&sorted)]))
}

/// A target group's fingerprint: `<configuration>.<targets>`, so that a sweep can tell a changed
/// target list (one `ListTargets` needed) from a changed configuration (a full read).
pub fn target_group(spec: &TargetGroupSpec) -> String {
    format!("{}.{}", target_group_config(spec), targets(&spec.targets))
}

/// The configuration part of a target group fingerprint tag value.
pub fn config_part(fingerprint: &str) -> &str {
    fingerprint.split_once('.').map_or(fingerprint, |(config, _)| config)
}

/// The fingerprint of every desired service and target group, by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fingerprints {
    /// Services by name.
    pub services: BTreeMap<String, String>,
    /// Target groups by name.
    pub target_groups: BTreeMap<String, String>,
}

impl Fingerprints {
    /// The fingerprints of `desired`.
    pub fn of(desired: &DesiredState) -> Self {
        Self {
            services: {
                let policies = ServicePolicies::of(desired);
                desired.services.iter().map(|s| (s.name.clone(), service_with(s, &policies))).collect()
            },
            target_groups: desired.target_groups.iter().map(|tg| (tg.name.clone(), target_group(tg))).collect(),
        }
    }
}

/// How much of the inventory a run reads in full.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Verify {
    /// Resources whose fingerprint tag matches their desired state are not read in detail.
    #[default]
    Fingerprint,
    /// Everything we own is read in full (drift made behind our back is found and repaired).
    Full,
    /// Like [`Verify::Fingerprint`], but the owned services and target groups whose
    /// [`Verify::share`] is `turn` (of `every`) are read in full, so that consecutive runs with
    /// `turn` counting up verify everything once per `every` runs, a slice at a time.
    Rotating {
        /// Number of slices (at least 1).
        every: u32,
        /// The slice of this run.
        turn: u32,
    },
}

impl Verify {
    /// The rotating verification of the run at `unix_seconds` of a schedule every
    /// `period_seconds`: its turn is the number of the period modulo `every`. `every` of 0
    /// turns periodic verification off; 1 verifies every run.
    pub fn rotating(every: u32, period_seconds: u64, unix_seconds: u64) -> Self {
        match every {
            0 => Self::Fingerprint,
            1 => Self::Full,
            n => {
                let turn = (unix_seconds / period_seconds.max(1)) % u64::from(n);
                Self::Rotating { every: n, turn: u32::try_from(turn).unwrap_or(0) }
            }
        }
    }

    /// The slice (of `every`) the resource with this ARN belongs to.
    pub fn share(arn: &str, every: u32) -> u32 {
        let slices = u128::from(every.max(1));
        u32::try_from(stable_hash(arn.as_bytes()) % slices).unwrap_or(0)
    }

    /// Whether the resource with this ARN is read in full this run even when its fingerprint
    /// matches.
    pub fn due(&self, arn: &str) -> bool {
        match *self {
            Self::Fingerprint => false,
            Self::Full => true,
            Self::Rotating { every, turn } => Self::share(arn, every) == turn,
        }
    }
}
