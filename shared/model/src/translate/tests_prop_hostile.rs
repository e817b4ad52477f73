//! Property: hostile generated input (arbitrary unicode names, hostnames and paths, weights and
//! ports over the whole `i32` range, many rules and backends, routes on Gateways that may not
//! exist) never makes translation or planning panic; translation is deterministic; and planning
//! the state a plan produced asks for nothing more.

use k8s_openapi::jiff::Timestamp;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::translate;
use crate::config::{Config, Identity};
use crate::observed::{ObservedServiceNetwork, ObservedState};
use crate::plan::memory::{IdGen, apply};
use crate::plan::{Scope, plan};
use crate::snapshot::ClusterSnapshot;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9-]{1,70}",
        "\\PC{0,80}",
        Just(String::new()),
        Just("a".repeat(300)),
        Just("*.example.com".to_owned()),
        Just("ünï.例え.com".to_owned()),
    ]
}

fn backend() -> impl Strategy<Value = Value> {
    let port = prop_oneof![3 => Just(80), 1 => any::<i32>()];
    let weight = prop_oneof![2 => 0..1000_i32, 1 => Just(1_000_000), 1 => any::<i32>()];
    (prop_oneof![3 => Just("svc".to_owned()), 1 => text()], port, weight, prop::bool::weighted(0.2)).prop_map(
        |(name, port, weight, other_ns)| {
            let mut b = json!({"name": name, "port": port, "weight": weight});
            if other_ns {
                b["namespace"] = json!("elsewhere");
            }
            b
        },
    )
}

fn rule() -> impl Strategy<Value = Value> {
    let path = prop_oneof![3 => "/[a-z0-9/._-]{0,40}", 1 => text()];
    (path, proptest::collection::vec(backend(), 0..12), prop::bool::weighted(0.2)).prop_map(
        |(path, backends, regex)| {
            let kind = if regex { "RegularExpression" } else { "PathPrefix" };
            json!({"matches": [{"path": {"type": kind, "value": path}}], "backendRefs": backends})
        },
    )
}

fn route() -> impl Strategy<Value = Value> {
    ("[a-z][a-z0-9-]{0,60}", proptest::collection::vec(text(), 0..2), proptest::collection::vec(rule(), 0..24), text())
        .prop_map(|(name, hostnames, rules, gateway)| {
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
                "metadata": {"name": name, "namespace": "default"},
                "spec": {"parentRefs": [{"name": "gw"}, {"name": gateway, "sectionName": "http"}],
                         "hostnames": hostnames, "rules": rules}})
        })
}

fn snapshot(routes: &[Value]) -> ClusterSnapshot {
    let mut s = ClusterSnapshot::default();
    s.gateway_classes.push(
        serde_json::from_value(json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
            "metadata": {"name": "lattice"},
            "spec": {"controllerName": "application-networking.k8s.aws/gateway-api-controller"}}))
        .expect("class"),
    );
    s.gateways.push(
        serde_json::from_value(json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": {"name": "gw", "namespace": "default"},
            "spec": {"gatewayClassName": "lattice", "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}]}}))
        .expect("gateway"),
    );
    s.services.push(
        serde_json::from_value(json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "svc", "namespace": "default"}, "spec": {"ports": [{"port": 80}]}}))
        .expect("service"),
    );
    // Whatever the typed reading refuses (an i32 port in a Service...) is not a route we get.
    s.http_routes.extend(routes.iter().filter_map(|r| serde_json::from_value(r.clone()).ok()));
    s
}

fn config() -> Config {
    Config::new(Identity {
        account_id: "111122223333".into(),
        cluster_name: "hostile".into(),
        vpc_id: "vpc-0123456789abcdef0".into(),
        region: "us-west-2".into(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn hostile_routes_translate_deterministically_and_converge(routes in proptest::collection::vec(route(), 0..4)) {
        let snapshot = snapshot(&routes);
        let config = config();
        let now = Timestamp::from_second(1_767_225_600).expect("time");
        let managed_by = config.identity.managed_by();
        let mut observed = ObservedState {
            service_networks: vec![ObservedServiceNetwork {
                id: "sn-0123456789abcdef0".into(),
                arn: "arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-0123456789abcdef0".into(),
                name: "gw".into(),
                ..ObservedServiceNetwork::default()
            }],
            ..ObservedState::default()
        };
        let first = translate(&snapshot, &observed, &config, now);
        let again = translate(&snapshot, &observed, &config, now);
        prop_assert_eq!(format!("{:?}", first.desired), format!("{:?}", again.desired));
        prop_assert_eq!(format!("{:?}", first.status), format!("{:?}", again.status));
        let p = plan(&first.desired, &observed, &Scope::All, &managed_by);
        prop_assert_eq!(&p, &plan(&first.desired, &observed, &Scope::All, &managed_by));
        // The in-memory Lattice enforces the API's rules; what it accepts must then be stable.
        if apply(&p, &mut observed, &mut IdGen::new()).is_ok() {
            let desired = translate(&snapshot, &observed, &config, now).desired;
            let second = plan(&desired, &observed, &Scope::All, &managed_by);
            prop_assert!(second.actions.is_empty(), "a second plan must be empty: {:#?}", second.actions);
        }
    }
}
