//! Which reconcile requests an audit log batch implies.

use std::collections::BTreeSet;

use aws_lambda_events::event::cloudwatch_logs::LogData;
use lambda_support::Key;

use crate::event::AuditEvent;

/// Longest audit line read (CloudWatch Logs' event limit); longer lines are skipped with a warning.
pub const MAX_LINE_BYTES: usize = 256 * 1024;

/// The CloudWatch Logs subscription filter pattern: the same predicate as [`Filter::accepts`], run
/// by CloudWatch before the function is invoked. The username is [`Filter::default`]'s; replace it
/// when `RECONCILER_USERNAME` differs. `"delete*"` stands for `delete` and `deletecollection` (no
/// other verb starts so), which keeps the pattern within CloudWatch's 1024 characters.
pub const FILTER_PATTERN: &str = concat!(
    r#"{ ($.stage = "ResponseComplete") && ($.responseStatus.code >= 200) && ($.responseStatus.code <= 299)"#,
    r#" && ($.objectRef.subresource NOT EXISTS) && ($.user.username != "lattice-reconciler")"#,
    r#" && (($.verb = "create") || ($.verb = "update") || ($.verb = "patch") || ($.verb = "delete*"))"#,
    r#" && ((($.objectRef.apiGroup = "gateway.networking.k8s.io") && (($.objectRef.resource = "gatewayclasses")"#,
    r#" || ($.objectRef.resource = "gateways") || ($.objectRef.resource = "httproutes")"#,
    r#" || ($.objectRef.resource = "grpcroutes") || ($.objectRef.resource = "tlsroutes")"#,
    r#" || ($.objectRef.resource = "referencegrants")))"#,
    r#" || ($.objectRef.apiGroup = "application-networking.k8s.aws") || (($.objectRef.apiGroup = "multicluster.x-k8s.io")"#,
    r#" && (($.objectRef.resource = "serviceimports") || ($.objectRef.resource = "serviceexports")))"#,
    r#" || (($.objectRef.apiGroup = "discovery.k8s.io") && ($.objectRef.resource = "endpointslices"))"#,
    r#" || ((($.objectRef.resource = "services") || ($.objectRef.resource = "namespaces")) && ($.requestURI = "/api/v1/*"))) }"#,
);

/// What the function keeps of the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// Writes by this user are our own and ignored (`RECONCILER_USERNAME`).
    pub reconciler_username: String,
}

impl Default for Filter {
    fn default() -> Self {
        Self { reconciler_username: lambda_support::config::DEFAULT_RECONCILER_USERNAME.to_owned() }
    }
}

/// The verbs that change objects.
const WRITE_VERBS: [&str; 5] = ["create", "update", "patch", "delete", "deletecollection"];

/// `(API group, resource)` → kind, for every resource whose change a reconcile acts on.
const KINDS: [(&str, &str, &str); 18] = [
    ("gateway.networking.k8s.io", "gatewayclasses", "GatewayClass"),
    ("gateway.networking.k8s.io", "gateways", "Gateway"),
    ("gateway.networking.k8s.io", "httproutes", "HTTPRoute"),
    ("gateway.networking.k8s.io", "grpcroutes", "GRPCRoute"),
    ("gateway.networking.k8s.io", "tlsroutes", "TLSRoute"),
    ("gateway.networking.k8s.io", "referencegrants", "ReferenceGrant"),
    ("application-networking.k8s.aws", "serviceimports", "ServiceImport"),
    ("application-networking.k8s.aws", "serviceexports", "ServiceExport"),
    ("application-networking.k8s.aws", "targetgrouppolicies", "TargetGroupPolicy"),
    ("application-networking.k8s.aws", "vpcassociationpolicies", "VpcAssociationPolicy"),
    ("application-networking.k8s.aws", "accesslogpolicies", "AccessLogPolicy"),
    ("application-networking.k8s.aws", "iamauthpolicies", "IAMAuthPolicy"),
    ("application-networking.k8s.aws", "servicenetworks", "ServiceNetwork"),
    ("multicluster.x-k8s.io", "serviceimports", "ServiceImport"),
    ("multicluster.x-k8s.io", "serviceexports", "ServiceExport"),
    ("", "services", "Service"),
    ("", "namespaces", "Namespace"),
    ("discovery.k8s.io", "endpointslices", "EndpointSlice"),
];

impl Filter {
    /// Whether `event` is a successful, complete write by someone else to an object we read
    /// (not a subresource such as `status`). Mirrors [`FILTER_PATTERN`].
    pub fn accepts(&self, event: &AuditEvent) -> bool {
        self.kind_of(event).is_some()
    }

