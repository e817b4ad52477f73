//! Condition types and reasons from the Gateway API spec (the `gateway-api` crate has none for
//! routes), and helpers that build and merge `metav1.Condition`s.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use k8s_openapi::jiff::Timestamp;

/// Condition types.
pub mod types {
    /// `Accepted`.
    pub const ACCEPTED: &str = "Accepted";
    /// `Programmed`.
    pub const PROGRAMMED: &str = "Programmed";
    /// `ResolvedRefs`.
    pub const RESOLVED_REFS: &str = "ResolvedRefs";
    /// `Conflicted` (listeners).
    pub const CONFLICTED: &str = "Conflicted";
    /// `PartiallyInvalid` (routes).
    pub const PARTIALLY_INVALID: &str = "PartiallyInvalid";
    /// `OverlappingTLSConfig` (listeners).
    pub const OVERLAPPING_TLS_CONFIG: &str = "OverlappingTLSConfig";

    /// Every type this controller writes.
    pub const OURS: &[&str] =
        &[ACCEPTED, PROGRAMMED, RESOLVED_REFS, CONFLICTED, PARTIALLY_INVALID, OVERLAPPING_TLS_CONFIG];
}

/// Condition reasons.
pub mod reasons {
    /// Positive reason of `Accepted`.
    pub const ACCEPTED: &str = "Accepted";
    /// Positive reason of `Programmed`.
    pub const PROGRAMMED: &str = "Programmed";
    /// Positive reason of `ResolvedRefs`.
    pub const RESOLVED_REFS: &str = "ResolvedRefs";
    /// Something is not valid.
    pub const INVALID: &str = "Invalid";
    /// Waiting for something.
    pub const PENDING: &str = "Pending";
    /// A referenced parameters object is invalid or unsupported.
    pub const INVALID_PARAMETERS: &str = "InvalidParameters";
    /// Static Gateway addresses are not supported.
    pub const UNSUPPORTED_ADDRESS: &str = "UnsupportedAddress";
    /// Some or all listeners are invalid.
    pub const LISTENERS_NOT_VALID: &str = "ListenersNotValid";
    /// A listener references something that does not resolve.
    pub const LISTENERS_NOT_RESOLVED: &str = "ListenersNotResolved";
    /// A listener protocol is not supported.
    pub const UNSUPPORTED_PROTOCOL: &str = "UnsupportedProtocol";
    /// A value is not supported.
    pub const UNSUPPORTED_VALUE: &str = "UnsupportedValue";
    /// Listener allowedRoutes names a kind that is not supported.
    pub const INVALID_ROUTE_KINDS: &str = "InvalidRouteKinds";
    /// A certificate reference is invalid.
    pub const INVALID_CERTIFICATE_REF: &str = "InvalidCertificateRef";
    /// A cross-namespace reference has no ReferenceGrant.
    pub const REF_NOT_PERMITTED: &str = "RefNotPermitted";
    /// Listeners share a port with incompatible protocols.
    pub const PROTOCOL_CONFLICT: &str = "ProtocolConflict";
    /// Listeners share port, protocol and hostname.
    pub const HOSTNAME_CONFLICT: &str = "HostnameConflict";
    /// Listener has no conflicts.
    pub const NO_CONFLICTS: &str = "NoConflicts";
    /// HTTPS listeners on one port have overlapping hostnames.
    pub const OVERLAPPING_HOSTNAMES: &str = "OverlappingHostnames";
    /// No listener admits the route's namespace or kind.
    pub const NOT_ALLOWED_BY_LISTENERS: &str = "NotAllowedByListeners";
    /// No selected listener's hostname intersects the route's hostnames.
    pub const NO_MATCHING_LISTENER_HOSTNAME: &str = "NoMatchingListenerHostname";
    /// sectionName or port select no listener.
    pub const NO_MATCHING_PARENT: &str = "NoMatchingParent";
    /// A backend kind is not supported.
    pub const INVALID_KIND: &str = "InvalidKind";
    /// A backend does not exist.
    pub const BACKEND_NOT_FOUND: &str = "BackendNotFound";
    /// A backend speaks a protocol we cannot.
    pub const UNSUPPORTED_PROTOCOL_BACKEND: &str = "UnsupportedProtocol";
    /// Implementation-specific: the Lattice service name belongs to another route or owner.
    pub const CONFLICTED: &str = "Conflicted";
    /// Implementation-specific (the existing controller's): no ACM certificate covers the
    /// route's custom domain on an HTTPS listener that names none.
    pub const CERTIFICATE_NOT_FOUND: &str = "CertificateNotFound";
}

