//! Services and their service-network associations: creation, certificate updates, tags,
//! associations (whose additional tags follow the route's tags annotation) and garbage
//! collection.

use std::collections::BTreeSet;

use crate::annotations::TAG_ADDITIONAL_KEYS;
use crate::lattice::ServiceSpec;
use crate::names::{TAG_MANAGED_BY, TAG_PREFIX, Tags};
use crate::observed::{ObservedAssociation, ObservedService};

use super::action::{
    Action, AssociationRef, CreateService, CreateServiceNetworkServiceAssociation, ServiceRef, UpdateService,
};
use super::common::{Planner, collectable, service_owner};

/// A desired service the plan manages, with the observed service of the same name (ours) when
/// it exists.
pub(super) struct PlannedService<'a> {
    /// The desired service.
    pub(super) desired: &'a ServiceSpec,
    /// The observed service of the same name, if any.
    pub(super) observed: Option<&'a ObservedService>,
}

impl PlannedService<'_> {
    /// How actions name the service: its id when it exists, else its name.
    pub(super) fn identifier(&self) -> &str {
        self.observed.map_or(&self.desired.name, |s| &s.id)
    }

    /// The service's path in refusals.
    pub(super) fn label(&self) -> String {
        label(&self.desired.name)
    }
}

fn label(name: &str) -> String {
    format!("service/{name}")
}

fn association_label(service: &str, association: &ObservedAssociation) -> String {
    format!("service/{service}/association/{}", association.service_network_name)
}

/// The in-scope desired services the plan manages: missing ones and ours. A desired service
/// whose name is taken by a service we do not own is refused with everything beneath it.
pub(super) fn select<'a>(p: &mut Planner<'a>, desired: &'a [ServiceSpec]) -> Vec<PlannedService<'a>> {
    let mut planned = Vec::new();
    let scope = p.scope();
    for svc in desired.iter().filter(|s| scope.includes(s.owner.as_ref())) {
        match p.service(&svc.name) {
            Some(seen) if !p.owns(&seen.tags) => p.refuse_foreign(label(&svc.name)),
            Some(seen) if seen.custom_domain_name != svc.custom_domain_name => {
                if replace(p, seen) {
                    planned.push(PlannedService { desired: svc, observed: None });
                }
            }
            observed => {
                if let Some(seen) = observed {
                    p.account(&seen.name);
                }
                planned.push(PlannedService { desired: svc, observed });
            }
        }
    }
    planned
}

/// Starts replacing an owned service whose custom domain name must change (VPC Lattice cannot
/// change it in place): our associations are deleted, then the service with its listeners and
/// rules; the caller then plans the service as missing, so that it is created again with
/// everything beneath it (target groups stay). Each step is decided from what is observed, so a
/// run cut off anywhere is completed by the next one. A service that keeps an association we do
/// not own is left as it is (refused); returns whether the replacement goes ahead.
fn replace<'a>(p: &mut Planner<'a>, seen: &'a ObservedService) -> bool {
    p.account(&seen.name);
    let foreign: Vec<&ObservedAssociation> = seen.associations.iter().filter(|a| !p.owns(&a.tags)).collect();
    if !foreign.is_empty() {
        for association in foreign {
            p.refuse_foreign(association_label(&seen.name, association));
        }
        p.refuse(
            label(&seen.name),
            "custom domain cannot change: replacing the service needs deleting it, and it is associated through an association we do not manage",
        );
        p.keep_unaccounted(seen);
        return false;
    }
    for association in &seen.associations {
        p.push(delete_association(association));
    }
    p.push(Action::DeleteService(ServiceRef { service_identifier: seen.id.clone() }));
    true
}

/// Creates missing services, updates certificates and retags existing ones.
///
/// A desired certificate is applied when it differs; an absent one leaves the observed
/// certificate alone, as `UpdateService` cannot remove it.
pub(super) fn plan_attributes(p: &mut Planner<'_>, services: &[PlannedService<'_>]) {
    for svc in services {
        let want = svc.desired;
        let Some(seen) = svc.observed else {
            p.push(Action::CreateService(CreateService {
                name: want.name.clone(),
                custom_domain_name: want.custom_domain_name.clone(),
                certificate_arn: want.certificate_arn.clone(),
                tags: want.tags.clone(),
            }));
            continue;
        };
        if want.certificate_arn.is_some() && want.certificate_arn != seen.certificate_arn {
            p.push(Action::UpdateService(UpdateService {
                service_identifier: seen.id.clone(),
                certificate_arn: want.certificate_arn.clone(),
                auth_type: None,
            }));
        }
        p.retag(&seen.arn, &seen.tags, &want.tags);
    }
}

/// Whether `association` links to the service network named (or identified) `network`.
fn links_to(p: &Planner<'_>, association: &ObservedAssociation, network: &str) -> bool {
    association.service_network_name == network
        || association.service_network_id == network
        || p.observed.service_network(network).is_some_and(|sn| sn.id == association.service_network_id)
}

