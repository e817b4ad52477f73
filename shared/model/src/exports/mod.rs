//! ServiceExports → standalone target groups that routes of any cluster can forward to (through
//! a ServiceImport), and the status of each export.
//!
//! Only exports annotated `application-networking.k8s.aws/federation: amazon-vpc-lattice` are
//! handled. Without the annotation nothing is exported and the status says so (`Exported=False`,
//! `NotFederated`), since the kind is this controller's own; with another value the export
//! belongs to another federation mechanism and is left alone, status included.
//!
//! The exported Service is the one of the export's name, or the one the
//! `application-networking.k8s.aws/service-name` annotation names, in the export's namespace.
//! Each `spec.exportedPorts[]` entry becomes one target group on that port: route type `HTTP` →
//! HTTP/HTTP1, `GRPC` → HTTP/GRPC, `TLS` → TCP. Without `exportedPorts`, one HTTP/HTTP1 target
//! group on port 80 registers the endpoints of the Service ports listed in the legacy
//! `application-networking.k8s.aws/port` annotation (comma-separated), or of every port. Targets
//! come from the Service's EndpointSlices, as for routes. Target groups are tagged like the
//! existing controller's: `ServiceName`/`ServiceNamespace` name the export, `SourceTypeKey` is
//! `ServiceExport`, and there are no route tags.
//!
//! One bad `exportedPorts` entry does not stop the others: the valid ones are exported, and
//! `Valid=False` names the bad entry's field.

mod status;

use std::collections::BTreeSet;

use crds::ServiceExport;
use k8s_openapi::api::core::v1::ServicePort;

use crate::annotations;
use crate::backends::{ip_config, targets};
use crate::config::Config;
use crate::gateway::Problem;
use crate::imports::SOURCE_SERVICE_EXPORT;
use crate::index::SnapshotIndex;
use crate::lattice::{OwnerKey, Target, TargetGroupSpec, TargetGroupType};
use crate::names::{self, Tags};
use crate::snapshot::{ClusterSnapshot, ObjectRef, name_of, namespace_of};
use crate::translate::target_group_policy;

/// Annotation that hands a ServiceExport to this controller.
pub const ANNOTATION_FEDERATION: &str = "application-networking.k8s.aws/federation";
/// The value of [`ANNOTATION_FEDERATION`] that means VPC Lattice.
pub const FEDERATION_LATTICE: &str = "amazon-vpc-lattice";
/// Legacy annotation: comma-separated Service ports exported in one HTTP target group.
pub const ANNOTATION_PORT: &str = "application-networking.k8s.aws/port";
/// Annotation naming the exported Service when its name differs from the export's.
pub const ANNOTATION_SERVICE_NAME: &str = "application-networking.k8s.aws/service-name";

/// Condition type: whether the export's spec and annotations are usable.
pub const CONDITION_VALID: &str = "Valid";
/// Condition type: whether its target groups exist in VPC Lattice.
pub const CONDITION_EXPORTED: &str = "Exported";

pub use status::status;

/// Reasons of the ServiceExport conditions.
pub mod reasons {
    /// `Valid=True`.
    pub const VALID: &str = "Valid";
    /// `Exported=True`.
    pub const EXPORTED: &str = "Exported";
    /// The exported Service does not exist.
    pub const SERVICE_NOT_FOUND: &str = "ServiceNotFound";
    /// The Service cannot be exported (ExternalName).
    pub const UNSUPPORTED_SERVICE: &str = "UnsupportedService";
    /// A port is not a port of the Service, or does not parse.
    pub const INVALID_PORT: &str = "InvalidPort";
    /// A route type is not `HTTP`, `GRPC` or `TLS`.
    pub const INVALID_ROUTE_TYPE: &str = "InvalidRouteType";
    /// `Exported=False`: nothing valid to export.
    pub const INVALID: &str = "Invalid";
    /// `Exported=False`: target groups not created yet.
    pub const PENDING: &str = "Pending";
    /// `Exported=False`: a target group name is held by another owner.
    pub const CONFLICTED: &str = "Conflicted";
    /// `Exported=False`: the federation annotation is missing.
    pub const NOT_FEDERATED: &str = "NotFederated";
}

/// What translation decided about one ServiceExport handed to us.
#[derive(Clone, Debug)]
pub struct ExportOutcome {
    /// The export.
    pub export: ServiceExport,
    /// Whether it carries our federation annotation (else only its status is written).
    pub federated: bool,
    /// Its target groups, each with what it exports (`port 80 as HTTP`).
    pub target_groups: Vec<(TargetGroupSpec, String)>,
    /// Problems with the spec or annotations (reason, message naming the field).
    pub problems: Vec<Problem>,
    /// Remarks that do not make the export invalid (the `tags` annotation's reserved or invalid
    /// entries), added to the `Valid` message.
    pub notes: Vec<String>,
}

