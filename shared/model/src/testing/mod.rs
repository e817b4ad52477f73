//! Test support: small builders for the cluster objects translation reads (written as JSON and
//! deserialized into the real `gateway-api` / `k8s-openapi` types), and helpers that run
//! [`translate`] and look up the status it computed.

mod exports;
mod networks;
mod objects;
mod policies;
mod routes;

pub use exports::*;
pub use networks::*;
pub use objects::*;
pub use policies::*;
pub use routes::*;

use gateway_api::gatewayclasses::GatewayClassStatus;
use gateway_api::gateways::{GatewayStatus, GatewayStatusListeners};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use serde::de::DeserializeOwned;

use crate::config::{CONTROLLER_NAME, Config, Identity};
use crate::lattice::{ServiceSpec, TargetGroupConfig, TargetGroupSpec, TargetGroupType};
use crate::names::{
    TAG_CLUSTER_NAME, TAG_MANAGED_BY, TAG_PROTOCOL_VERSION, TAG_ROUTE_NAME, TAG_SERVICE_NAME, TAG_SERVICE_NAMESPACE,
    TAG_SOURCE_TYPE, Tags, service_name,
};
use crate::observed::{ObservedService, ObservedServiceNetwork, ObservedState, ObservedTargetGroup};
use crate::snapshot::{ClusterSnapshot, name_of, namespace_of};
use crate::status::{ObjectStatus, RouteParentStatus, StatusEntry};
use crate::translate::{Translation, translate};

/// Name of our GatewayClass in every scenario.
pub const CLASS: &str = "amazon-vpc-lattice";
/// `metadata.generation` of every object unless a test changes it.
pub const GENERATION: i64 = 3;
/// Id of the service network the observed state has for a Gateway.
pub const SN_ID: &str = "sn-0123456789abcdef0";
/// The `ManagedBy` value of [`config`].
pub const MANAGED_BY: &str = "123456789012/test-cluster/vpc-0123456789abcdef0";

/// The moment every translation runs at, unless a test says otherwise.
pub fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).expect("valid timestamp")
}

/// A moment after [`now`], for second runs.
pub fn later() -> Timestamp {
    Timestamp::from_second(1_700_003_600).expect("valid timestamp")
}

/// Identity and default quotas of the test cluster.
pub fn config() -> Config {
    Config::new(Identity {
        account_id: "123456789012".into(),
        cluster_name: "test-cluster".into(),
        vpc_id: "vpc-0123456789abcdef0".into(),
        region: "us-west-2".into(),
    })
}

/// The observed service network a Gateway named `name` maps to.
pub fn network(name: &str) -> ObservedServiceNetwork {
    ObservedServiceNetwork {
        id: SN_ID.into(),
        arn: format!("arn:aws:vpc-lattice:us-west-2:123456789012:servicenetwork/{SN_ID}"),
        name: name.into(),
        tags: Tags::new(),
        ..ObservedServiceNetwork::default()
    }
}

/// An observed Lattice service named `name`, tagged with `managed_by`.
pub fn observed_service(name: &str, managed_by: &str) -> ObservedService {
    ObservedService {
        id: "svc-0123456789abcdef0".into(),
        arn: "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0".into(),
        name: name.into(),
        custom_domain_name: None,
        certificate_arn: None,
        dns_name: Some(format!("{name}-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws")),
        status: "ACTIVE".into(),
        tags: [(TAG_MANAGED_BY.to_owned(), managed_by.to_owned())].into(),
        associations: Vec::new(),
        listeners: Vec::new(),
    }
}

/// A target group that cluster `cluster` (account 123456789012, VPC `vpc-<cluster>`) exported
/// for ServiceExport `namespace/name` on `port`: HTTP with `version`, or TCP when it is empty.
pub fn observed_export(
    id: &str,
    (namespace, name): (&str, &str),
    cluster: &str,
    port: i32,
    version: &str,
) -> ObservedTargetGroup {
    let protocol = if version.is_empty() { "TCP" } else { "HTTP" };
    let tags = [
        (TAG_MANAGED_BY, format!("123456789012/{cluster}/vpc-{cluster}")),
        (TAG_CLUSTER_NAME, cluster.to_owned()),
        (TAG_SOURCE_TYPE, "ServiceExport".to_owned()),
        (TAG_SERVICE_NAME, name.to_owned()),
        (TAG_SERVICE_NAMESPACE, namespace.to_owned()),
        (TAG_PROTOCOL_VERSION, version.to_owned()),
    ];
    ObservedTargetGroup {
        id: id.into(),
        arn: format!("arn:aws:vpc-lattice:us-west-2:123456789012:targetgroup/{id}"),
        name: format!("k8s-{namespace}-{name}-{cluster}{port}"),
        kind: TargetGroupType::Ip,
        config: TargetGroupConfig {
            port,
            protocol: protocol.into(),
            protocol_version: (!version.is_empty()).then(|| version.into()),
            ip_address_type: "IPV4".into(),
            vpc_identifier: format!("vpc-{cluster}"),
            health_check: None,
        },
        status: "ACTIVE".into(),
        tags: tags.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        service_arns: Vec::new(),
        targets: Vec::new(),
        health: Vec::new(),
    }
}

