//! Service networks and the cluster VPC's associations with the real SDK against the emulator:
//! a default service network with its association created from nothing, then a steady state;
//! security groups changed and an association removed; an untagged service network adopted and
//! one of someone else left alone; a service network shared from another account used read-only;
//! ours deleted once nothing uses it.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;
use lattice_sim::SimConfig;
use model::lattice::{DesiredState, ServiceNetworkSpec, VpcAssociationSpec};
use model::names::{TAG_MANAGED_BY, TAG_VPC_ASSOCIATION_POLICY, Tags};
use model::networks::find;
use model::observed::ObservedState;

const VPC: &str = "vpc-0123456789abcdef0";
const ACCOUNT: &str = "123456789012";
const SG_A: &str = "sg-0aaaaaaaaaaaaaaaa";
const SG_B: &str = "sg-0bbbbbbbbbbbbbbbb";

fn ours() -> Tags {
    tags(&[(TAG_MANAGED_BY, MANAGED_BY)])
}

fn association(groups: Option<&[&str]>, associate: bool) -> VpcAssociationSpec {
    let mut tags = ours();
    if groups.is_some() {
        tags.insert(TAG_VPC_ASSOCIATION_POLICY.to_owned(), "default/vpc".to_owned());
    }
    VpcAssociationSpec {
        vpc_identifier: VPC.to_owned(),
        associate,
        security_group_ids: groups.map(|g| g.iter().map(|s| (*s).to_owned()).collect()),
        tags,
        source: "test".to_owned(),
    }
}

/// `name` created when missing (adopted when `adopt`), with the association `vpc`.
fn managed(name: &str, adopt: bool, vpc: Option<VpcAssociationSpec>) -> ServiceNetworkSpec {
    ServiceNetworkSpec { name: name.to_owned(), tags: Some(ours()), adopt, vpc_association: vpc, ..Default::default() }
}

/// The demo's services on `network`, and the given service networks.
fn with_networks(network: &str, specs: Vec<ServiceNetworkSpec>) -> DesiredState {
    let mut d = desired();
    for s in &mut d.services {
        s.service_networks = vec![network.to_owned()];
    }
    d.service_networks = specs;
    d
}

async fn observe(lattice: &lattice::Lattice, desired: &DesiredState) -> ObservedState {
    lattice.observe(MANAGED_BY, &model::plan::Scope::All, &names(desired)).await.expect("observe")
}

fn by_op(calls: &BTreeMap<String, u64>, op: &str) -> u64 {
    calls.get(op).copied().unwrap_or(0)
}

#[tokio::test]
async fn a_default_network_and_its_association_from_nothing_then_a_steady_state() {
    let sim = sim(SimConfig::default()).await;
    let lattice = adapter(&sim, fast()).await;
    let desired = with_networks("platform", vec![managed("platform", false, Some(association(None, true)))]);

    let (plan, report, after) = run(&lattice, &desired).await;
    assert!(report.is_complete(), "{report:#?}");
    let ops: Vec<&str> = plan.actions.iter().map(|a| a.op()).collect();
    assert_eq!(ops[..2], ["CreateServiceNetwork", "CreateServiceNetworkVpcAssociation"]);
    let created = sim.calls();
    eprintln!("create run: {} calls: {created:?}", total(&created));
    assert_eq!(by_op(&created, "CreateServiceNetwork"), 1);
    assert_eq!(by_op(&created, "CreateServiceNetworkVpcAssociation"), 1);
    assert_eq!(by_op(&created, "CreateServiceNetworkServiceAssociation"), 2, "the services join it in the same run");

    let observed = observe(&lattice, &desired).await;
    let platform = find(&observed, "platform", ACCOUNT).one().expect("created");
    assert_eq!(platform.tags, ours());
    assert_eq!(platform.vpc_associations.len(), 1);
    let a = &platform.vpc_associations[0];
    assert_eq!((a.vpc_id.as_str(), a.status.as_str()), (VPC, "ACTIVE"));
    assert_eq!(a.tags, ours());
    assert_eq!(a.security_group_ids.as_deref(), Some(&[][..]));
    assert_eq!(platform.associated_services, Some(2));
    assert_eq!(shape_of_observed(&observed), shape_of_observed(&after), "apply updated the inventory like a read");

    sim.reset_calls();
    let (plan, _, _) = run(&lattice, &desired).await;
    assert!(plan.is_noop(), "{:#?}", plan.actions);
    let steady = sim.calls();
    eprintln!("steady run: {} calls: {steady:?}", total(&steady));
    assert!(mutations(&steady).is_empty(), "{steady:?}");
    assert_eq!(by_op(&steady, "ListServiceNetworkVpcAssociations"), 1);
    assert_eq!(by_op(&steady, "GetServiceNetworkVpcAssociation"), 1, "only our association is read in full");
    assert_eq!(by_op(&steady, "ListTagsForResource"), 0, "our service network's tags come in bulk");
}

