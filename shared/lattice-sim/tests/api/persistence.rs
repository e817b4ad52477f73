//! `state_file`: a second emulator on the same file sees what the first one created.

use lattice_sim::SimConfig;

use crate::common::*;

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("lattice-sim-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("state.json");
    let _ = std::fs::remove_file(&path);
    let config = || SimConfig { state_file: Some(path.clone()), ..SimConfig::default() };

    let first = sim_with(config()).await;
    let c = client(&first);
    let (svc, listener, tg) = service_with_listener(&c, "durable").await;
    c.tag_resource()
        .resource_arn(c.get_service().service_identifier(&svc).send().await.expect("svc").arn().expect("arn"))
        .tags("k", "v")
        .send()
        .await
        .expect("tag");
    c.create_service().name("durable-2").client_token("tok").send().await.expect("created");
    first.shutdown().await;
    assert!(path.exists());
    assert!(!dir.join("state.json.tmp").exists());

    let second = sim_with(config()).await;
    let c = client(&second);
    let got = c.get_listener().service_identifier(&svc).listener_identifier(&listener).send().await.expect("listener");
    assert_eq!(got.name(), Some("http"));
    let tg_view = c.get_target_group().target_group_identifier(&tg).send().await.expect("tg");
    assert_eq!(tg_view.service_arns().len(), 1);
    let replay = c.create_service().name("durable-2").client_token("tok").send().await.expect("idempotent");
    assert_eq!(c.list_services().send().await.expect("list").items().len(), 2);
    let fresh = create_service(&c, "after-restart").await;
    assert_ne!(Some(fresh.as_str()), replay.id(), "the id generator continues");
    second.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
