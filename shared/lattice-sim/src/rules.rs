//! Listener rules: unique name and priority per listener, the implicit default rule (listed last, never
//! modifiable), and BatchUpdateRule with priorities checked against the final state of the batch.

use serde_json::{Map, Value, json};

use crate::actions::{self, Draft, Owner};
use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::listeners;
use crate::matches;
use crate::pagination;
use crate::patterns::Kind;
use crate::services;
use crate::state::{Action, Rule, in_order, resolve};
use crate::validate::{Checker, RULE_IDENT, RULE_NAME, label, need};
use crate::wire::{Reply, Request, timestamp};

const PRIORITY: (i64, i64) = (1, 2000);
/// Sort key of the default rule: after every priority.
const DEFAULT_KEY: u64 = 1_000_000;

pub(crate) fn create(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let (service_id, listener_id) = listeners::from_labels(ctx, req)?;
    services::changeable(ctx, req)?;
    let b = &req.body;
    let mut c = Checker::new();
    let name = c.string(b, "", "name", RULE_NAME, true);
    let matcher = matches::parse(&mut c, b, "", "match", true);
    let priority = c.int(b, "", "priority", PRIORITY, true);
    let draft = actions::parse(&mut c, b, "", "action", true);
    let tags = c.tags(b, "", "tags", ctx.env.quotas.tags_per_resource, false);
    c.finish()?;
    let (name, matcher, draft) = (need(name, "name")?, need(matcher, "match")?, need(draft, "action")?);
    let priority = need(priority.and_then(|p| u32::try_from(p).ok()), "priority")?;
    let listener = &ctx.state.listeners[&listener_id];
    if listener.protocol == "TLS_PASSTHROUGH" {
        return Err(ApiError::invalid("TLS_PASSTHROUGH listeners do not support rules other than the default rule"));
    }
    let (protocol, listener_arn) = (listener.protocol.clone(), listener.meta.arn.clone());
    let siblings: Vec<&Rule> =
        ctx.state.rules.values().filter(|r| r.listener_id == listener_id && !r.is_default).collect();
    if let Some(r) = siblings.iter().find(|r| r.name == name) {
        let message = format!("A rule named {name} already exists on listener {listener_id}");
        return Err(ApiError::conflict("RULE", r.meta.id.clone(), message));
    }
    if let Some(r) = siblings.iter().find(|r| r.priority == Some(priority)) {
        return Err(priority_conflict(&r.meta.id, priority, &listener_id));
    }
    ctx.quota(siblings.len(), ctx.env.quotas.rules_per_listener, "RULE", "rules-per-listener", Some(&listener_id))?;
    let action = actions::resolve_draft(ctx, draft, &service_id, &protocol, Owner::New)?;
    let mut meta = ctx.new_meta("rule", |_| String::new());
    meta.arn = format!("{listener_arn}/rule/{}", meta.id);
    ctx.tag_new(&meta.arn, tags);
    let rule = Rule {
        meta,
        name,
        listener_id,
        service_id,
        is_default: false,
        priority: Some(priority),
        matcher: Some(matcher),
        action,
    };
    let body = json!({
        "arn": rule.meta.arn, "id": rule.meta.id, "name": rule.name, "match": rule.matcher,
        "priority": rule.priority, "action": rule.action.to_json(),
    });
    ctx.state.rules.insert(rule.meta.id.clone(), rule);
    Ok(Reply::created(body))
}

fn priority_conflict(holder: &str, priority: u32, listener_id: &str) -> ApiError {
    ApiError::conflict(
        "RULE",
        holder,
        format!("Priority {priority} is already used by rule {holder} on listener {listener_id}"),
    )
}

/// The current action of a rule (a default rule mirrors its listener).
fn action_of(ctx: &Ctx<'_>, rule: &Rule) -> Action {
    match ctx.state.listeners.get(&rule.listener_id) {
        Some(l) if rule.is_default => l.default_action.clone(),
        _ => rule.action.clone(),
    }
}

