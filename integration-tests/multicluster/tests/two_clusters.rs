//! Multi-cluster services on one emulator: clusters "blue" and "red" export `shop/checkout`,
//! cluster "green" routes to it through a ServiceImport. Each cluster reconciles with its own
//! identity (`ManagedBy`); nobody touches the others' resources.

mod common;

use std::collections::BTreeMap;

use common::{World, changes, config, manifests, ops, world};
use model::config::Config;
use model::status::ObjectStatus;
use reconciler::{Mode, Report};

fn blue() -> Config {
    config("blue", "vpc-0aaaaaaaaaaaaaaa1")
}

fn red() -> Config {
    config("red", "vpc-0aaaaaaaaaaaaaaa2")
}

fn green() -> Config {
    config("green", "vpc-0aaaaaaaaaaaaaaa3")
}

/// An exporting cluster: Service `shop/checkout` with pods `ips` on 8080, exported for HTTP
/// routes on port 80 (or not exported at all).
fn exporter(ips: &[&str], exported: bool) -> manifests::Loaded {
    let endpoints: Vec<String> = ips
        .iter()
        .map(|ip| format!("  - addresses: [\"{ip}\"]\n    conditions: {{ready: true, terminating: false}}\n"))
        .collect();
    let mut text = format!(
        r#"
apiVersion: v1
kind: Service
metadata: {{name: checkout, namespace: shop}}
spec: {{ports: [{{name: http, port: 80, targetPort: 8080, protocol: TCP}}]}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {{name: checkout-1, namespace: shop, labels: {{kubernetes.io/service-name: checkout}}}}
addressType: IPv4
ports: [{{name: http, port: 8080, protocol: TCP}}]
endpoints:
{}"#,
        endpoints.concat()
    );
    if exported {
        text.push_str(
            r#"---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata:
  name: checkout
  namespace: shop
  annotations: {application-networking.k8s.aws/federation: amazon-vpc-lattice}
spec: {exportedPorts: [{port: 80, routeType: HTTP}]}
"#,
        );
    }
    manifests(&text)
}

/// The importing cluster: Gateway `my-hotel`, ServiceImport `shop/checkout` (with
/// `annotations`, a YAML flow mapping), and HTTPRoute `shop/front` sending `/checkout` to it.
fn importer(annotations: &str) -> manifests::Loaded {
    manifests(&format!(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {{name: amazon-vpc-lattice}}
spec: {{controllerName: application-networking.k8s.aws/gateway-api-controller}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: my-hotel, namespace: shop}}
spec: {{gatewayClassName: amazon-vpc-lattice, listeners: [{{name: http, protocol: HTTP, port: 80}}]}}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceImport
metadata: {{name: checkout, namespace: shop, annotations: {annotations}}}
spec: {{type: ClusterSetIP, ports: [{{port: 80, protocol: TCP}}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: front, namespace: shop}}
spec:
  parentRefs: [{{name: my-hotel}}]
  rules:
    - matches: [{{path: {{type: PathPrefix, value: /checkout}}}}]
      backendRefs: [{{group: application-networking.k8s.aws, kind: ServiceImport, name: checkout}}]
"#
    ))
}

/// Target group id → (name, `ManagedBy`, registered targets), as the API reports them.
async fn target_groups(world: &World) -> BTreeMap<String, (String, String, Vec<String>)> {
    let client = world.client();
    let listed = client.list_target_groups().send().await.expect("ListTargetGroups");
    let mut out = BTreeMap::new();
    for tg in listed.items() {
        let (id, arn) = (tg.id().unwrap_or_default(), tg.arn().unwrap_or_default());
        let tags = client.list_tags_for_resource().resource_arn(arn).send().await.expect("tags");
        let managed_by = tags.tags().and_then(|t| t.get("application-networking.k8s.aws/ManagedBy")).cloned();
        let targets = client.list_targets().target_group_identifier(id).send().await.expect("targets");
        let targets = targets
            .items()
            .iter()
            .filter(|t| t.status().is_none_or(|s| s.as_str() != "DRAINING"))
            .map(|t| format!("{}:{}", t.id().unwrap_or_default(), t.port().unwrap_or_default()))
            .collect();
        out.insert(id.to_owned(), (tg.name().unwrap_or_default().to_owned(), managed_by.unwrap_or_default(), targets));
    }
    out
}

/// The target group ids (and weights) the route's `/checkout` rule forwards to, as Lattice has it.
async fn forwards(world: &World) -> Vec<(String, i32)> {
    let client = world.client();
    let services = world.services().await;
    let (service, _) = services.get("front-shop").expect("the route's service");
    let listeners = client.list_listeners().service_identifier(service).send().await.expect("listeners");
    let listener = listeners.items()[0].id().unwrap_or_default().to_owned();
    let rules = client.list_rules().service_identifier(service).listener_identifier(&listener).send().await;
    let rule = rules.expect("rules").items().iter().find(|r| r.is_default() != Some(true)).cloned().expect("a rule");
    let rule = client
        .get_rule()
        .service_identifier(service)
        .listener_identifier(&listener)
        .rule_identifier(rule.id().unwrap_or_default())
        .send()
        .await
        .expect("rule");
    match rule.action() {
        Some(aws_sdk_vpclattice::types::RuleAction::Forward(f)) => f
            .target_groups()
            .iter()
            .map(|t| (t.target_group_identifier().to_owned(), t.weight().unwrap_or_default()))
            .collect(),
        other => panic!("the rule does not forward: {other:?}"),
    }
}

/// `type: (status, reason)` of the conditions of `kind namespace/name` (routes: of their parent).
fn conditions(report: &Report, kind: &str, name: &str) -> BTreeMap<String, (String, String)> {
    let entry = report.translation.status.iter().find(|e| e.kind == kind && e.name == name).expect("status");
    if let ObjectStatus::ServiceExport(s) = &entry.status {
        assert!(!s.conditions.is_empty());
    }
    entry.conditions().into_iter().map(|(_, c)| (c.type_.clone(), (c.status.clone(), c.reason.clone()))).collect()
}

fn pair(status: &str, reason: &str) -> (String, String) {
    (status.to_owned(), reason.to_owned())
}

#[tokio::test]
async fn a_route_in_one_cluster_forwards_to_what_two_others_export_and_lets_go_when_one_withdraws() {
    let world = world("my-hotel").await;
    let (blue_in, red_in, green_in) =
        (exporter(&["10.1.0.10", "10.1.0.11"], true), exporter(&["10.3.0.10"], true), importer("{}"));

    // Blue and red export: one target group each, with their pods.
    for (config, input) in [(blue(), &blue_in), (red(), &red_in)] {
        let report = world.apply(&config, &input.snapshot).await;
        assert_eq!(ops(&report), ["CreateTargetGroup", "RegisterTargets", "TagResource"], "then its fingerprint");
        let export = conditions(&report, "ServiceExport", "checkout");
        assert_eq!(export["Valid"], pair("True", "Valid"));
        assert_eq!(export["Exported"], pair("True", "Exported"));
    }
    let exported = target_groups(&world).await;
    let owner = |managed_by: &str| {
        exported.iter().find(|(_, (_, m, _))| m == managed_by).map(|(id, _)| id.clone()).expect("exported")
    };
    let (blue_tg, red_tg) =
        (owner("123456789012/blue/vpc-0aaaaaaaaaaaaaaa1"), owner("123456789012/red/vpc-0aaaaaaaaaaaaaaa2"));
    assert_eq!(exported[&blue_tg].2, ["10.1.0.10:8080", "10.1.0.11:8080"]);

    // Green routes to both, sharing the weight; it reads them with one tagging call.
    world.sim.reset_calls();
    let report = world.apply(&green(), &green_in.snapshot).await;
    let calls = world.sim.calls();
    eprintln!("importing cluster's first reconcile: calls {calls:?}");
    assert_eq!(calls.get("GetResources"), Some(&2), "ours, then the exports, in one call: {calls:?}");
    assert_eq!(calls.get("GetTargetGroup"), Some(&2), "one per exported target group: {calls:?}");
    assert!(ops(&report).contains(&"CreateService"), "{:?}", ops(&report));
    let route = conditions(&report, "HTTPRoute", "front");
    assert_eq!(route["ResolvedRefs"], pair("True", "ResolvedRefs"));
    let mut want = vec![(blue_tg.clone(), 1), (red_tg.clone(), 1)];
    want.sort();
    let mut have = forwards(&world).await;
    have.sort();
    assert_eq!(have, want);
    assert_eq!(target_groups(&world).await, exported, "the exporters' target groups are untouched");

    // Steady state everywhere.
    for (config, input) in [(blue(), &blue_in), (red(), &red_in), (green(), &green_in)] {
        let report = world.reconcile(&config, &input.snapshot, Mode::Plan).await;
        assert!(report.plan.actions.is_empty(), "{}: {:?}", config.identity.cluster_name, report.plan.actions);
    }

    // Blue withdraws its export. Green still uses the target group: blue deregisters its pods and
    // drops the export tag, and waits.
    let blue_withdrawn = exporter(&["10.1.0.10", "10.1.0.11"], false);
    let report = world.apply(&blue(), &blue_withdrawn.snapshot).await;
    assert_eq!(ops(&report), ["DeregisterTargets", "UntagResource"]);
    assert_eq!(report.plan.refused.len(), 1, "{:?}", report.plan.refused);
    assert!(target_groups(&world).await[&blue_tg].2.is_empty(), "blue's pods get no more traffic");

    // Green no longer finds blue's target group and forwards to red alone.
    let report = world.apply(&green(), &green_in.snapshot).await;
    assert_eq!(changes(&report), ["BatchUpdateRule"]);
    assert_eq!(forwards(&world).await, [(red_tg.clone(), 1)]);

    // Now blue can delete it; then nothing is left to do anywhere.
    let report = world.apply(&blue(), &blue_withdrawn.snapshot).await;
    assert_eq!(ops(&report), ["DeleteTargetGroup"]);
    assert!(!target_groups(&world).await.contains_key(&blue_tg));
    for (config, input) in [(blue(), &blue_withdrawn), (red(), &red_in), (green(), &green_in)] {
        let report = world.reconcile(&config, &input.snapshot, Mode::Plan).await;
        assert!(report.plan.actions.is_empty(), "{}: {:?}", config.identity.cluster_name, report.plan.actions);
    }
}

#[tokio::test]
async fn an_external_target_group_is_forwarded_to_and_never_changed() {
    let world = world("my-hotel").await;
    // A target group of EC2 instances someone else runs (no tags of ours).
    let client = world.client();
    let config = aws_sdk_vpclattice::types::TargetGroupConfig::builder()
        .port(443)
        .protocol(aws_sdk_vpclattice::types::TargetGroupProtocol::Http)
        .vpc_identifier("vpc-0ec200000000000ec")
        .build();
    let created = client
        .create_target_group()
        .name("ec2-fleet")
        .r#type(aws_sdk_vpclattice::types::TargetGroupType::Instance)
        .config(config)
        .send()
        .await
        .expect("external target group");
    let (id, arn) = (created.id().expect("id").to_owned(), created.arn().expect("arn").to_owned());
    let input = importer(&format!("{{application-networking.k8s.aws/target-group-arn: \"{arn}\"}}"));
    world.sim.reset_calls();
    let report = world.apply(&green(), &input.snapshot).await;
    assert_eq!(conditions(&report, "HTTPRoute", "front")["ResolvedRefs"], pair("True", "ResolvedRefs"));
    assert_eq!(forwards(&world).await, [(id.clone(), 1)]);
    let calls = world.sim.calls();
    assert_eq!(calls.get("GetResources"), Some(&1), "no tag lookup for an external target group: {calls:?}");
    assert_eq!(calls.get("GetTargetGroup"), Some(&1), "{calls:?}");
    let touching: Vec<&str> = report
        .plan
        .actions
        .iter()
        .filter(|a| format!("{a:?}").contains(&id) && a.op() != "CreateRule")
        .map(|a| a.op())
        .collect();
    assert!(touching.is_empty(), "only a rule names it: {touching:?}");
    let again = world.reconcile(&green(), &input.snapshot, Mode::Plan).await;
    assert!(again.plan.actions.is_empty(), "{:?}", again.plan.actions);

    // An ARN of a target group that does not exist: the route says so, the rule answers 500.
    let missing = arn.replace(&id[3..], "0000000000000dead");
    let input = importer(&format!("{{application-networking.k8s.aws/target-group-arn: \"{missing}\"}}"));
    let report = world.apply(&green(), &input.snapshot).await;
    assert_eq!(conditions(&report, "HTTPRoute", "front")["ResolvedRefs"], pair("False", "ExternalTargetGroupNotFound"));
    assert_eq!(changes(&report), ["BatchUpdateRule"]);
    let tg = client.get_target_group().target_group_identifier(&id).send().await.expect("still there");
    assert!(tg.service_arns().is_empty(), "no longer used");
}

#[tokio::test]
async fn a_cluster_routes_to_its_own_export_also_when_one_route_is_reconciled() {
    let world = world("my-hotel").await;
    let mut input = exporter(&["10.1.0.10"], true);
    let importing = importer("{}");
    input.snapshot.gateway_classes = importing.snapshot.gateway_classes;
    input.snapshot.gateways = importing.snapshot.gateways;
    input.snapshot.service_imports = importing.snapshot.service_imports;
    input.snapshot.http_routes = importing.snapshot.http_routes;
    world.apply(&blue(), &input.snapshot).await;
    let report = world.apply(&blue(), &input.snapshot).await;
    assert_eq!(changes(&report), ["BatchUpdateRule"], "the route moves onto the export created by the first run");
    let own = forwards(&world).await;
    assert_eq!(own.len(), 1);

    // A run scoped to the route does not read the export's target group as part of the
    // inventory; it still finds it through the import, so nothing changes.
    let route = model::lattice::OwnerKey { kind: "HTTPRoute".into(), namespace: "shop".into(), name: "front".into() };
    let scope = model::plan::Scope::Owners([route].into());
    world.sim.reset_calls();
    let report = world.reconcile_in(&blue(), &input.snapshot, scope, Mode::Plan).await;
    assert!(report.plan.actions.is_empty(), "{:?}", report.plan.actions);
    assert_eq!(conditions(&report, "HTTPRoute", "front")["ResolvedRefs"], pair("True", "ResolvedRefs"));
    // The route forwards to an import, which the desired state its fingerprint is compared with
    // does not know before the inventory is read: the service is read in full, with one more
    // GetResources for the tags of its listener and rule.
    assert_eq!(world.sim.calls().get("GetResources"), Some(&3), "{:?}", world.sim.calls());
}
