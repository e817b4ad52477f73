//! Service network ↔ VPC associations: asynchronous (including UPDATE_IN_PROGRESS), at most one service
//! network per VPC.

use serde_json::{Map, Value, json};

use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::pagination;
use crate::patterns::Kind;
use crate::service_networks::resolve_sn;
use crate::state::{Lifecycle, Snva, Status, in_order, resolve};
use crate::validate::{Checker, DNS_DOMAIN, SG_ID, SN_IDENT, SNVA_IDENT, VPC_ID, label, need};
use crate::wire::{Reply, Request, timestamp};

const RESOURCE: &str = "SERVICE_NETWORK_VPC_ASSOCIATION";
const DNS_PREFERENCES: &[&str] =
    &["VERIFIED_DOMAINS_ONLY", "ALL_DOMAINS", "VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS", "SPECIFIED_DOMAINS_ONLY"];

fn parse_dns_options(c: &mut Checker, body: &Map<String, Value>) -> Option<Value> {
    let obj = c.object(body, "", "dnsOptions", false)?;
    let preference = c.enumeration(obj, "dnsOptions", "privateDnsPreference", DNS_PREFERENCES, false);
    let domains = c.string_list(obj, "dnsOptions", "privateDnsSpecifiedDomains", (1, 10), DNS_DOMAIN, false);
    Some(json!({"privateDnsPreference": preference, "privateDnsSpecifiedDomains": domains}))
}

pub(crate) fn create(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let b = &req.body;
    let mut c = Checker::new();
    let sn_ident = c.string(b, "", "serviceNetworkIdentifier", SN_IDENT, true);
    let vpc = c.string(b, "", "vpcIdentifier", VPC_ID, true);
    let private_dns = c.boolean(b, "", "privateDnsEnabled");
    let sgs = c.string_list(b, "", "securityGroupIds", (0, 5), SG_ID, false);
    let dns_options = parse_dns_options(&mut c, b);
    let tags = c.tags(b, "", "tags", ctx.env.quotas.tags_per_resource, false);
    c.finish()?;
    let sn_id = resolve_sn(ctx, &need(sn_ident, "serviceNetworkIdentifier")?)?;
    let vpc = need(vpc, "vpcIdentifier")?;
    if let Some(existing) = ctx.state.snvas.values().find(|a| a.vpc_id == vpc) {
        let id = existing.meta.id.clone();
        let message = if existing.sn_id == sn_id && existing.life.status == Status::DeleteInProgress {
            format!("VPC {vpc} is being disassociated from service network {sn_id} ({id})")
        } else if existing.sn_id == sn_id {
            format!("Association already exists: {id}")
        } else {
            format!("VPC {vpc} is already associated with service network {} ({id})", existing.sn_id)
        };
        return Err(ApiError::conflict(RESOURCE, id, message));
    }
    let count = ctx.state.snvas.values().filter(|a| a.sn_id == sn_id).count();
    ctx.quota(count, ctx.env.quotas.vpcs_per_service_network, RESOURCE, "vpcs-per-service-network", Some(&sn_id))?;
    let meta = ctx.new_meta("snva", |id| format!("servicenetworkvpcassociation/{id}"));
    ctx.tag_new(&meta.arn, tags);
    let snva = Snva {
        meta,
        sn_id,
        vpc_id: vpc,
        security_group_ids: sgs.unwrap_or_default(),
        private_dns_enabled: private_dns,
        dns_options,
        life: ctx.creating(),
    };
    let body = json!({
        "id": snva.meta.id, "status": snva.life.status.as_str(), "arn": snva.meta.arn, "createdBy": ctx.env.account,
        "securityGroupIds": snva.security_group_ids, "privateDnsEnabled": snva.private_dns_enabled,
        "dnsOptions": snva.dns_options,
    });
    ctx.state.snvas.insert(snva.meta.id.clone(), snva);
    Ok(Reply::ok(body))
}

