//! Which status entries could change anything, judged against the snapshot they were computed from (pure).

use model::snapshot::{ClusterSnapshot, name_of, namespace_of};
use model::status::StatusEntry;
use serde::Serialize;
use serde_json::Value;

use super::annotation_patch;
use super::merge::{Merged, merge_status};

/// The entries whose status or annotations differ from what their object carries in `snapshot` (timestamps
/// aside), plus those whose object the snapshot lacks.
///
/// [`Cluster::write_status`](crate::Cluster::write_status) reads every object it is given before deciding;
/// passing it only these entries makes a steady-state run cost no request at all, while anything that did
/// change since the snapshot is still merged into a fresh read.
pub fn pending_status(entries: &[StatusEntry], snapshot: &ClusterSnapshot) -> Vec<StatusEntry> {
    entries.iter().filter(|entry| !settled(entry, snapshot)).cloned().collect()
}

/// Whether `entry` would change nothing on its object as `snapshot` has it.
fn settled(entry: &StatusEntry, snapshot: &ClusterSnapshot) -> bool {
    let namespace = entry.namespace.as_deref().unwrap_or("");
    let Some(object) = object_json(snapshot, &entry.kind, namespace, &entry.name) else {
        return false;
    };
    matches!(merge_status(&object, &entry.status), Ok(Merged::Unchanged))
        && annotation_patch(&object, &entry.annotations).is_none()
}

/// The snapshot's object of `kind` `namespace/name`, as JSON.
fn object_json(snapshot: &ClusterSnapshot, kind: &str, namespace: &str, name: &str) -> Option<Value> {
    fn find<T: Serialize>(
        objects: &[T],
        meta: impl Fn(&T) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
        namespace: &str,
        name: &str,
    ) -> Option<Value> {
        let object = objects.iter().find(|o| namespace_of(meta(o)) == namespace && name_of(meta(o)) == name)?;
        serde_json::to_value(object).ok()
    }
    match kind {
        "GatewayClass" => find(&snapshot.gateway_classes, |o| &o.metadata, "", name),
        "Gateway" => find(&snapshot.gateways, |o| &o.metadata, namespace, name),
        "HTTPRoute" => find(&snapshot.http_routes, |o| &o.metadata, namespace, name),
        "GRPCRoute" => find(&snapshot.grpc_routes, |o| &o.metadata, namespace, name),
        "TLSRoute" => find(&snapshot.tls_routes, |o| &o.metadata, namespace, name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use gateway_api::httproutes::HttpRoute;
    use k8s_openapi::jiff::Timestamp;
    use model::conditions::{condition, reasons, types};
    use model::config::CONTROLLER_NAME;
    use model::status::{ObjectStatus, ParentRef, RouteParentStatus, RouteStatus};

    use super::*;

    fn entry(now: i64, annotations: &[(&str, &str)]) -> StatusEntry {
        let parent_ref = ParentRef {
            group: "gateway.networking.k8s.io".to_owned(),
            kind: "Gateway".to_owned(),
            namespace: None,
            name: "gw".to_owned(),
            section_name: None,
            port: None,
        };
        let now = Timestamp::from_second(now).expect("time");
        let conditions = vec![condition(types::ACCEPTED, true, reasons::ACCEPTED, "ok", 1, now)];
        StatusEntry {
            api_version: "gateway.networking.k8s.io/v1".to_owned(),
            kind: "HTTPRoute".to_owned(),
            namespace: Some("shop".to_owned()),
            name: "rates".to_owned(),
            status: ObjectStatus::Route(RouteStatus {
                parents: vec![RouteParentStatus {
                    parent_ref,
                    controller_name: CONTROLLER_NAME.to_owned(),
                    conditions,
                }],
            }),
            annotations: annotations
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    fn snapshot_with(status: Option<&StatusEntry>, annotations: serde_json::Value) -> ClusterSnapshot {
        let mut route = serde_json::json!({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"namespace": "shop", "name": "rates", "annotations": annotations}, "spec": {}
        });
        if let Some(ObjectStatus::Route(status)) = status.map(|e| &e.status) {
            route["status"] = serde_json::to_value(status).expect("status");
        }
        let route: HttpRoute = serde_json::from_value(route).expect("route");
        ClusterSnapshot { http_routes: vec![route], ..ClusterSnapshot::default() }
    }

    #[test]
    fn only_entries_that_would_change_something_are_pending() {
        let written = entry(100, &[("a", "1")]);
        let settled = snapshot_with(Some(&written), serde_json::json!({"a": "1"}));
        assert!(pending_status(&[entry(200, &[("a", "1")])], &settled).is_empty(), "timestamps alone change nothing");
        assert_eq!(pending_status(&[entry(200, &[("a", "2")])], &settled).len(), 1, "an annotation differs");
        let bare = snapshot_with(None, serde_json::json!({"a": "1"}));
        assert_eq!(pending_status(&[entry(200, &[("a", "1")])], &bare).len(), 1, "no status yet");
        assert_eq!(
            pending_status(&[entry(200, &[])], &ClusterSnapshot::default()).len(),
            1,
            "object not in the snapshot"
        );
    }
}
