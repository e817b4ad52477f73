use aws_lambda_events::event::cloudwatch_logs::LogData;
use lambda_support::Key;
use serde_json::{Value, json};

use crate::pattern::matches;
use crate::{AuditEvent, FILTER_PATTERN, Filter, affected, affected_keys, cluster_of};

/// A successful `verb` on `group/resource` `namespace/name` by a deployer, at the Metadata level.
fn audit(verb: &str, group: &str, resource: &str, namespace: &str, name: &str) -> Value {
    let version = if group.is_empty() { "v1".to_owned() } else { format!("{group}/v1") };
    let prefix = if group.is_empty() { "/api/v1".to_owned() } else { format!("/apis/{version}") };
    let mut object = json!({"resource": resource, "apiVersion": "v1"});
    let mut uri = prefix;
    if !group.is_empty() {
        object["apiGroup"] = json!(group);
    }
    if !namespace.is_empty() {
        object["namespace"] = json!(namespace);
        uri.push_str(&format!("/namespaces/{namespace}"));
    }
    uri.push_str(&format!("/{resource}"));
    if !name.is_empty() {
        object["name"] = json!(name);
        uri.push_str(&format!("/{name}"));
    }
    let code = if verb == "create" { 201 } else { 200 };
    json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
        "auditID": format!("id-{verb}-{resource}-{name}"), "stage": "ResponseComplete",
        "requestURI": uri, "verb": verb,
        "user": {"username": "arn:aws:sts::111122223333:assumed-role/deployer/ci", "groups": ["system:authenticated"]},
        "objectRef": object, "responseStatus": {"metadata": {}, "code": code},
        "requestReceivedTimestamp": "2024-01-15T12:00:00.123456Z", "stageTimestamp": "2024-01-15T12:00:00.141522Z"
    })
}

fn with(mut event: Value, path: &[&str], value: Value) -> Value {
    let (last, parents) = path.split_last().expect("path");
    let mut at = &mut event;
    for p in parents {
        at = &mut at[*p];
    }
    match value {
        Value::Null => {
            at.as_object_mut().expect("object").remove(*last);
        }
        v => at[*last] = v,
    }
    event
}

fn key(kind: &str, namespace: &str, name: &str) -> Option<Key> {
    Some(Key {
        cluster: "demo".into(),
        kind: kind.into(),
        namespace: namespace.into(),
        name: name.into(),
        verify: false,
    })
}

const GW: &str = "gateway.networking.k8s.io";

/// Audit events and the key each implies (`None`: dropped).
fn table() -> Vec<(&'static str, Value, Option<Key>)> {
    vec![
        ("route patch", audit("patch", GW, "httproutes", "shop", "checkout"), key("HTTPRoute", "shop", "checkout")),
        ("grpc route create", audit("create", GW, "grpcroutes", "shop", "cart"), key("GRPCRoute", "shop", "cart")),
        ("tls route delete", audit("delete", GW, "tlsroutes", "shop", "db"), key("TLSRoute", "shop", "db")),
        ("gateway update", audit("update", GW, "gateways", "infra", "edge"), key("Gateway", "infra", "edge")),
        ("class create", audit("create", GW, "gatewayclasses", "", "lattice"), key("GatewayClass", "", "lattice")),
        ("grant", audit("create", GW, "referencegrants", "shop", "g"), key("ReferenceGrant", "shop", "g")),
        (
            "aws service export",
            audit("create", "application-networking.k8s.aws", "serviceexports", "shop", "rates"),
            key("ServiceExport", "shop", "rates"),
        ),
        (
            "mcs service import",
            audit("delete", "multicluster.x-k8s.io", "serviceimports", "shop", "rates"),
            key("ServiceImport", "shop", "rates"),
        ),
        ("core service", audit("patch", "", "services", "shop", "rates"), key("Service", "shop", "rates")),
        ("namespace labels", audit("patch", "", "namespaces", "", "shop"), key("Namespace", "", "shop")),
        (
            "endpoint slice → its namespace",
            audit("update", "discovery.k8s.io", "endpointslices", "shop", "rates-x7k2p"),
            key("Namespace", "", "shop"),
        ),
        (
            "deletecollection → namespace",
            audit("deletecollection", GW, "httproutes", "shop", ""),
            key("Namespace", "", "shop"),
        ),
        (
            "cluster-scoped without name → cluster",
            audit("deletecollection", GW, "gatewayclasses", "", ""),
            key("Cluster", "", "demo"),
        ),
        (
            "status write",
            with(audit("update", GW, "httproutes", "shop", "a"), &["objectRef", "subresource"], json!("status")),
            None,
        ),
        (
            "our own write",
            with(audit("patch", GW, "httproutes", "shop", "a"), &["user", "username"], json!("lattice-reconciler")),
            None,
        ),
        ("a read", audit("get", GW, "httproutes", "shop", "a"), None),
        ("a watch", audit("watch", GW, "httproutes", "shop", ""), None),
        (
            "not complete",
            with(audit("patch", GW, "httproutes", "shop", "a"), &["stage"], json!("ResponseStarted")),
            None,
        ),
        (
            "conflict",
            with(audit("update", GW, "httproutes", "shop", "a"), &["responseStatus", "code"], json!(409)),
            None,
        ),
        ("forbidden", with(audit("patch", "", "services", "shop", "a"), &["responseStatus", "code"], json!(403)), None),
        (
            "accepted delete",
            with(audit("delete", "", "services", "shop", "a"), &["responseStatus", "code"], json!(202)),
            key("Service", "shop", "a"),
        ),
        (
            "no status code",
            with(audit("patch", GW, "httproutes", "shop", "a"), &["responseStatus", "code"], Value::Null),
            None,
        ),
        ("other gateway kind", audit("create", GW, "tcproutes", "shop", "a"), None),
        (
            "policy kind",
            audit("create", "application-networking.k8s.aws", "targetgrouppolicies", "shop", "a"),
            key("TargetGroupPolicy", "shop", "a"),
        ),
        (
            "cluster-scoped service network",
            audit("delete", "application-networking.k8s.aws", "servicenetworks", "", "my-hotel"),
            key("ServiceNetwork", "", "my-hotel"),
        ),
        (
            "other aws kind",
            audit("create", "application-networking.k8s.aws", "widgets", "shop", "a"),
            Some(Key::cluster("demo")),
        ),
        ("a Knative service", audit("create", "serving.knative.dev", "services", "shop", "a"), None),
        ("core configmap", audit("update", "", "configmaps", "shop", "a"), None),
        ("core pod", audit("create", "", "pods", "shop", "a"), None),
        ("other group endpointslices", audit("create", "example.com", "endpointslices", "shop", "a"), None),
        ("no user", with(audit("patch", GW, "httproutes", "shop", "a"), &["user"], Value::Null), None),
    ]
}

