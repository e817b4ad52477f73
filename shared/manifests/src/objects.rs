//! Turns one parsed document into typed objects of the snapshot: dispatch on `apiVersion`
//! and `kind`, typed deserialization with field paths, defaults, duplicates.

use gateway_api::gatewayclasses::GatewayClass;
use gateway_api::gateways::Gateway;
use gateway_api::grpcroutes::GrpcRoute;
use gateway_api::httproutes::HttpRoute;
use gateway_api::referencegrants::ReferenceGrant;
use gateway_api::tlsroutes::TlsRoute;
use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use model::snapshot::{AWS_GROUP, ClusterSnapshot, MCS_GROUP, ObjectRef, ServiceImport};
use serde::Deserialize;
use serde_json::Value;

use crate::{DocumentError, Loaded, Origin};

/// Group of the Gateway API kinds.
const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";

/// Where a document sits, for error reports.
pub(crate) struct Place<'a> {
    pub loaded: &'a mut Loaded,
    pub origin: &'a Origin,
}

impl Place<'_> {
    fn error(&mut self, object: Option<String>, field: Option<String>, message: String) {
        self.loaded.errors.push(DocumentError {
            file: self.origin.file.clone(),
            index: self.origin.index,
            line: None,
            object,
            field,
            message,
        });
    }
}

/// A kind of object the snapshot holds.
trait Object: Sized {
    /// Kind as the API spells it.
    const KIND: &'static str;
    /// Whether objects of this kind live in a namespace.
    const NAMESPACED: bool;
    /// Whether spec fields the typed object drops are recorded.
    const RECORDS_UNKNOWN_FIELDS: bool;

    /// Deserializes the object from a document of API group `group`.
    fn parse(raw: &Value, group: &str) -> Result<Self, serde_path_to_error::Error<serde_json::Error>>;
    /// The object's metadata.
    fn metadata(&self) -> &ObjectMeta;
    /// The object's metadata, mutably.
    fn metadata_mut(&mut self) -> &mut ObjectMeta;
    /// API group that tells otherwise equal objects apart (only ServiceImport has two).
    fn identity_group(&self) -> &str;
    /// The object serialized back to JSON, to find fields it did not keep.
    fn to_json(&self) -> Result<Value, serde_json::Error>;
    /// The snapshot's list of objects of this kind.
    fn list(snapshot: &mut ClusterSnapshot) -> &mut Vec<Self>;
}

macro_rules! typed_object {
    ($ty:ty, $kind:literal, namespaced = $ns:literal, unknown_fields = $unknown:literal, $list:ident) => {
        impl Object for $ty {
            const KIND: &'static str = $kind;
            const NAMESPACED: bool = $ns;
            const RECORDS_UNKNOWN_FIELDS: bool = $unknown;

            fn parse(raw: &Value, _group: &str) -> Result<Self, serde_path_to_error::Error<serde_json::Error>> {
                serde_path_to_error::deserialize(raw)
            }
            fn metadata(&self) -> &ObjectMeta {
                &self.metadata
            }
            fn metadata_mut(&mut self) -> &mut ObjectMeta {
                &mut self.metadata
            }
            fn identity_group(&self) -> &str {
                ""
            }
            fn to_json(&self) -> Result<Value, serde_json::Error> {
                serde_json::to_value(self)
            }
            fn list(snapshot: &mut ClusterSnapshot) -> &mut Vec<Self> {
                &mut snapshot.$list
            }
        }
    };
}

typed_object!(GatewayClass, "GatewayClass", namespaced = false, unknown_fields = true, gateway_classes);
typed_object!(Gateway, "Gateway", namespaced = true, unknown_fields = true, gateways);
typed_object!(HttpRoute, "HTTPRoute", namespaced = true, unknown_fields = true, http_routes);
typed_object!(GrpcRoute, "GRPCRoute", namespaced = true, unknown_fields = true, grpc_routes);
typed_object!(TlsRoute, "TLSRoute", namespaced = true, unknown_fields = true, tls_routes);
typed_object!(ReferenceGrant, "ReferenceGrant", namespaced = true, unknown_fields = true, reference_grants);
typed_object!(Namespace, "Namespace", namespaced = false, unknown_fields = false, namespaces);
typed_object!(Service, "Service", namespaced = true, unknown_fields = false, services);
typed_object!(EndpointSlice, "EndpointSlice", namespaced = true, unknown_fields = false, endpoint_slices);
typed_object!(crds::ServiceExport, "ServiceExport", namespaced = true, unknown_fields = true, service_exports);
typed_object!(
    crds::TargetGroupPolicy,
    "TargetGroupPolicy",
    namespaced = true,
    unknown_fields = true,
    target_group_policies
);
typed_object!(
    crds::VpcAssociationPolicy,
    "VpcAssociationPolicy",
    namespaced = true,
    unknown_fields = true,
    vpc_association_policies
);
typed_object!(crds::AccessLogPolicy, "AccessLogPolicy", namespaced = true, unknown_fields = true, access_log_policies);
typed_object!(crds::IamAuthPolicy, "IAMAuthPolicy", namespaced = true, unknown_fields = true, iam_auth_policies);
typed_object!(crds::ServiceNetwork, "ServiceNetwork", namespaced = false, unknown_fields = true, service_networks);

