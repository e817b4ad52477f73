//! What every policy kind shares: which object a policy targets, which of several policies on
//! one target wins, and the `Accepted` condition written to `status.conditions`.
//!
//! Policies follow the Gateway API policy attachment rules as the existing controller applies
//! them: one `targetRef` in the policy's own namespace, the oldest policy (creation time, then
//! name) wins a conflict, and the status carries one `Accepted` condition with reason
//! `Accepted`, `Invalid`, `TargetNotFound` or `Conflicted`.

use std::collections::BTreeMap;

use crds::PolicyTargetReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, ObjectMeta};
use k8s_openapi::jiff::Timestamp;

use crate::conditions::{self, types};
use crate::snapshot::{ObjectRef, name_of, namespace_of};
use crate::status::{ObjectStatus, PolicyStatus, StatusEntry};

/// Reasons of a policy's `Accepted` condition.
pub mod reasons {
    /// The policy is applied.
    pub const ACCEPTED: &str = "Accepted";
    /// The policy's spec is invalid.
    pub const INVALID: &str = "Invalid";
    /// The policy's target does not exist.
    pub const TARGET_NOT_FOUND: &str = "TargetNotFound";
    /// An older policy of the same kind targets the same object.
    pub const CONFLICTED: &str = "Conflicted";
}

/// The outcome for one policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Applied; the message says what it does.
    Accepted(String),
    /// The spec is invalid; the message names the field.
    Invalid(String),
    /// The target does not exist (or is not one of ours).
    TargetNotFound(String),
    /// An older policy wins the same target.
    Conflicted(String),
}

impl Verdict {
    /// Reason and message of the `Accepted` condition, and whether it is `True`.
    pub fn parts(&self) -> (bool, &'static str, &str) {
        match self {
            Self::Accepted(m) => (true, reasons::ACCEPTED, m),
            Self::Invalid(m) => (false, reasons::INVALID, m),
            Self::TargetNotFound(m) => (false, reasons::TARGET_NOT_FOUND, m),
            Self::Conflicted(m) => (false, reasons::CONFLICTED, m),
        }
    }

    /// Whether the policy is applied.
    pub fn is_accepted(&self) -> bool {
        matches!(self, Self::Accepted(_))
    }
}

/// The object a policy targets, or why the reference is invalid.
///
/// `kinds` lists the `(group, kind)` pairs the policy kind accepts (group `""` for core kinds);
/// the target must be in the policy's namespace.
pub fn target_of(
    policy_kind: &str,
    meta: &ObjectMeta,
    target: &PolicyTargetReference,
    kinds: &[(&str, &str)],
) -> Result<ObjectRef, Verdict> {
    let namespace = namespace_of(meta);
    if let Some(ns) = target.namespace.as_deref().filter(|ns| *ns != namespace) {
        return Err(Verdict::Invalid(format!(
            "spec.targetRef.namespace: {ns} differs from the policy's namespace {namespace}; a {policy_kind} applies to objects in its own namespace only"
        )));
    }
    if !kinds.iter().any(|(g, k)| *g == target.group && *k == target.kind) {
        let allowed: Vec<String> =
            kinds.iter().map(|(g, k)| if g.is_empty() { (*k).to_owned() } else { format!("{k}.{g}") }).collect();
        let given =
            if target.group.is_empty() { target.kind.clone() } else { format!("{}.{}", target.kind, target.group) };
        return Err(Verdict::Invalid(format!(
            "spec.targetRef: {given} is not a valid target of a {policy_kind}; expected {}",
            allowed.join(" or ")
        )));
    }
    if target.name.is_empty() {
        return Err(Verdict::Invalid("spec.targetRef.name: must not be empty".to_owned()));
    }
    Ok(ObjectRef::new(&target.kind, namespace, &target.name))
}

/// One policy competing for a target: its identity, age and target.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The policy.
    pub policy: ObjectRef,
    /// Its creation time (absent for manifests not yet created; those count as newest).
    pub created: Option<Timestamp>,
    /// Its target.
    pub target: ObjectRef,
}

impl Candidate {
    /// A candidate for `meta` of `policy_kind` targeting `target`.
    pub fn new(policy_kind: &str, meta: &ObjectMeta, target: ObjectRef) -> Self {
        Self {
            policy: ObjectRef::new(policy_kind, namespace_of(meta), name_of(meta)),
            created: meta.creation_timestamp.as_ref().map(|t| t.0),
            target,
        }
    }

    fn age_key(&self) -> (bool, Option<Timestamp>, &str) {
        (self.created.is_none(), self.created, &self.policy.name)
    }
}

/// Resolves conflicts between valid policies of one kind: per target, the oldest (creation
/// time, then name) wins; every other one gets a `Conflicted` verdict naming the winner.
/// Returns the winner per target and the losers' verdicts.
pub fn oldest_wins(candidates: &[Candidate]) -> (BTreeMap<ObjectRef, ObjectRef>, BTreeMap<ObjectRef, Verdict>) {
    let mut by_target: BTreeMap<&ObjectRef, Vec<&Candidate>> = BTreeMap::new();
    for c in candidates {
        by_target.entry(&c.target).or_default().push(c);
    }
    let mut winners = BTreeMap::new();
    let mut losers = BTreeMap::new();
    for (target, mut group) in by_target {
        group.sort_by(|a, b| a.age_key().cmp(&b.age_key()));
        let winner = group[0];
        winners.insert(target.clone(), winner.policy.clone());
        for loser in &group[1..] {
            let message = format!(
                "{} {} targets {target} too and is older; only one {} applies to a target",
                winner.policy.kind, winner.policy.name, winner.policy.kind
            );
            losers.insert(loser.policy.clone(), Verdict::Conflicted(message));
        }
    }
    (winners, losers)
}

