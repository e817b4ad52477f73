//! Resources of someone else (another `ManagedBy`, or no tag at all), some with the same names
//! as ours, survive creation, drift repair and garbage collection untouched; the safety net
//! refuses a plan that would touch them.

mod common;

use std::collections::HashMap;

use aws_sdk_vpclattice::Client;
use aws_sdk_vpclattice::types::{
    ForwardAction, HttpMatch, PathMatch, PathMatchType, RuleAction, RuleMatch, Target, TargetGroupConfig,
    TargetGroupProtocol, TargetGroupType, WeightedTargetGroup,
};
use common::*;
use lattice_sim::SimConfig;
use model::lattice::DesiredState;
use model::names::TAG_MANAGED_BY;
use model::plan::action::{ServiceRef, TagResource};
use model::plan::{Action, Plan};

/// Creates a service with a target group, a listener and a rule, with `tags` on all of them.
/// Returns the service id and the target group id.
async fn build(
    client: &Client,
    name: &str,
    listener: &str,
    rule: &str,
    tags: Option<HashMap<String, String>>,
) -> (String, String) {
    let config = TargetGroupConfig::builder()
        .port(8080)
        .protocol(TargetGroupProtocol::Http)
        .vpc_identifier("vpc-0fedcba9876543210")
        .build();
    let tg = client
        .create_target_group()
        .name(format!("k8s-default-{name}"))
        .r#type(TargetGroupType::Ip)
        .config(config)
        .set_tags(tags.clone())
        .send()
        .await
        .expect("target group");
    let tg_id = tg.id().expect("id").to_owned();
    let target = Target::builder().id("10.9.9.9").port(8080).build().expect("target");
    client.register_targets().target_group_identifier(&tg_id).targets(target).send().await.expect("targets");
    let svc =
        client.create_service().name(format!("{name}-default")).set_tags(tags.clone()).send().await.expect("service");
    let svc_id = svc.id().expect("id").to_owned();
    client
        .create_service_network_service_association()
        .service_identifier(&svc_id)
        .service_network_identifier(network_id(client).await)
        .set_tags(tags.clone())
        .send()
        .await
        .expect("association");
    let forward = || {
        let group = WeightedTargetGroup::builder().target_group_identifier(&tg_id).weight(1).build().expect("tg");
        RuleAction::Forward(ForwardAction::builder().target_groups(group).build().expect("forward"))
    };
    let l = client
        .create_listener()
        .service_identifier(&svc_id)
        .name(listener)
        .protocol(aws_sdk_vpclattice::types::ListenerProtocol::Http)
        .port(80)
        .default_action(forward())
        .set_tags(tags.clone())
        .send()
        .await
        .expect("listener");
    let path = PathMatch::builder().r#match(PathMatchType::Prefix("/rates".into())).build();
    client
        .create_rule()
        .service_identifier(&svc_id)
        .listener_identifier(l.id().expect("id"))
        .name(rule)
        .priority(1)
        .r#match(RuleMatch::HttpMatch(HttpMatch::builder().path_match(path).build()))
        .action(forward())
        .set_tags(tags)
        .send()
        .await
        .expect("rule");
    (svc_id, tg_id)
}

async fn network_id(client: &Client) -> String {
    let networks = client.list_service_networks().send().await.expect("networks");
    let network = networks.items().iter().find(|n| n.name() == Some(NETWORK)).expect("seeded");
    network.id().expect("id").to_owned()
}

/// Everything about a service and a target group that a change would show.
async fn dump(client: &Client, service: &str, tg: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let s = client.get_service().service_identifier(service).send().await.expect("service");
    lines.push(format!("{:?} {:?} {:?} {:?}", s.name(), s.status(), s.last_updated_at(), s.certificate_arn()));
    let tags = client.list_tags_for_resource().resource_arn(s.arn().expect("arn")).send().await.expect("tags");
    lines.push(format!("{:?}", tags.tags().map(|t| t.iter().collect::<std::collections::BTreeMap<_, _>>())));
    let associations = client.list_service_network_service_associations().service_identifier(service).send().await;
    for a in associations.expect("associations").items() {
        lines.push(format!("{:?} {:?} {:?}", a.id(), a.status(), a.service_network_name()));
    }
    for l in client.list_listeners().service_identifier(service).send().await.expect("listeners").items() {
        let id = l.id().expect("id");
        let full =
            client.get_listener().service_identifier(service).listener_identifier(id).send().await.expect("listener");
        lines.push(format!(
            "{:?} {:?} {:?} {:?}",
            full.name(),
            full.port(),
            full.default_action(),
            full.last_updated_at()
        ));
        let rules =
            client.list_rules().service_identifier(service).listener_identifier(id).send().await.expect("rules");
        for r in rules.items() {
            let rule = client
                .get_rule()
                .service_identifier(service)
                .listener_identifier(id)
                .rule_identifier(r.id().expect("id"))
                .send()
                .await
                .expect("rule");
            lines.push(format!(
                "{:?} {:?} {:?} {:?} {:?}",
                rule.name(),
                rule.priority(),
                rule.r#match(),
                rule.action(),
                rule.last_updated_at()
            ));
        }
    }
    let group = client.get_target_group().target_group_identifier(tg).send().await.expect("tg");
    lines.push(format!("{:?} {:?} {:?} {:?}", group.name(), group.status(), group.config(), group.last_updated_at()));
    let targets = client.list_targets().target_group_identifier(tg).send().await.expect("targets");
    lines.push(format!("{:?}", targets.items().iter().map(|t| (t.id(), t.port())).collect::<Vec<_>>()));
    lines
}

