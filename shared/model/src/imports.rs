//! ServiceImport backends → the target groups they forward to.
//!
//! A ServiceImport resolves in one of two ways, chosen by its annotations:
//!
//! - `application-networking.k8s.aws/target-group-arn`: an external target group (any type,
//!   any owner), used as is: never tagged, registered into or deleted. It must be a target group
//!   ARN of this region, and must exist. Combined with any of the annotations below it is
//!   refused (`ConflictingServiceImportAnnotations`).
//! - otherwise the target groups exported (by ServiceExports of any cluster, ours included) under
//!   the name of the import, or its `application-networking.k8s.aws/export-name`, from the
//!   namespace of the backend reference; `application-networking.k8s.aws/aws-eks-cluster-name`
//!   keeps those of one cluster (`ClusterName` tag), `application-networking.k8s.aws/aws-vpc` those
//!   of one VPC. Only target groups that fit the route kind count (TCP for TLSRoutes, gRPC for
//!   GRPCRoutes, HTTP for HTTPRoutes); when the backend reference names a port that some of them
//!   export, only those. Several that remain (one per exporting cluster, typically) are all
//!   forwarded to, sharing the backend's weight evenly.
//!
//! Lattice lets one service use a target group, so a target group another service already uses
//! is not forwarded to (`TargetGroupInUse`). Our own exported target groups count only while
//! their ServiceExport exists, so that withdrawing an export moves our routes away from it.

use std::collections::BTreeSet;

use crate::backends::{ANNOTATION_EXPORT_NAME, ANNOTATION_TARGET_GROUP_ARN};
use crate::conditions::reasons;
use crate::config::Config;
use crate::exports;
use crate::gateway::Problem;
use crate::index::SnapshotIndex;
use crate::lattice::OwnerKey;
use crate::names::{self, TAG_CLUSTER_NAME, TAG_SERVICE_NAME, TAG_SERVICE_NAMESPACE, TAG_SOURCE_TYPE};
use crate::observed::{ObservedState, ObservedTargetGroup, is_owned};
use crate::plan::Scope;
use crate::route::{BackendRef, Route, RouteKind};
use crate::snapshot::{AWS_GROUP, ClusterSnapshot, MCS_GROUP, ServiceImport, name_of, namespace_of};

/// Annotation on a ServiceImport keeping the target groups of one cluster.
pub const ANNOTATION_CLUSTER_NAME: &str = "application-networking.k8s.aws/aws-eks-cluster-name";
/// Annotation on a ServiceImport keeping the target groups of one VPC.
pub const ANNOTATION_VPC: &str = "application-networking.k8s.aws/aws-vpc";

/// `ResolvedRefs` reason: `target-group-arn` is not a target group ARN of this region.
pub const REASON_INVALID_EXTERNAL: &str = "InvalidExternalTargetGroup";
/// `ResolvedRefs` reason: the external target group does not exist.
pub const REASON_EXTERNAL_NOT_FOUND: &str = "ExternalTargetGroupNotFound";
/// `ResolvedRefs` reason: `target-group-arn` together with a discovery annotation.
pub const REASON_CONFLICTING: &str = "ConflictingServiceImportAnnotations";
/// `ResolvedRefs` reason: the target group is used by another Lattice service.
pub const REASON_IN_USE: &str = "TargetGroupInUse";

/// Route annotation naming the route's Lattice service, when it is not the default name.
const ANNOTATION_SERVICE_NAME_OVERRIDE: &str = "application-networking.k8s.aws/service-name-override";

/// Value of the `SourceTypeKey` tag on exported target groups.
pub const SOURCE_SERVICE_EXPORT: &str = "ServiceExport";

/// What VPC Lattice must be asked about, beyond our own inventory, for the ServiceImports that
/// routes in scope use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportQueries {
    /// Exported target groups, as `(namespace, export name)`.
    pub exports: BTreeSet<(String, String)>,
    /// External target groups, by the ARN the annotation gives.
    pub external: BTreeSet<String>,
}

