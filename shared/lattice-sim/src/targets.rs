//! Targets of a target group: registration with per-target failures, draining on deregistration, and
//! health states derived from whether the group is used and whether health checks are enabled.

use std::net::IpAddr;

use serde_json::{Map, Value, json};

use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::pagination;
use crate::patterns::aws_arn;
use crate::scripted;
use crate::state::{Status, Target, TargetGroup};
use crate::target_groups;
use crate::validate::{Checker, TARGET_ID};
use crate::wire::{Reply, Request};

/// Reads the `targets` list (bounds as modeled for the operation).
fn parse_targets(
    body: &Map<String, Value>,
    bounds: (usize, usize),
    req: bool,
) -> Result<Vec<(String, Option<u16>)>, ApiError> {
    let mut c = Checker::new();
    let mut out = Vec::new();
    if let Some(items) = c.list(body, "", "targets", bounds, req) {
        for (i, item) in items.iter().enumerate() {
            let path = format!("targets[{i}]");
            let Some(obj) = item.as_object() else {
                c.fail(path, "Member must be a structure");
                continue;
            };
            let id = c.string(obj, &path, "id", TARGET_ID, true);
            let port = c.int(obj, &path, "port", (1, 65535), false).and_then(|p| u16::try_from(p).ok());
            out.push((id.unwrap_or_default(), port));
        }
    }
    c.finish()?;
    Ok(out)
}

fn target_json(id: &str, port: Option<u16>) -> Value {
    json!({"id": id, "port": port})
}

fn failure(id: &str, port: Option<u16>, code: &str, message: String) -> Value {
    json!({"id": id, "port": port, "failureCode": code, "failureMessage": message})
}

/// Why a target does not fit its group, if it does not.
fn unsupported(tg: &TargetGroup, id: &str) -> Option<String> {
    let ip_type = tg.config.as_ref().and_then(|c| c.ip_address_type.as_deref());
    match tg.tg_type.as_str() {
        "INSTANCE" => {
            let ok = id.strip_prefix("i-").is_some_and(|h| {
                (h.len() == 8 || h.len() == 17) && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            });
            (!ok).then(|| format!("{id} is not an EC2 instance id"))
        }
        "IP" => match (id.parse::<IpAddr>(), ip_type) {
            (Ok(IpAddr::V4(_)), Some("IPV6")) => Some(format!("{id} is not an IPv6 address")),
            (Ok(IpAddr::V6(_)), Some("IPV4") | None) => Some(format!("{id} is not an IPv4 address")),
            (Ok(_), _) => None,
            (Err(_), _) => Some(format!("{id} is not an IP address")),
        },
        "LAMBDA" => {
            let ok = aws_arn(id).is_some_and(|(service, rest)| service == "lambda" && rest.starts_with("function:"));
            (!ok).then(|| format!("{id} is not a Lambda function ARN"))
        }
        _ => {
            let ok = aws_arn(id).is_some_and(|(service, rest)| {
                service == "elasticloadbalancing" && rest.starts_with("loadbalancer/app/")
            });
            (!ok).then(|| format!("{id} is not an Application Load Balancer ARN"))
        }
    }
}