#[tokio::test]
async fn security_groups_change_cannot_all_go_and_associate_false_removes_ours() {
    let sim = sim(SimConfig { transition_delay: Duration::from_millis(150), ..SimConfig::default() }).await;
    let lattice = adapter(&sim, fast()).await;
    let spec = |groups: Option<&[&str]>, associate: bool| {
        with_networks(
            NETWORK,
            vec![ServiceNetworkSpec {
                name: NETWORK.to_owned(),
                vpc_association: Some(association(groups, associate)),
                ..Default::default()
            }],
        )
    };
    converge(&lattice, &spec(Some(&[SG_A]), true), 6).await;
    let id =
        |o: &ObservedState| find(o, NETWORK, ACCOUNT).one().map(|sn| sn.vpc_associations.clone()).unwrap_or_default();
    let groups = |o: &ObservedState| id(o).first().and_then(|a| a.security_group_ids.clone());
    assert_eq!(groups(&observe(&lattice, &spec(None, true)).await), Some(vec![SG_A.to_owned()]));

    sim.reset_calls();
    converge(&lattice, &spec(Some(&[SG_B, SG_A]), true), 6).await;
    assert_eq!(by_op(&sim.calls(), "UpdateServiceNetworkVpcAssociation"), 1);
    assert!(by_op(&sim.calls(), "CreateServiceNetworkVpcAssociation") == 0, "updated in place");
    assert_eq!(groups(&observe(&lattice, &spec(None, true)).await), Some(vec![SG_A.to_owned(), SG_B.to_owned()]));

    // None at all: Lattice cannot, so the plan says so and changes nothing.
    let (plan, _, _) = run(&lattice, &spec(Some(&[]), true)).await;
    assert!(plan.is_noop());
    assert!(plan.refused.iter().any(|r| r.reason.contains("cannot remove every security group")), "{:?}", plan.refused);

    // associateWithVpc: false deletes ours; true again recreates it without groups.
    converge(&lattice, &spec(Some(&[]), false), 6).await;
    eventually(Duration::from_secs(5), "the association to be gone", || async {
        id(&observe(&lattice, &spec(None, true)).await).is_empty()
    })
    .await;
    converge(&lattice, &spec(Some(&[]), true), 6).await;
    assert_eq!(groups(&observe(&lattice, &spec(None, true)).await), Some(vec![]));
}

#[tokio::test]
async fn an_untagged_network_is_adopted_and_one_of_someone_else_is_left_alone() {
    let sim = sim(SimConfig::default()).await;
    let (_, untagged_arn) = sim.seed_service_network("orphan", &Tags::new()).expect("seeded");
    let (_, foreign_arn) = sim.seed_service_network("theirs", &tags(&[(TAG_MANAGED_BY, OTHER)])).expect("seeded");
    let lattice = adapter(&sim, fast()).await;
    let desired = with_networks(NETWORK, vec![managed("orphan", true, None), managed("theirs", true, None)]);
    let (plan, report, _) = run(&lattice, &desired).await;
    assert!(report.is_complete(), "{report:#?}");
    assert!(!plan.actions.iter().any(|a| a.op() == "CreateServiceNetwork"));
    assert_eq!(plan.refused.iter().map(|r| r.resource.as_str()).collect::<Vec<_>>(), ["servicenetwork/theirs"]);
    let client = raw(&sim).await;
    let tags_of = |arn: String| {
        let client = client.clone();
        async move {
            let out = client.list_tags_for_resource().resource_arn(arn).send().await.expect("tags");
            out.tags().cloned().unwrap_or_default().into_iter().collect::<Tags>()
        }
    };
    assert_eq!(tags_of(untagged_arn).await, ours(), "adopted");
    assert_eq!(tags_of(foreign_arn).await, tags(&[(TAG_MANAGED_BY, OTHER)]), "untouched");
    sim.reset_calls();
    let (plan, _, _) = run(&lattice, &desired).await;
    assert!(plan.is_noop());
    assert_eq!(by_op(&sim.calls(), "ListTagsForResource"), 1, "only the tags of theirs, asked about by name");
}

