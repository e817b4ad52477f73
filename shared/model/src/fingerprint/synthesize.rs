//! The observed state of resources whose fingerprint tag matches their desired state, built
//! from that desired state instead of read: what a detail read would have returned, as far as a
//! plan and the status need it.
//!
//! Children the plan never needs to name while the fingerprint holds (listeners, rules,
//! associations) get placeholder ids; a run whose final desired state differs from the one the
//! fingerprint vouches for reads the service in full first (see [`stale_services`]).

use std::collections::BTreeMap;

use super::{Fingerprints, ServicePolicies, TAG_FINGERPRINT, Verify, config_part};
use crate::lattice::{
    DesiredState, ForwardAction, RuleAction, RuleMatch, ServiceSpec, Target, TargetGroupSpec, WeightedTargetGroup,
};
use crate::names::{TAG_MANAGED_BY, Tags};
use crate::observed::policies::{AUTH_TYPE_IAM, AUTH_TYPE_NONE};
use crate::observed::{
    ObservedAssociation, ObservedAuth, ObservedListener, ObservedRule, ObservedService, ObservedServiceNetwork,
    ObservedState, ObservedTargetGroup, TargetHealth,
};

/// Lifecycle status of an in-sync resource.
const ACTIVE: &str = "ACTIVE";

/// A desired service and its fingerprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedService<'a> {
    /// The desired service.
    pub spec: &'a ServiceSpec,
    /// The auth policy desired on it.
    pub auth_policy: Option<&'a str>,
}

/// The desired state a run expects to find, indexed by fingerprint, and how much it verifies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expected<'a> {
    /// Desired services by fingerprint.
    pub services: BTreeMap<String, ExpectedService<'a>>,
    /// Desired target groups by the configuration part of their fingerprint.
    pub target_groups: BTreeMap<String, &'a TargetGroupSpec>,
    /// The whole fingerprint of each of [`Expected::target_groups`], by its configuration part.
    pub target_group_prints: BTreeMap<String, String>,
    /// What is read in full regardless of fingerprints.
    pub verify: Verify,
}

/// What the fingerprint of an owned target group says about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetGroupMatch<'a> {
    /// Configuration and targets are as desired: nothing to read.
    InSync(&'a TargetGroupSpec),
    /// The configuration is as desired, the targets may not be: list the targets only.
    Targets(&'a TargetGroupSpec),
}

impl<'a> Expected<'a> {
    /// The expectations of `desired`, verified as `verify` says.
    pub fn of(desired: &'a DesiredState, verify: Verify) -> Self {
        Self::with(desired, &Fingerprints::of(desired), verify)
    }

    /// [`Expected::of`] with the fingerprints of `desired` already computed.
    pub fn with(desired: &'a DesiredState, prints: &Fingerprints, verify: Verify) -> Self {
        let policies = ServicePolicies::of(desired);
        let mut expected = Self { verify, ..Self::default() };
        for spec in &desired.services {
            let Some(print) = prints.services.get(&spec.name) else { continue };
            let auth_policy = policies.auth(&spec.name);
            expected.services.insert(print.clone(), ExpectedService { spec, auth_policy });
        }
        for tg in &desired.target_groups {
            let Some(print) = prints.target_groups.get(&tg.name) else { continue };
            let config = config_part(print).to_owned();
            expected.target_group_prints.insert(config.clone(), print.clone());
            expected.target_groups.insert(config, tg);
        }
        expected
    }

    /// Expectations that read everything in full.
    pub fn full() -> Self {
        Self { verify: Verify::Full, ..Self::default() }
    }

    /// The desired service an owned service (`arn`, `tags`) is in sync with, unless it is due
    /// for verification.
    pub fn service(&self, arn: &str, tags: &Tags) -> Option<&ExpectedService<'a>> {
        if self.verify.due(arn) {
            return None;
        }
        self.services.get(tags.get(TAG_FINGERPRINT)?)
    }

    /// What an owned target group's fingerprint tag says, unless it is due for verification.
    pub fn target_group(&self, arn: &str, tags: &Tags) -> Option<TargetGroupMatch<'a>> {
        if self.verify.due(arn) {
            return None;
        }
        let tag = tags.get(TAG_FINGERPRINT)?;
        let config = config_part(tag);
        let spec = *self.target_groups.get(config)?;
        let in_sync = self.target_group_prints.get(config).is_some_and(|print| print == tag);
        Some(if in_sync { TargetGroupMatch::InSync(spec) } else { TargetGroupMatch::Targets(spec) })
    }
}

/// The id in a Lattice ARN (its last path segment).
pub fn id_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// The DNS name Lattice assigns to service `name` with id `id`, following the documented form
/// `{name}-{id without svc-}.{partition}.vpc-lattice-svcs.{region}.on.aws`, whose tail is taken
/// from `sample`, a service of the same account (`(name, id, dns name)`). `None` when the sample
/// does not have that form.
pub fn dns_name(name: &str, id: &str, sample: (&str, &str, &str)) -> Option<String> {
    let (sample_name, sample_id, sample_dns) = sample;
    let prefix = format!("{sample_name}-{}.", sample_id.trim_start_matches("svc-"));
    let tail = sample_dns.strip_prefix(&prefix)?;
    tail.contains(".vpc-lattice-svcs.").then(|| format!("{name}-{}.{tail}", id.trim_start_matches("svc-")))
}

