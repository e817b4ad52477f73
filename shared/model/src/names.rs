//! Names and tags of Lattice resources, byte-compatible with the existing controller so that
//! resources it created are recognised as ours.

use std::collections::BTreeMap;

/// Tags on a Lattice resource.
pub type Tags = BTreeMap<String, String>;

/// Prefix of every tag key and annotation this controller writes.
pub const TAG_PREFIX: &str = "application-networking.k8s.aws/";
/// Ownership tag: `<account>/<cluster>/<vpc>`.
pub const TAG_MANAGED_BY: &str = "application-networking.k8s.aws/ManagedBy";
/// Name of the route a service or target group belongs to.
pub const TAG_ROUTE_NAME: &str = "application-networking.k8s.aws/RouteName";
/// Namespace of the route a service or target group belongs to.
pub const TAG_ROUTE_NAMESPACE: &str = "application-networking.k8s.aws/RouteNamespace";
/// Route type of a service: `http`, `grpc` or `tls`.
pub const TAG_ROUTE_TYPE: &str = "application-networking.k8s.aws/RouteType";
/// Cluster name on target groups.
pub const TAG_CLUSTER_NAME: &str = "application-networking.k8s.aws/ClusterName";
/// Backend Service (or ServiceExport) name on target groups.
pub const TAG_SERVICE_NAME: &str = "application-networking.k8s.aws/ServiceName";
/// Backend Service (or ServiceExport) namespace on target groups.
pub const TAG_SERVICE_NAMESPACE: &str = "application-networking.k8s.aws/ServiceNamespace";
/// What created a target group: `HTTPRoute`, `GRPCRoute`, `TLSRoute` or `ServiceExport`.
pub const TAG_SOURCE_TYPE: &str = "application-networking.k8s.aws/SourceTypeKey";
/// Protocol version of a target group: `HTTP1`, `HTTP2`, `GRPC` or empty.
pub const TAG_PROTOCOL_VERSION: &str = "application-networking.k8s.aws/ProtocolVersion";
/// The AccessLogPolicy (`<namespace>/<name>`) an access log subscription is built for.
pub const TAG_ACCESS_LOG_POLICY: &str = "application-networking.k8s.aws/AccessLogPolicy";
/// The TargetGroupPolicy (`<namespace>/<name>`) whose settings a target group carries; when the
/// policy goes away, the tag tells that the health check must return to the defaults.
pub const TAG_TARGET_GROUP_POLICY: &str = "application-networking.k8s.aws/TargetGroupPolicy";

/// The VpcAssociationPolicy (`namespace/name`) a service-network-to-VPC association was created
/// or last configured for; such an association goes when its policy does.
pub const TAG_VPC_ASSOCIATION_POLICY: &str = "application-networking.k8s.aws/VpcAssociationPolicy";

/// The tags that identify what a target group is for (besides `ManagedBy`): route target groups
/// carry all seven, ServiceExport ones all but the route name and namespace. Two target groups
/// with equal values for these keys (absent keys included) serve the same backend.
pub const TARGET_GROUP_IDENTITY_TAGS: [&str; 7] = [
    TAG_CLUSTER_NAME,
    TAG_SERVICE_NAME,
    TAG_SERVICE_NAMESPACE,
    TAG_SOURCE_TYPE,
    TAG_PROTOCOL_VERSION,
    TAG_ROUTE_NAME,
    TAG_ROUTE_NAMESPACE,
];

/// Route annotation with the Lattice-assigned DNS name of the route's service.
pub const ANNOTATION_DNS_NAME: &str = "application-networking.k8s.aws/lattice-assigned-domain-name";
/// Route annotation with the ARN of the route's Lattice service.
pub const ANNOTATION_SERVICE_ARN: &str = "application-networking.k8s.aws/lattice-service-arn";
/// Route annotation naming the `ManagedBy` value of another owner whose Lattice service this
/// route may take over.
pub const ANNOTATION_ALLOW_TAKEOVER_FROM: &str = "application-networking.k8s.aws/allow-takeover-from";
/// Listener `tls.options` key that carries an ACM certificate ARN.
pub const OPTION_CERTIFICATE_ARN: &str = "application-networking.k8s.aws/certificate-arn";

/// Checks a VPC Lattice service network name: 3 to 63 characters of `a-z`, `0-9` and `-`, no
/// leading, trailing or doubled hyphen. Returns what is wrong.
pub fn check_service_network_name(name: &str) -> Result<(), String> {
    if !(3..=63).contains(&name.len()) {
        return Err(format!("must be 3 to 63 characters long, not {}", name.len()));
    }
    if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err("may contain only lowercase letters, digits and hyphens".to_owned());
    }
    if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        return Err("may not start or end with a hyphen or contain two in a row".to_owned());
    }
    Ok(())
}

