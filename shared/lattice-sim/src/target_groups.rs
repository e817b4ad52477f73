//! Target groups: asynchronous, unique name per account, configuration defaults filled in and echoed,
//! deletable only when no listener or rule forwards to them.

use serde_json::{Map, Value, json};

use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::health::{self, HealthDraft};
use crate::pagination;
use crate::patterns::Kind;
use crate::state::{Lifecycle, Status, TargetGroup, TgConfig, in_order, resolve};
use crate::validate::{Checker, TG_IDENT, TG_NAME, VPC_ID, label, need};
use crate::wire::{Reply, Request, timestamp};

pub(crate) const TYPES: &[&str] = &["IP", "LAMBDA", "INSTANCE", "ALB"];

pub(crate) fn create(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let b = &req.body;
    let mut c = Checker::new();
    let name = c.string(b, "", "name", TG_NAME, true);
    let tg_type = c.enumeration(b, "", "type", TYPES, true);
    let config_obj = c.object(b, "", "config", false);
    let tags = c.tags(b, "", "tags", ctx.env.quotas.tags_per_resource, false);
    let config = match (&tg_type, config_obj) {
        (Some(t), obj) => parse_config(&mut c, t, obj),
        (None, _) => None,
    };
    c.finish()?;
    let (name, tg_type) = (need(name, "name")?, need(tg_type, "type")?);
    if let Some(existing) = ctx.state.target_groups.values().find(|t| t.name == name) {
        let message = format!("A target group named {name} already exists");
        return Err(ApiError::conflict("TARGET_GROUP", existing.meta.id.clone(), message));
    }
    ctx.quota(ctx.state.target_groups.len(), ctx.env.quotas.target_groups, "TARGET_GROUP", "target-groups", None)?;
    let meta = ctx.new_meta("tg", |id| format!("targetgroup/{id}"));
    ctx.tag_new(&meta.arn, tags);
    let tg = TargetGroup { meta, name, tg_type, config, life: ctx.creating(), targets: Vec::new() };
    let body = json!({
        "id": tg.meta.id, "arn": tg.meta.arn, "name": tg.name, "type": tg.tg_type,
        "config": tg.config.as_ref().map(config_json), "status": tg.life.status.as_str(),
    });
    ctx.state.target_groups.insert(tg.meta.id.clone(), tg);
    Ok(Reply::created(body))
}