/// The part of a ServiceImport document that is kept.
#[derive(Deserialize)]
struct ServiceImportDocument {
    metadata: ObjectMeta,
}

impl Object for ServiceImport {
    const KIND: &'static str = "ServiceImport";
    const NAMESPACED: bool = true;
    const RECORDS_UNKNOWN_FIELDS: bool = false;

    fn parse(raw: &Value, group: &str) -> Result<Self, serde_path_to_error::Error<serde_json::Error>> {
        let document: ServiceImportDocument = serde_path_to_error::deserialize(raw)?;
        Ok(Self { group: group.to_owned(), metadata: document.metadata })
    }
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
    fn identity_group(&self) -> &str {
        &self.group
    }
    fn to_json(&self) -> Result<Value, serde_json::Error> {
        Ok(Value::Null)
    }
    fn list(snapshot: &mut ClusterSnapshot) -> &mut Vec<Self> {
        &mut snapshot.service_imports
    }
}

/// Reads one parsed document (a single object or a list of them) into `place.loaded`.
pub(crate) fn read_document(mut raw: Value, place: &mut Place<'_>) {
    strip_nulls(&mut raw);
    match raw {
        Value::Null => {}
        Value::Object(_) => read_object(&raw, place),
        _ => place.error(None, None, "document is not a mapping".to_owned()),
    }
}

/// What [`Loaded::skipped`](crate::Loaded::skipped) counts a JSON or YAML document under when it
/// has neither `apiVersion` nor `kind` (a sample Lambda event next to the manifests, say).
pub(crate) const NOT_AN_OBJECT: &str = "(not a Kubernetes object)";

