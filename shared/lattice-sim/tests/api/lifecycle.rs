//! Create, read, update, list and delete of every resource kind.

use aws_sdk_vpclattice::types::{
    AuthType, HealthCheckConfig, ListenerProtocol, ServiceNetworkServiceAssociationStatus, ServiceStatus,
    TargetGroupStatus,
};

use crate::common::*;

#[tokio::test]
async fn service_network_lifecycle() {
    let sim = sim().await;
    let c = client(&sim);
    let created = c.create_service_network().name("my-network").tags("team", "a").send().await.expect("created");
    let id = created.id().expect("id").to_owned();
    assert!(id.starts_with("sn-0") && id.len() == 20, "{id}");
    assert_eq!(created.auth_type(), Some(&AuthType::None));
    assert_eq!(created.arn(), Some(format!("arn:aws:vpc-lattice:us-west-2:123456789012:servicenetwork/{id}").as_str()));

    let got =
        c.get_service_network().service_network_identifier(created.arn().expect("arn")).send().await.expect("get");
    assert_eq!(got.name(), Some("my-network"));
    assert_eq!(got.number_of_associated_services(), Some(0));
    let created_at = got.created_at().expect("createdAt");
    assert_eq!(Some(created_at), got.last_updated_at());

    let updated = c
        .update_service_network()
        .service_network_identifier(&id)
        .auth_type(AuthType::AwsIam)
        .send()
        .await
        .expect("update");
    assert_eq!(updated.auth_type(), Some(&AuthType::AwsIam));

    let listed = c.list_service_networks().send().await.expect("list");
    assert_eq!(listed.items().len(), 1);
    assert_eq!(listed.items()[0].number_of_associated_vpcs(), Some(0));
    assert!(listed.next_token().is_none());

    c.delete_service_network().service_network_identifier(&id).send().await.expect("delete");
    let err = c.get_service_network().service_network_identifier(&id).send().await.expect_err("gone");
    assert!(err.into_service_error().is_resource_not_found_exception());
}

#[tokio::test]
async fn service_lifecycle_reaches_active_and_goes_away() {
    let sim = sim().await;
    let c = client(&sim);
    let created = c.create_service().name("checkout").auth_type(AuthType::None).send().await.expect("created");
    assert_eq!(created.status(), Some(&ServiceStatus::CreateInProgress));
    let id = created.id().expect("id").to_owned();
    let dns = created.dns_entry().and_then(|d| d.domain_name()).expect("dns name");
    let suffix = id.trim_start_matches("svc-");
    assert!(dns.starts_with(&format!("checkout-{suffix}.")), "{dns}");
    assert!(dns.ends_with(".vpc-lattice-svcs.us-west-2.on.aws"), "{dns}");
    let partition = dns.split('.').nth(1).expect("partition label");
    assert_eq!(partition.len(), 7);
    assert!(partition.bytes().all(|b| b.is_ascii_hexdigit()));

    let got = c.get_service().service_identifier(&id).send().await.expect("get");
    assert_eq!(got.status(), Some(&ServiceStatus::Active));

    let cert = "arn:aws:acm:us-west-2:123456789012:certificate/abc-123";
    let updated = c.update_service().service_identifier(&id).certificate_arn(cert).send().await.expect("update");
    assert_eq!(updated.certificate_arn(), Some(cert));

    let listed = c.list_services().send().await.expect("list");
    assert_eq!(listed.items().len(), 1);
    assert_eq!(listed.items()[0].status(), Some(&ServiceStatus::Active));

    let deleted = c.delete_service().service_identifier(&id).send().await.expect("delete");
    assert_eq!(deleted.status(), Some(&ServiceStatus::DeleteInProgress));
    let err = c.get_service().service_identifier(&id).send().await.expect_err("gone");
    assert!(err.into_service_error().is_resource_not_found_exception());
}

