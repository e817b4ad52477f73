//! One building block per resource kind, each a real SDK call with the existing controller's
//! names, tags and configuration.

use std::collections::HashMap;

use aws_sdk_vpclattice::Client;
use aws_sdk_vpclattice::types::{
    FixedResponseAction, ForwardAction, HealthCheckConfig, HealthCheckProtocolVersion, HttpMatch, IpAddressType,
    ListenerProtocol, Matcher, PathMatch, PathMatchType, RuleAction, RuleMatch, RuleUpdate, Target, TargetGroupConfig,
    TargetGroupProtocol, TargetGroupProtocolVersion, TargetGroupType, WeightedTargetGroup,
};

/// Tag keys the existing controller writes (`application-networking.k8s.aws/...`).
const MANAGED_BY: &str = "application-networking.k8s.aws/ManagedBy";
const CLUSTER_NAME: &str = "application-networking.k8s.aws/ClusterName";
const SERVICE_NAME: &str = "application-networking.k8s.aws/ServiceName";
const SERVICE_NAMESPACE: &str = "application-networking.k8s.aws/ServiceNamespace";
const SOURCE_TYPE: &str = "application-networking.k8s.aws/SourceTypeKey";
const PROTOCOL_VERSION: &str = "application-networking.k8s.aws/ProtocolVersion";
const ROUTE_NAME: &str = "application-networking.k8s.aws/RouteName";
const ROUTE_NAMESPACE: &str = "application-networking.k8s.aws/RouteNamespace";
const ROUTE_TYPE: &str = "application-networking.k8s.aws/RouteType";

/// A call of the seeding that failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A VPC Lattice call failed.
    #[error("{operation} {resource} failed")]
    Call {
        /// The operation.
        operation: &'static str,
        /// What it was for.
        resource: String,
        /// The SDK's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A response lacked a field the seeding needs.
    #[error("{operation} {resource} answered without {field}")]
    Missing {
        /// The operation.
        operation: &'static str,
        /// What it was for.
        resource: String,
        /// The missing field.
        field: &'static str,
    },
}

pub(crate) fn call<E: std::error::Error + Send + Sync + 'static>(
    operation: &'static str,
    resource: &str,
) -> impl FnOnce(E) -> Error {
    let resource = resource.to_owned();
    move |source| Error::Call { operation, resource, source: Box::new(source) }
}

pub(crate) fn field<'a>(
    value: Option<&'a str>,
    operation: &'static str,
    resource: &str,
    name: &'static str,
) -> Result<&'a str, Error> {
    value.ok_or_else(|| Error::Missing { operation, resource: resource.to_owned(), field: name })
}

/// The cluster identity the controller ran with (`AWS_ACCOUNT_ID`, `CLUSTER_NAME`, `CLUSTER_VPC_ID`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Account id.
    pub account_id: String,
    /// Cluster name.
    pub cluster_name: String,
    /// VPC of the cluster.
    pub vpc_id: String,
}

impl Identity {
    /// The `ManagedBy` value: `<account>/<cluster>/<vpc>`.
    pub fn managed_by(&self) -> String {
        format!("{}/{}/{}", self.account_id, self.cluster_name, self.vpc_id)
    }
}

/// A route: kind (`HTTPRoute`, `GRPCRoute`, `TLSRoute`), namespace, name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteRef<'a> {
    /// Kind.
    pub kind: &'a str,
    /// Namespace.
    pub namespace: &'a str,
    /// Name.
    pub name: &'a str,
}

impl RouteRef<'_> {
    /// The `RouteType` tag value: `http`, `grpc` or `tls`.
    fn route_type(&self) -> &'static str {
        match self.kind {
            "GRPCRoute" => "grpc",
            "TLSRoute" => "tls",
            _ => "http",
        }
    }

    /// The Lattice service name: `trunc(route,20)-trunc(namespace,18)`.
    pub fn service_name(&self) -> String {
        format!("{}-{}", truncate(self.name, 20), truncate(self.namespace, 18))
    }
}

