//! The new state of an object from a create, replace or patch body, with the checks a real server makes
//! before storing: types, names, preconditions, subresource rules and patch formats.

use serde_json::{Value, json};

use crate::patch::{JsonPatchError, json_patch, merge_patch};
use crate::route::ResourceRoute;
use crate::status::ApiError;
use crate::store::has_finalizers;
use crate::strategic::strategic_merge;

/// Parses a JSON request body.
pub(crate) fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body of the request could not be decoded: {e}")))
}

fn check_type(object: &Value, route: &ResourceRoute) -> Result<(), ApiError> {
    if !object.is_object() {
        return Err(ApiError::bad_request("the body of the request is not a JSON object"));
    }
    // Custom resources are decoded as unstructured objects, which must name their type.
    if route.r.is_custom() {
        for (field, label) in [("kind", "Kind"), ("apiVersion", "apiVersion")] {
            if object.get(field).and_then(Value::as_str).is_none_or(str::is_empty) {
                return Err(ApiError::bad_request(format!("Object '{label}' is missing in '{object}'")));
            }
        }
    }
    let expected = route.r.api_version(route.version);
    if let Some(api_version) = object.get("apiVersion").and_then(Value::as_str)
        && api_version != expected
    {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({api_version}) does not match the expected API version ({expected})"
        )));
    }
    if let Some(kind) = object.get("kind").and_then(Value::as_str)
        && kind != route.r.kind
    {
        return Err(ApiError::bad_request(format!(
            "the kind in the data ({kind}) does not match the expected kind ({})",
            route.r.kind
        )));
    }
    Ok(())
}

fn check_namespace(object: &Value, route: &ResourceRoute) -> Result<(), ApiError> {
    match (object["metadata"]["namespace"].as_str(), route.namespace.as_deref()) {
        (Some(ns), Some(expected)) if !ns.is_empty() && ns != expected => Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        )),
        _ => Ok(()),
    }
}

fn check_name(object: &Value, url_name: &str) -> Result<(), ApiError> {
    let name = object["metadata"]["name"].as_str().unwrap_or("");
    if name != url_name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({name}) does not match the name on the URL ({url_name})"
        )));
    }
    Ok(())
}

