//! Listeners: synchronous children of a service, unique by name and by port within it. Each one owns an
//! implicit default rule that mirrors its default action.

use serde_json::{Value, json};

use crate::actions::{self, Owner};
use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::pagination;
use crate::patterns::Kind;
use crate::services;
use crate::state::{Listener, Rule, in_order, resolve};
use crate::validate::{Checker, LISTENER_IDENT, LISTENER_NAME, label, need};
use crate::wire::{Reply, Request, timestamp};

const PROTOCOLS: &[&str] = &["HTTP", "HTTPS", "TLS_PASSTHROUGH"];

/// The name given to every listener's implicit default rule.
pub(crate) const DEFAULT_RULE_NAME: &str = "default";

pub(crate) fn create(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let service_id = services::changeable(ctx, req)?;
    let b = &req.body;
    let mut c = Checker::new();
    let name = c.string(b, "", "name", LISTENER_NAME, true);
    let protocol = c.enumeration(b, "", "protocol", PROTOCOLS, true);
    let port = c.int(b, "", "port", (1, 65535), false);
    let draft = actions::parse(&mut c, b, "", "defaultAction", true);
    let tags = c.tags(b, "", "tags", ctx.env.quotas.tags_per_resource, false);
    if protocol.as_deref() == Some("TLS_PASSTHROUGH") && port.is_none() && b.get("port").is_none_or(Value::is_null) {
        c.fail("port", "A port is required for TLS_PASSTHROUGH listeners");
    }
    c.finish()?;
    let (name, protocol, draft) = (need(name, "name")?, need(protocol, "protocol")?, need(draft, "defaultAction")?);
    let port = port.and_then(|p| u16::try_from(p).ok()).unwrap_or(if protocol == "HTTP" { 80 } else { 443 });
    let svc = &ctx.state.services[&service_id];
    if protocol == "TLS_PASSTHROUGH" && svc.custom_domain_name.is_none() {
        return Err(ApiError::invalid("TLS_PASSTHROUGH listeners require the service to have a customDomainName"));
    }
    let (svc_arn, svc_id) = (svc.meta.arn.clone(), svc.meta.id.clone());
    let siblings: Vec<&Listener> = ctx.state.listeners.values().filter(|l| l.service_id == service_id).collect();
    if let Some(l) = siblings.iter().find(|l| l.name == name) {
        let message = format!("A listener named {name} already exists on service {service_id}");
        return Err(ApiError::conflict("LISTENER", l.meta.id.clone(), message));
    }
    if let Some(l) = siblings.iter().find(|l| l.port == port) {
        let message = format!("Listener {} already uses port {port} on service {service_id}", l.meta.id);
        return Err(ApiError::conflict("LISTENER", l.meta.id.clone(), message));
    }
    let limit = ctx.env.quotas.listeners_per_service;
    ctx.quota(siblings.len(), limit, "LISTENER", "listeners-per-service", Some(&service_id))?;
    let action = actions::resolve_draft(ctx, draft, &service_id, &protocol, Owner::New)?;
    let meta = ctx.new_meta("listener", |id| format!("service/{service_id}/listener/{id}"));
    ctx.tag_new(&meta.arn, tags);
    let listener_arn = meta.arn.clone();
    let mut rule_meta = ctx.new_meta("rule", |_| String::new());
    rule_meta.arn = format!("{listener_arn}/rule/{}", rule_meta.id);
    let default_rule = Rule {
        meta: rule_meta,
        name: DEFAULT_RULE_NAME.to_owned(),
        listener_id: meta.id.clone(),
        service_id: service_id.clone(),
        is_default: true,
        priority: None,
        matcher: None,
        action: action.clone(),
    };
    let listener = Listener {
        meta,
        name,
        protocol,
        port,
        service_id,
        default_action: action,
        default_rule_id: default_rule.meta.id.clone(),
    };
    let body = json!({
        "arn": listener.meta.arn, "id": listener.meta.id, "name": listener.name, "protocol": listener.protocol,
        "port": listener.port, "serviceArn": svc_arn, "serviceId": svc_id,
        "defaultAction": listener.default_action.to_json(),
    });
    ctx.state.rules.insert(default_rule.meta.id.clone(), default_rule);
    ctx.state.listeners.insert(listener.meta.id.clone(), listener);
    Ok(Reply::created(body))
}