#[tokio::test]
async fn a_network_shared_from_another_account_is_found_through_the_association_and_used_read_only() {
    let sim = sim(SimConfig::default()).await;
    let (shared_id, shared_arn) = sim.seed_shared_service_network("central", "444455556666", false).expect("seeded");
    let client = raw(&sim).await;
    // The network team associated the VPC with it (not us: no ManagedBy tag).
    client
        .create_service_network_vpc_association()
        .service_network_identifier(&shared_arn)
        .vpc_identifier(VPC)
        .security_group_ids(SG_A)
        .send()
        .await
        .expect("association");
    let lattice = adapter(&sim, fast()).await;
    let desired = with_networks(
        "central",
        vec![ServiceNetworkSpec {
            name: "central".to_owned(),
            vpc_association: Some(association(Some(&[SG_B]), true)),
            ..Default::default()
        }],
    );
    let observed = observe(&lattice, &desired).await;
    let central = find(&observed, "central", ACCOUNT).one().expect("found through the association");
    assert_eq!((central.id.as_str(), central.arn.as_str()), (shared_id.as_str(), shared_arn.as_str()));
    assert_eq!(central.vpc_associations[0].security_group_ids, None, "not ours: not read in full");

    let (plan, report, _) = run(&lattice, &desired).await;
    assert!(report.is_complete(), "{report:#?}");
    assert!(
        plan.refused.iter().any(|r| r.reason.contains("security groups are left as they are")),
        "{:?}",
        plan.refused
    );
    let calls = sim.calls();
    assert_eq!(by_op(&calls, "UpdateServiceNetworkVpcAssociation"), 0);
    let fingerprints = plan
        .actions
        .iter()
        .filter(
            |a| matches!(a, model::plan::Action::TagResource(t) if model::plan::fingerprints::is_fingerprint(&t.tags)),
        )
        .count();
    assert_eq!(
        by_op(&calls, "TagResource"),
        fingerprints as u64,
        "fingerprints only: the shared network is not tagged"
    );
    let joined =
        client.list_service_network_service_associations().service_network_identifier(&shared_arn).send().await;
    assert_eq!(joined.expect("associations").items().len(), 2, "both services joined it");
    let (plan, _, _) = run(&lattice, &desired).await;
    assert!(plan.is_noop(), "{:#?}", plan.actions);
}

#[tokio::test]
async fn ours_is_deleted_once_nothing_asks_for_or_uses_it() {
    let sim = sim(SimConfig::default()).await;
    let lattice = adapter(&sim, fast()).await;
    let only = |specs| DesiredState { service_networks: specs, ..DesiredState::default() };
    converge(&lattice, &only(vec![managed("retired", false, None), managed("busy", false, None)]), 4).await;
    let client = raw(&sim).await;
    // Someone else's VPC uses busy.
    let busy = find(&observe(&lattice, &only(vec![])).await, "busy", ACCOUNT).one().expect("busy").id.clone();
    client
        .create_service_network_vpc_association()
        .service_network_identifier(&busy)
        .vpc_identifier("vpc-0fedcba9876543210")
        .send()
        .await
        .expect("association");
    let (plan, report, _) = run(&lattice, &only(vec![])).await;
    assert!(report.is_complete(), "{report:#?}");
    assert_eq!(plan.actions.iter().map(|a| a.op()).collect::<Vec<_>>(), ["DeleteServiceNetwork"]);
    assert!(
        plan.refused.iter().any(|r| r.resource == "servicenetwork/busy" && r.reason.contains("1 VPC")),
        "{:?}",
        plan.refused
    );
    let names: Vec<String> = client
        .list_service_networks()
        .send()
        .await
        .expect("list")
        .items()
        .iter()
        .filter_map(|n| n.name().map(str::to_owned))
        .collect();
    assert!(names.contains(&"busy".to_owned()) && !names.contains(&"retired".to_owned()), "{names:?}");
}
