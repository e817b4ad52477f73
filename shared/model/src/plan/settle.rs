//! Resources Lattice is still deleting (`DELETE_IN_PROGRESS`) are neither deleted again nor
//! re-created under the same name until they are gone: the plan leaves them to a later run.

use std::borrow::Cow;

use super::Refusal;
use crate::lattice::DesiredState;
use crate::observed::ObservedState;

const DELETING: &str = "DELETE_IN_PROGRESS";

/// The desired and observed states with resources that are still being deleted taken out, and a
/// refusal for every desired resource that has to wait for such a deletion.
pub(super) fn in_progress<'a>(
    desired: &'a DesiredState,
    observed: &'a ObservedState,
) -> (Cow<'a, DesiredState>, Cow<'a, ObservedState>, Vec<Refusal>) {
    if !observed.services.iter().any(|s| s.status == DELETING)
        && !observed.target_groups.iter().any(|t| t.status == DELETING)
    {
        return (Cow::Borrowed(desired), Cow::Borrowed(observed), Vec::new());
    }
    let mut desired = desired.clone();
    let mut observed = observed.clone();
    let mut waiting = Vec::new();
    let deleting_services: Vec<String> =
        observed.services.iter().filter(|s| s.status == DELETING).map(|s| s.name.clone()).collect();
    let deleting_groups: Vec<String> =
        observed.target_groups.iter().filter(|t| t.status == DELETING).map(|t| t.name.clone()).collect();
    observed.services.retain(|s| s.status != DELETING);
    observed.target_groups.retain(|t| t.status != DELETING);
    for s in desired.services.iter().filter(|s| deleting_services.contains(&s.name)) {
        waiting.push(Refusal {
            resource: format!("service/{}", s.name),
            reason: "a service of this name is still being deleted; it is created again on a later run".into(),
        });
    }
    desired.services.retain(|s| !deleting_services.contains(&s.name));
    for t in desired.target_groups.iter().filter(|t| deleting_groups.contains(&t.name)) {
        waiting.push(Refusal {
            resource: format!("targetgroup/{}", t.name),
            reason: "a target group of this name is still being deleted; it is created again on a later run".into(),
        });
    }
    desired.target_groups.retain(|t| !deleting_groups.contains(&t.name));
    (Cow::Owned(desired), Cow::Owned(observed), waiting)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::test_support::*;

    #[test]
    fn deletions_in_progress_are_not_repeated_and_names_wait() {
        let d = desired(vec![mk_service("rates")], vec![mk_tg("tg-a", "rates")]);
        let (mut observed, _) = observe(&d);
        for s in &mut observed.services {
            s.status = DELETING.into();
        }
        let p = plan_all(&DesiredState::default(), &observed);
        assert!(!ops(&p).contains(&"DeleteService"), "a service being deleted is not deleted again: {:?}", ops(&p));
        let p = plan_all(&d, &observed);
        assert!(!ops(&p).contains(&"CreateService"), "its name waits: {:?}", ops(&p));
        assert!(p.refused.iter().any(|r| r.resource == "service/rates-default" || r.resource.starts_with("service/")));
    }
}
