//! Services: asynchronous (CREATE_IN_PROGRESS → ACTIVE, DELETE_IN_PROGRESS → gone), unique name per
//! account, DNS name assigned at creation. Deleting one cascades its listeners, rules, policies and logs.

use serde_json::{Value, json};

use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::pagination;
use crate::patterns::Kind;
use crate::service_networks::AUTH_TYPES;
use crate::state::{Lifecycle, Service, Status, in_order, resolve};
use crate::validate::{CERT_ARN, CUSTOM_DOMAIN, Checker, SERVICE_IDENT, SERVICE_NAME, label, need};
use crate::wire::{Reply, Request, timestamp};

pub(crate) fn create(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let b = &req.body;
    let mut c = Checker::new();
    let name = c.string(b, "", "name", SERVICE_NAME, true);
    let domain = c.string(b, "", "customDomainName", CUSTOM_DOMAIN, false);
    let cert = c.string(b, "", "certificateArn", CERT_ARN, false).filter(|s| !s.is_empty());
    let auth_type = c.enumeration(b, "", "authType", AUTH_TYPES, false);
    let tags = c.tags(b, "", "tags", ctx.env.quotas.tags_per_resource, false);
    c.finish()?;
    let name = need(name, "name")?;
    if let Some(existing) = ctx.state.services.values().find(|s| s.name == name) {
        let message = format!("A service named {name} already exists");
        return Err(ApiError::conflict("SERVICE", existing.meta.id.clone(), message));
    }
    ctx.quota(ctx.state.services.len(), ctx.env.quotas.services, "SERVICE", "services", None)?;
    let meta = ctx.new_meta("svc", |id| format!("service/{id}"));
    ctx.tag_new(&meta.arn, tags);
    let suffix = meta.id.trim_start_matches("svc-");
    let dns_name = format!("{name}-{suffix}.{}.vpc-lattice-svcs.{}.on.aws", ctx.env.dns_partition, ctx.env.region);
    let svc = Service {
        meta,
        name,
        custom_domain_name: domain,
        certificate_arn: cert,
        auth_type: auth_type.unwrap_or_else(|| "NONE".to_owned()),
        dns_name,
        life: ctx.creating(),
    };
    let body = json!({
        "id": svc.meta.id, "arn": svc.meta.arn, "name": svc.name, "customDomainName": svc.custom_domain_name,
        "certificateArn": svc.certificate_arn, "status": svc.life.status.as_str(), "authType": svc.auth_type,
        "dnsEntry": dns_entry(ctx, &svc),
    });
    ctx.state.services.insert(svc.meta.id.clone(), svc);
    Ok(Reply::created(body))
}

/// The `dnsEntry` member of a service (also repeated on its associations).
pub(crate) fn dns_entry(ctx: &Ctx<'_>, svc: &Service) -> Value {
    json!({"domainName": svc.dns_name, "hostedZoneId": ctx.env.hosted_zone_id})
}

/// Resolves a service ID or ARN to the id of an existing service.
pub(crate) fn resolve_service(ctx: &Ctx<'_>, identifier: &str) -> Result<String, ApiError> {
    resolve(&ctx.state.services, identifier, Kind::Service)
}

/// Resolves the `serviceIdentifier` path label.
pub(crate) fn from_label(ctx: &Ctx<'_>, req: &Request) -> Result<String, ApiError> {
    let ident = label("serviceIdentifier", req.label(0), SERVICE_IDENT)?;
    resolve_service(ctx, &ident)
}

/// Resolves the service label and requires a status that accepts changes to its children.
pub(crate) fn changeable(ctx: &Ctx<'_>, req: &Request) -> Result<String, ApiError> {
    let id = from_label(ctx, req)?;
    let status = ctx.state.services[&id].life.status;
    if matches!(status, Status::DeleteInProgress | Status::CreateFailed | Status::DeleteFailed) {
        return Err(ApiError::bad_status("SERVICE", &id, status.as_str()));
    }
    Ok(id)
}

