//! RBAC authorization of resource requests against a fixed set of rules.

use crate::config::PolicyRule;
use crate::status::ApiError;

/// What a resource request asks to do, in RBAC terms.
pub(crate) struct Attributes<'a> {
    /// `get`, `list`, `create`, `update`, `patch` or `delete`.
    pub verb: &'a str,
    /// API group (`""` for core).
    pub group: &'a str,
    /// Plural resource name.
    pub resource: &'a str,
    /// `status` for the status subresource.
    pub subresource: Option<&'a str>,
    /// The namespace of a namespaced request.
    pub namespace: Option<&'a str>,
    /// The object name, if the request names one.
    pub name: Option<&'a str>,
}

fn matches(items: &[String], value: &str) -> bool {
    items.iter().any(|i| i == "*" || i == value)
}

/// Whether any rule allows the request. As in RBAC, resource `*` covers subresources and `*/status` covers
/// every status subresource.
pub(crate) fn allowed(rules: &[PolicyRule], a: &Attributes<'_>) -> bool {
    let resource = match a.subresource {
        Some(sub) => format!("{}/{sub}", a.resource),
        None => a.resource.to_string(),
    };
    rules.iter().any(|r| {
        matches(&r.api_groups, a.group)
            && r.resources.iter().any(|x| {
                x == "*" || *x == resource || a.subresource.is_some_and(|sub| x.strip_prefix("*/") == Some(sub))
            })
            && matches(&r.verbs, a.verb)
            && (r.resource_names.is_empty() || a.name.is_some_and(|name| r.resource_names.iter().any(|n| n == name)))
    })
}

/// The 403 a real server returns when RBAC denies the request.
pub(crate) fn forbidden(user: &str, a: &Attributes<'_>) -> ApiError {
    let qualified = if a.group.is_empty() { a.resource.to_string() } else { format!("{}.{}", a.resource, a.group) };
    let subject = match a.name {
        Some(name) => format!("{qualified} \"{name}\""),
        None => qualified,
    };
    let resource = match a.subresource {
        Some(sub) => format!("{}/{sub}", a.resource),
        None => a.resource.to_string(),
    };
    let scope = match a.namespace {
        Some(ns) => format!("in the namespace \"{ns}\""),
        None => "at the cluster scope".to_string(),
    };
    let mut e = ApiError::new(
        403,
        format!(
            "{subject} is forbidden: User \"{user}\" cannot {} resource \"{resource}\" in API group \"{}\" {scope}",
            a.verb, a.group
        ),
    );
    e.details = Some(serde_json::json!({"group": a.group, "kind": a.resource, "name": a.name.unwrap_or("")}));
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs<'a>(verb: &'a str, resource: &'a str, sub: Option<&'a str>) -> Attributes<'a> {
        Attributes {
            verb,
            group: "gateway.networking.k8s.io",
            resource,
            subresource: sub,
            namespace: Some("shop"),
            name: Some("rates"),
        }
    }

    #[test]
    fn status_needs_its_own_rule() {
        let rules = vec![PolicyRule::new(&["gateway.networking.k8s.io"], &["httproutes"], &["get", "list", "patch"])];
        assert!(allowed(&rules, &attrs("patch", "httproutes", None)));
        assert!(!allowed(&rules, &attrs("patch", "httproutes", Some("status"))));
        assert!(!allowed(&rules, &attrs("update", "httproutes", None)));
        let wildcard = vec![PolicyRule::new(&["*"], &["*"], &["*"])];
        assert!(allowed(&wildcard, &attrs("delete", "gateways", None)));
        assert!(allowed(&wildcard, &attrs("patch", "gateways", Some("status"))));
        let any_status = vec![PolicyRule::new(&["gateway.networking.k8s.io"], &["*/status"], &["patch"])];
        assert!(allowed(&any_status, &attrs("patch", "gateways", Some("status"))));
        assert!(!allowed(&any_status, &attrs("patch", "gateways", None)));
    }

    #[test]
    fn resource_names_limit_a_rule_to_named_objects() {
        let rules = vec![
            PolicyRule::new(&["gateway.networking.k8s.io"], &["httproutes"], &["get", "update", "create", "list"])
                .names(&["rates"]),
        ];
        assert!(allowed(&rules, &attrs("update", "httproutes", None)));
        let other = Attributes { name: Some("other"), ..attrs("update", "httproutes", None) };
        assert!(!allowed(&rules, &other));
        for verb in ["create", "list"] {
            let unnamed = Attributes { name: None, ..attrs(verb, "httproutes", None) };
            assert!(!allowed(&rules, &unnamed), "{verb} names no object");
        }
    }

    #[test]
    fn forbidden_message_matches_the_api_server() {
        let e = forbidden("lattice-reconciler", &attrs("patch", "httproutes", Some("status")));
        assert_eq!(
            e.message,
            "httproutes.gateway.networking.k8s.io \"rates\" is forbidden: User \"lattice-reconciler\" cannot patch \
             resource \"httproutes/status\" in API group \"gateway.networking.k8s.io\" in the namespace \"shop\""
        );
        assert_eq!(e.code, 403);
    }
}
