//! Status of GatewayClasses, Gateways and routes, merged into what the objects already carry.

use std::collections::BTreeMap;

use gateway_api::gatewayclasses::{GatewayClassStatus, GatewayClassStatusSupportedFeatures};
use gateway_api::gateways::{
    GatewayStatus, GatewayStatusAddresses, GatewayStatusListeners, GatewayStatusListenersSupportedKinds,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use k8s_openapi::jiff::Timestamp;

use super::RouteOutcome;
use crate::conditions::{self, condition, reasons, types, verdict};
use crate::config::{CONTROLLER_NAME, Config};
use crate::gateway::{self, GatewayModel, Listener};
use crate::index::ObservedIndex;
use crate::names::{ANNOTATION_DNS_NAME, ANNOTATION_SERVICE_ARN};
use crate::networks::{NetworkMatch, find};
use crate::observed::{ObservedState, is_owned};
use crate::route::GATEWAY_GROUP;
use crate::snapshot::{ClusterSnapshot, name_of};
use crate::status::{ObjectStatus, RouteParentStatus, RouteStatus, StatusEntry};

const API_VERSION: &str = "gateway.networking.k8s.io/v1";

/// Features advertised in `GatewayClass.status.supportedFeatures` (sorted by name).
pub const SUPPORTED_FEATURES: &[&str] = &[
    "GRPCRoute",
    "Gateway",
    "HTTPRoute",
    "HTTPRouteMethodMatching",
    "HTTPRouteParentRefPort",
    "ReferenceGrant",
    "TLSRoute",
];

/// The routes' outcomes, and the name of the Lattice service of each (the services themselves
/// have moved into the desired state).
pub(super) struct Routes<'a> {
    /// Outcomes, in translation order.
    pub(super) outcomes: &'a [RouteOutcome],
    /// The service name of each outcome, when it has a service.
    pub(super) services: &'a [Option<String>],
}

/// The status of our GatewayClasses, the Gateways and the routes.
pub(super) fn build(
    snapshot: &ClusterSnapshot,
    gateways: &[GatewayModel],
    routes: Routes<'_>,
    seen: &ObservedIndex<'_>,
    config: &Config,
    managed: &BTreeMap<String, String>,
    now: Timestamp,
) -> Vec<StatusEntry> {
    let Routes { outcomes, services } = routes;
    let mut out = Vec::new();
    for class in gateway::our_classes(snapshot) {
        let generation = class.metadata.generation.unwrap_or(1);
        let accepted = match &class.spec.parameters_ref {
            Some(p) => condition(
                types::ACCEPTED,
                false,
                reasons::INVALID_PARAMETERS,
                format!(
                    "spec.parametersRef: {}/{} {} is not a parameters kind this controller knows",
                    p.group, p.kind, p.name
                ),
                generation,
                now,
            ),
            None => condition(
                types::ACCEPTED,
                true,
                reasons::ACCEPTED,
                format!("Handled by {CONTROLLER_NAME}"),
                generation,
                now,
            ),
        };
        let existing = class.status.as_ref().and_then(|s| s.conditions.clone()).unwrap_or_default();
        let status = GatewayClassStatus {
            conditions: Some(conditions::merge(&existing, vec![accepted])),
            supported_features: Some(
                SUPPORTED_FEATURES
                    .iter()
                    .map(|f| GatewayClassStatusSupportedFeatures { name: (*f).to_owned() })
                    .collect(),
            ),
        };
        out.push(entry("GatewayClass", None, name_of(&class.metadata), ObjectStatus::GatewayClass(status)));
    }
    for (gi, gw) in gateways.iter().enumerate() {
        let network = NetworkFacts { observed: seen.state(), seen, account: &config.identity.account_id, managed };
        out.push(gateway_entry(gi, gw, outcomes, services, &network, now));
    }
    let managed_by = config.identity.managed_by();
    for (o, service) in outcomes.iter().zip(services) {
        let ours: Vec<RouteParentStatus> = o
            .attachments
            .iter()
            .map(|a| RouteParentStatus {
                parent_ref: a.parent.clone(),
                controller_name: CONTROLLER_NAME.to_owned(),
                conditions: route_conditions(o, a.outcome.as_ref().err(), now),
            })
            .collect();
        let had_ours = o.route.existing_parents.iter().any(|p| p.controller_name == CONTROLLER_NAME);
        if ours.is_empty() && !had_ours {
            continue;
        }
        let mut parents: Vec<RouteParentStatus> =
            o.route.existing_parents.iter().filter(|p| p.controller_name != CONTROLLER_NAME).cloned().collect();
        for mut p in ours {
            if let Some(old) = o
                .route
                .existing_parents
                .iter()
                .find(|e| e.controller_name == CONTROLLER_NAME && e.parent_ref == p.parent_ref)
            {
                p.conditions = conditions::merge(&old.conditions, p.conditions);
            }
            parents.push(p);
        }
        let mut e = entry(
            o.route.kind.kind(),
            Some(&o.route.namespace),
            &o.route.name,
            ObjectStatus::Route(RouteStatus { parents }),
        );
        if let Some(svc) =
            service.as_deref().and_then(|name| seen.service(name)).filter(|s| is_owned(&s.tags, &managed_by))
        {
            if let Some(dns) = &svc.dns_name {
                e.annotations.insert(ANNOTATION_DNS_NAME.to_owned(), dns.clone());
            }
            e.annotations.insert(ANNOTATION_SERVICE_ARN.to_owned(), svc.arn.clone());
        }
        out.push(e);
    }
    out
}