/// An observed state with a service network for every Gateway of the snapshot.
pub fn networks_for(snapshot: &ClusterSnapshot) -> ObservedState {
    ObservedState {
        service_networks: snapshot.gateways.iter().map(|g| network(name_of(&g.metadata))).collect(),
        ..ObservedState::default()
    }
}

/// Translates at [`now`] with a service network observed for every Gateway, and checks that
/// every condition we wrote carries its object's generation.
pub fn run(snapshot: &ClusterSnapshot) -> Translation {
    run_with(snapshot, &networks_for(snapshot), now())
}

/// Translates against `observed` at `at`, and checks condition generations.
pub fn run_with(snapshot: &ClusterSnapshot, observed: &ObservedState, at: Timestamp) -> Translation {
    let t = translate(snapshot, observed, &config(), at);
    assert_generations(snapshot, &t);
    t
}

/// Asserts that every condition of every status entry (our route parents only) carries the
/// generation of its object in `snapshot`.
#[track_caller]
pub fn assert_generations(snapshot: &ClusterSnapshot, t: &Translation) {
    for e in &t.status {
        let ns = e.namespace.as_deref().unwrap_or("");
        let is = |m: &ObjectMeta| namespace_of(m) == ns && name_of(m) == e.name;
        let generation = match e.kind.as_str() {
            "GatewayClass" => {
                snapshot.gateway_classes.iter().find(|o| is(&o.metadata)).and_then(|o| o.metadata.generation)
            }
            "Gateway" => snapshot.gateways.iter().find(|o| is(&o.metadata)).and_then(|o| o.metadata.generation),
            "HTTPRoute" => snapshot.http_routes.iter().find(|o| is(&o.metadata)).and_then(|o| o.metadata.generation),
            "GRPCRoute" => snapshot.grpc_routes.iter().find(|o| is(&o.metadata)).and_then(|o| o.metadata.generation),
            "TLSRoute" => snapshot.tls_routes.iter().find(|o| is(&o.metadata)).and_then(|o| o.metadata.generation),
            "ServiceNetwork" => {
                snapshot.service_networks.iter().find(|o| is(&o.metadata)).and_then(|o| o.metadata.generation)
            }
            "VpcAssociationPolicy" => {
                snapshot.vpc_association_policies.iter().find(|o| is(&o.metadata)).and_then(|o| o.metadata.generation)
            }
            "ServiceExport" => {
                snapshot.service_exports.iter().find(|o| is(&o.metadata)).and_then(|o| o.metadata.generation)
            }
            other => {
                policy_generation(snapshot, other, is).unwrap_or_else(|| panic!("status for unexpected kind {other}"))
            }
        };
        let conditions: Vec<&Condition> = match &e.status {
            ObjectStatus::Route(r) => r
                .parents
                .iter()
                .filter(|p| p.controller_name == CONTROLLER_NAME)
                .flat_map(|p| p.conditions.iter())
                .collect(),
            _ => e.conditions().into_iter().map(|(_, c)| c).collect(),
        };
        for c in conditions {
            assert_eq!(
                c.observed_generation, generation,
                "{} {ns}/{}: condition {} has observedGeneration {:?}, the object has generation {:?}",
                e.kind, e.name, c.type_, c.observed_generation, generation
            );
        }
    }
}

