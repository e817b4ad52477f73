//! Modeled errors as the SDK decodes them: validation field lists, conflicts, missing resources, quotas
//! and the cross-resource rules.

use std::time::Duration;

use aws_sdk_vpclattice::operation::create_listener::CreateListenerError;
use aws_sdk_vpclattice::operation::create_rule::CreateRuleError;
use aws_sdk_vpclattice::operation::create_service::CreateServiceError;
use aws_sdk_vpclattice::operation::get_service::GetServiceError;
use aws_sdk_vpclattice::operation::register_targets::RegisterTargetsError;
use aws_sdk_vpclattice::types::{ListenerProtocol, Target, TargetGroupProtocol, ValidationExceptionReason};
use lattice_sim::{Quotas, SimConfig};

use crate::common::*;

#[tokio::test]
async fn validation_lists_every_bad_field() {
    let sim = sim().await;
    let c = client(&sim);
    let err = c.create_service().name("svc-reserved").send().await.expect_err("bad name");
    let CreateServiceError::ValidationException(e) = err.into_service_error() else { panic!("validation") };
    assert_eq!(e.reason(), &ValidationExceptionReason::FieldValidationFailed);
    let names: Vec<&str> = e.field_list().iter().map(|f| f.name()).collect();
    assert_eq!(names, vec!["name"]);

    let svc = create_service(&c, "shop").await;
    let err = c
        .create_listener()
        .service_identifier(&svc)
        .name("x")
        .protocol(ListenerProtocol::Http)
        .port(70000)
        .default_action(fixed(200))
        .send()
        .await
        .expect_err("three bad fields");
    let CreateListenerError::ValidationException(e) = err.into_service_error() else { panic!("validation") };
    let mut names: Vec<&str> = e.field_list().iter().map(|f| f.name()).collect();
    names.sort_unstable();
    assert_eq!(names, vec!["defaultAction.fixedResponse.statusCode", "name", "port"]);

    let err = c.get_service().service_identifier("svc-123").send().await.expect_err("bad identifier");
    assert!(err.into_service_error().is_validation_exception());
    let err = c.list_services().max_results(101).send().await.expect_err("page too large");
    assert!(err.into_service_error().is_validation_exception());
}

#[tokio::test]
async fn unions_need_exactly_one_member_on_the_wire() {
    let sim = sim().await;
    let c = client(&sim);
    let svc = create_service(&c, "raw").await;
    let path = format!("/services/{svc}/listeners");
    let (status, body) = http_json(&sim, "POST", &path, r#"{"name":"web","protocol":"HTTP","defaultAction":{}}"#).await;
    assert_eq!(status, 400);
    assert_eq!(body["fieldList"][0]["name"], "defaultAction");
    let both = r#"{"name":"web","protocol":"HTTP","defaultAction":{"fixedResponse":{"statusCode":404},"forward":{"targetGroups":[]}}}"#;
    let (status, body) = http_json(&sim, "POST", &path, both).await;
    assert_eq!(status, 400);
    assert_eq!(body["reason"], "fieldValidationFailed");

    let (status, headers, body) = http(&sim, "POST", "/services", "{not json").await;
    assert_eq!(status, 400);
    assert!(headers.iter().any(|(k, v)| k == "x-amzn-errortype" && v == "ValidationException"));
    assert!(body.contains("cannotParse"), "{body}");
    let (status, body) = http_json(&sim, "GET", "/nothing/here", "").await;
    assert_eq!((status, body["reason"].as_str()), (400, Some("unknownOperation")));
}

#[tokio::test]
async fn not_found_names_the_resource() {
    let sim = sim().await;
    let c = client(&sim);
    let err = c.get_service().service_identifier("svc-0123456789abcdef0").send().await.expect_err("missing");
    let raw = err.raw_response().map(|r| r.status().as_u16());
    assert_eq!(raw, Some(404));
    let GetServiceError::ResourceNotFoundException(e) = err.into_service_error() else { panic!("not found") };
    assert_eq!(e.resource_id(), "svc-0123456789abcdef0");
    assert_eq!(e.resource_type(), "SERVICE");

    let other_account = "arn:aws:vpc-lattice:us-west-2:999999999999:service/svc-0123456789abcdef0";
    let err = c.get_service().service_identifier(other_account).send().await.expect_err("foreign ARN");
    assert!(err.into_service_error().is_resource_not_found_exception());
}

#[tokio::test]
async fn conflicts_on_names_ports_and_priorities() {
    let sim = sim().await;
    let c = client(&sim);
    let (svc, listener, tg) = service_with_listener(&c, "dup").await;
    let err = c.create_service().name("dup").send().await.expect_err("duplicate name");
    let CreateServiceError::ConflictException(e) = err.into_service_error() else { panic!("conflict") };
    assert_eq!((e.resource_id(), e.resource_type()), (svc.as_str(), "SERVICE"));

    let err = c
        .create_listener()
        .service_identifier(&svc)
        .name("other")
        .protocol(ListenerProtocol::Http)
        .port(80)
        .default_action(fixed(404))
        .send()
        .await
        .expect_err("duplicate port");
    assert!(err.into_service_error().is_conflict_exception());

    let rule = |name: &'static str, priority: i32| {
        c.create_rule()
            .service_identifier(&svc)
            .listener_identifier(&listener)
            .name(name)
            .priority(priority)
            .r#match(prefix("/a"))
            .action(forward(&[&tg]))
    };
    rule("first", 5).send().await.expect("first rule");
    let err = rule("second", 5).send().await.expect_err("duplicate priority");
    assert!(err.into_service_error().is_conflict_exception());
    let err = rule("first", 6).send().await.expect_err("duplicate name");
    assert!(err.into_service_error().is_conflict_exception());

    let err = c
        .get_listener()
        .service_identifier(create_service(&c, "elsewhere").await)
        .listener_identifier(&listener)
        .send()
        .await
        .expect_err("listener of another service");
    assert!(err.into_service_error().is_resource_not_found_exception());
}

