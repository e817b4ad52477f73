//! The model's string patterns as full-match predicates (the API Reference renders them anchored).

/// A Lattice resource kind: its id prefix and the `type/id` chain of its ARN resource part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    ServiceNetwork,
    Service,
    Listener,
    Rule,
    TargetGroup,
    Snsa,
    Snva,
    AccessLog,
}

impl Kind {
    /// The id prefix without the dash.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::ServiceNetwork => "sn",
            Kind::Service => "svc",
            Kind::Listener => "listener",
            Kind::Rule => "rule",
            Kind::TargetGroup => "tg",
            Kind::Snsa => "snsa",
            Kind::Snva => "snva",
            Kind::AccessLog => "als",
        }
    }

    /// The ARN resource-type words leading to this kind, outermost first.
    pub fn chain(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Kind::ServiceNetwork => &[("servicenetwork", "sn")],
            Kind::Service => &[("service", "svc")],
            Kind::Listener => &[("service", "svc"), ("listener", "listener")],
            Kind::Rule => &[("service", "svc"), ("listener", "listener"), ("rule", "rule")],
            Kind::TargetGroup => &[("targetgroup", "tg")],
            Kind::Snsa => &[("servicenetworkserviceassociation", "snsa")],
            Kind::Snva => &[("servicenetworkvpcassociation", "snva")],
            Kind::AccessLog => &[("accesslogsubscription", "als")],
        }
    }

    /// The `resourceType` member used in errors.
    pub fn resource_type(self) -> &'static str {
        match self {
            Kind::ServiceNetwork => "SERVICE_NETWORK",
            Kind::Service => "SERVICE",
            Kind::Listener => "LISTENER",
            Kind::Rule => "RULE",
            Kind::TargetGroup => "TARGET_GROUP",
            Kind::Snsa => "SERVICE_NETWORK_SERVICE_ASSOCIATION",
            Kind::Snva => "SERVICE_NETWORK_VPC_ASSOCIATION",
            Kind::AccessLog => "ACCESS_LOG_SUBSCRIPTION",
        }
    }

    /// The Resource Groups Tagging API resource type (`vpc-lattice:<type>`).
    pub fn tagging_type(self) -> &'static str {
        match self {
            Kind::ServiceNetwork => "vpc-lattice:servicenetwork",
            Kind::Service => "vpc-lattice:service",
            Kind::Listener => "vpc-lattice:listener",
            Kind::Rule => "vpc-lattice:rule",
            Kind::TargetGroup => "vpc-lattice:targetgroup",
            Kind::Snsa => "vpc-lattice:servicenetworkserviceassociation",
            Kind::Snva => "vpc-lattice:servicenetworkvpcassociation",
            Kind::AccessLog => "vpc-lattice:accesslogsubscription",
        }
    }
}

/// `[0-9a-z]{17}`
fn suffix17(s: &str) -> bool {
    s.len() == 17 && s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// `{prefix}-[0-9a-z]{17}`
pub(crate) fn is_id(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')).is_some_and(suffix17)
}

/// The resource part of `arn:[a-z0-9\-]+:vpc-lattice:[a-zA-Z0-9\-]+:\d{12}:<resource>`.
pub(crate) fn lattice_arn_resource(s: &str) -> Option<&str> {
    let mut parts = s.splitn(6, ':');
    let ok = parts.next() == Some("arn")
        && parts.next().is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        && parts.next() == Some("vpc-lattice")
        && parts.next().is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        && parts.next().is_some_and(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()));
    if ok { parts.next() } else { None }
}

/// Which kind a Lattice ARN names, if its resource part is a well-formed chain.
pub(crate) fn arn_kind(s: &str) -> Option<Kind> {
    let resource = lattice_arn_resource(s)?;
    [
        Kind::ServiceNetwork,
        Kind::Service,
        Kind::Listener,
        Kind::Rule,
        Kind::TargetGroup,
        Kind::Snsa,
        Kind::Snva,
        Kind::AccessLog,
    ]
    .into_iter()
    .find(|k| chain_matches(resource, *k))
}

fn chain_matches(resource: &str, kind: Kind) -> bool {
    let words: Vec<&str> = resource.split('/').collect();
    let chain = kind.chain();
    words.len() == chain.len() * 2
        && chain.iter().enumerate().all(|(i, (word, prefix))| words[2 * i] == *word && is_id(words[2 * i + 1], prefix))
}