/// Whether `value` is a service network id (`sn-` and 17 lowercase letters or digits).
pub fn is_service_network_id(value: &str) -> bool {
    value
        .strip_prefix("sn-")
        .is_some_and(|rest| rest.len() == 17 && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// The VPC of a `ManagedBy` value (`<account>/<cluster>/<vpc>`).
pub fn managed_by_vpc(managed_by: &str) -> &str {
    managed_by.rsplit('/').next().unwrap_or_default()
}

/// The account of a `ManagedBy` value (`<account>/<cluster>/<vpc>`).
pub fn managed_by_account(managed_by: &str) -> &str {
    managed_by.split('/').next().unwrap_or_default()
}

/// The account of a Lattice ARN (`arn:aws:vpc-lattice:<region>:<account>:...`), or `""`.
pub fn arn_account(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or_default()
}

/// Takes the first `n` bytes of `s` (never splitting a character), then strips leading and
/// trailing hyphens, like the existing controller's `Truncate`.
pub fn truncate(s: &str, n: usize) -> &str {
    let mut end = s.len().min(n);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].trim_matches('-')
}

/// Lattice service name of a route: `trunc(route,20)-trunc(namespace,18)`.
pub fn service_name(route: &str, namespace: &str) -> String {
    format!("{}-{}", truncate(route, 20), truncate(namespace, 18))
}

/// Lattice listener name: `trunc(route,20)-trunc(namespace,18)-<port>-<protocol>`, where the
/// protocol is `http`, `https` or `tls`.
pub fn listener_name(route: &str, namespace: &str, port: i32, protocol_short: &str) -> String {
    format!("{}-{port}-{protocol_short}", service_name(route, namespace))
}

/// Lattice rule name, stable for a given match so that re-planning never renames a rule:
/// `k8s-rule-<10 hex digits of the match's hash>`.
pub fn rule_name(match_key: &str) -> String {
    format!("k8s-rule-{:010x}", fnv1a(match_key.as_bytes()) & 0xff_ffff_ffff)
}

/// Target group name: `k8s-<trunc(ns,55)>-<trunc(svc,55)>-<10 letters>` as the existing
/// controller writes it, except that the 10-letter suffix is derived from `identity` instead of
/// being random, so that the name is reproducible.
pub fn target_group_name(service_namespace: &str, service: &str, identity: &str) -> String {
    let mut hash = fnv1a(identity.as_bytes());
    let suffix: String = (0..10)
        .map(|_| {
            let letter = char::from(b'a' + (hash % 26) as u8);
            hash /= 26;
            letter
        })
        .collect();
    let name = format!("k8s-{}-{}-{suffix}", truncate(service_namespace, 55), truncate(service, 55));
    collapse_hyphens(&name)
}

/// Replaces runs of hyphens with one, as Lattice names may not contain `--`.
fn collapse_hyphens(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    out
}

/// 64-bit FNV-1a: a small, stable, dependency-free hash for deterministic names.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_name_truncates_like_the_existing_controller() {
        assert_eq!(service_name("rates", "default"), "rates-default");
        assert_eq!(
            service_name("a-very-long-route-name-indeed", "a-long-namespace-name-here"),
            "a-very-long-route-na-a-long-namespace-n"
        );
        // A hyphen left at the cut is stripped.
        assert_eq!(service_name("abcdefghijklmnopqrs-tuv", "ns"), "abcdefghijklmnopqrs-ns");
    }

    #[test]
    fn listener_names_carry_port_and_protocol() {
        assert_eq!(listener_name("rates", "default", 80, "http"), "rates-default-80-http");
        assert_eq!(listener_name("rates", "default", 443, "tls"), "rates-default-443-tls");
    }

    #[test]
    fn truncate_never_splits_a_character() {
        assert_eq!(truncate("ééé", 3), "é");
    }

    #[test]
    fn target_group_names_are_stable_and_distinct() {
        let a = target_group_name("default", "parking", "rates/parking/80");
        assert_eq!(a, target_group_name("default", "parking", "rates/parking/80"));
        assert_ne!(a, target_group_name("default", "parking", "rates/parking/81"));
        assert!(a.starts_with("k8s-default-parking-"));
        assert_eq!(a.len(), "k8s-default-parking-".len() + 10);
    }

    #[test]
    fn service_network_names_follow_the_lattice_rules() {
        assert_eq!(check_service_network_name("my-hotel"), Ok(()));
        for bad in ["ab", "My-hotel", "my.hotel", "-hotel", "hotel-", "my--hotel", &"a".repeat(64)] {
            assert!(check_service_network_name(bad).is_err(), "{bad}");
        }
        assert!(is_service_network_id("sn-0123456789abcdef0"));
        assert!(!is_service_network_id("sn-0123"));
        assert!(!is_service_network_id("my-hotel"));
    }

    #[test]
    fn managed_by_and_arns_split_into_their_parts() {
        assert_eq!(managed_by_vpc("111122223333/blue/vpc-0aaa"), "vpc-0aaa");
        assert_eq!(managed_by_account("111122223333/blue/vpc-0aaa"), "111122223333");
        assert_eq!(arn_account("arn:aws:vpc-lattice:us-west-2:444455556666:servicenetwork/sn-0"), "444455556666");
        assert_eq!(arn_account("sn-0"), "");
    }

    #[test]
    fn rule_names_are_valid_lattice_names() {
        let n = rule_name("GET /x");
        assert!(n.len() >= 3 && n.len() <= 63);
        assert!(!n.starts_with("rule-"));
        assert!(n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
    }
}