impl ImportQueries {
    /// Whether there is nothing to ask.
    pub fn is_empty(&self) -> bool {
        self.exports.is_empty() && self.external.is_empty()
    }

    /// What an inventory holding `target_groups` answers: the exported ones asked for, and the
    /// external ones asked for (by id or ARN), except those whose ARN is `known` already.
    pub fn select(&self, target_groups: &[ObservedTargetGroup], known: &BTreeSet<String>) -> Vec<ObservedTargetGroup> {
        target_groups
            .iter()
            .filter(|tg| !known.contains(&tg.arn))
            .filter(|tg| {
                let tag = |key: &str| tg.tags.get(key).cloned().unwrap_or_default();
                let exported = tag(TAG_SOURCE_TYPE) == SOURCE_SERVICE_EXPORT
                    && self.exports.contains(&(tag(TAG_SERVICE_NAMESPACE), tag(TAG_SERVICE_NAME)));
                let named = |e: &String| *e == tg.arn || *e == tg.id || e.ends_with(&format!("targetgroup/{}", tg.id));
                exported || self.external.iter().any(named)
            })
            .cloned()
            .collect()
    }
}

/// How one ServiceImport resolves, read from its annotations.
enum Mode<'a> {
    External(&'a str),
    Exported { export: &'a str, cluster: Option<&'a str>, vpc: Option<&'a str> },
}

fn is_import(backend: &BackendRef) -> bool {
    backend.kind == "ServiceImport" && (backend.group == MCS_GROUP || backend.group == AWS_GROUP)
}

/// The annotation's value, blank values included (they still count as given).
fn annotation<'a>(import: &'a ServiceImport, key: &str) -> Option<&'a str> {
    import.metadata.annotations.as_ref().and_then(|a| a.get(key)).map(String::as_str)
}

fn mode(import: &ServiceImport) -> Result<Mode<'_>, Problem> {
    let name = name_of(&import.metadata);
    let given = |key| annotation(import, key).map(str::trim).filter(|v| !v.is_empty());
    if let Some(arn) = annotation(import, ANNOTATION_TARGET_GROUP_ARN) {
        let conflicting: Vec<&str> = [ANNOTATION_EXPORT_NAME, ANNOTATION_CLUSTER_NAME, ANNOTATION_VPC]
            .into_iter()
            .filter(|key| annotation(import, key).is_some())
            .collect();
        if !conflicting.is_empty() {
            return Err((
                REASON_CONFLICTING,
                format!(
                    "ServiceImport {}/{name}: {ANNOTATION_TARGET_GROUP_ARN} names one target group and cannot be combined with {}",
                    namespace_of(&import.metadata),
                    conflicting.join(", ")
                ),
            ));
        }
        return Ok(Mode::External(arn.trim()));
    }
    Ok(Mode::Exported {
        export: given(ANNOTATION_EXPORT_NAME).unwrap_or(name),
        cluster: given(ANNOTATION_CLUSTER_NAME),
        vpc: given(ANNOTATION_VPC),
    })
}

/// The exported and external target groups that the ServiceImport backends of routes in `scope`
/// name (imports that do not exist, whose annotations conflict or whose ARN is not one of a
/// target group of this region name nothing).
pub fn queries(snapshot: &ClusterSnapshot, scope: &Scope, config: &Config) -> ImportQueries {
    let mut out = ImportQueries::default();
    if snapshot.service_imports.is_empty() {
        return out;
    }
    let index = SnapshotIndex::new(snapshot);
    for route in crate::route::routes(snapshot) {
        let owner =
            OwnerKey { kind: route.kind.kind().to_owned(), namespace: route.namespace.clone(), name: route.name };
        if !scope.includes(Some(&owner)) {
            continue;
        }
        for backend in route.rules.iter().flat_map(|r| &r.backends).filter(|b| is_import(b)) {
            match index.service_import(&backend.namespace, &backend.name).map(mode) {
                Some(Ok(Mode::External(arn))) => {
                    if external_id(arn, &config.identity.region).is_ok() {
                        out.external.insert(arn.to_owned());
                    }
                }
                Some(Ok(Mode::Exported { export, .. })) => {
                    out.exports.insert((backend.namespace.clone(), export.to_owned()));
                }
                Some(Err(_)) | None => {}
            }
        }
    }
    out
}