#[tokio::test]
async fn quotas_answer_402() {
    let mut quotas = Quotas::default();
    quotas.set("rules-per-listener", 1).expect("known quota");
    let sim = sim_with(SimConfig { quotas, ..SimConfig::default() }).await;
    let c = client(&sim);
    let (svc, listener, tg) = service_with_listener(&c, "quota").await;
    c.create_listener()
        .service_identifier(&svc)
        .name("https")
        .protocol(ListenerProtocol::Https)
        .default_action(fixed(404))
        .send()
        .await
        .expect("second listener");
    let err = c
        .create_listener()
        .service_identifier(&svc)
        .name("third")
        .protocol(ListenerProtocol::Http)
        .port(8080)
        .default_action(fixed(404))
        .send()
        .await
        .expect_err("third listener");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(402));
    let CreateListenerError::ServiceQuotaExceededException(e) = err.into_service_error() else { panic!("quota") };
    assert_eq!((e.quota_code(), e.service_code(), e.resource_type()), ("L-D64E952E", "vpc-lattice", "LISTENER"));

    let rule = |name: &'static str, priority: i32| {
        c.create_rule()
            .service_identifier(&svc)
            .listener_identifier(&listener)
            .name(name)
            .priority(priority)
            .r#match(prefix("/q"))
            .action(forward(&[&tg]))
    };
    rule("one", 1).send().await.expect("within the overridden quota");
    let err = rule("two", 2).send().await.expect_err("over the quota");
    assert!(matches!(err.into_service_error(), CreateRuleError::ServiceQuotaExceededException(_)));
}

#[tokio::test]
async fn target_group_serves_one_service_only() {
    let sim = sim().await;
    let c = client(&sim);
    let (svc_a, _, tg) = service_with_listener(&c, "first").await;
    let svc_b = create_service(&c, "second").await;
    let err = c
        .create_listener()
        .service_identifier(&svc_b)
        .name("http")
        .protocol(ListenerProtocol::Http)
        .default_action(forward(&[&tg]))
        .send()
        .await
        .expect_err("tg already used by another service");
    let CreateListenerError::ConflictException(e) = err.into_service_error() else { panic!("conflict") };
    assert_eq!(e.resource_id(), tg);
    let got = c.get_target_group().target_group_identifier(&tg).send().await.expect("tg");
    let svc_arn = c.get_service().service_identifier(&svc_a).send().await.expect("svc").arn().expect("arn").to_owned();
    assert_eq!(got.service_arns(), [svc_arn]);
}

