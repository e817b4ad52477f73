//! Pagination through the SDK paginators and idempotent creates by clientToken.

use aws_sdk_vpclattice::operation::create_service::CreateServiceError;
use aws_sdk_vpclattice::types::Target;

use crate::common::*;

#[tokio::test]
async fn paginators_walk_every_page_in_creation_order() {
    let sim = sim().await;
    let c = client(&sim);
    let names: Vec<String> = (0..7).map(|i| format!("service-{i}")).collect();
    for name in &names {
        create_service(&c, name).await;
    }
    let first = c.list_services().max_results(3).send().await.expect("first page");
    assert_eq!(first.items().len(), 3);
    let token = first.next_token().expect("more pages").to_owned();
    let last = c.list_services().max_results(5).next_token(&token).send().await.expect("last page");
    assert_eq!(last.items().len(), 4);
    assert!(last.next_token().is_none(), "no token on the last page");

    sim.reset_calls();
    let items: Vec<String> = c
        .list_services()
        .into_paginator()
        .page_size(3)
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("all pages")
        .iter()
        .map(|s| s.name().expect("name").to_owned())
        .collect();
    assert_eq!(items, names);
    assert_eq!(sim.calls().get("ListServices"), Some(&3));

    let err = c.list_services().next_token("forged").send().await.expect_err("bad token");
    assert!(err.into_service_error().is_validation_exception());
    let err = c.list_target_groups().next_token(&token).send().await.expect_err("token of another listing");
    assert!(err.into_service_error().is_validation_exception());
}

#[tokio::test]
async fn list_targets_pages_through_a_post() {
    let sim = sim().await;
    let c = client(&sim);
    let tg = create_tg(&c, "paged").await;
    let mut request = c.register_targets().target_group_identifier(&tg);
    for i in 0..25 {
        request = request.targets(Target::builder().id(format!("10.0.0.{i}")).build().expect("target"));
    }
    request.send().await.expect("registered");
    let ids: Vec<String> = c
        .list_targets()
        .target_group_identifier(&tg)
        .into_paginator()
        .page_size(10)
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("pages")
        .iter()
        .map(|t| t.id().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), 25);
    assert_eq!(ids[24], "10.0.0.24");
}

#[tokio::test]
async fn client_token_makes_creates_idempotent() {
    let sim = sim().await;
    let c = client(&sim);
    let first = c.create_service().name("once").client_token("token-1").send().await.expect("created");
    let again = c.create_service().name("once").client_token("token-1").send().await.expect("replayed");
    assert_eq!(first.id(), again.id());
    assert_eq!(again.status(), first.status());
    assert_eq!(c.list_services().send().await.expect("list").items().len(), 1);

    let err =
        c.create_service().name("twice").client_token("token-1").send().await.expect_err("same token, new params");
    let CreateServiceError::ConflictException(e) = err.into_service_error() else { panic!("conflict") };
    assert_eq!(Some(e.resource_id()), first.id());

    let err = c.create_service().name("once").client_token("token-2").send().await.expect_err("new token, same name");
    assert!(err.into_service_error().is_conflict_exception());

    let svc = first.id().expect("id");
    let listener = |token: &str| {
        c.create_listener()
            .service_identifier(svc)
            .name("web")
            .protocol(aws_sdk_vpclattice::types::ListenerProtocol::Http)
            .default_action(fixed(404))
            .client_token(token)
    };
    let l1 = listener("l-token").send().await.expect("listener");
    let l2 = listener("l-token").send().await.expect("replayed listener");
    assert_eq!(l1.id(), l2.id());
}
