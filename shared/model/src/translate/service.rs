//! One route → its Lattice service (listeners, rules) and target groups, plus the route-level
//! facts status needs (dropped rules, unresolved references, warnings).

use std::collections::BTreeMap;

use crate::annotations;
use crate::attach::Attachment;
use crate::backends::{Question, Resolved, Resolver};
use crate::conditions::reasons;
use crate::config::Config;
use crate::gateway::{GatewayModel, Problem};
use crate::lattice::{
    ForwardAction, HttpMatch, ListenerProtocol, ListenerSpec, OwnerKey, RuleAction, RuleMatch, RuleSpec, ServiceSpec,
    TargetGroupSpec, WeightedTargetGroup,
};
use crate::names::{self, Tags};
use crate::precedence;
use crate::route::{Route, RouteKind};

use super::{certificates, options};

/// Everything translation decided about one route.
#[derive(Clone, Debug)]
pub struct RouteOutcome {
    /// The route.
    pub route: Route,
    /// Per-parent attachment outcomes (only parents naming our Gateways).
    pub attachments: Vec<Attachment>,
    /// Rules dropped, as `Dropped Rule i: why` fragments.
    pub dropped: Vec<String>,
    /// References that did not resolve: reason of the first, all messages.
    pub unresolved: Vec<Problem>,
    /// Remarks appended to the `Accepted` message.
    pub warnings: Vec<String>,
    /// The Lattice service, when at least one parent accepted the route.
    pub service: Option<ServiceSpec>,
    /// Target groups the service forwards to.
    pub target_groups: Vec<TargetGroupSpec>,
    /// The custom domain an ACM certificate has to be found for (an HTTPS listener names none).
    pub certificate_lookup: Option<String>,
    /// No certificate was found for the route's custom domain: the route is not accepted, and its
    /// existing Lattice resources are left as they are rather than deleted (a certificate that is
    /// being renewed or re-imported must not take the service and its DNS name away).
    pub held: bool,
}

struct Built {
    listeners: Vec<(ListenerProtocol, i32, Option<String>)>,
    hostnames: Vec<String>,
}