#[tokio::test]
async fn listener_lifecycle_with_default_rule() {
    let sim = sim().await;
    let c = client(&sim);
    let (svc, listener, tg) = service_with_listener(&c, "orders").await;

    let got = c.get_listener().service_identifier(&svc).listener_identifier(&listener).send().await.expect("get");
    assert_eq!(got.port(), Some(80));
    assert_eq!(got.protocol(), Some(&ListenerProtocol::Http));
    let Some(aws_sdk_vpclattice::types::RuleAction::Forward(f)) = got.default_action() else { panic!("forward") };
    assert_eq!(f.target_groups()[0].weight(), Some(100));
    assert_eq!(f.target_groups()[0].target_group_identifier(), tg);

    let updated = c
        .update_listener()
        .service_identifier(&svc)
        .listener_identifier(&listener)
        .default_action(fixed(404))
        .send()
        .await
        .expect("update");
    assert!(updated.default_action().expect("action").is_fixed_response());

    let listed = c.list_listeners().service_identifier(&svc).send().await.expect("list");
    assert_eq!(listed.items().len(), 1);

    let rules = c.list_rules().service_identifier(&svc).listener_identifier(&listener).send().await.expect("rules");
    assert_eq!(rules.items().len(), 1);
    assert_eq!(rules.items()[0].is_default(), Some(true));
    assert_eq!(rules.items()[0].priority(), None);
    let default_id = rules.items()[0].id().expect("id");
    let rule = c
        .get_rule()
        .service_identifier(&svc)
        .listener_identifier(&listener)
        .rule_identifier(default_id)
        .send()
        .await
        .expect("default rule");
    assert_eq!(rule.is_default(), Some(true));
    assert!(rule.r#match().is_none());
    assert!(rule.action().expect("action").is_fixed_response());

    c.delete_listener().service_identifier(&svc).listener_identifier(&listener).send().await.expect("delete");
    let listed = c.list_listeners().service_identifier(&svc).send().await.expect("list");
    assert!(listed.items().is_empty());
    // The target group is free again.
    c.delete_target_group().target_group_identifier(&tg).send().await.expect("tg deletable");
}

#[tokio::test]
async fn rule_lifecycle() {
    let sim = sim().await;
    let c = client(&sim);
    let (svc, listener, tg) = service_with_listener(&c, "api").await;
    let created = c
        .create_rule()
        .service_identifier(&svc)
        .listener_identifier(&listener)
        .name("version-one")
        .priority(10)
        .r#match(prefix("/v1"))
        .action(forward(&[&tg]))
        .send()
        .await
        .expect("rule");
    let rule_id = created.id().expect("id").to_owned();
    assert!(created.arn().expect("arn").ends_with(&format!("/listener/{listener}/rule/{rule_id}")));

    let updated = c
        .update_rule()
        .service_identifier(&svc)
        .listener_identifier(&listener)
        .rule_identifier(created.arn().expect("arn"))
        .priority(20)
        .send()
        .await
        .expect("update");
    assert_eq!(updated.priority(), Some(20));
    assert_eq!(updated.is_default(), Some(false));

    let got = c
        .get_rule()
        .service_identifier(&svc)
        .listener_identifier(&listener)
        .rule_identifier(&rule_id)
        .send()
        .await
        .expect("get");
    assert_eq!(got.r#match(), Some(&prefix("/v1")));
    assert!(got.created_at().is_some());

    let listed = c.list_rules().service_identifier(&svc).listener_identifier(&listener).send().await.expect("list");
    let order: Vec<Option<bool>> = listed.items().iter().map(|r| r.is_default()).collect();
    assert_eq!(order, vec![Some(false), Some(true)], "default rule last");

    c.delete_rule()
        .service_identifier(&svc)
        .listener_identifier(&listener)
        .rule_identifier(&rule_id)
        .send()
        .await
        .expect("delete");
    let err = c
        .get_rule()
        .service_identifier(&svc)
        .listener_identifier(&listener)
        .rule_identifier(&rule_id)
        .send()
        .await
        .expect_err("gone");
    assert!(err.into_service_error().is_resource_not_found_exception());
}

#[tokio::test]
async fn target_group_lifecycle() {
    let sim = sim().await;
    let c = client(&sim);
    let config = aws_sdk_vpclattice::types::TargetGroupConfig::builder()
        .port(8080)
        .protocol(aws_sdk_vpclattice::types::TargetGroupProtocol::Https)
        .vpc_identifier(VPC)
        .build();
    let created = c
        .create_target_group()
        .name("backend")
        .r#type(aws_sdk_vpclattice::types::TargetGroupType::Ip)
        .config(config)
        .send()
        .await
        .expect("created");
    assert_eq!(created.status(), Some(&TargetGroupStatus::CreateInProgress));
    let cfg = created.config().expect("config");
    let hc = cfg.health_check().expect("defaults filled in");
    assert_eq!(hc.enabled(), Some(true));
    assert_eq!(hc.health_check_interval_seconds(), Some(30));
    assert_eq!(hc.path(), Some("/"));
    assert_eq!(cfg.ip_address_type().map(|t| t.as_str()), Some("IPV4"));
    let id = created.id().expect("id").to_owned();

    let got = c.get_target_group().target_group_identifier(&id).send().await.expect("get");
    assert_eq!(got.status(), Some(&TargetGroupStatus::Active));
    assert!(got.service_arns().is_empty());

    let updated = c
        .update_target_group()
        .target_group_identifier(&id)
        .health_check(HealthCheckConfig::builder().path("/healthz").healthy_threshold_count(3).build())
        .send()
        .await
        .expect("update");
    let hc = updated.config().and_then(|c| c.health_check()).expect("health check");
    assert_eq!((hc.path(), hc.healthy_threshold_count()), (Some("/healthz"), Some(3)));
    assert_eq!(hc.health_check_interval_seconds(), Some(30));

    let listed = c.list_target_groups().vpc_identifier(VPC).send().await.expect("list");
    assert_eq!(listed.items().len(), 1);
    assert_eq!(listed.items()[0].port(), Some(8080));
    let other_vpc = c.list_target_groups().vpc_identifier("vpc-12345678").send().await.expect("list");
    assert!(other_vpc.items().is_empty());

    let deleted = c.delete_target_group().target_group_identifier(&id).send().await.expect("delete");
    assert_eq!(deleted.status(), Some(&TargetGroupStatus::DeleteInProgress));
    let err = c.get_target_group().target_group_identifier(&id).send().await.expect_err("gone");
    assert!(err.into_service_error().is_resource_not_found_exception());
}

#[tokio::test]
async fn service_network_service_association_lifecycle() {
    let sim = sim().await;
    let c = client(&sim);
    let (sn, _) = sim.seed_service_network("mesh", &no_tags()).expect("seeded");
    let svc = create_service(&c, "inventory").await;
    let created = c
        .create_service_network_service_association()
        .service_network_identifier(&sn)
        .service_identifier(&svc)
        .send()
        .await
        .expect("association");
    assert_eq!(created.status(), Some(&ServiceNetworkServiceAssociationStatus::CreateInProgress));
    assert_eq!(created.created_by(), Some("123456789012"));
    assert!(created.dns_entry().and_then(|d| d.domain_name()).is_some());
    let id = created.id().expect("id").to_owned();

    let got = c
        .get_service_network_service_association()
        .service_network_service_association_identifier(&id)
        .send()
        .await
        .expect("get");
    assert_eq!(got.status(), Some(&ServiceNetworkServiceAssociationStatus::Active));
    assert_eq!(got.service_name(), Some("inventory"));
    assert_eq!(got.service_network_name(), Some("mesh"));

    let by_service = c.list_service_network_service_associations().service_identifier(&svc).send().await.expect("list");
    assert_eq!(by_service.items().len(), 1);
    let sn_view = c.get_service_network().service_network_identifier(&sn).send().await.expect("sn");
    assert_eq!(sn_view.number_of_associated_services(), Some(1));

    let deleted = c
        .delete_service_network_service_association()
        .service_network_service_association_identifier(&id)
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), Some(&ServiceNetworkServiceAssociationStatus::DeleteInProgress));
    let after =
        c.list_service_network_service_associations().service_network_identifier(&sn).send().await.expect("list");
    assert!(after.items().is_empty());
}

