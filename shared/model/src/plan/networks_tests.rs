use std::collections::BTreeSet;

use super::*;
use crate::lattice::{DesiredState, ServiceNetworkSpec, VpcAssociationSpec};
use crate::names::Tags;
use crate::observed::{ObservedServiceNetwork, ObservedState};
use crate::plan::test_support::*;
use crate::plan::{Plan, Scope};

const VPC: &str = "vpc-0123";

fn ours() -> Tags {
    tags(&[(TAG_MANAGED_BY, MANAGED_BY)])
}

/// A service network we create when missing.
fn managed(name: &str, adopt: bool) -> ServiceNetworkSpec {
    ServiceNetworkSpec { name: name.into(), tags: Some(ours()), adopt, ..ServiceNetworkSpec::default() }
}

fn association(groups: Option<&[&str]>) -> VpcAssociationSpec {
    VpcAssociationSpec {
        vpc_identifier: VPC.into(),
        associate: true,
        security_group_ids: groups.map(|g| g.iter().map(|s| (*s).to_owned()).collect()),
        tags: ours(),
        source: "VpcAssociationPolicy default/vap".into(),
    }
}

fn networks(specs: Vec<ServiceNetworkSpec>) -> DesiredState {
    DesiredState { service_networks: specs, ..DesiredState::default() }
}

/// Applies `desired` until nothing is left to do, returning the plans.
fn converge(desired: &DesiredState, observed: &mut ObservedState) -> Vec<Plan> {
    let mut ids = crate::plan::memory::IdGen::starting_at(0x100);
    let mut plans = Vec::new();
    for _ in 0..3 {
        let plan = plan_all(desired, observed);
        if plan.is_noop() {
            return plans;
        }
        apply(&plan, observed, &mut ids);
        plans.push(plan);
    }
    panic!("no convergence: {plans:#?}");
}

fn shared(name: &str) -> ObservedServiceNetwork {
    ObservedServiceNetwork {
        id: "sn-0ccccccccccccccccc"[..20].into(),
        arn: "arn:aws:vpc-lattice:us-west-2:444455556666:servicenetwork/sn-0cccccccccccccccc".into(),
        name: name.into(),
        ..ObservedServiceNetwork::default()
    }
}

fn with_association(
    mut sn: ObservedServiceNetwork,
    tags: Tags,
    groups: &[&str],
    status: &str,
) -> ObservedServiceNetwork {
    sn.vpc_associations.push(ObservedVpcAssociation {
        id: format!("snva-0{}", &sn.id[4..]),
        arn: format!("arn:aws:vpc-lattice:us-west-2:111122223333:servicenetworkvpcassociation/snva-0{}", &sn.id[4..]),
        status: status.into(),
        vpc_id: VPC.into(),
        security_group_ids: Some(groups.iter().map(|s| (*s).to_owned()).collect()),
        tags,
    });
    sn
}

#[test]
fn a_missing_network_is_created_with_the_association_and_the_services_join_it_in_one_plan() {
    let mut spec = managed("hotel", false);
    spec.vpc_association = Some(association(Some(&["sg-0bbbbbbbbbbbbbbbb", "sg-0aaaaaaaaaaaaaaaa"])));
    let mut svc = mk_service("rates");
    svc.service_networks = vec!["hotel".into()];
    let desired = DesiredState { service_networks: vec![spec], ..desired(vec![svc], vec![]) };
    let mut observed = base_observed();
    let plans = converge(&desired, &mut observed);
    assert_eq!(plans.len(), 1, "one plan does it all: {plans:#?}");
    assert_eq!(
        ops(&plans[0]),
        [
            "CreateServiceNetwork",
            "CreateServiceNetworkVpcAssociation",
            "CreateService",
            "CreateServiceNetworkServiceAssociation"
        ]
    );
    match &plans[0].actions[1] {
        Action::CreateServiceNetworkVpcAssociation(c) => {
            assert_eq!(c.service_network_identifier, "hotel", "named: created by the same plan");
            assert_eq!(c.security_group_ids, ["sg-0aaaaaaaaaaaaaaaa", "sg-0bbbbbbbbbbbbbbbb"]);
            assert_eq!(c.vpc_identifier, VPC);
        }
        other => panic!("unexpected {other:?}"),
    }
    match &plans[0].actions[3] {
        Action::CreateServiceNetworkServiceAssociation(c) => assert_eq!(c.service_network_identifier, "hotel"),
        other => panic!("unexpected {other:?}"),
    }
    let hotel = observed.service_network("hotel").expect("created");
    assert_eq!(hotel.tags, ours());
    assert_eq!(hotel.vpc_associations.len(), 1);
}

