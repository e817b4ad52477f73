//! Service networks in translation: the default one, override mode, ServiceNetwork objects,
//! Gateway resolution by name or id, shared service networks, and VpcAssociationPolicies.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;

use crate::conditions::find as condition;
use crate::config::Config;
use crate::names::{TAG_MANAGED_BY, TAG_VPC_ASSOCIATION_POLICY};
use crate::observed::{ObservedServiceNetwork, ObservedState, ObservedVpcAssociation};
use crate::snapshot::{ClusterSnapshot, ObjectRef};
use crate::status::ObjectStatus;
use crate::testing::*;
use crate::translate::{Translation, translate};

const VPC: &str = "vpc-0123456789abcdef0";

fn with_default(name: &str, override_mode: bool) -> Config {
    let mut c = config();
    c.default_service_network = Some(name.to_owned());
    c.service_network_override = override_mode;
    c
}

fn sn(id: &str, name: &str, account: &str, owner: Option<&str>) -> ObservedServiceNetwork {
    ObservedServiceNetwork {
        id: id.into(),
        arn: format!("arn:aws:vpc-lattice:us-west-2:{account}:servicenetwork/{id}"),
        name: name.into(),
        tags: owner.map(|o| [(TAG_MANAGED_BY.to_owned(), o.to_owned())].into()).unwrap_or_default(),
        ..ObservedServiceNetwork::default()
    }
}

fn state(networks: Vec<ObservedServiceNetwork>) -> ObservedState {
    ObservedState { service_networks: networks, ..ObservedState::default() }
}

fn association(id: &str, owner: Option<&str>, groups: &[&str]) -> ObservedVpcAssociation {
    ObservedVpcAssociation {
        id: id.into(),
        arn: format!("arn:aws:vpc-lattice:us-west-2:123456789012:servicenetworkvpcassociation/{id}"),
        status: "ACTIVE".into(),
        vpc_id: VPC.into(),
        security_group_ids: Some(groups.iter().map(|g| (*g).to_owned()).collect()),
        tags: owner.map(|o| [(TAG_MANAGED_BY.to_owned(), o.to_owned())].into()).unwrap_or_default(),
    }
}

fn hotel() -> World {
    world().with(mk_gateway("default", "my-hotel").listener(listener("http", "HTTP", 80)))
}

fn run_config(snapshot: &ClusterSnapshot, observed: &ObservedState, config: &Config) -> Translation {
    let t = translate(snapshot, observed, config, now());
    assert_generations(snapshot, &t);
    t
}

fn programmed<'a>(t: &'a Translation, name: &str) -> &'a Condition {
    programmed_in(t, "default", name)
}

fn programmed_in<'a>(t: &'a Translation, ns: &str, name: &str) -> &'a Condition {
    condition(t.gateway(ns, name).conditions.as_deref().unwrap_or_default(), "Programmed").expect("Programmed")
}

/// `Accepted` of a policy or object.
fn accepted<'a>(t: &'a Translation, kind: &str, ns: &str, name: &str) -> (&'a str, &'a str, &'a str) {
    let e = t.entry(kind, ns, name).unwrap_or_else(|| panic!("no status for {kind} {ns}/{name}"));
    let c = e.conditions().into_iter().map(|(_, c)| c).find(|c| c.type_ == "Accepted").expect("Accepted");
    (c.status.as_str(), c.reason.as_str(), c.message.as_str())
}

#[test]
fn the_default_network_is_created_with_an_association_while_gateways_keep_their_own() {
    let snap = hotel().build();
    let t = run_config(&snap, &ObservedState::default(), &with_default("platform", false));
    let names: Vec<&str> = t.desired.service_networks.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["my-hotel", "platform"]);
    let platform = &t.desired.service_networks[1];
    assert_eq!(platform.tags.as_ref().and_then(|t| t.get(TAG_MANAGED_BY)), Some(&MANAGED_BY.to_owned()));
    assert!(!platform.adopt, "an existing default network is used as it is");
    let a = platform.vpc_association.as_ref().expect("association");
    assert_eq!((a.vpc_identifier.as_str(), a.associate, a.security_group_ids.as_ref()), (VPC, true, None));
    let p = programmed(&t, "my-hotel");
    assert_eq!((p.status.as_str(), p.reason.as_str()), ("False", "Pending"));
    assert!(p.message.contains("my-hotel not found"), "{}", p.message);
}