#[tokio::test]
async fn service_network_vpc_association_lifecycle() {
    let sim = sim().await;
    let c = client(&sim);
    let (sn, _) = sim.seed_service_network("mesh", &no_tags()).expect("seeded");
    let created = c
        .create_service_network_vpc_association()
        .service_network_identifier(&sn)
        .vpc_identifier(VPC)
        .security_group_ids("sg-12345678")
        .send()
        .await
        .expect("association");
    let id = created.id().expect("id").to_owned();
    assert_eq!(created.security_group_ids(), ["sg-12345678".to_owned()]);

    let updated = c
        .update_service_network_vpc_association()
        .service_network_vpc_association_identifier(&id)
        .security_group_ids("sg-87654321")
        .send()
        .await
        .expect("update");
    assert_eq!(updated.status().map(|s| s.as_str()), Some("UPDATE_IN_PROGRESS"));

    let got = c
        .get_service_network_vpc_association()
        .service_network_vpc_association_identifier(&id)
        .send()
        .await
        .expect("get");
    assert_eq!(got.status().map(|s| s.as_str()), Some("ACTIVE"));
    assert_eq!(got.vpc_id(), Some(VPC));
    assert_eq!(got.security_group_ids(), ["sg-87654321".to_owned()]);

    let listed = c.list_service_network_vpc_associations().vpc_identifier(VPC).send().await.expect("list");
    assert_eq!(listed.items().len(), 1);

    let err = c.delete_service_network().service_network_identifier(&sn).send().await.expect_err("in use");
    let err = err.into_service_error();
    assert!(err.is_conflict_exception());
    assert!(err.to_string().contains("has VPC(s) associated"), "{err}");

    c.delete_service_network_vpc_association()
        .service_network_vpc_association_identifier(&id)
        .send()
        .await
        .expect("delete");
    c.delete_service_network().service_network_identifier(&sn).send().await.expect("now deletable");
}