/// The observed form of an in-sync service (`arn`, `tags` from the inventory) and its auth
/// settings; `None` when it cannot be built: a service network or forwarded target group it
/// names is not in `networks` / `tg_id`.
pub fn service_of(
    expected: &ExpectedService<'_>,
    arn: &str,
    tags: Tags,
    dns_name: Option<String>,
    networks: &[ObservedServiceNetwork],
    tg_id: &dyn Fn(&str) -> Option<String>,
) -> Option<(ObservedService, ObservedAuth)> {
    let spec = expected.spec;
    let id = id_of(arn).to_owned();
    let placeholder = |what: &str| format!("{arn}/unread/{what}");
    let mut association_tags = spec.tags.clone();
    if let Some(managed_by) = tags.get(TAG_MANAGED_BY) {
        association_tags.insert(TAG_MANAGED_BY.to_owned(), managed_by.clone());
    }
    let mut associations = Vec::new();
    for network in &spec.service_networks {
        let sn = networks.iter().find(|sn| sn.name == *network || sn.id == *network || sn.arn == *network)?;
        associations.push(ObservedAssociation {
            id: placeholder(&format!("association/{}", sn.id)),
            arn: placeholder(&format!("association/{}", sn.id)),
            service_network_id: sn.id.clone(),
            service_network_name: sn.name.clone(),
            status: ACTIVE.to_owned(),
            tags: association_tags.clone(),
        });
    }
    let mut listeners = Vec::new();
    for l in &spec.listeners {
        let mut rules = Vec::new();
        for r in &l.rules {
            let RuleMatch::HttpMatch(matcher) = &r.matcher;
            let what = format!("listener/{}/rule/{}", l.name, r.name);
            rules.push(ObservedRule {
                id: placeholder(&what),
                arn: placeholder(&what),
                name: r.name.clone(),
                priority: r.priority,
                matcher: matcher.clone(),
                action: by_id(&r.action, tg_id)?,
                tags: r.tags.clone(),
            });
        }
        let what = format!("listener/{}", l.name);
        listeners.push(ObservedListener {
            id: placeholder(&what),
            arn: placeholder(&what),
            name: l.name.clone(),
            protocol: l.protocol,
            port: l.port,
            default_action: by_id(&l.default_action, tg_id)?,
            tags: l.tags.clone(),
            rules,
        });
    }
    let auth = ObservedAuth {
        resource_type: crate::lattice::PolicyResourceType::Service,
        resource_id: id.clone(),
        auth_type: if expected.auth_policy.is_some() { AUTH_TYPE_IAM } else { AUTH_TYPE_NONE }.to_owned(),
        policy: expected.auth_policy.map(str::to_owned),
    };
    let service = ObservedService {
        id,
        arn: arn.to_owned(),
        name: spec.name.clone(),
        custom_domain_name: spec.custom_domain_name.clone(),
        certificate_arn: spec.certificate_arn.clone(),
        dns_name,
        status: ACTIVE.to_owned(),
        tags,
        associations,
        listeners,
    };
    Some((service, auth))
}

/// `action` with its target groups named by id, or `None` when one is unknown.
fn by_id(action: &RuleAction, tg_id: &dyn Fn(&str) -> Option<String>) -> Option<RuleAction> {
    match action {
        RuleAction::Forward(forward) => {
            let mut target_groups = Vec::new();
            for tg in &forward.target_groups {
                let id = tg_id(&tg.target_group_identifier)?;
                target_groups.push(WeightedTargetGroup { target_group_identifier: id, weight: tg.weight });
            }
            Some(RuleAction::Forward(ForwardAction { target_groups }))
        }
        RuleAction::FixedResponse(_) => Some(action.clone()),
    }
}

/// The observed form of a target group whose configuration is as `spec` says (`arn`, `tags`
/// from the inventory); its targets are `listed` (with their health) when they were read, else
/// the desired ones (the fingerprint vouches for them).
pub fn target_group_of(
    spec: &TargetGroupSpec,
    arn: &str,
    tags: Tags,
    listed: Option<(Vec<Target>, Vec<TargetHealth>)>,
) -> ObservedTargetGroup {
    let (targets, health) = listed.unwrap_or_else(|| (spec.targets.clone(), Vec::new()));
    ObservedTargetGroup {
        id: id_of(arn).to_owned(),
        arn: arn.to_owned(),
        name: spec.name.clone(),
        kind: spec.kind,
        config: spec.config.clone(),
        status: ACTIVE.to_owned(),
        tags,
        service_arns: Vec::new(),
        targets,
        health,
    }
}

/// The services of `observed` built from their fingerprint (`observed.unverified`) that a plan
/// for `desired` could change: no longer desired, or desired differently. Such services must be
/// read in full before planning.
pub fn stale_services(observed: &ObservedState, desired: &DesiredState) -> Vec<String> {
    stale_services_with(observed, &Fingerprints::of(desired))
}

/// [`stale_services`] with the fingerprints of the desired state already computed (`prints`).
pub fn stale_services_with(observed: &ObservedState, prints: &Fingerprints) -> Vec<String> {
    observed
        .services
        .iter()
        .filter(|s| observed.unverified.contains(&s.arn))
        .filter(|s| {
            let want = prints.services.get(&s.name);
            want.is_none() || s.tags.get(TAG_FINGERPRINT) != want
        })
        .map(|s| s.arn.clone())
        .collect()
}