/// The federation annotation: `Some(true)` ours, `Some(false)` absent, `None` someone else's.
fn federation(export: &ServiceExport) -> Option<bool> {
    match export.metadata.annotations.as_ref().and_then(|a| a.get(ANNOTATION_FEDERATION)) {
        None => Some(false),
        Some(v) if v.trim() == FEDERATION_LATTICE => Some(true),
        Some(_) => None,
    }
}

/// Whether `namespace/name` is a ServiceExport handed to this controller.
pub fn is_federated(snapshot: &ClusterSnapshot, namespace: &str, name: &str) -> bool {
    snapshot
        .service_exports
        .iter()
        .any(|e| namespace_of(&e.metadata) == namespace && name_of(&e.metadata) == name && federation(e) == Some(true))
}

/// The exports whose target groups must be left alone because the export or something it
/// reads could not be read.
pub fn protected(snapshot: &ClusterSnapshot) -> BTreeSet<OwnerKey> {
    let owner = |r: &ObjectRef| OwnerKey { kind: r.kind.clone(), namespace: r.namespace.clone(), name: r.name.clone() };
    let mut out: BTreeSet<OwnerKey> =
        snapshot.unreadable.iter().filter(|r| r.kind == "ServiceExport").map(owner).collect();
    for export in &snapshot.service_exports {
        let namespace = namespace_of(&export.metadata);
        let service = service_name(export);
        let depends = snapshot.unreadable.iter().any(|r| {
            r.kind == "EndpointSlice" || (r.kind == "Service" && r.namespace == namespace && r.name == service)
        });
        if depends {
            out.insert(OwnerKey {
                kind: "ServiceExport".into(),
                namespace: namespace.to_owned(),
                name: name_of(&export.metadata).to_owned(),
            });
        }
    }
    out
}

/// The name of the Service `export` exports (in its namespace): the export's own name, or the one
/// [`ANNOTATION_SERVICE_NAME`] names.
pub fn exported_service(export: &ServiceExport) -> &str {
    service_name(export)
}

fn service_name(export: &ServiceExport) -> &str {
    export
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(ANNOTATION_SERVICE_NAME))
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| name_of(&export.metadata))
}

/// The outcome of every ServiceExport that is ours or that lacks the federation annotation
/// (`index` indexes the snapshot read).
pub fn build(index: &SnapshotIndex<'_>, config: &Config) -> Vec<ExportOutcome> {
    let snapshot = index.snapshot();
    let mut out = Vec::new();
    for export in &snapshot.service_exports {
        match federation(export) {
            None => continue,
            Some(false) => out.push(ExportOutcome {
                export: export.clone(),
                federated: false,
                target_groups: Vec::new(),
                problems: Vec::new(),
                notes: Vec::new(),
            }),
            Some(true) => out.push(one(export, index, config)),
        }
    }
    out
}

/// Protocol and protocol version of an exported route type.
fn protocol(route_type: &str) -> Option<(&'static str, Option<&'static str>)> {
    match route_type {
        "HTTP" => Some(("HTTP", Some("HTTP1"))),
        "GRPC" => Some(("HTTP", Some("GRPC"))),
        "TLS" => Some(("TCP", None)),
        _ => None,
    }
}