/// What a create call answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    /// Id.
    pub id: String,
    /// ARN.
    pub arn: String,
    /// Name.
    pub name: String,
}

/// A listener rule as the controller writes it: its priority (rule index + 1), its path prefix,
/// and the weighted target group ids it forwards to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSeed {
    /// Priority.
    pub priority: i32,
    /// Path prefix (a rule without matches gets `/`).
    pub prefix: String,
    /// Target group ids and weights.
    pub forward: Vec<(String, i32)>,
}

/// The existing controller's side of a VPC Lattice account: creates resources the way it does.
pub struct Anchor {
    client: Client,
    identity: Identity,
    created_at: i64,
    random: u64,
}

/// The controller's `Truncate`: the first `n` bytes, then hyphens trimmed from both ends.
fn truncate(s: &str, n: usize) -> &str {
    s.get(..n.min(s.len())).unwrap_or(s).trim_matches('-')
}

impl Anchor {
    /// The controller with `identity`, whose model was built at `created_at` (Unix seconds, in
    /// rule names) and whose random target group suffixes come from `seed`.
    pub fn new(client: Client, identity: Identity, created_at: i64, seed: u64) -> Self {
        Self { client, identity, created_at, random: seed | 1 }
    }

    /// The SDK client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The identity.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// 10 random lowercase letters (xorshift; reproducible for a seed).
    fn letters(&mut self) -> String {
        (0..10)
            .map(|_| {
                self.random ^= self.random << 13;
                self.random ^= self.random >> 7;
                self.random ^= self.random << 17;
                char::from(b'a' + u8::try_from(self.random % 26).unwrap_or(0))
            })
            .collect()
    }

    pub(crate) fn managed(&self) -> HashMap<String, String> {
        HashMap::from([(MANAGED_BY.to_owned(), self.identity.managed_by())])
    }

    /// The target group of a route's Service backend: port 80, HTTP/HTTP1 (HTTP/GRPC for a
    /// GRPCRoute, TCP for a TLSRoute), the default health check, seven identity tags.
    pub async fn route_target_group(
        &mut self,
        route: RouteRef<'_>,
        service_namespace: &str,
        service: &str,
        targets: &[(&str, i32)],
    ) -> Result<Created, Error> {
        let (protocol, version) = match route.kind {
            "GRPCRoute" => (TargetGroupProtocol::Http, Some(TargetGroupProtocolVersion::Grpc)),
            "TLSRoute" => (TargetGroupProtocol::Tcp, None),
            _ => (TargetGroupProtocol::Http, Some(TargetGroupProtocolVersion::Http1)),
        };
        let mut tags = self.target_group_tags(service_namespace, service, route.kind, version.as_ref());
        tags.insert(ROUTE_NAME.to_owned(), route.name.to_owned());
        tags.insert(ROUTE_NAMESPACE.to_owned(), route.namespace.to_owned());
        self.target_group(service_namespace, service, 80, protocol, version, tags, targets).await
    }

    /// A ServiceExport's target group for one exported port: port = the exported port,
    /// protocol from the route type (`HTTP`, `GRPC`, `TLS`), five identity tags.
    pub async fn export_target_group(
        &mut self,
        namespace: &str,
        export: &str,
        port: i32,
        route_type: &str,
        targets: &[(&str, i32)],
    ) -> Result<Created, Error> {
        let (protocol, version) = match route_type {
            "GRPC" => (TargetGroupProtocol::Http, Some(TargetGroupProtocolVersion::Grpc)),
            "TLS" => (TargetGroupProtocol::Tcp, None),
            _ => (TargetGroupProtocol::Http, Some(TargetGroupProtocolVersion::Http1)),
        };
        let tags = self.target_group_tags(namespace, export, "ServiceExport", version.as_ref());
        self.target_group(namespace, export, port, protocol, version, tags, targets).await
    }

