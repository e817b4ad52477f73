//! Service network ↔ service associations: asynchronous, one per (service network, service) pair.

use serde_json::{Value, json};

use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::pagination;
use crate::patterns::Kind;
use crate::service_networks::resolve_sn;
use crate::services::{dns_entry, resolve_service};
use crate::state::{Lifecycle, Snsa, Status, in_order, resolve};
use crate::validate::{Checker, SERVICE_IDENT, SN_IDENT, SNSA_IDENT, label, need};
use crate::wire::{Reply, Request, timestamp};

pub(crate) fn create(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let b = &req.body;
    let mut c = Checker::new();
    let svc_ident = c.string(b, "", "serviceIdentifier", SERVICE_IDENT, true);
    let sn_ident = c.string(b, "", "serviceNetworkIdentifier", SN_IDENT, true);
    let tags = c.tags(b, "", "tags", ctx.env.quotas.tags_per_resource, false);
    c.finish()?;
    let service_id = resolve_service(ctx, &need(svc_ident, "serviceIdentifier")?)?;
    let sn_id = resolve_sn(ctx, &need(sn_ident, "serviceNetworkIdentifier")?)?;
    let svc_status = ctx.state.services[&service_id].life.status;
    if matches!(svc_status, Status::DeleteInProgress | Status::CreateFailed | Status::DeleteFailed) {
        return Err(ApiError::bad_status("SERVICE", &service_id, svc_status.as_str()));
    }
    if let Some(existing) = ctx.state.snsas.values().find(|a| a.service_id == service_id && a.sn_id == sn_id) {
        let id = existing.meta.id.clone();
        let message = match existing.life.status {
            Status::Active => format!("Association already exists: {id}"),
            other => format!("Association {id} already exists with status {}", other.as_str()),
        };
        return Err(ApiError::conflict("SERVICE_NETWORK_SERVICE_ASSOCIATION", id, message));
    }
    let count = ctx.state.snsas.values().filter(|a| a.sn_id == sn_id).count();
    let limit = ctx.env.quotas.services_per_service_network;
    ctx.quota(count, limit, "SERVICE_NETWORK_SERVICE_ASSOCIATION", "services-per-service-network", Some(&sn_id))?;
    let meta = ctx.new_meta("snsa", |id| format!("servicenetworkserviceassociation/{id}"));
    ctx.tag_new(&meta.arn, tags);
    let snsa = Snsa { meta, service_id, sn_id, life: ctx.creating() };
    let svc = &ctx.state.services[&snsa.service_id];
    let body = json!({
        "id": snsa.meta.id, "status": snsa.life.status.as_str(), "arn": snsa.meta.arn,
        "createdBy": ctx.env.account, "customDomainName": svc.custom_domain_name, "dnsEntry": dns_entry(ctx, svc),
    });
    ctx.state.snsas.insert(snsa.meta.id.clone(), snsa);
    Ok(Reply::ok(body))
}

fn summary(ctx: &Ctx<'_>, a: &Snsa) -> Value {
    let svc = ctx.state.services.get(&a.service_id);
    let sn = ctx.state.service_networks.get(&a.sn_id);
    json!({
        "id": a.meta.id, "status": a.life.status.as_str(), "arn": a.meta.arn, "createdBy": ctx.env.account,
        "createdAt": timestamp(a.meta.created_at),
        "serviceId": a.service_id, "serviceName": svc.map(|s| &s.name), "serviceArn": svc.map(|s| &s.meta.arn),
        "serviceNetworkId": a.sn_id, "serviceNetworkName": sn.map(|n| &n.name),
        "serviceNetworkArn": sn.map(|n| &n.meta.arn),
        "dnsEntry": svc.map(|s| dns_entry(ctx, s)), "customDomainName": svc.and_then(|s| s.custom_domain_name.clone()),
    })
}

fn from_label(ctx: &Ctx<'_>, req: &Request) -> Result<String, ApiError> {
    let ident = label("serviceNetworkServiceAssociationIdentifier", req.label(0), SNSA_IDENT)?;
    resolve(&ctx.state.snsas, &ident, Kind::Snsa)
}

pub(crate) fn get(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = from_label(ctx, req)?;
    let a = &ctx.state.snsas[&id];
    let mut body = summary(ctx, a);
    if let (Some(map), (Some(code), Some(message))) = (body.as_object_mut(), a.life.failure()) {
        map.insert("failureCode".into(), json!(code));
        map.insert("failureMessage".into(), json!(message));
    }
    Ok(Reply::ok(body))
}

pub(crate) fn delete(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = from_label(ctx, req)?;
    let due = ctx.due();
    let Some(a) = ctx.state.snsas.get_mut(&id) else {
        return Err(ApiError::not_found("SERVICE_NETWORK_SERVICE_ASSOCIATION", id));
    };
    match a.life.status {
        Status::CreateInProgress => {
            return Err(ApiError::bad_status("SERVICE_NETWORK_SERVICE_ASSOCIATION", &id, a.life.status.as_str()));
        }
        Status::DeleteInProgress => {}
        _ => a.life = Lifecycle::new(Status::DeleteInProgress, due),
    }
    Ok(Reply::ok(json!({"id": a.meta.id, "status": a.life.status.as_str(), "arn": a.meta.arn})))
}

pub(crate) fn list(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let mut c = Checker::new();
    let sn = req.query_one("serviceNetworkIdentifier");
    let svc = req.query_one("serviceIdentifier");
    if let Some(v) = sn {
        c.check_str("serviceNetworkIdentifier", v, SN_IDENT);
    }
    if let Some(v) = svc {
        c.check_str("serviceIdentifier", v, SERVICE_IDENT);
    }
    if sn.is_none() && svc.is_none() {
        c.fail("serviceNetworkIdentifier", "Either serviceNetworkIdentifier or serviceIdentifier is required");
    }
    c.finish()?;
    let scope = format!("ListServiceNetworkServiceAssociations/{}/{}", sn.unwrap_or(""), svc.unwrap_or(""));
    let page = pagination::from_query(req, &scope)?;
    // An unknown filter target lists nothing (the operation has no ResourceNotFoundException).
    let sn_id = sn.map(|v| resolve_sn(ctx, v).ok());
    let svc_id = svc.map(|v| resolve_service(ctx, v).ok());
    let items: Vec<(u64, Value)> = in_order(&ctx.state.snsas)
        .into_iter()
        .filter(|a| sn_id.as_ref().is_none_or(|want| want.as_deref() == Some(a.sn_id.as_str())))
        .filter(|a| svc_id.as_ref().is_none_or(|want| want.as_deref() == Some(a.service_id.as_str())))
        .map(|a| (a.meta.seq, summary(ctx, a)))
        .collect();
    let (items, next) = pagination::cut(items, page, &scope);
    Ok(Reply::ok(json!({"items": items, "nextToken": next})))
}