#[test]
fn ours_is_retagged_an_untagged_one_adopted_and_one_of_someone_else_refused() {
    let mut observed = base_observed();
    // net-a: untagged; net-b: someone else's.
    observed.service_networks[1].tags = tags(&[(TAG_MANAGED_BY, OTHER)]);
    let plan = plan_all(&networks(vec![managed("net-a", true), managed("net-b", true)]), &observed);
    assert_eq!(
        plan.actions,
        vec![Action::TagResource(TagResource { resource_arn: observed.service_networks[0].arn.clone(), tags: ours() })]
    );
    assert_eq!(plan.refused.len(), 1);
    assert_eq!(plan.refused[0].resource, "servicenetwork/net-b");

    // Without adoption (the default service network), an existing one is used as it is.
    assert!(plan_all(&networks(vec![managed("net-a", false), managed("net-b", false)]), &observed).is_noop());

    // Ours: its tags follow the desired ones; foreign keys stay.
    observed.service_networks[0].tags = tags(&[(TAG_MANAGED_BY, MANAGED_BY), ("team", "payments")]);
    let mut spec = managed("net-a", true);
    spec.tags.as_mut().expect("tags").insert("application-networking.k8s.aws/Extra".into(), "x".into());
    let plan = plan_all(&networks(vec![spec]), &observed);
    assert_eq!(ops(&plan), ["TagResource"]);
}