/// Associates services with the desired service networks that exist, and removes our
/// associations that are not desired.
pub(super) fn plan_associations(p: &mut Planner<'_>, services: &[PlannedService<'_>]) {
    for svc in services {
        let seen = svc.observed.map_or(&[][..], |s| &s.associations[..]);
        let mut created = BTreeSet::new();
        for network in &svc.desired.service_networks {
            let Some(identifier) = p.network_identifier(network) else {
                continue;
            };
            if seen.iter().any(|a| links_to(p, a, network)) || !created.insert(identifier.clone()) {
                continue;
            }
            let mut tags = svc.desired.tags.clone();
            tags.insert(TAG_MANAGED_BY.to_owned(), p.managed_by().to_owned());
            p.push(Action::CreateServiceNetworkServiceAssociation(CreateServiceNetworkServiceAssociation {
                service_identifier: svc.identifier().to_owned(),
                service_network_identifier: identifier,
                tags,
            }));
        }
        for association in seen {
            let wanted = svc.desired.service_networks.iter().any(|network| links_to(p, association, network));
            if wanted {
                if p.owns(&association.tags) {
                    let want = association_tags(&association.tags, &svc.desired.tags);
                    p.retag(&association.arn, &association.tags, &want);
                }
                continue;
            }
            if p.owns(&association.tags) {
                p.push(delete_association(association));
            } else {
                p.refuse_foreign(association_label(&svc.desired.name, association));
            }
        }
    }
}

