//! Builders of the policy kinds: TargetGroupPolicy, IAMAuthPolicy, AccessLogPolicy.

use serde_json::{Value, json};

use super::objects::{AddTo, from_json, meta};
use crate::snapshot::ClusterSnapshot;

/// Builder of a policy of one of the kinds above.
pub struct PolicyB {
    kind: &'static str,
    v: Value,
}

fn policy(kind: &'static str, ns: &str, name: &str, target: Value) -> PolicyB {
    PolicyB {
        kind,
        v: json!({
            "apiVersion": crds::API_VERSION, "kind": kind, "metadata": meta(Some(ns), name),
            "spec": {"targetRef": target},
        }),
    }
}

fn target(kind: &str, name: &str) -> Value {
    let group = match kind {
        "Service" => "",
        "ServiceExport" => crds::GROUP,
        _ => "gateway.networking.k8s.io",
    };
    json!({"group": group, "kind": kind, "name": name})
}

/// A TargetGroupPolicy on Service `ns/service`.
pub fn mk_tgp(ns: &str, name: &str, service: &str) -> PolicyB {
    policy("TargetGroupPolicy", ns, name, target("Service", service))
}

/// An IAMAuthPolicy with `document` on `kind` (`Gateway`, `HTTPRoute`, ...) `ns/target`.
pub fn mk_iap(ns: &str, name: &str, kind: &str, target_name: &str, document: &str) -> PolicyB {
    policy("IAMAuthPolicy", ns, name, target(kind, target_name)).spec("policy", json!(document))
}

/// An AccessLogPolicy to `destination` on `kind` `ns/target`.
pub fn mk_alp(ns: &str, name: &str, kind: &str, target_name: &str, destination: &str) -> PolicyB {
    policy("AccessLogPolicy", ns, name, target(kind, target_name)).spec("destinationArn", json!(destination))
}

impl PolicyB {
    /// Sets a spec field.
    pub fn spec(mut self, key: &str, value: Value) -> Self {
        self.v["spec"][key] = value;
        self
    }

    /// Points `targetRef` at `group`/`kind` `name`.
    pub fn target(mut self, group: &str, kind: &str, name: &str) -> Self {
        self.v["spec"]["targetRef"] = json!({"group": group, "kind": kind, "name": name});
        self
    }

    /// Sets `targetRef.namespace`.
    pub fn target_ns(mut self, ns: &str) -> Self {
        self.v["spec"]["targetRef"]["namespace"] = json!(ns);
        self
    }

    /// Sets an annotation.
    pub fn annotation(mut self, key: &str, value: &str) -> Self {
        self.v["metadata"]["annotations"][key] = json!(value);
        self
    }

    /// Sets `metadata.creationTimestamp`.
    pub fn created(mut self, at: &str) -> Self {
        self.v["metadata"]["creationTimestamp"] = json!(at);
        self
    }
}

impl AddTo for PolicyB {
    fn add_to(self, snapshot: &mut ClusterSnapshot) {
        match self.kind {
            "TargetGroupPolicy" => snapshot.target_group_policies.push(from_json(self.v)),
            "IAMAuthPolicy" => snapshot.iam_auth_policies.push(from_json(self.v)),
            _ => snapshot.access_log_policies.push(from_json(self.v)),
        }
    }
}

/// The generation of the policy of `kind` the predicate picks, when `kind` is a policy kind.
pub fn policy_generation(
    snapshot: &ClusterSnapshot,
    kind: &str,
    is: impl Fn(&k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> bool,
) -> Option<Option<i64>> {
    let generation = match kind {
        "TargetGroupPolicy" => snapshot.target_group_policies.iter().find(|o| is(&o.metadata)).map(|o| &o.metadata),
        "IAMAuthPolicy" => snapshot.iam_auth_policies.iter().find(|o| is(&o.metadata)).map(|o| &o.metadata),
        "AccessLogPolicy" => snapshot.access_log_policies.iter().find(|o| is(&o.metadata)).map(|o| &o.metadata),
        _ => return None,
    };
    Some(generation.and_then(|m| m.generation))
}