    fn target_group_tags(
        &self,
        namespace: &str,
        service: &str,
        source: &str,
        version: Option<&TargetGroupProtocolVersion>,
    ) -> HashMap<String, String> {
        let mut tags = self.managed();
        tags.insert(CLUSTER_NAME.to_owned(), self.identity.cluster_name.clone());
        tags.insert(SERVICE_NAME.to_owned(), service.to_owned());
        tags.insert(SERVICE_NAMESPACE.to_owned(), namespace.to_owned());
        tags.insert(SOURCE_TYPE.to_owned(), source.to_owned());
        tags.insert(PROTOCOL_VERSION.to_owned(), version.map_or("", |v| v.as_str()).to_owned());
        tags
    }

    #[allow(clippy::too_many_arguments, reason = "mirrors the controller's target group spec field by field")]
    async fn target_group(
        &mut self,
        namespace: &str,
        service: &str,
        port: i32,
        protocol: TargetGroupProtocol,
        version: Option<TargetGroupProtocolVersion>,
        tags: HashMap<String, String>,
        targets: &[(&str, i32)],
    ) -> Result<Created, Error> {
        const OP: &str = "CreateTargetGroup";
        let name = format!("k8s-{}-{}-{}", truncate(namespace, 55), truncate(service, 55), self.letters());
        let health_check = if protocol == TargetGroupProtocol::Tcp {
            HealthCheckConfig::builder().enabled(false).build()
        } else {
            HealthCheckConfig::builder()
                .enabled(true)
                .protocol(TargetGroupProtocol::Http)
                .protocol_version(HealthCheckProtocolVersion::Http1)
                .path("/")
                .matcher(Matcher::HttpCode("200".to_owned()))
                .health_check_interval_seconds(30)
                .health_check_timeout_seconds(5)
                .healthy_threshold_count(5)
                .unhealthy_threshold_count(2)
                .build()
        };
        let config = TargetGroupConfig::builder()
            .port(port)
            .protocol(protocol)
            .set_protocol_version(version)
            .ip_address_type(IpAddressType::Ipv4)
            .vpc_identifier(&self.identity.vpc_id)
            .health_check(health_check)
            .build();
        let out = self
            .client
            .create_target_group()
            .name(&name)
            .r#type(TargetGroupType::Ip)
            .config(config)
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(call(OP, &name))?;
        let created = Created {
            id: field(out.id(), OP, &name, "id")?.to_owned(),
            arn: field(out.arn(), OP, &name, "arn")?.to_owned(),
            name,
        };
        if !targets.is_empty() {
            let targets: Vec<Target> = targets
                .iter()
                .map(|(ip, port)| {
                    Target::builder().id(*ip).port(*port).build().map_err(call("RegisterTargets", &created.name))
                })
                .collect::<Result<_, _>>()?;
            self.client
                .register_targets()
                .target_group_identifier(&created.id)
                .set_targets(Some(targets))
                .send()
                .await
                .map_err(call("RegisterTargets", &created.name))?;
        }
        Ok(created)
    }

    /// A route's service (tags `ManagedBy`, `RouteName`, `RouteNamespace`, `RouteType`) and its
    /// associations with `networks` (ids; tagged `ManagedBy` only).
    pub async fn service(&self, route: RouteRef<'_>, networks: &[&str]) -> Result<Created, Error> {
        const OP: &str = "CreateService";
        let name = route.service_name();
        let mut tags = self.managed();
        tags.insert(ROUTE_NAME.to_owned(), route.name.to_owned());
        tags.insert(ROUTE_NAMESPACE.to_owned(), route.namespace.to_owned());
        tags.insert(ROUTE_TYPE.to_owned(), route.route_type().to_owned());
        let out =
            self.client.create_service().name(&name).set_tags(Some(tags)).send().await.map_err(call(OP, &name))?;
        let created = Created {
            id: field(out.id(), OP, &name, "id")?.to_owned(),
            arn: field(out.arn(), OP, &name, "arn")?.to_owned(),
            name,
        };
        for network in networks {
            self.client
                .create_service_network_service_association()
                .service_identifier(&created.id)
                .service_network_identifier(*network)
                .set_tags(Some(self.managed()))
                .send()
                .await
                .map_err(call("CreateServiceNetworkServiceAssociation", &created.name))?;
        }
        Ok(created)
    }

