//! SDK values to model values, exactly: rule matches, actions, listener protocols, target group
//! configurations (the health check as JSON in the API's own field names) and targets.
//!
//! Every function answers `Err(problem)` for a value the model cannot hold (an unknown union
//! variant, a missing required field), so that the caller can report which response was bad.

use aws_sdk_vpclattice::types as sdk;
use model::lattice::{
    FixedResponseAction, ForwardAction, HeaderMatch, HeaderMatchType, HttpMatch, ListenerProtocol, PathMatch,
    PathMatchType, RuleAction, Target, TargetGroupConfig, TargetGroupType, WeightedTargetGroup,
};
use serde::{Deserialize, Serialize};

/// Weight Lattice reports for a target group given without one.
const DEFAULT_WEIGHT: i32 = 100;

/// A health check in the shape the model stores it: the API's `HealthCheckConfig` as JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct HealthCheckJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) protocol_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) port: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) health_check_interval_seconds: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) health_check_timeout_seconds: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) healthy_threshold_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) unhealthy_threshold_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) matcher: Option<MatcherJson>,
}

/// The `Matcher` union of a health check.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct MatcherJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) http_code: Option<String>,
}

/// The id in a target group identifier: ARNs are cut to the id they end with.
pub(crate) fn target_group_id(identifier: &str) -> String {
    match identifier.rsplit_once("targetgroup/") {
        Some((_, id)) if identifier.starts_with("arn:") => id.to_owned(),
        _ => identifier.to_owned(),
    }
}

/// A rule action, with forward target groups named by id.
pub(crate) fn rule_action(action: &sdk::RuleAction) -> Result<RuleAction, String> {
    match action {
        sdk::RuleAction::Forward(forward) => Ok(RuleAction::Forward(ForwardAction {
            target_groups: forward
                .target_groups()
                .iter()
                .map(|tg| WeightedTargetGroup {
                    target_group_identifier: target_group_id(tg.target_group_identifier()),
                    weight: tg.weight().unwrap_or(DEFAULT_WEIGHT),
                })
                .collect(),
        })),
        sdk::RuleAction::FixedResponse(fixed) => {
            Ok(RuleAction::FixedResponse(FixedResponseAction { status_code: fixed.status_code() }))
        }
        other => Err(format!("unknown rule action {other:?}")),
    }
}

/// A rule match; Lattice knows only HTTP matches.
pub(crate) fn rule_match(matcher: &sdk::RuleMatch) -> Result<HttpMatch, String> {
    let sdk::RuleMatch::HttpMatch(http) = matcher else {
        return Err(format!("unknown rule match {matcher:?}"));
    };
    let path_match = http.path_match().map(path_match).transpose()?;
    let header_matches = http.header_matches().iter().map(header_match).collect::<Result<_, _>>()?;
    Ok(HttpMatch { method: http.method().map(str::to_owned), path_match, header_matches })
}

/// A path match; Lattice's default is case sensitive.
fn path_match(path: &sdk::PathMatch) -> Result<PathMatch, String> {
    let matcher = match path.r#match() {
        Some(sdk::PathMatchType::Exact(value)) => PathMatchType::Exact(value.clone()),
        Some(sdk::PathMatchType::Prefix(value)) => PathMatchType::Prefix(value.clone()),
        other => return Err(format!("unknown path match {other:?}")),
    };
    Ok(PathMatch { matcher, case_sensitive: path.case_sensitive().unwrap_or(true) })
}

/// A header match; Lattice's default is case insensitive.
fn header_match(header: &sdk::HeaderMatch) -> Result<HeaderMatch, String> {
    let matcher = match header.r#match() {
        Some(sdk::HeaderMatchType::Exact(value)) => HeaderMatchType::Exact(value.clone()),
        Some(sdk::HeaderMatchType::Prefix(value)) => HeaderMatchType::Prefix(value.clone()),
        Some(sdk::HeaderMatchType::Contains(value)) => HeaderMatchType::Contains(value.clone()),
        other => return Err(format!("unknown match of header {}: {other:?}", header.name())),
    };
    Ok(HeaderMatch {
        name: header.name().to_owned(),
        matcher,
        case_sensitive: header.case_sensitive().unwrap_or(false),
    })
}

