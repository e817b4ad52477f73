//! What to do with one route's `DNSEndpoint`, given what exists (pure).
//!
//! A `DNSEndpoint` is ours when an owner reference names the route (kind and name; the uid of a
//! route deleted and created again under the same name is brought up to date). One that is not ours
//! is never changed, whatever the route wants.

use model::dns::{DnsWanted, RECORD_TTL, RECORD_TYPE, endpoint_name};
use model::route::GATEWAY_GROUP;
use serde_json::{Value, json};

/// `apiVersion` of the `DNSEndpoint`s written.
pub(crate) const API_VERSION: &str = "externaldns.k8s.io/v1alpha1";

/// The step for one route.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Step {
    /// Create this object.
    Create(Value),
    /// Apply this merge patch to ours.
    Update(Value),
    /// Delete ours, whose uid is given (a precondition of the delete).
    Delete(String),
    /// Ours is as wanted.
    Keep,
    /// Nothing is wanted and nothing of ours exists.
    Nothing,
    /// A record is wanted but an object of that name is not ours; why it is left alone.
    Foreign(String),
}

/// The step for `wanted`, given the object of its name (`existing`) and the `apiVersion` the route
/// is served as (`owner_api_version`); an error when the route lacks what an owner reference needs.
pub(crate) fn step(wanted: &DnsWanted, existing: Option<&Value>, owner_api_version: &str) -> Result<Step, String> {
    let route = &wanted.route;
    let name = endpoint_name(&route.name);
    let ours = existing.is_some_and(|e| owns(e, &route.kind, &route.name));
    let Some(record) = &wanted.record else {
        return Ok(match existing {
            Some(e) if ours => {
                Step::Delete(e.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or("").to_owned())
            }
            _ => Step::Nothing,
        });
    };
    let uid =
        wanted.uid.as_deref().filter(|u| !u.is_empty()).ok_or_else(|| {
            format!("{route} has no metadata.uid, which the owner reference of DNSEndpoint {name} needs")
        })?;
    let owner = json!({
        "apiVersion": owner_api_version, "kind": route.kind, "name": route.name, "uid": uid, "controller": true,
    });
    let endpoints = json!([{
        "dnsName": record.hostname, "recordType": RECORD_TYPE, "targets": [record.target], "recordTTL": RECORD_TTL,
    }]);
    let Some(existing) = existing else {
        return Ok(Step::Create(json!({
            "apiVersion": API_VERSION,
            "kind": "DNSEndpoint",
            "metadata": {"name": name, "namespace": route.namespace, "ownerReferences": [owner]},
            "spec": {"endpoints": endpoints},
        })));
    };
    if !ours {
        return Ok(Step::Foreign(format!(
            "DNSEndpoint {}/{name} exists and is not owned by {route}; it is left unchanged, so {} does not point \
             at the route's VPC Lattice DNS name by this controller's doing",
            route.namespace, record.hostname
        )));
    }
    let refs: Vec<Value> =
        existing.pointer("/metadata/ownerReferences").and_then(Value::as_array).cloned().unwrap_or_default();
    let owner_current = refs.contains(&owner);
    if owner_current && existing.pointer("/spec/endpoints") == Some(&endpoints) {
        return Ok(Step::Keep);
    }
    let mut owners: Vec<Value> = refs.into_iter().filter(|r| !names(r, &route.kind, &route.name)).collect();
    owners.push(owner);
    let resource_version = existing.pointer("/metadata/resourceVersion").cloned().unwrap_or(Value::Null);
    Ok(Step::Update(json!({
        "metadata": {"resourceVersion": resource_version, "ownerReferences": owners},
        "spec": {"endpoints": endpoints},
    })))
}

/// Whether `object` has an owner reference to the route `kind` `name`.
fn owns(object: &Value, kind: &str, name: &str) -> bool {
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| refs.iter().any(|r| names(r, kind, name)))
}

fn names(reference: &Value, kind: &str, name: &str) -> bool {
    let group = reference.get("apiVersion").and_then(Value::as_str).and_then(|v| v.split_once('/')).map(|(g, _)| g);
    group == Some(GATEWAY_GROUP)
        && reference.get("kind").and_then(Value::as_str) == Some(kind)
        && reference.get("name").and_then(Value::as_str) == Some(name)
}