/// Resolves the listener label (index 1) under the service label; a listener of another service is 404.
pub(crate) fn from_labels(ctx: &Ctx<'_>, req: &Request) -> Result<(String, String), ApiError> {
    let service_id = services::from_label(ctx, req)?;
    let ident = label("listenerIdentifier", req.label(1), LISTENER_IDENT)?;
    let id = resolve(&ctx.state.listeners, &ident, Kind::Listener)?;
    if ctx.state.listeners[&id].service_id != service_id {
        return Err(ApiError::not_found("LISTENER", ident));
    }
    Ok((service_id, id))
}

fn full(ctx: &Ctx<'_>, l: &Listener, with_times: bool) -> Value {
    let svc_arn = ctx.state.services.get(&l.service_id).map(|s| s.meta.arn.clone());
    let mut body = json!({
        "arn": l.meta.arn, "id": l.meta.id, "name": l.name, "protocol": l.protocol, "port": l.port,
        "serviceArn": svc_arn, "serviceId": l.service_id, "defaultAction": l.default_action.to_json(),
    });
    if with_times && let Some(map) = body.as_object_mut() {
        map.insert("createdAt".into(), json!(timestamp(l.meta.created_at)));
        map.insert("lastUpdatedAt".into(), json!(timestamp(l.meta.updated_at)));
    }
    body
}

pub(crate) fn get(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let (_, id) = from_labels(ctx, req)?;
    Ok(Reply::ok(full(ctx, &ctx.state.listeners[&id], true)))
}

pub(crate) fn list(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let service_id = services::from_label(ctx, req)?;
    let scope = format!("ListListeners/{service_id}");
    let page = pagination::from_query(req, &scope)?;
    let items: Vec<(u64, Value)> = in_order(&ctx.state.listeners)
        .into_iter()
        .filter(|l| l.service_id == service_id)
        .map(|l| {
            let item = json!({
                "arn": l.meta.arn, "id": l.meta.id, "name": l.name, "protocol": l.protocol, "port": l.port,
                "createdAt": timestamp(l.meta.created_at), "lastUpdatedAt": timestamp(l.meta.updated_at),
            });
            (l.meta.seq, item)
        })
        .collect();
    let (items, next) = pagination::cut(items, page, &scope);
    Ok(Reply::ok(json!({"items": items, "nextToken": next})))
}

pub(crate) fn update(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let (service_id, id) = from_labels(ctx, req)?;
    services::changeable(ctx, req)?;
    let mut c = Checker::new();
    let draft = actions::parse(&mut c, &req.body, "", "defaultAction", true);
    c.finish()?;
    let protocol = ctx.state.listeners[&id].protocol.clone();
    let action =
        actions::resolve_draft(ctx, need(draft, "defaultAction")?, &service_id, &protocol, Owner::Listener(&id))?;
    let now = ctx.now;
    let Some(listener) = ctx.state.listeners.get_mut(&id) else { return Err(ApiError::not_found("LISTENER", id)) };
    listener.default_action = action.clone();
    listener.meta.updated_at = now;
    let rule_id = listener.default_rule_id.clone();
    if let Some(rule) = ctx.state.rules.get_mut(&rule_id) {
        rule.action = action;
        rule.meta.updated_at = now;
    }
    let listener = &ctx.state.listeners[&id];
    Ok(Reply::ok(full(ctx, listener, false)))
}

pub(crate) fn delete(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let (_, id) = from_labels(ctx, req)?;
    remove(ctx, &id);
    Ok(Reply::no_content())
}

/// Removes a listener with its rules and their tags.
pub(crate) fn remove(ctx: &mut Ctx<'_>, listener_id: &str) {
    let rule_arns: Vec<String> =
        ctx.state.rules.values().filter(|r| r.listener_id == listener_id).map(|r| r.meta.arn.clone()).collect();
    ctx.state.rules.retain(|_, r| r.listener_id != listener_id);
    for arn in rule_arns {
        ctx.state.forget(&arn);
    }
    if let Some(listener) = ctx.state.listeners.remove(listener_id) {
        ctx.state.forget(&listener.meta.arn);
    }
}
