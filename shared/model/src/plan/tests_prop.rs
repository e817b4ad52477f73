//! Properties: from any state our plans produced, planning a new desired state, applying it in
//! the in-memory Lattice and planning again leaves nothing to do, and the result is the desired
//! state.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::sample::subsequence;

use crate::lattice::{DesiredState, HttpMatch, ListenerProtocol, RuleAction, RuleMatch, Target, TargetGroupSpec};
use crate::names::Tags;
use crate::observed::ObservedState;

use super::test_support::*;

const ROUTES: usize = 6;
const GROUPS: usize = 5;
const PATHS: usize = 8;
const NETWORKS: [&str; 4] = ["net-a", "net-b", "sn-0bbbbbbbbbbbbbbbb", "net-missing"];
const EXTRA_TAG: &str = "application-networking.k8s.aws/Extra";

#[derive(Clone, Debug)]
struct ActionGen {
    kind: u8,
    first: usize,
    second: usize,
    weight: i32,
}

#[derive(Clone, Debug)]
struct ListenerGen {
    port: i32,
    https: bool,
    default: ActionGen,
    rules: Vec<(usize, i32, ActionGen)>,
}

#[derive(Clone, Debug)]
struct ServiceGen {
    route: usize,
    listeners: Vec<ListenerGen>,
    networks: Vec<usize>,
    cert: bool,
    extra: Option<bool>,
}

#[derive(Clone, Debug)]
struct GroupGen {
    index: usize,
    start: usize,
    count: usize,
    interval: i32,
    extra: Option<bool>,
}

fn action_gen() -> impl Strategy<Value = ActionGen> {
    (0u8..4, 0..GROUPS, 0..GROUPS, 0i32..100).prop_map(|(kind, first, second, weight)| ActionGen {
        kind,
        first,
        second,
        weight,
    })
}

fn listener_gen(port: i32) -> impl Strategy<Value = ListenerGen> {
    let priorities: Vec<i32> = (1..=12).collect();
    (
        any::<bool>(),
        action_gen(),
        subsequence((0..PATHS).collect::<Vec<_>>(), 0..=6),
        Just(priorities).prop_shuffle(),
        prop::collection::vec(action_gen(), 6),
    )
        .prop_map(move |(https, default, paths, priorities, actions)| ListenerGen {
            port,
            https,
            default,
            rules: paths
                .into_iter()
                .zip(priorities)
                .zip(actions)
                .map(|((path, priority), action)| (path, priority, action))
                .collect(),
        })
}

fn service_gen(route: usize) -> impl Strategy<Value = ServiceGen> {
    (
        subsequence(vec![80, 443, 8080], 1..=2),
        subsequence((0..NETWORKS.len()).collect::<Vec<_>>(), 0..=3),
        any::<bool>(),
        prop::option::of(any::<bool>()),
    )
        .prop_flat_map(move |(ports, networks, cert, extra)| {
            let listeners: Vec<_> = ports.into_iter().map(listener_gen).collect();
            (listeners, Just(networks), Just(cert), Just(extra))
        })
        .prop_map(move |(listeners, networks, cert, extra)| ServiceGen { route, listeners, networks, cert, extra })
}

fn group_gen(index: usize) -> impl Strategy<Value = GroupGen> {
    (0..100usize, 0..=250usize, prop::sample::select(vec![10, 30]), prop::option::of(any::<bool>()))
        .prop_map(move |(start, count, interval, extra)| GroupGen { index, start, count, interval, extra })
}

fn desired_gen() -> impl Strategy<Value = DesiredState> {
    (subsequence((0..ROUTES).collect::<Vec<_>>(), 1..=5), subsequence((0..GROUPS).collect::<Vec<_>>(), 0..=4))
        .prop_flat_map(|(routes, groups)| {
            let services: Vec<_> = routes.into_iter().map(service_gen).collect();
            let groups: Vec<_> = groups.into_iter().map(group_gen).collect();
            (services, groups)
        })
        .prop_map(|(services, groups)| build(&services, &groups))
}

