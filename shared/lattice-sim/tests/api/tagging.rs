//! The Resource Groups Tagging API through its SDK, and EKS DescribeCluster on the wire.

use aws_sdk_resourcegroupstagging::operation::get_resources::GetResourcesError;
use aws_sdk_resourcegroupstagging::types::{ResourceTagMapping, TagFilter};
use lattice_sim::{ClusterConfig, SimConfig};

use crate::common::*;

fn filter(key: &str, values: &[&str]) -> TagFilter {
    TagFilter::builder().key(key).set_values(Some(values.iter().map(|v| (*v).to_owned()).collect())).build()
}

fn arns(mappings: &[ResourceTagMapping]) -> Vec<String> {
    mappings.iter().map(|m| m.resource_arn().expect("arn").to_owned()).collect()
}

#[tokio::test]
async fn get_resources_by_tags_types_and_arns() {
    let sim = sim().await;
    let c = client(&sim);
    let t = tagging(&sim);
    let owned = c.create_service().name("owned").tags("ManagedBy", "me").tags("Route", "a").send().await.expect("svc");
    let tg = c
        .create_target_group()
        .name("owned-tg")
        .r#type(aws_sdk_vpclattice::types::TargetGroupType::Lambda)
        .tags("ManagedBy", "me")
        .send()
        .await
        .expect("tg");
    c.create_service().name("foreign").tags("ManagedBy", "someone-else").send().await.expect("svc");
    c.create_service().name("untagged").send().await.expect("svc");

    let mine = t.get_resources().tag_filters(filter("ManagedBy", &["me"])).send().await.expect("mine");
    assert_eq!(arns(mine.resource_tag_mapping_list()), vec![owned.arn().expect("arn"), tg.arn().expect("arn")]);
    assert_eq!(mine.pagination_token(), Some(""));
    let tags = mine.resource_tag_mapping_list()[0].tags();
    assert!(tags.iter().any(|t| t.key() == "Route" && t.value() == "a"));

    let tgs = t
        .get_resources()
        .tag_filters(filter("ManagedBy", &[]))
        .resource_type_filters("vpc-lattice:targetgroup")
        .send()
        .await
        .expect("target groups");
    assert_eq!(arns(tgs.resource_tag_mapping_list()), vec![tg.arn().expect("arn")]);

    let both = t
        .get_resources()
        .tag_filters(filter("ManagedBy", &["me", "someone-else"]))
        .tag_filters(filter("Route", &[]))
        .send()
        .await
        .expect("and of filters");
    assert_eq!(arns(both.resource_tag_mapping_list()), vec![owned.arn().expect("arn")]);

    let by_arn = t.get_resources().resource_arn_list(tg.arn().expect("arn")).send().await.expect("by arn");
    assert_eq!(by_arn.resource_tag_mapping_list().len(), 1);

    let err = t.get_resources().resources_per_page(101).send().await.expect_err("page too large");
    assert!(matches!(err.into_service_error(), GetResourcesError::InvalidParameterException(_)));
}

#[tokio::test]
async fn get_resources_paginates() {
    let sim = sim().await;
    let c = client(&sim);
    for i in 0..12 {
        c.create_target_group()
            .name(format!("fn-{i}"))
            .r#type(aws_sdk_vpclattice::types::TargetGroupType::Lambda)
            .tags("ManagedBy", "me")
            .send()
            .await
            .expect("tg");
    }
    sim.reset_calls();
    let all: Vec<ResourceTagMapping> = tagging(&sim)
        .get_resources()
        .tag_filters(filter("ManagedBy", &["me"]))
        .into_paginator()
        .page_size(5)
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("pages");
    assert_eq!(all.len(), 12);
    assert_eq!(sim.calls().get("GetResources"), Some(&3));
}

#[tokio::test]
async fn tag_and_untag_resources() {
    let sim = sim().await;
    let c = client(&sim);
    let t = tagging(&sim);
    let (_, sn_arn) = sim.seed_service_network("tagged-net", &no_tags()).expect("seeded");
    let missing = "arn:aws:vpc-lattice:us-west-2:123456789012:targetgroup/tg-0123456789abcdef0";
    let out = t
        .tag_resources()
        .resource_arn_list(&sn_arn)
        .resource_arn_list(missing)
        .tags("k", "v")
        .send()
        .await
        .expect("tag");
    let failed = out.failed_resources_map().expect("failures");
    assert_eq!(failed.keys().collect::<Vec<_>>(), vec![missing]);
    let listed = c.list_tags_for_resource().resource_arn(&sn_arn).send().await.expect("tags");
    assert_eq!(listed.tags(), Some(&tags(&[("k", "v")])));
    t.untag_resources().resource_arn_list(&sn_arn).tag_keys("k").send().await.expect("untag");
    let listed = c.list_tags_for_resource().resource_arn(&sn_arn).send().await.expect("tags");
    assert_eq!(listed.tags().map(|t| t.len()), Some(0));
}

#[tokio::test]
async fn eks_describe_cluster() {
    let cluster: ClusterConfig =
        "name=prod,endpoint=https://prod.example.com,ca=Q0FEQVRB,vpc=vpc-12345678".parse().expect("cluster flag");
    let sim = sim_with(SimConfig { clusters: vec![cluster], ..SimConfig::default() }).await;
    let (status, body) = http_json(&sim, "GET", "/clusters/prod", "").await;
    assert_eq!(status, 200);
    let c = &body["cluster"];
    assert_eq!(c["arn"], "arn:aws:eks:us-west-2:123456789012:cluster/prod");
    assert_eq!(c["endpoint"], "https://prod.example.com");
    assert_eq!(c["certificateAuthority"]["data"], "Q0FEQVRB");
    assert_eq!(c["resourcesVpcConfig"]["vpcId"], "vpc-12345678");
    assert_eq!(c["status"], "ACTIVE");

    let (status, headers, body) = http(&sim, "GET", "/clusters/staging", "").await;
    assert_eq!(status, 404);
    assert!(headers.iter().any(|(k, v)| k == "x-amzn-errortype" && v == "ResourceNotFoundException"));
    assert!(body.contains("staging"));
    assert_eq!(sim.calls().get("DescribeCluster"), Some(&2));
    let (status, body) = http_json(&sim, "GET", "/clusters", "").await;
    assert_eq!((status, body["clusters"].clone()), (200, serde_json::json!(["prod"])));
}
