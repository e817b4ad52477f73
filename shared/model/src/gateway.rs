//! Gateways of our classes, validated: which listeners Lattice can implement, which route kinds
//! and namespaces each admits, and what is wrong with the rest.

use std::collections::BTreeMap;

use gateway_api::gatewayclasses::GatewayClass;
use gateway_api::gateways::{
    Gateway, GatewayAllowedListenersNamespacesFrom, GatewayListeners, GatewayListenersAllowedRoutesNamespacesFrom,
    GatewayListenersAllowedRoutesNamespacesSelector, GatewayListenersTlsMode, GatewayStatus,
};

use crate::conditions::reasons;
use crate::config::CONTROLLER_NAME;
use crate::grants::{self, From, To};
use crate::hostnames;
use crate::lattice::ListenerProtocol;
use crate::names::OPTION_CERTIFICATE_ARN;
use crate::route::{GATEWAY_GROUP, RouteKind};
use crate::snapshot::{ClusterSnapshot, ObjectRef, name_of, namespace_of};

/// A reason and a message explaining a negative condition.
pub type Problem = (&'static str, String);

/// Which namespaces a listener admits routes from.
#[derive(Clone, Debug, PartialEq)]
pub enum AllowedNamespaces {
    /// The Gateway's namespace only.
    Same,
    /// Every namespace.
    All,
    /// Namespaces whose labels match.
    Selector(GatewayListenersAllowedRoutesNamespacesSelector),
}

/// A validated Gateway listener.
#[derive(Clone, Debug, PartialEq)]
pub struct Listener {
    /// Listener name.
    pub name: String,
    /// Port.
    pub port: i32,
    /// Lattice protocol, when the Gateway API protocol maps to one.
    pub protocol: Option<ListenerProtocol>,
    /// Hostname.
    pub hostname: Option<String>,
    /// Route kinds the listener admits (`supportedKinds`).
    pub kinds: Vec<RouteKind>,
    /// Namespaces the listener admits routes from.
    pub namespaces: AllowedNamespaces,
    /// Why the listener is not accepted.
    pub not_accepted: Option<Problem>,
    /// Why a reference of the listener does not resolve.
    pub not_resolved: Option<Problem>,
    /// `HostnameConflict` or `ProtocolConflict`.
    pub conflicted: Option<&'static str>,
    /// Another HTTPS listener on the same port has an overlapping hostname.
    pub overlapping_tls: bool,
    /// ACM certificate ARN from `tls.options`.
    pub certificate_arn: Option<String>,
}

impl Listener {
    /// Routes may attach (the listener is accepted; unresolved references still count).
    pub fn attachable(&self) -> bool {
        self.not_accepted.is_none() && self.conflicted.is_none() && self.protocol.is_some()
    }

    /// Lattice listeners are built for it.
    pub fn programmable(&self) -> bool {
        self.attachable() && !matches!(self.not_resolved, Some((r, _)) if r != reasons::INVALID_ROUTE_KINDS)
    }
}

/// A Gateway of one of our GatewayClasses.
#[derive(Clone, Debug, PartialEq)]
pub struct GatewayModel {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Name or id of the service network it maps to: its own name, or the default service
    /// network in override mode.
    pub service_network: String,
    /// `metadata.generation`.
    pub generation: i64,
    /// Listeners in spec order.
    pub listeners: Vec<Listener>,
    /// Why the Gateway itself is not accepted.
    pub not_accepted: Option<Problem>,
    /// Remarks for the `Accepted` message (fields that have no effect on Lattice).
    pub notes: Vec<String>,
    /// Current status on the object.
    pub existing: Option<GatewayStatus>,
}

impl GatewayModel {
    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Our GatewayClasses: those whose `controllerName` is ours.
pub fn our_classes(snapshot: &ClusterSnapshot) -> Vec<&GatewayClass> {
    snapshot.gateway_classes.iter().filter(|c| c.spec.controller_name == CONTROLLER_NAME).collect()
}

/// Validates every Gateway whose class is ours.
pub fn gateways(snapshot: &ClusterSnapshot) -> Vec<GatewayModel> {
    let classes: Vec<&str> = our_classes(snapshot).iter().map(|c| name_of(&c.metadata)).collect();
    snapshot
        .gateways
        .iter()
        .filter(|g| classes.contains(&g.spec.gateway_class_name.as_str()))
        .map(|g| validate(g, snapshot))
        .collect()
}

fn validate(gw: &Gateway, snapshot: &ClusterSnapshot) -> GatewayModel {
    let namespace = namespace_of(&gw.metadata).to_owned();
    let name = name_of(&gw.metadata).to_owned();
    let mut not_accepted = None;
    let mut notes = Vec::new();
    if let Some(p) = gw.spec.infrastructure.as_ref().and_then(|i| i.parameters_ref.as_ref()) {
        not_accepted = Some((
            reasons::INVALID_PARAMETERS,
            format!(
                "spec.infrastructure.parametersRef: {}/{} {} is not a parameters kind this controller knows",
                p.group, p.kind, p.name
            ),
        ));
    }
    if gw.spec.infrastructure.as_ref().is_some_and(|i| i.labels.is_some() || i.annotations.is_some()) {
        notes.push("spec.infrastructure labels and annotations have no in-cluster resources to apply to".into());
    }
    if gw.spec.addresses.as_ref().is_some_and(|a| !a.is_empty()) {
        not_accepted = Some((
            reasons::UNSUPPORTED_ADDRESS,
            "spec.addresses: VPC Lattice assigns a DNS name to every service; static Gateway addresses are not supported".into(),
        ));
    }
    if gw.spec.tls.is_some() {
        not_accepted =
            Some((reasons::INVALID, "spec.tls: client certificate validation is not supported by VPC Lattice".into()));
    }
    if let Some(fields) = snapshot.unknown_fields.get(&ObjectRef::new("Gateway", &namespace, &name))
        && !fields.is_empty()
    {
        not_accepted = Some((reasons::INVALID, format!("{} not supported by this controller", fields.join(", "))));
    }
    if gw
        .spec
        .allowed_listeners
        .as_ref()
        .and_then(|a| a.namespaces.as_ref())
        .and_then(|n| n.from.as_ref())
        .is_some_and(|f| !matches!(f, GatewayAllowedListenersNamespacesFrom::None))
    {
        notes.push("spec.allowedListeners: ListenerSets are not supported and are not attached".into());
    }
    let mut listeners: Vec<Listener> = gw.spec.listeners.iter().map(|l| listener(l, &namespace, snapshot)).collect();
    detect_conflicts(&mut listeners);
    GatewayModel {
        namespace,
        service_network: name.clone(),
        name,
        generation: gw.metadata.generation.unwrap_or(1),
        listeners,
        not_accepted,
        notes,
        existing: gw.status.clone(),
    }
}

fn valid_kinds(protocol: Option<ListenerProtocol>) -> &'static [RouteKind] {
    match protocol {
        Some(ListenerProtocol::Http) => &[RouteKind::Http],
        Some(ListenerProtocol::Https) => &[RouteKind::Http, RouteKind::Grpc],
        Some(ListenerProtocol::TlsPassthrough) => &[RouteKind::Tls],
        None => &[],
    }
}

fn listener(l: &GatewayListeners, gateway_namespace: &str, snapshot: &ClusterSnapshot) -> Listener {
    let mut not_accepted = None;
    let mut not_resolved = None;
    let tls_mode = l.tls.as_ref().and_then(|t| t.mode.clone());
    let protocol = match l.protocol.as_str() {
        "HTTP" => Some(ListenerProtocol::Http),
        "HTTPS" => Some(ListenerProtocol::Https),
        "TLS" => match tls_mode {
            Some(GatewayListenersTlsMode::Passthrough) => Some(ListenerProtocol::TlsPassthrough),
            _ => {
                not_accepted = Some((
                    reasons::UNSUPPORTED_VALUE,
                    "tls.mode: VPC Lattice TLS listeners pass TLS through; set mode Passthrough (Terminate is supported on HTTPS listeners)".into(),
                ));
                None
            }
        },
        other => {
            not_accepted = Some((
                reasons::UNSUPPORTED_PROTOCOL,
                format!("protocol {other:?} is not supported by VPC Lattice; use HTTP, HTTPS or TLS"),
            ));
            None
        }
    };
    let valid = valid_kinds(protocol);
    let mut kinds = Vec::new();
    match l.allowed_routes.as_ref().and_then(|a| a.kinds.as_ref()) {
        Some(requested) if !requested.is_empty() => {
            let mut invalid = Vec::new();
            for k in requested {
                let group = k.group.as_deref().unwrap_or(GATEWAY_GROUP);
                match RouteKind::from_kind(group, &k.kind) {
                    Some(kind) if valid.contains(&kind) => {
                        if !kinds.contains(&kind) {
                            kinds.push(kind);
                        }
                    }
                    _ => invalid.push(format!("{group}/{}", k.kind)),
                }
            }
            if !invalid.is_empty() && protocol.is_some() {
                not_resolved = Some((
                    reasons::INVALID_ROUTE_KINDS,
                    format!("allowedRoutes.kinds: {} not supported on a {} listener", invalid.join(", "), l.protocol),
                ));
            }
        }
        _ => kinds.extend_from_slice(valid),
    }
    let namespaces = match l.allowed_routes.as_ref().and_then(|a| a.namespaces.as_ref()) {
        Some(n) => match (&n.from, &n.selector) {
            (Some(GatewayListenersAllowedRoutesNamespacesFrom::All), _) => AllowedNamespaces::All,
            (Some(GatewayListenersAllowedRoutesNamespacesFrom::Selector), Some(s)) => {
                AllowedNamespaces::Selector(s.clone())
            }
            (Some(GatewayListenersAllowedRoutesNamespacesFrom::Selector), None) => {
                not_accepted.get_or_insert((
                    reasons::UNSUPPORTED_VALUE,
                    "allowedRoutes.namespaces: from Selector needs a selector".into(),
                ));
                AllowedNamespaces::Same
            }
            _ => AllowedNamespaces::Same,
        },
        None => AllowedNamespaces::Same,
    };
    let mut certificate_arn = None;
    if let Some(tls) = &l.tls {
        for (key, value) in tls.options.iter().flatten() {
            if key == OPTION_CERTIFICATE_ARN {
                if value.starts_with("arn:") && value.contains(":certificate/") {
                    certificate_arn = Some(value.clone());
                } else {
                    not_resolved = Some((
                        reasons::INVALID_CERTIFICATE_REF,
                        format!("tls.options[{key}]: {value:?} is not an ACM certificate ARN"),
                    ));
                }
            } else {
                not_accepted.get_or_insert((
                    reasons::UNSUPPORTED_VALUE,
                    format!("tls.options[{key}] is not an option this controller knows"),
                ));
            }
        }
        for (i, c) in tls.certificate_refs.iter().flatten().enumerate() {
            let group = c.group.as_deref().unwrap_or("");
            let kind = c.kind.as_deref().unwrap_or("Secret");
            let ns = c.namespace.as_deref().unwrap_or(gateway_namespace);
            if !group.is_empty() || kind != "Secret" {
                not_resolved = Some((
                    reasons::INVALID_CERTIFICATE_REF,
                    format!(
                        "tls.certificateRefs[{i}]: {group}/{kind} is not a supported certificate kind (core Secret)"
                    ),
                ));
            } else if !grants::permitted(
                &snapshot.reference_grants,
                From { group: GATEWAY_GROUP, kind: "Gateway", namespace: gateway_namespace },
                To { group: "", kind: "Secret", namespace: ns, name: &c.name },
            ) {
                not_resolved = Some((
                    reasons::REF_NOT_PERMITTED,
                    format!(
                        "tls.certificateRefs[{i}]: Secret {ns}/{} is in another namespace and no ReferenceGrant allows it",
                        c.name
                    ),
                ));
            }
        }
    }
    Listener {
        name: l.name.clone(),
        port: l.port,
        protocol,
        hostname: l.hostname.clone().filter(|h| !h.is_empty()),
        kinds: if protocol.is_some() { kinds } else { Vec::new() },
        namespaces,
        not_accepted,
        not_resolved,
        conflicted: None,
        overlapping_tls: false,
        certificate_arn,
    }
}

/// Marks listeners that share a port with an incompatible protocol (`ProtocolConflict`) or
/// share port, protocol and hostname (`HostnameConflict`), and HTTPS listeners on one port with
/// overlapping hostnames.
fn detect_conflicts(listeners: &mut [Listener]) {
    let mut by_port: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
    for (i, l) in listeners.iter().enumerate() {
        by_port.entry(l.port).or_default().push(i);
    }
    for idx in by_port.values() {
        let family = |p: Option<ListenerProtocol>| matches!(p, Some(ListenerProtocol::Http));
        let has_http = idx.iter().any(|&i| family(listeners[i].protocol));
        let has_other = idx.iter().any(|&i| listeners[i].protocol.is_some() && !family(listeners[i].protocol));
        for &i in idx {
            if has_http && has_other && listeners[i].protocol.is_some() {
                listeners[i].conflicted = Some(reasons::PROTOCOL_CONFLICT);
            }
        }
        for (a_pos, &a) in idx.iter().enumerate() {
            for &b in &idx[a_pos + 1..] {
                let (la, lb) = (&listeners[a], &listeners[b]);
                if la.protocol.is_none() || lb.protocol.is_none() || la.conflicted.is_some() && lb.conflicted.is_some()
                {
                    continue;
                }
                let same_family = family(la.protocol) == family(lb.protocol);
                if same_family
                    && la.hostname.as_deref().map(str::to_ascii_lowercase)
                        == lb.hostname.as_deref().map(str::to_ascii_lowercase)
                {
                    listeners[a].conflicted.get_or_insert(reasons::HOSTNAME_CONFLICT);
                    listeners[b].conflicted.get_or_insert(reasons::HOSTNAME_CONFLICT);
                } else if la.protocol == Some(ListenerProtocol::Https)
                    && lb.protocol == Some(ListenerProtocol::Https)
                    && hostnames::overlap(la.hostname.as_deref(), lb.hostname.as_deref())
                {
                    listeners[a].overlapping_tls = true;
                    listeners[b].overlapping_tls = true;
                }
            }
        }
    }
}

/// Whether a label selector matches `labels`.
pub fn selector_matches(
    selector: &GatewayListenersAllowedRoutesNamespacesSelector,
    labels: &BTreeMap<String, String>,
) -> bool {
    let labels_ok = selector.match_labels.iter().flatten().all(|(k, v)| labels.get(k) == Some(v));
    let exprs_ok = selector.match_expressions.iter().flatten().all(|e| {
        let values = e.values.clone().unwrap_or_default();
        match e.operator.as_str() {
            "In" => labels.get(&e.key).is_some_and(|v| values.contains(v)),
            "NotIn" => labels.get(&e.key).is_none_or(|v| !values.contains(v)),
            "Exists" => labels.contains_key(&e.key),
            "DoesNotExist" => !labels.contains_key(&e.key),
            _ => false,
        }
    });
    labels_ok && exprs_ok
}

/// Labels of a namespace; a namespace absent from the snapshot still has the label
/// `kubernetes.io/metadata.name` that Kubernetes sets on every namespace.
pub fn namespace_labels(snapshot: &ClusterSnapshot, namespace: &str) -> BTreeMap<String, String> {
    let mut labels = snapshot
        .namespaces
        .iter()
        .find(|n| name_of(&n.metadata) == namespace)
        .and_then(|n| n.metadata.labels.clone())
        .unwrap_or_default();
    labels.entry("kubernetes.io/metadata.name".into()).or_insert_with(|| namespace.to_owned());
    labels
}