#[test]
fn a_shared_network_is_used_read_only() {
    let mut observed = base_observed();
    observed.service_networks.push(with_association(shared("central"), Tags::new(), &[], "ACTIVE"));
    // Managing a shared network is refused; using it as the default is fine.
    let plan = plan_all(&networks(vec![managed("central", true)]), &observed);
    assert!(plan.is_noop());
    assert!(plan.refused[0].reason.contains("shared from account 444455556666"), "{:?}", plan.refused);
    let mut spec = managed("central", false);
    spec.vpc_association = Some(association(None));
    assert!(plan_all(&networks(vec![spec.clone()]), &observed).is_noop());
    // Its association is not ours: security groups are not managed.
    spec.vpc_association = Some(association(Some(&["sg-0aaaaaaaaaaaaaaaa"])));
    let plan = plan_all(&networks(vec![spec]), &observed);
    assert!(plan.is_noop());
    assert!(plan.refused[0].reason.contains("security groups are left as they are"), "{:?}", plan.refused);
    // Services join it by ARN.
    let mut svc = mk_service("rates");
    svc.service_networks = vec!["central".into()];
    let plan = plan_all(&desired(vec![svc], vec![]), &observed);
    match &plan.actions[1] {
        Action::CreateServiceNetworkServiceAssociation(c) => {
            assert_eq!(c.service_network_identifier, observed.service_networks[2].arn)
        }
        other => panic!("unexpected {other:?}"),
    }
    // A shared network without an association of ours is associated by ARN.
    let mut observed = base_observed();
    observed.service_networks.push(shared("central"));
    let mut spec = managed("central", false);
    spec.vpc_association = Some(association(None));
    let plan = plan_all(&networks(vec![spec]), &observed);
    match &plan.actions[..] {
        [Action::CreateServiceNetworkVpcAssociation(c)] => {
            assert!(c.service_network_identifier.starts_with("arn:aws:vpc-lattice:us-west-2:444455556666:"))
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn security_groups_change_in_place_but_cannot_all_be_removed() {
    let mut observed = base_observed();
    observed.service_networks[0] =
        with_association(observed.service_networks[0].clone(), ours(), &["sg-0aaaaaaaaaaaaaaaa"], "ACTIVE");
    let spec = |groups: Option<&[&str]>| {
        let mut s = ServiceNetworkSpec { name: "net-a".into(), ..ServiceNetworkSpec::default() };
        s.vpc_association = Some(association(groups));
        networks(vec![s])
    };
    let plan = plan_all(&spec(Some(&["sg-0bbbbbbbbbbbbbbbb", "sg-0aaaaaaaaaaaaaaaa"])), &observed);
    assert_eq!(
        plan.actions,
        vec![Action::UpdateServiceNetworkVpcAssociation(UpdateServiceNetworkVpcAssociation {
            service_network_vpc_association_identifier: observed.service_networks[0].vpc_associations[0].id.clone(),
            security_group_ids: vec!["sg-0aaaaaaaaaaaaaaaa".into(), "sg-0bbbbbbbbbbbbbbbb".into()],
        })]
    );
    // Same groups in another order: nothing to do.
    assert!(plan_all(&spec(Some(&["sg-0aaaaaaaaaaaaaaaa"])), &observed).is_noop());
    // No opinion: nothing to do.
    assert!(plan_all(&spec(None), &observed).is_noop());
    // None at all: Lattice cannot do that.
    let plan = plan_all(&spec(Some(&[])), &observed);
    assert!(plan.is_noop());
    assert!(plan.refused[0].reason.contains("cannot remove every security group"), "{:?}", plan.refused);
    assert_eq!(plan.refused[0].resource, "servicenetwork/net-a/vpc-association/vpc-0123");
}

#[test]
fn associate_false_deletes_ours_and_refuses_others() {
    let mut observed = base_observed();
    observed.service_networks[0] = with_association(observed.service_networks[0].clone(), ours(), &[], "ACTIVE");
    let mut s = ServiceNetworkSpec { name: "net-a".into(), ..ServiceNetworkSpec::default() };
    s.vpc_association = Some(VpcAssociationSpec { associate: false, ..association(None) });
    let desired = networks(vec![s]);
    let plans = converge(&desired, &mut observed.clone());
    assert_eq!(ops(&plans[0]), ["DeleteServiceNetworkVpcAssociation"]);
    observed.service_networks[0].vpc_associations[0].tags = tags(&[(TAG_MANAGED_BY, OTHER)]);
    let plan = plan_all(&desired, &observed);
    assert!(plan.is_noop());
    assert_eq!(plan.refused[0].resource, "servicenetwork/net-a/vpc-association/vpc-0123");
}

#[test]
fn a_vpc_joins_one_network_only() {
    let mut observed = base_observed();
    observed.service_networks[0] = with_association(observed.service_networks[0].clone(), Tags::new(), &[], "ACTIVE");
    let mut s = ServiceNetworkSpec { name: "net-b".into(), ..ServiceNetworkSpec::default() };
    s.vpc_association = Some(association(None));
    let plan = plan_all(&networks(vec![s.clone()]), &observed);
    assert!(plan.is_noop());
    assert!(plan.refused[0].reason.contains("associated with service network net-a"), "{:?}", plan.refused);
    // Two desired ones: the first wins.
    let mut observed = base_observed();
    let mut first = s.clone();
    first.name = "net-a".into();
    let plan = plan_all(&networks(vec![first, s]), &observed);
    assert_eq!(ops(&plan), ["CreateServiceNetworkVpcAssociation"]);
    assert!(plan.refused[0].reason.contains("this plan associates the VPC with service network net-a"));
    // Ours on net-a turned off and net-b wanted: delete, then create.
    observed.service_networks[0] = with_association(observed.service_networks[0].clone(), ours(), &[], "ACTIVE");
    let mut off = ServiceNetworkSpec { name: "net-a".into(), ..ServiceNetworkSpec::default() };
    off.vpc_association = Some(VpcAssociationSpec { associate: false, ..association(None) });
    let mut on = ServiceNetworkSpec { name: "net-b".into(), ..ServiceNetworkSpec::default() };
    on.vpc_association = Some(association(None));
    let plans = converge(&networks(vec![off, on]), &mut observed);
    assert_eq!(ops(&plans[0]), ["DeleteServiceNetworkVpcAssociation", "CreateServiceNetworkVpcAssociation"]);
}

#[test]
fn a_failed_association_is_deleted_and_one_being_deleted_waits() {
    let mut observed = base_observed();
    observed.service_networks[0] = with_association(observed.service_networks[0].clone(), ours(), &[], "CREATE_FAILED");
    let mut s = ServiceNetworkSpec { name: "net-a".into(), ..ServiceNetworkSpec::default() };
    s.vpc_association = Some(association(None));
    let desired = networks(vec![s]);
    let plan = plan_all(&desired, &observed);
    assert_eq!(ops(&plan), ["DeleteServiceNetworkVpcAssociation", "CreateServiceNetworkVpcAssociation"]);
    observed.service_networks[0].vpc_associations[0].status = "DELETE_IN_PROGRESS".into();
    let plan = plan_all(&desired, &observed);
    assert!(plan.is_noop());
    assert!(plan.refused[0].reason.contains("still being deleted"), "{:?}", plan.refused);
}

#[test]
fn an_association_of_a_deleted_policy_goes_with_it() {
    let mut observed = base_observed();
    let mut marked = ours();
    marked.insert(TAG_VPC_ASSOCIATION_POLICY.into(), "default/vap".into());
    observed.service_networks[0] = with_association(observed.service_networks[0].clone(), marked, &[], "ACTIVE");
    observed.service_networks[1] = with_association(observed.service_networks[1].clone(), ours(), &[], "ACTIVE");
    observed.service_networks[1].vpc_associations[0].vpc_id = "vpc-0999".into();
    let plan = plan_all(&DesiredState::default(), &observed);
    assert_eq!(ops(&plan), ["DeleteServiceNetworkVpcAssociation"], "only the one of a policy: {plan:?}");
    // A run scoped to routes leaves it alone.
    let scope = Scope::Owners(BTreeSet::from([owner("HTTPRoute", "rates")]));
    assert!(plan_in(&scope, &DesiredState::default(), &observed).is_noop());
    // Still wanted (the default network): its marker goes instead.
    let mut s = ServiceNetworkSpec { name: "net-a".into(), ..ServiceNetworkSpec::default() };
    s.vpc_association = Some(association(None));
    let plan = plan_all(&networks(vec![s]), &observed);
    assert_eq!(ops(&plan), ["UntagResource"]);
}

#[test]
fn ours_is_deleted_once_nothing_names_or_uses_it() {
    let mut observed = base_observed();
    for sn in &mut observed.service_networks {
        sn.tags = ours();
    }
    observed.service_networks[1].associated_services = Some(1);
    // A Gateway named net-a (not accepted, say: it maps to no service network) keeps it.
    let mut gateway = networks(vec![]);
    gateway.gateway_names.insert("net-a".into());
    let plan = plan_all(&gateway, &observed);
    assert!(plan.is_noop(), "{plan:?}");
    let reasons: Vec<&str> = plan.refused.iter().map(|r| r.reason.as_str()).collect();
    assert!(reasons[0].contains("a Gateway is named net-a"), "{reasons:?}");
    assert!(reasons[1].contains("0 VPC and 1 service associations"), "{reasons:?}");

    observed.service_networks[1].associated_services = Some(0);
    let mut left = observed.clone();
    let plans = converge(&DesiredState::default(), &mut left);
    assert_eq!(ops(&plans[0]), ["DeleteServiceNetwork", "DeleteServiceNetwork"]);
    assert!(left.service_networks.is_empty());
    // Desired by name: kept. Not ours, or a run scoped to routes: kept.
    assert!(plan_all(&networks(vec![managed("net-a", false), managed("net-b", false)]), &observed).is_noop());
    let scope = Scope::Owners(BTreeSet::from([owner("HTTPRoute", "rates")]));
    assert!(plan_in(&scope, &DesiredState::default(), &observed).is_noop());
    assert!(plan_in(&Scope::Except(BTreeSet::new()), &DesiredState::default(), &observed).is_noop());
    assert!(plan_all(&DesiredState::default(), &base_observed()).is_noop());
}

#[test]
fn a_run_scoped_to_routes_neither_creates_networks_nor_associations() {
    let mut spec = managed("hotel", false);
    spec.vpc_association = Some(association(None));
    let scope = Scope::Owners(BTreeSet::from([owner("HTTPRoute", "rates")]));
    assert!(plan_in(&scope, &networks(vec![spec.clone()]), &base_observed()).is_noop());
    assert_eq!(ops(&plan_in(&Scope::Except(BTreeSet::new()), &networks(vec![spec]), &base_observed())).len(), 2);
}