pub(crate) fn get(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = from_label(ctx, req)?;
    let svc = &ctx.state.services[&id];
    Ok(Reply::ok(json!({
        "id": svc.meta.id, "name": svc.name, "arn": svc.meta.arn,
        "createdAt": timestamp(svc.meta.created_at), "lastUpdatedAt": timestamp(svc.meta.updated_at),
        "dnsEntry": dns_entry(ctx, svc), "customDomainName": svc.custom_domain_name,
        "certificateArn": svc.certificate_arn, "status": svc.life.status.as_str(), "authType": svc.auth_type,
        "failureCode": svc.life.failure().0, "failureMessage": svc.life.failure().1,
    })))
}

pub(crate) fn list(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let page = pagination::from_query(req, "ListServices")?;
    let items: Vec<(u64, Value)> = in_order(&ctx.state.services)
        .into_iter()
        .map(|svc| {
            let item = json!({
                "id": svc.meta.id, "name": svc.name, "arn": svc.meta.arn,
                "createdAt": timestamp(svc.meta.created_at), "lastUpdatedAt": timestamp(svc.meta.updated_at),
                "dnsEntry": dns_entry(ctx, svc), "customDomainName": svc.custom_domain_name,
                "status": svc.life.status.as_str(),
            });
            (svc.meta.seq, item)
        })
        .collect();
    let (items, next) = pagination::cut(items, page, "ListServices");
    Ok(Reply::ok(json!({"items": items, "nextToken": next})))
}

pub(crate) fn update(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = from_label(ctx, req)?;
    let b = &req.body;
    let mut c = Checker::new();
    let cert = c.string(b, "", "certificateArn", CERT_ARN, false);
    let auth_type = c.enumeration(b, "", "authType", AUTH_TYPES, false);
    c.finish()?;
    let now = ctx.now;
    let Some(svc) = ctx.state.services.get_mut(&id) else { return Err(ApiError::not_found("SERVICE", id)) };
    if svc.life.status != Status::Active {
        return Err(ApiError::bad_status("SERVICE", &id, svc.life.status.as_str()));
    }
    if let Some(cert) = cert {
        svc.certificate_arn = Some(cert).filter(|c| !c.is_empty());
    }
    if let Some(auth_type) = auth_type {
        svc.auth_type = auth_type;
    }
    svc.meta.updated_at = now;
    Ok(Reply::ok(json!({
        "id": svc.meta.id, "arn": svc.meta.arn, "name": svc.name, "customDomainName": svc.custom_domain_name,
        "certificateArn": svc.certificate_arn, "authType": svc.auth_type,
    })))
}

pub(crate) fn delete(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = from_label(ctx, req)?;
    if ctx.state.snsas.values().any(|a| a.service_id == id) {
        let message = format!("Service {id} is associated with service network(s)");
        return Err(ApiError::conflict("SERVICE", id, message));
    }
    if ctx.state.services[&id].life.status != Status::DeleteInProgress {
        let listener_ids: Vec<String> =
            ctx.state.listeners.values().filter(|l| l.service_id == id).map(|l| l.meta.id.clone()).collect();
        for listener_id in listener_ids {
            crate::listeners::remove(ctx, &listener_id);
        }
        crate::access_logs::remove_for(ctx, &id);
        ctx.state.auth_policies.remove(&id);
        let due = ctx.due();
        if let Some(svc) = ctx.state.services.get_mut(&id) {
            svc.life = Lifecycle::new(Status::DeleteInProgress, due);
            let arn = svc.meta.arn.clone();
            ctx.state.resource_policies.remove(&arn);
        }
    }
    let svc = &ctx.state.services[&id];
    Ok(Reply::ok(json!({
        "id": svc.meta.id, "arn": svc.meta.arn, "name": svc.name, "status": svc.life.status.as_str(),
    })))
}
