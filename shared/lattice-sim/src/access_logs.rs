//! Access log subscriptions of service networks and services: one per destination type (CloudWatch
//! Logs, S3, Firehose) and log type on a resource.

use serde_json::{Value, json};

use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::pagination;
use crate::patterns::{Kind, aws_arn};
use crate::policies::owner;
use crate::state::{AccessLog, in_order, resolve};
use crate::validate::{ALS_IDENT, Checker, DESTINATION_ARN, RESOURCE_IDENT, label, need};
use crate::wire::{Reply, Request, timestamp};

const RESOURCE: &str = "ACCESS_LOG_SUBSCRIPTION";

/// The destination service of a log destination ARN (`logs`, `s3` or `firehose`).
fn destination_type(arn: &str) -> Result<String, ApiError> {
    match aws_arn(arn) {
        Some((service, _)) if ["logs", "s3", "firehose"].contains(&service) => Ok(service.to_owned()),
        _ => Err(ApiError::field(
            "destinationArn",
            "Member must be a CloudWatch Logs log group, S3 bucket or Kinesis Data Firehose delivery stream ARN",
        )),
    }
}

pub(crate) fn create(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let b = &req.body;
    let mut c = Checker::new();
    let resource = c.string(b, "", "resourceIdentifier", RESOURCE_IDENT, true);
    let destination = c.string(b, "", "destinationArn", DESTINATION_ARN, true);
    let log_type = c.enumeration(b, "", "serviceNetworkLogType", &["SERVICE", "RESOURCE"], false);
    let tags = c.tags(b, "", "tags", ctx.env.quotas.tags_per_resource, false);
    c.finish()?;
    let destination = need(destination, "destinationArn")?;
    let dest_type = destination_type(&destination)?;
    let (resource_id, resource_arn, _) = owner(ctx, &need(resource, "resourceIdentifier")?)?;
    let clash = ctx.state.access_logs.values().find(|a| {
        a.resource_id == resource_id
            && a.log_type == log_type
            && destination_type(&a.destination_arn).is_ok_and(|t| t == dest_type)
    });
    if let Some(existing) = clash {
        let message = format!("Resource {resource_id} already has a {dest_type} access log subscription");
        return Err(ApiError::conflict(RESOURCE, existing.meta.id.clone(), message));
    }
    let meta = ctx.new_meta("als", |id| format!("accesslogsubscription/{id}"));
    ctx.tag_new(&meta.arn, tags);
    let als = AccessLog { meta, resource_id, resource_arn, destination_arn: destination, log_type };
    let body = json!({
        "id": als.meta.id, "arn": als.meta.arn, "resourceId": als.resource_id, "resourceArn": als.resource_arn,
        "serviceNetworkLogType": als.log_type, "destinationArn": als.destination_arn,
    });
    ctx.state.access_logs.insert(als.meta.id.clone(), als);
    Ok(Reply::created(body))
}

fn full(a: &AccessLog) -> Value {
    json!({
        "id": a.meta.id, "arn": a.meta.arn, "resourceId": a.resource_id, "resourceArn": a.resource_arn,
        "destinationArn": a.destination_arn, "serviceNetworkLogType": a.log_type,
        "createdAt": timestamp(a.meta.created_at), "lastUpdatedAt": timestamp(a.meta.updated_at),
    })
}

fn from_label(ctx: &Ctx<'_>, req: &Request) -> Result<String, ApiError> {
    let ident = label("accessLogSubscriptionIdentifier", req.label(0), ALS_IDENT)?;
    resolve(&ctx.state.access_logs, &ident, Kind::AccessLog)
}

pub(crate) fn get(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = from_label(ctx, req)?;
    Ok(Reply::ok(full(&ctx.state.access_logs[&id])))
}

pub(crate) fn update(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = from_label(ctx, req)?;
    let mut c = Checker::new();
    let destination = c.string(&req.body, "", "destinationArn", DESTINATION_ARN, true);
    c.finish()?;
    let destination = need(destination, "destinationArn")?;
    let new_type = destination_type(&destination)?;
    let now = ctx.now;
    let Some(a) = ctx.state.access_logs.get_mut(&id) else { return Err(ApiError::not_found(RESOURCE, id)) };
    if destination_type(&a.destination_arn).ok().as_deref() != Some(new_type.as_str()) {
        let message = "The destination type of an access log subscription cannot change; create a new subscription";
        return Err(ApiError::conflict(RESOURCE, id, message));
    }
    a.destination_arn = destination;
    a.meta.updated_at = now;
    Ok(Reply::ok(json!({
        "id": a.meta.id, "arn": a.meta.arn, "resourceId": a.resource_id, "resourceArn": a.resource_arn,
        "destinationArn": a.destination_arn,
    })))
}

pub(crate) fn delete(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = from_label(ctx, req)?;
    if let Some(a) = ctx.state.access_logs.remove(&id) {
        ctx.state.forget(&a.meta.arn);
    }
    Ok(Reply::no_content())
}

pub(crate) fn list(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let mut c = Checker::new();
    let resource = req.query_one("resourceIdentifier");
    match resource {
        Some(v) => {
            c.check_str("resourceIdentifier", v, RESOURCE_IDENT);
        }
        None => c.fail("resourceIdentifier", "Member must not be null"),
    }
    c.finish()?;
    let resource = resource.unwrap_or_default();
    let scope = format!("ListAccessLogSubscriptions/{resource}");
    let page = pagination::from_query(req, &scope)?;
    let resource_id = owner(ctx, resource).ok().map(|(id, _, _)| id);
    let items: Vec<(u64, Value)> = in_order(&ctx.state.access_logs)
        .into_iter()
        .filter(|a| resource_id.as_deref() == Some(a.resource_id.as_str()))
        .map(|a| (a.meta.seq, full(a)))
        .collect();
    let (items, next) = pagination::cut(items, page, &scope);
    Ok(Reply::ok(json!({"items": items, "nextToken": next})))
}

/// Removes the subscriptions of a deleted service network or service.
pub(crate) fn remove_for(ctx: &mut Ctx<'_>, resource_id: &str) {
    let arns: Vec<String> =
        ctx.state.access_logs.values().filter(|a| a.resource_id == resource_id).map(|a| a.meta.arn.clone()).collect();
    ctx.state.access_logs.retain(|_, a| a.resource_id != resource_id);
    for arn in arns {
        ctx.state.forget(&arn);
    }
}