/// The tags an existing association of ours should carry: the keys under our prefix it has (as
/// it was created, by us or by the existing controller), and the service's additional tags from
/// the route's tags annotation with their record.
fn association_tags(observed: &Tags, service: &Tags) -> Tags {
    let ours = observed.iter().filter(|(k, _)| k.starts_with(TAG_PREFIX) && k.as_str() != TAG_ADDITIONAL_KEYS);
    let additional = service.iter().filter(|(k, _)| !k.starts_with(TAG_PREFIX) || k.as_str() == TAG_ADDITIONAL_KEYS);
    ours.chain(additional).map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn delete_association(association: &ObservedAssociation) -> Action {
    Action::DeleteServiceNetworkServiceAssociation(AssociationRef {
        service_network_service_association_identifier: association.id.clone(),
    })
}

/// Deletes the owned, collectable services that are not desired: first our associations, then
/// the service. A service that keeps an association we do not own is not deleted.
pub(super) fn plan_deletions(p: &mut Planner<'_>, desired: &[ServiceSpec]) {
    let desired: BTreeSet<&str> = desired.iter().map(|s| s.name.as_str()).collect();
    let observed = p.observed;
    for svc in &observed.services {
        if desired.contains(svc.name.as_str())
            || !p.owns(&svc.tags)
            || !collectable(p.scope(), service_owner(&svc.tags))
        {
            continue;
        }
        let mut blocked = false;
        for association in &svc.associations {
            if p.owns(&association.tags) {
                p.push(delete_association(association));
            } else {
                p.refuse_foreign(association_label(&svc.name, association));
                blocked = true;
            }
        }
        if blocked {
            p.refuse(
                label(&svc.name),
                "not desired, but associated with a service network through an association we do not manage",
            );
            continue;
        }
        p.push(Action::DeleteService(ServiceRef { service_identifier: svc.id.clone() }));
        p.account(&svc.name);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::lattice::{ListenerProtocol, RuleAction};
    use crate::names::{TAG_ROUTE_NAME, Tags};
    use crate::plan::Scope;
    use crate::plan::test_support::*;

    fn web(route: &str) -> ServiceSpec {
        mk_service(route).listener(mk_listener(80, ListenerProtocol::Http, RuleAction::fixed(404)))
    }

    #[test]
    fn a_new_service_is_created_with_its_association_and_listener() {
        let mut svc = web("rates");
        svc.custom_domain_name = Some("rates.example.com".into());
        svc.certificate_arn = Some("arn:aws:acm:us-west-2:111122223333:certificate/x".into());
        svc.service_networks = vec!["net-a".into(), "net-missing".into()];
        let plan = plan_all(&desired(vec![svc.clone()], vec![]), &base_observed());
        assert_eq!(ops(&plan), ["CreateService", "CreateServiceNetworkServiceAssociation", "CreateListener"]);
        match &plan.actions[..] {
            [Action::CreateService(c), Action::CreateServiceNetworkServiceAssociation(a), _] => {
                assert_eq!(c.name, "rates-default");
                assert_eq!(c.custom_domain_name, svc.custom_domain_name);
                assert_eq!(c.certificate_arn, svc.certificate_arn);
                assert_eq!(c.tags, svc.tags);
                assert_eq!(a.service_identifier, "rates-default");
                assert_eq!(a.service_network_identifier, "sn-0aaaaaaaaaaaaaaaa");
                assert_eq!(a.tags.get(TAG_MANAGED_BY).map(String::as_str), Some(MANAGED_BY));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_service_of_someone_else_is_refused_with_everything_beneath_it() {
        let (mut observed, _) = observe(&desired(vec![web("rates")], vec![]));
        observed.services[0].tags.insert(TAG_MANAGED_BY.into(), OTHER.into());
        let mut svc = web("rates");
        svc.service_networks.push("net-b".into());
        svc.listeners[0].default_action = RuleAction::fixed(500);
        svc.listeners.push(mk_listener(443, ListenerProtocol::Https, RuleAction::fixed(404)));
        let plan = plan_all(&desired(vec![svc], vec![]), &observed);
        assert!(plan.is_noop(), "{:?}", ops(&plan));
        assert_eq!(plan.refused.len(), 1);
        assert_eq!(plan.refused[0].resource, "service/rates-default");
        // Nor is it collected when not desired.
        assert!(plan_all(&desired(vec![], vec![]), &observed).is_noop());
    }

    #[test]
    fn service_tags_are_synced_without_touching_foreign_keys() {
        let (mut observed, _) = observe(&desired(vec![web("rates")], vec![]));
        observed.services[0].tags.insert("team".into(), "payments".into());
        observed.services[0].tags.insert("application-networking.k8s.aws/Stale".into(), "x".into());
        let mut svc = web("rates");
        svc.tags.insert(TAG_ROUTE_NAME.into(), "renamed".into());
        let plan = plan_all(&desired(vec![svc], vec![]), &observed);
        let arn = observed.services[0].arn.clone();
        assert_eq!(
            plan.actions,
            vec![
                Action::TagResource(crate::plan::action::TagResource {
                    resource_arn: arn.clone(),
                    tags: tags(&[(TAG_ROUTE_NAME, "renamed")]),
                }),
                Action::UntagResource(crate::plan::action::UntagResource {
                    resource_arn: arn,
                    tag_keys: vec!["application-networking.k8s.aws/Stale".into()],
                }),
            ]
        );
    }

    #[test]
    fn associations_follow_the_desired_networks_by_name_or_id() {
        let (mut observed, mut ids) = observe(&desired(vec![web("rates")], vec![]));
        // Someone else associated our service with net-b.
        let mut other = observed.services[0].associations[0].clone();
        other.id = "snsa-0ffffffffffffffff".into();
        other.service_network_id = "sn-0bbbbbbbbbbbbbbbb".into();
        other.service_network_name = "net-b".into();
        other.tags = tags(&[(TAG_MANAGED_BY, OTHER)]);
        observed.services[0].associations.push(other);

        // Desired by id: nothing to do, the foreign one stays with a refusal.
        let mut svc = web("rates");
        svc.service_networks = vec!["sn-0aaaaaaaaaaaaaaaa".into(), "net-b".into()];
        let plan = plan_all(&desired(vec![svc.clone()], vec![]), &observed);
        assert!(plan.is_noop() && plan.refused.is_empty(), "{plan:?}");

        // Moving from net-a to nothing: ours is deleted, the foreign one is refused.
        svc.service_networks = vec![];
        let plan = plan_all(&desired(vec![svc.clone()], vec![]), &observed);
        let ours = observed.services[0].associations[0].id.clone();
        assert_eq!(
            plan.actions,
            vec![Action::DeleteServiceNetworkServiceAssociation(AssociationRef {
                service_network_service_association_identifier: ours,
            })]
        );
        assert_eq!(plan.refused[0].resource, "service/rates-default/association/net-b");
        apply(&plan, &mut observed, &mut ids);

        // And back to net-a.
        svc.service_networks = vec!["net-a".into(), "net-b".into()];
        let plan = plan_all(&desired(vec![svc], vec![]), &observed);
        assert_eq!(ops(&plan), ["CreateServiceNetworkServiceAssociation"]);
    }

    #[test]
    fn a_service_no_longer_desired_loses_its_associations_then_itself() {
        let (observed, _) = observe(&desired(vec![web("rates"), web("parking")], vec![]));
        let plan = plan_all(&desired(vec![web("parking")], vec![]), &observed);
        assert_eq!(ops(&plan), ["DeleteServiceNetworkServiceAssociation", "DeleteService"]);
        // Out of scope: kept.
        let scope = Scope::Owners(BTreeSet::from([owner("HTTPRoute", "parking")]));
        assert!(plan_in(&scope, &desired(vec![], vec![]), &observed).actions.len() == 2);
        let scope = Scope::Owners(BTreeSet::from([owner("HTTPRoute", "other")]));
        assert!(plan_in(&scope, &desired(vec![], vec![]), &observed).is_noop());
    }

    #[test]
    fn a_foreign_association_keeps_a_service_alive() {
        let (mut observed, _) = observe(&desired(vec![web("rates")], vec![]));
        let mut other = observed.services[0].associations[0].clone();
        other.id = "snsa-0ffffffffffffffff".into();
        other.service_network_name = "net-b".into();
        other.tags = Tags::new();
        observed.services[0].associations.push(other);
        let plan = plan_all(&desired(vec![], vec![]), &observed);
        assert_eq!(ops(&plan), ["DeleteServiceNetworkServiceAssociation"]);
        let refused: Vec<&str> = plan.refused.iter().map(|r| r.resource.as_str()).collect();
        assert_eq!(refused, ["service/rates-default/association/net-b", "service/rates-default"]);
    }
}
