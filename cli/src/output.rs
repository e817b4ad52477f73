//! Rendering a plan: JSON for programs, text for people (colour only on a terminal).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};

use model::lattice::{PathMatchType, RuleAction, RuleMatch};
use model::plan::Action;

use crate::Outcome;

/// Whether stdout is a terminal and `NO_COLOR` is unset.
pub fn use_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Writes the JSON document of the output contract.
pub fn json(o: &Outcome, out: &mut dyn Write) -> anyhow::Result<()> {
    let doc = serde_json::json!({
        "actions": o.plan.actions,
        "desired": o.translation.desired,
        "status": o.translation.status.iter().map(model::status::StatusEntry::to_json).collect::<Vec<_>>(),
        "calls": BTreeMap::<String, u64>::new(),
        "refused": o.plan.refused.iter().map(|r| serde_json::json!({"resource": r.resource, "reason": r.reason})).collect::<Vec<_>>(),
        "input": {
            "errors": o.loaded.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "skipped": o.loaded.skipped,
        },
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
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

/// Writes the people-facing plan: actions, then status problems, then input problems.
pub fn text(o: &Outcome, out: &mut dyn Write, colour: bool) -> anyhow::Result<()> {
    let p = Paint(colour);
    let actions = &o.plan.actions;
    if actions.is_empty() {
        writeln!(out, "{}", p.bold("No changes: VPC Lattice already matches the manifests."))?;
    } else {
        writeln!(out, "{}", p.bold(&format!("Plan: {} VPC Lattice calls", actions.len())))?;
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
    for r in &o.plan.refused {
        writeln!(out, "  {} {} not changed: {}", p.yellow("!"), r.resource, r.reason)?;
    }
    writeln!(out)?;
    writeln!(out, "{}", p.bold("Status"))?;
    for e in &o.translation.status {
        let object = match &e.namespace {
            Some(ns) => format!("{} {ns}/{}", e.kind, e.name),
            None => format!("{} {}", e.kind, e.name),
        };
        let problems: Vec<_> = e
            .conditions()
            .into_iter()
            .filter(|(_, c)| {
                (c.status == "False")
                    != (c.type_ == "PartiallyInvalid" || c.type_ == "Conflicted" || c.type_ == "OverlappingTLSConfig")
            })
            .filter(|(_, c)| !(c.type_ == "Conflicted" && c.status == "False"))
            .collect();
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
    if !o.loaded.errors.is_empty() || !o.loaded.skipped.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", p.bold("Input"))?;
        for e in &o.loaded.errors {
            writeln!(out, "  {} {e}", p.red("error"))?;
        }
        if !o.loaded.skipped.is_empty() {
            let kinds: Vec<String> = o.loaded.skipped.iter().map(|(k, n)| format!("{n} {k}")).collect();
            writeln!(out, "  skipped (not read by this controller): {}", kinds.join(", "))?;
        }
    }
    Ok(())
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
            ('~', format!("{} certificate {}", r.service_identifier, r.certificate_arn.as_deref().unwrap_or("-")))
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
                "{} {} {}/{} port {}",
                r.name,
                r.config.ip_address_type,
                r.config.protocol,
                r.config.protocol_version.as_deref().unwrap_or("-"),
                r.config.port
            ),
        ),
        Action::UpdateTargetGroup(r) => ('~', format!("{} health check", r.target_group_identifier)),
        Action::DeleteTargetGroup(r) => ('-', r.target_group_identifier.clone()),
        Action::RegisterTargets(r) => ('+', format!("{} {} targets", r.target_group_identifier, r.targets.len())),
        Action::DeregisterTargets(r) => ('-', format!("{} {} targets", r.target_group_identifier, r.targets.len())),
        Action::TagResource(r) => ('~', format!("{} {} tags", r.resource_arn, r.tags.len())),
        Action::UntagResource(r) => ('~', format!("{} remove {}", r.resource_arn, r.tag_keys.join(", "))),
    }
}