/// Validates `config` for a target group of `tg_type` and fills in the documented defaults.
fn parse_config(c: &mut Checker, tg_type: &str, obj: Option<&Map<String, Value>>) -> Option<TgConfig> {
    let lambda = tg_type == "LAMBDA";
    let empty = Map::new();
    let cfg = obj.unwrap_or(&empty);
    let port = c.int(cfg, "config", "port", (1, 65535), !lambda).and_then(|p| u16::try_from(p).ok());
    let protocol = c.enumeration(cfg, "config", "protocol", &["HTTP", "HTTPS", "TCP"], !lambda);
    let version = c.enumeration(cfg, "config", "protocolVersion", &["HTTP1", "HTTP2", "GRPC"], false);
    let ip_type = c.enumeration(cfg, "config", "ipAddressType", &["IPV4", "IPV6"], false);
    let vpc = c.string(cfg, "config", "vpcIdentifier", VPC_ID, !lambda);
    let hc_obj = c.object(cfg, "config", "healthCheck", false);
    let hc_draft = hc_obj.map(|hc| health::parse(c, hc, "config.healthCheck"));
    let lambda_version = c.enumeration(cfg, "config", "lambdaEventStructureVersion", &["V1", "V2"], false);
    let not_for = |c: &mut Checker, key: &str, set: bool, kinds: &str| {
        if set {
            c.fail(format!("config.{key}"), format!("Not supported for {kinds} target groups"));
        }
    };
    if lambda {
        for key in ["port", "protocol", "protocolVersion", "vpcIdentifier", "ipAddressType", "healthCheck"] {
            not_for(c, key, cfg.get(key).is_some_and(|v| !v.is_null()), "LAMBDA");
        }
        return obj.map(|_| TgConfig {
            port: None,
            protocol: None,
            protocol_version: None,
            ip_address_type: None,
            vpc_identifier: None,
            health_check: None,
            lambda_event_structure_version: Some(lambda_version.unwrap_or_else(|| "V1".to_owned())),
        });
    }
    not_for(c, "lambdaEventStructureVersion", lambda_version.is_some(), tg_type);
    not_for(c, "ipAddressType", ip_type.is_some() && tg_type != "IP", tg_type);
    not_for(c, "healthCheck", hc_draft.is_some() && tg_type == "ALB", tg_type);
    if protocol.as_deref() == Some("TCP") && version.is_some() {
        c.fail("config.protocolVersion", "Not supported for TCP target groups");
    }
    let version = version.or_else(|| (protocol.as_deref() != Some("TCP")).then(|| "HTTP1".to_owned()));
    let health_check = (tg_type != "ALB").then(|| {
        let base = health::defaults(protocol.as_deref(), version.as_deref());
        health::merge(&base, hc_draft.unwrap_or_default())
    });
    Some(TgConfig {
        port,
        protocol,
        protocol_version: version,
        ip_address_type: if tg_type == "IP" { Some(ip_type.unwrap_or_else(|| "IPV4".to_owned())) } else { None },
        vpc_identifier: vpc,
        health_check,
        lambda_event_structure_version: None,
    })
}

pub(crate) fn config_json(cfg: &TgConfig) -> Value {
    json!({
        "port": cfg.port, "protocol": cfg.protocol, "protocolVersion": cfg.protocol_version,
        "ipAddressType": cfg.ip_address_type, "vpcIdentifier": cfg.vpc_identifier,
        "healthCheck": cfg.health_check.as_ref().map(health::to_json),
        "lambdaEventStructureVersion": cfg.lambda_event_structure_version,
    })
}

/// Resolves the `targetGroupIdentifier` path label.
pub(crate) fn from_label(ctx: &Ctx<'_>, req: &Request) -> Result<String, ApiError> {
    let ident = label("targetGroupIdentifier", req.label(0), TG_IDENT)?;
    resolve(&ctx.state.target_groups, &ident, Kind::TargetGroup)
}

fn service_arns(ctx: &Ctx<'_>, tg_id: &str) -> Vec<String> {
    ctx.state
        .tg_service_ids(tg_id)
        .iter()
        .filter_map(|s| ctx.state.services.get(s))
        .map(|s| s.meta.arn.clone())
        .collect()
}

pub(crate) fn get(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = from_label(ctx, req)?;
    let tg = &ctx.state.target_groups[&id];
    Ok(Reply::ok(json!({
        "id": tg.meta.id, "arn": tg.meta.arn, "name": tg.name, "type": tg.tg_type,
        "config": tg.config.as_ref().map(config_json), "status": tg.life.status.as_str(),
        "createdAt": timestamp(tg.meta.created_at), "lastUpdatedAt": timestamp(tg.meta.updated_at),
        "serviceArns": service_arns(ctx, &id),
        "failureCode": tg.life.failure().0, "failureMessage": tg.life.failure().1,
    })))
}