fn full(ctx: &Ctx<'_>, rule: &Rule, with_times: bool) -> Value {
    let mut body = json!({
        "arn": rule.meta.arn, "id": rule.meta.id, "name": rule.name, "isDefault": rule.is_default,
        "match": rule.matcher, "priority": rule.priority, "action": action_of(ctx, rule).to_json(),
    });
    if with_times && let Some(map) = body.as_object_mut() {
        map.insert("createdAt".into(), json!(timestamp(rule.meta.created_at)));
        map.insert("lastUpdatedAt".into(), json!(timestamp(rule.meta.updated_at)));
    }
    body
}

fn find_rule(ctx: &Ctx<'_>, listener_id: &str, ident: &str) -> Result<String, ApiError> {
    let id = resolve(&ctx.state.rules, ident, Kind::Rule)?;
    if ctx.state.rules[&id].listener_id != listener_id {
        return Err(ApiError::not_found("RULE", ident));
    }
    Ok(id)
}

fn from_labels(ctx: &Ctx<'_>, req: &Request) -> Result<(String, String, String), ApiError> {
    let (service_id, listener_id) = listeners::from_labels(ctx, req)?;
    let ident = label("ruleIdentifier", req.label(2), RULE_IDENT)?;
    let id = find_rule(ctx, &listener_id, &ident)?;
    Ok((service_id, listener_id, id))
}

pub(crate) fn get(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let (_, _, id) = from_labels(ctx, req)?;
    Ok(Reply::ok(full(ctx, &ctx.state.rules[&id], true)))
}

pub(crate) fn list(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let (_, listener_id) = listeners::from_labels(ctx, req)?;
    let scope = format!("ListRules/{listener_id}");
    let page = pagination::from_query(req, &scope)?;
    let mut items: Vec<(u64, Value)> = in_order(&ctx.state.rules)
        .into_iter()
        .filter(|r| r.listener_id == listener_id)
        .map(|r| {
            let key = r.priority.map_or(DEFAULT_KEY, u64::from);
            let item = json!({
                "arn": r.meta.arn, "id": r.meta.id, "name": r.name, "isDefault": r.is_default, "priority": r.priority,
                "createdAt": timestamp(r.meta.created_at), "lastUpdatedAt": timestamp(r.meta.updated_at),
            });
            (key, item)
        })
        .collect();
    items.sort_by_key(|(k, _)| *k);
    let (items, next) = pagination::cut(items, page, &scope);
    Ok(Reply::ok(json!({"items": items, "nextToken": next})))
}

/// The optional members of an update, validated.
struct Change {
    matcher: Option<Value>,
    priority: Option<u32>,
    action: Option<Draft>,
}

fn parse_change(c: &mut Checker, obj: &Map<String, Value>, path: &str) -> Change {
    let matcher = matches::parse(c, obj, path, "match", false);
    let priority = c.int(obj, path, "priority", PRIORITY, false).and_then(|p| u32::try_from(p).ok());
    let action = actions::parse(c, obj, path, "action", false);
    Change { matcher, priority, action }
}

fn default_rule_error(ident: &str) -> ApiError {
    ApiError::field("ruleIdentifier", format!("{ident} is a default listener rule; change it with UpdateListener"))
}

/// Resolves a change's action for `rule_id` (None when the change keeps the action).
fn resolve_change(ctx: &Ctx<'_>, rule_id: &str, change: &Change) -> Result<Option<Action>, ApiError> {
    let rule = &ctx.state.rules[rule_id];
    let Some(draft) = change.action.clone() else { return Ok(None) };
    let protocol = ctx.state.listeners.get(&rule.listener_id).map(|l| l.protocol.clone()).unwrap_or_default();
    actions::resolve_draft(ctx, draft, &rule.service_id, &protocol, Owner::Rule(rule_id)).map(Some)
}

fn apply(ctx: &mut Ctx<'_>, rule_id: &str, change: Change, action: Option<Action>) {
    let now = ctx.now;
    if let Some(rule) = ctx.state.rules.get_mut(rule_id) {
        if let Some(m) = change.matcher {
            rule.matcher = Some(m);
        }
        if let Some(p) = change.priority {
            rule.priority = Some(p);
        }
        if let Some(a) = action {
            rule.action = a;
        }
        rule.meta.updated_at = now;
    }
}