/// ID or ARN of `kind`.
pub(crate) fn is_identifier(s: &str, kind: Kind) -> bool {
    is_id(s, kind.prefix()) || lattice_arn_resource(s).is_some_and(|r| chain_matches(r, kind))
}

/// The id at the end of an identifier (the identifier itself when it is an id).
pub(crate) fn id_of(identifier: &str) -> &str {
    identifier.rsplit('/').next().unwrap_or(identifier)
}

/// `[a-z0-9]+([.-][a-z0-9]+)*`
fn dotted(s: &str) -> bool {
    !s.is_empty()
        && s.split(['.', '-']).all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// `arn(:SEG){2}(:SEG?){2}:<rest>` with SEG = dotted; returns (service, rest).
pub(crate) fn aws_arn(s: &str) -> Option<(&str, &str)> {
    let mut parts = s.splitn(6, ':');
    if parts.next() != Some("arn") {
        return None;
    }
    let partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    let rest = parts.next()?;
    let ok = dotted(partition)
        && dotted(service)
        && (region.is_empty() || dotted(region))
        && (account.is_empty() || dotted(account));
    ok.then_some((service, rest))
}

/// Resource names: `(?!prefix-)(?![-])(?!.*[-]$)(?!.*[-]{2})[a-z0-9-]+`.
pub(crate) fn is_name(s: &str, forbidden_prefix: Option<&str>) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && forbidden_prefix.is_none_or(|p| !s.starts_with(p))
}

pub(crate) fn sn_name(s: &str) -> bool {
    is_name(s, None)
}
pub(crate) fn service_name(s: &str) -> bool {
    is_name(s, Some("svc-"))
}
pub(crate) fn listener_name(s: &str) -> bool {
    is_name(s, Some("listener-"))
}
pub(crate) fn rule_name(s: &str) -> bool {
    is_name(s, Some("rule-"))
}
pub(crate) fn tg_name(s: &str) -> bool {
    is_name(s, Some("tg-"))
}

pub(crate) fn sn_ident(s: &str) -> bool {
    is_identifier(s, Kind::ServiceNetwork)
}
pub(crate) fn service_ident(s: &str) -> bool {
    is_identifier(s, Kind::Service)
}
pub(crate) fn listener_ident(s: &str) -> bool {
    is_identifier(s, Kind::Listener)
}
pub(crate) fn rule_ident(s: &str) -> bool {
    is_identifier(s, Kind::Rule)
}
pub(crate) fn tg_ident(s: &str) -> bool {
    is_identifier(s, Kind::TargetGroup)
}
pub(crate) fn snsa_ident(s: &str) -> bool {
    is_identifier(s, Kind::Snsa)
}
pub(crate) fn snva_ident(s: &str) -> bool {
    is_identifier(s, Kind::Snva)
}
pub(crate) fn als_ident(s: &str) -> bool {
    is_identifier(s, Kind::AccessLog)
}

/// ResourceIdentifier: sn/svc/rcfg id, or an ARN of one of them.
pub(crate) fn resource_ident(s: &str) -> bool {
    ["sn", "svc", "rcfg"].iter().any(|p| is_id(s, p)) || resource_arn(s)
}

/// ResourceArn: `...:((servicenetwork/sn)|(service/svc)|(resourceconfiguration/rcfg))-[0-9a-z]{17}`.
pub(crate) fn resource_arn(s: &str) -> bool {
    aws_arn(s).is_some_and(|(_, rest)| {
        [("servicenetwork/", "sn"), ("service/", "svc"), ("resourceconfiguration/", "rcfg")]
            .iter()
            .any(|(word, prefix)| rest.strip_prefix(word).is_some_and(|id| is_id(id, prefix)))
    })
}