    /// A listener `<service>-<port>-<http|https|tls>` whose default action answers 404.
    pub async fn listener(
        &self,
        route: RouteRef<'_>,
        service_id: &str,
        port: i32,
        protocol: ListenerProtocol,
    ) -> Result<Created, Error> {
        const OP: &str = "CreateListener";
        let short = match protocol {
            ListenerProtocol::Https => "https",
            ListenerProtocol::TlsPassthrough => "tls",
            _ => "http",
        };
        let name = format!("{}-{port}-{short}", route.service_name());
        let fixed = FixedResponseAction::builder().status_code(404).build().map_err(call(OP, &name))?;
        let out = self
            .client
            .create_listener()
            .service_identifier(service_id)
            .name(&name)
            .protocol(protocol)
            .port(port)
            .default_action(RuleAction::FixedResponse(fixed))
            .set_tags(Some(self.managed()))
            .send()
            .await
            .map_err(call(OP, &name))?;
        Ok(Created {
            id: field(out.id(), OP, &name, "id")?.to_owned(),
            arn: field(out.arn(), OP, &name, "arn")?.to_owned(),
            name,
        })
    }

    /// The rules of one listener, the way the controller makes them: each created at the next
    /// free priority with the name `k8s-<unix>-rule-<priority>`, then one `BatchUpdateRule` to
    /// the final priorities when any differs.
    pub async fn rules(&self, service_id: &str, listener_id: &str, rules: &[RuleSeed]) -> Result<Vec<Created>, Error> {
        const OP: &str = "CreateRule";
        let mut created = Vec::new();
        let mut moves = Vec::new();
        for (slot, rule) in (1..).zip(rules) {
            let name = format!("k8s-{}-rule-{slot}", self.created_at);
            let path =
                PathMatch::builder().r#match(PathMatchType::Prefix(rule.prefix.clone())).case_sensitive(true).build();
            let groups = rule
                .forward
                .iter()
                .map(|(tg, weight)| WeightedTargetGroup::builder().target_group_identifier(tg).weight(*weight).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(call(OP, &name))?;
            let forward = ForwardAction::builder().set_target_groups(Some(groups)).build().map_err(call(OP, &name))?;
            let out = self
                .client
                .create_rule()
                .service_identifier(service_id)
                .listener_identifier(listener_id)
                .name(&name)
                .priority(slot)
                .r#match(RuleMatch::HttpMatch(HttpMatch::builder().path_match(path).build()))
                .action(RuleAction::Forward(forward))
                .set_tags(Some(self.managed()))
                .send()
                .await
                .map_err(call(OP, &name))?;
            let id = field(out.id(), OP, &name, "id")?.to_owned();
            if slot != rule.priority {
                moves.push(
                    RuleUpdate::builder()
                        .rule_identifier(&id)
                        .priority(rule.priority)
                        .build()
                        .map_err(call(OP, &name))?,
                );
            }
            created.push(Created { arn: field(out.arn(), OP, &name, "arn")?.to_owned(), id, name });
        }
        if !moves.is_empty() {
            self.client
                .batch_update_rule()
                .service_identifier(service_id)
                .listener_identifier(listener_id)
                .set_rules(Some(moves))
                .send()
                .await
                .map_err(call("BatchUpdateRule", listener_id))?;
        }
        Ok(created)
    }
}