fn one(export: &ServiceExport, index: &SnapshotIndex<'_>, config: &Config) -> ExportOutcome {
    let namespace = namespace_of(&export.metadata);
    let mut outcome = ExportOutcome {
        export: export.clone(),
        federated: true,
        target_groups: Vec::new(),
        problems: Vec::new(),
        notes: Vec::new(),
    };
    let (additional, notes) = annotations::object_tags(export.metadata.annotations.as_ref(), Tags::new());
    outcome.notes = notes;
    let service_name = service_name(export);
    let Some(service) = index.service(namespace, service_name) else {
        outcome.problems.push((reasons::SERVICE_NOT_FOUND, format!("Service {namespace}/{service_name} not found")));
        return outcome;
    };
    let spec = service.spec.clone().unwrap_or_default();
    if spec.type_.as_deref() == Some("ExternalName") {
        outcome.problems.push((
            reasons::UNSUPPORTED_SERVICE,
            format!("Service {namespace}/{service_name} is an ExternalName Service and has no endpoints to export"),
        ));
        return outcome;
    }
    let slices = index.endpoint_slices(namespace, service_name);
    let ipv6 = spec.ip_families.as_ref().and_then(|f| f.first()).is_some_and(|f| f.eq_ignore_ascii_case("IPv6"));
    let ports = spec.ports.unwrap_or_default();
    let port = |number: i32| ports.iter().find(|p| p.port == number);
    let known = || ports.iter().map(|p| p.port.to_string()).collect::<Vec<_>>().join(", ");
    let policy = index.target_group_settings(SOURCE_SERVICE_EXPORT, namespace, name_of(&export.metadata));
    let build = |port_number: i32, protocol: (&str, Option<&str>), targets: Vec<Target>| {
        let (protocol, version) = target_group_policy::export_protocols(policy, protocol);
        let mut group = target_group(export, config, port_number, (&protocol, version.as_deref()), targets, ipv6);
        group.tags = annotations::with_additional(std::mem::take(&mut group.tags), &additional);
        group
    };
    match &export.spec.exported_ports {
        Some(entries) if entries.is_empty() => outcome
            .problems
            .push((reasons::INVALID_PORT, "spec.exportedPorts is empty: there is no port to export".to_owned())),
        Some(entries) => {
            let mut seen = BTreeSet::new();
            for (i, entry) in entries.iter().enumerate() {
                let field = format!("spec.exportedPorts[{i}]");
                let Some(protocol) = protocol(&entry.route_type) else {
                    outcome.problems.push((
                        reasons::INVALID_ROUTE_TYPE,
                        format!("{field}.routeType: {:?} is not HTTP, GRPC or TLS", entry.route_type),
                    ));
                    continue;
                };
                let Some(service_port) = port(entry.port) else {
                    outcome.problems.push((
                        reasons::INVALID_PORT,
                        format!(
                            "{field}.port: {} is not a port of Service {namespace}/{service_name} (ports: {})",
                            entry.port,
                            known()
                        ),
                    ));
                    continue;
                };
                if !seen.insert((entry.port, protocol)) {
                    outcome.problems.push((
                        reasons::INVALID_PORT,
                        format!("{field}: port {} is already exported as {}", entry.port, entry.route_type),
                    ));
                    continue;
                }
                let targets = targets(slices, service, service_port, ipv6);
                let what = format!("port {} as {}", entry.port, entry.route_type);
                outcome.target_groups.push((build(entry.port, protocol, targets), what));
            }
        }
        None => {
            let (selected, problems) = legacy_ports(export, &ports, &known());
            outcome.problems.extend(problems);
            if !selected.is_empty() {
                let mut all: Vec<Target> = selected.iter().flat_map(|p| targets(slices, service, p, ipv6)).collect();
                all.sort();
                all.dedup();
                let listed: Vec<String> = selected.iter().map(|p| p.port.to_string()).collect();
                let plural = if listed.len() == 1 { "" } else { "s" };
                let what = format!("port{plural} {} in one HTTP target group", listed.join(", "));
                outcome.target_groups.push((build(80, ("HTTP", Some("HTTP1")), all), what));
            }
        }
    }
    outcome
}

/// The Service ports the legacy annotation selects (every port without it), and its problems.
fn legacy_ports<'a>(
    export: &ServiceExport,
    ports: &'a [ServicePort],
    known: &str,
) -> (Vec<&'a ServicePort>, Vec<Problem>) {
    let Some(list) = export.metadata.annotations.as_ref().and_then(|a| a.get(ANNOTATION_PORT)) else {
        if ports.is_empty() {
            return (Vec::new(), vec![(reasons::INVALID_PORT, "the Service has no ports to export".to_owned())]);
        }
        return (ports.iter().collect(), Vec::new());
    };
    let mut selected = Vec::new();
    let mut problems = Vec::new();
    for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        match item.parse::<i32>().ok().and_then(|n| ports.iter().find(|p| p.port == n)) {
            Some(p) if !selected.iter().any(|s: &&ServicePort| s.port == p.port) => selected.push(p),
            Some(_) => {}
            None => problems.push((
                reasons::INVALID_PORT,
                format!("annotation {ANNOTATION_PORT}: {item:?} is not a port of the Service (ports: {known})"),
            )),
        }
    }
    if selected.is_empty() && problems.is_empty() {
        problems.push((reasons::INVALID_PORT, format!("annotation {ANNOTATION_PORT} lists no port")));
    }
    (selected, problems)
}

fn target_group(
    export: &ServiceExport,
    config: &Config,
    port: i32,
    (protocol, version): (&str, Option<&str>),
    targets: Vec<Target>,
    ipv6: bool,
) -> TargetGroupSpec {
    let namespace = namespace_of(&export.metadata);
    let name = name_of(&export.metadata);
    let id = &config.identity;
    // The owner is part of the identity: clusters of one account export the same names.
    let identity = format!(
        "{SOURCE_SERVICE_EXPORT}/{}/{namespace}/{name}/{port}/{protocol}/{}",
        id.managed_by(),
        version.unwrap_or("")
    );
    let tags: Tags = [
        (names::TAG_MANAGED_BY, id.managed_by()),
        (names::TAG_CLUSTER_NAME, id.cluster_name.clone()),
        (names::TAG_SERVICE_NAME, name.to_owned()),
        (names::TAG_SERVICE_NAMESPACE, namespace.to_owned()),
        (names::TAG_SOURCE_TYPE, SOURCE_SERVICE_EXPORT.to_owned()),
        (names::TAG_PROTOCOL_VERSION, version.unwrap_or("").to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    TargetGroupSpec {
        name: names::target_group_name(namespace, name, &identity),
        kind: TargetGroupType::Ip,
        config: ip_config(port, (protocol, version), ipv6, &id.vpc_id),
        tags,
        targets,
        owner: Some(OwnerKey {
            kind: SOURCE_SERVICE_EXPORT.to_owned(),
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests;
