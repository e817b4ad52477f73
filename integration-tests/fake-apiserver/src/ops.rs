//! Resource requests: authorization, faults, then get, list, create, replace, patch or delete.

use serde_json::Value;

use crate::authz::{self, Attributes};
use crate::faults::FaultOp;
use crate::list::{ListParams, ListTarget, list};
use crate::route::ResourceRoute;
use crate::state::{Request, State};
use crate::status::ApiError;
use crate::store::present;
use crate::write::{delete_success, parse_json, prepare_create, prepare_patch, prepare_replace};

/// The RBAC verb and fault kind of a request, or 405.
fn classify(method: &str, route: &ResourceRoute) -> Result<(&'static str, FaultOp), ApiError> {
    let collection = route.name.is_none();
    let all_namespaces = route.r.namespaced && route.namespace.is_none();
    match (method, collection) {
        ("GET", true) => Ok(("list", FaultOp::List)),
        ("GET", false) => Ok(("get", FaultOp::Get)),
        ("POST", true) if !all_namespaces => Ok(("create", FaultOp::Write)),
        ("PUT", false) => Ok(("update", FaultOp::Write)),
        ("PATCH", false) => Ok(("patch", FaultOp::Write)),
        ("DELETE", false) if !route.status => Ok(("delete", FaultOp::Write)),
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// Handles a request to a resource endpoint; returns the HTTP status and body.
pub(crate) fn handle(state: &mut State, route: &ResourceRoute, req: &Request) -> Result<(u16, Value), ApiError> {
    let (verb, op) = classify(&req.method, route)?;
    if let Some(rules) = &state.config.rbac {
        let attributes = Attributes {
            verb,
            group: route.r.group(),
            resource: route.r.plural,
            subresource: route.status.then_some("status"),
            namespace: route.namespace.as_deref(),
            name: route.name.as_deref(),
        };
        if !authz::allowed(rules, &attributes) {
            return Err(authz::forbidden(&state.config.user_name, &attributes));
        }
    }
    if op == FaultOp::Write
        && let Some(key) = route.key()
    {
        *state.writes.entry(key).or_default() += 1;
    }
    if let Some(code) = state.faults.take_fail(op, route.r.plural) {
        let mut e = ApiError::new(code, format!("injected failure of {} {}", verb, route.r.qualified()));
        if code == 429 {
            e.details = Some(serde_json::json!({"retryAfterSeconds": 1}));
        }
        return Err(e);
    }
    if op == FaultOp::Write
        && let Some(key) = route.key()
        && state.store.get(&key).is_some()
        && state.faults.take_conflict(&key)
    {
        state.store.touch(route.r, key);
        return Err(ApiError::conflict(route.r, route.name.as_deref().unwrap_or("")));
    }
    if verb == "list" && req.query.iter().any(|(k, v)| k == "watch" && (v == "true" || v == "1")) {
        return Err(ApiError::bad_request("watch is not implemented by this fake API server"));
    }
    let dry_run = op == FaultOp::Write && req.query.iter().any(|(k, v)| k == "dryRun" && v == "All");
    let saved = dry_run.then(|| state.store.clone());
    let result = match verb {
        "list" => list_objects(state, route, req),
        "get" => get(state, route),
        "create" => create(state, route, req),
        "update" => replace(state, route, req),
        "patch" => patch(state, route, req),
        _ => delete(state, route, req),
    };
    if let Some(saved) = saved {
        state.store = saved;
    }
    result
}

fn stored(state: &State, route: &ResourceRoute) -> Result<(String, Value), ApiError> {
    let name = route.name.clone().unwrap_or_default();
    let key = route.key().ok_or_else(ApiError::method_not_allowed)?;
    let object = state.store.get(&key).ok_or_else(|| ApiError::not_found(route.r, &name))?;
    Ok((name, present(object, route.r, route.version)))
}

fn get(state: &State, route: &ResourceRoute) -> Result<(u16, Value), ApiError> {
    stored(state, route).map(|(_, object)| (200, object))
}

fn list_objects(state: &mut State, route: &ResourceRoute, req: &Request) -> Result<(u16, Value), ApiError> {
    let params = ListParams::from_query(&req.query)?;
    if let Some(token) = &params.continue_token
        && state.faults.take_poisoned(token)
    {
        return Err(ApiError::new(500, "injected failure of the list continuation"));
    }
    let truncate =
        params.limit.is_some() && params.continue_token.is_none() && state.faults.take_truncate(route.r.plural);
    let target = ListTarget { r: route.r, version: route.version, namespace: route.namespace.as_deref() };
    let (list, token) = list(&mut state.store, &target, &params, truncate)?;
    if truncate && let Some(token) = token {
        state.faults.poison_token(token);
    }
    Ok((200, list))
}

fn create(state: &mut State, route: &ResourceRoute, req: &Request) -> Result<(u16, Value), ApiError> {
    state.name_seq += 1;
    let suffix = generated_suffix(state.name_seq);
    let (name, object) = prepare_create(route, &req.body, &suffix)?;
    let key = crate::store::key(route.r, route.namespace.as_deref(), &name);
    *state.writes.entry(key.clone()).or_default() += 1;
    if state.store.get(&key).is_some() {
        return Err(ApiError::already_exists(route.r, &name));
    }
    let now = state.now();
    let created = state.store.create(route.r, key, object, now);
    Ok((201, present(&created, route.r, route.version)))
}

/// Five characters from the generateName alphabet (no vowels), from a sequence number.
fn generated_suffix(seq: u64) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut n = seq.wrapping_mul(2_654_435_761) % 27u64.pow(5);
    (0..5)
        .map(|_| {
            let c = ALPHABET[(n % 27) as usize] as char;
            n /= 27;
            c
        })
        .collect()
}

fn replace(state: &mut State, route: &ResourceRoute, req: &Request) -> Result<(u16, Value), ApiError> {
    let (name, current) = stored(state, route)?;
    let new = prepare_replace(route, &name, &current, &req.body)?;
    commit(state, route, new)
}

fn patch(state: &mut State, route: &ResourceRoute, req: &Request) -> Result<(u16, Value), ApiError> {
    let (name, current) = stored(state, route)?;
    let new = prepare_patch(route, &name, &current, req.content_type.as_deref(), &req.body)?;
    commit(state, route, new)
}

fn commit(state: &mut State, route: &ResourceRoute, new: Value) -> Result<(u16, Value), ApiError> {
    let key = route.key().ok_or_else(ApiError::method_not_allowed)?;
    let updated = state.store.update(route.r, key, new);
    let gone = !updated["metadata"]["deletionTimestamp"].is_null() && !crate::store::has_finalizers(&updated);
    if let (true, Some(uid)) = (gone, updated["metadata"]["uid"].as_str()) {
        let now = state.now();
        crate::gc::collect(&mut state.store, uid, now);
    }
    Ok((200, present(&updated, route.r, route.version)))
}

fn delete(state: &mut State, route: &ResourceRoute, req: &Request) -> Result<(u16, Value), ApiError> {
    let (name, current) = stored(state, route)?;
    if !req.body.is_empty() {
        let options = parse_json(&req.body)?;
        for (field, label) in [("uid", "UID"), ("resourceVersion", "ResourceVersion")] {
            let expected = options["preconditions"][field].as_str();
            let actual = current["metadata"][field].as_str().unwrap_or("");
            if let Some(expected) = expected.filter(|e| *e != actual) {
                let message = format!(
                    "Precondition failed: {label} in precondition: {expected}, {label} in object meta: {actual}"
                );
                return Err(ApiError::precondition(route.r, &name, message));
            }
        }
    }
    let key = route.key().ok_or_else(ApiError::method_not_allowed)?;
    let now = state.now();
    let (object, gone) = state.store.delete(route.r, key, now).ok_or_else(|| ApiError::not_found(route.r, &name))?;
    if let (true, Some(uid)) = (gone, object["metadata"]["uid"].as_str()) {
        crate::gc::collect(&mut state.store, uid, now);
    }
    if gone && !route.r.is_custom() {
        return Ok((200, delete_success(route, &name, &object["metadata"]["uid"])));
    }
    Ok((200, present(&object, route.r, route.version)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_suffixes_differ() {
        let a = generated_suffix(1);
        let b = generated_suffix(2);
        assert_eq!(a.len(), 5);
        assert_ne!(a, b);
    }
}