#[tokio::test]
async fn foreign_resources_survive_every_scenario_untouched() {
    let sim = sim(SimConfig::default()).await;
    let client = raw(&sim).await;
    let other: HashMap<String, String> = [(TAG_MANAGED_BY.to_owned(), OTHER.to_owned())].into();
    let foreign = [
        // Another owner, with our listener and rule names.
        build(&client, "foreign", "rates-default-80-http", "k8s-rule-rates", Some(other.clone())).await,
        // No tags at all, with our other listener and rule names.
        build(&client, "legacy", "parking-default-80-http", "k8s-rule-parking", None).await,
        // Another owner holding the name of a service we want.
        build(&client, "taken", "taken-default-80-http", "k8s-rule-taken", Some(other)).await,
    ];
    let snapshot = || async {
        let mut all = Vec::new();
        for (service, tg) in &foreign {
            all.extend(dump(&client, service, tg).await);
        }
        all
    };
    let before = snapshot().await;

    let mut desired = desired();
    desired.services.push(service("taken", model::lattice::RuleAction::fixed(404), Vec::new()));
    let lattice = adapter(&sim, fast()).await;

    // Create: the taken name is refused, everything else converges.
    let (plan, report, observed) = run(&lattice, &desired).await;
    assert!(report.is_complete(), "{report:#?}");
    assert!(plan.refused.iter().any(|r| r.resource == "service/taken-default"), "{:?}", plan.refused);
    let taken = observed.services.iter().find(|s| s.name == "taken-default").expect("a name we asked about");
    assert_eq!(taken.tags.get(TAG_MANAGED_BY).map(String::as_str), Some(OTHER));
    assert!(taken.listeners.is_empty(), "foreign services are not read in full");
    assert!(observed.services.iter().all(|s| s.name != "foreign-default" && s.name != "legacy-default"));
    assert_eq!(converge(&lattice, &desired, 2).await, 0);
    assert_eq!(snapshot().await, before, "after creation");

    // Drift repair.
    let ours = lattice.observe(MANAGED_BY, &model::plan::Scope::All, &names(&desired)).await.expect("observe");
    let rates = ours.services.iter().find(|s| s.name == "rates-default").expect("rates");
    let rule = &rates.listeners[0].rules[0];
    let delete = client.delete_rule().service_identifier(&rates.id).listener_identifier(&rates.listeners[0].id);
    delete.rule_identifier(&rule.id).send().await.expect("deleted by hand");
    assert_eq!(converge(&lattice, &desired, 2).await, 1);
    assert_eq!(snapshot().await, before, "after drift repair");

    // The safety net: a plan that would touch a foreign service is refused without a call.
    let foreign_service = taken.clone();
    sim.reset_calls();
    let mut observed = lattice.observe(MANAGED_BY, &model::plan::Scope::All, &names(&desired)).await.expect("observe");
    let bad = Plan {
        actions: vec![
            Action::DeleteService(ServiceRef { service_identifier: foreign_service.id.clone() }),
            Action::TagResource(TagResource {
                resource_arn: foreign_service.arn.clone(),
                tags: tags(&[(TAG_MANAGED_BY, MANAGED_BY)]),
            }),
        ],
        refused: Vec::new(),
    };
    let report = lattice.apply(&bad, &mut observed, MANAGED_BY).await;
    assert_eq!(report.failed.len(), 2, "{report:#?}");
    assert!(report.failed.iter().all(|f| f.error.starts_with("refused") && !f.retryable), "{report:#?}");
    assert!(mutations(&sim.calls()).is_empty(), "{:?}", sim.calls());

    // Garbage collection of everything we own.
    let nothing = DesiredState::default();
    converge(&lattice, &nothing, 3).await;
    let client2 = client.clone();
    eventually(std::time::Duration::from_secs(5), "our resources to go", || {
        let client = client2.clone();
        async move {
            let census = census(&client).await;
            !census.keys().any(|k| k.starts_with("service/rates") || k.starts_with("service/parking"))
        }
    })
    .await;
    let census = census(&client).await;
    assert!(
        census
            .keys()
            .filter(|k| k.starts_with("targetgroup/"))
            .all(|k| ["foreign", "legacy", "taken"].iter().any(|n| k.ends_with(n))),
        "{census:?}"
    );
    assert_eq!(snapshot().await, before, "after garbage collection");
}
