//! Service networks: synchronous resources with a unique name per account.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::pagination;
use crate::patterns::Kind;
use crate::state::{ServiceNetwork, in_order, resolve};
use crate::validate::{Checker, SN_IDENT, SN_NAME, label, need};
use crate::wire::{Reply, Request, timestamp};

/// The AuthType enum.
pub(crate) const AUTH_TYPES: &[&str] = &["NONE", "AWS_IAM"];

pub(crate) fn create(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let b = &req.body;
    let mut c = Checker::new();
    let name = c.string(b, "", "name", SN_NAME, true);
    let auth_type = c.enumeration(b, "", "authType", AUTH_TYPES, false);
    let sharing = c.object(b, "", "sharingConfig", false).and_then(|s| c.boolean(s, "sharingConfig", "enabled"));
    let tags = c.tags(b, "", "tags", ctx.env.quotas.tags_per_resource, false);
    c.finish()?;
    let name = need(name, "name")?;
    if let Some(existing) = ctx.state.service_networks.values().find(|n| n.name == name && n.shared_from.is_none()) {
        return Err(ApiError::conflict(
            "SERVICE_NETWORK",
            existing.meta.id.clone(),
            format!("A service network named {name} already exists"),
        ));
    }
    let count = ctx.state.service_networks.values().filter(|n| n.shared_from.is_none()).count();
    ctx.quota(count, ctx.env.quotas.service_networks, "SERVICE_NETWORK", "service-networks", None)?;
    let meta = ctx.new_meta("sn", |id| format!("servicenetwork/{id}"));
    ctx.tag_new(&meta.arn, tags);
    let sn = ServiceNetwork {
        meta,
        name,
        auth_type: auth_type.unwrap_or_else(|| "NONE".to_owned()),
        sharing_enabled: sharing,
        shared_from: None,
        unlisted: false,
    };
    let body = json!({
        "id": sn.meta.id, "name": sn.name, "arn": sn.meta.arn, "authType": sn.auth_type,
        "sharingConfig": sharing_json(&sn),
    });
    ctx.state.service_networks.insert(sn.meta.id.clone(), sn);
    Ok(Reply::created(body))
}

/// Creates a service network directly (used to seed state); returns its id and ARN.
pub(crate) fn seed(
    ctx: &mut Ctx<'_>,
    name: &str,
    tags: &BTreeMap<String, String>,
) -> Result<(String, String), ApiError> {
    let mut body = Map::new();
    body.insert("name".into(), json!(name));
    body.insert("tags".into(), json!(tags));
    let reply = create(ctx, &Request { body, ..Request::default() })?;
    let field = |k: &str| reply.body.as_ref().and_then(|b| b.get(k)).and_then(Value::as_str).unwrap_or("").to_owned();
    Ok((field("id"), field("arn")))
}

/// Adds a service network that account `owner` shares with this one (not in this account's
/// quota; its name may repeat one of the account's own); returns its id and ARN.
pub(crate) fn seed_shared(
    ctx: &mut Ctx<'_>,
    name: &str,
    owner: &str,
    listed: bool,
) -> Result<(String, String), ApiError> {
    let mut c = Checker::new();
    c.check_str("name", name, SN_NAME);
    c.finish()?;
    if owner.len() != 12 || !owner.bytes().all(|b| b.is_ascii_digit()) || owner == ctx.env.account {
        return Err(ApiError::field("owner", "must be the 12-digit id of another account"));
    }
    let mut meta = ctx.new_meta("sn", |id| format!("servicenetwork/{id}"));
    meta.arn = format!("arn:aws:vpc-lattice:{}:{owner}:servicenetwork/{}", ctx.env.region, meta.id);
    let sn = ServiceNetwork {
        meta,
        name: name.to_owned(),
        auth_type: "NONE".to_owned(),
        sharing_enabled: Some(true),
        shared_from: Some(owner.to_owned()),
        unlisted: !listed,
    };
    let seeded = (sn.meta.id.clone(), sn.meta.arn.clone());
    ctx.state.service_networks.insert(sn.meta.id.clone(), sn);
    Ok(seeded)
}