#[test]
fn override_mode_maps_every_gateway_to_the_default_network() {
    let snap = hotel()
        .with(mk_gateway("shop", "store").listener(listener("http", "HTTP", 80)))
        .with(mk_route("default", "rates").parent(parent("my-hotel")).rule(rule().backend(backend("review", 80))))
        .with(mk_service("default", "review").port("", 80, 8080))
        .build();
    let config = with_default("platform", true);
    let t = run_config(&snap, &ObservedState::default(), &config);
    assert_eq!(t.service_of("default", "rates").service_networks, ["platform"]);
    assert_eq!(t.desired.service_networks.len(), 1);
    assert_eq!(t.desired.service_networks[0].gateways, ["default/my-hotel", "shop/store"]);
    let p = programmed(&t, "my-hotel");
    assert!(
        p.message.contains("platform does not exist yet; it is created for DEFAULT_SERVICE_NETWORK"),
        "{}",
        p.message
    );
    assert!(t.desired.gateway_names.contains("store"), "Gateway names still keep networks of their name");

    let observed = state(vec![sn("sn-0aaaaaaaaaaaaaaaa", "platform", "123456789012", Some(MANAGED_BY))]);
    let t = run_config(&snap, &observed, &config);
    let p = programmed_in(&t, "shop", "store");
    assert_eq!(p.status, "True");
    assert!(p.message.ends_with("servicenetwork/sn-0aaaaaaaaaaaaaaaa"), "{}", p.message);
    // Without override mode, the same Gateway is missing its own network.
    let t = run_config(&snap, &observed, &with_default("platform", false));
    assert_eq!(programmed_in(&t, "shop", "store").status, "False");
}

#[test]
fn gateways_resolve_by_name_or_id_and_two_of_a_name_are_invalid() {
    let id = "sn-0bbbbbbbbbbbbbbbb";
    let snap = world()
        .with(mk_gateway("default", id).listener(listener("http", "HTTP", 80)))
        .with(mk_gateway("default", "twice").listener(listener("http", "HTTP", 80)))
        .build();
    let observed = state(vec![
        sn(id, "by-id", "123456789012", None),
        sn("sn-0cccccccccccccccc", "twice", "123456789012", None),
        sn("sn-0dddddddddddddddd", "twice", "123456789012", None),
    ]);
    let t = run_config(&snap, &observed, &config());
    assert_eq!(programmed(&t, id).status, "True");
    let p = programmed(&t, "twice");
    assert_eq!((p.status.as_str(), p.reason.as_str()), ("False", "Invalid"));
    assert!(p.message.starts_with("Found 2 VPC Lattice service networks named twice"), "{}", p.message);
}

#[test]
fn a_shared_network_counts_only_when_the_account_has_none_of_the_name() {
    let snap = hotel().build();
    let mut shared = sn("sn-0eeeeeeeeeeeeeeee", "my-hotel", "444455556666", None);
    shared.vpc_associations.push(association("snva-0aaaaaaaaaaaaaaaa", None, &[]));
    let t = run_config(&snap, &state(vec![shared.clone()]), &config());
    assert!(programmed(&t, "my-hotel").message.contains("444455556666"), "the shared one");
    let local = sn("sn-0fffffffffffffffe", "my-hotel", "123456789012", None);
    let t = run_config(&snap, &state(vec![shared, local]), &config());
    assert!(programmed(&t, "my-hotel").message.contains("123456789012"), "the account's own");
}

