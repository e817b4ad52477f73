//! Model values to SDK request values. Identifiers must already be resolved to ids.

use aws_sdk_vpclattice::types as sdk;
use model::lattice::{HeaderMatchType, HttpMatch, PathMatchType, RuleAction, RuleMatch, Target, TargetGroupConfig};
use model::names::Tags;

use crate::observe::convert::HealthCheckJson;

/// Why a request could not be built.
pub(super) type BuildProblem = String;

fn problem(error: impl std::fmt::Display) -> BuildProblem {
    format!("cannot build the request: {error}")
}

/// The SDK rule action of a model one.
pub(super) fn rule_action(action: &RuleAction) -> Result<sdk::RuleAction, BuildProblem> {
    match action {
        RuleAction::Forward(forward) => {
            let groups = forward
                .target_groups
                .iter()
                .map(|tg| {
                    sdk::WeightedTargetGroup::builder()
                        .target_group_identifier(&tg.target_group_identifier)
                        .weight(tg.weight)
                        .build()
                        .map_err(problem)
                })
                .collect::<Result<Vec<_>, _>>()?;
            let forward = sdk::ForwardAction::builder().set_target_groups(Some(groups)).build().map_err(problem)?;
            Ok(sdk::RuleAction::Forward(forward))
        }
        RuleAction::FixedResponse(fixed) => {
            let fixed = sdk::FixedResponseAction::builder().status_code(fixed.status_code).build().map_err(problem)?;
            Ok(sdk::RuleAction::FixedResponse(fixed))
        }
    }
}

/// The SDK rule match of a model one.
pub(super) fn rule_match(matcher: &RuleMatch) -> Result<sdk::RuleMatch, BuildProblem> {
    let RuleMatch::HttpMatch(http) = matcher;
    Ok(sdk::RuleMatch::HttpMatch(http_match(http)?))
}