pub(crate) fn list(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let mut c = Checker::new();
    let vpc = req.query_one("vpcIdentifier").map(str::to_owned);
    let tg_type = req.query_one("targetGroupType").map(str::to_owned);
    if let Some(v) = &vpc {
        c.check_str("vpcIdentifier", v, VPC_ID);
    }
    if let Some(t) = tg_type.as_deref().filter(|t| !TYPES.contains(t)) {
        c.fail("targetGroupType", format!("Member must satisfy enum value set: [{}], got {t}", TYPES.join(", ")));
    }
    c.finish()?;
    let scope = format!("ListTargetGroups/{}/{}", vpc.as_deref().unwrap_or(""), tg_type.as_deref().unwrap_or(""));
    let page = pagination::from_query(req, &scope)?;
    let items: Vec<(u64, Value)> = in_order(&ctx.state.target_groups)
        .into_iter()
        .filter(|tg| tg_type.as_ref().is_none_or(|t| *t == tg.tg_type))
        .filter(|tg| vpc.is_none() || tg.config.as_ref().and_then(|c| c.vpc_identifier.as_ref()) == vpc.as_ref())
        .map(|tg| {
            let cfg = tg.config.clone();
            let field = |f: fn(&TgConfig) -> Value| cfg.as_ref().map_or(Value::Null, f);
            let item = json!({
                "id": tg.meta.id, "arn": tg.meta.arn, "name": tg.name, "type": tg.tg_type,
                "createdAt": timestamp(tg.meta.created_at), "lastUpdatedAt": timestamp(tg.meta.updated_at),
                "port": field(|c| json!(c.port)), "protocol": field(|c| json!(c.protocol)),
                "ipAddressType": field(|c| json!(c.ip_address_type)),
                "vpcIdentifier": field(|c| json!(c.vpc_identifier)),
                "lambdaEventStructureVersion": field(|c| json!(c.lambda_event_structure_version)),
                "status": tg.life.status.as_str(), "serviceArns": service_arns(ctx, &tg.meta.id),
            });
            (tg.meta.seq, item)
        })
        .collect();
    let (items, next) = pagination::cut(items, page, &scope);
    Ok(Reply::ok(json!({"items": items, "nextToken": next})))
}

pub(crate) fn update(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = from_label(ctx, req)?;
    let mut c = Checker::new();
    let draft: Option<HealthDraft> =
        c.object(&req.body, "", "healthCheck", true).map(|hc| health::parse(&mut c, hc, "healthCheck"));
    c.finish()?;
    let draft = need(draft, "healthCheck")?;
    let now = ctx.now;
    let Some(tg) = ctx.state.target_groups.get_mut(&id) else { return Err(ApiError::not_found("TARGET_GROUP", id)) };
    if tg.life.status != Status::Active {
        return Err(ApiError::bad_status("TARGET_GROUP", &id, tg.life.status.as_str()));
    }
    let Some(hc) = tg.config.as_mut().and_then(|c| c.health_check.as_mut()) else {
        return Err(ApiError::field(
            "healthCheck",
            format!("Health checks are not supported for {} target groups", tg.tg_type),
        ));
    };
    *hc = health::merge(hc, draft);
    tg.meta.updated_at = now;
    Ok(Reply::ok(json!({
        "id": tg.meta.id, "arn": tg.meta.arn, "name": tg.name, "type": tg.tg_type,
        "config": tg.config.as_ref().map(config_json), "status": tg.life.status.as_str(),
    })))
}

pub(crate) fn delete(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let id = from_label(ctx, req)?;
    let status = ctx.state.target_groups[&id].life.status;
    if status == Status::CreateInProgress {
        return Err(ApiError::bad_status("TARGET_GROUP", &id, status.as_str()));
    }
    if status != Status::DeleteInProgress {
        if let Some(service) = ctx.state.tg_service_ids(&id).first() {
            let message = format!("TargetGroup {id} is in use by a listener or rule of service {service}");
            return Err(ApiError::conflict("TARGET_GROUP", id, message));
        }
        let due = ctx.due();
        if let Some(tg) = ctx.state.target_groups.get_mut(&id) {
            tg.life = Lifecycle::new(Status::DeleteInProgress, due);
        }
    }
    let tg = &ctx.state.target_groups[&id];
    Ok(Reply::ok(json!({"id": tg.meta.id, "arn": tg.meta.arn, "status": tg.life.status.as_str()})))
}
