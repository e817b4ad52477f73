//! Backend references → Lattice target groups (Services) or existing exported target groups
//! (ServiceImports, see [`crate::imports`]), with the spec's `ResolvedRefs` reasons when a
//! reference does not resolve.

use k8s_openapi::api::core::v1::{Service, ServicePort};
use k8s_openapi::api::discovery::v1::EndpointSlice;

use crate::conditions::reasons;
use crate::config::Config;
use crate::gateway::Problem;
use crate::grants::{self, From, To};
use crate::index::{ObservedIndex, SnapshotIndex};
use crate::lattice::{OwnerKey, Target, TargetGroupConfig, TargetGroupSpec, TargetGroupType};
use crate::names::{self, Tags};
use crate::observed::ObservedState;
use crate::route::{BackendRef, GATEWAY_GROUP, Route, RouteKind};
use crate::snapshot::{AWS_GROUP, ClusterSnapshot, MCS_GROUP, name_of, namespace_of};
use crate::translate::target_group_policy;

/// Annotation on a ServiceImport naming an external target group.
pub const ANNOTATION_TARGET_GROUP_ARN: &str = "application-networking.k8s.aws/target-group-arn";
/// Annotation on a ServiceImport naming the exported service, when it differs.
pub const ANNOTATION_EXPORT_NAME: &str = "application-networking.k8s.aws/export-name";

/// A backend that resolved.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved {
    /// A Service: a target group we own.
    Service(Box<TargetGroupSpec>),
    /// A ServiceImport: existing target groups (one per exporting cluster), by id; the
    /// backend's weight is shared between them.
    Import(Vec<String>),
}

/// Resolves backend references of routes.
pub struct Resolver<'a> {
    /// Cluster objects.
    pub snapshot: &'a ClusterSnapshot,
    /// The same objects by key.
    pub index: &'a SnapshotIndex<'a>,
    /// The observed services and target groups by name.
    pub seen: &'a ObservedIndex<'a>,
    /// Lattice inventory (for exported target groups).
    pub observed: &'a ObservedState,
    /// Identity and quotas.
    pub config: &'a Config,
    /// What resolving asked of the observed state, with the answers (see
    /// [`crate::translate::reuse`]).
    pub(crate) asked: &'a std::cell::RefCell<Vec<Question>>,
}

/// One question a route's translation asked of the observed state, and its answer: a later
/// translation of the same route against another observed state can reuse the route's outcome
/// when every question it asked has the same answer there.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Question {
    /// The ACM certificate for a custom domain ([`crate::translate::certificates`]).
    Certificate { domain: String, answer: Result<Option<String>, String> },
    /// The target groups a ServiceImport backend names.
    Import { backend: BackendRef, field: String, answer: Result<Vec<String>, Problem> },
    /// Whether the observed target group of this name carries a TargetGroupPolicy tag (asked
    /// for a target group no policy targets).
    PolicyTag { target_group: String, answer: bool },
}