/// The id in a target group ARN of `region` (`arn:<partition>:vpc-lattice:<region>:<account>:
/// targetgroup/tg-<17 characters>`), or why it is not one.
fn external_id<'a>(arn: &'a str, region: &str) -> Result<&'a str, Problem> {
    let invalid = |why: &str| (REASON_INVALID_EXTERNAL, format!("{ANNOTATION_TARGET_GROUP_ARN} {arn:?} {why}"));
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, arn_region, account, resource] = parts[..] else {
        return Err(invalid("is not an ARN"));
    };
    if prefix != "arn" || !partition.starts_with("aws") || service != "vpc-lattice" {
        return Err(invalid("is not a VPC Lattice ARN"));
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("has no 12-digit account"));
    }
    let id = resource.strip_prefix("targetgroup/").ok_or_else(|| invalid("is not a target group ARN"))?;
    let suffix = id.strip_prefix("tg-").unwrap_or_default();
    if suffix.len() != 17 || !suffix.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()) {
        return Err(invalid("does not end in a target group id (tg- and 17 lowercase letters or digits)"));
    }
    if arn_region != region {
        return Err((
            REASON_EXTERNAL_NOT_FOUND,
            format!(
                "{ANNOTATION_TARGET_GROUP_ARN}: target group {id} is in {arn_region}; services of {region} can only forward to target groups of {region}"
            ),
        ));
    }
    Ok(id)
}

/// Whether a target group can carry the traffic of a route of `kind`.
fn fits(kind: RouteKind, tg: &ObservedTargetGroup) -> bool {
    let grpc = tg.config.protocol_version.as_deref() == Some("GRPC");
    match kind {
        RouteKind::Tls => tg.config.protocol == "TCP",
        RouteKind::Grpc => grpc,
        RouteKind::Http => tg.config.protocol != "TCP" && !grpc,
    }
}

/// Statuses in which a target group can be forwarded to.
fn usable(tg: &ObservedTargetGroup) -> bool {
    !matches!(tg.status.as_str(), "CREATE_FAILED" | "DELETE_IN_PROGRESS" | "DELETE_FAILED")
}