/// Builds the outcome of one route given its attachments.
pub fn build(
    route: Route,
    mut attachments: Vec<Attachment>,
    gateways: &[GatewayModel],
    resolver: &Resolver<'_>,
    config: &Config,
) -> RouteOutcome {
    let mut out = RouteOutcome {
        route,
        attachments: Vec::new(),
        dropped: Vec::new(),
        unresolved: Vec::new(),
        warnings: Vec::new(),
        service: None,
        target_groups: Vec::new(),
        certificate_lookup: None,
        held: false,
    };
    let route = &out.route;
    let options = options::read(route);
    out.warnings.extend(options.warnings.iter().cloned());
    // Backends of every rule, valid or not, decide ResolvedRefs.
    let mut resolved: BTreeMap<usize, Vec<(Resolved, i32)>> = BTreeMap::new();
    for rule in &route.rules {
        for (i, backend) in rule.backends.iter().enumerate() {
            let field = format!("spec.rules[{}].backendRefs[{i}]", rule.index);
            match resolver.resolve(route, backend, &field) {
                Ok(r) => resolved.entry(rule.index).or_default().push((r, backend.weight)),
                Err(p) => out.unresolved.push(p),
            }
        }
    }
    if !route.errors.is_empty() || !options.errors.is_empty() {
        let message = route.errors.iter().chain(&options.errors).cloned().collect::<Vec<_>>().join("; ");
        for a in attachments.iter_mut().filter(|a| a.outcome.is_ok()) {
            a.outcome = Err((reasons::UNSUPPORTED_VALUE, message.clone()));
        }
    }
    let built = listeners(route, &mut attachments, gateways, config, &mut out.warnings);
    out.attachments = attachments;
    if built.listeners.is_empty() {
        return out;
    }
    let mut valid: Vec<usize> = route.rules.iter().filter(|r| r.unsupported.is_empty()).map(|r| r.index).collect();
    for rule in route.rules.iter().filter(|r| !r.unsupported.is_empty()) {
        out.dropped.push(format!("Dropped Rule {}: {}", rule.index, rule.unsupported.join("; ")));
    }
    // Per-rule action, and quota checks that drop rules from the end until the route fits.
    let actions: BTreeMap<usize, RuleAction> = route
        .rules
        .iter()
        .map(|r| (r.index, action(resolved.get(&r.index).map(Vec::as_slice).unwrap_or_default())))
        .collect();
    let q = &config.quotas;
    for &i in &valid.clone() {
        if let Some(RuleAction::Forward(f)) = actions.get(&i)
            && f.target_groups.len() > q.target_groups_per_action
        {
            out.dropped.push(format!(
                "Dropped Rule {i}: forwards to {} target groups; VPC Lattice allows {} per rule",
                f.target_groups.len(),
                q.target_groups_per_action
            ));
            valid.retain(|&v| v != i);
        }
    }
    let mut rules = lattice_rules(route, &valid, &actions);
    loop {
        let tgs = distinct_target_groups(&valid, &actions);
        if (route.kind == RouteKind::Tls || rules.len() <= q.rules_per_listener) && tgs <= q.target_groups_per_service {
            break;
        }
        let Some(last) = valid.pop() else { break };
        out.dropped.push(format!(
            "Dropped Rule {last}: the route needs {} VPC Lattice rules per listener and {tgs} target groups; the quotas are {} and {}",
            rules.len(),
            q.rules_per_listener,
            q.target_groups_per_service
        ));
        rules = lattice_rules(route, &valid, &actions);
    }
    let rules = match options::number_rules(rules, &options.priorities, &mut out.warnings) {
        Ok(rules) => rules,
        Err(message) => {
            reject(&mut out.attachments, reasons::UNSUPPORTED_VALUE, &message);
            return out;
        }
    };
    if valid.is_empty() {
        let message = format!("No rule can be implemented on VPC Lattice: {}", out.dropped.join("; "));
        for a in out.attachments.iter_mut().filter(|a| a.outcome.is_ok()) {
            a.outcome = Err((reasons::UNSUPPORTED_VALUE, message.clone()));
        }
        return out;
    }
    let managed_by = config.identity.managed_by();
    let tags: Tags =
        annotations::with_additional([(names::TAG_MANAGED_BY.to_owned(), managed_by.clone())].into(), &options.tags);
    let default_action = match route.kind {
        RouteKind::Tls => actions.get(&valid[0]).cloned().unwrap_or_else(|| RuleAction::fixed(500)),
        _ => RuleAction::fixed(404),
    };
    // A TLS passthrough listener can only forward: without a usable backend it is left out,
    // so that connections are refused instead of asking Lattice for a fixed response there.
    let passthrough_without_backend =
        route.kind == RouteKind::Tls && matches!(default_action, RuleAction::FixedResponse(_));
    if passthrough_without_backend {
        out.warnings.push(
            "no backend is usable, so no TLS passthrough listener is created and connections are refused".to_owned(),
        );
    }
    let listener_specs = built
        .listeners
        .iter()
        .filter(|_| !passthrough_without_backend)
        .map(|(protocol, port, _)| ListenerSpec {
            name: names::listener_name(&route.name, &route.namespace, *port, protocol.short()),
            protocol: *protocol,
            port: *port,
            default_action: default_action.clone(),
            rules: rules.iter().cloned().map(|r| RuleSpec { tags: tags.clone(), ..r }).collect(),
            tags: tags.clone(),
        })
        .collect();
    let mut networks: Vec<String> = Vec::new();
    for a in out.attachments.iter().filter(|a| a.outcome.is_ok()) {
        let gw = &gateways[a.gateway];
        if !networks.contains(&gw.service_network)
            && options::joins(&options, resolver.snapshot, &gw.namespace, &gw.name, &mut out.warnings)
        {
            networks.push(gw.service_network.clone());
        }
    }
    let custom_domain_name = built.hostnames.first().cloned();
    if built.hostnames.len() > 1 {
        out.warnings.push(format!(
            "VPC Lattice gives a service one custom domain name: {} is used, {} not",
            built.hostnames[0],
            built.hostnames[1..].join(", ")
        ));
    }
    let https = built.listeners.iter().any(|(p, _, _)| *p == ListenerProtocol::Https);
    let certificate_arn = match built.listeners.iter().find_map(|(_, _, arn)| arn.clone()) {
        Some(arn) => Some(arn),
        None => match custom_domain_name.as_deref().filter(|_| https) {
            Some(domain) => {
                out.certificate_lookup = Some(domain.to_owned());
                let answer = certificates::discover(resolver.observed, domain);
                resolver
                    .asked
                    .borrow_mut()
                    .push(Question::Certificate { domain: domain.to_owned(), answer: answer.clone() });
                match answer {
                    Ok(arn) => arn,
                    Err(message) => {
                        let message = format!(
                            "{message}; the route's existing VPC Lattice resources are left as they are until one is"
                        );
                        reject(&mut out.attachments, reasons::CERTIFICATE_NOT_FOUND, &message);
                        out.held = true;
                        return out;
                    }
                }
            }
            None => None,
        },
    };
    let mut service_tags = tags;
    service_tags.insert(names::TAG_ROUTE_NAME.into(), route.name.clone());
    service_tags.insert(names::TAG_ROUTE_NAMESPACE.into(), route.namespace.clone());
    service_tags.insert(names::TAG_ROUTE_TYPE.into(), route.kind.route_type().into());
    let owner =
        OwnerKey { kind: route.kind.kind().into(), namespace: route.namespace.clone(), name: route.name.clone() };
    out.service = Some(ServiceSpec {
        name: options.service_name.clone().unwrap_or_else(|| names::service_name(&route.name, &route.namespace)),
        custom_domain_name,
        certificate_arn,
        tags: service_tags,
        service_networks: networks,
        listeners: listener_specs,
        owner: Some(owner),
        takeover_from: route.annotations.get(names::ANNOTATION_ALLOW_TAKEOVER_FROM).map(|v| v.trim().to_owned()),
    });
    let mut tgs: Vec<TargetGroupSpec> = Vec::new();
    for i in &valid {
        // Each rule is visited once, so its resolved backends can move into the target groups.
        for (r, _) in resolved.remove(i).into_iter().flatten() {
            if let Resolved::Service(tg) = r
                && !tgs.iter().any(|t| t.name == tg.name)
            {
                if tg.targets.len() > q.targets_per_target_group {
                    out.warnings.push(format!(
                        "target group {} has {} targets; the quota is {}, the rest are not registered",
                        tg.name,
                        tg.targets.len(),
                        q.targets_per_target_group
                    ));
                }
                let mut tg = *tg;
                tg.targets.truncate(q.targets_per_target_group);
                tg.tags = annotations::with_additional(tg.tags, &options.tags);
                tgs.push(tg);
            }
        }
    }
    out.target_groups = tgs;
    out
}

