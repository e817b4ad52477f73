//! Eventual consistency of lists after creates: while `listLag` or `listLagMs` is set, a resource
//! that a `Create*` call made is left out of List* and `GetResources` responses for the next
//! `listLag` responses that would have shown it and for `listLagMs` milliseconds, whichever lasts
//! longer. Get by id or ARN finds it at once, as on the real service, where a listing may not yet
//! show what was just created.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::config::Faults;
use crate::router::Op;
use crate::wire::Reply;

/// The created resources still hidden from lists, by ARN.
#[derive(Debug, Default)]
pub(crate) struct Lag {
    hidden: BTreeMap<String, Hidden>,
}

#[derive(Debug, Clone, Copy)]
struct Hidden {
    lists_left: u64,
    until_ms: u64,
}

/// The array members of list responses whose entries name a resource: Lattice's `items` (by
/// `arn`) and the tagging API's `ResourceTagMappingList` (by `ResourceARN`).
const LISTS: [(&str, &str); 2] = [("items", "arn"), ("ResourceTagMappingList", "ResourceARN")];

impl Lag {
    /// Looks at one successful answer: a create starts hiding what it made, a list leaves out
    /// what is hidden (and counts that against it).
    pub fn observe(&mut self, faults: &Faults, op: Op, reply: &mut Reply, now_ms: u64) {
        let name = op.name();
        if name.starts_with("Create") {
            if faults.list_lag == 0 && faults.list_lag_ms == 0 {
                return;
            }
            let arn = reply.body.as_ref().and_then(|b| b.get("arn")).and_then(Value::as_str);
            if let Some(arn) = arn {
                // A create repeated with its clientToken answers the same resource: it stays as hidden as it was.
                self.hidden
                    .entry(arn.to_owned())
                    .or_insert(Hidden { lists_left: faults.list_lag, until_ms: now_ms + faults.list_lag_ms });
            }
        } else if name.starts_with("List") || name == "GetResources" {
            self.filter(reply, now_ms);
        }
    }

    fn filter(&mut self, reply: &mut Reply, now_ms: u64) {
        self.hidden.retain(|_, h| h.lists_left > 0 || h.until_ms > now_ms);
        if self.hidden.is_empty() {
            return;
        }
        let Some(body) = reply.body.as_mut() else { return };
        for (member, key) in LISTS {
            let Some(Value::Array(items)) = body.get_mut(member) else { continue };
            items.retain(|item| {
                let Some(hidden) = item.get(key).and_then(Value::as_str).and_then(|arn| self.hidden.get_mut(arn))
                else {
                    return true;
                };
                hidden.lists_left = hidden.lists_left.saturating_sub(1);
                false
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn listing(arns: &[&str]) -> Reply {
        Reply::ok(json!({"items": arns.iter().map(|a| json!({"arn": a, "id": a})).collect::<Vec<_>>()}))
    }

    fn shown(reply: &Reply) -> Vec<String> {
        let items = reply.body.as_ref().and_then(|b| b["items"].as_array().cloned()).unwrap_or_default();
        items.iter().filter_map(|i| i["arn"].as_str().map(str::to_owned)).collect()
    }

    #[test]
    fn a_created_resource_is_missing_from_the_next_lists_that_would_show_it() {
        let mut lag = Lag::default();
        let faults = Faults { list_lag: 2, ..Faults::default() };
        lag.observe(&faults, Op::CreateService, &mut Reply::ok(json!({"arn": "a:new", "id": "new"})), 0);
        for _ in 0..2 {
            let mut reply = listing(&["a:old", "a:new"]);
            lag.observe(&faults, Op::ListServices, &mut reply, 0);
            assert_eq!(shown(&reply), ["a:old"]);
            // A listing that would not have shown it does not count.
            lag.observe(&faults, Op::ListServices, &mut listing(&["a:old"]), 0);
        }
        let mut reply = listing(&["a:old", "a:new"]);
        lag.observe(&faults, Op::ListServices, &mut reply, 0);
        assert_eq!(shown(&reply), ["a:old", "a:new"]);
    }

    #[test]
    fn the_lag_in_time_ends_with_its_deadline_and_covers_the_tagging_api() {
        let mut lag = Lag::default();
        let faults = Faults { list_lag_ms: 100, ..Faults::default() };
        lag.observe(&faults, Op::CreateTargetGroup, &mut Reply::ok(json!({"arn": "a:tg"})), 1000);
        let mapping = || Reply::ok(json!({"ResourceTagMappingList": [{"ResourceARN": "a:tg", "Tags": []}]}));
        let mut early = mapping();
        lag.observe(&faults, Op::GetResources, &mut early, 1099);
        assert_eq!(early.body.as_ref().map(|b| b["ResourceTagMappingList"].as_array().map(Vec::len)), Some(Some(0)));
        let mut late = mapping();
        lag.observe(&faults, Op::GetResources, &mut late, 1100);
        assert_eq!(late.body.as_ref().map(|b| b["ResourceTagMappingList"].as_array().map(Vec::len)), Some(Some(1)));
    }

    #[test]
    fn without_a_lag_nothing_is_hidden() {
        let mut lag = Lag::default();
        lag.observe(&Faults::default(), Op::CreateService, &mut Reply::ok(json!({"arn": "a:new"})), 0);
        let mut reply = listing(&["a:new"]);
        lag.observe(&Faults::default(), Op::ListServices, &mut reply, 0);
        assert_eq!(shown(&reply), ["a:new"]);
    }
}
