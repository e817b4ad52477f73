//! Builders shared by the plan tests.

use crate::lattice::{
    DesiredState, ForwardAction, HttpMatch, ListenerProtocol, ListenerSpec, OwnerKey, PathMatch, PathMatchType,
    RuleAction, RuleMatch, RuleSpec, ServiceSpec, Target, TargetGroupConfig, TargetGroupSpec, TargetGroupType,
    WeightedTargetGroup,
};
use crate::names::{self, TAG_MANAGED_BY, TAG_ROUTE_NAME, TAG_ROUTE_NAMESPACE, TAG_ROUTE_TYPE, TAG_SOURCE_TYPE, Tags};
use crate::observed::{ObservedServiceNetwork, ObservedState};

use super::memory::{self, IdGen};
use super::{Plan, Scope, plan};

/// Our `ManagedBy` value.
pub(crate) const MANAGED_BY: &str = "111122223333/test-cluster/vpc-0123";
/// Someone else's `ManagedBy` value.
pub(crate) const OTHER: &str = "111122223333/other-cluster/vpc-0456";
/// Namespace of every test route.
pub(crate) const NS: &str = "default";

pub(crate) fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// An `HTTPRoute` (or other kind) owner in the test namespace.
pub(crate) fn owner(kind: &str, name: &str) -> OwnerKey {
    OwnerKey { kind: kind.to_owned(), namespace: NS.to_owned(), name: name.to_owned() }
}

/// Our tags for a resource of HTTP route `route`.
pub(crate) fn route_tags(route: &str) -> Tags {
    tags(&[(TAG_MANAGED_BY, MANAGED_BY), (TAG_ROUTE_NAME, route), (TAG_ROUTE_NAMESPACE, NS), (TAG_ROUTE_TYPE, "http")])
}

pub(crate) fn forward(groups: &[(&str, i32)]) -> RuleAction {
    RuleAction::Forward(ForwardAction {
        target_groups: groups
            .iter()
            .map(|(id, weight)| WeightedTargetGroup { target_group_identifier: (*id).to_owned(), weight: *weight })
            .collect(),
    })
}

pub(crate) fn prefix(path: &str) -> HttpMatch {
    HttpMatch {
        path_match: Some(PathMatch { matcher: PathMatchType::Prefix(path.to_owned()), case_sensitive: true }),
        ..HttpMatch::default()
    }
}

/// `n` distinct IP targets on port 8080.
pub(crate) fn targets(n: usize) -> Vec<Target> {
    (0..n).map(|i| Target { id: format!("10.0.{}.{}", i / 256, i % 256), port: 8080 }).collect()
}

/// A target group of HTTP route `route`, without targets.
pub(crate) fn mk_tg(name: &str, route: &str) -> TargetGroupSpec {
    let mut tags = route_tags(route);
    tags.remove(TAG_ROUTE_TYPE);
    tags.insert(TAG_SOURCE_TYPE.to_owned(), "HTTPRoute".to_owned());
    TargetGroupSpec {
        name: name.to_owned(),
        kind: TargetGroupType::Ip,
        config: TargetGroupConfig {
            port: 8080,
            protocol: "HTTP".to_owned(),
            protocol_version: Some("HTTP1".to_owned()),
            ip_address_type: "IPV4".to_owned(),
            vpc_identifier: "vpc-0123".to_owned(),
            health_check: None,
        },
        tags,
        targets: Vec::new(),
        owner: Some(owner("HTTPRoute", route)),
    }
}

/// The service of HTTP route `route`, associated with `net-a`, without listeners.
pub(crate) fn mk_service(route: &str) -> ServiceSpec {
    ServiceSpec {
        name: names::service_name(route, NS),
        custom_domain_name: None,
        certificate_arn: None,
        tags: route_tags(route),
        service_networks: vec!["net-a".to_owned()],
        listeners: Vec::new(),
        owner: Some(owner("HTTPRoute", route)),
        takeover_from: None,
    }
}

pub(crate) fn mk_listener(port: i32, protocol: ListenerProtocol, action: RuleAction) -> ListenerSpec {
    ListenerSpec {
        name: format!("l-{port}-{}", protocol.short()),
        protocol,
        port,
        default_action: action,
        rules: Vec::new(),
        tags: tags(&[(TAG_MANAGED_BY, MANAGED_BY)]),
    }
}

