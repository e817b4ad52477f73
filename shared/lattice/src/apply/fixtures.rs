//! A small inventory for the unit tests of the executor, built with the in-memory Lattice.

use model::lattice::{
    DesiredState, ForwardAction, HttpMatch, ListenerProtocol, ListenerSpec, PathMatch, PathMatchType, RuleAction,
    RuleMatch, RuleSpec, ServiceSpec, Target, TargetGroupConfig, TargetGroupSpec, TargetGroupType, WeightedTargetGroup,
};
use model::names::{TAG_MANAGED_BY, Tags};
use model::observed::{ObservedServiceNetwork, ObservedState};
use model::plan::memory::{self, IdGen};
use model::plan::{Plan, Scope, plan};

pub(super) const MANAGED_BY: &str = "111122223333/test-cluster/vpc-0123";
pub(super) const OTHER: &str = "111122223333/other-cluster/vpc-0456";

pub(super) fn ours() -> Tags {
    [(TAG_MANAGED_BY.to_owned(), MANAGED_BY.to_owned())].into()
}

pub(super) fn forward(tg: &str) -> RuleAction {
    RuleAction::Forward(ForwardAction {
        target_groups: vec![WeightedTargetGroup { target_group_identifier: tg.into(), weight: 1 }],
    })
}

pub(super) fn prefix(path: &str) -> RuleMatch {
    RuleMatch::HttpMatch(HttpMatch {
        path_match: Some(PathMatch { matcher: PathMatchType::Prefix(path.into()), case_sensitive: true }),
        ..HttpMatch::default()
    })
}

/// `rates-default` on `net-a`, an HTTP listener forwarding to `k8s-rates`, a rule for `/a`,
/// and `k8s-rates` with two targets.
pub(super) fn desired() -> DesiredState {
    let rule = RuleSpec {
        name: "k8s-rule-a".into(),
        priority: 1,
        matcher: prefix("/a"),
        action: forward("k8s-rates"),
        tags: ours(),
    };
    let listener = ListenerSpec {
        name: "rates-default-80-http".into(),
        protocol: ListenerProtocol::Http,
        port: 80,
        default_action: forward("k8s-rates"),
        rules: vec![rule],
        tags: ours(),
    };
    let service = ServiceSpec {
        name: "rates-default".into(),
        custom_domain_name: None,
        certificate_arn: None,
        tags: ours(),
        service_networks: vec!["net-a".into()],
        listeners: vec![listener],
        owner: None,
        takeover_from: None,
    };
    let tg = TargetGroupSpec {
        name: "k8s-rates".into(),
        kind: TargetGroupType::Ip,
        config: TargetGroupConfig {
            port: 8080,
            protocol: "HTTP".into(),
            protocol_version: Some("HTTP1".into()),
            ip_address_type: "IPV4".into(),
            vpc_identifier: "vpc-0123".into(),
            health_check: None,
        },
        tags: ours(),
        targets: vec![Target { id: "10.0.0.1".into(), port: 8080 }, Target { id: "10.0.0.2".into(), port: 8080 }],
        owner: None,
    };
    DesiredState { services: vec![service], target_groups: vec![tg], ..DesiredState::default() }
}

/// An inventory with only the service network `net-a`.
pub(super) fn empty() -> ObservedState {
    ObservedState {
        service_networks: vec![ObservedServiceNetwork {
            id: "sn-0aaaaaaaaaaaaaaaa".into(),
            arn: "arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-0aaaaaaaaaaaaaaaa".into(),
            name: "net-a".into(),
            tags: Tags::new(),
            ..ObservedServiceNetwork::default()
        }],
        ..ObservedState::default()
    }
}

/// The plan that creates [`desired`] from [`empty`].
pub(super) fn creation() -> Plan {
    plan(&desired(), &empty(), &Scope::All, MANAGED_BY)
}

/// The inventory once [`desired`] exists.
pub(super) fn inventory() -> ObservedState {
    let mut observed = empty();
    memory::apply(&creation(), &mut observed, &mut IdGen::new()).expect("the in-memory Lattice accepts the plan");
    observed
}
