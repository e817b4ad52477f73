//! The status to write, computed from the object as just read and the status the core computed (pure).
//!
//! Only what this controller owns changes: on routes, the `status.parents` entries with our `controllerName`
//! (others' entries keep their content and position); on Gateways and GatewayClasses, the condition types we
//! write, the listeners, addresses and supported features. Conditions are merged with
//! [`model::conditions::merge`] against the fresh object, so `lastTransitionTime` only moves when a condition's
//! status does.

use gateway_api::gatewayclasses::GatewayClassStatus;
use gateway_api::gateways::GatewayStatus;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use model::conditions::{self, types};
use model::config::CONTROLLER_NAME;
use model::status::{ObjectStatus, RouteParentStatus, RouteStatus};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// What to do with one object's status.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Merged {
    /// The object already carries this status (timestamps aside): write nothing.
    Unchanged,
    /// Write this `status`.
    Changed(Value),
    /// The object carries our status computed from a newer generation than ours: leave it.
    Stale,
}

/// The status to write on `fresh` for `computed`; an error names the part of the fresh status that cannot be
/// read (it is then left alone rather than overwritten).
pub(crate) fn merge_status(fresh: &Value, computed: &ObjectStatus) -> Result<Merged, String> {
    let current = match fresh.get("status") {
        Some(Value::Object(status)) => status.clone(),
        _ => Map::new(),
    };
    let (status, fresh_generation, our_generation) = match computed {
        ObjectStatus::Route(route) => merge_route(&current, route)?,
        ObjectStatus::Gateway(gateway) => merge_gateway(&current, gateway)?,
        ObjectStatus::GatewayClass(class) => merge_class(&current, class)?,
        ObjectStatus::Policy(policy) => merge_conditions(&current, &policy.conditions)?,
        ObjectStatus::ServiceExport(export) => merge_conditions(&current, &export.conditions)?,
        ObjectStatus::ServiceNetwork(network) => {
            let (mut status, fresh, ours) = merge_conditions(&current, &network.conditions)?;
            set_or_remove(&mut status, "serviceNetworkARN", network.service_network_arn.as_ref())?;
            set_or_remove(&mut status, "serviceNetworkID", network.service_network_id.as_ref())?;
            (status, fresh, ours)
        }
    };
    if let (Some(fresh), Some(ours)) = (fresh_generation, our_generation)
        && fresh > ours
    {
        return Ok(Merged::Stale);
    }
    let status = Value::Object(status);
    if comparable(&status) == comparable(&Value::Object(current)) {
        Ok(Merged::Unchanged)
    } else {
        Ok(Merged::Changed(status))
    }
}

/// A merged status with the highest `observedGeneration` among our conditions on the fresh object and among
/// the conditions we computed.
type MergeResult = Result<(Map<String, Value>, Option<i64>, Option<i64>), String>;

fn merge_route(current: &Map<String, Value>, computed: &RouteStatus) -> MergeResult {
    let fresh_parents = match current.get("parents") {
        Some(Value::Array(parents)) => parents.clone(),
        _ => Vec::new(),
    };
    let ours: Vec<&RouteParentStatus> =
        computed.parents.iter().filter(|p| p.controller_name == CONTROLLER_NAME).collect();
    let mut fresh_generation = None;
    let mut our_generation = None;
    let mut placed = vec![false; ours.len()];
    let mut parents = Vec::new();
    for (i, raw) in fresh_parents.iter().enumerate() {
        if raw.get("controllerName").and_then(Value::as_str) != Some(CONTROLLER_NAME) {
            parents.push(raw.clone());
            continue;
        }
        let old: RouteParentStatus = parse(raw, &format!("status.parents[{i}]"))?;
        fresh_generation = fresh_generation.max(max_generation(&old.conditions));
        // Our entry for a parentRef the route still has takes the old entry's place; otherwise it goes.
        if let Some(at) = ours.iter().position(|p| p.parent_ref == old.parent_ref)
            && !placed[at]
        {
            placed[at] = true;
            let entry = merged_parent(ours[at], &old.conditions, &mut our_generation);
            parents.push(to_json(&entry)?);
        }
    }
    for (entry, _) in ours.iter().zip(&placed).filter(|(_, placed)| !**placed) {
        parents.push(to_json(&merged_parent(entry, &[], &mut our_generation))?);
    }
    let mut status = current.clone();
    status.insert("parents".to_owned(), Value::Array(parents));
    Ok((status, fresh_generation, our_generation))
}

fn merged_parent(computed: &RouteParentStatus, old: &[Condition], generation: &mut Option<i64>) -> RouteParentStatus {
    let conditions = merge_ours(old, &computed.conditions);
    *generation = (*generation).max(max_generation(&conditions));
    RouteParentStatus { conditions, ..computed.clone() }
}