/// Builds a condition stamped with `generation` and `now`.
pub fn condition(
    type_: &str,
    ok: bool,
    reason: &str,
    message: impl Into<String>,
    generation: i64,
    now: Timestamp,
) -> Condition {
    Condition {
        type_: type_.to_owned(),
        status: if ok { "True" } else { "False" }.to_owned(),
        reason: reason.to_owned(),
        message: message.into(),
        observed_generation: Some(generation),
        last_transition_time: Time(now),
    }
}

/// `type_=True/ok_reason` when there is no problem, else `type_=False` with the problem's reason
/// and message.
pub fn verdict(
    type_: &str,
    problem: Option<(&str, &str)>,
    ok_reason: &str,
    ok_message: &str,
    generation: i64,
    now: Timestamp,
) -> Condition {
    match problem {
        Some((reason, message)) => condition(type_, false, reason, message, generation, now),
        None => condition(type_, true, ok_reason, ok_message, generation, now),
    }
}

/// Merges freshly computed conditions into existing ones: conditions of types this controller
/// does not write are kept as they are, those it writes but did not compute this time (a
/// `PartiallyInvalid` or `Conflicted` that no longer applies) are removed, and a condition whose
/// status did not change keeps its `lastTransitionTime`.
pub fn merge(existing: &[Condition], computed: Vec<Condition>) -> Vec<Condition> {
    let mut out: Vec<Condition> =
        existing.iter().filter(|c| !types::OURS.contains(&c.type_.as_str())).cloned().collect();
    for mut c in computed {
        if let Some(old) = existing.iter().find(|o| o.type_ == c.type_ && o.status == c.status) {
            c.last_transition_time = old.last_transition_time.clone();
        }
        out.push(c);
    }
    out
}

/// Looks up a condition by type.
pub fn find<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(secs).expect("valid timestamp")
    }

    #[test]
    fn merge_keeps_transition_time_when_status_is_unchanged() {
        let old = vec![
            condition(types::ACCEPTED, true, reasons::ACCEPTED, "old", 1, at(10)),
            condition("special.io/Foo", true, "Bar", "", 1, at(5)),
        ];
        let merged = merge(
            &old,
            vec![
                condition(types::ACCEPTED, true, reasons::ACCEPTED, "new", 2, at(20)),
                condition(types::RESOLVED_REFS, false, reasons::BACKEND_NOT_FOUND, "x", 2, at(20)),
            ],
        );
        let accepted = find(&merged, types::ACCEPTED).expect("accepted");
        assert_eq!(accepted.last_transition_time, Time(at(10)));
        assert_eq!(accepted.message, "new");
        assert_eq!(accepted.observed_generation, Some(2));
        assert!(find(&merged, "special.io/Foo").is_some(), "foreign condition types are kept");
        assert_eq!(find(&merged, types::RESOLVED_REFS).expect("resolved").last_transition_time, Time(at(20)));
    }

    #[test]
    fn merge_moves_transition_time_when_status_flips() {
        let old = vec![condition(types::ACCEPTED, true, reasons::ACCEPTED, "", 1, at(10))];
        let merged = merge(&old, vec![condition(types::ACCEPTED, false, reasons::NO_MATCHING_PARENT, "", 2, at(20))]);
        assert_eq!(merged[0].last_transition_time, Time(at(20)));
    }

    #[test]
    fn merge_drops_our_conditions_that_no_longer_apply() {
        let old = vec![
            condition(types::ACCEPTED, true, reasons::ACCEPTED, "", 1, at(10)),
            condition(types::PARTIALLY_INVALID, true, reasons::UNSUPPORTED_VALUE, "Dropped Rule 0", 1, at(10)),
        ];
        let merged = merge(&old, vec![condition(types::ACCEPTED, true, reasons::ACCEPTED, "", 2, at(20))]);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].type_, types::ACCEPTED);
    }
}
