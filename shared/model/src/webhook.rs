//! Readiness gate injection (pure): the `MutatingWebhookConfiguration` that makes the API server
//! send new pods to the readiness gate webhook, computed from a cluster snapshot.
//!
//! A pod gets the gate [`crate::readiness::GATE_CONDITION_TYPE`] only when a target group of ours
//! will hold it, or it would never become ready. So the configuration has one webhook entry per
//! Service that backs one of our target groups (a route's backend or a federated ServiceExport's
//! Service) and lives in a namespace labelled [`INJECT_LABEL`]`: enabled`: its `namespaceSelector`
//! matches that namespace (by `kubernetes.io/metadata.name`) and the label, its `objectSelector`
//! is the Service's selector. A Service without a selector selects no pod and gets no entry.
//!
//! The entries call the webhook URL the functions are configured with; `failurePolicy: Ignore`,
//! so a webhook that cannot be reached never stops a pod from being created (it just comes up
//! without the gate). Every field the API server would default is written explicitly, so what it
//! stores compares equal to what is computed and a steady state writes nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::exports;
use crate::imports::SOURCE_SERVICE_EXPORT;
use crate::lattice::DesiredState;
use crate::names::{TAG_SERVICE_NAME, TAG_SERVICE_NAMESPACE, TAG_SOURCE_TYPE};
use crate::snapshot::{ClusterSnapshot, name_of, namespace_of};

/// Name of the (cluster-scoped) configuration the functions maintain.
pub const CONFIGURATION_NAME: &str = "lattice-pod-readiness-gate";
/// Namespace label that turns injection on (value [`INJECT_ENABLED`]), as for the existing controller.
pub const INJECT_LABEL: &str = "application-networking.k8s.aws/pod-readiness-gate-inject";
/// The value of [`INJECT_LABEL`] that turns injection on.
pub const INJECT_ENABLED: &str = "enabled";
/// Label marking the configuration as ours (with [`MANAGED_BY_VALUE`]); one without it is never changed.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// The value of [`MANAGED_BY_LABEL`] on our configuration.
pub const MANAGED_BY_VALUE: &str = "lattice-gateway-controller";
/// Suffix of every webhook entry's name: `<service>.<namespace>.<suffix>`.
pub const WEBHOOK_NAME_SUFFIX: &str = "pod-readiness-gate.application-networking.k8s.aws";
/// How long the API server waits for the webhook before creating the pod without the gate.
pub const TIMEOUT_SECONDS: i32 = 3;
/// The label every namespace carries with its own name.
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Whether (and how) the readiness gate webhook configuration is kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WebhookSetting {
    /// Left alone: neither written nor deleted (the command line, which has no webhook).
    #[default]
    Unmanaged,
    /// No webhook: a configuration of ours is deleted.
    Off,
    /// Kept in step with the cluster, its entries calling this `https://` URL.
    Url(String),
}

impl WebhookSetting {
    /// Whether the configuration is left alone.
    pub fn is_unmanaged(&self) -> bool {
        *self == WebhookSetting::Unmanaged
    }
}

/// What the configuration should be.
#[derive(Clone, Debug, PartialEq)]
pub enum WebhookWanted {
    /// Leave whatever exists alone.
    Unmanaged,
    /// No configuration of ours should exist.
    Absent,
    /// This configuration (a whole `admissionregistration.k8s.io/v1` object).
    Present(Value),
}

/// What a sync of the configuration changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WebhookChange {
    /// Created.
    Created,
    /// Ours, replaced with the configuration wanted.
    Updated,
    /// Ours, deleted: none is wanted.
    Deleted,
}

/// What a sync of the configuration did (or, for a dry run, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookOutcome {
    /// The change made; `None` when the configuration was left as it is (or is unmanaged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<WebhookChange>,
    /// Webhook entries of the configuration wanted (0 when none is).
    pub entries: usize,
    /// A configuration of that name exists and is not ours: left alone, and why that matters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreign: Option<String>,
    /// The read or write failed: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

/// A Service whose pods get the gate.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct GatedService {
    /// Namespace (labelled for injection).
    pub namespace: String,
    /// Service name.
    pub name: String,
    /// The Service's selector (never empty).
    pub selector: BTreeMap<String, String>,
}