#[tokio::test]
async fn deletes_in_use_conflict() {
    let sim = sim_with(SimConfig { transition_delay: Duration::from_millis(1000), ..SimConfig::default() }).await;
    let c = client(&sim);
    let (sn, _) = sim.seed_service_network("busy", &no_tags()).expect("seeded");
    let svc = create_service(&c, "busy-svc").await;
    let creating_tg = create_tg(&c, "creating").await;

    let err = c.delete_target_group().target_group_identifier(&creating_tg).send().await.expect_err("creating");
    assert!(err.into_service_error().is_conflict_exception());
    let target = Target::builder().id("10.0.0.1").build().expect("target");
    let err = c
        .register_targets()
        .target_group_identifier(&creating_tg)
        .targets(target.clone())
        .send()
        .await
        .expect_err("creating");
    let RegisterTargetsError::ConflictException(e) = err.into_service_error() else { panic!("conflict") };
    assert_eq!(
        e.message(),
        format!("Invalid resource status for this operation, resource id {creating_tg}, status: CREATE_IN_PROGRESS.")
    );

    let assoc = c
        .create_service_network_service_association()
        .service_network_identifier(&sn)
        .service_identifier(&svc)
        .send()
        .await
        .expect("association");
    let again = c
        .create_service_network_service_association()
        .service_network_identifier(&sn)
        .service_identifier(&svc)
        .send()
        .await
        .expect_err("still creating");
    assert!(again.into_service_error().to_string().contains("CREATE_IN_PROGRESS"));
    let err = c
        .delete_service_network_service_association()
        .service_network_service_association_identifier(assoc.id().expect("id"))
        .send()
        .await
        .expect_err("creating association");
    assert!(err.into_service_error().is_conflict_exception());
    let err = c.delete_service_network().service_network_identifier(&sn).send().await.expect_err("has services");
    assert!(err.into_service_error().is_conflict_exception());
    let err = c.delete_service().service_identifier(&svc).send().await.expect_err("associated");
    assert!(err.into_service_error().is_conflict_exception());

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let tg = c.get_target_group().target_group_identifier(&creating_tg).send().await.expect("tg");
        if tg.status() == Some(&aws_sdk_vpclattice::types::TargetGroupStatus::Active) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "target group never became ACTIVE");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    c.register_targets().target_group_identifier(&creating_tg).targets(target).send().await.expect("active now");
    c.create_listener()
        .service_identifier(&svc)
        .name("http")
        .protocol(ListenerProtocol::Http)
        .default_action(forward(&[&creating_tg]))
        .send()
        .await
        .expect("listener");
    let err = c.delete_target_group().target_group_identifier(&creating_tg).send().await.expect_err("referenced");
    assert!(err.into_service_error().is_conflict_exception());
}

#[tokio::test]
async fn tls_passthrough_rules() {
    let sim = sim().await;
    let c = client(&sim);
    let plain = create_service(&c, "plain").await;
    let tcp = create_tg_with(&c, "tcp-tg", TargetGroupProtocol::Tcp).await;
    let http_tg = create_tg(&c, "http-tg").await;
    let tls = |svc: &str, action| {
        c.create_listener()
            .service_identifier(svc)
            .name("tls")
            .protocol(ListenerProtocol::TlsPassthrough)
            .port(443)
            .default_action(action)
    };
    let err = tls(&plain, forward(&[&tcp])).send().await.expect_err("no custom domain");
    assert!(err.into_service_error().is_validation_exception());

    let custom = c.create_service().name("custom").custom_domain_name("api.example.com").send().await.expect("svc");
    let custom = custom.id().expect("id").to_owned();
    let err = tls(&custom, fixed(404)).send().await.expect_err("fixed response");
    assert!(err.into_service_error().is_validation_exception());
    let err = tls(&custom, forward(&[&http_tg])).send().await.expect_err("http target group");
    assert!(err.into_service_error().is_validation_exception());
    let listener = tls(&custom, forward(&[&tcp])).send().await.expect("tls listener");

    let err = c
        .create_rule()
        .service_identifier(&custom)
        .listener_identifier(listener.id().expect("id"))
        .name("nope")
        .priority(1)
        .r#match(prefix("/"))
        .action(forward(&[&tcp]))
        .send()
        .await
        .expect_err("no rules on TLS_PASSTHROUGH");
    assert!(err.into_service_error().is_validation_exception());

    let unused_tcp = create_tg_with(&c, "tcp-tg-2", TargetGroupProtocol::Tcp).await;
    let err = c
        .create_listener()
        .service_identifier(&plain)
        .name("http")
        .protocol(ListenerProtocol::Http)
        .default_action(forward(&[&unused_tcp]))
        .send()
        .await
        .expect_err("tcp behind http");
    assert!(err.into_service_error().is_validation_exception());
}
