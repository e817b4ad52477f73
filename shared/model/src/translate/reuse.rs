//! Reusing the routes of an earlier translation of the same snapshot.
//!
//! A run translates its snapshot before it reads the Lattice inventory (to know what to read and
//! which fingerprints to expect) and again after it (and once more after applying). Building a
//! route's service, listeners, rules and target groups depends on the observed state only
//! through the [`Question`]s its resolver asks: an ACM certificate, the target groups a
//! ServiceImport names, whether an observed target group carries a TargetGroupPolicy tag. A
//! later translation takes a route's outcome from the earlier one when every question the route
//! asked has the same answer in the new observed state, and builds it again otherwise.
//!
//! What happens to the outcomes after they are built (name conflicts between routes and with
//! services in Lattice, target groups two routes ask for) depends on all of them and on the
//! observed services, and is done again on every translation. An outcome that step changed is
//! built again next time rather than reused.

use super::service::RouteOutcome;
use crate::backends::{Question, Resolver};
use crate::lattice::{ServiceSpec, TargetGroupSpec};
use crate::route::Route;
use crate::snapshot::ClusterSnapshot;
use crate::{imports, route};

use super::{certificates, target_group_policy};

/// What a translation keeps of its routes for a later translation of the same snapshot.
#[derive(Clone, Debug)]
pub(super) struct Routes {
    /// The routes' outcomes in translation order, without their service and target groups
    /// (those are in the desired state, in the same order).
    pub outcomes: Vec<RouteOutcome>,
    /// For each outcome: how much of the desired state it contributed, and what it asked.
    pub entries: Vec<Entry>,
    /// How many of the desired target groups came from routes (the exports' follow).
    pub route_groups: usize,
    /// Route objects in the snapshot translated (a sanity check that a later translation is of
    /// the same snapshot).
    pub route_objects: usize,
    /// How many of the outcomes this translation built rather than reused.
    pub rebuilt: usize,
}

/// One outcome of [`Routes`].
#[derive(Clone, Debug)]
pub(super) struct Entry {
    /// Whether it contributed a desired service.
    pub service: bool,
    /// How many desired target groups it contributed.
    pub groups: usize,
    /// Whether the steps after building it changed it (a conflict, a warning, a target group
    /// another route had asked for): it is built again rather than reused.
    pub changed: bool,
    /// What building it asked of the observed state.
    pub asked: Vec<Question>,
}

/// Route objects in `snapshot`.
pub(super) fn route_objects(snapshot: &ClusterSnapshot) -> usize {
    snapshot.http_routes.len() + snapshot.grpc_routes.len() + snapshot.tls_routes.len()
}

/// Whether `question`, asked while building `route`, has the same answer from `resolver`.
fn same_answer(question: &Question, route: &Route, resolver: &Resolver<'_>) -> bool {
    match question {
        Question::Certificate { domain, answer } => certificates::discover(resolver.observed, domain) == *answer,
        Question::Import { backend, field, answer } => {
            imports::resolve(route, backend, field, resolver.index, resolver.observed, resolver.config) == *answer
        }
        Question::PolicyTag { target_group, answer } => {
            target_group_policy::tagged(resolver.seen.target_group(target_group)) == *answer
        }
    }
}

/// Outcomes, what building each asked, and whether each was built rather than reused.
pub(super) type Built = (Vec<RouteOutcome>, Vec<Vec<Question>>, Vec<bool>);

/// The outcomes of `routes`, each with its service and target groups (taken from `services` and
/// `groups`, the desired state they went to), and what building each asked: reused where every
/// answer is the same for `resolver`, built by `build` where not. `None` when `routes` is not of
/// `snapshot`.
pub(super) fn restore(
    routes: Routes,
    services: Vec<ServiceSpec>,
    groups: Vec<TargetGroupSpec>,
    snapshot: &ClusterSnapshot,
    resolver: &Resolver<'_>,
    mut build: impl FnMut(Route) -> (RouteOutcome, Vec<Question>),
) -> Option<Built> {
    let Routes { outcomes, entries, route_groups, route_objects: objects, .. } = routes;
    let expected_services = entries.iter().filter(|e| e.service).count();
    let expected_groups: usize = entries.iter().map(|e| e.groups).sum();
    let consistent = objects == route_objects(snapshot)
        && entries.len() == outcomes.len()
        && services.len() == expected_services
        && groups.len() >= route_groups
        && route_groups == expected_groups;
    if !consistent {
        return None;
    }
    let mut services = services.into_iter();
    let mut groups = groups.into_iter();
    let mut out = Vec::with_capacity(outcomes.len());
    let mut asked = Vec::with_capacity(outcomes.len());
    let mut fresh = Vec::with_capacity(outcomes.len());
    for (mut outcome, entry) in outcomes.into_iter().zip(entries) {
        let service = if entry.service { services.next() } else { None };
        let target_groups: Vec<TargetGroupSpec> = groups.by_ref().take(entry.groups).collect();
        if entry.changed || !entry.asked.iter().all(|q| same_answer(q, &outcome.route, resolver)) {
            let (built, questions) = build(outcome.route);
            fresh.push(true);
            out.push(built);
            asked.push(questions);
        } else {
            outcome.service = service;
            outcome.target_groups = target_groups;
            fresh.push(false);
            out.push(outcome);
            asked.push(entry.asked);
        }
    }
    Some((out, asked, fresh))
}

/// Every route of `snapshot` in translation order (oldest first), built by `build`.
pub(super) fn build_all(
    snapshot: &ClusterSnapshot,
    mut build: impl FnMut(Route) -> (RouteOutcome, Vec<Question>),
) -> Built {
    let mut routes = route::routes(snapshot);
    routes.sort_by_key(route::Route::age_key);
    let (outcomes, asked): (Vec<RouteOutcome>, Vec<Vec<Question>>) = routes.into_iter().map(&mut build).unzip();
    let fresh = vec![true; outcomes.len()];
    (outcomes, asked, fresh)
}
