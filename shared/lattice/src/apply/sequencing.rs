//! Which actions of a plan may run at the same time.
//!
//! A plan is executed in order, one *group* at a time: a group is a maximal run of consecutive
//! actions with the same operation. Within a group, actions are split into *chains* by the
//! parent they touch (the listener of a rule, the target group of targets, the service of a
//! listener, ...): chains run concurrently, and the actions of one chain run one after the other
//! in plan order.

use std::ops::Range;

use model::plan::Action;

/// The maximal runs of consecutive actions with the same operation.
pub(super) fn groups(actions: &[Action]) -> Vec<Range<usize>> {
    let mut groups: Vec<Range<usize>> = Vec::new();
    for (index, action) in actions.iter().enumerate() {
        match groups.last_mut() {
            Some(group) if actions[group.start].op() == action.op() => group.end = index + 1,
            _ => groups.push(index..index + 1),
        }
    }
    groups
}

/// What an action must not touch at the same time as another action of its group: its parent,
/// or the resource itself for top-level resources. Identifiers should be resolved first, so
/// that one resource always gets one key.
pub(super) fn parent_key(action: &Action) -> String {
    match action {
        Action::CreateServiceNetwork(req) => format!("servicenetwork/{}", req.name),
        Action::CreateService(req) => format!("service/{}", req.name),
        Action::UpdateService(req) => format!("service/{}", req.service_identifier),
        Action::DeleteService(req) => format!("service/{}", req.service_identifier),
        Action::CreateServiceNetworkServiceAssociation(req) => format!("service/{}", req.service_identifier),
        Action::DeleteServiceNetworkServiceAssociation(req) => {
            format!("association/{}", req.service_network_service_association_identifier)
        }
        Action::CreateListener(req) => format!("service/{}", req.service_identifier),
        Action::UpdateListener(req) => format!("service/{}", req.service_identifier),
        Action::DeleteListener(req) => format!("service/{}", req.service_identifier),
        Action::CreateRule(req) => format!("listener/{}/{}", req.service_identifier, req.listener_identifier),
        Action::BatchUpdateRule(req) => format!("listener/{}/{}", req.service_identifier, req.listener_identifier),
        Action::DeleteRule(req) => format!("listener/{}/{}", req.service_identifier, req.listener_identifier),
        Action::CreateTargetGroup(req) => format!("targetgroup/{}", req.name),
        Action::UpdateTargetGroup(req) => format!("targetgroup/{}", req.target_group_identifier),
        Action::DeleteTargetGroup(req) => format!("targetgroup/{}", req.target_group_identifier),
        Action::RegisterTargets(req) | Action::DeregisterTargets(req) => {
            format!("targetgroup/{}", req.target_group_identifier)
        }
        Action::TagResource(req) => format!("resource/{}", req.resource_arn),
        Action::UntagResource(req) => format!("resource/{}", req.resource_arn),
        Action::DeleteServiceNetwork(req) => format!("servicenetwork/{}", req.service_network_identifier),
        Action::CreateServiceNetworkVpcAssociation(req) => format!("vpc/{}", req.vpc_identifier),
        Action::UpdateServiceNetworkVpcAssociation(req) => {
            format!("vpc-association/{}", req.service_network_vpc_association_identifier)
        }
        Action::DeleteServiceNetworkVpcAssociation(req) => {
            format!("vpc-association/{}", req.service_network_vpc_association_identifier)
        }
        Action::UpdateServiceNetwork(req) => format!("servicenetwork/{}", req.service_network_identifier),
        Action::PutAuthPolicy(req) => policy_parent(&req.resource_identifier),
        Action::DeleteAuthPolicy(req) => policy_parent(&req.resource_identifier),
        Action::CreateAccessLogSubscription(req) => policy_parent(&req.resource_identifier),
        Action::UpdateAccessLogSubscription(req) => {
            format!("accesslogsubscription/{}", req.access_log_subscription_identifier)
        }
        Action::DeleteAccessLogSubscription(req) => {
            format!("accesslogsubscription/{}", req.access_log_subscription_identifier)
        }
    }
}

/// The key of the service or service network an auth policy or access log subscription is on.
fn policy_parent(resource: &str) -> String {
    if super::policies::is_network(resource) {
        format!("servicenetwork/{resource}")
    } else {
        format!("service/{resource}")
    }
}

/// Splits the items of one group into chains by key, keeping plan order within each chain and
/// ordering chains by their first item.
pub(super) fn chains<T>(items: Vec<T>, key: impl Fn(&T) -> String) -> Vec<Vec<T>> {
    let mut keys: Vec<String> = Vec::new();
    let mut chains: Vec<Vec<T>> = Vec::new();
    for item in items {
        let k = key(&item);
        match keys.iter().position(|existing| *existing == k) {
            Some(i) => chains[i].push(item),
            None => {
                keys.push(k);
                chains.push(vec![item]);
            }
        }
    }
    chains
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::lattice::{HttpMatch, RuleAction, RuleMatch, Target};
    use model::plan::action::{CreateRule, RuleRef, ServiceRef, Targets};

    fn register(tg: &str, ip: &str) -> Action {
        Action::RegisterTargets(Targets {
            target_group_identifier: tg.into(),
            targets: vec![Target { id: ip.into(), port: 80 }],
        })
    }

    fn create_rule(listener: &str, name: &str) -> Action {
        Action::CreateRule(CreateRule {
            service_identifier: "svc-1".into(),
            listener_identifier: listener.into(),
            name: name.into(),
            matcher: RuleMatch::HttpMatch(HttpMatch::default()),
            priority: 1,
            action: RuleAction::fixed(404),
            tags: Default::default(),
        })
    }

    #[test]
    fn groups_are_runs_of_the_same_operation() {
        let plan = [
            register("tg-a", "10.0.0.1"),
            register("tg-b", "10.0.0.2"),
            Action::DeleteService(ServiceRef { service_identifier: "svc-1".into() }),
            register("tg-a", "10.0.0.3"),
        ];
        assert_eq!(groups(&plan), [0..2, 2..3, 3..4]);
        assert!(groups(&[]).is_empty());
    }

    #[test]
    fn actions_on_the_same_parent_form_one_chain_in_plan_order() {
        let plan = vec![
            create_rule("listener-a", "r1"),
            create_rule("listener-b", "r2"),
            create_rule("listener-a", "r3"),
            create_rule("listener-c", "r4"),
            create_rule("listener-b", "r5"),
        ];
        let chains = chains(plan.into_iter().enumerate().collect(), |(_, a)| parent_key(a));
        let indices: Vec<Vec<usize>> = chains.iter().map(|c| c.iter().map(|(i, _)| *i).collect()).collect();
        assert_eq!(indices, [vec![0, 2], vec![1, 4], vec![3]]);
    }

    #[test]
    fn rule_deletions_share_the_listener_key_with_rule_creations() {
        let delete = Action::DeleteRule(RuleRef {
            service_identifier: "svc-1".into(),
            listener_identifier: "listener-a".into(),
            rule_identifier: "rule-1".into(),
        });
        assert_eq!(parent_key(&delete), parent_key(&create_rule("listener-a", "x")));
        assert_ne!(parent_key(&register("tg-a", "10.0.0.1")), parent_key(&register("tg-b", "10.0.0.1")));
    }
}
