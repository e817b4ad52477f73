//! The checks the Kubernetes API server (object metadata) and the Gateway API CRD schemas would
//! make before an object is stored, applied to manifest files so that an object a cluster would
//! refuse is reported with its field instead of being translated.
//!
//! Checked: `metadata.name` (a DNS subdomain; a DNS label for Namespaces) and `metadata.namespace`
//! (a DNS label); for routes, `spec.hostnames` (the Gateway API hostname pattern), port ranges and
//! weights (`0..=1000000`) of `backendRefs`, `parentRefs` ports and their uniqueness; for Gateways,
//! listener ports and names; for Services, port numbers.

use serde_json::Value;

/// Largest Gateway API backend weight.
pub const MAX_WEIGHT: i64 = 1_000_000;

/// The first problem of `raw` (a `kind` object), as `(field, message)`.
pub(crate) fn check(raw: &Value, kind: &str) -> Option<(String, String)> {
    metadata(raw, kind).or_else(|| match kind {
        "HTTPRoute" | "GRPCRoute" | "TLSRoute" => route(&raw["spec"]),
        "Gateway" => gateway(&raw["spec"]),
        "Service" => ports(&raw["spec"]["ports"], "spec.ports", "port"),
        _ => None,
    })
}

fn metadata(raw: &Value, kind: &str) -> Option<(String, String)> {
    let meta = &raw["metadata"];
    if let Some(name) = meta["name"].as_str() {
        let problem = if kind == "Namespace" { dns_label(name) } else { dns_subdomain(name) };
        if let Some(problem) = problem {
            return Some(("metadata.name".to_owned(), format!("{:?} {problem}", short(name))));
        }
    }
    if let Some(namespace) = meta["namespace"].as_str()
        && let Some(problem) = dns_label(namespace)
    {
        return Some(("metadata.namespace".to_owned(), format!("{:?} {problem}", short(namespace))));
    }
    None
}

fn route(spec: &Value) -> Option<(String, String)> {
    for (i, host) in items(&spec["hostnames"]) {
        if let Some(host) = host.as_str()
            && let Some(problem) = hostname(host)
        {
            return Some((format!("spec.hostnames[{i}]"), format!("{:?} {problem}", short(host))));
        }
    }
    let parents: Vec<(usize, &Value)> = items(&spec["parentRefs"]).collect();
    for (i, parent) in &parents {
        if let Some(problem) = port_problem(&parent["port"]) {
            return Some((format!("spec.parentRefs[{i}].port"), problem));
        }
        let key = |p: &Value| {
            (
                p["group"].clone(),
                p["kind"].clone(),
                p["namespace"].clone(),
                p["name"].clone(),
                p["sectionName"].clone(),
                p["port"].clone(),
            )
        };
        if let Some((first, _)) = parents[..*i].iter().find(|(_, other)| key(other) == key(parent)) {
            return Some((format!("spec.parentRefs[{i}]"), format!("repeats spec.parentRefs[{first}]")));
        }
    }
    for (r, rule) in items(&spec["rules"]) {
        for (b, backend) in items(&rule["backendRefs"]) {
            let field = format!("spec.rules[{r}].backendRefs[{b}]");
            if let Some(problem) = port_problem(&backend["port"]) {
                return Some((format!("{field}.port"), problem));
            }
            let weight = &backend["weight"];
            if weight.is_number() && !weight.as_i64().is_some_and(|w| (0..=MAX_WEIGHT).contains(&w)) {
                return Some((format!("{field}.weight"), format!("{weight} is not an integer from 0 to {MAX_WEIGHT}")));
            }
        }
    }
    None
}

fn gateway(spec: &Value) -> Option<(String, String)> {
    let listeners: Vec<(usize, &Value)> = items(&spec["listeners"]).collect();
    for (i, listener) in &listeners {
        if let Some(problem) = port_problem(&listener["port"]) {
            return Some((format!("spec.listeners[{i}].port"), problem));
        }
        if let Some((first, _)) = listeners[..*i].iter().find(|(_, l)| l["name"] == listener["name"]) {
            return Some((format!("spec.listeners[{i}].name"), format!("repeats the name of spec.listeners[{first}]")));
        }
    }
    None
}

fn ports(list: &Value, path: &str, key: &str) -> Option<(String, String)> {
    items(list).find_map(|(i, p)| port_problem(&p[key]).map(|problem| (format!("{path}[{i}].{key}"), problem)))
}

fn items(v: &Value) -> impl Iterator<Item = (usize, &Value)> {
    v.as_array().into_iter().flatten().enumerate()
}

/// `None` for an absent port, one in `1..=65535`, or a value that is not a number (the typed
/// reading reports its type).
fn port_problem(port: &Value) -> Option<String> {
    (port.is_number() && !port.as_i64().is_some_and(|p| (1..=65535).contains(&p)))
        .then(|| format!("{port} is not a port number (1 to 65535)"))
}

fn short(s: &str) -> String {
    if s.chars().count() > 80 { format!("{}…", s.chars().take(80).collect::<String>()) } else { s.to_owned() }
}

/// RFC 1123 label: 1–63 lower-case alphanumerics or '-', alphanumeric at both ends.
fn dns_label(s: &str) -> Option<&'static str> {
    if s.is_empty() || s.len() > 63 {
        return Some("must be 1 to 63 characters");
    }
    label_chars(s)
}

fn label_chars(s: &str) -> Option<&'static str> {
    let ok = s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    (!ok).then_some("must be lower-case letters, digits and '-', starting and ending with a letter or digit")
}

/// RFC 1123 subdomain: at most 253 characters, labels separated by '.'.
fn dns_subdomain(s: &str) -> Option<&'static str> {
    if s.is_empty() || s.len() > 253 {
        return Some("must be 1 to 253 characters");
    }
    s.split('.').find_map(|label| if label.is_empty() { Some("has an empty label") } else { label_chars(label) })
}

/// The Gateway API hostname: a subdomain, optionally `*.` first, not an IP address.
fn hostname(s: &str) -> Option<&'static str> {
    let rest = s.strip_prefix("*.").unwrap_or(s);
    if rest.parse::<std::net::IpAddr>().is_ok() {
        return Some("is an IP address, not a hostname");
    }
    dns_subdomain(rest)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_hostnames_ports_and_weights() {
        assert!(dns_subdomain("rates.v1-a").is_none());
        for bad in ["", "Rates", "räte", "-a", "a..b", &"a".repeat(254)] {
            assert!(dns_subdomain(bad).is_some(), "{bad}");
        }
        assert!(hostname("*.example.com").is_none());
        for bad in ["10.0.0.1", "foo.*.example.com", "ünï.example.com", &format!("{}.com", "a".repeat(250))] {
            assert!(hostname(bad).is_some(), "{bad}");
        }
        let route = json!({"metadata": {"name": "r", "namespace": "default"}, "spec": {
            "rules": [{"backendRefs": [{"name": "a", "port": 80, "weight": -1}]}]}});
        let (field, message) = check(&route, "HTTPRoute").expect("problem");
        assert_eq!(field, "spec.rules[0].backendRefs[0].weight");
        assert!(message.contains("0 to 1000000"), "{message}");
        let gateway = json!({"metadata": {"name": "g"}, "spec": {"listeners": [
            {"name": "a", "port": 80}, {"name": "a", "port": 8080}]}});
        assert_eq!(check(&gateway, "Gateway").expect("problem").0, "spec.listeners[1].name");
        assert!(check(&json!({"metadata": {"name": "ok"}, "spec": {"ports": [{"port": 80}]}}), "Service").is_none());
    }
}