/// Lattice listeners (one per port) of the programmable listeners the route attached to;
/// parents whose listeners all fall outside the listener quota are rejected, and listeners
/// outside the quota of a parent that keeps others are named in a warning and no longer count
/// the route as attached.
fn listeners(
    route: &Route,
    attachments: &mut [Attachment],
    gateways: &[GatewayModel],
    config: &Config,
    warnings: &mut Vec<String>,
) -> Built {
    let mut built = Built { listeners: Vec::new(), hostnames: Vec::new() };
    let limit = config.quotas.listeners_per_service;
    for a in attachments.iter_mut() {
        let Ok(attached) = &a.outcome else { continue };
        let gw = &gateways[a.gateway];
        let mut kept = 0;
        let mut over = Vec::new();
        for at in attached {
            let l = &gw.listeners[at.listener];
            let Some(protocol) = l.protocol.filter(|_| l.programmable()) else {
                continue;
            };
            match built.listeners.iter().find(|(_, port, _)| *port == l.port) {
                Some((p, _, _)) if *p != protocol => {
                    warnings.push(format!(
                        "listener {} of Gateway {} uses port {} with another protocol; it is not programmed",
                        l.name,
                        gw.key(),
                        l.port
                    ));
                    continue;
                }
                Some(_) => {}
                None if built.listeners.len() >= limit => {
                    over.push(at.listener);
                    continue;
                }
                None => built.listeners.push((protocol, l.port, l.certificate_arn.clone())),
            }
            kept += 1;
            for h in at.hostnames.iter().flatten() {
                if !built.hostnames.contains(h) {
                    built.hostnames.push(h.clone());
                }
            }
        }
        if over.is_empty() {
            continue;
        }
        let ports: Vec<String> = built.listeners.iter().map(|(_, p, _)| p.to_string()).collect();
        let quota = format!(
            "VPC Lattice allows {limit} listeners per service and this route already uses ports {}",
            ports.join(", ")
        );
        if kept == 0 {
            a.outcome = Err((reasons::UNSUPPORTED_VALUE, quota));
        } else {
            let unserved: Vec<String> =
                over.iter().map(|&i| format!("{} (port {})", gw.listeners[i].name, gw.listeners[i].port)).collect();
            warnings.push(format!(
                "listeners {} of Gateway {} are not programmed for this route: {quota}",
                unserved.join(", "),
                gw.key()
            ));
            if let Ok(attached) = &mut a.outcome {
                attached.retain(|at| !over.contains(&at.listener));
            }
        }
    }
    if route.kind == RouteKind::Tls && built.hostnames.is_empty() {
        built.hostnames = route.hostnames.clone();
    }
    built
}