fn network_status<'a>(t: &'a Translation, name: &str) -> &'a crate::status::ServiceNetworkStatus {
    match t.entry("ServiceNetwork", "", name).map(|e| &e.status) {
        Some(ObjectStatus::ServiceNetwork(s)) => s,
        other => panic!("no ServiceNetwork status for {name}: {other:?}"),
    }
}

#[test]
fn a_service_network_object_reports_its_network_once_it_is_ours() {
    let mut snap = hotel().with(mk_network_object("my-hotel")).build();
    let t = run_config(&snap, &ObservedState::default(), &config());
    let spec = &t.desired.service_networks[0];
    assert!(spec.adopt && spec.tags.is_some());
    let s = network_status(&t, "my-hotel");
    assert_eq!(s.service_network_arn, None);
    let p = condition(&s.conditions, "Programmed").expect("Programmed");
    assert_eq!((p.status.as_str(), p.reason.as_str()), ("False", "Pending"));
    assert!(programmed(&t, "my-hotel").message.contains("created for ServiceNetwork my-hotel"));

    apply_status(&mut snap, &t);
    let observed = state(vec![sn("sn-0aaaaaaaaaaaaaaaa", "my-hotel", "123456789012", Some(MANAGED_BY))]);
    let t2 = translate(&snap, &observed, &config(), later());
    let s = network_status(&t2, "my-hotel");
    assert_eq!(s.service_network_id.as_deref(), Some("sn-0aaaaaaaaaaaaaaaa"));
    assert!(s.service_network_arn.as_deref().is_some_and(|a| a.ends_with("/sn-0aaaaaaaaaaaaaaaa")));
    let p = condition(&s.conditions, "Programmed").expect("Programmed");
    assert_eq!((p.status.as_str(), p.reason.as_str()), ("True", "Programmed"));
    assert_eq!(p.last_transition_time.0, later(), "it flipped");
    let a = condition(&s.conditions, "Accepted").expect("Accepted");
    assert_eq!(a.last_transition_time.0, now(), "it did not");
}

#[test]
fn a_service_network_object_with_unknown_fields_is_invalid() {
    let snap = world().with(mk_network_object("edge")).unknown_field("ServiceNetwork", "", "edge", "spec.tier").build();
    let t = run_config(&snap, &ObservedState::default(), &config());
    assert!(t.desired.service_networks.is_empty());
    let (status, reason, message) = accepted(&t, "ServiceNetwork", "", "edge");
    assert_eq!((status, reason), ("False", "Invalid"));
    assert!(message.contains("spec.tier"), "{message}");
}

#[test]
fn a_policy_sets_the_association_of_its_gateways_network() {
    let snap = hotel()
        .with(mk_vap("default", "vpc", "my-hotel").groups(&["sg-0bbbbbbbbbbbbbbb2", "sg-0bbbbbbbbbbbbbbb1"]))
        .build();
    let t = run_config(&snap, &ObservedState::default(), &config());
    let a = t.desired.service_networks[0].vpc_association.as_ref().expect("association");
    assert!(a.associate);
    assert_eq!(
        a.security_group_ids.as_deref(),
        Some(&["sg-0bbbbbbbbbbbbbbb1".to_owned(), "sg-0bbbbbbbbbbbbbbb2".to_owned()][..])
    );
    assert_eq!(a.tags.get(TAG_VPC_ASSOCIATION_POLICY).map(String::as_str), Some("default/vpc"));
    let (status, _, message) = accepted(&t, "VpcAssociationPolicy", "default", "vpc");
    assert_eq!(status, "True");
    assert!(message.contains("does not exist yet"), "{message}");
}