#[tokio::test]
async fn auth_policy_follows_auth_type() {
    let sim = sim().await;
    let c = client(&sim);
    let svc = create_service(&c, "secure").await;
    let policy = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}";
    let put = c.put_auth_policy().resource_identifier(&svc).policy(policy).send().await.expect("put");
    let echoed: serde_json::Value = serde_json::from_str(put.policy().expect("policy")).expect("json");
    assert_eq!(echoed, serde_json::json!({"Version": "2012-10-17", "Statement": []}));
    assert!(!put.policy().expect("policy").contains('\n'), "stored minified");
    assert_eq!(put.state().map(|s| s.as_str()), Some("Inactive"));

    c.update_service().service_identifier(&svc).auth_type(AuthType::AwsIam).send().await.expect("iam");
    let got = c.get_auth_policy().resource_identifier(&svc).send().await.expect("get");
    assert_eq!(got.state().map(|s| s.as_str()), Some("Active"));
    assert!(got.created_at().is_some());

    c.delete_auth_policy().resource_identifier(&svc).send().await.expect("delete");
    let none = c.get_auth_policy().resource_identifier(&svc).send().await.expect("still answers");
    assert!(none.policy().is_none());

    let err = c.put_auth_policy().resource_identifier(&svc).policy("not json").send().await.expect_err("invalid");
    assert!(err.into_service_error().is_validation_exception());
}

#[tokio::test]
async fn resource_policy_lifecycle() {
    let sim = sim().await;
    let c = client(&sim);
    let (_, sn_arn) = sim.seed_service_network("shared", &no_tags()).expect("seeded");
    let err = c.get_resource_policy().resource_arn(&sn_arn).send().await.expect_err("none yet");
    assert!(err.into_service_error().is_resource_not_found_exception());
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"vpc-lattice:CreateServiceNetworkVpcAssociation","Resource":"*"}]}"#;
    c.put_resource_policy().resource_arn(&sn_arn).policy(policy).send().await.expect("put");
    let got = c.get_resource_policy().resource_arn(&sn_arn).send().await.expect("get");
    assert!(got.policy().expect("policy").contains("111122223333"));
    c.delete_resource_policy().resource_arn(&sn_arn).send().await.expect("delete");
    let err = c.get_resource_policy().resource_arn(&sn_arn).send().await.expect_err("deleted");
    assert!(err.into_service_error().is_resource_not_found_exception());
}

