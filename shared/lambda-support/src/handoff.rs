//! Work a run could not start before the Lambda deadline, handed to the SQS FIFO queue.
//!
//! A run gets a [`deadline_budget`]: its apply starts an action only while more than
//! `DEADLINE_MARGIN_MS` is left before the deadline (one in flight completes). The owners of the
//! actions not started become keys ([`keys_for`]) — the routes' own keys, or the cluster key when
//! some of the work belongs to no route or when so many routes are left that one run of the whole
//! cluster is cheaper — and [`hand_off`] puts them on the queue, where the `reconcile` function
//! picks them up at once. Nothing is dropped: a hand-off that cannot be sent is an error.

use std::time::{Duration, SystemTime};

use model::budget::Budget;
use reconciler::Leftover;

use crate::clients::Clients;
use crate::error::Error;
use crate::key::Key;
use crate::queue::{self, Message};
use crate::run::Summary;

/// Most route keys one run hands off; beyond that the cluster key goes instead (a whole-cluster
/// run reads the inventory once, where each scoped run reads its own).
pub const MAX_SCOPED_KEYS: usize = 25;

/// A budget that allows an action while more than `margin` is left before `deadline`.
pub fn deadline_budget(deadline: SystemTime, margin: Duration) -> Budget {
    Budget::new(move || deadline.duration_since(SystemTime::now()).unwrap_or_default() > margin)
}

/// The keys that finish `left` in `cluster`: one per route owner, or the cluster key alone when
/// an action belongs to no route (service networks, an exported Service's target groups) or
/// more than [`MAX_SCOPED_KEYS`] routes are left. Empty when nothing was left.
pub fn keys_for(cluster: &str, left: &Leftover) -> Vec<Key> {
    if left.is_empty() {
        return Vec::new();
    }
    let routes: Vec<Key> = left
        .owners
        .iter()
        .map(|o| Key {
            cluster: cluster.to_owned(),
            kind: o.kind.clone(),
            namespace: o.namespace.clone(),
            name: o.name.clone(),
        })
        .collect();
    if left.unowned > 0 || routes.len() > MAX_SCOPED_KEYS || !routes.iter().all(Key::is_route) {
        return vec![Key::cluster(cluster)];
    }
    routes
}

/// Sends the keys `summary` left ([`Summary::left`]) to the queue, deduplicated by `cause` (the
/// invocation's request id), and lists them in [`Summary::handed_off`]. Without `QUEUE_URL`, or
/// when SQS refuses them, the error says so (and the invocation fails, so it is retried).
pub async fn hand_off(clients: &Clients, summary: &mut Summary, cause: &str) -> Result<(), Error> {
    if summary.left.is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = summary.left.iter().map(ToString::to_string).collect();
    tracing::warn!(cluster = %summary.cluster, keys = ?keys, "Handing work left at the deadline to the queue");
    let url =
        clients.config().queue_url.as_deref().ok_or(Error::NoQueue { purpose: "the work left at the deadline" })?;
    let messages: Vec<Message> = summary.left.iter().map(|k| Message::new(k.clone(), cause)).collect();
    queue::send(clients.sqs(), url, &messages).await?;
    summary.handed_off = keys;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use model::lattice::OwnerKey;

    use super::*;

    fn owner(kind: &str, name: &str) -> OwnerKey {
        OwnerKey { kind: kind.into(), namespace: "shop".into(), name: name.into() }
    }

    #[test]
    fn route_owners_become_route_keys() {
        let left = Leftover { owners: [owner("HTTPRoute", "web"), owner("GRPCRoute", "api")].into(), unowned: 0 };
        let keys: Vec<String> = keys_for("demo", &left).iter().map(ToString::to_string).collect();
        assert_eq!(keys, ["demo/GRPCRoute/shop/api", "demo/HTTPRoute/shop/web"]);
        assert!(keys_for("demo", &Leftover::default()).is_empty());
    }

    #[test]
    fn work_of_no_route_or_too_many_routes_becomes_the_cluster_key() {
        let cluster = vec![Key::cluster("demo")];
        let networks = Leftover { owners: [owner("HTTPRoute", "web")].into(), unowned: 1 };
        assert_eq!(keys_for("demo", &networks), cluster);
        let export = Leftover { owners: [owner("ServiceExport", "db")].into(), unowned: 0 };
        assert_eq!(keys_for("demo", &export), cluster);
        let many: BTreeSet<OwnerKey> = (0..=MAX_SCOPED_KEYS).map(|i| owner("HTTPRoute", &format!("r{i}"))).collect();
        assert_eq!(keys_for("demo", &Leftover { owners: many.clone(), unowned: 0 }), cluster);
        let fewer: BTreeSet<OwnerKey> = many.into_iter().take(MAX_SCOPED_KEYS).collect();
        assert_eq!(keys_for("demo", &Leftover { owners: fewer, unowned: 0 }).len(), MAX_SCOPED_KEYS);
    }

    #[test]
    fn the_deadline_budget_keeps_the_margin() {
        let now = SystemTime::now();
        assert!(deadline_budget(now + Duration::from_secs(60), Duration::from_secs(20)).allows());
        let late = deadline_budget(now + Duration::from_secs(10), Duration::from_secs(20));
        assert!(!late.allows() && late.is_spent());
        assert!(!deadline_budget(now - Duration::from_secs(1), Duration::ZERO).allows(), "a past deadline");
    }
}