fn http_match(http: &HttpMatch) -> Result<sdk::HttpMatch, BuildProblem> {
    let path = http.path_match.as_ref().map(|path| {
        let value = match &path.matcher {
            PathMatchType::Exact(v) => sdk::PathMatchType::Exact(v.clone()),
            PathMatchType::Prefix(v) => sdk::PathMatchType::Prefix(v.clone()),
        };
        sdk::PathMatch::builder().r#match(value).case_sensitive(path.case_sensitive).build()
    });
    let headers = http
        .header_matches
        .iter()
        .map(|header| {
            let value = match &header.matcher {
                HeaderMatchType::Exact(v) => sdk::HeaderMatchType::Exact(v.clone()),
                HeaderMatchType::Prefix(v) => sdk::HeaderMatchType::Prefix(v.clone()),
                HeaderMatchType::Contains(v) => sdk::HeaderMatchType::Contains(v.clone()),
            };
            sdk::HeaderMatch::builder()
                .name(&header.name)
                .r#match(value)
                .case_sensitive(header.case_sensitive)
                .build()
                .map_err(problem)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(sdk::HttpMatch::builder()
        .set_method(http.method.clone())
        .set_path_match(path)
        .set_header_matches((!headers.is_empty()).then_some(headers))
        .build())
}

/// The SDK target group configuration of a model one.
pub(super) fn target_group_config(config: &TargetGroupConfig) -> Result<sdk::TargetGroupConfig, BuildProblem> {
    let health_check = config.health_check.as_ref().map(health_check).transpose()?;
    Ok(sdk::TargetGroupConfig::builder()
        .port(config.port)
        .protocol(sdk::TargetGroupProtocol::from(config.protocol.as_str()))
        .set_protocol_version(config.protocol_version.as_deref().map(sdk::TargetGroupProtocolVersion::from))
        .ip_address_type(sdk::IpAddressType::from(config.ip_address_type.as_str()))
        .vpc_identifier(&config.vpc_identifier)
        .set_health_check(health_check)
        .build())
}

/// The SDK health check of one written as JSON in the API's field names.
pub(super) fn health_check(json: &serde_json::Value) -> Result<sdk::HealthCheckConfig, BuildProblem> {
    let check: HealthCheckJson =
        serde_json::from_value(json.clone()).map_err(|e| problem(format!("health check {json}: {e}")))?;
    Ok(sdk::HealthCheckConfig::builder()
        .set_enabled(check.enabled)
        .set_protocol(check.protocol.as_deref().map(sdk::TargetGroupProtocol::from))
        .set_protocol_version(check.protocol_version.as_deref().map(sdk::HealthCheckProtocolVersion::from))
        .set_port(check.port)
        .set_path(check.path)
        .set_health_check_interval_seconds(check.health_check_interval_seconds)
        .set_health_check_timeout_seconds(check.health_check_timeout_seconds)
        .set_healthy_threshold_count(check.healthy_threshold_count)
        .set_unhealthy_threshold_count(check.unhealthy_threshold_count)
        .set_matcher(check.matcher.and_then(|m| m.http_code).map(sdk::Matcher::HttpCode))
        .build())
}

/// SDK targets.
pub(super) fn targets(targets: &[Target]) -> Result<Vec<sdk::Target>, BuildProblem> {
    targets.iter().map(|t| sdk::Target::builder().id(&t.id).port(t.port).build().map_err(problem)).collect()
}

/// Tags as the SDK takes them.
pub(super) fn tags(tags: &Tags) -> Option<std::collections::HashMap<String, String>> {
    (!tags.is_empty()).then(|| tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::convert;
    use model::lattice::{ForwardAction, HeaderMatch, PathMatch, WeightedTargetGroup};

    #[test]
    fn matches_and_actions_survive_a_round_trip_through_the_sdk_types() {
        let http = HttpMatch {
            method: Some("POST".into()),
            path_match: Some(PathMatch { matcher: PathMatchType::Exact("/pay".into()), case_sensitive: false }),
            header_matches: vec![HeaderMatch {
                name: "x-tenant".into(),
                matcher: HeaderMatchType::Contains("blue".into()),
                case_sensitive: true,
            }],
        };
        let sdk_match = rule_match(&RuleMatch::HttpMatch(http.clone())).expect("builds");
        assert_eq!(convert::rule_match(&sdk_match), Ok(http));

        let forward = RuleAction::Forward(ForwardAction {
            target_groups: vec![
                WeightedTargetGroup { target_group_identifier: "tg-0a".into(), weight: 10 },
                WeightedTargetGroup { target_group_identifier: "tg-0b".into(), weight: 90 },
            ],
        });
        for action in [forward, RuleAction::fixed(404)] {
            let sdk_action = rule_action(&action).expect("builds");
            assert_eq!(convert::rule_action(&sdk_action), Ok(action));
        }
    }

    #[test]
    fn a_target_group_config_survives_a_round_trip() {
        let config = TargetGroupConfig {
            port: 8080,
            protocol: "HTTP".into(),
            protocol_version: Some("GRPC".into()),
            ip_address_type: "IPV4".into(),
            vpc_identifier: "vpc-0123".into(),
            health_check: Some(serde_json::json!({
                "enabled": true, "path": "/healthz", "healthCheckIntervalSeconds": 10,
                "matcher": {"httpCode": "200-299"}
            })),
        };
        let sdk_config = target_group_config(&config).expect("builds");
        assert_eq!(convert::target_group_config(Some(&sdk_config)), Ok(config));
    }

    #[test]
    fn an_unknown_health_check_field_is_refused_not_dropped() {
        let error = health_check(&serde_json::json!({"enabled": true, "interval": 5})).expect_err("refused");
        assert!(error.contains("interval"), "{error}");
    }

    #[test]
    fn empty_tags_are_left_out() {
        assert_eq!(tags(&Tags::new()), None);
        let one: Tags = [("k".to_owned(), "v".to_owned())].into();
        assert_eq!(tags(&one).map(|t| t.len()), Some(1));
    }
}
