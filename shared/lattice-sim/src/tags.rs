//! TagResource / UntagResource / ListTagsForResource on any Lattice ARN of the account (another
//! account's, such as a shared service network, is AccessDeniedException), with upsert semantics and the
//! per-resource tag limit. Also used by the Resource Groups Tagging API.

use std::collections::BTreeMap;

use serde_json::json;

use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::patterns::{Kind, arn_kind, id_of};
use crate::validate::{Checker, TAG_ARN, TAG_KEY, label, need};
use crate::wire::{Reply, Request};

/// The kind of the existing resource an ARN names, if any.
pub(crate) fn existing(ctx: &Ctx<'_>, arn: &str) -> Option<Kind> {
    let kind = arn_kind(arn)?;
    (ctx.state.arn_of(kind, id_of(arn)).as_deref() == Some(arn)).then_some(kind)
}

fn require(ctx: &Ctx<'_>, arn: &str, action: &str) -> Result<Kind, ApiError> {
    if arn.split(':').nth(4).is_some_and(|account| account != ctx.env.account) {
        return Err(ApiError::access_denied(action, arn));
    }
    existing(ctx, arn).ok_or_else(|| {
        let resource_type = arn_kind(arn).map_or("RESOURCE", Kind::resource_type);
        ApiError::not_found(resource_type, arn)
    })
}

/// Upserts tags on an existing resource, enforcing the per-resource limit on the result.
pub(crate) fn apply(ctx: &mut Ctx<'_>, arn: &str, tags: BTreeMap<String, String>) -> Result<(), ApiError> {
    require(ctx, arn, "TagResource")?;
    let limit = ctx.env.quotas.tags_per_resource;
    let current = ctx.state.tags.get(arn).cloned().unwrap_or_default();
    let mut merged = current;
    merged.extend(tags);
    if merged.len() > limit {
        return Err(ApiError::field("tags", format!("A resource can have at most {limit} tags")));
    }
    ctx.state.tags.insert(arn.to_owned(), merged);
    Ok(())
}

/// Removes tag keys from an existing resource.
pub(crate) fn remove(ctx: &mut Ctx<'_>, arn: &str, keys: &[String]) -> Result<(), ApiError> {
    require(ctx, arn, "UntagResource")?;
    if let Some(tags) = ctx.state.tags.get_mut(arn) {
        for key in keys {
            tags.remove(key);
        }
        if tags.is_empty() {
            ctx.state.tags.remove(arn);
        }
    }
    Ok(())
}

pub(crate) fn tag(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let arn = label("resourceArn", req.label(0), TAG_ARN)?;
    let mut c = Checker::new();
    let tags = c.tags(&req.body, "", "tags", 200, true);
    c.finish()?;
    apply(ctx, &arn, need(tags, "tags")?)?;
    Ok(Reply::ok(json!({})))
}

pub(crate) fn untag(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let arn = label("resourceArn", req.label(0), TAG_ARN)?;
    let keys = req.query_all("tagKeys");
    let mut c = Checker::new();
    if keys.len() > 200 {
        c.fail("tagKeys", "Member must have length between 0 and 200");
    }
    for (i, key) in keys.iter().enumerate() {
        c.check_str(&format!("tagKeys[{i}]"), key, TAG_KEY);
    }
    c.finish()?;
    remove(ctx, &arn, &keys)?;
    Ok(Reply::ok(json!({})))
}

pub(crate) fn list(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let arn = label("resourceArn", req.label(0), TAG_ARN)?;
    require(ctx, &arn, "ListTagsForResource")?;
    let tags = ctx.state.tags.get(&arn).cloned().unwrap_or_default();
    Ok(Reply::ok(json!({ "tags": tags })))
}