/// AccessDeniedException when the service network belongs to another account.
fn own(ctx: &Ctx<'_>, id: &str, action: &str) -> Result<(), ApiError> {
    match ctx.state.service_networks.get(id) {
        Some(sn) if sn.shared_from.is_some() => Err(ApiError::access_denied(action, &sn.meta.arn)),
        _ => Ok(()),
    }
}

fn sharing_json(sn: &ServiceNetwork) -> Value {
    sn.sharing_enabled.map_or(Value::Null, |enabled| json!({"enabled": enabled}))
}

fn counts(ctx: &Ctx<'_>, id: &str) -> (usize, usize) {
    let vpcs = ctx.state.snvas.values().filter(|a| a.sn_id == id).count();
    let services = ctx.state.snsas.values().filter(|a| a.sn_id == id).count();
    (vpcs, services)
}

pub(crate) fn resolve_sn(ctx: &Ctx<'_>, identifier: &str) -> Result<String, ApiError> {
    resolve(&ctx.state.service_networks, identifier, Kind::ServiceNetwork)
}

fn lookup(ctx: &Ctx<'_>, req: &Request) -> Result<String, ApiError> {
    let ident = label("serviceNetworkIdentifier", req.label(0), SN_IDENT)?;
    resolve_sn(ctx, &ident)
}

pub(crate) fn get(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = lookup(ctx, req)?;
    let (vpcs, services) = counts(ctx, &id);
    let sn = &ctx.state.service_networks[&id];
    Ok(Reply::ok(json!({
        "id": sn.meta.id, "name": sn.name, "arn": sn.meta.arn, "authType": sn.auth_type,
        "sharingConfig": sharing_json(sn),
        "createdAt": timestamp(sn.meta.created_at), "lastUpdatedAt": timestamp(sn.meta.updated_at),
        "numberOfAssociatedVPCs": vpcs, "numberOfAssociatedServices": services,
    })))
}

pub(crate) fn list(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let page = pagination::from_query(req, "ListServiceNetworks")?;
    let items: Vec<(u64, Value)> = in_order(&ctx.state.service_networks)
        .into_iter()
        .filter(|sn| !sn.unlisted)
        .map(|sn| {
            let (vpcs, services) = counts(ctx, &sn.meta.id);
            let item = json!({
                "id": sn.meta.id, "name": sn.name, "arn": sn.meta.arn,
                "createdAt": timestamp(sn.meta.created_at), "lastUpdatedAt": timestamp(sn.meta.updated_at),
                "numberOfAssociatedVPCs": vpcs, "numberOfAssociatedServices": services,
                "numberOfAssociatedResourceConfigurations": 0,
            });
            (sn.meta.seq, item)
        })
        .collect();
    let (items, next) = pagination::cut(items, page, "ListServiceNetworks");
    Ok(Reply::ok(json!({"items": items, "nextToken": next})))
}

pub(crate) fn update(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = lookup(ctx, req)?;
    own(ctx, &id, "UpdateServiceNetwork")?;
    let mut c = Checker::new();
    let auth_type = c.enumeration(&req.body, "", "authType", AUTH_TYPES, true);
    c.finish()?;
    let now = ctx.now;
    let Some(sn) = ctx.state.service_networks.get_mut(&id) else {
        return Err(ApiError::not_found("SERVICE_NETWORK", id));
    };
    sn.auth_type = need(auth_type, "authType")?;
    sn.meta.updated_at = now;
    Ok(Reply::ok(json!({"id": sn.meta.id, "name": sn.name, "arn": sn.meta.arn, "authType": sn.auth_type})))
}

pub(crate) fn delete(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = lookup(ctx, req)?;
    own(ctx, &id, "DeleteServiceNetwork")?;
    let (vpcs, services) = counts(ctx, &id);
    if vpcs > 0 {
        return Err(ApiError::conflict(
            "SERVICE_NETWORK",
            id.clone(),
            format!("ServiceNetwork {id} has VPC(s) associated"),
        ));
    }
    if services > 0 {
        return Err(ApiError::conflict(
            "SERVICE_NETWORK",
            id.clone(),
            format!("ServiceNetwork {id} has service(s) associated"),
        ));
    }
    if let Some(sn) = ctx.state.service_networks.remove(&id) {
        crate::access_logs::remove_for(ctx, &id);
        ctx.state.auth_policies.remove(&id);
        ctx.state.forget(&sn.meta.arn);
    }
    Ok(Reply::no_content())
}
