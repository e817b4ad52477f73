//! Route attachment: for every parentRef that names one of our Gateways, which listeners accept
//! the route, or the spec's reason why none does.

use crate::conditions::reasons;
use crate::gateway::{AllowedNamespaces, GatewayModel, Problem, namespace_labels, selector_matches};
use crate::hostnames;
use crate::route::{GATEWAY_GROUP, Route};
use crate::snapshot::ClusterSnapshot;
use crate::status::ParentRef;

/// A listener a route attached to.
#[derive(Clone, Debug, PartialEq)]
pub struct Attached {
    /// Index of the listener in its Gateway.
    pub listener: usize,
    /// Hostnames the route serves there (`None`: any).
    pub hostnames: Option<Vec<String>>,
}

/// The outcome for one parentRef of a route.
#[derive(Clone, Debug, PartialEq)]
pub struct Attachment {
    /// The parentRef as written in status.
    pub parent: ParentRef,
    /// Index of the Gateway in the list of our Gateways.
    pub gateway: usize,
    /// The listeners that accepted the route, or why none did.
    pub outcome: Result<Vec<Attached>, Problem>,
}

/// Evaluates every parentRef of `route` that names a Gateway of ours; others get no entry.
pub fn attach(route: &Route, gateways: &[GatewayModel], snapshot: &ClusterSnapshot) -> Vec<Attachment> {
    let mut out = Vec::new();
    for parent in &route.parent_refs {
        if parent.group != GATEWAY_GROUP || parent.kind != "Gateway" {
            continue;
        }
        let ns = parent.namespace.as_deref().unwrap_or(&route.namespace);
        let Some(gateway) = gateways.iter().position(|g| g.namespace == ns && g.name == parent.name) else {
            continue;
        };
        let outcome = evaluate(route, parent, &gateways[gateway], snapshot);
        out.push(Attachment { parent: parent.clone(), gateway, outcome });
    }
    out
}

fn evaluate(
    route: &Route,
    parent: &ParentRef,
    gw: &GatewayModel,
    snapshot: &ClusterSnapshot,
) -> Result<Vec<Attached>, Problem> {
    if let Some((_, message)) = &gw.not_accepted {
        return Err((reasons::NO_MATCHING_PARENT, format!("Gateway {} is not accepted: {message}", gw.key())));
    }
    let selected: Vec<usize> = gw
        .listeners
        .iter()
        .enumerate()
        .filter(|(_, l)| parent.section_name.as_ref().is_none_or(|s| *s == l.name))
        .filter(|(_, l)| parent.port.is_none_or(|p| p == l.port))
        .map(|(i, _)| i)
        .collect();
    if selected.is_empty() {
        let what = match (&parent.section_name, parent.port) {
            (Some(s), Some(p)) => format!("no listener named {s:?} on port {p}"),
            (Some(s), None) => format!("no listener named {s:?}"),
            (None, Some(p)) => format!("no listener on port {p}"),
            (None, None) => "no listeners".to_owned(),
        };
        return Err((reasons::NO_MATCHING_PARENT, format!("Gateway {} has {what}", gw.key())));
    }
    let labels = namespace_labels(snapshot, &route.namespace);
    let allowed: Vec<usize> = selected
        .into_iter()
        .filter(|&i| {
            let l = &gw.listeners[i];
            l.attachable()
                && l.kinds.contains(&route.kind)
                && match &l.namespaces {
                    AllowedNamespaces::All => true,
                    AllowedNamespaces::Same => route.namespace == gw.namespace,
                    AllowedNamespaces::Selector(s) => selector_matches(s, &labels),
                }
        })
        .collect();
    if allowed.is_empty() {
        return Err((
            reasons::NOT_ALLOWED_BY_LISTENERS,
            format!(
                "No listener of Gateway {} allows a {} from namespace {}; check the listeners' protocol and allowedRoutes",
                gw.key(),
                route.kind.kind(),
                route.namespace
            ),
        ));
    }
    let attached: Vec<Attached> = allowed
        .into_iter()
        .filter_map(|i| {
            let hostnames = hostnames::intersect(gw.listeners[i].hostname.as_deref(), &route.hostnames);
            match &hostnames {
                Some(h) if h.is_empty() => None,
                _ => Some(Attached { listener: i, hostnames }),
            }
        })
        .collect();
    if attached.is_empty() {
        return Err((
            reasons::NO_MATCHING_LISTENER_HOSTNAME,
            format!("No listener of Gateway {} has a hostname that intersects the route's hostnames", gw.key()),
        ));
    }
    Ok(attached)
}
