//! List requests: selectors, `limit`, and continue tokens that page through a consistent snapshot.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::resources::ResourceType;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::status::ApiError;
use crate::store::{Key, Store, present};

/// The list parameters a client sent.
#[derive(Debug, Default)]
pub(crate) struct ListParams {
    /// `limit`; absent or 0 lists everything.
    pub limit: Option<usize>,
    /// `continue`.
    pub continue_token: Option<String>,
    /// `labelSelector`.
    pub labels: LabelSelector,
    /// `fieldSelector`.
    pub fields: FieldSelector,
}

impl ListParams {
    /// Reads the list parameters from a decoded query string.
    pub(crate) fn from_query(query: &[(String, String)]) -> Result<Self, ApiError> {
        let mut params = ListParams::default();
        for (name, value) in query {
            match name.as_str() {
                "limit" => {
                    let limit: i64 = value.parse().map_err(|_| {
                        ApiError::bad_request(format!("limit: invalid value {value:?}: not an integer"))
                    })?;
                    params.limit = usize::try_from(limit).ok().filter(|l| *l > 0);
                }
                "continue" if !value.is_empty() => params.continue_token = Some(value.clone()),
                "labelSelector" => params.labels = LabelSelector::parse(value).map_err(ApiError::bad_request)?,
                "fieldSelector" => params.fields = FieldSelector::parse(value).map_err(ApiError::bad_request)?,
                _ => {}
            }
        }
        Ok(params)
    }
}

/// Encodes a continue token the way the API server does: base64url of `{"v","rv","start"}`.
fn encode_continue(resource_version: u64, start: &str) -> String {
    let token = json!({"v": "meta.k8s.io/v1", "rv": resource_version, "start": start});
    URL_SAFE_NO_PAD.encode(token.to_string())
}

/// Decodes a continue token into the resourceVersion of its snapshot and the key to start from.
fn decode_continue(token: &str) -> Result<(u64, String), ApiError> {
    let invalid = |why: &str| ApiError::bad_request(format!("invalid continue token: {why}"));
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid("continue key is not valid: illegal base64"))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid("continue key is not valid: not JSON"))?;
    if value["v"] != "meta.k8s.io/v1" {
        return Err(invalid("continue key is not valid: server does not recognize this encoded version"));
    }
    let resource_version = value["rv"].as_u64().filter(|rv| *rv > 0).ok_or_else(|| invalid("incorrect encoded rv"))?;
    let start = value["start"].as_str().ok_or_else(|| invalid("continue key is not valid: missing start"))?;
    Ok((resource_version, start.to_string()))
}

/// The key an item sorts by within the listing, as etcd orders it: `name` within a namespace or for a
/// cluster-scoped resource, `namespace/name` across namespaces.
fn list_key(key: &Key, namespace: Option<&str>, r: &ResourceType) -> String {
    if namespace.is_some() || !r.namespaced { key.3.clone() } else { format!("{}/{}", key.2, key.3) }
}

/// A list request for one resource type and version, optionally within a namespace.
pub(crate) struct ListTarget<'a> {
    /// The resource listed.
    pub r: &'static ResourceType,
    /// The version asked for.
    pub version: &'a str,
    /// The namespace, or all namespaces.
    pub namespace: Option<&'a str>,
}

