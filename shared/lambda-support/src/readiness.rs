//! Bringing gated pods to ready without waiting for the next sweep.
//!
//! A run sets the gate condition from the target health Lattice reports at that moment; a target
//! that was just registered is usually `INITIAL` for its first health checks (with Lattice's defaults,
//! five checks 30 s apart). Nothing in the cluster changes while it is (the pod stays not ready, so
//! its EndpointSlice does not change either), so nothing would trigger another run before the
//! sweep. So after its runs an invocation checks the waiting pods again ([`settle`]): every
//! `READINESS_POLL_MS`, for at most `READINESS_WAIT_MS` and never into the deadline margin, with one
//! `ListTargets` per target group that has waiting pods. Pods still `INITIAL` after that put their
//! route back on the FIFO queue (FIFO queues have no per-message delay, so the next invocation starts
//! at once and waits again); pods `UNHEALTHY`, `DRAINING` or not registered are left to the sweep,
//! as nothing says when they will change.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use k8s_openapi::jiff::Timestamp;
use model::readiness::Recheck;
use reconciler::{WaitPolicy, Waiting, recheck_readiness};
use serde::Serialize;

use crate::clients::Clients;
use crate::error::Error;
use crate::key::Key;
use crate::queue::{self, Message};
use crate::run::gate_line;

/// Gated pods still not ready after the runs of one invocation, by cluster.
#[derive(Clone, Debug, Default)]
pub struct WaitingPods {
    by_cluster: BTreeMap<String, Vec<Waiting>>,
}

impl WaitingPods {
    /// Adds the pods a run of `cluster` left waiting (a pod already listed is replaced).
    pub fn add(&mut self, cluster: &str, waiting: Vec<Waiting>) {
        let list = self.by_cluster.entry(cluster.to_owned()).or_default();
        for w in waiting {
            list.retain(|old| old.gate.pod != w.gate.pod);
            list.push(w);
        }
    }

    /// Adds every pod of `other`.
    pub fn merge(&mut self, other: WaitingPods) {
        for (cluster, waiting) in other.by_cluster {
            self.add(&cluster, waiting);
        }
    }

    /// How many pods wait.
    pub fn len(&self) -> usize {
        self.by_cluster.values().map(Vec::len).sum()
    }

    /// Whether no pod waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What [`settle`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settled {
    /// How long it waited, in milliseconds.
    pub waited_ms: u64,
    /// Gate conditions written (`Pod shop/web-1: True Healthy`).
    pub written: Vec<String>,
    /// Pods still not ready.
    pub still_waiting: Vec<String>,
    /// Route keys put back on the queue for pods still `INITIAL`.
    pub requeued: Vec<String>,
    /// Failed reads or writes, with why.
    pub failed: Vec<String>,
}

/// Checks `waiting` pods again until they are ready or the wait allowed before `deadline` is spent,
/// then requeues the routes of the pods still `INITIAL` (with `cause`, e.g. the request id, as the
/// deduplication cause). The wait is the smaller of `READINESS_WAIT_MS` and the time left before the
/// deadline margin.
pub async fn settle(clients: &Clients, waiting: WaitingPods, deadline: SystemTime, cause: &str) -> Settled {
    let mut settled = Settled::default();
    if waiting.is_empty() {
        return settled;
    }
    let config = clients.config();
    let started = std::time::Instant::now();
    let mut left: Vec<(String, Waiting)> = Vec::new();
    for (cluster, pods) in waiting.by_cluster {
        let remaining = deadline.duration_since(SystemTime::now()).unwrap_or_default();
        let budget = config.readiness_wait.min(remaining.saturating_sub(config.deadline_margin));
        let policy = WaitPolicy { budget, poll: config.readiness_poll };
        let outcome = match clients.cluster(&cluster).await {
            Ok(connected) => {
                let sleep = |d: Duration| tokio::time::sleep(d);
                recheck_readiness(&connected.cluster, clients.lattice(), pods, policy, Timestamp::now, sleep).await
            }
            Err(error) => {
                settled.failed.push(format!("cluster {cluster}: {}", error.full_message()));
                continue;
            }
        };
        settled.written.extend(outcome.written.iter().map(|(pod, c)| gate_line(pod, c)));
        settled.failed.extend(outcome.failed.iter().map(|(o, why)| format!("{o}: {why}")));
        left.extend(outcome.waiting.into_iter().map(|w| (cluster.clone(), w)));
    }
    settled.waited_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    settled.still_waiting = left.iter().map(|(_, w)| w.gate.pod.to_string()).collect();
    let keys = requeue_keys(&left);
    if !keys.is_empty() {
        match requeue(clients, &keys, cause).await {
            Ok(()) => settled.requeued = keys.iter().map(ToString::to_string).collect(),
            Err(error) => settled.failed.push(error.full_message()),
        }
    }
    tracing::info!(
        waited_ms = settled.waited_ms,
        written = settled.written.len(),
        still_waiting = settled.still_waiting.len(),
        requeued = settled.requeued.len(),
        failed = settled.failed.len(),
        "Settled readiness gates"
    );
    settled
}

