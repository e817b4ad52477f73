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
//! The digest is FNV-1a (128 bits) over a compact JSON rendering of the desired state (struct
//! fields in declaration order, map keys sorted: every map of the desired state is a
//! `BTreeMap`), written straight into the hash. It is the same in every process and version
//! that renders the same desired state the same way; the rendering starts with [`VERSION`],
//! which changes whenever the rendering does (a field added, renamed or moved).

pub mod synthesize;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::lattice::{DesiredState, PolicyResourceType, ServiceSpec, Target, TargetGroupSpec};
use crate::names::Tags;

/// The tag holding a resource's fingerprint.
pub const TAG_FINGERPRINT: &str = "application-networking.k8s.aws/Fingerprint";

/// First element of every rendering: bumping it makes every fingerprint differ once.
pub const VERSION: &str = "lattice-fingerprint/2";

/// FNV-1a, 128 bits: stable across processes, platforms and versions (unlike std's hasher).
pub fn stable_hash(bytes: &[u8]) -> u128 {
    let mut hasher = Fnv::default();
    hasher.add(bytes);
    hasher.0
}

const FNV_OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
const FNV_PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

/// A running [`stable_hash`] that a rendering is written into, so that no text of it
/// is kept.
struct Fnv(u128);

impl Default for Fnv {
    fn default() -> Self {
        Self(FNV_OFFSET)
    }
}

impl Fnv {
    fn add(&mut self, bytes: &[u8]) {
        self.0 = bytes.iter().fold(self.0, |hash, byte| (hash ^ u128::from(*byte)).wrapping_mul(FNV_PRIME));
    }
}

impl std::io::Write for Fnv {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.add(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The stable hash of `value`'s compact JSON rendering.
fn hash_json(value: &impl Serialize) -> u128 {
    let mut hasher = Fnv::default();
    // Writing into a hasher cannot fail, and the shapes of this crate always serialize.
    let _ = serde_json::to_writer(&mut hasher, value);
    hasher.0
}

/// 64 bits of [`hash_json`], in hex.
fn digest64(value: &impl Serialize) -> String {
    let hash = hash_json(value);
    format!("{:016x}", (hash >> 64) as u64 ^ hash as u64)
}

/// 128 bits of [`hash_json`], in hex.
fn digest128(value: &impl Serialize) -> String {
    format!("{:032x}", hash_json(value))
}

/// `tags`, or a copy without the fingerprint itself when they carry one.
fn without_fingerprint(tags: &Tags) -> std::borrow::Cow<'_, Tags> {
    if tags.contains_key(TAG_FINGERPRINT) {
        let mut copy = tags.clone();
        copy.remove(TAG_FINGERPRINT);
        std::borrow::Cow::Owned(copy)
    } else {
        std::borrow::Cow::Borrowed(tags)
    }
}

/// One access log subscription of a service, as its fingerprint renders it.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
struct LogShape<'a> {
    destination_arn: &'a str,
    tags: &'a Tags,
}

/// The auth policies and access log subscriptions of a desired state's services, by service
/// name, indexed once so that fingerprinting every service stays linear.
pub struct ServicePolicies<'a> {
    auth: BTreeMap<&'a str, &'a str>,
    logs: BTreeMap<&'a str, Vec<LogShape<'a>>>,
}

impl<'a> ServicePolicies<'a> {
    /// The index of `desired` (when several auth policies name a service, the first counts).
    pub fn of(desired: &'a DesiredState) -> Self {
        let mut auth = BTreeMap::new();
        for p in desired.auth_policies.iter().filter(|p| p.resource.resource_type == PolicyResourceType::Service) {
            auth.entry(p.resource.resource_identifier.as_str()).or_insert(p.policy.as_str());
        }
        let mut logs: BTreeMap<&str, Vec<LogShape<'a>>> = BTreeMap::new();
        for s in
            desired.access_log_subscriptions.iter().filter(|s| s.resource.resource_type == PolicyResourceType::Service)
        {
            let log = LogShape { destination_arn: &s.destination_arn, tags: &s.tags };
            logs.entry(s.resource.resource_identifier.as_str()).or_default().push(log);
        }
        for list in logs.values_mut() {
            list.sort();
        }
        Self { auth, logs }
    }