/// Writes the computed status (and route annotations) back onto the snapshot's objects, as
/// the status writer would.
pub fn apply_status(snapshot: &mut ClusterSnapshot, t: &Translation) {
    fn same(m: &ObjectMeta, e: &StatusEntry) -> bool {
        e.namespace.as_deref().unwrap_or("") == namespace_of(m) && e.name == name_of(m)
    }
    fn convert<T: DeserializeOwned>(v: &impl serde::Serialize) -> T {
        from_json(serde_json::to_value(v).expect("status serializes"))
    }
    for e in &t.status {
        match (&e.status, e.kind.as_str()) {
            (ObjectStatus::GatewayClass(s), _) => {
                for o in snapshot.gateway_classes.iter_mut().filter(|o| same(&o.metadata, e)) {
                    o.status = Some(s.clone());
                }
            }
            (ObjectStatus::Gateway(s), _) => {
                for o in snapshot.gateways.iter_mut().filter(|o| same(&o.metadata, e)) {
                    o.status = Some(s.clone());
                }
            }
            (ObjectStatus::Route(s), "HTTPRoute") => {
                for o in snapshot.http_routes.iter_mut().filter(|o| same(&o.metadata, e)) {
                    o.status = Some(convert(s));
                }
            }
            (ObjectStatus::Route(s), "GRPCRoute") => {
                for o in snapshot.grpc_routes.iter_mut().filter(|o| same(&o.metadata, e)) {
                    o.status = Some(convert(s));
                }
            }
            (ObjectStatus::Route(s), _) => {
                for o in snapshot.tls_routes.iter_mut().filter(|o| same(&o.metadata, e)) {
                    o.status = Some(convert(s));
                }
            }
            (ObjectStatus::Policy(s), kind) => {
                macro_rules! set {
                    ($list:ident) => {
                        for o in snapshot.$list.iter_mut().filter(|o| same(&o.metadata, e)) {
                            o.status = Some(s.clone());
                        }
                    };
                }
                match kind {
                    "TargetGroupPolicy" => set!(target_group_policies),
                    "VpcAssociationPolicy" => set!(vpc_association_policies),
                    "AccessLogPolicy" => set!(access_log_policies),
                    _ => set!(iam_auth_policies),
                }
            }
            (ObjectStatus::ServiceExport(s), _) => {
                for o in snapshot.service_exports.iter_mut().filter(|o| same(&o.metadata, e)) {
                    o.status = Some(s.clone());
                }
            }
            (ObjectStatus::ServiceNetwork(s), _) => {
                for o in snapshot.service_networks.iter_mut().filter(|o| same(&o.metadata, e)) {
                    o.status = Some(s.clone());
                }
            }
        }
    }
}

/// Lookups into a translation that fail the test when the object is missing.
pub trait Lookup {
    /// The status entry of `kind ns/name`, if any.
    fn entry(&self, kind: &str, ns: &str, name: &str) -> Option<&StatusEntry>;
    /// Every parent entry (ours and others') of route `kind ns/name`.
    fn parents(&self, kind: &str, ns: &str, name: &str) -> &[RouteParentStatus];
    /// Conditions of our parent entry for Gateway `gateway` on HTTPRoute `ns/name`.
    fn route(&self, ns: &str, name: &str, gateway: &str) -> &[Condition];
    /// Conditions of our parent entry for Gateway `gateway` on route `kind ns/name`.
    fn route_of(&self, kind: &str, ns: &str, name: &str, gateway: &str) -> &[Condition];
    /// The status of Gateway `ns/name`.
    fn gateway(&self, ns: &str, name: &str) -> &GatewayStatus;
    /// The status of listener `listener` of Gateway `ns/name`.
    fn listener(&self, ns: &str, name: &str, listener: &str) -> &GatewayStatusListeners;
    /// The status of GatewayClass `name`.
    fn class(&self, name: &str) -> &GatewayClassStatus;
    /// The desired Lattice service `name`.
    fn service(&self, name: &str) -> &ServiceSpec;
    /// The desired Lattice service of route `ns/route` (named by the naming rule).
    fn service_of(&self, ns: &str, route: &str) -> &ServiceSpec;
    /// The desired target group of route `route` for backend Service `service`.
    fn target_group(&self, route: &str, service: &str) -> &TargetGroupSpec;
}

impl Lookup for Translation {
    fn entry(&self, kind: &str, ns: &str, name: &str) -> Option<&StatusEntry> {
        self.status.iter().find(|e| e.kind == kind && e.name == name && e.namespace.as_deref().unwrap_or("") == ns)
    }