/// Lists objects. With `force_continue`, a limited list returns a continue token even on its last page
/// (the caller makes that token fail). Returns the list and the continue token issued, if any.
pub(crate) fn list(
    store: &mut Store,
    target: &ListTarget<'_>,
    params: &ListParams,
    force_continue: bool,
) -> Result<(Value, Option<String>), ApiError> {
    let (resource_version, objects, start) = match &params.continue_token {
        Some(token) => {
            let (rv, start) = decode_continue(token)?;
            let objects = store.snapshot_at(rv).ok_or_else(ApiError::expired)?;
            (rv, objects, Some(start))
        }
        None => (store.resource_version(), store.objects(), None),
    };
    let r = target.r;
    let mut items: Vec<(String, &Value)> = objects
        .iter()
        .filter(|(k, _)| k.0 == r.group() && k.1 == r.plural)
        .filter(|(k, _)| target.namespace.is_none_or(|ns| k.2 == ns))
        .filter(|(_, v)| params.labels.matches(v) && params.fields.matches(v))
        .map(|(k, v)| (list_key(k, target.namespace, r), v))
        .filter(|(k, _)| start.as_deref().is_none_or(|s| k.as_str() >= s))
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let mut metadata = json!({"resourceVersion": resource_version.to_string()});
    let mut issued = None;
    if let Some(limit) = params.limit
        && (items.len() > limit || force_continue)
    {
        let remaining = items.len().saturating_sub(limit);
        items.truncate(limit);
        let start = format!("{}\u{0}", items.last().map(|(k, _)| k.as_str()).unwrap_or(""));
        if params.continue_token.is_none() {
            store.snapshot();
        }
        let token = encode_continue(resource_version, &start);
        metadata["continue"] = token.clone().into();
        if remaining > 0 && params.labels.is_empty() && params.fields.is_empty() {
            metadata["remainingItemCount"] = remaining.into();
        }
        issued = Some(token);
    }
    let items: Vec<Value> = items.into_iter().map(|(_, v)| present(v, r, target.version)).collect();
    let list = json!({
        "apiVersion": r.api_version(target.version),
        "kind": format!("{}List", r.kind),
        "metadata": metadata,
        "items": items,
    });
    Ok((list, issued))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::find;
    use crate::store::key;
    use std::time::UNIX_EPOCH;

    fn store_with(names: &[(&str, &str)]) -> (Store, &'static ResourceType) {
        let r = find("gateway.networking.k8s.io", "v1", "httproutes").expect("httproutes");
        let mut store = Store::default();
        for (ns, name) in names {
            let object = json!({"metadata": {"name": name, "namespace": ns, "labels": {"app": name}}});
            store.create(r, key(r, Some(ns), name), object, UNIX_EPOCH);
        }
        (store, r)
    }

    fn names(list: &Value) -> Vec<String> {
        list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["metadata"]["name"].as_str())
            .map(String::from)
            .collect()
    }

    #[test]
    fn pages_in_etcd_key_order_across_namespaces() {
        let (mut store, r) = store_with(&[("a", "x"), ("a-b", "y"), ("a", "z")]);
        let target = ListTarget { r, version: "v1beta1", namespace: None };
        let params = ListParams { limit: Some(2), ..Default::default() };
        let (first, token) = list(&mut store, &target, &params, false).expect("first page");
        assert_eq!(names(&first), ["y", "x"]);
        assert_eq!(first["metadata"]["remainingItemCount"], 1);
        assert_eq!(first["items"][0]["apiVersion"], "gateway.networking.k8s.io/v1beta1");
        let params = ListParams { limit: Some(2), continue_token: token, ..Default::default() };
        let (second, token) = list(&mut store, &target, &params, false).expect("second page");
        assert_eq!(names(&second), ["z"]);
        assert!(token.is_none());
        assert!(second["metadata"].get("continue").is_none());
        assert_eq!(second["metadata"]["resourceVersion"], first["metadata"]["resourceVersion"]);
    }

    #[test]
    fn rejects_tokens_that_are_not_tokens_and_expires_compacted_ones() {
        let (mut store, r) = store_with(&[("a", "x"), ("a", "y")]);
        let target = ListTarget { r, version: "v1", namespace: Some("a") };
        let bad = ListParams { continue_token: Some("garbage!".into()), ..Default::default() };
        assert_eq!(list(&mut store, &target, &bad, false).map(|_| ()).map_err(|e| e.code), Err(400));
        let params = ListParams { limit: Some(1), ..Default::default() };
        let (_, token) = list(&mut store, &target, &params, false).expect("first page");
        store.compact();
        let next = ListParams { limit: Some(1), continue_token: token, ..Default::default() };
        let err = list(&mut store, &target, &next, false).map(|_| ()).map_err(|e| (e.code, e.reason));
        assert_eq!(err, Err((410, "Expired")));
    }
}