pub(crate) fn mk_rule(priority: i32, path: &str, action: RuleAction) -> RuleSpec {
    RuleSpec {
        name: names::rule_name(path),
        priority,
        matcher: RuleMatch::HttpMatch(prefix(path)),
        action,
        tags: tags(&[(TAG_MANAGED_BY, MANAGED_BY)]),
    }
}

/// Chaining setters for desired services.
pub(crate) trait ServiceExt {
    fn listener(self, listener: ListenerSpec) -> Self;
}

impl ServiceExt for ServiceSpec {
    fn listener(mut self, listener: ListenerSpec) -> Self {
        self.listeners.push(listener);
        self
    }
}

/// Chaining setters for desired listeners.
pub(crate) trait ListenerExt {
    fn rule(self, rule: RuleSpec) -> Self;
}

impl ListenerExt for ListenerSpec {
    fn rule(mut self, rule: RuleSpec) -> Self {
        self.rules.push(rule);
        self
    }
}

/// Chaining setters for desired target groups.
pub(crate) trait TargetGroupExt {
    fn targets(self, n: usize) -> Self;
}

impl TargetGroupExt for TargetGroupSpec {
    fn targets(mut self, n: usize) -> Self {
        self.targets = targets(n);
        self
    }
}

pub(crate) fn desired(services: Vec<ServiceSpec>, target_groups: Vec<TargetGroupSpec>) -> DesiredState {
    DesiredState { services, target_groups, ..DesiredState::default() }
}

/// An account with the service networks `net-a` and `net-b` and nothing else.
pub(crate) fn base_observed() -> ObservedState {
    let network = |id: &str, name: &str| ObservedServiceNetwork {
        id: id.to_owned(),
        arn: format!("arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/{id}"),
        name: name.to_owned(),
        tags: Tags::new(),
        ..ObservedServiceNetwork::default()
    };
    ObservedState {
        service_networks: vec![network("sn-0aaaaaaaaaaaaaaaa", "net-a"), network("sn-0bbbbbbbbbbbbbbbb", "net-b")],
        ..ObservedState::default()
    }
}

/// The plan of a whole-cluster run, without its last step, the fingerprint writes (tested on
/// their own in `fingerprint::tests` with [`plan_with_fingerprints`]).
pub(crate) fn plan_all(desired: &DesiredState, observed: &ObservedState) -> Plan {
    plan_in(&Scope::All, desired, observed)
}

/// The plan of a run over `scope`, without the fingerprint writes.
pub(crate) fn plan_in(scope: &Scope, desired: &DesiredState, observed: &ObservedState) -> Plan {
    without_fingerprints(plan(desired, observed, scope, MANAGED_BY))
}

/// The whole plan of a whole-cluster run, fingerprint writes included.
pub(crate) fn plan_with_fingerprints(desired: &DesiredState, observed: &ObservedState) -> Plan {
    plan(desired, observed, &Scope::All, MANAGED_BY)
}

/// `plan` without its fingerprint writes.
pub(crate) fn without_fingerprints(mut plan: Plan) -> Plan {
    plan.actions
        .retain(|a| !matches!(a, super::Action::TagResource(t) if super::fingerprints::is_fingerprint(&t.tags)));
    plan
}

/// Applies `plan` to `observed`, panicking on a rejected call.
pub(crate) fn apply(plan: &Plan, observed: &mut ObservedState, ids: &mut IdGen) {
    if let Err(error) = memory::apply(plan, observed, ids) {
        panic!("plan rejected: {error}\n{plan:#?}");
    }
}

/// The observed state after creating `desired` from scratch.
pub(crate) fn observe(desired: &DesiredState) -> (ObservedState, IdGen) {
    let mut observed = base_observed();
    let mut ids = IdGen::new();
    let plan = plan_all(desired, &observed);
    assert!(plan.refused.is_empty(), "{:?}", plan.refused);
    apply(&plan, &mut observed, &mut ids);
    (observed, ids)
}

/// Operation names of a plan, in order.
pub(crate) fn ops(plan: &Plan) -> Vec<&'static str> {
    plan.actions.iter().map(|a| a.op()).collect()
}

/// Position of the first action with operation `op`.
pub(crate) fn first(plan: &Plan, op: &str) -> usize {
    plan.actions.iter().position(|a| a.op() == op).unwrap_or_else(|| panic!("no {op} in {:?}", ops(plan)))
}

/// Position of the last action with operation `op`.
pub(crate) fn last(plan: &Plan, op: &str) -> usize {
    plan.actions.iter().rposition(|a| a.op() == op).unwrap_or_else(|| panic!("no {op} in {:?}", ops(plan)))
}
