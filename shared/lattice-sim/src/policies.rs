//! Auth policies (state derived from the owner's authType) and resource policies, both attached to a
//! service network or a service.

use serde_json::{Value, json};

use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::patterns::{Kind, id_of, is_id};
use crate::state::{AuthPolicy, resolve};
use crate::validate::{AUTH_POLICY, Checker, POLICY, RESOURCE_ARN, RESOURCE_IDENT, Str, label, need};
use crate::wire::{Reply, Request, timestamp};

/// The owner of a policy: (id, ARN, authType).
pub(crate) fn owner(ctx: &Ctx<'_>, identifier: &str) -> Result<(String, String, String), ApiError> {
    let id = id_of(identifier);
    if is_id(id, "sn") {
        let id = resolve(&ctx.state.service_networks, identifier, Kind::ServiceNetwork)?;
        let sn = &ctx.state.service_networks[&id];
        return Ok((id, sn.meta.arn.clone(), sn.auth_type.clone()));
    }
    if is_id(id, "svc") {
        let id = resolve(&ctx.state.services, identifier, Kind::Service)?;
        let svc = &ctx.state.services[&id];
        return Ok((id, svc.meta.arn.clone(), svc.auth_type.clone()));
    }
    Err(ApiError::not_found("RESOURCE_CONFIGURATION", identifier))
}

/// Reads `policy`, checks it is JSON and returns it minified.
fn policy_text(req: &Request, spec: Str, max_bytes: usize) -> Result<String, ApiError> {
    let mut c = Checker::new();
    let policy = c.string(&req.body, "", "policy", spec, true);
    c.finish()?;
    let policy = need(policy, "policy")?;
    let parsed: Value = serde_json::from_str(&policy)
        .map_err(|e| ApiError::field("policy", format!("The policy is not valid JSON: {e}")))?;
    if !parsed.is_object() {
        return Err(ApiError::field("policy", "The policy must be a JSON object"));
    }
    let minified = parsed.to_string();
    if minified.len() > max_bytes {
        return Err(ApiError::field("policy", format!("The policy exceeds {max_bytes} bytes")));
    }
    Ok(minified)
}

fn auth_state(auth_type: &str) -> &'static str {
    if auth_type == "AWS_IAM" { "Active" } else { "Inactive" }
}

pub(crate) fn put_auth(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let ident = label("resourceIdentifier", req.label(0), RESOURCE_IDENT)?;
    let (id, _, auth_type) = owner(ctx, &ident)?;
    let policy = policy_text(req, AUTH_POLICY, ctx.env.quotas.auth_policy_bytes)?;
    let now = ctx.now;
    let entry = ctx.state.auth_policies.entry(id).or_insert(AuthPolicy {
        policy: String::new(),
        created_at: now,
        updated_at: now,
    });
    entry.policy = policy;
    entry.updated_at = now;
    Ok(Reply::ok(json!({"policy": entry.policy, "state": auth_state(&auth_type)})))
}

pub(crate) fn get_auth(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let ident = label("resourceIdentifier", req.label(0), RESOURCE_IDENT)?;
    let (id, _, auth_type) = owner(ctx, &ident)?;
    let body = match ctx.state.auth_policies.get(&id) {
        Some(p) => json!({
            "policy": p.policy, "state": auth_state(&auth_type),
            "createdAt": timestamp(p.created_at), "lastUpdatedAt": timestamp(p.updated_at),
        }),
        None => json!({}),
    };
    Ok(Reply::ok(body))
}

pub(crate) fn delete_auth(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let ident = label("resourceIdentifier", req.label(0), RESOURCE_IDENT)?;
    let (id, _, _) = owner(ctx, &ident)?;
    ctx.state.auth_policies.remove(&id);
    Ok(Reply::no_content())
}

fn resource_owner(ctx: &Ctx<'_>, req: &Request) -> Result<String, ApiError> {
    let arn = label("resourceArn", req.label(0), RESOURCE_ARN)?;
    let (_, owner_arn, _) = owner(ctx, &arn)?;
    if owner_arn != arn {
        return Err(ApiError::not_found("RESOURCE", arn));
    }
    Ok(arn)
}

pub(crate) fn put_resource(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let arn = resource_owner(ctx, req)?;
    let policy = policy_text(req, POLICY, POLICY.max)?;
    ctx.state.resource_policies.insert(arn, policy);
    Ok(Reply::ok(json!({})))
}

pub(crate) fn get_resource(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let arn = resource_owner(ctx, req)?;
    match ctx.state.resource_policies.get(&arn) {
        Some(policy) => Ok(Reply::ok(json!({ "policy": policy }))),
        None => Err(ApiError::not_found("RESOURCE_POLICY", arn)),
    }
}

pub(crate) fn delete_resource(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let arn = resource_owner(ctx, req)?;
    ctx.state.resource_policies.remove(&arn);
    Ok(Reply::no_content())
}