impl Resolver<'_> {
    /// Resolves `backend` of `route`; `field` names it in messages (`spec.rules[0].backendRefs[1]`).
    pub fn resolve(&self, route: &Route, backend: &BackendRef, field: &str) -> Result<Resolved, Problem> {
        let is_import = backend.kind == "ServiceImport" && (backend.group == MCS_GROUP || backend.group == AWS_GROUP);
        let is_service = backend.kind == "Service" && backend.group.is_empty();
        if !is_import && !is_service {
            let group = if backend.group.is_empty() { "core" } else { backend.group.as_str() };
            return Err((
                reasons::INVALID_KIND,
                format!("{field}: {group}/{} is not a supported backend kind (Service or ServiceImport)", backend.kind),
            ));
        }
        let permitted = grants::permitted(
            &self.snapshot.reference_grants,
            From { group: GATEWAY_GROUP, kind: route.kind.kind(), namespace: &route.namespace },
            To { group: &backend.group, kind: &backend.kind, namespace: &backend.namespace, name: &backend.name },
        );
        if !permitted {
            return Err((
                reasons::REF_NOT_PERMITTED,
                format!(
                    "{field}: {} {}/{} is in another namespace and no ReferenceGrant allows it",
                    backend.kind, backend.namespace, backend.name
                ),
            ));
        }
        if is_import {
            let answer = crate::imports::resolve(route, backend, field, self.index, self.observed, self.config);
            self.asked.borrow_mut().push(Question::Import {
                backend: backend.clone(),
                field: field.to_owned(),
                answer: answer.clone(),
            });
            answer.map(Resolved::Import)
        } else {
            self.service(route, backend, field)
        }
    }

    fn service(&self, route: &Route, backend: &BackendRef, field: &str) -> Result<Resolved, Problem> {
        let Some(service) = self.index.service(&backend.namespace, &backend.name) else {
            return Err((
                reasons::BACKEND_NOT_FOUND,
                format!("{field}: Service {}/{} not found", backend.namespace, backend.name),
            ));
        };
        let spec = service.spec.clone().unwrap_or_default();
        if spec.type_.as_deref() == Some("ExternalName") {
            return Err((
                reasons::INVALID_KIND,
                format!(
                    "{field}: ExternalName Service {}/{} has no endpoints to target",
                    backend.namespace, backend.name
                ),
            ));
        }
        let Some(port_number) = backend.port else {
            return Err((reasons::BACKEND_NOT_FOUND, format!("{field}: a Service backend needs a port")));
        };
        let Some(port) = spec.ports.iter().flatten().find(|p| p.port == port_number) else {
            return Err((
                reasons::BACKEND_NOT_FOUND,
                format!("{field}: Service {}/{} has no port {port_number}", backend.namespace, backend.name),
            ));
        };
        let (protocol, version) = protocols(route.kind, port).map_err(|p| {
            (
                reasons::UNSUPPORTED_PROTOCOL_BACKEND,
                format!(
                    "{field}: Service {}/{} port {port_number} has appProtocol {p:?}, which VPC Lattice cannot speak",
                    backend.namespace, backend.name
                ),
            )
        })?;
        let family = spec.ip_families.as_ref().and_then(|f| f.first()).map(String::as_str).unwrap_or("IPv4");
        let policy = self.index.target_group_settings("Service", &backend.namespace, &backend.name);
        let (protocol, version) = match policy {
            Some(p) => p.protocols(route.kind, (protocol, version)),
            None => (protocol.to_owned(), version.map(str::to_owned)),
        };
        let mut tg = self.target_group(route, service, port, &protocol, version.as_deref(), family);
        let seen = self.seen.target_group(&tg.name);
        if policy.is_none() {
            let answer = target_group_policy::tagged(seen);
            self.asked.borrow_mut().push(Question::PolicyTag { target_group: tg.name.clone(), answer });
        }
        target_group_policy::apply(&mut tg, policy, seen);
        Ok(Resolved::Service(Box::new(tg)))
    }

    fn target_group(
        &self,
        route: &Route,
        service: &Service,
        port: &ServicePort,
        protocol: &str,
        version: Option<&str>,
        family: &str,
    ) -> TargetGroupSpec {
        let svc_ns = namespace_of(&service.metadata);
        let svc_name = name_of(&service.metadata);
        let identity = format!(
            "{}/{}/{}/{svc_ns}/{svc_name}/{}/{protocol}/{}",
            route.kind.kind(),
            route.namespace,
            route.name,
            port.port,
            version.unwrap_or("")
        );
        let id = &self.config.identity;
        let tags: Tags = [
            (names::TAG_MANAGED_BY, id.managed_by()),
            (names::TAG_CLUSTER_NAME, id.cluster_name.clone()),
            (names::TAG_SERVICE_NAME, svc_name.to_owned()),
            (names::TAG_SERVICE_NAMESPACE, svc_ns.to_owned()),
            (names::TAG_SOURCE_TYPE, route.kind.kind().to_owned()),
            (names::TAG_PROTOCOL_VERSION, version.unwrap_or("").to_owned()),
            (names::TAG_ROUTE_NAME, route.name.clone()),
            (names::TAG_ROUTE_NAMESPACE, route.namespace.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let ipv6 = family.eq_ignore_ascii_case("IPv6");
        TargetGroupSpec {
            name: names::target_group_name(svc_ns, svc_name, &identity),
            kind: TargetGroupType::Ip,
            config: ip_config(port.port, (protocol, version), ipv6, &id.vpc_id),
            tags,
            targets: targets(self.index.endpoint_slices(svc_ns, svc_name), service, port, ipv6),
            owner: Some(OwnerKey {
                kind: route.kind.kind().to_owned(),
                namespace: route.namespace.clone(),
                name: route.name.clone(),
            }),
        }
    }
}

/// The configuration of an IP target group of our own: `protocol` and `version` on `port`,
/// the Lattice default health check.
pub(crate) fn ip_config(
    port: i32,
    (protocol, version): (&str, Option<&str>),
    ipv6: bool,
    vpc: &str,
) -> TargetGroupConfig {
    TargetGroupConfig {
        port,
        protocol: protocol.to_owned(),
        protocol_version: version.map(str::to_owned),
        ip_address_type: if ipv6 { "IPV6" } else { "IPV4" }.to_owned(),
        vpc_identifier: vpc.to_owned(),
        health_check: None,
    }
}

/// Target group protocol and protocol version for a route kind and a Service port, or the
/// `appProtocol` we cannot speak.
fn protocols(kind: RouteKind, port: &ServicePort) -> Result<(&'static str, Option<&'static str>), String> {
    match kind {
        RouteKind::Tls => return Ok(("TCP", None)),
        RouteKind::Grpc => return Ok(("HTTP", Some("GRPC"))),
        RouteKind::Http => {}
    }
    match port.app_protocol.as_deref() {
        None | Some("http" | "HTTP" | "kubernetes.io/http") => Ok(("HTTP", Some("HTTP1"))),
        Some("kubernetes.io/h2c" | "h2c") => Ok(("HTTP", Some("HTTP2"))),
        Some("https" | "HTTPS" | "kubernetes.io/https") => Ok(("HTTPS", Some("HTTP1"))),
        Some(p @ ("kubernetes.io/ws" | "kubernetes.io/wss" | "grpc" | "tcp" | "TCP" | "udp" | "UDP")) => {
            Err(p.to_owned())
        }
        Some(_) => Ok(("HTTP", Some("HTTP1"))),
    }
}

/// IP targets of a Service port: every address of every non-terminating endpoint of the
/// Service's EndpointSlices (`slices`, see [`SnapshotIndex::endpoint_slices`]) of the right
/// address family, on the endpoint port whose name is the Service port's name.
pub(crate) fn targets(slices: &[&EndpointSlice], service: &Service, port: &ServicePort, ipv6: bool) -> Vec<Target> {
    let svc_ns = namespace_of(&service.metadata);
    let svc_name = name_of(&service.metadata);
    let family = if ipv6 { "IPv6" } else { "IPv4" };
    let port_name = port.name.as_deref().unwrap_or("");
    let mut out: Vec<Target> = slices
        .iter()
        .filter(|s| {
            namespace_of(&s.metadata) == svc_ns
                && s.address_type == family
                && s.metadata.labels.as_ref().and_then(|l| l.get(crate::index::LABEL_SERVICE_NAME)).map(String::as_str)
                    == Some(svc_name)
        })
        .flat_map(|s| {
            let endpoint_port =
                s.ports.iter().flatten().find(|p| p.name.as_deref().unwrap_or("") == port_name).and_then(|p| p.port);
            s.endpoints.iter().filter(|e| e.conditions.as_ref().and_then(|c| c.terminating) != Some(true)).flat_map(
                move |e| {
                    e.addresses.iter().filter_map(move |a| endpoint_port.map(|p| Target { id: a.clone(), port: p }))
                },
            )
        })
        .collect();
    out.sort();
    out.dedup();
    out
}
