//! Builders of the non-route objects: GatewayClass, Gateway, Service, EndpointSlice,
//! Namespace, ReferenceGrant, ServiceImport, and the snapshot that holds them.

use gateway_api::gatewayclasses::GatewayClass;
use gateway_api::gateways::Gateway;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{CLASS, GENERATION};
use crate::config::CONTROLLER_NAME;
use crate::snapshot::{ClusterSnapshot, MCS_GROUP, ServiceImport};

pub(super) fn from_json<T: DeserializeOwned>(v: Value) -> T {
    let text = v.to_string();
    serde_json::from_value(v).unwrap_or_else(|e| panic!("test object does not parse: {e}: {text}"))
}

pub(super) fn meta(namespace: Option<&str>, name: &str) -> Value {
    let mut m = json!({
        "name": name,
        "generation": GENERATION,
        "creationTimestamp": "2024-01-01T00:00:00Z",
    });
    if let Some(ns) = namespace {
        m["namespace"] = json!(ns);
    }
    m
}

pub(super) fn push(v: &mut Value, key: &str, item: Value) {
    match v.get_mut(key).and_then(Value::as_array_mut) {
        Some(items) => items.push(item),
        None => v[key] = json!([item]),
    }
}

/// Adds a built object to a snapshot.
pub trait AddTo {
    /// Puts the object into `snapshot`.
    fn add_to(self, snapshot: &mut ClusterSnapshot);
}

/// A snapshot under construction; starts with our GatewayClass.
pub struct World(pub ClusterSnapshot);

/// A snapshot holding our GatewayClass [`CLASS`].
pub fn world() -> World {
    World(ClusterSnapshot::default()).with(mk_class(CLASS))
}

impl World {
    /// Adds an object.
    pub fn with(mut self, object: impl AddTo) -> Self {
        object.add_to(&mut self.0);
        self
    }

    /// Records spec fields the typed objects did not carry.
    pub fn unknown_field(mut self, kind: &str, ns: &str, name: &str, path: &str) -> Self {
        self.0.unknown_fields.entry(crate::snapshot::ObjectRef::new(kind, ns, name)).or_default().push(path.to_owned());
        self
    }

    /// The snapshot.
    pub fn build(self) -> ClusterSnapshot {
        self.0
    }
}

/// Builder of a GatewayClass.
pub struct ClassB(Value);

/// A GatewayClass of ours.
pub fn mk_class(name: &str) -> ClassB {
    ClassB(json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "GatewayClass",
        "metadata": meta(None, name),
        "spec": {"controllerName": CONTROLLER_NAME},
    }))
}

impl ClassB {
    /// Another controller's class.
    pub fn controller(mut self, name: &str) -> Self {
        self.0["spec"]["controllerName"] = json!(name);
        self
    }

    /// `metadata.generation`.
    pub fn generation(mut self, g: i64) -> Self {
        self.0["metadata"]["generation"] = json!(g);
        self
    }

    /// `spec.description`.
    pub fn description(mut self, d: &str) -> Self {
        self.0["spec"]["description"] = json!(d);
        self
    }
}

impl ClassB {
    /// The GatewayClass.
    pub fn build(self) -> GatewayClass {
        from_json(self.0)
    }
}

impl AddTo for ClassB {
    fn add_to(self, s: &mut ClusterSnapshot) {
        s.gateway_classes.push(self.build());
    }
}

/// Builder of a Gateway listener.
pub struct ListenerB(Value);

/// A listener.
pub fn listener(name: &str, protocol: &str, port: i32) -> ListenerB {
    ListenerB(json!({"name": name, "protocol": protocol, "port": port}))
}

impl ListenerB {
    /// `hostname`.
    pub fn hostname(mut self, h: &str) -> Self {
        self.0["hostname"] = json!(h);
        self
    }

    /// `allowedRoutes.namespaces.from: All`.
    pub fn routes_from_all(mut self) -> Self {
        self.0["allowedRoutes"]["namespaces"] = json!({"from": "All"});
        self
    }