fn entry(kind: &str, namespace: Option<&str>, name: &str, status: ObjectStatus) -> StatusEntry {
    StatusEntry {
        api_version: API_VERSION.to_owned(),
        kind: kind.to_owned(),
        namespace: namespace.map(str::to_owned),
        name: name.to_owned(),
        status,
        annotations: BTreeMap::new(),
    }
}

fn route_conditions(o: &RouteOutcome, problem: Option<&(&'static str, String)>, now: Timestamp) -> Vec<Condition> {
    let generation = o.route.generation;
    let mut out = Vec::new();
    match problem {
        Some((reason, message)) => {
            out.push(condition(types::ACCEPTED, false, reason, message.clone(), generation, now))
        }
        None => {
            let mut message = "Route is accepted".to_owned();
            if !o.warnings.is_empty() {
                message = format!("{message}; {}", o.warnings.join("; "));
            }
            out.push(condition(types::ACCEPTED, true, reasons::ACCEPTED, message, generation, now));
        }
    }
    let unresolved = o.unresolved.first().map(|(reason, _)| {
        let messages: Vec<&str> = o.unresolved.iter().map(|(_, m)| m.as_str()).collect();
        let message = format!(
            "{}; a rule left without usable backends answers 500, otherwise their share goes to the rule's other backends",
            messages.join("; ")
        );
        (*reason, message)
    });
    let unresolved = unresolved.as_ref().map(|(r, m)| (*r, m.as_str()));
    out.push(verdict(
        types::RESOLVED_REFS,
        unresolved,
        reasons::RESOLVED_REFS,
        "All references are resolved",
        generation,
        now,
    ));
    if problem.is_none() && !o.dropped.is_empty() {
        out.push(condition(
            types::PARTIALLY_INVALID,
            true,
            reasons::UNSUPPORTED_VALUE,
            o.dropped.join("; "),
            generation,
            now,
        ));
    }
    out
}

/// What a Gateway's `Programmed` condition depends on.
struct NetworkFacts<'a> {
    observed: &'a ObservedState,
    seen: &'a ObservedIndex<'a>,
    account: &'a str,
    /// Service networks we create when missing, with what asks for each.
    managed: &'a BTreeMap<String, String>,
}