pub(crate) fn update(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let (_, listener_id, id) = from_labels(ctx, req)?;
    services::changeable(ctx, req)?;
    let mut c = Checker::new();
    let change = parse_change(&mut c, &req.body, "");
    c.finish()?;
    if ctx.state.rules[&id].is_default {
        return Err(default_rule_error(req.label(2)));
    }
    if let Some(p) = change.priority
        && let Some(other) =
            ctx.state.rules.values().find(|r| r.listener_id == listener_id && r.meta.id != id && r.priority == Some(p))
    {
        return Err(priority_conflict(&other.meta.id, p, &listener_id));
    }
    let action = resolve_change(ctx, &id, &change)?;
    apply(ctx, &id, change, action);
    Ok(Reply::ok(full(ctx, &ctx.state.rules[&id], false)))
}

pub(crate) fn delete(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let (_, _, id) = from_labels(ctx, req)?;
    if ctx.state.rules[&id].is_default {
        return Err(default_rule_error(req.label(2)));
    }
    if let Some(rule) = ctx.state.rules.remove(&id) {
        ctx.state.forget(&rule.meta.arn);
    }
    Ok(Reply::no_content())
}

/// One entry of a batch: its identifier as given, the resolved rule and the change, or why it failed.
struct Item {
    ident: String,
    rule_id: String,
    change: Change,
    action: Option<Action>,
}

pub(crate) fn batch_update(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let (_, listener_id) = listeners::from_labels(ctx, req)?;
    services::changeable(ctx, req)?;
    let mut c = Checker::new();
    let mut drafts = Vec::new();
    if let Some(list) = c.list(&req.body, "", "rules", (1, 10), true) {
        for (i, entry) in list.iter().enumerate() {
            let path = format!("rules[{i}]");
            let Some(obj) = entry.as_object() else {
                c.fail(path, "Member must be a structure");
                continue;
            };
            let ident = c.string(obj, &path, "ruleIdentifier", RULE_IDENT, true);
            let change = parse_change(&mut c, obj, &path);
            drafts.push((ident.unwrap_or_default(), change));
        }
    }
    c.finish()?;
    let mut failures: Vec<Value> = Vec::new();
    let fail = |failures: &mut Vec<Value>, ident: &str, e: &ApiError| {
        failures.push(json!({"ruleIdentifier": ident, "failureCode": e.code(), "failureMessage": e.message()}));
    };
    let mut items: Vec<Item> = Vec::new();
    for (ident, change) in drafts {
        let outcome = find_rule(ctx, &listener_id, &ident).and_then(|rule_id| {
            if ctx.state.rules[&rule_id].is_default {
                return Err(default_rule_error(&ident));
            }
            if items.iter().any(|it| it.rule_id == rule_id) {
                return Err(ApiError::field("ruleIdentifier", format!("{ident} appears more than once in the batch")));
            }
            let action = resolve_change(ctx, &rule_id, &change)?;
            Ok((rule_id, action))
        });
        match outcome {
            Ok((rule_id, action)) => items.push(Item { ident, rule_id, change, action }),
            Err(e) => fail(&mut failures, &ident, &e),
        }
    }
    // Priorities are unique in the final state: drop clashing items until none remain.
    loop {
        let final_priority = |rule: &Rule| {
            items.iter().find(|it| it.rule_id == rule.meta.id).and_then(|it| it.change.priority).or(rule.priority)
        };
        let listener_rules: Vec<&Rule> =
            ctx.state.rules.values().filter(|r| r.listener_id == listener_id && !r.is_default).collect();
        let clash = items.iter().enumerate().find_map(|(index, it)| {
            let p = it.change.priority?;
            let other = listener_rules.iter().find(|r| r.meta.id != it.rule_id && final_priority(r) == Some(p))?;
            Some((index, other.meta.id.clone(), p))
        });
        let Some((index, holder, p)) = clash else { break };
        let item = items.remove(index);
        fail(&mut failures, &item.ident, &priority_conflict(&holder, p, &listener_id));
    }
    let mut successes = Vec::new();
    for item in items {
        apply(ctx, &item.rule_id, item.change, item.action);
        successes.push(full(ctx, &ctx.state.rules[&item.rule_id], false));
    }
    Ok(Reply::ok(json!({"successful": successes, "unsuccessful": failures})))
}