/// The Services behind `desired`'s target groups that live in namespaces labelled for injection
/// and select pods, sorted by namespace and name.
pub fn gated_services(snapshot: &ClusterSnapshot, desired: &DesiredState) -> Vec<GatedService> {
    let mut backing: BTreeSet<(String, String)> = BTreeSet::new();
    for tg in &desired.target_groups {
        let (Some(name), Some(namespace)) = (tg.tags.get(TAG_SERVICE_NAME), tg.tags.get(TAG_SERVICE_NAMESPACE)) else {
            continue;
        };
        let service = if tg.tags.get(TAG_SOURCE_TYPE).map(String::as_str) == Some(SOURCE_SERVICE_EXPORT) {
            // Export target groups are tagged with the export's name; the Service may be another.
            let Some(export) = snapshot
                .service_exports
                .iter()
                .find(|e| namespace_of(&e.metadata) == namespace && name_of(&e.metadata) == name)
            else {
                continue;
            };
            exports::exported_service(export).to_owned()
        } else {
            name.clone()
        };
        backing.insert((namespace.clone(), service));
    }
    backing
        .into_iter()
        .filter(|(namespace, _)| injection_enabled(snapshot, namespace))
        .filter_map(|(namespace, name)| {
            let service = snapshot
                .services
                .iter()
                .find(|s| namespace_of(&s.metadata) == namespace && name_of(&s.metadata) == name)?;
            let selector = service.spec.as_ref()?.selector.clone().filter(|s| !s.is_empty())?;
            Some(GatedService { namespace, name, selector })
        })
        .collect()
}

/// Whether namespace `name` carries [`INJECT_LABEL`]` = enabled`.
pub fn injection_enabled(snapshot: &ClusterSnapshot, name: &str) -> bool {
    snapshot.namespaces.iter().any(|n| {
        name_of(&n.metadata) == name
            && n.metadata.labels.as_ref().and_then(|l| l.get(INJECT_LABEL)).map(String::as_str) == Some(INJECT_ENABLED)
    })
}

/// The name of the webhook entry of Service `namespace/name` (a DNS subdomain; Service and
/// namespace names are DNS labels, so it is unique per Service).
pub fn webhook_name(namespace: &str, name: &str) -> String {
    format!("{name}.{namespace}.{WEBHOOK_NAME_SUFFIX}")
}

/// The whole configuration for `services`, every entry calling `url`.
pub fn configuration(services: &[GatedService], url: &str) -> Value {
    let webhooks: Vec<Value> = services.iter().map(|s| entry(s, url)).collect();
    json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": CONFIGURATION_NAME, "labels": {MANAGED_BY_LABEL: MANAGED_BY_VALUE}},
        "webhooks": webhooks,
    })
}

fn entry(service: &GatedService, url: &str) -> Value {
    json!({
        "name": webhook_name(&service.namespace, &service.name),
        "admissionReviewVersions": ["v1"],
        "clientConfig": {"url": url},
        "failurePolicy": "Ignore",
        "matchPolicy": "Equivalent",
        "namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: service.namespace, INJECT_LABEL: INJECT_ENABLED}},
        "objectSelector": {"matchLabels": service.selector},
        "reinvocationPolicy": "Never",
        "rules": [{
            "apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"], "scope": "Namespaced",
        }],
        "sideEffects": "None",
        "timeoutSeconds": TIMEOUT_SECONDS,
    })
}

/// What the configuration should be for `setting`, given the snapshot and the desired state
/// translated from it. With a URL but no gated Service, none should exist.
pub fn wanted(snapshot: &ClusterSnapshot, desired: &DesiredState, setting: &WebhookSetting) -> WebhookWanted {
    match setting {
        WebhookSetting::Unmanaged => WebhookWanted::Unmanaged,
        WebhookSetting::Off => WebhookWanted::Absent,
        WebhookSetting::Url(url) => {
            let services = gated_services(snapshot, desired);
            if services.is_empty() {
                WebhookWanted::Absent
            } else {
                WebhookWanted::Present(configuration(&services, url))
            }
        }
    }
}

/// Checks a webhook URL as the API server will: `https`, a host, no user info, query or fragment.
/// The error says what is wrong.
pub fn check_url(url: &str) -> Result<(), String> {
    let rest = url.strip_prefix("https://").ok_or_else(|| format!("{url:?} must start with https://"))?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() {
        return Err(format!("{url:?} has no host"));
    }
    if host.contains('@') {
        return Err(format!("{url:?} must not carry user information"));
    }
    if rest.contains('?') || rest.contains('#') {
        return Err(format!("{url:?} must not have a query or fragment"));
    }
    if rest.chars().any(char::is_whitespace) {
        return Err(format!("{url:?} must not contain whitespace"));
    }
    Ok(())
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
