//! The JSON document of `-o json`, serialized straight from the run's own values: nothing of it
//! is copied into an intermediate tree first, so the plan of many thousand routes goes from the
//! report to the output in one pass.
//!
//! Top-level members, and the members of the objects this module shapes itself (`apply`, `input`,
//! `statusWrites`, `dnsRecords`, `readinessGates` and their entries), are declared in alphabetical
//! order: the order the document has always had. Objects of the model's own types (`actions`,
//! `desired`) come in their types' field order; status entries, small and shaped by
//! [`StatusEntry::to_json`], in alphabetical order.

use std::fmt::Display;

use k8s_openapi::api::core::v1::PodCondition;
use model::dns::DnsOutcome;
use model::lattice::OwnerKey;
use model::plan::valve::MassDelete;
use model::plan::{Action, Refusal};
use model::snapshot::ObjectRef;
use model::status::StatusEntry;
use reconciler::{ActionProblem, ApplyOutcome, ReadinessOutcome, WriteOutcome};
use serde::{Serialize, Serializer};

use crate::Outcome;
use crate::engine::Input;

/// The whole document.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document<'a> {
    actions: &'a [Action],
    apply: Option<Apply<'a>>,
    calls: &'a std::collections::BTreeMap<String, u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster: Option<&'a str>,
    /// CPU time by phase; absent where it was not measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    cpu: Option<crate::cpu::Phases>,
    desired: &'a model::lattice::DesiredState,
    #[serde(skip_serializing_if = "Option::is_none")]
    dns_records: Option<DnsRecords<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<InputReport<'a>>,
    mass_delete: Option<&'a MassDelete>,
    protected: &'a std::collections::BTreeSet<OwnerKey>,
    #[serde(skip_serializing_if = "Option::is_none")]
    readiness_gates: Option<ReadinessGates<'a>>,
    refused: &'a [Refusal],
    status: Statuses<'a>,
    /// Present for a cluster run; `null` for a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    status_writes: Option<Option<StatusWrites<'a>>>,
    target: &'a str,
}

impl<'a> Document<'a> {
    /// The document of `o`.
    pub(crate) fn new(o: &'a Outcome) -> Self {
        let r = &o.report;
        let mut doc = Document {
            actions: &r.plan.actions,
            apply: r.apply.as_ref().map(Apply::new),
            calls: &r.calls,
            cluster: None,
            cpu: o.cpu,
            desired: &r.translation.desired,
            dns_records: None,
            input: None,
            mass_delete: r.mass_delete.as_ref(),
            protected: &r.protected,
            readiness_gates: None,
            refused: &r.plan.refused,
            status: Statuses(&r.translation.status),
            status_writes: None,
            target: &o.target,
        };
        match &o.input {
            Input::Manifests(loaded) => {
                doc.input = Some(InputReport { errors: Shown(&loaded.errors), skipped: &loaded.skipped });
            }
            Input::Cluster { description, write, dns, readiness } => {
                doc.cluster = Some(description);
                doc.dns_records = Some(DnsRecords::new(dns));
                doc.readiness_gates = Some(ReadinessGates::new(readiness));
                doc.status_writes = Some(write.as_ref().map(StatusWrites::new));
            }
        }
        doc
    }
}

/// `status`: each entry is built by [`StatusEntry::to_json`] and written before the next one is
/// built.
struct Statuses<'a>(&'a [StatusEntry]);

impl Serialize for Statuses<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(StatusEntry::to_json))
    }
}

/// A value written as the string of its `Display` form.
struct Text<'a, T>(&'a T);

impl<T: Display> Serialize for Text<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

/// A list written as the strings of its items' `Display` forms.
struct Shown<'a, T>(&'a [T]);

impl<T: Display> Serialize for Shown<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(Text))
    }
}

/// `apply`: what the apply did.
#[derive(Serialize)]
struct Apply<'a> {
    applied: usize,
    failed: ActionProblems<'a>,
    pending: ActionProblems<'a>,
    skipped: ActionProblems<'a>,
}