#[test]
fn a_policy_wins_over_the_default_network_and_the_oldest_policy_wins_the_vpc() {
    let snap = hotel()
        .with(mk_gateway("default", "other").listener(listener("http", "HTTP", 80)))
        .with(mk_vap("default", "older", "my-hotel").created("2025-01-01T00:00:00Z"))
        .with(mk_vap("default", "newer", "other").created("2025-06-01T00:00:00Z"))
        .build();
    let t = run_config(&snap, &ObservedState::default(), &with_default("platform", false));
    let with_association: Vec<&str> =
        t.desired.service_networks.iter().filter(|s| s.vpc_association.is_some()).map(|s| s.name.as_str()).collect();
    assert_eq!(with_association, ["my-hotel"], "the default network's association gives way");
    let (status, reason, message) = accepted(&t, "VpcAssociationPolicy", "default", "newer");
    assert_eq!((status, reason), ("False", "Conflicted"));
    assert!(message.contains("VpcAssociationPolicy default/older is older"), "{message}");
    // associateWithVpc: false does not claim the VPC.
    let snap = hotel()
        .with(mk_gateway("default", "other").listener(listener("http", "HTTP", 80)))
        .with(mk_vap("default", "older", "my-hotel").created("2025-01-01T00:00:00Z").associate(false))
        .with(mk_vap("default", "newer", "other").created("2025-06-01T00:00:00Z"))
        .build();
    let t = run_config(&snap, &ObservedState::default(), &config());
    assert_eq!(accepted(&t, "VpcAssociationPolicy", "default", "newer").0, "True");
    assert!(accepted(&t, "VpcAssociationPolicy", "default", "older").2.contains("associateWithVpc: false"));
}

#[test]
fn an_association_with_another_network_is_a_conflict_unless_it_goes() {
    let snap = hotel().with(mk_vap("default", "vpc", "my-hotel")).build();
    let mut elsewhere = sn("sn-0aaaaaaaaaaaaaaaa", "elsewhere", "123456789012", None);
    elsewhere.vpc_associations.push(association("snva-0aaaaaaaaaaaaaaaa", None, &[]));
    let hotel_sn = sn("sn-0bbbbbbbbbbbbbbbb", "my-hotel", "123456789012", None);
    let t = run_config(&snap, &state(vec![elsewhere.clone(), hotel_sn.clone()]), &config());
    let (status, reason, message) = accepted(&t, "VpcAssociationPolicy", "default", "vpc");
    assert_eq!((status, reason), ("False", "Conflicted"));
    assert!(message.contains("associated with service network elsewhere (snva-0aaaaaaaaaaaaaaaa)"), "{message}");
    // Ours, made for a policy that is gone: the plan deletes it, so no conflict.
    let mut marker = association("snva-0aaaaaaaaaaaaaaaa", Some(MANAGED_BY), &[]);
    marker.tags.insert(TAG_VPC_ASSOCIATION_POLICY.into(), "default/old".into());
    elsewhere.vpc_associations = vec![marker];
    let t = run_config(&snap, &state(vec![elsewhere, hotel_sn]), &config());
    assert_eq!(accepted(&t, "VpcAssociationPolicy", "default", "vpc").0, "True");
}

#[test]
fn a_foreign_association_keeps_its_groups_and_ours_cannot_lose_them_all() {
    let snap = hotel().with(mk_vap("default", "vpc", "my-hotel")).build();
    let mut hotel_sn = sn("sn-0bbbbbbbbbbbbbbbb", "my-hotel", "123456789012", None);
    hotel_sn.vpc_associations.push(association("snva-0aaaaaaaaaaaaaaaa", Some(MANAGED_BY), &["sg-0bbbbbbbbbbbbbbb1"]));
    let t = run_config(&snap, &state(vec![hotel_sn.clone()]), &config());
    let message = accepted(&t, "VpcAssociationPolicy", "default", "vpc").2;
    assert!(
        message.contains("cannot remove every security group") && message.contains("sg-0bbbbbbbbbbbbbbb1"),
        "{message}"
    );
    hotel_sn.vpc_associations[0].tags.clear();
    let snap = hotel().with(mk_vap("default", "vpc", "my-hotel").groups(&["sg-0bbbbbbbbbbbbbbb2"])).build();
    let t = run_config(&snap, &state(vec![hotel_sn]), &config());
    let message = accepted(&t, "VpcAssociationPolicy", "default", "vpc").2;
    assert!(message.contains("not managed by this controller"), "{message}");
}