pub(crate) fn register(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let tg_id = target_groups::from_label(ctx, req)?;
    let wanted = parse_targets(&req.body, (1, 100), true)?;
    let (now, limit) = (ctx.now, ctx.env.quotas.targets_per_target_group);
    let seq_base = ctx.state.seq;
    let tg = &ctx.state.target_groups[&tg_id];
    if tg.life.status != Status::Active {
        return Err(ApiError::bad_status("TARGET_GROUP", &tg_id, tg.life.status.as_str()));
    }
    let default_port = tg.config.as_ref().and_then(|c| c.port);
    let lambda = tg.tg_type == "LAMBDA";
    let mut successful = Vec::new();
    let mut unsuccessful = Vec::new();
    let mut added: Vec<Target> = Vec::new();
    let mut revived: Vec<(String, Option<u16>)> = Vec::new();
    for (id, port) in wanted {
        let port = if lambda { None } else { port.or(default_port) };
        if let Some(reason) = unsupported(tg, &id) {
            unsuccessful.push(failure(&id, port, "UnsupportedTarget", reason));
            continue;
        }
        let existing = tg.targets.iter().find(|t| t.id == id && t.port == port);
        let known = existing.is_some() || added.iter().any(|t| t.id == id && t.port == port);
        if lambda && !known && (tg.targets.len() + added.len()) >= 1 {
            unsuccessful.push(failure(
                &id,
                port,
                "UnsupportedTarget",
                "A Lambda target group has at most one target".into(),
            ));
            continue;
        }
        if existing.is_some_and(|t| t.draining_until.is_some()) {
            revived.push((id.clone(), port));
        } else if !known {
            let seq = seq_base + added.len() as u64 + 1;
            added.push(Target { id: id.clone(), port, seq, registered_at: now, draining_until: None });
        }
        successful.push(target_json(&id, port));
    }
    let total = tg.targets.len() + added.len();
    if total > limit {
        ctx.quota(total - 1, limit, "TARGET", "targets-per-target-group", Some(&tg_id))?;
    }
    ctx.state.seq += added.len() as u64;
    if let Some(tg) = ctx.state.target_groups.get_mut(&tg_id) {
        for t in tg.targets.iter_mut().filter(|t| revived.iter().any(|(id, port)| *id == t.id && *port == t.port)) {
            t.draining_until = None;
            t.registered_at = now;
        }
        tg.targets.extend(added);
    }
    Ok(Reply::ok(json!({"successful": successful, "unsuccessful": unsuccessful})))
}

pub(crate) fn deregister(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let tg_id = target_groups::from_label(ctx, req)?;
    let wanted = parse_targets(&req.body, (1, 100), true)?;
    let until = ctx.now.saturating_add(ctx.env.drain_ms);
    let Some(tg) = ctx.state.target_groups.get_mut(&tg_id) else {
        return Err(ApiError::not_found("TARGET_GROUP", tg_id));
    };
    let default_port = tg.config.as_ref().and_then(|c| c.port);
    let lambda = tg.tg_type == "LAMBDA";
    let mut successful = Vec::new();
    let mut unsuccessful = Vec::new();
    for (id, port) in wanted {
        let port = if lambda { None } else { port.or(default_port) };
        match tg.targets.iter_mut().find(|t| t.id == id && t.port == port) {
            Some(t) => {
                if t.draining_until.is_none() {
                    t.draining_until = Some(until);
                }
                successful.push(target_json(&id, port));
            }
            None => unsuccessful.push(failure(&id, port, "TargetNotFound", format!("{id} is not registered"))),
        }
    }
    Ok(Reply::ok(json!({"successful": successful, "unsuccessful": unsuccessful})))
}

pub(crate) fn list(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let tg_id = target_groups::from_label(ctx, req)?;
    let filter = parse_targets(&req.body, (0, 20), false)?;
    let scope = format!("ListTargets/{tg_id}");
    let page = pagination::from_query(req, &scope)?;
    let in_use = !ctx.state.tg_service_ids(&tg_id).is_empty();
    let tg = &ctx.state.target_groups[&tg_id];
    let checked = tg.config.as_ref().and_then(|c| c.health_check.as_ref()).is_some_and(|h| h.enabled);
    let settle = ctx.env.transition_ms;
    let items: Vec<(u64, Value)> = tg
        .targets
        .iter()
        .filter(|t| {
            filter.is_empty() || filter.iter().any(|(id, port)| *id == t.id && port.is_none_or(|p| Some(p) == t.port))
        })
        .map(|t| {
            let status = if t.draining_until.is_some() {
                "DRAINING"
            } else if !in_use {
                "UNUSED"
            } else if !checked {
                "UNAVAILABLE"
            } else if ctx.now < t.registered_at.saturating_add(settle) {
                "INITIAL"
            } else {
                "HEALTHY"
            };
            let (status, reason) = scripted::apply(ctx.state, &scripted::key(&tg_id, &t.id, t.port), status);
            let mut item = json!({"id": t.id, "port": t.port, "status": status});
            if let Some(reason) = reason {
                item["reasonCode"] = json!(reason);
            }
            (t.seq, item)
        })
        .collect();
    let (items, next) = pagination::cut(items, page, &scope);
    Ok(Reply::ok(json!({"items": items, "nextToken": next})))
}
