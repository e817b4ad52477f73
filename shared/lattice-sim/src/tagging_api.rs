//! The Resource Groups Tagging API subset for VPC Lattice resources (awsJson1_1): GetResources by tag
//! filters, resource types or ARNs with pagination, and TagResources/UntagResources.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::pagination;
use crate::patterns::Kind;
use crate::tags;
use crate::validate::{Checker, NEXT_TOKEN, Str, TAG_KEY, TAG_VALUE, need};
use crate::wire::{Reply, Request};

const ARN: Str = Str { min: 1, max: 1011, pattern: None };
const TYPE_FILTER: Str = Str { min: 0, max: 256, pattern: None };

/// A `{Key, Values}` tag filter: the key must be present with one of the values (any value if none).
struct TagFilter {
    key: String,
    values: Vec<String>,
}

fn parse_filters(c: &mut Checker, body: &Map<String, Value>) -> Vec<TagFilter> {
    let mut filters = Vec::new();
    for (i, item) in c.list(body, "", "TagFilters", (0, 50), false).into_iter().flatten().enumerate() {
        let path = format!("TagFilters[{i}]");
        let Some(obj) = item.as_object() else {
            c.fail(path, "Member must be a structure");
            continue;
        };
        let key = c.string(obj, &path, "Key", TAG_KEY, false);
        let values = c.string_list(obj, &path, "Values", (0, 20), TAG_VALUE, false).unwrap_or_default();
        match key {
            Some(key) => filters.push(TagFilter { key, values }),
            None => c.fail(format!("{path}.Key"), "Member must not be null"),
        }
    }
    filters
}

fn type_matches(filters: &[String], kind: Kind) -> bool {
    filters.is_empty() || filters.iter().any(|f| f == "vpc-lattice" || f == kind.tagging_type())
}

fn tags_match(filters: &[TagFilter], tags: &BTreeMap<String, String>) -> bool {
    filters.iter().all(|f| tags.get(&f.key).is_some_and(|v| f.values.is_empty() || f.values.contains(v)))
}

pub(crate) fn get_resources(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let b = &req.body;
    let mut c = Checker::new();
    let filters = parse_filters(&mut c, b);
    let types = c.string_list(b, "", "ResourceTypeFilters", (0, 100), TYPE_FILTER, false).unwrap_or_default();
    let arns = c.string_list(b, "", "ResourceARNList", (1, 100), ARN, false);
    let per_page = c.int(b, "", "ResourcesPerPage", (1, pagination::MAX_PAGE as i64), false);
    c.int(b, "", "TagsPerPage", (100, 500), false);
    let token = c.string(b, "", "PaginationToken", Str { min: 0, ..NEXT_TOKEN }, false).filter(|t| !t.is_empty());
    let paged = per_page.is_some() || token.is_some() || b.get("TagsPerPage").is_some_and(|v| !v.is_null());
    if arns.is_some() && paged {
        c.fail("ResourceARNList", "ResourceARNList cannot be combined with pagination parameters");
    }
    c.finish()?;
    let per_page = per_page.map(|n| n.to_string());
    let page = pagination::parse(
        per_page.as_deref(),
        token.as_deref(),
        "GetResources",
        ("ResourcesPerPage", "PaginationToken"),
    )?;
    let candidates: Vec<(u64, Value)> = ctx
        .state
        .all_arns()
        .into_iter()
        .filter(|(_, kind, arn)| {
            let tags = ctx.state.tags.get(arn);
            let listed = match &arns {
                Some(list) => list.contains(arn),
                None => tags.is_some_and(|t| !t.is_empty()),
            };
            listed && type_matches(&types, *kind) && tags_match(&filters, tags.unwrap_or(&BTreeMap::new()))
        })
        .map(|(seq, _, arn)| {
            let tags: Vec<Value> =
                ctx.state.tags.get(&arn).into_iter().flatten().map(|(k, v)| json!({"Key": k, "Value": v})).collect();
            (seq, json!({"ResourceARN": arn, "Tags": tags}))
        })
        .collect();
    let (items, next) = pagination::cut(candidates, page, "GetResources");
    Ok(Reply::ok(json!({"ResourceTagMappingList": items, "PaginationToken": next.unwrap_or_default()})))
}

fn failed(
    ctx: &mut Ctx<'_>,
    arns: Vec<String>,
    mut op: impl FnMut(&mut Ctx<'_>, &str) -> Result<(), ApiError>,
) -> Value {
    let mut failures = Map::new();
    for arn in arns {
        if let Err(e) = op(ctx, &arn) {
            failures.insert(
                arn,
                json!({"StatusCode": e.status(), "ErrorCode": "InvalidParameterException", "ErrorMessage": e.message()}),
            );
        }
    }
    json!({ "FailedResourcesMap": failures })
}

pub(crate) fn tag_resources(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let b = &req.body;
    let mut c = Checker::new();
    let arns = c.string_list(b, "", "ResourceARNList", (1, 20), ARN, true);
    let tags = c.tags(b, "", "Tags", 50, true);
    if tags.as_ref().is_some_and(BTreeMap::is_empty) {
        c.fail("Tags", "Member must have at least 1 entry");
    }
    c.finish()?;
    let tags = need(tags, "Tags")?;
    let body = failed(ctx, need(arns, "ResourceARNList")?, |ctx, arn| tags::apply(ctx, arn, tags.clone()));
    Ok(Reply::ok(body))
}

pub(crate) fn untag_resources(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let b = &req.body;
    let mut c = Checker::new();
    let arns = c.string_list(b, "", "ResourceARNList", (1, 20), ARN, true);
    let keys = c.string_list(b, "", "TagKeys", (1, 50), TAG_KEY, true);
    c.finish()?;
    let keys = need(keys, "TagKeys")?;
    let body = failed(ctx, need(arns, "ResourceARNList")?, |ctx, arn| tags::remove(ctx, arn, &keys));
    Ok(Reply::ok(body))
}