    /// The auth policy of the service named `name`.
    pub fn auth(&self, name: &str) -> Option<&'a str> {
        self.auth.get(name).copied()
    }

    /// Whether the service named `name` has the same auth policy and access logs in `other`.
    fn same_for(&self, other: &ServicePolicies<'_>, name: &str) -> bool {
        self.auth(name) == other.auth(name) && self.logs.get(name) == other.logs.get(name)
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
    let logs = policies.logs.get(spec.name.as_str()).map(Vec::as_slice).unwrap_or_default();
    let auth = policies.auth(&spec.name);
    let shape = if spec.tags.contains_key(TAG_FINGERPRINT) {
        let mut copy = spec.clone();
        copy.tags.remove(TAG_FINGERPRINT);
        std::borrow::Cow::Owned(copy)
    } else {
        std::borrow::Cow::Borrowed(spec)
    };
    digest128(&(VERSION, "service", &*shape, auth, logs))
}

/// The configuration part of a target group's fingerprint: name, type, configuration, tags.
pub fn target_group_config(spec: &TargetGroupSpec) -> String {
    let tags = without_fingerprint(&spec.tags);
    digest64(&(VERSION, "targetgroup", &spec.name, spec.kind, &spec.config, &*tags))
}

/// The targets part of a target group's fingerprint (order does not matter).
pub fn targets(targets: &[Target]) -> String {
    let mut sorted: Vec<&Target> = targets.iter().collect();
    sorted.sort();
    sorted.dedup();
    digest64(&(VERSION, "targets", &sorted))
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
    /// The fingerprints of `desired` (when several resources share a name, the first counts).
    pub fn of(desired: &DesiredState) -> Self {
        Self::of_reusing(desired, Earlier::default())
    }
}

/// Fingerprints an earlier desired state had, for a later one that took some of its services
/// and target groups unchanged (see [`Fingerprints::of_reusing`]).
#[derive(Clone, Debug, Default)]
pub struct Earlier {
    /// The earlier fingerprints.
    pub prints: Fingerprints,
    /// The earlier auth policies and access log subscriptions (the rest is not looked at): a
    /// service's fingerprint covers them.
    pub policies: DesiredState,
    /// For each service of the later desired state, whether it is the earlier one of its name.
    pub services: Vec<bool>,
    /// For each target group of the later desired state, whether it is the earlier one of its
    /// name.
    pub target_groups: Vec<bool>,
}

impl Fingerprints {
    /// [`Fingerprints::of`] `desired`, taking from `earlier` the fingerprint of each service
    /// and target group it marks unchanged (a service's only while its auth policy and access
    /// log subscriptions are unchanged too) instead of computing it again.
    pub fn of_reusing(desired: &DesiredState, earlier: Earlier) -> Self {
        let Earlier { prints: mut before, policies: earlier_policies, services, target_groups } = earlier;
        let policies = ServicePolicies::of(desired);
        let was = ServicePolicies::of(&earlier_policies);
        let mut prints = Self::default();
        for (i, spec) in desired.services.iter().enumerate() {
            if prints.services.contains_key(&spec.name) {
                continue;
            }
            let unchanged = services.get(i).copied().unwrap_or(false) && policies.same_for(&was, &spec.name);
            let print = unchanged
                .then(|| before.services.remove(&spec.name))
                .flatten()
                .unwrap_or_else(|| service_with(spec, &policies));
            prints.services.insert(spec.name.clone(), print);
        }
        for (i, spec) in desired.target_groups.iter().enumerate() {
            if prints.target_groups.contains_key(&spec.name) {
                continue;
            }
            let unchanged = target_groups.get(i).copied().unwrap_or(false);
            let print = unchanged
                .then(|| before.target_groups.remove(&spec.name))
                .flatten()
                .unwrap_or_else(|| target_group(spec));
            prints.target_groups.insert(spec.name.clone(), print);
        }
        prints
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