/// Arn (tagging): `arn:[a-z0-9][-.a-z0-9]{0,62}:vpc-lattice:([a-z0-9][-.a-z0-9]{0,62})?:\d{12}:[^/].{0,1023}`.
pub(crate) fn tag_arn(s: &str) -> bool {
    let word = |w: &str, optional: bool| {
        (optional && w.is_empty())
            || (w.len() <= 63
                && w.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'))
    };
    let mut parts = s.splitn(6, ':');
    parts.next() == Some("arn")
        && parts.next().is_some_and(|p| word(p, false))
        && parts.next() == Some("vpc-lattice")
        && parts.next().is_some_and(|r| word(r, true))
        && parts.next().is_some_and(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        && parts.next().is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/') && rest.chars().count() <= 1024)
}

/// CertificateArn: empty or `arn(...):certificate/[0-9a-z-]+`.
pub(crate) fn certificate_arn(s: &str) -> bool {
    s.is_empty()
        || aws_arn(s).is_some_and(|(_, rest)| {
            rest.strip_prefix("certificate/").is_some_and(|id| {
                !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            })
        })
}

/// AccessLogDestinationArn: `arn(...):([^/].*)?`.
pub(crate) fn destination_arn(s: &str) -> bool {
    aws_arn(s).is_some_and(|(_, rest)| !rest.starts_with('/'))
}

fn short_id(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|r| {
        (r.len() == 8 || r.len() == 17) && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// VpcId: `vpc-(([0-9a-z]{8})|([0-9a-z]{17}))`.
pub(crate) fn vpc_id(s: &str) -> bool {
    short_id(s, "vpc-")
}

/// SecurityGroupId: `sg-(([0-9a-z]{8})|([0-9a-z]{17}))`.
pub(crate) fn sg_id(s: &str) -> bool {
    short_id(s, "sg-")
}

/// ClientToken: `.*[!-~]+.*` (at least one printable non-space ASCII character).
pub(crate) fn client_token(s: &str) -> bool {
    s.bytes().any(|b| (b'!'..=b'~').contains(&b))
}

/// PolicyString: `.*\S.*`.
pub(crate) fn non_blank(s: &str) -> bool {
    s.chars().any(|c| !c.is_whitespace())
}

/// PathMatchExact/Prefix: `/[a-zA-Z0-9@:%_+.~#?&/=-]*`.
pub(crate) fn url_path(s: &str) -> bool {
    s.starts_with('/') && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"@:%_+.~#?&/=-".contains(&b))
}

/// HealthCheckPath: empty or a URL path.
pub(crate) fn health_path(s: &str) -> bool {
    s.is_empty() || url_path(s)
}

/// HttpCodeMatcher: empty or `[0-9-,]+`.
pub(crate) fn http_codes(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b',')
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVC_ARN: &str = "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0";

    #[test]
    fn names_follow_the_model() {
        assert!(service_name("my-service-1"));
        assert!(!service_name("svc-foo"));
        assert!(!service_name("-a"));
        assert!(!service_name("a-"));
        assert!(!service_name("a--b"));
        assert!(!service_name("Upper"));
        assert!(sn_name("svc-is-fine-here"));
        assert!(!listener_name("listener-x"));
    }

    #[test]
    fn identifiers_accept_id_or_arn() {
        assert!(service_ident("svc-0123456789abcdef0"));
        assert!(service_ident(SVC_ARN));
        assert!(!service_ident("svc-0123"));
        assert!(!service_ident("arn:aws:vpc-lattice:us-west-2:12345:service/svc-0123456789abcdef0"));
        let rule = format!("{SVC_ARN}/listener/listener-0123456789abcdef0/rule/rule-0123456789abcdef0");
        assert!(rule_ident(&rule));
        assert_eq!(arn_kind(&rule), Some(Kind::Rule));
        assert_eq!(arn_kind(SVC_ARN), Some(Kind::Service));
        assert_eq!(id_of(&rule), "rule-0123456789abcdef0");
    }

    #[test]
    fn other_patterns() {
        assert!(vpc_id("vpc-12345678"));
        assert!(vpc_id("vpc-0123456789abcdef0"));
        assert!(!vpc_id("vpc-123"));
        assert!(certificate_arn("arn:aws:acm:us-west-2:123456789012:certificate/abc-123"));
        assert!(!certificate_arn("arn:aws:acm:us-west-2:123456789012:cert/abc"));
        assert!(destination_arn("arn:aws:logs:us-west-2:123456789012:log-group:my-group"));
        assert!(destination_arn("arn:aws:s3:::my-bucket"));
        assert!(resource_arn(SVC_ARN));
        assert!(tag_arn(SVC_ARN));
        assert!(!tag_arn("arn:aws:ec2:us-west-2:123456789012:vpc/vpc-1"));
        assert!(url_path("/api/v1?x=1"));
        assert!(!url_path("api"));
        assert!(client_token("  a "));
        assert!(!client_token("   "));
        assert!(http_codes("200-299,301"));
    }
}
