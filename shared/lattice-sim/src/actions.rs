//! The RuleAction union shared by listener default actions and rules: validation, target group
//! resolution and the cross-resource rules (one service per target group, TCP only behind
//! TLS_PASSTHROUGH, target groups per service quota).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::patterns::Kind;
use crate::state::{Action, Status, WeightedTg, resolve};
use crate::validate::{Checker, TG_IDENT, join};

/// An action as written in a request, before its target groups are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Draft {
    Forward(Vec<(String, Option<u32>)>),
    FixedResponse(u16),
}

/// Reads a RuleAction member, recording violations in `c`.
pub(crate) fn parse(c: &mut Checker, obj: &Map<String, Value>, path: &str, key: &str, req: bool) -> Option<Draft> {
    let name = join(path, key);
    let (member, value) = c.union(obj, path, key, &["forward", "fixedResponse"], req)?;
    let member_path = join(&name, member);
    let Some(inner) = value.as_object() else {
        c.fail(member_path, "Member must be a structure");
        return None;
    };
    if member == "fixedResponse" {
        let code = c.int(inner, &member_path, "statusCode", (100, 599), true)?;
        if code != 404 && code != 500 {
            c.fail(join(&member_path, "statusCode"), "Only 404 and 500 are supported");
            return None;
        }
        return u16::try_from(code).ok().map(Draft::FixedResponse);
    }
    let list_path = join(&member_path, "targetGroups");
    let items = c.list(inner, &member_path, "targetGroups", (1, 10), true)?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{list_path}[{i}]");
        let Some(entry) = item.as_object() else {
            c.fail(item_path, "Member must be a structure");
            continue;
        };
        let ident = c.string(entry, &item_path, "targetGroupIdentifier", TG_IDENT, true);
        let weight = c.int(entry, &item_path, "weight", (0, 999), false);
        if items.len() > 1 && weight.is_none() && entry.get("weight").is_none_or(Value::is_null) {
            c.fail(join(&item_path, "weight"), "A weight is required when forwarding to several target groups");
        }
        if let Some(ident) = ident {
            out.push((ident, weight.and_then(|w| u32::try_from(w).ok())));
        }
    }
    (out.len() == items.len()).then_some(Draft::Forward(out))
}

/// Which listener or rule an action belongs to (its current action is left out of the quota count).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Owner<'a> {
    New,
    Listener(&'a str),
    Rule(&'a str),
}

/// Resolves a draft for a listener of `protocol` on `service_id` and checks every cross-resource rule.
pub(crate) fn resolve_draft(
    ctx: &Ctx<'_>,
    draft: Draft,
    service_id: &str,
    protocol: &str,
    owner: Owner<'_>,
) -> Result<Action, ApiError> {
    let tgs = match draft {
        Draft::FixedResponse(code) => {
            if protocol == "TLS_PASSTHROUGH" {
                return Err(ApiError::invalid("TLS_PASSTHROUGH listeners only support forward actions"));
            }
            return Ok(Action::FixedResponse(code));
        }
        Draft::Forward(tgs) => tgs,
    };
    let mut resolved = Vec::with_capacity(tgs.len());
    for (identifier, weight) in &tgs {
        let tg_id = resolve(&ctx.state.target_groups, identifier, Kind::TargetGroup)?;
        let tg = &ctx.state.target_groups[&tg_id];
        if matches!(tg.life.status, Status::DeleteInProgress | Status::CreateFailed | Status::DeleteFailed) {
            return Err(ApiError::bad_status("TARGET_GROUP", &tg_id, tg.life.status.as_str()));
        }
        if let Some(other) = ctx.state.tg_service_ids(&tg_id).into_iter().find(|s| s != service_id) {
            return Err(ApiError::conflict(
                "TARGET_GROUP",
                tg_id.clone(),
                format!("TargetGroup {tg_id} is already used by service {other}"),
            ));
        }
        let tg_protocol = tg.config.as_ref().and_then(|c| c.protocol.as_deref());
        let tcp = tg_protocol == Some("TCP");
        if protocol == "TLS_PASSTHROUGH" && !tcp {
            return Err(ApiError::invalid(format!(
                "TLS_PASSTHROUGH listeners can only forward to TCP target groups; {tg_id} is not TCP"
            )));
        }
        if protocol != "TLS_PASSTHROUGH" && tcp {
            return Err(ApiError::invalid(format!(
                "TCP target group {tg_id} can only be used by TLS_PASSTHROUGH listeners"
            )));
        }
        let weight = weight.unwrap_or(100);
        resolved.push(WeightedTg { identifier: identifier.clone(), tg_id, weight });
    }
    check_quota(ctx, service_id, owner, &resolved)?;
    Ok(Action::Forward(resolved))
}

fn check_quota(ctx: &Ctx<'_>, service_id: &str, owner: Owner<'_>, new: &[WeightedTg]) -> Result<(), ApiError> {
    let state = &ctx.state;
    let mut set: BTreeSet<&str> = state
        .listeners
        .values()
        .filter(|l| l.service_id == service_id && !matches!(owner, Owner::Listener(id) if id == l.meta.id))
        .flat_map(|l| l.default_action.tg_ids())
        .collect();
    set.extend(
        state
            .rules
            .values()
            .filter(|r| {
                r.service_id == service_id && !r.is_default && !matches!(owner, Owner::Rule(id) if id == r.meta.id)
            })
            .flat_map(|r| r.action.tg_ids()),
    );
    let before = set.len();
    set.extend(new.iter().map(|t| t.tg_id.as_str()));
    if set.len() > before {
        let limit = ctx.env.quotas.target_groups_per_service;
        ctx.quota(set.len() - 1, limit, "TARGET_GROUP", "target-groups-per-service", Some(service_id))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn draft(v: Value) -> (Option<Draft>, bool) {
        let body = json!({ "a": v });
        let mut c = Checker::new();
        let d = parse(&mut c, body.as_object().expect("object"), "", "a", true);
        (d, c.count() == 0)
    }

    #[test]
    fn fixed_response_only_404_and_500() {
        assert_eq!(draft(json!({"fixedResponse": {"statusCode": 404}})).0, Some(Draft::FixedResponse(404)));
        assert!(!draft(json!({"fixedResponse": {"statusCode": 200}})).1);
        assert!(!draft(json!({"fixedResponse": {"statusCode": 700}})).1);
    }

    #[test]
    fn several_target_groups_need_weights() {
        let tg = "tg-0123456789abcdef0";
        let one = draft(json!({"forward": {"targetGroups": [{"targetGroupIdentifier": tg}]}}));
        assert!(one.1);
        let two = draft(json!({"forward": {"targetGroups": [
            {"targetGroupIdentifier": tg}, {"targetGroupIdentifier": tg, "weight": 1}]}}));
        assert!(!two.1);
        let empty = draft(json!({"forward": {"targetGroups": []}}));
        assert!(!empty.1);
    }
}