fn gateway_entry(
    gi: usize,
    gw: &GatewayModel,
    outcomes: &[RouteOutcome],
    services: &[Option<String>],
    network: &NetworkFacts<'_>,
    now: Timestamp,
) -> StatusEntry {
    let observed = network.observed;
    let generation = gw.generation;
    let mut attached = vec![0_i32; gw.listeners.len()];
    let mut dns: Option<String> = None;
    for (o, service) in outcomes.iter().zip(services) {
        for a in o.attachments.iter().filter(|a| a.gateway == gi) {
            if let Ok(listeners) = &a.outcome {
                for l in listeners {
                    attached[l.listener] += 1;
                }
                if dns.is_none() {
                    dns =
                        service.as_deref().and_then(|name| network.seen.service(name)).and_then(|s| s.dns_name.clone());
                }
            }
        }
    }
    let existing = gw.existing.clone().unwrap_or_default();
    let listeners: Vec<GatewayStatusListeners> = gw
        .listeners
        .iter()
        .zip(&attached)
        .map(|(l, count)| {
            let old = existing
                .listeners
                .iter()
                .flatten()
                .find(|e| e.name == l.name)
                .map(|e| e.conditions.clone())
                .unwrap_or_default();
            GatewayStatusListeners {
                name: l.name.clone(),
                attached_routes: *count,
                supported_kinds: Some(
                    l.kinds
                        .iter()
                        .map(|k| GatewayStatusListenersSupportedKinds {
                            group: Some(GATEWAY_GROUP.into()),
                            kind: k.kind().into(),
                        })
                        .collect(),
                ),
                conditions: conditions::merge(&old, listener_conditions(l, generation, now)),
            }
        })
        .collect();
    let valid = gw.listeners.iter().filter(|l| l.attachable()).count();
    let mut computed = Vec::new();
    let accepted = match &gw.not_accepted {
        Some((reason, message)) => condition(types::ACCEPTED, false, reason, message.clone(), generation, now),
        None if valid == 0 => {
            condition(types::ACCEPTED, false, reasons::LISTENERS_NOT_VALID, "No listener is valid", generation, now)
        }
        None if valid < gw.listeners.len() => condition(
            types::ACCEPTED,
            true,
            reasons::LISTENERS_NOT_VALID,
            "Some listeners are not valid; see their conditions",
            generation,
            now,
        ),
        None => {
            let mut message = "Gateway is accepted".to_owned();
            for n in &gw.notes {
                message = format!("{message}; {n}");
            }
            condition(types::ACCEPTED, true, reasons::ACCEPTED, message, generation, now)
        }
    };
    let is_accepted = accepted.status == "True";
    computed.push(accepted);
    let sn_name = &gw.service_network;
    computed.push(match (is_accepted, find(observed, sn_name, network.account)) {
        (false, _) => condition(types::PROGRAMMED, false, reasons::INVALID, "Gateway is not accepted", generation, now),
        (true, NetworkMatch::One(sn)) => condition(
            types::PROGRAMMED,
            true,
            reasons::PROGRAMMED,
            format!("aws-service-network-arn: {}", sn.arn),
            generation,
            now,
        ),
        (true, NetworkMatch::Missing) => {
            let message = match network.managed.get(sn_name) {
                Some(by) => format!("VPC Lattice service network {sn_name} does not exist yet; it is created for {by}"),
                None => format!(
                    "VPC Lattice service network {sn_name} not found; create it, share it with this account, or set DEFAULT_SERVICE_NETWORK or a ServiceNetwork object to have it created"
                ),
            };
            condition(types::PROGRAMMED, false, reasons::PENDING, message, generation, now)
        }
        (true, NetworkMatch::Ambiguous(found)) => condition(
            types::PROGRAMMED,
            false,
            reasons::INVALID,
            format!(
                "Found {} VPC Lattice service networks named {sn_name}; use the service network's id as the Gateway name",
                found.len()
            ),
            generation,
            now,
        ),
    });
    let unresolved: Vec<&str> =
        gw.listeners.iter().filter(|l| l.not_resolved.is_some()).map(|l| l.name.as_str()).collect();
    computed.push(if unresolved.is_empty() {
        condition(
            types::RESOLVED_REFS,
            true,
            reasons::RESOLVED_REFS,
            "All listener references are resolved",
            generation,
            now,
        )
    } else {
        condition(
            types::RESOLVED_REFS,
            false,
            reasons::LISTENERS_NOT_RESOLVED,
            format!("Listeners with unresolved references: {}", unresolved.join(", ")),
            generation,
            now,
        )
    });
    let status = GatewayStatus {
        addresses: Some(
            dns.map(|value| vec![GatewayStatusAddresses { r#type: Some("Hostname".into()), value }])
                .unwrap_or_default(),
        ),
        attached_listener_sets: existing.attached_listener_sets,
        conditions: Some(conditions::merge(existing.conditions.as_deref().unwrap_or_default(), computed)),
        listeners: Some(listeners),
    };
    entry("Gateway", Some(&gw.namespace), &gw.name, ObjectStatus::Gateway(status))
}

fn listener_conditions(l: &Listener, generation: i64, now: Timestamp) -> Vec<Condition> {
    let mut out = Vec::new();
    if let Some(reason) = l.conflicted {
        let message = if reason == reasons::PROTOCOL_CONFLICT {
            format!("Another listener on port {} uses an incompatible protocol", l.port)
        } else {
            format!("Another listener on port {} has the same protocol and hostname", l.port)
        };
        out.push(condition(types::ACCEPTED, false, reason, message.clone(), generation, now));
        out.push(condition(types::CONFLICTED, true, reason, message.clone(), generation, now));
        out.push(condition(types::PROGRAMMED, false, reason, message, generation, now));
    } else {
        let accepted = l.not_accepted.as_ref().map(|(r, m)| (*r, m.as_str()));
        out.push(verdict(types::ACCEPTED, accepted, reasons::ACCEPTED, "Listener is accepted", generation, now));
        let programmed =
            (!l.programmable()).then_some((reasons::INVALID, "Listener is not valid; see its other conditions"));
        out.push(verdict(
            types::PROGRAMMED,
            programmed,
            reasons::PROGRAMMED,
            "Listener is programmed on the services of its routes",
            generation,
            now,
        ));
    }
    let resolved = l.not_resolved.as_ref().map(|(r, m)| (*r, m.as_str()));
    out.push(verdict(
        types::RESOLVED_REFS,
        resolved,
        reasons::RESOLVED_REFS,
        "All references are resolved",
        generation,
        now,
    ));
    if l.overlapping_tls {
        out.push(condition(
            types::OVERLAPPING_TLS_CONFIG,
            true,
            reasons::OVERLAPPING_HOSTNAMES,
            format!("Another HTTPS listener on port {} has an overlapping hostname", l.port),
            generation,
            now,
        ));
    }
    out
}