fn merge_gateway(current: &Map<String, Value>, computed: &GatewayStatus) -> MergeResult {
    let old_conditions: Vec<Condition> = parse_field(current, "conditions")?;
    let old_listeners: Vec<Value> = parse_field(current, "listeners")?;
    let mut fresh_generation = max_generation(&old_conditions);
    let conditions = merge_ours(&old_conditions, computed.conditions.as_deref().unwrap_or_default());
    let mut our_generation = max_generation(&conditions);
    let mut listeners = Vec::new();
    for listener in computed.listeners.iter().flatten() {
        let old = match old_listeners.iter().position(|l| l.get("name").and_then(Value::as_str) == Some(&listener.name))
        {
            Some(i) => parse_conditions(&old_listeners[i], &format!("status.listeners[{i}].conditions"))?,
            None => Vec::new(),
        };
        fresh_generation = fresh_generation.max(max_generation(&old));
        let mut merged = listener.clone();
        merged.conditions = merge_ours(&old, &listener.conditions);
        our_generation = our_generation.max(max_generation(&merged.conditions));
        listeners.push(merged);
    }
    let mut status = current.clone();
    status.insert("conditions".to_owned(), to_json(&conditions)?);
    status.insert("listeners".to_owned(), to_json(&listeners)?);
    set_or_remove(&mut status, "addresses", computed.addresses.as_ref())?;
    Ok((status, fresh_generation, our_generation))
}

fn merge_class(current: &Map<String, Value>, computed: &GatewayClassStatus) -> MergeResult {
    let old_conditions: Vec<Condition> = parse_field(current, "conditions")?;
    let conditions = merge_ours(&old_conditions, computed.conditions.as_deref().unwrap_or_default());
    let generations = (max_generation(&old_conditions), max_generation(&conditions));
    let mut status = current.clone();
    status.insert("conditions".to_owned(), to_json(&conditions)?);
    set_or_remove(&mut status, "supportedFeatures", computed.supported_features.as_ref())?;
    Ok((status, generations.0, generations.1))
}

/// `status.conditions` of one of the `application-networking.k8s.aws` kinds, whose status only this
/// controller writes: the condition types computed replace their fresh namesakes (keeping
/// `lastTransitionTime` when the status did not flip); other types are kept.
fn merge_conditions(current: &Map<String, Value>, computed: &[Condition]) -> MergeResult {
    let old: Vec<Condition> = parse_field(current, "conditions")?;
    let computed_types: Vec<&str> = computed.iter().map(|c| c.type_.as_str()).collect();
    let mut conditions: Vec<Condition> =
        old.iter().filter(|c| !computed_types.contains(&c.type_.as_str())).cloned().collect();
    for c in computed {
        let mut c = c.clone();
        if let Some(previous) = old.iter().find(|o| o.type_ == c.type_ && o.status == c.status) {
            c.last_transition_time = previous.last_transition_time.clone();
        }
        conditions.push(c);
    }
    let generation = |list: &[Condition]| {
        list.iter().filter(|c| computed_types.contains(&c.type_.as_str())).filter_map(|c| c.observed_generation).max()
    };
    let generations = (generation(&old), generation(&conditions));
    let mut status = current.clone();
    status.insert("conditions".to_owned(), to_json(&conditions)?);
    Ok((status, generations.0, generations.1))
}

/// `existing` merged with the conditions of `computed` whose types we write. (The core computed `computed`
/// from an older copy of the object, so the other types it carries are that copy's; the fresh ones win.)
fn merge_ours(existing: &[Condition], computed: &[Condition]) -> Vec<Condition> {
    let ours = computed.iter().filter(|c| types::OURS.contains(&c.type_.as_str())).cloned().collect();
    conditions::merge(existing, ours)
}

/// The highest `observedGeneration` among the conditions of the types we write.
fn max_generation(conditions: &[Condition]) -> Option<i64> {
    conditions.iter().filter(|c| types::OURS.contains(&c.type_.as_str())).filter_map(|c| c.observed_generation).max()
}

fn parse_conditions(listener: &Value, field: &str) -> Result<Vec<Condition>, String> {
    match listener.get("conditions") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(value) => parse(value, field),
    }
}

fn parse_field<T: DeserializeOwned + Default>(status: &Map<String, Value>, field: &str) -> Result<T, String> {
    match status.get(field) {
        None | Some(Value::Null) => Ok(T::default()),
        Some(value) => parse(value, &format!("status.{field}")),
    }
}

fn parse<T: DeserializeOwned>(value: &Value, field: &str) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let at = if path == "." { field.to_owned() } else { format!("{field}.{path}") };
        format!("cannot read {at} of the current object: {}", error.into_inner())
    })
}

fn to_json<T: Serialize>(value: &T) -> Result<Value, String> {
    serde_json::to_value(value).map_err(|error| format!("cannot serialize the status: {error}"))
}

fn set_or_remove<T: Serialize>(status: &mut Map<String, Value>, key: &str, value: Option<&T>) -> Result<(), String> {
    match value {
        Some(value) => status.insert(key.to_owned(), to_json(value)?),
        None => status.remove(key),
    };
    Ok(())
}

/// A status as compared for "did anything but timestamps change": no `lastTransitionTime`, conditions in
/// type order (a list keyed by type, whose order means nothing).
pub(crate) fn comparable(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map.iter().filter(|(key, _)| *key != "lastTransitionTime") {
                let mut value = comparable(value);
                if key == "conditions"
                    && let Value::Array(items) = &mut value
                {
                    items.sort_by(|a, b| type_of(a).cmp(type_of(b)));
                }
                out.insert(key.clone(), value);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(comparable).collect()),
        other => other.clone(),
    }
}

fn type_of(condition: &Value) -> &str {
    condition.get("type").and_then(Value::as_str).unwrap_or("")
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
