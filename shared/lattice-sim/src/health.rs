//! Target group health check configuration: validation, documented defaults and the echoed shape.

use serde_json::{Map, Value, json};

use crate::state::HealthCheck;
use crate::validate::{Checker, HC_PATH, HTTP_CODES, join};

/// The health check members of a request, each optional (zero means "use the default").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HealthDraft {
    enabled: Option<bool>,
    protocol: Option<String>,
    protocol_version: Option<String>,
    port: Option<u16>,
    path: Option<String>,
    interval: Option<u32>,
    timeout: Option<u32>,
    healthy: Option<u32>,
    unhealthy: Option<u32>,
    matcher: Option<String>,
}

/// Reads a HealthCheckConfig structure at `path`.
pub(crate) fn parse(c: &mut Checker, hc: &Map<String, Value>, path: &str) -> HealthDraft {
    let count = |key: &str, model: (i64, i64), usable: (i64, i64), c: &mut Checker| {
        let v = c.int(hc, path, key, model, false)?;
        if v != 0 && (v < usable.0 || v > usable.1) {
            c.fail(join(path, key), format!("Member must be 0 (default) or between {} and {}", usable.0, usable.1));
            return None;
        }
        u32::try_from(v).ok()
    };
    let interval = count("healthCheckIntervalSeconds", (0, 300), (5, 300), c);
    let timeout = count("healthCheckTimeoutSeconds", (0, 120), (1, 120), c);
    let healthy = count("healthyThresholdCount", (0, 10), (2, 10), c);
    let unhealthy = count("unhealthyThresholdCount", (0, 10), (2, 10), c);
    let matcher = c.union(hc, path, "matcher", &["httpCode"], false).and_then(|(_, v)| {
        let name = join(&join(path, "matcher"), "httpCode");
        match v.as_str() {
            Some(text) if c.check_str(&name, text, HTTP_CODES) => Some(text.to_owned()),
            Some(_) => None,
            None => {
                c.fail(name, "Member must be a string");
                None
            }
        }
    });
    HealthDraft {
        enabled: c.boolean(hc, path, "enabled"),
        protocol: c.enumeration(hc, path, "protocol", &["HTTP", "HTTPS", "TCP"], false),
        protocol_version: c.enumeration(hc, path, "protocolVersion", &["HTTP1", "HTTP2"], false),
        port: c.int(hc, path, "port", (0, 65535), false).and_then(|p| u16::try_from(p).ok()).filter(|p| *p != 0),
        path: c.string(hc, path, "path", HC_PATH, false),
        interval,
        timeout,
        healthy,
        unhealthy,
        matcher,
    }
}

/// The defaults for a target group of `protocol`/`protocol_version` (disabled for TCP and HTTP2).
pub(crate) fn defaults(protocol: Option<&str>, protocol_version: Option<&str>) -> HealthCheck {
    let enabled = protocol != Some("TCP") && protocol_version != Some("HTTP2");
    HealthCheck {
        enabled,
        protocol: protocol.map(str::to_owned),
        protocol_version: Some("HTTP1".to_owned()),
        port: None,
        path: Some("/".to_owned()),
        interval: 30,
        timeout: 5,
        healthy: 5,
        unhealthy: 2,
        matcher: Some("200".to_owned()),
    }
}

/// Applies the members set in `draft` over `base` (zero counts reset to the default).
pub(crate) fn merge(base: &HealthCheck, draft: HealthDraft) -> HealthCheck {
    let reset = |v: Option<u32>, current: u32, default: u32| match v {
        Some(0) => default,
        Some(n) => n,
        None => current,
    };
    HealthCheck {
        enabled: draft.enabled.unwrap_or(base.enabled),
        protocol: draft.protocol.or_else(|| base.protocol.clone()),
        protocol_version: draft.protocol_version.or_else(|| base.protocol_version.clone()),
        port: draft.port.or(base.port),
        path: draft.path.filter(|p| !p.is_empty()).or_else(|| base.path.clone()),
        interval: reset(draft.interval, base.interval, 30),
        timeout: reset(draft.timeout, base.timeout, 5),
        healthy: reset(draft.healthy, base.healthy, 5),
        unhealthy: reset(draft.unhealthy, base.unhealthy, 2),
        matcher: draft.matcher.filter(|m| !m.is_empty()).or_else(|| base.matcher.clone()),
    }
}

/// The HealthCheckConfig as echoed in responses.
pub(crate) fn to_json(hc: &HealthCheck) -> Value {
    json!({
        "enabled": hc.enabled,
        "protocol": hc.protocol,
        "protocolVersion": hc.protocol_version,
        "port": hc.port,
        "path": hc.path,
        "healthCheckIntervalSeconds": hc.interval,
        "healthCheckTimeoutSeconds": hc.timeout,
        "healthyThresholdCount": hc.healthy,
        "unhealthyThresholdCount": hc.unhealthy,
        "matcher": hc.matcher.as_ref().map(|m| json!({"httpCode": m})),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_resets_and_ranges_are_enforced() {
        let body =
            json!({"healthCheckIntervalSeconds": 0, "healthyThresholdCount": 3, "matcher": {"httpCode": "200-299"}});
        let mut c = Checker::new();
        let draft = parse(&mut c, body.as_object().expect("object"), "healthCheck");
        assert!(c.count() == 0);
        let mut base = defaults(Some("HTTP"), Some("HTTP1"));
        base.interval = 60;
        let merged = merge(&base, draft);
        assert_eq!((merged.interval, merged.healthy), (30, 3));
        assert_eq!(merged.matcher.as_deref(), Some("200-299"));

        let bad = json!({"healthCheckIntervalSeconds": 3, "unhealthyThresholdCount": 11});
        let mut c = Checker::new();
        parse(&mut c, bad.as_object().expect("object"), "healthCheck");
        assert_eq!(c.count(), 2);
    }

    #[test]
    fn disabled_by_default_for_tcp_and_http2() {
        assert!(!defaults(Some("TCP"), None).enabled);
        assert!(!defaults(Some("HTTP"), Some("HTTP2")).enabled);
        assert!(defaults(Some("HTTPS"), Some("HTTP1")).enabled);
    }
}
