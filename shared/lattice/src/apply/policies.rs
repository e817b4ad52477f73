//! Auth policy and access log subscription calls, and what their answers change in the
//! inventory.

use aws_sdk_vpclattice::types as sdk;
use model::lattice::PolicyResourceType;
use model::observed::{ObservedAccessLogSubscription, ObservedAuth, ObservedState};
use model::plan::Action;

use super::execute::{CallError, call_error, created};
use super::request;
use super::token::{Run, client_token};
use super::update::Answer;
use crate::client::Lattice;

/// Whether a resolved resource identifier names a service network (else a service).
pub(super) fn is_network(identifier: &str) -> bool {
    identifier.starts_with("sn-") || identifier.contains(":servicenetwork/")
}

impl Lattice {
    /// Sends an auth policy or access log subscription action.
    pub(super) async fn call_policy(&self, action: &Action, run: Run) -> Result<Answer, CallError> {
        let c = &self.inner.lattice;
        let done = |result: Result<(), CallError>| result.map(|()| Answer::default());
        match action {
            Action::UpdateServiceNetwork(req) => done(
                c.update_service_network()
                    .service_network_identifier(&req.service_network_identifier)
                    .auth_type(sdk::AuthType::from(req.auth_type.as_str()))
                    .send()
                    .await
                    .map(drop)
                    .map_err(call_error),
            ),
            Action::PutAuthPolicy(req) => done(
                c.put_auth_policy()
                    .resource_identifier(&req.resource_identifier)
                    .policy(&req.policy)
                    .send()
                    .await
                    .map(drop)
                    .map_err(call_error),
            ),
            Action::DeleteAuthPolicy(req) => done(
                c.delete_auth_policy()
                    .resource_identifier(&req.resource_identifier)
                    .send()
                    .await
                    .map(drop)
                    .map_err(call_error),
            ),
            Action::CreateAccessLogSubscription(req) => {
                let call = c
                    .create_access_log_subscription()
                    .resource_identifier(&req.resource_identifier)
                    .destination_arn(&req.destination_arn)
                    .set_tags(request::tags(&req.tags))
                    .client_token(client_token(run, action));
                match call.send().await {
                    Ok(out) => created(Some(out.id()), Some(out.arn())),
                    Err(e) => Err(call_error(e)),
                }
            }
            Action::UpdateAccessLogSubscription(req) => done(
                c.update_access_log_subscription()
                    .access_log_subscription_identifier(&req.access_log_subscription_identifier)
                    .destination_arn(&req.destination_arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(call_error),
            ),
            Action::DeleteAccessLogSubscription(req) => done(
                c.delete_access_log_subscription()
                    .access_log_subscription_identifier(&req.access_log_subscription_identifier)
                    .send()
                    .await
                    .map(drop)
                    .map_err(call_error),
            ),
            other => Err(CallError::local(format!("{} is not an auth or access log call", other.op()))),
        }
    }
}

/// Applies a successful auth or access log action (resolved) to `observed`; `false` for any
/// other action. Also drops what Lattice deletes with a service.
pub(super) fn record_policy(action: &Action, answer: &Answer, observed: &mut ObservedState) -> bool {
    match action {
        Action::UpdateService(req) => {
            if let Some(auth_type) = &req.auth_type {
                auth_mut(observed, &req.service_identifier).auth_type.clone_from(auth_type);
            }
            false
        }
        Action::DeleteService(req) => {
            observed.auth.retain(|a| a.resource_id != req.service_identifier);
            observed.access_log_subscriptions.retain(|a| a.resource_id != req.service_identifier);
            false
        }
        Action::UpdateServiceNetwork(req) => {
            auth_mut(observed, &req.service_network_identifier).auth_type.clone_from(&req.auth_type);
            true
        }
        Action::PutAuthPolicy(req) => {
            auth_mut(observed, &req.resource_identifier).policy = Some(req.policy.clone());
            true
        }
        Action::DeleteAuthPolicy(req) => {
            auth_mut(observed, &req.resource_identifier).policy = None;
            true
        }
        Action::CreateAccessLogSubscription(req) => {
            observed.access_log_subscriptions.push(ObservedAccessLogSubscription {
                id: answer.id.clone(),
                arn: answer.arn.clone(),
                resource_id: req.resource_identifier.clone(),
                destination_arn: req.destination_arn.clone(),
                tags: req.tags.clone(),
            });
            true
        }
        Action::UpdateAccessLogSubscription(req) => {
            let id = &req.access_log_subscription_identifier;
            if let Some(seen) = observed.access_log_subscriptions.iter_mut().find(|a| a.id == *id) {
                seen.destination_arn.clone_from(&req.destination_arn);
            }
            true
        }
        Action::DeleteAccessLogSubscription(req) => {
            observed.access_log_subscriptions.retain(|a| a.id != req.access_log_subscription_identifier);
            true
        }
        _ => false,
    }
}

/// The auth settings of the resource with this id, added when unknown.
fn auth_mut<'a>(observed: &'a mut ObservedState, id: &str) -> &'a mut ObservedAuth {
    let kind = if is_network(id) { PolicyResourceType::ServiceNetwork } else { PolicyResourceType::Service };
    observed.auth_mut(kind, id)
}
