//! Which VPC Lattice service network a Gateway's name (or id) means.
//!
//! A name is looked up among the service networks of the account first; only when the account
//! has none of that name do service networks shared with it through AWS RAM count (those listed,
//! and those found through an association of the cluster's VPC). An id names exactly one. The
//! translation (Gateway status) and the plan (associations) both resolve through here.

use crate::names::{arn_account, is_service_network_id};
use crate::observed::{ObservedServiceNetwork, ObservedState, ObservedVpcAssociation};

/// What a service network name or id resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetworkMatch<'a> {
    /// Exactly one service network.
    One(&'a ObservedServiceNetwork),
    /// None.
    Missing,
    /// Several service networks carry the name.
    Ambiguous(Vec<&'a ObservedServiceNetwork>),
}

impl<'a> NetworkMatch<'a> {
    /// The service network when exactly one matched.
    pub fn one(&self) -> Option<&'a ObservedServiceNetwork> {
        match self {
            Self::One(sn) => Some(sn),
            _ => None,
        }
    }
}

/// Whether a service network belongs to another account than `account` (shared through RAM).
pub fn is_shared(sn: &ObservedServiceNetwork, account: &str) -> bool {
    let owner = arn_account(&sn.arn);
    !owner.is_empty() && owner != account
}

/// Resolves `name_or_id` against the observed service networks, for the account `account`.
pub fn find<'a>(observed: &'a ObservedState, name_or_id: &str, account: &str) -> NetworkMatch<'a> {
    if is_service_network_id(name_or_id) {
        return match observed.service_networks.iter().find(|sn| sn.id == name_or_id) {
            Some(sn) => NetworkMatch::One(sn),
            None => NetworkMatch::Missing,
        };
    }
    let named: Vec<&ObservedServiceNetwork> =
        observed.service_networks.iter().filter(|sn| sn.name == name_or_id).collect();
    let local: Vec<&ObservedServiceNetwork> = named.iter().copied().filter(|sn| !is_shared(sn, account)).collect();
    let candidates = if local.is_empty() { named } else { local };
    match candidates.as_slice() {
        [] => NetworkMatch::Missing,
        [one] => NetworkMatch::One(one),
        _ => NetworkMatch::Ambiguous(candidates),
    }
}

/// The associations of `vpc` with `sn`.
pub fn vpc_associations<'a>(
    sn: &'a ObservedServiceNetwork,
    vpc: &'a str,
) -> impl Iterator<Item = &'a ObservedVpcAssociation> {
    sn.vpc_associations.iter().filter(move |a| a.vpc_id == vpc)
}

/// Every association of `vpc`, with its service network.
pub fn associations_of_vpc<'a>(
    observed: &'a ObservedState,
    vpc: &'a str,
) -> impl Iterator<Item = (&'a ObservedServiceNetwork, &'a ObservedVpcAssociation)> {
    observed.service_networks.iter().flat_map(move |sn| vpc_associations(sn, vpc).map(move |a| (sn, a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "111122223333";

    fn sn(id: &str, name: &str, account: &str) -> ObservedServiceNetwork {
        ObservedServiceNetwork {
            id: id.into(),
            arn: format!("arn:aws:vpc-lattice:us-west-2:{account}:servicenetwork/{id}"),
            name: name.into(),
            ..ObservedServiceNetwork::default()
        }
    }

    fn state(networks: Vec<ObservedServiceNetwork>) -> ObservedState {
        ObservedState { service_networks: networks, ..ObservedState::default() }
    }

    #[test]
    fn the_accounts_own_network_wins_over_a_shared_one_of_the_same_name() {
        let observed = state(vec![
            sn("sn-0aaaaaaaaaaaaaaaa", "hotel", "444455556666"),
            sn("sn-0bbbbbbbbbbbbbbbb", "hotel", ACCOUNT),
        ]);
        assert_eq!(find(&observed, "hotel", ACCOUNT).one().map(|n| n.id.as_str()), Some("sn-0bbbbbbbbbbbbbbbb"));
        assert!(is_shared(&observed.service_networks[0], ACCOUNT));
        assert!(!is_shared(&observed.service_networks[1], ACCOUNT));
    }

    #[test]
    fn a_shared_network_counts_when_the_account_has_none_of_the_name() {
        let observed = state(vec![sn("sn-0aaaaaaaaaaaaaaaa", "hotel", "444455556666")]);
        assert_eq!(find(&observed, "hotel", ACCOUNT).one().map(|n| n.id.as_str()), Some("sn-0aaaaaaaaaaaaaaaa"));
        assert_eq!(find(&observed, "motel", ACCOUNT), NetworkMatch::Missing);
    }

    #[test]
    fn two_of_a_name_are_ambiguous_and_an_id_is_exact() {
        let observed = state(vec![
            sn("sn-0aaaaaaaaaaaaaaaa", "hotel", "444455556666"),
            sn("sn-0bbbbbbbbbbbbbbbb", "hotel", "777788889999"),
        ]);
        assert!(matches!(find(&observed, "hotel", ACCOUNT), NetworkMatch::Ambiguous(v) if v.len() == 2));
        assert_eq!(find(&observed, "sn-0bbbbbbbbbbbbbbbb", ACCOUNT).one().map(|n| n.name.as_str()), Some("hotel"));
        assert_eq!(find(&observed, "sn-0cccccccccccccccc", ACCOUNT), NetworkMatch::Missing);
    }

    #[test]
    fn associations_are_those_of_the_vpc() {
        let mut network = sn("sn-0aaaaaaaaaaaaaaaa", "hotel", ACCOUNT);
        for (id, vpc) in [("snva-0aaaaaaaaaaaaaaaa", "vpc-1"), ("snva-0bbbbbbbbbbbbbbbb", "vpc-2")] {
            network.vpc_associations.push(ObservedVpcAssociation {
                id: id.into(),
                vpc_id: vpc.into(),
                ..ObservedVpcAssociation::default()
            });
        }
        let observed = state(vec![network]);
        let ids: Vec<&str> = associations_of_vpc(&observed, "vpc-2").map(|(_, a)| a.id.as_str()).collect();
        assert_eq!(ids, ["snva-0bbbbbbbbbbbbbbbb"]);
    }
}