fn read_object(raw: &Value, place: &mut Place<'_>) {
    if raw.get("apiVersion").is_none() && raw.get("kind").is_none() {
        *place.loaded.skipped.entry(NOT_AN_OBJECT.to_owned()).or_default() += 1;
        return;
    }
    let Some(api_version) = string_field(raw, "apiVersion", place) else {
        return;
    };
    let Some(kind) = string_field(raw, "kind", place) else {
        return;
    };
    if let Some(items) = raw.get("items").and_then(Value::as_array)
        && kind.ends_with("List")
    {
        read_list(items, api_version, kind, place);
        return;
    }
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let read_kinds = [GATEWAY_GROUP, MCS_GROUP, AWS_GROUP, "", "discovery.k8s.io"];
    // ServiceNetwork names get a status condition of their own (VPC Lattice naming rules).
    let validated = [
        "GatewayClass",
        "Gateway",
        "HTTPRoute",
        "GRPCRoute",
        "TLSRoute",
        "ReferenceGrant",
        "Namespace",
        "Service",
        "EndpointSlice",
        "ServiceImport",
        "ServiceExport",
        "TargetGroupPolicy",
        "IAMAuthPolicy",
        "AccessLogPolicy",
        "VpcAssociationPolicy",
    ];
    if read_kinds.contains(&group)
        && validated.contains(&kind)
        && let Some((field, message)) = crate::validate::check(raw, kind)
    {
        let namespaced = !matches!(kind, "GatewayClass" | "Namespace" | "ServiceNetwork");
        place.error(Some(object_label(raw, kind, namespaced)), Some(field), message);
        place.loaded.snapshot.unreadable.push(reference_of(raw, kind, namespaced));
        return;
    }
    let gateway_v1 = group == GATEWAY_GROUP && version == "v1";
    let gateway_v1_or_beta = group == GATEWAY_GROUP && matches!(version, "v1" | "v1beta1");
    match kind {
        "GatewayClass" if gateway_v1_or_beta => read::<GatewayClass>(raw, group, place),
        "Gateway" if gateway_v1_or_beta => read::<Gateway>(raw, group, place),
        "HTTPRoute" if gateway_v1_or_beta => read::<HttpRoute>(raw, group, place),
        "ReferenceGrant" if gateway_v1_or_beta => read::<ReferenceGrant>(raw, group, place),
        "GRPCRoute" if gateway_v1 => read::<GrpcRoute>(raw, group, place),
        "TLSRoute" if group == GATEWAY_GROUP && matches!(version, "v1" | "v1alpha2" | "v1alpha3") => {
            read::<TlsRoute>(raw, group, place)
        }
        "GatewayClass" | "Gateway" | "HTTPRoute" | "ReferenceGrant" | "GRPCRoute" | "TLSRoute"
            if group == GATEWAY_GROUP =>
        {
            let object = Some(object_label(raw, kind, true));
            let message = format!("unsupported apiVersion {api_version} for {kind}");
            place.error(object, Some("apiVersion".to_owned()), message);
            place.loaded.snapshot.unreadable.push(reference_of(raw, kind, kind != "GatewayClass"));
        }
        "Namespace" if api_version == "v1" => read::<Namespace>(raw, group, place),
        "Service" if api_version == "v1" => read::<Service>(raw, group, place),
        "EndpointSlice" if api_version == "discovery.k8s.io/v1" => read::<EndpointSlice>(raw, group, place),
        "ServiceImport" if group == MCS_GROUP || group == AWS_GROUP => read::<ServiceImport>(raw, group, place),
        _ if group == AWS_GROUP && version == crds::VERSION => read_aws_kind(raw, kind, place),
        _ => *place.loaded.skipped.entry(kind.to_owned()).or_default() += 1,
    }
}

/// `raw` with an empty `spec` when it has none.
fn with_spec(raw: &Value) -> Value {
    let mut raw = raw.clone();
    if let Value::Object(map) = &mut raw {
        map.entry("spec").or_insert_with(|| Value::Object(serde_json::Map::new()));
    }
    raw
}

/// Reads a kind of group `application-networking.k8s.aws/v1alpha1`.
fn read_aws_kind(raw: &Value, kind: &str, place: &mut Place<'_>) {
    match kind {
        // Legacy exports (ports in an annotation) are often written without a spec.
        "ServiceExport" => read::<crds::ServiceExport>(&with_spec(raw), AWS_GROUP, place),
        "TargetGroupPolicy" => read::<crds::TargetGroupPolicy>(raw, AWS_GROUP, place),
        "VpcAssociationPolicy" => read::<crds::VpcAssociationPolicy>(raw, AWS_GROUP, place),
        "AccessLogPolicy" => read::<crds::AccessLogPolicy>(raw, AWS_GROUP, place),
        "IAMAuthPolicy" => read::<crds::IamAuthPolicy>(raw, AWS_GROUP, place),
        // Its spec is empty, and manifests written for the existing controller leave it out.
        "ServiceNetwork" => read::<crds::ServiceNetwork>(&with_spec(raw), AWS_GROUP, place),
        _ => *place.loaded.skipped.entry(kind.to_owned()).or_default() += 1,
    }
}

/// Reads the items of a `List` (or `<Kind>List`); items of a typed list may leave out
/// `apiVersion` and `kind`, which then come from the list.
fn read_list(items: &[Value], api_version: &str, kind: &str, place: &mut Place<'_>) {
    let item_kind = kind.strip_suffix("List").unwrap_or(kind);
    for (i, item) in items.iter().enumerate() {
        let mut item = item.clone();
        if let Value::Object(map) = &mut item
            && !item_kind.is_empty()
        {
            map.entry("apiVersion").or_insert_with(|| Value::String(api_version.to_owned()));
            map.entry("kind").or_insert_with(|| Value::String(item_kind.to_owned()));
        }
        match item {
            Value::Object(_) => read_object(&item, place),
            _ => place.error(None, Some(format!("items[{i}]")), "list item is not a mapping".to_owned()),
        }
    }
}

