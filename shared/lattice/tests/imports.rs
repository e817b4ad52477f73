//! Reading the target groups ServiceImports name: other clusters' exports by tag, in chunks of
//! 20 names per `GetResources`, and external target groups by ARN.

mod common;

use std::collections::BTreeSet;

use aws_sdk_vpclattice::types::{TargetGroupConfig, TargetGroupProtocol, TargetGroupType};
use common::{MANAGED_BY, OTHER, adapter, fast, raw, sim};
use lattice_sim::SimConfig;
use model::imports::ImportQueries;

/// Creates an IP target group `name` with `tags`; its id and ARN.
async fn target_group(client: &aws_sdk_vpclattice::Client, name: &str, tags: &[(&str, &str)]) -> (String, String) {
    let config = TargetGroupConfig::builder()
        .port(80)
        .protocol(TargetGroupProtocol::Http)
        .vpc_identifier("vpc-0fedcba9876543210")
        .build();
    let mut request = client.create_target_group().name(name).r#type(TargetGroupType::Ip).config(config);
    for (k, v) in tags {
        request = request.tags(*k, *v);
    }
    let out = request.send().await.expect("created");
    (out.id().expect("id").to_owned(), out.arn().expect("arn").to_owned())
}

fn export_tags<'a>(managed_by: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("application-networking.k8s.aws/ManagedBy", managed_by),
        ("application-networking.k8s.aws/SourceTypeKey", "ServiceExport"),
        ("application-networking.k8s.aws/ServiceName", name),
        ("application-networking.k8s.aws/ServiceNamespace", "shop"),
    ]
}

#[tokio::test]
async fn exports_are_found_by_tag_twenty_names_a_call_and_external_ones_by_arn() {
    let sim = sim(SimConfig::default()).await;
    let client = raw(&sim).await;
    let names: Vec<String> = (0..25).map(|i| format!("svc-{i:02}")).collect();
    let mut theirs = BTreeSet::new();
    for name in &names {
        let (id, _) = target_group(&client, &format!("k8s-shop-{name}-other"), &export_tags(OTHER, name)).await;
        theirs.insert(id);
    }
    // Ours, known already (read by `observe`), another namespace, and an export nobody asked
    // for: left out. Ours that is not known yet (its export out of scope) is read.
    let (_, known) = target_group(&client, "k8s-shop-svc-00-ours", &export_tags(MANAGED_BY, "svc-00")).await;
    let (unknown, _) = target_group(&client, "k8s-shop-svc-01-ours", &export_tags(MANAGED_BY, "svc-01")).await;
    theirs.insert(unknown);
    let mut elsewhere = export_tags(OTHER, "svc-01");
    elsewhere[3].1 = "elsewhere";
    target_group(&client, "k8s-elsewhere-svc-01-other", &elsewhere).await;
    target_group(&client, "k8s-shop-unasked-other", &export_tags(OTHER, "unasked")).await;
    let (external, external_arn) = target_group(&client, "ec2-fleet", &[]).await;
    let gone = external_arn.replace(&external[3..], "0000000000000dead");
    // A Lambda target group has no port, protocol or VPC.
    let lambda = client.create_target_group().name("fn-checkout").r#type(TargetGroupType::Lambda).send().await;
    let lambda = lambda.expect("lambda target group");
    let (lambda, lambda_arn) = (lambda.id().expect("id").to_owned(), lambda.arn().expect("arn").to_owned());

    let lattice = adapter(&sim, fast()).await;
    let queries = ImportQueries {
        exports: names.iter().map(|n| ("shop".to_owned(), n.clone())).collect(),
        external: BTreeSet::from([external_arn.clone(), gone, lambda_arn]),
    };
    sim.reset_calls();
    let found = lattice.observe_imports(&BTreeSet::from([known]), &queries).await.expect("read");
    let ids: BTreeSet<String> = found.iter().map(|tg| tg.id.clone()).collect();
    let mut want = theirs.clone();
    want.insert(external.clone());
    want.insert(lambda.clone());
    assert_eq!(ids, want);
    let calls = sim.calls();
    assert_eq!(calls.get("GetResources"), Some(&2), "25 names in chunks of 20: {calls:?}");
    assert_eq!(calls.get("GetTargetGroup"), Some(&29), "26 exports and 3 external ARNs: {calls:?}");
    assert_eq!(calls.get("ListTargets"), None, "targets of others are not read");
    let exported = found.iter().find(|tg| tg.name == "k8s-shop-svc-02-other").expect("an export");
    assert_eq!(exported.tags.get("application-networking.k8s.aws/ManagedBy").map(String::as_str), Some(OTHER));
    assert_eq!(exported.config.port, 80);
    assert!(found.iter().find(|tg| tg.id == external).is_some_and(|tg| tg.tags.is_empty()));
    let function = found.iter().find(|tg| tg.id == lambda).expect("the Lambda target group");
    assert_eq!((function.config.port, function.config.protocol.as_str()), (0, ""));

    // Nothing asked, nothing read.
    sim.reset_calls();
    assert!(lattice.observe_imports(&BTreeSet::new(), &ImportQueries::default()).await.expect("read").is_empty());
    assert!(sim.calls().is_empty(), "{:?}", sim.calls());
}
