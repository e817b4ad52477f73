//! Rules: the implicit default rule and BatchUpdateRule.

use aws_sdk_vpclattice::types::RuleUpdate;

use crate::common::*;

struct Fixture {
    c: aws_sdk_vpclattice::Client,
    svc: String,
    listener: String,
    tg: String,
}

impl Fixture {
    async fn new(sim: &lattice_sim::RunningSim) -> Self {
        let c = client(sim);
        let (svc, listener, tg) = service_with_listener(&c, "routes").await;
        Self { c, svc, listener, tg }
    }

    async fn rule(&self, name: &str, priority: i32) -> String {
        let out = self
            .c
            .create_rule()
            .service_identifier(&self.svc)
            .listener_identifier(&self.listener)
            .name(name)
            .priority(priority)
            .r#match(prefix(&format!("/{name}")))
            .action(forward(&[&self.tg]))
            .send()
            .await
            .expect("rule created");
        out.id().expect("id").to_owned()
    }

    async fn default_rule(&self) -> String {
        let listed = self
            .c
            .list_rules()
            .service_identifier(&self.svc)
            .listener_identifier(&self.listener)
            .send()
            .await
            .expect("rules");
        listed.items().iter().find(|r| r.is_default() == Some(true)).and_then(|r| r.id()).expect("default").to_owned()
    }

    async fn priorities(&self) -> Vec<(String, Option<i32>)> {
        let listed = self
            .c
            .list_rules()
            .service_identifier(&self.svc)
            .listener_identifier(&self.listener)
            .send()
            .await
            .expect("rules");
        listed.items().iter().map(|r| (r.name().expect("name").to_owned(), r.priority())).collect()
    }
}

fn update(rule: &str, priority: i32) -> RuleUpdate {
    RuleUpdate::builder().rule_identifier(rule).priority(priority).build().expect("update")
}

#[tokio::test]
async fn default_rule_cannot_be_changed() {
    let sim = sim().await;
    let f = Fixture::new(&sim).await;
    let default = f.default_rule().await;
    let err =
        f.c.update_rule()
            .service_identifier(&f.svc)
            .listener_identifier(&f.listener)
            .rule_identifier(&default)
            .priority(3)
            .send()
            .await
            .expect_err("default rule");
    assert!(err.into_service_error().is_validation_exception());
    let err =
        f.c.delete_rule()
            .service_identifier(&f.svc)
            .listener_identifier(&f.listener)
            .rule_identifier(&default)
            .send()
            .await
            .expect_err("default rule");
    assert!(err.into_service_error().is_validation_exception());
}

#[tokio::test]
async fn batch_update_swaps_priorities() {
    let sim = sim().await;
    let f = Fixture::new(&sim).await;
    let a = f.rule("alpha", 1).await;
    let b = f.rule("beta", 2).await;
    let out =
        f.c.batch_update_rule()
            .service_identifier(&f.svc)
            .listener_identifier(&f.listener)
            .rules(update(&a, 2))
            .rules(update(&b, 1))
            .send()
            .await
            .expect("swap");
    assert_eq!(out.successful().len(), 2);
    assert!(out.unsuccessful().is_empty());
    assert_eq!(out.successful()[0].priority(), Some(2));
    assert_eq!(out.successful()[0].is_default(), Some(false));
    let expected = vec![("beta".to_owned(), Some(1)), ("alpha".to_owned(), Some(2)), ("default".to_owned(), None)];
    assert_eq!(f.priorities().await, expected);
}

#[tokio::test]
async fn batch_update_reports_per_rule_failures() {
    let sim = sim().await;
    let f = Fixture::new(&sim).await;
    let a = f.rule("alpha", 1).await;
    let b = f.rule("beta", 2).await;
    let _gamma = f.rule("gamma", 3).await;
    let default = f.default_rule().await;
    let missing = "rule-0123456789abcdef0";
    let out =
        f.c.batch_update_rule()
            .service_identifier(&f.svc)
            .listener_identifier(&f.listener)
            .rules(update(&a, 10))
            .rules(update(&b, 3))
            .rules(update(missing, 20))
            .rules(update(&default, 30))
            .send()
            .await
            .expect("batch answers 200");
    let ok: Vec<&str> = out.successful().iter().filter_map(|r| r.id()).collect();
    assert_eq!(ok, vec![a.as_str()]);
    let mut failed: Vec<(&str, &str)> = out
        .unsuccessful()
        .iter()
        .map(|u| (u.rule_identifier().expect("id"), u.failure_code().expect("code")))
        .collect();
    failed.sort_unstable();
    let mut expected = vec![
        (b.as_str(), "ConflictException"),
        (missing, "ResourceNotFoundException"),
        (default.as_str(), "ValidationException"),
    ];
    expected.sort_unstable();
    assert_eq!(failed, expected);
    let priorities = f.priorities().await;
    assert!(priorities.contains(&("alpha".to_owned(), Some(10))));
    assert!(priorities.contains(&("beta".to_owned(), Some(2))));

    let too_many: Vec<RuleUpdate> = (0..11).map(|i| update(&a, 100 + i)).collect();
    let err =
        f.c.batch_update_rule()
            .service_identifier(&f.svc)
            .listener_identifier(&f.listener)
            .set_rules(Some(too_many))
            .send()
            .await
            .expect_err("more than 10 updates");
    assert!(err.into_service_error().is_validation_exception());
}