impl<'a> Apply<'a> {
    fn new(a: &'a ApplyOutcome) -> Self {
        Apply {
            applied: a.applied,
            failed: ActionProblems(&a.failed),
            pending: ActionProblems(&a.pending),
            skipped: ActionProblems(&a.skipped),
        }
    }
}

/// `[{action, message}]`.
struct ActionProblems<'a>(&'a [ActionProblem]);

impl Serialize for ActionProblems<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Entry<'a> {
            action: &'a Action,
            message: &'a str,
        }
        serializer.collect_seq(self.0.iter().map(|p| Entry { action: &p.action, message: &p.message }))
    }
}

/// `[{message, object}]`.
struct ObjectProblems<'a>(&'a [(ObjectRef, String)]);

impl Serialize for ObjectProblems<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Entry<'a> {
            message: &'a str,
            object: Text<'a, ObjectRef>,
        }
        serializer.collect_seq(self.0.iter().map(|(o, m)| Entry { message: m, object: Text(o) }))
    }
}

/// `input`: documents that could not be read, kinds skipped with counts.
#[derive(Serialize)]
struct InputReport<'a> {
    errors: Shown<'a, manifests::DocumentError>,
    skipped: &'a std::collections::BTreeMap<String, usize>,
}

/// `statusWrites`: what the status write did.
#[derive(Serialize)]
struct StatusWrites<'a> {
    failed: ObjectProblems<'a>,
    unchanged: Shown<'a, ObjectRef>,
    written: Shown<'a, ObjectRef>,
}

impl<'a> StatusWrites<'a> {
    fn new(w: &'a WriteOutcome) -> Self {
        StatusWrites { failed: ObjectProblems(&w.failed), unchanged: Shown(&w.unchanged), written: Shown(&w.written) }
    }
}

/// `dnsRecords`: the routes' external-dns records.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DnsRecords<'a> {
    created: Shown<'a, ObjectRef>,
    deleted: Shown<'a, ObjectRef>,
    failed: ObjectProblems<'a>,
    not_ours: ObjectProblems<'a>,
    served: bool,
    unchanged: Shown<'a, ObjectRef>,
    updated: Shown<'a, ObjectRef>,
}

impl<'a> DnsRecords<'a> {
    fn new(dns: &'a DnsOutcome) -> Self {
        DnsRecords {
            created: Shown(&dns.created),
            deleted: Shown(&dns.deleted),
            failed: ObjectProblems(&dns.failed),
            not_ours: ObjectProblems(&dns.foreign),
            served: dns.served,
            unchanged: Shown(&dns.unchanged),
            updated: Shown(&dns.updated),
        }
    }
}

/// `readinessGates`: the pods' readiness gates.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReadinessGates<'a> {
    failed: ObjectProblems<'a>,
    gated: usize,
    pods_read: usize,
    waiting: WaitingPods<'a>,
    written: GateConditions<'a>,
}

impl<'a> ReadinessGates<'a> {
    fn new(readiness: &'a ReadinessOutcome) -> Self {
        ReadinessGates {
            failed: ObjectProblems(&readiness.failed),
            gated: readiness.gated,
            pods_read: readiness.pods_read,
            waiting: WaitingPods(&readiness.waiting),
            written: GateConditions(&readiness.written),
        }
    }
}

/// The gated pods still not ready, by name.
struct WaitingPods<'a>(&'a [reconciler::Waiting]);

impl Serialize for WaitingPods<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|w| Text(&w.gate.pod)))
    }
}

/// `[{message, pod, reason, status}]`: gate conditions written.
struct GateConditions<'a>(&'a [(ObjectRef, PodCondition)]);

impl Serialize for GateConditions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Entry<'a> {
            message: &'a Option<String>,
            pod: Text<'a, ObjectRef>,
            reason: &'a Option<String>,
            status: &'a str,
        }
        serializer.collect_seq(self.0.iter().map(|(pod, c)| Entry {
            message: &c.message,
            pod: Text(pod),
            reason: &c.reason,
            status: &c.status,
        }))
    }
}

#[cfg(test)]
#[path = "tests_document.rs"]
mod tests;