fn full(ctx: &Ctx<'_>, a: &Snva) -> Value {
    let sn = ctx.state.service_networks.get(&a.sn_id);
    json!({
        "id": a.meta.id, "status": a.life.status.as_str(), "arn": a.meta.arn, "createdBy": ctx.env.account,
        "createdAt": timestamp(a.meta.created_at), "lastUpdatedAt": timestamp(a.meta.updated_at),
        "serviceNetworkId": a.sn_id, "serviceNetworkName": sn.map(|n| &n.name),
        "serviceNetworkArn": sn.map(|n| &n.meta.arn), "vpcId": a.vpc_id,
        "securityGroupIds": a.security_group_ids, "privateDnsEnabled": a.private_dns_enabled,
        "dnsOptions": a.dns_options,
    })
}

fn from_label(ctx: &Ctx<'_>, req: &Request) -> Result<String, ApiError> {
    let ident = label("serviceNetworkVpcAssociationIdentifier", req.label(0), SNVA_IDENT)?;
    resolve(&ctx.state.snvas, &ident, Kind::Snva)
}

pub(crate) fn get(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = from_label(ctx, req)?;
    let a = &ctx.state.snvas[&id];
    let mut body = full(ctx, a);
    if let (Some(map), (Some(code), Some(message))) = (body.as_object_mut(), a.life.failure()) {
        map.insert("failureCode".into(), json!(code));
        map.insert("failureMessage".into(), json!(message));
    }
    Ok(Reply::ok(body))
}

pub(crate) fn update(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = from_label(ctx, req)?;
    let mut c = Checker::new();
    let sgs = c.string_list(&req.body, "", "securityGroupIds", (1, 5), SG_ID, true);
    c.finish()?;
    let (now, due) = (ctx.now, ctx.due());
    let Some(a) = ctx.state.snvas.get_mut(&id) else { return Err(ApiError::not_found(RESOURCE, id)) };
    if a.life.status != Status::Active {
        return Err(ApiError::bad_status(RESOURCE, &id, a.life.status.as_str()));
    }
    a.security_group_ids = need(sgs, "securityGroupIds")?;
    a.life = Lifecycle::new(Status::UpdateInProgress, due);
    a.meta.updated_at = now;
    Ok(Reply::ok(json!({
        "id": a.meta.id, "arn": a.meta.arn, "status": a.life.status.as_str(), "createdBy": ctx.env.account,
        "securityGroupIds": a.security_group_ids,
    })))
}

pub(crate) fn delete(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = from_label(ctx, req)?;
    let due = ctx.due();
    let Some(a) = ctx.state.snvas.get_mut(&id) else { return Err(ApiError::not_found(RESOURCE, id)) };
    match a.life.status {
        Status::CreateInProgress | Status::UpdateInProgress => {
            return Err(ApiError::bad_status(RESOURCE, &id, a.life.status.as_str()));
        }
        Status::DeleteInProgress => {}
        _ => a.life = Lifecycle::new(Status::DeleteInProgress, due),
    }
    Ok(Reply::ok(json!({"id": a.meta.id, "status": a.life.status.as_str(), "arn": a.meta.arn})))
}

pub(crate) fn list(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let mut c = Checker::new();
    let sn = req.query_one("serviceNetworkIdentifier");
    let vpc = req.query_one("vpcIdentifier");
    if let Some(v) = sn {
        c.check_str("serviceNetworkIdentifier", v, SN_IDENT);
    }
    if let Some(v) = vpc {
        c.check_str("vpcIdentifier", v, VPC_ID);
    }
    if sn.is_none() && vpc.is_none() {
        c.fail("serviceNetworkIdentifier", "Either serviceNetworkIdentifier or vpcIdentifier is required");
    }
    c.finish()?;
    let scope = format!("ListServiceNetworkVpcAssociations/{}/{}", sn.unwrap_or(""), vpc.unwrap_or(""));
    let page = pagination::from_query(req, &scope)?;
    let sn_id = sn.map(|v| resolve_sn(ctx, v).ok());
    let items: Vec<(u64, Value)> = in_order(&ctx.state.snvas)
        .into_iter()
        .filter(|a| sn_id.as_ref().is_none_or(|want| want.as_deref() == Some(a.sn_id.as_str())))
        .filter(|a| vpc.is_none_or(|v| v == a.vpc_id))
        .map(|a| (a.meta.seq, full(ctx, a)))
        .collect();
    let (items, next) = pagination::cut(items, page, &scope);
    Ok(Reply::ok(json!({"items": items, "nextToken": next})))
}
