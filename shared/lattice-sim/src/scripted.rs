//! Scripted target health (`PUT /_sim/target-health`, [`crate::RunningSim::script_target_health`]):
//! a target of a group in use with health checks on reports the scripted status (`UNHEALTHY` with a
//! reason code, `INITIAL` for as long as the script says, `HEALTHY` at once) instead of the one its
//! registration time gives it, so clients can be tested against every status. Draining, unused and
//! unchecked targets keep their derived status: those follow from the configuration alone.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::state::State;

/// The statuses a script may set.
const SCRIPTABLE: [&str; 3] = ["HEALTHY", "UNHEALTHY", "INITIAL"];

/// One target's scripted health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Scripted {
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
}

/// The key of a target's script.
pub(crate) fn key(target_group_id: &str, id: &str, port: Option<u16>) -> String {
    format!("{target_group_id}/{id}/{}", port.map_or_else(String::new, |p| p.to_string()))
}

/// The status (and reason code) `derived` becomes under the script of the target at `key`.
pub(crate) fn apply<'a>(state: &'a State, key: &str, derived: &'a str) -> (&'a str, Option<&'a str>) {
    match state.scripted_health.get(key) {
        Some(s) if derived == "INITIAL" || derived == "HEALTHY" => (s.status.as_str(), s.reason_code.as_deref()),
        _ => (derived, None),
    }
}

/// Sets or clears (`status: null`) one target's script from a request body
/// `{"targetGroupIdentifier", "id", "port", "status", "reasonCode"}`.
pub(crate) fn put(state: &mut State, body: &Value) -> Result<Value, String> {
    let text = |field: &str| body.get(field).and_then(Value::as_str);
    let tg = text("targetGroupIdentifier").ok_or("targetGroupIdentifier is required")?;
    let id = text("id").ok_or("id is required")?;
    let port = match body.get("port") {
        None | Some(Value::Null) => None,
        Some(p) => Some(p.as_u64().and_then(|p| u16::try_from(p).ok()).ok_or("port must be 1-65535")?),
    };
    let tg_id = state
        .target_groups
        .values()
        .find(|g| g.meta.id == tg || g.meta.arn == tg)
        .map(|g| g.meta.id.clone())
        .ok_or_else(|| format!("no target group {tg}"))?;
    let key = key(&tg_id, id, port);
    match body.get("status") {
        None | Some(Value::Null) => {
            state.scripted_health.remove(&key);
        }
        Some(status) => {
            let status = status
                .as_str()
                .filter(|s| SCRIPTABLE.contains(s))
                .ok_or_else(|| format!("status must be one of {} or null", SCRIPTABLE.join(", ")))?;
            let reason_code = text("reasonCode").map(str::to_owned);
            state.scripted_health.insert(key, Scripted { status: status.to_owned(), reason_code });
        }
    }
    Ok(json!(state.scripted_health))
}