#[test]
fn each_audit_event_maps_to_its_key() {
    let filter = Filter::default();
    for (name, event, expected) in table() {
        let event: AuditEvent = serde_json::from_value(event).expect(name);
        assert_eq!(filter.key("demo", &event), expected, "{name}");
    }
}

#[test]
fn the_filter_pattern_and_the_code_agree() {
    let filter = Filter::default();
    assert!(
        FILTER_PATTERN.len() <= 1024,
        "CloudWatch allows 1024 characters, the pattern has {}",
        FILTER_PATTERN.len()
    );
    for (name, raw, _) in table() {
        let event: AuditEvent = serde_json::from_value(raw.clone()).expect(name);
        let pattern = matches(FILTER_PATTERN, &raw).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(pattern, filter.accepts(&event), "{name}: pattern says {pattern}");
    }
}

fn log_data(group: &str, lines: &[String]) -> LogData {
    let events: Vec<Value> = lines
        .iter()
        .enumerate()
        .map(|(i, m)| json!({"id": i.to_string(), "timestamp": 1_705_320_000_141_i64 + i as i64, "message": m}))
        .collect();
    serde_json::from_value(json!({
        "messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": group,
        "logStream": "kube-apiserver-audit-4e9f9d6f9d15381d05d77c5df3f7d329", "subscriptionFilters": ["gateway-audit"],
        "logEvents": events
    }))
    .expect("log data")
}

#[test]
fn a_delivery_yields_distinct_keys_in_log_order() {
    let lines = vec![
        audit("patch", GW, "httproutes", "shop", "checkout").to_string(),
        "not json at all".to_owned(),
        audit("patch", "", "services", "shop", "rates").to_string(),
        with(audit("patch", GW, "httproutes", "shop", "checkout"), &["auditID"], json!("second")).to_string(),
        format!("{{\"pad\": \"{}\"}}", "x".repeat(crate::MAX_LINE_BYTES)),
        audit("get", GW, "httproutes", "shop", "checkout").to_string(),
    ];
    let data = log_data("/aws/eks/demo/cluster", &lines);
    let found = affected(&data, &Filter::default());
    assert_eq!(
        found.iter().map(|a| a.key.clone()).collect::<Vec<_>>(),
        [key("HTTPRoute", "shop", "checkout").expect("k"), key("Service", "shop", "rates").expect("k")]
    );
    assert_eq!(found[0].audit_id, "id-patch-httproutes-checkout", "the first event's audit ID");
    assert!(affected_keys(&log_data("/aws/lambda/other", &lines), &Filter::default()).is_empty());
}

#[test]
fn only_eks_cluster_log_groups_name_a_cluster() {
    assert_eq!(cluster_of("/aws/eks/demo/cluster"), Some("demo"));
    assert_eq!(cluster_of("/aws/eks/a/b/cluster"), None);
    assert_eq!(cluster_of("/aws/eks//cluster"), None);
    assert_eq!(cluster_of("/aws/lambda/demo"), None);
}

#[test]
fn the_reconciler_username_is_configurable() {
    let filter = Filter { reconciler_username: "custom".into() };
    let ours: AuditEvent = serde_json::from_value(with(
        audit("patch", GW, "httproutes", "s", "a"),
        &["user", "username"],
        json!("custom"),
    ))
    .expect("event");
    assert_eq!(filter.key("demo", &ours), None);
    let theirs: AuditEvent = serde_json::from_value(with(
        audit("patch", GW, "httproutes", "s", "a"),
        &["user", "username"],
        json!("lattice-reconciler"),
    ))
    .expect("event");
    assert!(filter.accepts(&theirs));
}