/// The identity of an object that could not be read, as far as its metadata tells.
fn reference_of(raw: &Value, kind: &str, namespaced: bool) -> ObjectRef {
    let text = |pointer: &str| raw.pointer(pointer).and_then(Value::as_str).unwrap_or_default().to_owned();
    let namespace = if namespaced {
        Some(text("/metadata/namespace")).filter(|n| !n.is_empty()).unwrap_or_else(|| "default".to_owned())
    } else {
        String::new()
    };
    ObjectRef::new(kind, &namespace, &text("/metadata/name"))
}

/// Deserializes one object of kind `T` and adds it to the snapshot.
fn read<T: Object>(raw: &Value, group: &str, place: &mut Place<'_>) {
    let label = object_label(raw, T::KIND, T::NAMESPACED);
    let name = raw.pointer("/metadata/name");
    if name.is_none_or(|name| name.as_str() == Some("")) {
        let message = "missing object name".to_owned();
        place.error(Some(label), Some("metadata.name".to_owned()), message);
        return;
    }
    let mut object = match T::parse(raw, group) {
        Ok(object) => object,
        Err(error) => {
            let path = error.path().to_string();
            let field = (path != ".").then_some(path);
            place.error(Some(label), field, error.into_inner().to_string());
            place.loaded.snapshot.unreadable.push(reference_of(raw, T::KIND, T::NAMESPACED));
            return;
        }
    };
    let meta = object.metadata_mut();
    if !T::NAMESPACED {
        meta.namespace = None;
    } else if meta.namespace.as_deref().is_none_or(str::is_empty) {
        meta.namespace = Some("default".to_owned());
    }
    let meta = object.metadata();
    let reference =
        ObjectRef::new(T::KIND, meta.namespace.as_deref().unwrap_or(""), meta.name.as_deref().unwrap_or(""));
    let unknown = if T::RECORDS_UNKNOWN_FIELDS {
        match object.to_json() {
            Ok(typed) => model::snapshot::unknown_fields(raw, &typed),
            Err(error) => {
                let message = format!("cannot serialize the object back: {error}");
                place.error(Some(reference.to_string()), None, message);
                return;
            }
        }
    } else {
        Vec::new()
    };
    insert(object, reference, unknown, place);
}

/// Adds `object` to its list, replacing an earlier object with the same identity.
fn insert<T: Object>(object: T, reference: ObjectRef, unknown: Vec<String>, place: &mut Place<'_>) {
    let key = (object.identity_group().to_owned(), reference.clone());
    let loaded = &mut *place.loaded;
    let earlier = loaded.origins.insert(key, place.origin.clone());
    loaded.snapshot.unknown_fields.remove(&reference);
    if !unknown.is_empty() {
        loaded.snapshot.unknown_fields.insert(reference.clone(), unknown);
    }
    let list = T::list(&mut loaded.snapshot);
    // Only a duplicate (an identity already in `origins`) has an earlier object to find in the
    // list: the common case is a push, so that loading stays linear in the number of objects.
    let same = |other: &T| {
        other.identity_group() == object.identity_group()
            && other.metadata().namespace == object.metadata().namespace
            && other.metadata().name == object.metadata().name
    };
    match earlier.as_ref().and_then(|_| list.iter().position(same)) {
        Some(at) => list[at] = object,
        None => list.push(object),
    }
    if let Some(earlier) = earlier {
        let message = format!("duplicate of the object at {earlier}; this later definition is kept");
        place.error(Some(reference.to_string()), None, message);
    }
}

/// Reads a required string field of an object, reporting it when missing or not a string.
fn string_field<'a>(raw: &'a Value, field: &str, place: &mut Place<'_>) -> Option<&'a str> {
    let value = raw.get(field).and_then(Value::as_str).filter(|v| !v.is_empty());
    if value.is_none() {
        let message = format!("missing {field}");
        place.error(None, Some(field.to_owned()), message);
    }
    value
}

/// `Kind namespace/name` as far as the raw document tells, for error reports.
fn object_label(raw: &Value, kind: &str, namespaced: bool) -> String {
    let meta = raw.get("metadata");
    let text = |key: &str| meta.and_then(|m| m.get(key)).and_then(Value::as_str);
    let Some(name) = text("name").filter(|n| !n.is_empty()) else {
        return kind.to_owned();
    };
    let namespace = match text("namespace") {
        _ if !namespaced => "",
        Some(ns) if !ns.is_empty() => ns,
        _ => "default",
    };
    ObjectRef::new(kind, namespace, name).to_string()
}

/// Removes `null` map values, which the API server treats as absent.
fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}