/// The status entry of a policy: its `Accepted` condition merged into the conditions it has
/// (conditions of other writers kept, `lastTransitionTime` moved only when the status flips).
pub fn status_entry(
    policy_kind: &str,
    meta: &ObjectMeta,
    existing: &[Condition],
    verdict: &Verdict,
    now: Timestamp,
) -> StatusEntry {
    let (ok, reason, message) = verdict.parts();
    let generation = meta.generation.unwrap_or(0);
    let computed = vec![conditions::condition(types::ACCEPTED, ok, reason, message, generation, now)];
    StatusEntry {
        api_version: crds::API_VERSION.to_owned(),
        kind: policy_kind.to_owned(),
        namespace: Some(namespace_of(meta).to_owned()),
        name: name_of(meta).to_owned(),
        status: ObjectStatus::Policy(PolicyStatus { conditions: conditions::merge(existing, computed) }),
        annotations: BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn meta(name: &str, created: Option<&str>) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some("shop".to_owned()),
            generation: Some(3),
            creation_timestamp: created.map(|t| Time(t.parse().expect("timestamp"))),
            ..ObjectMeta::default()
        }
    }

    fn target(kind: &str, group: &str, namespace: Option<&str>) -> PolicyTargetReference {
        PolicyTargetReference {
            group: group.to_owned(),
            kind: kind.to_owned(),
            name: "rates".to_owned(),
            namespace: namespace.map(str::to_owned),
        }
    }

    const GATEWAY_OR_ROUTE: &[(&str, &str)] =
        &[("gateway.networking.k8s.io", "Gateway"), ("gateway.networking.k8s.io", "HTTPRoute")];

    #[test]
    fn target_in_the_policys_namespace_with_an_allowed_kind() {
        let m = meta("p", None);
        let t =
            target_of("IAMAuthPolicy", &m, &target("HTTPRoute", "gateway.networking.k8s.io", None), GATEWAY_OR_ROUTE);
        assert_eq!(t, Ok(ObjectRef::new("HTTPRoute", "shop", "rates")));
        let same_ns = target("HTTPRoute", "gateway.networking.k8s.io", Some("shop"));
        assert!(target_of("IAMAuthPolicy", &m, &same_ns, GATEWAY_OR_ROUTE).is_ok());
    }

    #[test]
    fn other_namespace_wrong_kind_or_group_is_invalid_naming_the_field() {
        let m = meta("p", None);
        let cases = [
            (target("HTTPRoute", "gateway.networking.k8s.io", Some("other")), "spec.targetRef.namespace: other"),
            (target("Service", "", None), "spec.targetRef: Service is not a valid target"),
            (target("Gateway", "", None), "expected Gateway.gateway.networking.k8s.io or HTTPRoute"),
        ];
        for (t, expected) in cases {
            match target_of("IAMAuthPolicy", &m, &t, GATEWAY_OR_ROUTE) {
                Err(Verdict::Invalid(message)) => assert!(message.contains(expected), "{message}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn oldest_wins_then_name_and_uncreated_count_as_newest() {
        let t = ObjectRef::new("Gateway", "shop", "gw");
        let cands = vec![
            Candidate::new("AccessLogPolicy", &meta("b", Some("2026-01-02T00:00:00Z")), t.clone()),
            Candidate::new("AccessLogPolicy", &meta("new", None), t.clone()),
            Candidate::new("AccessLogPolicy", &meta("a", Some("2026-01-02T00:00:00Z")), t.clone()),
            Candidate::new(
                "AccessLogPolicy",
                &meta("c", Some("2026-01-03T00:00:00Z")),
                ObjectRef::new("Gateway", "shop", "other"),
            ),
        ];
        let (winners, losers) = oldest_wins(&cands);
        assert_eq!(winners[&t].name, "a");
        assert_eq!(winners.len(), 2);
        assert_eq!(losers.len(), 2);
        match &losers[&ObjectRef::new("AccessLogPolicy", "shop", "new")] {
            Verdict::Conflicted(m) => assert!(m.starts_with("AccessLogPolicy a targets Gateway shop/gw"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn status_entry_keeps_transition_time_when_nothing_flips() {
        let m = meta("p", None);
        let then: Timestamp = "2026-01-01T00:00:00Z".parse().expect("ts");
        let now: Timestamp = "2026-02-01T00:00:00Z".parse().expect("ts");
        let first = status_entry("IAMAuthPolicy", &m, &[], &Verdict::Accepted("applied".into()), then);
        let ObjectStatus::Policy(s) = &first.status else { panic!("policy status") };
        let again = status_entry("IAMAuthPolicy", &m, &s.conditions, &Verdict::Accepted("applied".into()), now);
        let ObjectStatus::Policy(s2) = &again.status else { panic!("policy status") };
        assert_eq!(s2.conditions[0].last_transition_time.0, then);
        assert_eq!(s2.conditions[0].observed_generation, Some(3));
        let flipped =
            status_entry("IAMAuthPolicy", &m, &s.conditions, &Verdict::Invalid("spec.policy: bad".into()), now);
        let ObjectStatus::Policy(s3) = &flipped.status else { panic!("policy status") };
        assert_eq!((s3.conditions[0].status.as_str(), s3.conditions[0].reason.as_str()), ("False", "Invalid"));
        assert_eq!(s3.conditions[0].last_transition_time.0, now);
        assert_eq!(flipped.to_json()["status"]["conditions"][0]["message"], "spec.policy: bad");
        assert_eq!(flipped.to_json()["apiVersion"], "application-networking.k8s.aws/v1alpha1");
    }
}