/// A listener protocol.
pub(crate) fn listener_protocol(protocol: Option<&sdk::ListenerProtocol>) -> Result<ListenerProtocol, String> {
    match protocol {
        Some(sdk::ListenerProtocol::Http) => Ok(ListenerProtocol::Http),
        Some(sdk::ListenerProtocol::Https) => Ok(ListenerProtocol::Https),
        Some(sdk::ListenerProtocol::TlsPassthrough) => Ok(ListenerProtocol::TlsPassthrough),
        other => Err(format!("unknown listener protocol {other:?}")),
    }
}

/// A target group type.
pub(crate) fn target_group_type(kind: Option<&sdk::TargetGroupType>) -> Result<TargetGroupType, String> {
    match kind {
        Some(sdk::TargetGroupType::Ip) => Ok(TargetGroupType::Ip),
        Some(sdk::TargetGroupType::Lambda) => Ok(TargetGroupType::Lambda),
        Some(sdk::TargetGroupType::Instance) => Ok(TargetGroupType::Instance),
        Some(sdk::TargetGroupType::Alb) => Ok(TargetGroupType::Alb),
        other => Err(format!("unknown target group type {other:?}")),
    }
}

/// A target group configuration as Lattice reports it, defaults filled in.
pub(crate) fn target_group_config(config: Option<&sdk::TargetGroupConfig>) -> Result<TargetGroupConfig, String> {
    let config = config.ok_or("no config")?;
    Ok(TargetGroupConfig {
        port: config.port().ok_or("no config.port")?,
        protocol: config.protocol().ok_or("no config.protocol")?.as_str().to_owned(),
        protocol_version: config.protocol_version().map(|v| v.as_str().to_owned()),
        ip_address_type: config.ip_address_type().map_or("IPV4", |t| t.as_str()).to_owned(),
        vpc_identifier: config.vpc_identifier().ok_or("no config.vpcIdentifier")?.to_owned(),
        health_check: config.health_check().map(health_check).transpose()?,
    })
}

/// The configuration of a target group someone else owns, read only to forward to it: what a
/// Lambda target group lacks (port, protocol, VPC) is left empty, and a health check the model
/// cannot hold is left out.
pub(crate) fn foreign_target_group_config(config: Option<&sdk::TargetGroupConfig>) -> TargetGroupConfig {
    TargetGroupConfig {
        port: config.and_then(sdk::TargetGroupConfig::port).unwrap_or_default(),
        protocol: config.and_then(|c| c.protocol()).map_or("", |p| p.as_str()).to_owned(),
        protocol_version: config.and_then(|c| c.protocol_version()).map(|v| v.as_str().to_owned()),
        ip_address_type: config.and_then(|c| c.ip_address_type()).map_or("IPV4", |t| t.as_str()).to_owned(),
        vpc_identifier: config.and_then(|c| c.vpc_identifier()).unwrap_or_default().to_owned(),
        health_check: config.and_then(|c| c.health_check()).and_then(|h| health_check(h).ok()),
    }
}

/// A health check as JSON.
pub(crate) fn health_check(check: &sdk::HealthCheckConfig) -> Result<serde_json::Value, String> {
    let matcher = match check.matcher() {
        None => None,
        Some(sdk::Matcher::HttpCode(code)) => Some(MatcherJson { http_code: Some(code.clone()) }),
        Some(other) => return Err(format!("unknown health check matcher {other:?}")),
    };
    let json = HealthCheckJson {
        enabled: check.enabled(),
        protocol: check.protocol().map(|p| p.as_str().to_owned()),
        protocol_version: check.protocol_version().map(|v| v.as_str().to_owned()),
        port: check.port(),
        path: check.path().map(str::to_owned),
        health_check_interval_seconds: check.health_check_interval_seconds(),
        health_check_timeout_seconds: check.health_check_timeout_seconds(),
        healthy_threshold_count: check.healthy_threshold_count(),
        unhealthy_threshold_count: check.unhealthy_threshold_count(),
        matcher,
    };
    serde_json::to_value(json).map_err(|e| format!("health check does not serialize: {e}"))
}

/// The registered targets that count: draining ones are on their way out and are left out.
/// A target without a port uses the target group's.
pub(crate) fn targets(items: &[sdk::TargetSummary], default_port: i32) -> Result<Vec<Target>, String> {
    let mut targets = Vec::new();
    for item in items {
        if item.status() == Some(&sdk::TargetStatus::Draining) {
            continue;
        }
        let id = item.id().ok_or("a target without id")?;
        targets.push(Target { id: id.to_owned(), port: item.port().unwrap_or(default_port) });
    }
    targets.sort();
    Ok(targets)
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;