#[tokio::test]
async fn access_log_subscription_lifecycle() {
    let sim = sim().await;
    let c = client(&sim);
    let (sn, sn_arn) = sim.seed_service_network("logged", &no_tags()).expect("seeded");
    let group = "arn:aws:logs:us-west-2:123456789012:log-group:lattice";
    let created = c
        .create_access_log_subscription()
        .resource_identifier(&sn)
        .destination_arn(group)
        .send()
        .await
        .expect("created");
    assert_eq!(created.resource_arn(), sn_arn);
    let id = created.id().to_owned();

    let dup = c
        .create_access_log_subscription()
        .resource_identifier(&sn_arn)
        .destination_arn("arn:aws:logs:us-west-2:123456789012:log-group:other")
        .send()
        .await
        .expect_err("same destination type");
    assert!(dup.into_service_error().is_conflict_exception());
    c.create_access_log_subscription()
        .resource_identifier(&sn)
        .destination_arn("arn:aws:s3:::lattice-logs")
        .send()
        .await
        .expect("another destination type");

    let updated = c
        .update_access_log_subscription()
        .access_log_subscription_identifier(&id)
        .destination_arn("arn:aws:logs:us-west-2:123456789012:log-group:renamed")
        .send()
        .await
        .expect("update");
    assert!(updated.destination_arn().ends_with("renamed"));
    let err = c
        .update_access_log_subscription()
        .access_log_subscription_identifier(&id)
        .destination_arn("arn:aws:firehose:us-west-2:123456789012:deliverystream/x")
        .send()
        .await
        .expect_err("type change");
    assert!(err.into_service_error().is_conflict_exception());

    let listed = c.list_access_log_subscriptions().resource_identifier(&sn).send().await.expect("list");
    assert_eq!(listed.items().len(), 2);
    let got = c.get_access_log_subscription().access_log_subscription_identifier(&id).send().await.expect("get");
    assert_eq!(got.resource_id(), sn);

    let missing = c
        .create_access_log_subscription()
        .resource_identifier("svc-0123456789abcdef0")
        .destination_arn(group)
        .send()
        .await
        .expect_err("no such service");
    let aws_sdk_vpclattice::operation::create_access_log_subscription::CreateAccessLogSubscriptionError::ResourceNotFoundException(e) =
        missing.into_service_error()
    else {
        panic!("expected ResourceNotFoundException")
    };
    assert_eq!(e.resource_type(), "SERVICE");

    c.delete_access_log_subscription().access_log_subscription_identifier(&id).send().await.expect("delete");
    c.delete_service_network().service_network_identifier(&sn).send().await.expect("cascades subscriptions");
    let listed = c.list_access_log_subscriptions().resource_identifier(&sn).send().await.expect("list");
    assert!(listed.items().is_empty());
}

#[tokio::test]
async fn tags_on_any_arn() {
    let sim = sim().await;
    let c = client(&sim);
    let (svc, listener, _) = service_with_listener(&c, "tagged").await;
    let listener_arn = c
        .get_listener()
        .service_identifier(&svc)
        .listener_identifier(&listener)
        .send()
        .await
        .expect("listener")
        .arn()
        .expect("arn")
        .to_owned();
    c.tag_resource().resource_arn(&listener_arn).tags("env", "prod").tags("team", "a").send().await.expect("tag");
    c.tag_resource().resource_arn(&listener_arn).tags("env", "dev").send().await.expect("upsert");
    let listed = c.list_tags_for_resource().resource_arn(&listener_arn).send().await.expect("list");
    assert_eq!(listed.tags(), Some(&tags(&[("env", "dev"), ("team", "a")])));
    c.untag_resource().resource_arn(&listener_arn).tag_keys("team").send().await.expect("untag");
    let listed = c.list_tags_for_resource().resource_arn(&listener_arn).send().await.expect("list");
    assert_eq!(listed.tags(), Some(&tags(&[("env", "dev")])));

    let unknown = "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0";
    let err = c.tag_resource().resource_arn(unknown).tags("a", "b").send().await.expect_err("unknown");
    assert!(err.into_service_error().is_resource_not_found_exception());

    let mut too_many = c.tag_resource().resource_arn(&listener_arn);
    for i in 0..50 {
        too_many = too_many.tags(format!("k{i}"), "v");
    }
    let err = too_many.send().await.expect_err("over 50 tags");
    assert!(err.into_service_error().is_validation_exception());
    let err =
        c.tag_resource().resource_arn(&listener_arn).tags("aws:reserved", "x").send().await.expect_err("reserved");
    assert!(err.into_service_error().is_validation_exception());
}