#[test]
fn invalid_policies_name_the_field() {
    let too_many = ["sg-0000000a", "sg-0000000b", "sg-0000000c", "sg-0000000d", "sg-0000000e", "sg-0000000f"];
    let cases = [
        (mk_vap("default", "p", "my-hotel").groups(&[]), "Invalid", "spec.securityGroupIds: 0 given"),
        (mk_vap("default", "p", "my-hotel").groups(&too_many), "Invalid", "spec.securityGroupIds: 6 given"),
        (
            mk_vap("default", "p", "my-hotel").groups(&["sg-0000000a", "sg-0000000a"]),
            "Invalid",
            "[1]: sg-0000000a is listed twice",
        ),
        (mk_vap("default", "p", "my-hotel").groups(&["sg-XYZ"]), "Invalid", "spec.securityGroupIds[0]: \"sg-XYZ\""),
        (mk_vap("default", "p", "motel"), "TargetNotFound", "Gateway default/motel does not exist"),
        (mk_vap("shop", "p", "my-hotel"), "TargetNotFound", "Gateway shop/my-hotel"),
    ];
    for (policy, reason, expected) in cases {
        let snap = hotel().with(policy).build();
        let t = run_config(&snap, &ObservedState::default(), &config());
        let (status, got, message) =
            accepted(&t, "VpcAssociationPolicy", if expected.contains("shop/") { "shop" } else { "default" }, "p");
        assert_eq!((status, got), ("False", reason), "{message}");
        assert!(message.contains(expected), "{message}");
        assert!(t.desired.service_networks.iter().all(|s| s.vpc_association.is_none()));
    }
    let snap = hotel().with(mk_vap("default", "p", "my-hotel")).build();
    let mut snap = snap;
    snap.unknown_fields.insert(ObjectRef::new("VpcAssociationPolicy", "default", "p"), vec!["spec.dnsOptions".into()]);
    let t = run_config(&snap, &ObservedState::default(), &config());
    assert_eq!(accepted(&t, "VpcAssociationPolicy", "default", "p").1, "Invalid");
}

#[test]
fn two_policies_on_gateways_of_one_network_leave_one() {
    let snap = hotel()
        .with(mk_gateway("shop", "my-hotel").listener(listener("http", "HTTP", 80)))
        .with(mk_vap("default", "a", "my-hotel").created("2025-01-01T00:00:00Z").groups(&["sg-0000000a"]))
        .with(mk_vap("shop", "b", "my-hotel").created("2025-02-01T00:00:00Z").groups(&["sg-0000000b"]))
        .build();
    let t = run_config(&snap, &ObservedState::default(), &config());
    assert_eq!(accepted(&t, "VpcAssociationPolicy", "default", "a").0, "True");
    let (status, reason, message) = accepted(&t, "VpcAssociationPolicy", "shop", "b");
    assert_eq!((status, reason), ("False", "Conflicted"));
    assert!(message.contains("targets ServiceNetwork my-hotel too"), "{message}");
}