    fn kind_of(&self, event: &AuditEvent) -> Option<&'static str> {
        let code = event.response_status.as_ref().and_then(|s| s.code)?;
        let object = event.object_ref.as_ref()?;
        let username = event.user.as_ref().and_then(|u| u.username.as_deref())?;
        if event.stage != "ResponseComplete"
            || !(200..=299).contains(&code)
            || object.subresource.is_some()
            || username == self.reconciler_username
            || !WRITE_VERBS.contains(&event.verb.as_str())
        {
            return None;
        }
        let group = object.api_group.as_deref().unwrap_or("");
        let resource = object.resource.as_deref()?;
        if group.is_empty() && !event.request_uri.starts_with("/api/v1/") {
            return None;
        }
        let known = KINDS.iter().find(|(g, r, _)| *g == group && *r == resource).map(|(_, _, kind)| *kind);
        // The pattern takes every resource of the AWS group (listing them would not fit its 1,024
        // characters); one this controller does not know reconciles the whole cluster.
        known.or((group == "application-networking.k8s.aws").then_some("Cluster"))
    }

    /// The reconcile request `event` implies for `cluster`, if the filter accepts it.
    ///
    /// An object maps to its own key, except: an EndpointSlice maps to its namespace
    /// (`{kind: "Namespace", name: <namespace>}`) — at the `Metadata` audit level the event has no
    /// labels, so its Service is unknown, and guessing it from the slice's generated name is
    /// unreliable; a write without a name (`deletecollection`, `create` with `generateName`) maps
    /// to its namespace, or for a cluster-scoped resource to the whole cluster; a resource of the
    /// `application-networking.k8s.aws` group this controller does not read maps to the whole cluster.
    pub fn key(&self, cluster: &str, event: &AuditEvent) -> Option<Key> {
        let kind = self.kind_of(event)?;
        let object = event.object_ref.as_ref()?;
        let namespace = object.namespace.clone().unwrap_or_default();
        let name = object.name.clone().filter(|n| !n.is_empty());
        let key = |kind: &str, namespace: &str, name: &str| Key {
            cluster: cluster.to_owned(),
            kind: kind.to_owned(),
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            verify: false,
        };
        Some(match (kind, name) {
            ("Cluster", _) => Key::cluster(cluster),
            ("Namespace", Some(name)) => key("Namespace", "", &name),
            ("EndpointSlice", _) | (_, None) if !namespace.is_empty() => key("Namespace", "", &namespace),
            (_, None) => Key::cluster(cluster),
            (kind, Some(name)) => key(kind, &namespace, &name),
        })
    }
}

/// The cluster whose audit log `log_group` is (`/aws/eks/<cluster>/cluster`).
pub fn cluster_of(log_group: &str) -> Option<&str> {
    log_group.strip_prefix("/aws/eks/")?.strip_suffix("/cluster").filter(|c| !c.is_empty() && !c.contains('/'))
}

/// A key and the audit ID of the first event in the batch that implied it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Affected {
    /// The reconcile request.
    pub key: Key,
    /// The audit ID that caused it.
    pub audit_id: String,
}

/// The distinct reconcile requests of one subscription delivery, in log order, each with the
/// audit ID of its first event. Control messages, lines that are not audit events, lines over
/// [`MAX_LINE_BYTES`] and events the filter rejects imply nothing; bad lines are logged.
pub fn affected(data: &LogData, filter: &Filter) -> Vec<Affected> {
    if data.message_type != "DATA_MESSAGE" {
        return Vec::new();
    }
    let Some(cluster) = cluster_of(&data.log_group) else {
        tracing::warn!(log_group = %data.log_group, "Ignoring a log group that is not an EKS cluster's");
        return Vec::new();
    };
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for entry in &data.log_events {
        if entry.message.len() > MAX_LINE_BYTES {
            tracing::warn!(id = %entry.id, bytes = entry.message.len(), "Skipping an audit line over 256 KiB");
            continue;
        }
        let event: AuditEvent = match serde_json::from_str(&entry.message) {
            Ok(event) => event,
            Err(error) => {
                tracing::warn!(id = %entry.id, %error, "Skipping a log line that is not an audit event");
                continue;
            }
        };
        if let Some(key) = filter.key(cluster, &event)
            && seen.insert(key.clone())
        {
            out.push(Affected { key, audit_id: event.audit_id });
        }
    }
    out
}

/// The distinct keys of one subscription delivery (see [`affected`]).
pub fn affected_keys(data: &LogData, filter: &Filter) -> Vec<Key> {
    affected(data, filter).into_iter().map(|a| a.key).collect()
}

#[cfg(test)]
mod deployment_tests {
    use super::FILTER_PATTERN;

    /// The subscription filter deployed by `template.yaml` (and, through the CDK parity test,
    /// by `infra/`) is exactly the pattern this function's filter is tested against.
    #[test]
    fn the_deployed_filter_pattern_is_this_one() {
        let template = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml"))
            .expect("template.yaml at the repository root");
        let start = template.find("FilterPattern: !Sub >-\n").expect("the audit filter pattern") + 23;
        let block: Vec<&str> =
            template[start..].lines().take_while(|l| l.starts_with("              ")).map(str::trim).collect();
        let deployed = block.join(" ").replace("${ReconcilerUsername}", "lattice-reconciler");
        assert_eq!(deployed, FILTER_PATTERN);
    }
}
