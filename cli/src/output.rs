//! Rendering a plan: JSON for programs, text for people (colour only on a terminal).

use std::io::{IsTerminal, Write};

use model::lattice::{PathMatchType, RuleAction, RuleMatch};
use model::plan::Action;

use crate::Outcome;
use crate::document::Document;
use crate::engine::Input;

/// Whether stdout is a terminal and `NO_COLOR` is unset.
pub fn use_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Writes the JSON document of the output contract.
pub fn json(o: &Outcome, out: &mut dyn Write) -> anyhow::Result<()> {
    // Standard output is line-buffered: one write per line of a large document costs more than
    // producing it.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, &Document::new(o))?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_owned() }
    }
    fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
}

/// Writes the people-facing summary: where it ran, the calls (planned or made), failures, the
/// routes' Lattice names, the status of every object, then input problems.
pub fn text(o: &Outcome, out: &mut dyn Write, colour: bool) -> anyhow::Result<()> {
    let p = Paint(colour);
    let r = &o.report;
    if let Input::Cluster { description, .. } = &o.input {
        writeln!(out, "Cluster: {description}")?;
    }
    writeln!(out, "Target: {}", o.target)?;
    if !o.seeded.is_empty() {
        writeln!(out, "  seeded with service networks: {}", o.seeded.join(", "))?;
    }
    writeln!(out)?;
    let actions = &r.plan.actions;
    let heading = match &r.apply {
        None => format!("Plan: {} VPC Lattice calls", actions.len()),
        Some(a) => format!("Applied {} of {} VPC Lattice calls", a.applied, actions.len()),
    };
    if actions.is_empty() {
        writeln!(out, "{}", p.bold("No changes: VPC Lattice already matches the manifests."))?;
    } else {
        writeln!(out, "{}", p.bold(&heading))?;
        for a in actions {
            let (sign, line) = describe(a);
            let sign = match sign {
                '+' => p.green("+"),
                '-' => p.red("-"),
                _ => p.yellow("~"),
            };
            writeln!(out, "  {sign} {:<40} {line}", a.op())?;
        }
    }
    for refusal in &r.plan.refused {
        writeln!(out, "  {} {} not changed: {}", p.yellow("!"), refusal.resource, refusal.reason)?;
    }
    if let Some(mass) = &r.mass_delete {
        writeln!(out, "  {} {mass}", if mass.overridden { p.yellow("!") } else { p.red("mass deletion refused:") })?;
    }
    if let Some(a) = &r.apply {
        for (label, list) in [("failed", &a.failed), ("skipped", &a.skipped), ("pending", &a.pending)] {
            for problem in list {
                let (_, line) = describe(&problem.action);
                writeln!(out, "  {} {} {line}: {}", p.red(label), problem.action.op(), problem.message)?;
            }
        }
    }
    for owner in &r.protected {
        writeln!(out, "  {} {owner} left unchanged: an object it depends on could not be read", p.yellow("!"))?;
    }
    let calls: u64 = r.calls.values().sum();
    writeln!(out, "  ({calls} API calls made: {})", summarize_calls(&r.calls))?;
    let routes: Vec<_> =
        r.translation.status.iter().filter(|e| e.annotations.contains_key(model::names::ANNOTATION_DNS_NAME)).collect();
    if !routes.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", p.bold("Routes"))?;
        for e in routes {
            let dns = &e.annotations[model::names::ANNOTATION_DNS_NAME];
            writeln!(out, "  {} {}/{}: {dns}", e.kind, e.namespace.as_deref().unwrap_or_default(), e.name)?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", p.bold("Status"))?;
    for e in &r.translation.status {
        let object = match &e.namespace {
            Some(ns) => format!("{} {ns}/{}", e.kind, e.name),
            None => format!("{} {}", e.kind, e.name),
        };
        let problems: Vec<_> = e.conditions().into_iter().filter(|(_, c)| is_problem(c)).collect();
        if problems.is_empty() {
            writeln!(out, "  {} {object}", p.green("ok"))?;
        } else {
            writeln!(out, "  {} {object}", p.red("!!"))?;
            for (place, c) in problems {
                let place = if place.is_empty() { String::new() } else { format!("{place}: ") };
                writeln!(out, "       {place}{}={} ({}): {}", c.type_, c.status, c.reason, c.message)?;
            }
        }
    }
    match &o.input {
        Input::Manifests(loaded) if !loaded.errors.is_empty() || !loaded.skipped.is_empty() => {
            writeln!(out)?;
            writeln!(out, "{}", p.bold("Input"))?;
            for e in &loaded.errors {
                writeln!(out, "  {} {e}", p.red("error"))?;
            }
            if !loaded.skipped.is_empty() {
                let kinds: Vec<String> = loaded.skipped.iter().map(|(k, n)| format!("{n} {k}")).collect();
                writeln!(out, "  skipped (not read by this controller): {}", kinds.join(", "))?;
            }
        }
        Input::Manifests(_) => {}
        Input::Cluster { write: None, dns, readiness, .. } => {
            crate::extras::text(dns, readiness, true, out)?;
            writeln!(out)?;
            writeln!(out, "Dry run: no status, DNS record or readiness gate written.")?;
        }
        Input::Cluster { write: Some(w), dns, readiness, .. } => {
            crate::extras::text(dns, readiness, false, out)?;
            writeln!(out)?;
            writeln!(out, "{}", p.bold("Status writes"))?;
            writeln!(out, "  {} written, {} unchanged, {} failed", w.written.len(), w.unchanged.len(), w.failed.len())?;
            for object in &w.written {
                writeln!(out, "  {} {object}", p.green("wrote"))?;
            }
            for (object, message) in &w.failed {
                writeln!(out, "  {} {object}: {message}", p.red("failed"))?;
            }
        }
    }
    Ok(())
}

/// A condition worth showing: a positive-polarity condition that is not True, or a
/// negative-polarity one (`PartiallyInvalid`, `Conflicted`, `OverlappingTLSConfig`) that is True.
fn is_problem(c: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition) -> bool {
    let negative = matches!(c.type_.as_str(), "PartiallyInvalid" | "Conflicted" | "OverlappingTLSConfig");
    (c.status == "True") == negative
}

fn summarize_calls(calls: &std::collections::BTreeMap<String, u64>) -> String {
    calls.iter().map(|(op, n)| format!("{op} {n}")).collect::<Vec<_>>().join(", ")
}

fn action_summary(a: &RuleAction) -> String {
    match a {
        RuleAction::FixedResponse(f) => format!("fixed {}", f.status_code),
        RuleAction::Forward(f) => {
            let parts: Vec<String> =
                f.target_groups.iter().map(|t| format!("{} w={}", t.target_group_identifier, t.weight)).collect();
            format!("forward [{}]", parts.join(", "))
        }
    }
}

fn match_summary(m: &RuleMatch) -> String {
    let RuleMatch::HttpMatch(m) = m;
    let mut parts = Vec::new();
    if let Some(method) = &m.method {
        parts.push(method.clone());
    }
    match m.path_match.as_ref().map(|p| &p.matcher) {
        Some(PathMatchType::Exact(v)) => parts.push(format!("path = {v}")),
        Some(PathMatchType::Prefix(v)) => parts.push(format!("path {v}*")),
        None => {}
    }
    for h in &m.header_matches {
        parts.push(format!("{}: {:?}", h.name, h.matcher));
    }
    parts.join(" ")
}

/// `, health check <path>` or `, health check off`.
fn health_check_summary(check: &serde_json::Value) -> String {
    match (check.get("enabled").and_then(serde_json::Value::as_bool), check.get("path").and_then(|p| p.as_str())) {
        (Some(false), _) => ", health check off".to_owned(),
        (_, Some(path)) => format!(", health check {path}"),
        _ => ", health check".to_owned(),
    }
}

fn describe(a: &Action) -> (char, String) {
    match a {
        Action::CreateServiceNetwork(r) => ('+', r.name.clone()),
        Action::CreateService(r) => (
            '+',
            match &r.custom_domain_name {
                Some(d) => format!("{} ({d})", r.name),
                None => r.name.clone(),
            },
        ),
        Action::UpdateService(r) => {
            let mut changes = Vec::new();
            if let Some(arn) = &r.certificate_arn {
                changes.push(format!("certificate {arn}"));
            }
            if let Some(auth_type) = &r.auth_type {
                changes.push(format!("authType {auth_type}"));
            }
            ('~', format!("{} {}", r.service_identifier, changes.join(" ")))
        }
        Action::DeleteService(r) => ('-', r.service_identifier.clone()),
        Action::CreateServiceNetworkServiceAssociation(r) => {
            ('+', format!("{} in {}", r.service_identifier, r.service_network_identifier))
        }
        Action::DeleteServiceNetworkServiceAssociation(r) => {
            ('-', r.service_network_service_association_identifier.clone())
        }
        Action::CreateListener(r) => (
            '+',
            format!("{} {}:{} default {}", r.name, r.protocol.as_str(), r.port, action_summary(&r.default_action)),
        ),
        Action::UpdateListener(r) => {
            ('~', format!("{} default {}", r.listener_identifier, action_summary(&r.default_action)))
        }
        Action::DeleteListener(r) => ('-', format!("{} of {}", r.listener_identifier, r.service_identifier)),
        Action::CreateRule(r) => (
            '+',
            format!(
                "{} #{} {} -> {}",
                r.listener_identifier,
                r.priority,
                match_summary(&r.matcher),
                action_summary(&r.action)
            ),
        ),
        Action::BatchUpdateRule(r) => ('~', format!("{} {} rules", r.listener_identifier, r.rules.len())),
        Action::DeleteRule(r) => ('-', format!("{} of {}", r.rule_identifier, r.listener_identifier)),
        Action::CreateTargetGroup(r) => (
            '+',
            format!(
                "{} {} {}/{} port {}{}",
                r.name,
                r.config.ip_address_type,
                r.config.protocol,
                r.config.protocol_version.as_deref().unwrap_or("-"),
                r.config.port,
                r.config.health_check.as_ref().map_or(String::new(), health_check_summary)
            ),
        ),
        Action::UpdateTargetGroup(r) => ('~', format!("{} health check", r.target_group_identifier)),
        Action::DeleteTargetGroup(r) => ('-', r.target_group_identifier.clone()),
        Action::RegisterTargets(r) => ('+', format!("{} {} targets", r.target_group_identifier, r.targets.len())),
        Action::DeregisterTargets(r) => ('-', format!("{} {} targets", r.target_group_identifier, r.targets.len())),
        Action::TagResource(r) => ('~', format!("{} {} tags", r.resource_arn, r.tags.len())),
        Action::UntagResource(r) => ('~', format!("{} remove {}", r.resource_arn, r.tag_keys.join(", "))),
        Action::UpdateServiceNetwork(r) => ('~', format!("{} authType {}", r.service_network_identifier, r.auth_type)),
        Action::PutAuthPolicy(r) => ('~', format!("{} auth policy ({} bytes)", r.resource_identifier, r.policy.len())),
        Action::DeleteAuthPolicy(r) => ('-', format!("{} auth policy", r.resource_identifier)),
        Action::CreateAccessLogSubscription(r) => {
            ('+', format!("{} access logs to {}", r.resource_identifier, r.destination_arn))
        }
        Action::UpdateAccessLogSubscription(r) => {
            ('~', format!("{} access logs to {}", r.access_log_subscription_identifier, r.destination_arn))
        }
        Action::DeleteAccessLogSubscription(r) => ('-', r.access_log_subscription_identifier.clone()),
        Action::DeleteServiceNetwork(r) => ('-', r.service_network_identifier.clone()),
        Action::CreateServiceNetworkVpcAssociation(r) => (
            '+',
            format!(
                "{} in {} security groups {}",
                r.vpc_identifier,
                r.service_network_identifier,
                groups(&r.security_group_ids)
            ),
        ),
        Action::UpdateServiceNetworkVpcAssociation(r) => (
            '~',
            format!(
                "{} security groups {}",
                r.service_network_vpc_association_identifier,
                groups(&r.security_group_ids)
            ),
        ),
        Action::DeleteServiceNetworkVpcAssociation(r) => ('-', r.service_network_vpc_association_identifier.clone()),
    }
}

fn groups(ids: &[String]) -> String {
    if ids.is_empty() { "none".to_owned() } else { ids.join(", ") }
}