    #[track_caller]
    fn parents(&self, kind: &str, ns: &str, name: &str) -> &[RouteParentStatus] {
        match self.entry(kind, ns, name).map(|e| &e.status) {
            Some(ObjectStatus::Route(r)) => &r.parents,
            _ => panic!("no status for {kind} {ns}/{name}"),
        }
    }

    #[track_caller]
    fn route(&self, ns: &str, name: &str, gateway: &str) -> &[Condition] {
        self.route_of("HTTPRoute", ns, name, gateway)
    }

    #[track_caller]
    fn route_of(&self, kind: &str, ns: &str, name: &str, gateway: &str) -> &[Condition] {
        let parents = self.parents(kind, ns, name);
        let p = parents
            .iter()
            .find(|p| p.controller_name == CONTROLLER_NAME && p.parent_ref.name == gateway)
            .unwrap_or_else(|| panic!("{kind} {ns}/{name} has no parent entry for {gateway}"));
        assert_eq!(p.parent_ref.group, "gateway.networking.k8s.io");
        assert_eq!(p.parent_ref.kind, "Gateway");
        &p.conditions
    }

    #[track_caller]
    fn gateway(&self, ns: &str, name: &str) -> &GatewayStatus {
        match self.entry("Gateway", ns, name).map(|e| &e.status) {
            Some(ObjectStatus::Gateway(g)) => g,
            _ => panic!("no status for Gateway {ns}/{name}"),
        }
    }

    #[track_caller]
    fn listener(&self, ns: &str, name: &str, listener: &str) -> &GatewayStatusListeners {
        self.gateway(ns, name)
            .listeners
            .iter()
            .flatten()
            .find(|l| l.name == listener)
            .unwrap_or_else(|| panic!("Gateway {ns}/{name} has no listener status {listener}"))
    }

    #[track_caller]
    fn class(&self, name: &str) -> &GatewayClassStatus {
        match self.entry("GatewayClass", "", name).map(|e| &e.status) {
            Some(ObjectStatus::GatewayClass(c)) => c,
            _ => panic!("no status for GatewayClass {name}"),
        }
    }

    #[track_caller]
    fn service(&self, name: &str) -> &ServiceSpec {
        self.desired.services.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no desired service {name}"))
    }

    #[track_caller]
    fn service_of(&self, ns: &str, route: &str) -> &ServiceSpec {
        self.service(&service_name(route, ns))
    }

    #[track_caller]
    fn target_group(&self, route: &str, service: &str) -> &TargetGroupSpec {
        self.desired
            .target_groups
            .iter()
            .find(|tg| {
                tg.tags.get(TAG_ROUTE_NAME).map(String::as_str) == Some(route)
                    && tg.tags.get(TAG_SERVICE_NAME).map(String::as_str) == Some(service)
            })
            .unwrap_or_else(|| panic!("no desired target group for {route} → {service}"))
    }
}

/// Asserts that `conditions` has a condition of `type_` with `status` (`"True"`/`"False"`)
/// and `reason`, and returns it.
#[track_caller]
pub fn assert_cond<'a>(conditions: &'a [Condition], type_: &str, status: &str, reason: &str) -> &'a Condition {
    let c = conditions
        .iter()
        .find(|c| c.type_ == type_)
        .unwrap_or_else(|| panic!("no {type_} condition in {conditions:#?}"));
    assert_eq!((c.status.as_str(), c.reason.as_str()), (status, reason), "{type_}: {}", c.message);
    c
}

/// Asserts that `conditions` has no condition of `type_`.
#[track_caller]
pub fn assert_no_cond(conditions: &[Condition], type_: &str) {
    assert!(conditions.iter().all(|c| c.type_ != type_), "unexpected {type_} condition in {conditions:#?}");
}

/// Asserts the "Route OK" state of the conformance suite: `Accepted=True/Accepted` and
/// `ResolvedRefs=True/ResolvedRefs`, and no `PartiallyInvalid`.
#[track_caller]
pub fn assert_route_ok(conditions: &[Condition]) {
    assert_cond(conditions, "Accepted", "True", "Accepted");
    assert_cond(conditions, "ResolvedRefs", "True", "ResolvedRefs");
    assert_no_cond(conditions, "PartiallyInvalid");
}

/// Kinds listed in a listener's `supportedKinds`.
pub fn supported_kinds(l: &GatewayStatusListeners) -> Vec<&str> {
    l.supported_kinds.iter().flatten().map(|k| k.kind.as_str()).collect()
}