    /// `allowedRoutes.namespaces.from: Selector` with `matchLabels`.
    pub fn routes_from_labelled(mut self, key: &str, value: &str) -> Self {
        self.0["allowedRoutes"]["namespaces"] = json!({"from": "Selector", "selector": {"matchLabels": {key: value}}});
        self
    }

    /// `allowedRoutes.kinds`, in the Gateway API group.
    pub fn kinds(mut self, kinds: &[&str]) -> Self {
        let kinds: Vec<Value> = kinds.iter().map(|k| json!({"kind": k})).collect();
        self.0["allowedRoutes"]["kinds"] = json!(kinds);
        self
    }

    /// `tls.mode`.
    pub fn mode(mut self, mode: &str) -> Self {
        self.0["tls"]["mode"] = json!(mode);
        self
    }

    /// Appends a `tls.certificateRefs` entry.
    pub fn cert_ref(mut self, reference: Value) -> Self {
        if self.0.get("tls").is_none() {
            self.0["tls"] = json!({});
        }
        push(&mut self.0["tls"], "certificateRefs", reference);
        self
    }

    /// Sets a `tls.options` entry.
    pub fn option(mut self, key: &str, value: &str) -> Self {
        self.0["tls"]["options"][key] = json!(value);
        self
    }
}

/// Builder of a Gateway.
pub struct GatewayB(Value);

/// A Gateway of class [`CLASS`] without listeners.
pub fn mk_gateway(ns: &str, name: &str) -> GatewayB {
    GatewayB(json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": meta(Some(ns), name),
        "spec": {"gatewayClassName": CLASS, "listeners": []},
    }))
}

impl GatewayB {
    /// Appends a listener.
    pub fn listener(mut self, l: ListenerB) -> Self {
        push(&mut self.0["spec"], "listeners", l.0);
        self
    }

    /// `spec.gatewayClassName`.
    pub fn class(mut self, c: &str) -> Self {
        self.0["spec"]["gatewayClassName"] = json!(c);
        self
    }

    /// `metadata.generation`.
    pub fn generation(mut self, g: i64) -> Self {
        self.0["metadata"]["generation"] = json!(g);
        self
    }

    /// Sets a spec field to a raw value (`addresses`, `infrastructure`, ...).
    pub fn spec(mut self, key: &str, value: Value) -> Self {
        self.0["spec"][key] = value;
        self
    }

    /// Adds an annotation.
    pub fn annotation(mut self, key: &str, value: &str) -> Self {
        self.0["metadata"]["annotations"][key] = json!(value);
        self
    }
}

impl GatewayB {
    /// The Gateway.
    pub fn build(self) -> Gateway {
        from_json(self.0)
    }
}

impl AddTo for GatewayB {
    fn add_to(self, s: &mut ClusterSnapshot) {
        s.gateways.push(self.build());
    }
}

/// Builder of a route parentRef.
/// Builder of a Service.
pub struct ServiceB(Value);

/// A ClusterIP Service without ports.
pub fn mk_service(ns: &str, name: &str) -> ServiceB {
    ServiceB(json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(Some(ns), name),
        "spec": {"type": "ClusterIP", "ports": []},
    }))
}

impl ServiceB {
    /// Appends a port; an empty `name` leaves the port unnamed.
    pub fn port(mut self, name: &str, port: i32, target: i32) -> Self {
        let mut p = json!({"port": port, "targetPort": target, "protocol": "TCP"});
        if !name.is_empty() {
            p["name"] = json!(name);
        }
        push(&mut self.0["spec"], "ports", p);
        self
    }

    /// Adds a selector label.
    pub fn selector(mut self, key: &str, value: &str) -> Self {
        self.0["spec"]["selector"][key] = json!(value);
        self
    }
}

impl AddTo for ServiceB {
    fn add_to(self, s: &mut ClusterSnapshot) {
        s.services.push(from_json(self.0));
    }
}

/// Builder of an EndpointSlice.
pub struct SliceB(Value);

/// An IPv4 EndpointSlice of Service `ns/service`.
pub fn mk_slice(ns: &str, service: &str, name: &str) -> SliceB {
    let mut m = meta(Some(ns), name);
    m["labels"] = json!({"kubernetes.io/service-name": service});
    SliceB(json!({
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": m,
        "addressType": "IPv4",
        "endpoints": [],
        "ports": [],
    }))
}