/// The forward action of a rule: weights rescaled into Lattice's 0..999, the same target group
/// listed once; no usable backend (or only zero weights) answers a fixed 500. A backend with
/// several target groups (a ServiceImport exported by several clusters) shares its weight evenly
/// between them: every weight is multiplied by the least common multiple of those counts first,
/// so that the shares stay whole.
fn action(backends: &[(Resolved, i32)]) -> RuleAction {
    let groups: Vec<(Vec<String>, i64)> = backends
        .iter()
        .map(|(r, w)| {
            let ids = match r {
                Resolved::Service(tg) => vec![tg.name.clone()],
                Resolved::Import(ids) => ids.clone(),
            };
            (ids, i64::from(*w))
        })
        .collect();
    let multiple = groups.iter().map(|(ids, _)| ids.len().max(1) as i64).fold(1, lcm);
    let mut weights: Vec<(String, i64)> = Vec::new();
    for (ids, w) in groups {
        let share = w * multiple / (ids.len().max(1) as i64);
        for id in ids {
            match weights.iter_mut().find(|(i, _)| *i == id) {
                Some((_, total)) => *total += share,
                None => weights.push((id, share)),
            }
        }
    }
    let max = weights.iter().map(|(_, w)| *w).max().unwrap_or(0);
    if max <= 0 {
        return RuleAction::fixed(500);
    }
    let target_groups = weights
        .into_iter()
        .map(|(id, w)| {
            let scaled = if max > 999 { (w * 999 + max / 2) / max } else { w };
            let weight = if w > 0 { scaled.max(1) } else { 0 };
            WeightedTargetGroup { target_group_identifier: id, weight: i32::try_from(weight).unwrap_or(999) }
        })
        .collect();
    RuleAction::Forward(ForwardAction { target_groups })
}

fn lcm(a: i64, b: i64) -> i64 {
    let gcd = |mut x: i64, mut y: i64| {
        while y != 0 {
            (x, y) = (y, x % y);
        }
        x
    };
    a / gcd(a, b) * b
}

fn distinct_target_groups(valid: &[usize], actions: &BTreeMap<usize, RuleAction>) -> usize {
    let mut ids: Vec<&str> = valid
        .iter()
        .filter_map(|i| actions.get(i))
        .flat_map(|a| match a {
            RuleAction::Forward(f) => f.target_groups.iter().map(|t| t.target_group_identifier.as_str()).collect(),
            RuleAction::FixedResponse(_) => Vec::new(),
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

/// Lattice rules of the valid route rules, ordered by match precedence, each with the index of
/// the route rule it comes from (priorities are given by [`options::number_rules`]); a match
/// identical to a higher-precedence one is unreachable and left out.
fn lattice_rules(route: &Route, valid: &[usize], actions: &BTreeMap<usize, RuleAction>) -> Vec<(usize, RuleSpec)> {
    if route.kind == RouteKind::Tls {
        return Vec::new();
    }
    let mut all: Vec<(usize, &HttpMatch, &RuleAction)> = Vec::new();
    for rule in route.rules.iter().filter(|r| valid.contains(&r.index)) {
        let Some(action) = actions.get(&rule.index) else {
            continue;
        };
        for m in &rule.matches {
            if !all.iter().any(|(_, seen, _)| *seen == m) {
                all.push((rule.index, m, action));
            }
        }
    }
    all.sort_by(|a, b| precedence::compare(a.1, b.1));
    all.into_iter()
        .map(|(origin, m, action)| {
            let rule = RuleSpec {
                name: names::rule_name(&serde_json::to_string(m).unwrap_or_default()),
                priority: 0,
                matcher: RuleMatch::HttpMatch(m.clone()),
                action: action.clone(),
                tags: Tags::new(),
            };
            (origin, rule)
        })
        .collect()
}

/// Marks every accepting parent of a route as not accepted for `reason`.
fn reject(attachments: &mut [Attachment], reason: &'static str, message: &str) {
    for a in attachments.iter_mut().filter(|a| a.outcome.is_ok()) {
        a.outcome = Err((reason, message.to_owned()));
    }
}
