//! Property: for generated Gateway API inputs, applying the plan to an in-memory VPC Lattice and
//! translating and planning again yields nothing, from an empty start and from the state another
//! generated input left behind.

use k8s_openapi::jiff::Timestamp;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::translate;
use crate::config::{Config, Identity};
use crate::observed::{ObservedServiceNetwork, ObservedState};
use crate::plan::memory::{IdGen, apply};
use crate::plan::{Scope, plan};
use crate::snapshot::ClusterSnapshot;

#[derive(Clone, Debug)]
struct MatchGen {
    exact: bool,
    path: usize,
    method: Option<usize>,
    headers: usize,
}

#[derive(Clone, Debug)]
struct RuleGen {
    matches: Vec<MatchGen>,
    backends: Vec<(usize, i32)>,
}

#[derive(Clone, Debug)]
struct RouteGen {
    name: usize,
    https: bool,
    rules: Vec<RuleGen>,
}

const PATHS: [&str; 5] = ["/", "/a", "/a/b", "/shop", "/api/v1"];
const METHODS: [&str; 3] = ["GET", "POST", "DELETE"];
const SERVICES: usize = 4;

fn match_gen() -> impl Strategy<Value = MatchGen> {
    (any::<bool>(), 0..PATHS.len(), proptest::option::of(0..METHODS.len()), 0..3_usize)
        .prop_map(|(exact, path, method, headers)| MatchGen { exact, path, method, headers })
}

fn rule_gen() -> impl Strategy<Value = RuleGen> {
    (
        proptest::collection::vec(match_gen(), 0..3),
        proptest::collection::vec((0..SERVICES + 1, prop_oneof![Just(1), Just(0), 1..2_000_000]), 0..3),
    )
        .prop_map(|(matches, backends)| RuleGen { matches, backends })
}

fn route_gen() -> impl Strategy<Value = RouteGen> {
    (0..6_usize, any::<bool>(), proptest::collection::vec(rule_gen(), 1..5)).prop_map(|(name, https, rules)| RouteGen {
        name,
        https,
        rules,
    })
}

fn manifest(routes: &[RouteGen]) -> Vec<Value> {
    let mut docs = vec![
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": {"name": "lattice"},
               "spec": {"controllerName": "application-networking.k8s.aws/gateway-api-controller"}}),
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "gw", "namespace": "default"},
               "spec": {"gatewayClassName": "lattice", "listeners": [
                   {"name": "http", "protocol": "HTTP", "port": 80},
                   {"name": "https", "protocol": "HTTPS", "port": 443}]}}),
    ];
    for s in 0..SERVICES {
        docs.push(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": format!("svc{s}"), "namespace": "default"},
                          "spec": {"ports": [{"port": 80}]}}));
        docs.push(json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": format!("svc{s}-1"), "namespace": "default", "labels": {"kubernetes.io/service-name": format!("svc{s}")}},
            "addressType": "IPv4", "ports": [{"port": 8080}],
            "endpoints": (0..=s).map(|i| json!({"addresses": [format!("10.0.{s}.{i}")]})).collect::<Vec<_>>()}));
    }
    let mut seen = Vec::new();
    for r in routes {
        if seen.contains(&r.name) {
            continue;
        }
        seen.push(r.name);
        let rules: Vec<Value> = r
            .rules
            .iter()
            .map(|rule| {
                let matches: Vec<Value> = rule
                    .matches
                    .iter()
                    .map(|m| {
                        let mut v = json!({"path": {"type": if m.exact { "Exact" } else { "PathPrefix" }, "value": PATHS[m.path]}});
                        if let Some(i) = m.method {
                            v["method"] = json!(METHODS[i]);
                        }
                        v["headers"] = json!((0..m.headers).map(|h| json!({"name": format!("x-h{h}"), "value": "v"})).collect::<Vec<_>>());
                        v
                    })
                    .collect();
                let backends: Vec<Value> =
                    rule.backends.iter().map(|(s, w)| json!({"name": format!("svc{s}"), "port": 80, "weight": w})).collect();
                json!({"matches": matches, "backendRefs": backends})
            })
            .collect();
        let mut parents = vec![json!({"name": "gw", "sectionName": "http"})];
        if r.https {
            parents.push(json!({"name": "gw", "sectionName": "https"}));
        }
        let mut spec = json!({"parentRefs": parents, "rules": rules});
        // A service's custom domain cannot change in VPC Lattice, so a route keeps its hostname.
        if r.name % 2 == 0 {
            spec["hostnames"] = json!([format!("r{}.example.com", r.name)]);
        }
        docs.push(json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": format!("route{}", r.name), "namespace": "default", "creationTimestamp": format!("2026-01-0{}T00:00:00Z", r.name + 1)},
            "spec": spec}));
    }
    docs
}

fn snapshot(docs: Vec<Value>) -> ClusterSnapshot {
    let mut s = ClusterSnapshot::default();
    for d in docs {
        match d["kind"].as_str().unwrap_or_default() {
            "GatewayClass" => s.gateway_classes.push(serde_json::from_value(d).expect("class")),
            "Gateway" => s.gateways.push(serde_json::from_value(d).expect("gateway")),
            "Service" => s.services.push(serde_json::from_value(d).expect("service")),
            "EndpointSlice" => s.endpoint_slices.push(serde_json::from_value(d).expect("slice")),
            "HTTPRoute" => s.http_routes.push(serde_json::from_value(d).expect("route")),
            other => panic!("unexpected kind {other}"),
        }
    }
    s
}

fn config() -> Config {
    Config::new(Identity {
        account_id: "111122223333".into(),
        cluster_name: "prop".into(),
        vpc_id: "vpc-0123456789abcdef0".into(),
        region: "us-west-2".into(),
    })
}

/// Translates, plans, applies; returns the number of actions applied.
fn converge(snapshot: &ClusterSnapshot, observed: &mut ObservedState, ids: &mut IdGen) -> usize {
    let config = config();
    let now = Timestamp::from_second(1_767_225_600).expect("time");
    let managed_by = config.identity.managed_by();
    let first = plan(&translate(snapshot, observed, &config, now).desired, observed, &Scope::All, &managed_by);
    assert!(first.refused.is_empty(), "nothing foreign exists, so nothing is refused: {:?}", first.refused);
    apply(&first, observed, ids).expect("the plan applies to the in-memory Lattice");
    let second = plan(&translate(snapshot, observed, &config, now).desired, observed, &Scope::All, &managed_by);
    assert!(second.actions.is_empty(), "a second plan must be empty, got {:#?}", second.actions);
    first.actions.len()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn applying_the_plan_converges(before in proptest::collection::vec(route_gen(), 0..4), after in proptest::collection::vec(route_gen(), 1..4)) {
        let mut observed = ObservedState {
            service_networks: vec![ObservedServiceNetwork {
                id: "sn-0123456789abcdef0".into(),
                arn: "arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-0123456789abcdef0".into(),
                name: "gw".into(),
                tags: Default::default(),
                ..ObservedServiceNetwork::default()
            }],
            ..ObservedState::default()
        };
        let mut ids = IdGen::new();
        converge(&snapshot(manifest(&before)), &mut observed, &mut ids);
        let applied = converge(&snapshot(manifest(&after)), &mut observed, &mut ids);
        // Removing every route garbage-collects everything the routes created.
        converge(&snapshot(manifest(&[])), &mut observed, &mut ids);
        prop_assert!(observed.services.is_empty(), "services left: {:?}", observed.services.iter().map(|s| &s.name).collect::<Vec<_>>());
        prop_assert!(observed.target_groups.is_empty());
        let _ = applied;
    }
}