fn valid_name(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Checks a create body and returns the object's name and the object to store (status dropped where
/// `/status` is a subresource). `suffix` completes a `generateName`.
pub(crate) fn prepare_create(route: &ResourceRoute, body: &[u8], suffix: &str) -> Result<(String, Value), ApiError> {
    let mut object = parse_json(body)?;
    check_type(&object, route)?;
    check_namespace(&object, route)?;
    let r = route.r;
    let name = match (object["metadata"]["name"].as_str(), object["metadata"]["generateName"].as_str()) {
        (Some(name), _) if !name.is_empty() => name.to_string(),
        (_, Some(prefix)) if !prefix.is_empty() => format!("{prefix}{suffix}"),
        _ => {
            return Err(ApiError::invalid(r, "", "metadata.name", "Required value: name or generateName is required"));
        }
    };
    if !valid_name(&name) {
        let message = format!(
            "Invalid value: {name:?}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric \
             characters, '-' or '.', and must start and end with an alphanumeric character"
        );
        return Err(ApiError::invalid(r, &name, "metadata.name", &message));
    }
    if object["metadata"]["resourceVersion"].as_str().is_some_and(|rv| !rv.is_empty()) {
        return Err(ApiError::new(500, "resourceVersion should not be set on objects to be created"));
    }
    if r.status
        && let Some(map) = object.as_object_mut()
    {
        map.remove("status");
    }
    object["metadata"]["name"] = name.clone().into();
    Ok((name, object))
}

fn check_resource_version(
    route: &ResourceRoute,
    name: &str,
    stored: &Value,
    new: &Value,
    required: bool,
) -> Result<(), ApiError> {
    let stored_rv = stored["metadata"]["resourceVersion"].as_str().unwrap_or("");
    match new["metadata"]["resourceVersion"].as_str().filter(|rv| !rv.is_empty()) {
        Some(rv) if rv != stored_rv => Err(ApiError::conflict(route.r, name)),
        Some(_) => Ok(()),
        None if required && route.r.is_custom() => Err(ApiError::invalid(
            route.r,
            name,
            "metadata.resourceVersion",
            "Invalid value: 0x0: must be specified for an update",
        )),
        None => Ok(()),
    }
}

fn check_uid(route: &ResourceRoute, name: &str, stored: &Value, new: &Value) -> Result<(), ApiError> {
    let stored_uid = stored["metadata"]["uid"].as_str().unwrap_or("");
    match new["metadata"]["uid"].as_str() {
        Some(uid) if !uid.is_empty() && uid != stored_uid => Err(ApiError::precondition(
            route.r,
            name,
            format!("Precondition failed: UID in precondition: {uid}, UID in object meta: {stored_uid}"),
        )),
        _ => Ok(()),
    }
}

fn check_finalizers(route: &ResourceRoute, name: &str, stored: &Value, new: &Value) -> Result<(), ApiError> {
    if stored["metadata"]["deletionTimestamp"].is_null() || !has_finalizers(new) {
        return Ok(());
    }
    let old: Vec<&Value> = stored["metadata"]["finalizers"].as_array().map(|f| f.iter().collect()).unwrap_or_default();
    let added = new["metadata"]["finalizers"].as_array().into_iter().flatten().any(|f| !old.contains(&f));
    if added {
        return Err(ApiError::invalid(
            route.r,
            name,
            "metadata.finalizers",
            "Forbidden: no new finalizers can be added if the object is being deleted",
        ));
    }
    Ok(())
}

/// Combines the stored object and a new full state the way the endpoint does: the main resource keeps the
/// stored status (where `/status` is a subresource); `/status` takes only the new status.
fn combine(route: &ResourceRoute, stored: &Value, new: Value) -> Value {
    if route.status {
        let mut out = stored.clone();
        if let Some(map) = out.as_object_mut() {
            match new.get("status") {
                Some(status) => map.insert("status".into(), status.clone()),
                None => map.remove("status"),
            };
        }
        return out;
    }
    let mut out = new;
    if route.r.status
        && let Some(map) = out.as_object_mut()
    {
        match stored.get("status") {
            Some(status) => map.insert("status".into(), status.clone()),
            None => map.remove("status"),
        };
    }
    out
}

/// The object after a PUT of the object or its status.
pub(crate) fn prepare_replace(
    route: &ResourceRoute,
    name: &str,
    stored: &Value,
    body: &[u8],
) -> Result<Value, ApiError> {
    let mut new = parse_json(body)?;
    check_type(&new, route)?;
    check_name(&new, name)?;
    check_namespace(&new, route)?;
    check_uid(route, name, stored, &new)?;
    check_resource_version(route, name, stored, &new, true)?;
    check_finalizers(route, name, stored, &new)?;
    if let Some(map) = new.as_object_mut() {
        map.insert("apiVersion".into(), route.r.api_version(route.version).into());
        map.insert("kind".into(), route.r.kind.into());
    }
    Ok(combine(route, stored, new))
}

/// The patch formats a PATCH may carry.
fn media_type(content_type: Option<&str>) -> &str {
    content_type.and_then(|c| c.split(';').next()).map(str::trim).unwrap_or("")
}

/// The object after a PATCH of the object or its status. `presented` is the stored object as the client's
/// version shows it. Strategic merge patch is applied on built-in resources with the list merge keys
/// `strategic` knows, and refused on custom resources, as the API server refuses it there.
pub(crate) fn prepare_patch(
    route: &ResourceRoute,
    name: &str,
    presented: &Value,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Value, ApiError> {
    let accepted = "accepted media types include: application/json-patch+json, application/merge-patch+json, \
                    application/apply-patch+yaml";
    let patched = match media_type(content_type) {
        "application/merge-patch+json" => {
            let mut out = presented.clone();
            merge_patch(&mut out, &parse_json(body)?);
            out
        }
        "application/strategic-merge-patch+json" if !route.r.is_custom() => {
            let mut out = presented.clone();
            strategic_merge(route.r.plural, &mut out, &parse_json(body)?);
            out
        }
        "application/json-patch+json" => match json_patch(presented, &parse_json(body)?) {
            Ok(out) => out,
            Err(JsonPatchError::Malformed(m)) => return Err(ApiError::bad_request(m)),
            Err(JsonPatchError::Failed(m)) => return Err(ApiError::new(422, m)),
        },
        "application/apply-patch+yaml" => {
            return Err(ApiError::unsupported_media_type(
                "server-side apply (application/apply-patch+yaml) is not implemented by this fake API server; use \
                 a merge or JSON patch",
            ));
        }
        other => {
            return Err(ApiError::unsupported_media_type(format!(
                "the body of the request was in an unknown format ({other:?}) - {accepted}"
            )));
        }
    };
    if !patched.is_object() || !patched["metadata"].is_object() {
        return Err(ApiError::bad_request("the patched object is not a Kubernetes object"));
    }
    check_name(&patched, name)?;
    check_namespace(&patched, route)?;
    check_uid(route, name, presented, &patched)?;
    check_resource_version(route, name, presented, &patched, false)?;
    check_finalizers(route, name, presented, &patched)?;
    let mut patched = patched;
    patched["apiVersion"] = presented["apiVersion"].clone();
    patched["kind"] = presented["kind"].clone();
    Ok(combine(route, presented, patched))
}

/// The `Status` a built-in resource returns for a delete that removed the object.
pub(crate) fn delete_success(route: &ResourceRoute, name: &str, uid: &Value) -> Value {
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {"name": name, "group": route.r.group(), "kind": route.r.plural, "uid": uid},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ApiGroup;
    use crate::route::{Route, parse};

    fn route(path: &str) -> ResourceRoute {
        match parse(path, &ApiGroup::ALL) {
            Some(Route::Resource(r)) => r,
            other => panic!("not a resource path: {other:?}"),
        }
    }

    const ROUTE: &str = "/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/rates";

    fn stored() -> Value {
        json!({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": "rates", "namespace": "shop", "resourceVersion": "7", "uid": "u1"},
            "spec": {"hostnames": ["a"]}, "status": {"parents": []},
        })
    }

    #[test]
    fn main_put_keeps_status_and_status_put_keeps_the_rest() {
        let mut body = stored();
        body["spec"] = json!({"hostnames": ["b"]});
        body["status"] = json!({"parents": [{"x": 1}]});
        body["metadata"]["labels"] = json!({"l": "v"});
        let bytes = body.to_string().into_bytes();
        let main = prepare_replace(&route(ROUTE), "rates", &stored(), &bytes).expect("main");
        assert_eq!(main["status"], stored()["status"]);
        assert_eq!(main["spec"], body["spec"]);
        let status = prepare_replace(&route(&format!("{ROUTE}/status")), "rates", &stored(), &bytes).expect("status");
        assert_eq!(status["status"], body["status"]);
        assert_eq!(status["spec"], stored()["spec"]);
        assert!(status["metadata"].get("labels").is_none());
    }

    #[test]
    fn put_preconditions() {
        let body = |metadata: Value| {
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": metadata})
                .to_string()
                .into_bytes()
        };
        let code =
            |bytes: Vec<u8>| prepare_replace(&route(ROUTE), "rates", &stored(), &bytes).map(|_| ()).map_err(|e| e.code);
        assert_eq!(code(body(json!({"name": "rates", "resourceVersion": "6"}))), Err(409));
        assert_eq!(code(body(json!({"name": "rates"}))), Err(422));
        assert_eq!(code(body(json!({"name": "other", "resourceVersion": "7"}))), Err(400));
        assert_eq!(code(body(json!({"name": "rates", "resourceVersion": "7", "uid": "u2"}))), Err(409));
        assert_eq!(code(body(json!({"name": "rates", "resourceVersion": "7"}))), Ok(()));
        assert_eq!(
            code(json!({"metadata": {"name": "rates", "resourceVersion": "7"}}).to_string().into_bytes()),
            Err(400)
        );
    }

    #[test]
    fn patch_formats() {
        let r = route(ROUTE);
        let merge = br#"{"metadata":{"annotations":{"a":"b"}},"status":{"parents":[1]}}"#;
        let out = prepare_patch(&r, "rates", &stored(), Some("application/merge-patch+json"), merge).expect("merge");
        assert_eq!(out["metadata"]["annotations"]["a"], "b");
        assert_eq!(out["status"], stored()["status"]);
        let smp = prepare_patch(&r, "rates", &stored(), Some("application/strategic-merge-patch+json"), merge);
        assert_eq!(smp.map_err(|e| e.code).map(|_| ()), Err(415));
        let apply = prepare_patch(&r, "rates", &stored(), Some("application/apply-patch+yaml"), b"{}");
        assert_eq!(apply.map_err(|e| e.code).map(|_| ()), Err(415));
        let stale = br#"{"metadata":{"resourceVersion":"3"}}"#;
        let conflict = prepare_patch(&r, "rates", &stored(), Some("application/merge-patch+json"), stale);
        assert_eq!(conflict.map_err(|e| e.code).map(|_| ()), Err(409));
        let test = br#"[{"op":"test","path":"/spec/hostnames/0","value":"z"}]"#;
        let failed = prepare_patch(&r, "rates", &stored(), Some("application/json-patch+json"), test);
        assert_eq!(failed.map_err(|e| e.code).map(|_| ()), Err(422));
    }
}
