//! Other owners' resources seeded into the account before a scenario runs: another cluster's
//! (another `ManagedBy`) and untagged ones, some with the very names ours have or want.

use std::collections::HashMap;

use aws_sdk_vpclattice::Client;
use aws_sdk_vpclattice::error::{BuildError, SdkError};
use aws_sdk_vpclattice::types::{
    ForwardAction, HttpMatch, ListenerProtocol, PathMatch, PathMatchType, RuleAction, RuleMatch, Target,
    TargetGroupConfig, TargetGroupProtocol, TargetGroupType, WeightedTargetGroup,
};

/// Another cluster's `ManagedBy` value.
pub const OTHER: &str = "123456789012/other-cluster/vpc-0fedcba9876543210";

/// The ownership tag key.
const MANAGED_BY: &str = "application-networking.k8s.aws/ManagedBy";

/// A foreign service with a target group, a listener and a rule.
struct Build<'a> {
    service: &'a str,
    target_group: &'a str,
    listener: &'a str,
    rule: &'a str,
    owner: Option<&'a str>,
}

/// Seeding failed.
#[derive(Debug)]
pub struct SeedError(pub String);

impl<E: std::fmt::Debug, R: std::fmt::Debug> From<SdkError<E, R>> for SeedError {
    fn from(e: SdkError<E, R>) -> Self {
        SeedError(format!("{e:?}"))
    }
}

impl From<BuildError> for SeedError {
    fn from(e: BuildError) -> Self {
        SeedError(e.to_string())
    }
}

/// Seeds, on service network `network` (an id) and on their own service networks: another
/// cluster's service `taken-default` (a name a route of ours wants) with target group
/// `k8s-taken-default` and our listener and rule names; an untagged service with our listener
/// names; another cluster's service network `other-mesh` and an untagged one, `legacy-mesh`.
pub async fn seed(client: &Client, network: &str) -> Result<(), SeedError> {
    let builds = [
        Build {
            service: "taken-default",
            target_group: "k8s-taken-default",
            listener: "rates-default-80-http",
            rule: "rates-default-80-http-rule-1",
            owner: Some(OTHER),
        },
        Build {
            service: "legacy-default",
            target_group: "k8s-legacy-default",
            listener: "inventory-default-80-http",
            rule: "inventory-default-80-http-rule-1",
            owner: None,
        },
    ];
    for b in builds {
        build(client, network, &b).await?;
    }
    for (name, owner) in [("other-mesh", Some(OTHER)), ("legacy-mesh", None)] {
        client.create_service_network().name(name).set_tags(tags(owner)).send().await?;
    }
    Ok(())
}

fn tags(owner: Option<&str>) -> Option<HashMap<String, String>> {
    owner.map(|o| [(MANAGED_BY.to_owned(), o.to_owned())].into())
}

async fn build(client: &Client, network: &str, b: &Build<'_>) -> Result<(), SeedError> {
    let tags = tags(b.owner);
    let config = TargetGroupConfig::builder()
        .port(8090)
        .protocol(TargetGroupProtocol::Http)
        .vpc_identifier("vpc-0fedcba9876543210")
        .build();
    let tg = client
        .create_target_group()
        .name(b.target_group)
        .r#type(TargetGroupType::Ip)
        .config(config)
        .set_tags(tags.clone())
        .send()
        .await?;
    let tg_id = tg.id().unwrap_or_default().to_owned();
    let target = Target::builder().id("10.9.9.9").port(8090).build()?;
    client.register_targets().target_group_identifier(&tg_id).targets(target).send().await?;
    let svc = client.create_service().name(b.service).set_tags(tags.clone()).send().await?;
    let svc_id = svc.id().unwrap_or_default().to_owned();
    client
        .create_service_network_service_association()
        .service_identifier(&svc_id)
        .service_network_identifier(network)
        .set_tags(tags.clone())
        .send()
        .await?;
    let forward = || -> Result<RuleAction, SeedError> {
        let group = WeightedTargetGroup::builder().target_group_identifier(&tg_id).weight(1).build()?;
        Ok(RuleAction::Forward(ForwardAction::builder().target_groups(group).build()?))
    };
    let listener = client
        .create_listener()
        .service_identifier(&svc_id)
        .name(b.listener)
        .protocol(ListenerProtocol::Http)
        .port(80)
        .default_action(forward()?)
        .set_tags(tags.clone())
        .send()
        .await?;
    let path = PathMatch::builder().r#match(PathMatchType::Prefix("/parking".into())).build();
    client
        .create_rule()
        .service_identifier(&svc_id)
        .listener_identifier(listener.id().unwrap_or_default())
        .name(b.rule)
        .priority(1)
        .r#match(RuleMatch::HttpMatch(HttpMatch::builder().path_match(path).build()))
        .action(forward()?)
        .set_tags(tags)
        .send()
        .await?;
    Ok(())
}
