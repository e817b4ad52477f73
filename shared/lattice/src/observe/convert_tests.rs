use super::*;

fn weighted(id: &str, weight: Option<i32>) -> sdk::WeightedTargetGroup {
    sdk::WeightedTargetGroup::builder().target_group_identifier(id).set_weight(weight).build().expect("valid")
}

#[test]
fn forward_actions_name_target_groups_by_id_and_default_the_weight() {
    let arn = "arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/tg-0000000000000000b";
    let forward = sdk::ForwardAction::builder()
        .target_groups(weighted("tg-0000000000000000a", Some(7)))
        .target_groups(weighted(arn, None))
        .build()
        .expect("valid");
    let action = rule_action(&sdk::RuleAction::Forward(forward)).expect("converts");
    assert_eq!(
        action,
        RuleAction::Forward(ForwardAction {
            target_groups: vec![
                WeightedTargetGroup { target_group_identifier: "tg-0000000000000000a".into(), weight: 7 },
                WeightedTargetGroup { target_group_identifier: "tg-0000000000000000b".into(), weight: 100 },
            ]
        })
    );
    let fixed = sdk::FixedResponseAction::builder().status_code(404).build().expect("valid");
    assert_eq!(rule_action(&sdk::RuleAction::FixedResponse(fixed)), Ok(RuleAction::fixed(404)));
}

#[test]
fn matches_keep_every_part_and_apply_lattice_defaults() {
    let http = sdk::HttpMatch::builder()
        .method("GET")
        .path_match(sdk::PathMatch::builder().r#match(sdk::PathMatchType::Prefix("/api".into())).build())
        .header_matches(
            sdk::HeaderMatch::builder()
                .name("x-env")
                .r#match(sdk::HeaderMatchType::Exact("canary".into()))
                .build()
                .expect("valid"),
        )
        .build();
    let converted = rule_match(&sdk::RuleMatch::HttpMatch(http)).expect("converts");
    assert_eq!(
        converted,
        HttpMatch {
            method: Some("GET".into()),
            path_match: Some(PathMatch { matcher: PathMatchType::Prefix("/api".into()), case_sensitive: true }),
            header_matches: vec![HeaderMatch {
                name: "x-env".into(),
                matcher: HeaderMatchType::Exact("canary".into()),
                case_sensitive: false,
            }],
        }
    );
    let empty_path = sdk::HttpMatch::builder().path_match(sdk::PathMatch::builder().build()).build();
    assert!(rule_match(&sdk::RuleMatch::HttpMatch(empty_path)).is_err());
}

#[test]
fn listener_protocols_and_target_group_types_map_one_to_one() {
    assert_eq!(listener_protocol(Some(&sdk::ListenerProtocol::TlsPassthrough)), Ok(ListenerProtocol::TlsPassthrough));
    assert_eq!(listener_protocol(Some(&sdk::ListenerProtocol::Https)), Ok(ListenerProtocol::Https));
    assert!(listener_protocol(None).is_err());
    assert!(listener_protocol(Some(&sdk::ListenerProtocol::from("QUIC"))).is_err());
    assert_eq!(target_group_type(Some(&sdk::TargetGroupType::Ip)), Ok(TargetGroupType::Ip));
    assert!(target_group_type(Some(&sdk::TargetGroupType::from("FARGATE"))).is_err());
}

#[test]
fn a_target_group_config_carries_the_health_check_as_api_json() {
    let check = sdk::HealthCheckConfig::builder()
        .enabled(true)
        .protocol(sdk::TargetGroupProtocol::Http)
        .protocol_version(sdk::HealthCheckProtocolVersion::Http1)
        .path("/")
        .health_check_interval_seconds(30)
        .health_check_timeout_seconds(5)
        .healthy_threshold_count(5)
        .unhealthy_threshold_count(2)
        .matcher(sdk::Matcher::HttpCode("200".into()))
        .build();
    let config = sdk::TargetGroupConfig::builder()
        .port(8080)
        .protocol(sdk::TargetGroupProtocol::Http)
        .protocol_version(sdk::TargetGroupProtocolVersion::Http1)
        .ip_address_type(sdk::IpAddressType::Ipv4)
        .vpc_identifier("vpc-0123")
        .health_check(check)
        .build();
    let converted = target_group_config(Some(&config)).expect("converts");
    assert_eq!(converted.port, 8080);
    assert_eq!(converted.protocol, "HTTP");
    assert_eq!(converted.protocol_version.as_deref(), Some("HTTP1"));
    assert_eq!(converted.ip_address_type, "IPV4");
    assert_eq!(converted.vpc_identifier, "vpc-0123");
    assert_eq!(
        converted.health_check,
        Some(serde_json::json!({
            "enabled": true, "protocol": "HTTP", "protocolVersion": "HTTP1", "path": "/",
            "healthCheckIntervalSeconds": 30, "healthCheckTimeoutSeconds": 5,
            "healthyThresholdCount": 5, "unhealthyThresholdCount": 2, "matcher": {"httpCode": "200"}
        }))
    );
    assert!(target_group_config(None).is_err());
    assert!(target_group_config(Some(&sdk::TargetGroupConfig::builder().port(80).build())).is_err());
}

#[test]
fn draining_targets_are_left_out_and_ports_default_to_the_group_port() {
    let summary = |id: &str, port: Option<i32>, status: sdk::TargetStatus| {
        sdk::TargetSummary::builder().id(id).set_port(port).status(status).build()
    };
    let items = [
        summary("10.0.0.2", Some(8080), sdk::TargetStatus::Healthy),
        summary("10.0.0.1", None, sdk::TargetStatus::Initial),
        summary("10.0.0.3", Some(8080), sdk::TargetStatus::Draining),
        summary("10.0.0.4", Some(9090), sdk::TargetStatus::Unused),
    ];
    assert_eq!(
        targets(&items, 80),
        Ok(vec![
            Target { id: "10.0.0.1".into(), port: 80 },
            Target { id: "10.0.0.2".into(), port: 8080 },
            Target { id: "10.0.0.4".into(), port: 9090 },
        ])
    );
}

#[test]
fn target_group_ids_are_cut_from_arns_only() {
    assert_eq!(target_group_id("tg-0000000000000000a"), "tg-0000000000000000a");
    assert_eq!(
        target_group_id("arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/tg-0000000000000000a"),
        "tg-0000000000000000a"
    );
}