/// The route keys of the pods still `INITIAL`: their targets' groups belong to those routes.
pub fn requeue_keys(left: &[(String, Waiting)]) -> Vec<Key> {
    let keys: BTreeSet<Key> = left
        .iter()
        .filter(|(_, w)| w.recheck == Recheck::Soon)
        .flat_map(|(cluster, w)| {
            w.targets.iter().filter_map(|t| t.owner.as_ref()).map(|o| Key {
                cluster: cluster.clone(),
                kind: o.kind.clone(),
                namespace: o.namespace.clone(),
                name: o.name.clone(),
                verify: false,
            })
        })
        .collect();
    keys.into_iter().collect()
}

async fn requeue(clients: &Clients, keys: &[Key], cause: &str) -> Result<(), Error> {
    let url = clients.config().queue_url.as_deref().ok_or(Error::NoQueue { purpose: "routes of waiting pods" })?;
    let messages: Vec<Message> = keys.iter().map(|k| Message::new(k.clone(), &format!("readiness/{cause}"))).collect();
    tracing::info!(routes = messages.len(), "Requeueing routes whose gated pods are still initial");
    queue::send(clients.sqs(), url, &messages).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use model::lattice::{OwnerKey, Target};
    use model::readiness::{GateTarget, PodGate};
    use model::snapshot::ObjectRef;

    use super::*;

    fn waiting(pod: &str, route: &str, recheck: Recheck) -> Waiting {
        let target = GateTarget {
            pod: ObjectRef::new("Pod", "shop", pod),
            target_group_id: "tg-1".into(),
            target_group: "k8s-shop-web".into(),
            target_group_port: 80,
            target: Target { id: "10.0.0.1".into(), port: 8080 },
            owner: Some(OwnerKey { kind: "HTTPRoute".into(), namespace: "shop".into(), name: route.into() }),
        };
        Waiting {
            gate: PodGate { pod: target.pod.clone(), uid: "u".into(), gated: true, condition: None },
            targets: vec![target],
            recheck,
        }
    }

    #[test]
    fn only_routes_of_initial_pods_go_back_on_the_queue_once_each() {
        let left = vec![
            ("demo".to_owned(), waiting("a", "web", Recheck::Soon)),
            ("demo".to_owned(), waiting("b", "web", Recheck::Soon)),
            ("demo".to_owned(), waiting("c", "api", Recheck::Later)),
        ];
        let keys: Vec<String> = requeue_keys(&left).iter().map(ToString::to_string).collect();
        assert_eq!(keys, ["demo/HTTPRoute/shop/web"]);
    }

    #[test]
    fn a_pod_is_listed_once_with_its_latest_state() {
        let mut pods = WaitingPods::default();
        pods.add("demo", vec![waiting("a", "web", Recheck::Soon)]);
        pods.add("demo", vec![waiting("a", "web", Recheck::Later), waiting("b", "web", Recheck::Soon)]);
        assert_eq!(pods.len(), 2);
        assert_eq!(pods.by_cluster["demo"][0].gate.pod.name, "a");
        assert_eq!(pods.by_cluster["demo"][0].recheck, Recheck::Later, "replaced by its latest state");
        assert!(!pods.is_empty());
    }
}