impl SliceB {
    /// Appends a port; an empty `name` leaves it unnamed.
    pub fn port(mut self, name: &str, port: i32) -> Self {
        let mut p = json!({"port": port, "protocol": "TCP"});
        if !name.is_empty() {
            p["name"] = json!(name);
        }
        push(&mut self.0, "ports", p);
        self
    }

    /// Appends a ready endpoint.
    pub fn endpoint(mut self, ip: &str) -> Self {
        push(&mut self.0, "endpoints", json!({"addresses": [ip], "conditions": {"ready": true, "terminating": false}}));
        self
    }

    /// Appends an endpoint backed by pod `pod` (of the slice's namespace), ready or not.
    pub fn pod(mut self, ip: &str, pod: &str, ready: bool) -> Self {
        let endpoint = json!({
            "addresses": [ip],
            "conditions": {"ready": ready, "serving": ready, "terminating": false},
            "targetRef": {"kind": "Pod", "name": pod, "uid": format!("uid-{pod}")},
        });
        push(&mut self.0, "endpoints", endpoint);
        self
    }

    /// Appends a terminating endpoint.
    pub fn terminating(mut self, ip: &str) -> Self {
        push(&mut self.0, "endpoints", json!({"addresses": [ip], "conditions": {"ready": false, "terminating": true}}));
        self
    }
}

impl AddTo for SliceB {
    fn add_to(self, s: &mut ClusterSnapshot) {
        s.endpoint_slices.push(from_json(self.0));
    }
}

/// Builder of a Namespace.
pub struct NamespaceB(Value);

/// A Namespace without labels.
pub fn mk_namespace(name: &str) -> NamespaceB {
    NamespaceB(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": meta(None, name)}))
}

impl NamespaceB {
    /// Adds a label.
    pub fn label(mut self, key: &str, value: &str) -> Self {
        self.0["metadata"]["labels"][key] = json!(value);
        self
    }
}

impl AddTo for NamespaceB {
    fn add_to(self, s: &mut ClusterSnapshot) {
        s.namespaces.push(from_json(self.0));
    }
}

/// Builder of a ReferenceGrant.
pub struct GrantB(Value);

/// A ReferenceGrant in `ns` with no entries.
pub fn mk_grant(ns: &str, name: &str) -> GrantB {
    GrantB(json!({
        "apiVersion": "gateway.networking.k8s.io/v1beta1",
        "kind": "ReferenceGrant",
        "metadata": meta(Some(ns), name),
        "spec": {"from": [], "to": []},
    }))
}

impl GrantB {
    /// Appends a `from` entry.
    pub fn from(mut self, group: &str, kind: &str, ns: &str) -> Self {
        push(&mut self.0["spec"], "from", json!({"group": group, "kind": kind, "namespace": ns}));
        self
    }

    /// Appends a `to` entry (`name` empty: every object of the kind).
    pub fn to(mut self, group: &str, kind: &str, name: &str) -> Self {
        let mut t = json!({"group": group, "kind": kind});
        if !name.is_empty() {
            t["name"] = json!(name);
        }
        push(&mut self.0["spec"], "to", t);
        self
    }
}

impl AddTo for GrantB {
    fn add_to(self, s: &mut ClusterSnapshot) {
        s.reference_grants.push(from_json(self.0));
    }
}

/// Builder of a ServiceImport.
pub struct ImportB(ServiceImport);

/// A ServiceImport of the multi-cluster services API.
pub fn mk_import(ns: &str, name: &str) -> ImportB {
    ImportB(ServiceImport {
        group: MCS_GROUP.into(),
        metadata: ObjectMeta { namespace: Some(ns.into()), name: Some(name.into()), ..ObjectMeta::default() },
    })
}

impl ImportB {
    /// Adds an annotation.
    pub fn annotation(mut self, key: &str, value: &str) -> Self {
        self.0.metadata.annotations.get_or_insert_default().insert(key.into(), value.into());
        self
    }
}

impl AddTo for ImportB {
    fn add_to(self, s: &mut ClusterSnapshot) {
        s.service_imports.push(self.0);
    }
}