fn with_extra(mut tags: Tags, extra: Option<bool>) -> Tags {
    if let Some(value) = extra {
        tags.insert(EXTRA_TAG.to_owned(), value.to_string());
    }
    tags
}

fn build(services: &[ServiceGen], groups: &[GroupGen]) -> DesiredState {
    let names: Vec<String> = groups.iter().map(|g| format!("k8s-tg{}", g.index)).collect();
    let action = |a: &ActionGen| -> RuleAction {
        if names.is_empty() || a.kind < 2 {
            return RuleAction::fixed(if a.kind == 0 { 404 } else { 500 });
        }
        let first = &names[a.first % names.len()];
        let second = &names[a.second % names.len()];
        if a.kind == 2 || first == second {
            forward(&[(first, a.weight)])
        } else {
            forward(&[(first, a.weight), (second, 100 - a.weight)])
        }
    };
    let services = services
        .iter()
        .map(|g| {
            let route = format!("r{}", g.route);
            let mut svc = mk_service(&route);
            svc.tags = with_extra(svc.tags, g.extra);
            svc.custom_domain_name = g.route.is_multiple_of(2).then(|| format!("{route}.example.com"));
            let cert = if g.cert { "one" } else { "two" };
            svc.certificate_arn = Some(format!("arn:aws:acm:us-west-2:111122223333:certificate/{cert}"));
            svc.service_networks = g.networks.iter().map(|i| NETWORKS[*i].to_owned()).collect();
            for l in &g.listeners {
                let protocol = if l.https { ListenerProtocol::Https } else { ListenerProtocol::Http };
                let mut listener = mk_listener(l.port, protocol, action(&l.default));
                listener.tags = with_extra(listener.tags, g.extra);
                for (path, priority, a) in &l.rules {
                    let mut rule = mk_rule(*priority, &format!("/p{path}"), action(a));
                    rule.tags = with_extra(rule.tags, g.extra);
                    listener = listener.rule(rule);
                }
                svc = svc.listener(listener);
            }
            svc
        })
        .collect();
    let target_groups = groups
        .iter()
        .map(|g| {
            let mut tg: TargetGroupSpec = mk_tg(&format!("k8s-tg{}", g.index), &format!("r{}", g.index));
            tg.targets = targets(g.start + g.count).split_off(g.start);
            tg.config.health_check = Some(serde_json::json!({ "healthCheckIntervalSeconds": g.interval }));
            tg.tags = with_extra(tg.tags, g.extra);
            tg
        })
        .collect();
    desired(services, target_groups)
}

/// What an action does, with target groups by name.
#[derive(Debug, PartialEq, Eq)]
enum Does {
    Fixed(i32),
    Forward(BTreeSet<(String, i32)>),
}

type Rules = BTreeMap<i32, (HttpMatch, Does, Tags)>;
type Listeners = BTreeMap<i32, (String, ListenerProtocol, Does, Tags, Rules)>;
type Services = BTreeMap<String, (Option<String>, Option<String>, Tags, BTreeSet<String>, Listeners)>;
type Groups = BTreeMap<String, (BTreeSet<Target>, Option<serde_json::Value>, Tags)>;

/// Resolves a target group identifier or service network to a name through `names`.
fn does(action: &RuleAction, names: &BTreeMap<String, String>) -> Does {
    match action {
        RuleAction::FixedResponse(f) => Does::Fixed(f.status_code),
        RuleAction::Forward(f) => Does::Forward(
            f.target_groups
                .iter()
                .map(|tg| {
                    let id = &tg.target_group_identifier;
                    (names.get(id).unwrap_or(id).clone(), tg.weight)
                })
                .collect(),
        ),
    }
}