/// Resolves a ServiceImport backend of `route` to the ids of the target groups it forwards to.
pub(crate) fn resolve(
    route: &Route,
    backend: &BackendRef,
    field: &str,
    index: &SnapshotIndex<'_>,
    observed: &ObservedState,
    config: &Config,
) -> Result<Vec<String>, Problem> {
    let snapshot = index.snapshot();
    let Some(import) = index.service_import(&backend.namespace, &backend.name) else {
        return Err((
            reasons::BACKEND_NOT_FOUND,
            format!("{field}: ServiceImport {}/{} not found", backend.namespace, backend.name),
        ));
    };
    let in_field = |(reason, message): Problem| (reason, format!("{field}: {message}"));
    let own_name = route
        .annotations
        .get(ANNOTATION_SERVICE_NAME_OVERRIDE)
        .map(|n| n.trim().to_owned())
        .unwrap_or_else(|| names::service_name(&route.name, &route.namespace));
    let own_service = observed.service(&own_name).map(|s| s.arn.as_str());
    let used_elsewhere = |tg: &ObservedTargetGroup| {
        !tg.service_arns.is_empty() && !tg.service_arns.iter().any(|a| Some(a.as_str()) == own_service)
    };
    let (export, cluster, vpc) = match mode(import).map_err(in_field)? {
        Mode::External(arn) => {
            let id = external_id(arn, &config.identity.region).map_err(in_field)?;
            return match observed.target_groups.iter().find(|tg| tg.id == id) {
                None => Err((
                    REASON_EXTERNAL_NOT_FOUND,
                    format!("{field}: target group {arn} does not exist (or this account cannot read it)"),
                )),
                Some(tg) if !fits(route.kind, tg) => Err((
                    reasons::UNSUPPORTED_PROTOCOL_BACKEND,
                    format!(
                        "{field}: target group {arn} speaks {} and cannot carry {} traffic",
                        tg.config.protocol_version.as_deref().unwrap_or(&tg.config.protocol),
                        route.kind.kind()
                    ),
                )),
                Some(tg) if used_elsewhere(tg) => Err(in_use(field, tg)),
                Some(tg) => Ok(vec![tg.id.clone()]),
            };
        }
        Mode::Exported { export, cluster, vpc } => (export, cluster, vpc),
    };
    let what = format!("ServiceExport {}/{export}", backend.namespace);
    // Our own exported target groups whose ServiceExport is gone (or no longer federated) are
    // on their way out: no new or kept forward to them.
    let managed_by = config.identity.managed_by();
    let withdrawn = |tg: &ObservedTargetGroup| {
        is_owned(&tg.tags, &managed_by) && !exports::is_federated(snapshot, &backend.namespace, export)
    };
    let mut found: Vec<&ObservedTargetGroup> = observed
        .target_groups
        .iter()
        .filter(|tg| {
            tg.tags.get(TAG_SOURCE_TYPE).map(String::as_str) == Some(SOURCE_SERVICE_EXPORT)
                && tg.tags.get(TAG_SERVICE_NAME).map(String::as_str) == Some(export)
                && tg.tags.get(TAG_SERVICE_NAMESPACE) == Some(&backend.namespace)
                && cluster.is_none_or(|c| tg.tags.get(TAG_CLUSTER_NAME).map(String::as_str) == Some(c))
                && vpc.is_none_or(|v| tg.config.vpc_identifier == v)
                && usable(tg)
                && !withdrawn(tg)
        })
        .collect();
    if found.is_empty() {
        let mut narrowing = String::new();
        if let Some(c) = cluster {
            narrowing.push_str(&format!(" from cluster {c}"));
        }
        if let Some(v) = vpc {
            narrowing.push_str(&format!(" in {v}"));
        }
        return Err((
            reasons::BACKEND_NOT_FOUND,
            format!(
                "{field}: no target group is exported for ServiceImport {}/{} ({what}{narrowing})",
                backend.namespace, backend.name
            ),
        ));
    }
    let exported = found.len();
    found.retain(|tg| fits(route.kind, tg));
    if found.is_empty() {
        return Err((
            reasons::UNSUPPORTED_PROTOCOL_BACKEND,
            format!(
                "{field}: the {exported} target groups of {what} do not carry {} traffic (export a port with routeType {})",
                route.kind.kind(),
                match route.kind {
                    RouteKind::Http => "HTTP",
                    RouteKind::Grpc => "GRPC",
                    RouteKind::Tls => "TLS",
                }
            ),
        ));
    }
    if let Some(port) = backend.port
        && found.iter().any(|tg| tg.config.port == port)
    {
        found.retain(|tg| tg.config.port == port);
    }
    let (busy, free): (Vec<_>, Vec<_>) = found.into_iter().partition(|tg| used_elsewhere(tg));
    if free.is_empty() {
        return Err(in_use(field, busy[0]));
    }
    let mut free: Vec<(&str, &str)> =
        free.iter().map(|tg| (tg.tags.get(TAG_CLUSTER_NAME).map_or("", String::as_str), tg.id.as_str())).collect();
    free.sort_unstable();
    Ok(free.into_iter().map(|(_, id)| id.to_owned()).collect())
}

fn in_use(field: &str, tg: &ObservedTargetGroup) -> Problem {
    (
        REASON_IN_USE,
        format!(
            "{field}: target group {} ({}) is used by {}; VPC Lattice lets one service use a target group",
            tg.name,
            tg.id,
            tg.service_arns.join(", ")
        ),
    )
}