#[test]
fn planning_the_translation_converges_and_the_status_follows() {
    use crate::plan::memory::{self, IdGen};
    use crate::plan::{Scope, plan};
    let mut config = with_default("platform", false);
    config.identity.account_id = memory::ACCOUNT.to_owned();
    let managed_by = config.identity.managed_by();
    let mut snap = hotel()
        .with(mk_network_object("my-hotel"))
        .with(mk_vap("default", "vpc", "my-hotel").groups(&["sg-0000000a"]))
        .with(mk_route("default", "rates").parent(parent("my-hotel")).rule(rule().backend(backend("review", 80))))
        .with(mk_service("default", "review").port("", 80, 8080))
        .build();
    let mut observed = ObservedState::default();
    let mut ids = IdGen::new();
    let t = run_config(&snap, &observed, &config);
    let first = plan(&t.desired, &observed, &Scope::All, &managed_by);
    memory::apply(&first, &mut observed, &mut ids).expect("applies");
    let ops: Vec<&str> = first.actions.iter().map(|a| a.op()).collect();
    assert!(
        ops.starts_with(&["CreateServiceNetwork", "CreateServiceNetwork", "CreateServiceNetworkVpcAssociation"]),
        "{ops:?}"
    );
    assert!(first.refused.is_empty(), "{:?}", first.refused);
    apply_status(&mut snap, &t);
    let t = translate(&snap, &observed, &config, later());
    let again = plan(&t.desired, &observed, &Scope::All, &managed_by);
    assert!(again.is_noop(), "{:?}", again.actions);
    assert_eq!(programmed(&t, "my-hotel").status, "True");
    assert_eq!(
        network_status(&t, "my-hotel").service_network_id.as_deref(),
        observed.service_network("my-hotel").map(|s| s.id.as_str())
    );
    let hotel = observed.service_network("my-hotel").expect("created");
    assert_eq!(hotel.vpc_associations.len(), 1, "the policy's network holds the VPC, not the default one");
    assert!(observed.service_network("platform").is_some_and(|p| p.vpc_associations.is_empty()));
    // The ServiceNetwork object and the policy go: the association goes, then the network.
    snap.service_networks.clear();
    snap.vpc_association_policies.clear();
    snap.http_routes.clear();
    let mut runs = 0;
    loop {
        let t = translate(&snap, &observed, &config, later());
        let p = plan(&t.desired, &observed, &Scope::All, &managed_by);
        if p.is_noop() {
            break;
        }
        memory::apply(&p, &mut observed, &mut ids).expect("applies");
        runs += 1;
        assert!(runs < 4, "no convergence");
    }
    assert!(observed.service_network("my-hotel").is_some(), "a Gateway is named my-hotel: kept");
    assert!(
        observed.service_network("platform").is_some_and(|p| p.vpc_associations.len() == 1),
        "the default one took the VPC"
    );
}

#[test]
fn the_tags_annotation_tags_service_networks_and_vpc_associations() {
    use crate::annotations::{ANNOTATION_TAGS, TAG_ADDITIONAL_KEYS};
    let snap = hotel()
        .with(mk_network_object("platform").annotation(ANNOTATION_TAGS, "team=net,aws:x=1"))
        .with(mk_vap("default", "vpc", "my-hotel").annotation(ANNOTATION_TAGS, "cost-center=42"))
        .build();
    let t = run_config(&snap, &ObservedState::default(), &config());
    let network = |name: &str| t.desired.service_networks.iter().find(|s| s.name == name).expect(name);
    let tags = network("platform").tags.as_ref().expect("ours");
    assert_eq!(tags.get("team").map(String::as_str), Some("net"));
    assert!(tags.contains_key(TAG_ADDITIONAL_KEYS), "the keys we add are recorded: {tags:?}");
    assert!(!tags.contains_key("aws:x"), "reserved keys are not applied");
    let (status, _, message) = accepted(&t, "ServiceNetwork", "", "platform");
    assert_eq!(status, "True");
    assert!(message.contains("aws:x") && message.contains("reserved"), "{message}");
    let a = network("my-hotel").vpc_association.as_ref().expect("association");
    assert_eq!(a.tags.get("cost-center").map(String::as_str), Some("42"));
    assert_eq!(a.tags.get(TAG_VPC_ASSOCIATION_POLICY).map(String::as_str), Some("default/vpc"));

    let bad = hotel().with(mk_vap("default", "vpc", "my-hotel").annotation(ANNOTATION_TAGS, "no-equals-sign")).build();
    let t = run_config(&bad, &ObservedState::default(), &config());
    let (status, _, message) = accepted(&t, "VpcAssociationPolicy", "default", "vpc");
    assert_eq!(status, "True", "a bad tags annotation does not stop the association");
    assert!(message.contains(ANNOTATION_TAGS) && message.contains("no additional tags"), "{message}");
}