#[cfg(test)]
mod tests {
    use model::dns::DnsRecord;
    use model::snapshot::ObjectRef;

    use super::*;

    const V1: &str = "gateway.networking.k8s.io/v1";

    fn wanted(record: bool) -> DnsWanted {
        DnsWanted {
            route: ObjectRef::new("HTTPRoute", "shop", "rates"),
            uid: Some("uid-1".into()),
            record: record.then(|| DnsRecord { hostname: "rates.example.com".into(), target: "rates.lattice".into() }),
        }
    }

    fn created() -> Value {
        match step(&wanted(true), None, V1).expect("step") {
            Step::Create(object) => object,
            other => panic!("expected a create, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_record_is_created_owned_by_the_route() {
        let object = created();
        assert_eq!(object["metadata"]["name"], "rates-dns");
        assert_eq!(object["metadata"]["namespace"], "shop");
        assert_eq!(
            object["metadata"]["ownerReferences"],
            json!([{"apiVersion": V1, "kind": "HTTPRoute", "name": "rates", "uid": "uid-1", "controller": true}])
        );
        assert_eq!(
            object["spec"]["endpoints"],
            json!([{"dnsName": "rates.example.com", "recordType": "CNAME", "targets": ["rates.lattice"], "recordTTL": 300}])
        );
        let no_uid = DnsWanted { uid: None, ..wanted(true) };
        assert!(step(&no_uid, None, V1).expect_err("no uid").contains("metadata.uid"));
    }

    #[test]
    fn ours_is_kept_updated_or_deleted() {
        let mut ours = created();
        ours["metadata"]["uid"] = json!("dns-uid");
        ours["metadata"]["resourceVersion"] = json!("7");
        assert_eq!(step(&wanted(true), Some(&ours), V1), Ok(Step::Keep));

        let mut stale = ours.clone();
        stale["spec"]["endpoints"][0]["targets"] = json!(["old.lattice"]);
        stale["metadata"]["ownerReferences"]
            .as_array_mut()
            .expect("refs")
            .push(json!({"apiVersion": "v1", "kind": "ConfigMap", "name": "x", "uid": "cm"}));
        let Ok(Step::Update(patch)) = step(&wanted(true), Some(&stale), V1) else { panic!("expected an update") };
        assert_eq!(patch["spec"]["endpoints"][0]["targets"], json!(["rates.lattice"]));
        assert_eq!(patch["metadata"]["resourceVersion"], "7");
        let owners = patch["metadata"]["ownerReferences"].as_array().expect("owners");
        assert_eq!(owners.len(), 2, "other owners are kept: {owners:?}");

        let mut recreated = ours.clone();
        recreated["metadata"]["ownerReferences"][0]["uid"] = json!("uid-of-a-deleted-route");
        let Ok(Step::Update(patch)) = step(&wanted(true), Some(&recreated), V1) else { panic!("expected an update") };
        assert_eq!(patch["metadata"]["ownerReferences"][0]["uid"], "uid-1");

        assert_eq!(step(&wanted(false), Some(&ours), V1), Ok(Step::Delete("dns-uid".into())));
        assert_eq!(step(&wanted(false), None, V1), Ok(Step::Nothing));
    }

    #[test]
    fn anything_else_of_the_name_is_left_alone() {
        let mut foreign = created();
        foreign["metadata"]["ownerReferences"] = json!([{"apiVersion": "v1", "kind": "Service", "name": "rates"}]);
        let Ok(Step::Foreign(message)) = step(&wanted(true), Some(&foreign), V1) else { panic!("expected foreign") };
        assert!(message.contains("shop/rates-dns") && message.contains("HTTPRoute shop/rates"), "{message}");
        assert_eq!(step(&wanted(false), Some(&foreign), V1), Ok(Step::Nothing), "not ours: never deleted");
        let mut unowned = created();
        unowned["metadata"].as_object_mut().expect("meta").remove("ownerReferences");
        assert!(matches!(step(&wanted(true), Some(&unowned), V1), Ok(Step::Foreign(_))));
        let mut other_kind = created();
        other_kind["metadata"]["ownerReferences"][0]["kind"] = json!("GRPCRoute");
        assert!(matches!(step(&wanted(true), Some(&other_kind), V1), Ok(Step::Foreign(_))));
    }
}
