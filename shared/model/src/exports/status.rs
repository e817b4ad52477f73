//! The status of ServiceExports: `Valid` and `Exported`, merged into what the export carries.

use crds::ServiceExportStatus;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use k8s_openapi::jiff::Timestamp;

use super::{ANNOTATION_FEDERATION, CONDITION_EXPORTED, CONDITION_VALID, ExportOutcome, FEDERATION_LATTICE, reasons};
use crate::conditions::condition;
use crate::config::Config;
use crate::names;
use crate::observed::{ObservedState, is_owned};
use crate::snapshot::{name_of, namespace_of};
use crate::status::{ObjectStatus, StatusEntry};

/// The status of each export: `Valid` (for exports handed to us) and `Exported`, merged into the
/// conditions the export carries.
pub fn status(
    outcomes: &[ExportOutcome],
    observed: &ObservedState,
    config: &Config,
    now: Timestamp,
) -> Vec<StatusEntry> {
    let managed_by = config.identity.managed_by();
    outcomes
        .iter()
        .map(|o| {
            let generation = o.export.metadata.generation.unwrap_or(1);
            let cond = |type_: &str, ok: bool, reason: &str, message: String| {
                condition(type_, ok, reason, message, generation, now)
            };
            let mut computed = Vec::new();
            if !o.federated {
                let message = format!(
                    "annotation {ANNOTATION_FEDERATION}: {FEDERATION_LATTICE} is not set, so nothing is exported to VPC Lattice"
                );
                computed.push(cond(CONDITION_EXPORTED, false, reasons::NOT_FEDERATED, message));
            } else {
                computed.push(match o.problems.first() {
                    None => {
                        let exported: Vec<&str> = o.target_groups.iter().map(|(_, what)| what.as_str()).collect();
                        let mut message = format!("Exports {}", exported.join(", "));
                        for note in &o.notes {
                            message.push_str("; ");
                            message.push_str(note);
                        }
                        cond(CONDITION_VALID, true, reasons::VALID, message)
                    }
                    Some((reason, _)) => {
                        let messages: Vec<&str> = o.problems.iter().map(|(_, m)| m.as_str()).collect();
                        cond(CONDITION_VALID, false, reason, messages.join("; "))
                    }
                });
                let (ok, reason, message) = exported(o, observed, &managed_by);
                computed.push(cond(CONDITION_EXPORTED, ok, reason, message));
            }
            let existing = o.export.status.as_ref().map(|s| s.conditions.as_slice()).unwrap_or_default();
            StatusEntry {
                api_version: format!("{}/{}", crds::GROUP, crds::VERSION),
                kind: "ServiceExport".to_owned(),
                namespace: Some(namespace_of(&o.export.metadata).to_owned()),
                name: name_of(&o.export.metadata).to_owned(),
                status: ObjectStatus::ServiceExport(ServiceExportStatus { conditions: merge(existing, computed) }),
                annotations: Default::default(),
            }
        })
        .collect()
}

/// The `Exported` condition of a federated export.
fn exported(o: &ExportOutcome, observed: &ObservedState, managed_by: &str) -> (bool, &'static str, String) {
    if o.target_groups.is_empty() {
        return (false, reasons::INVALID, "nothing valid to export; see the Valid condition".to_owned());
    }
    let mut done = Vec::new();
    let mut pending = Vec::new();
    for (tg, what) in &o.target_groups {
        match crate::plan::counterpart(tg, observed, managed_by) {
            Some(seen) if !is_owned(&seen.tags, managed_by) => {
                let holder = seen.tags.get(names::TAG_MANAGED_BY).map_or("nobody (untagged)", String::as_str);
                return (false, reasons::CONFLICTED, format!("target group name {} is held by {holder}", tg.name));
            }
            Some(seen) => done.push(format!("{what}: target group {} ({})", seen.name, seen.id)),
            None => pending.push(format!("{what}: target group {}", tg.name)),
        }
    }
    if pending.is_empty() {
        (true, reasons::EXPORTED, format!("Exported {}", done.join("; ")))
    } else {
        (false, reasons::PENDING, format!("Not created yet: {}", pending.join("; ")))
    }
}

/// `computed` replacing the conditions of the same types in `existing`, keeping their
/// `lastTransitionTime` when their status did not change.
fn merge(existing: &[Condition], computed: Vec<Condition>) -> Vec<Condition> {
    let ours = [CONDITION_VALID, CONDITION_EXPORTED];
    let mut out: Vec<Condition> = existing.iter().filter(|c| !ours.contains(&c.type_.as_str())).cloned().collect();
    for mut c in computed {
        if let Some(old) = existing.iter().find(|o| o.type_ == c.type_ && o.status == c.status) {
            c.last_transition_time = old.last_transition_time.clone();
        }
        out.push(c);
    }
    out
}