fn project_desired(want: &DesiredState, base: &ObservedState) -> (Services, Groups) {
    let none = BTreeMap::new();
    let services = want
        .services
        .iter()
        .map(|s| {
            let networks =
                s.service_networks.iter().filter_map(|n| base.service_network(n).map(|sn| sn.name.clone())).collect();
            let listeners = s
                .listeners
                .iter()
                .map(|l| {
                    let rules = l
                        .rules
                        .iter()
                        .map(|r| {
                            let RuleMatch::HttpMatch(m) = &r.matcher;
                            (r.priority, (m.clone(), does(&r.action, &none), r.tags.clone()))
                        })
                        .collect();
                    let default = does(&l.default_action, &none);
                    (l.port, (l.name.clone(), l.protocol, default, l.tags.clone(), rules))
                })
                .collect();
            let attributes = (s.custom_domain_name.clone(), s.certificate_arn.clone());
            (s.name.clone(), (attributes.0, attributes.1, s.tags.clone(), networks, listeners))
        })
        .collect();
    let groups = want
        .target_groups
        .iter()
        .map(|tg| {
            let targets = tg.targets.iter().cloned().collect();
            (tg.name.clone(), (targets, tg.config.health_check.clone(), tg.tags.clone()))
        })
        .collect();
    (services, groups)
}

fn project_observed(seen: &ObservedState) -> (Services, Groups) {
    let names: BTreeMap<String, String> =
        seen.target_groups.iter().map(|tg| (tg.id.clone(), tg.name.clone())).collect();
    let services = seen
        .services
        .iter()
        .map(|s| {
            let networks = s.associations.iter().map(|a| a.service_network_name.clone()).collect();
            let listeners = s
                .listeners
                .iter()
                .map(|l| {
                    let rules = l
                        .rules
                        .iter()
                        .map(|r| (r.priority, (r.matcher.clone(), does(&r.action, &names), r.tags.clone())))
                        .collect();
                    let default = does(&l.default_action, &names);
                    (l.port, (l.name.clone(), l.protocol, default, l.tags.clone(), rules))
                })
                .collect();
            let attributes = (s.custom_domain_name.clone(), s.certificate_arn.clone());
            (s.name.clone(), (attributes.0, attributes.1, s.tags.clone(), networks, listeners))
        })
        .collect();
    let groups = seen
        .target_groups
        .iter()
        .map(|tg| {
            let targets = tg.targets.iter().cloned().collect();
            (tg.name.clone(), (targets, tg.config.health_check.clone(), tg.tags.clone()))
        })
        .collect();
    (services, groups)
}

/// Plans `to` against `observed`, applies it, and checks convergence.
fn converge(observed: &mut ObservedState, ids: &mut super::memory::IdGen, to: &DesiredState) {
    let plan = plan_all(to, observed);
    assert!(plan.refused.is_empty(), "{:?}", plan.refused);
    apply(&plan, observed, ids);
    let again = plan_all(to, observed);
    assert!(again.is_noop(), "left to do: {:?}", again.actions);
    assert!(again.refused.is_empty(), "{:?}", again.refused);
    assert_eq!(project_observed(observed), project_desired(to, &base_observed()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_desired_state_is_reached_from_any_planned_state(
        from in desired_gen(),
        to in desired_gen(),
    ) {
        let (mut observed, mut ids) = observe(&from);
        converge(&mut observed, &mut ids, &to);
        // And back.
        converge(&mut observed, &mut ids, &from);
    }

    #[test]
    fn any_rule_priorities_are_reached(
        from in prop::collection::vec(0..40i32, 0..25),
        to in prop::collection::vec(0..40i32, 0..25),
    ) {
        // Rule k matches /p<k>; priorities are made distinct by dropping repeats.
        let listener = |priorities: &[i32]| {
            let mut seen = BTreeSet::new();
            let mut listener = mk_listener(80, ListenerProtocol::Http, RuleAction::fixed(404));
            for (k, priority) in priorities.iter().enumerate() {
                if seen.insert(*priority) {
                    let status = if priority.rem_euclid(2) == 0 { 404 } else { 500 };
                    listener = listener.rule(mk_rule(priority + 1, &format!("/p{k}"), RuleAction::fixed(status)));
                }
            }
            desired(vec![mk_service("rates").listener(listener)], vec![])
        };
        let (mut observed, mut ids) = observe(&listener(&from));
        converge(&mut observed, &mut ids, &listener(&to));
    }
}
