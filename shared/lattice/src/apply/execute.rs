//! One Lattice call per resolved action, with the answer the inventory needs.

use aws_sdk_vpclattice::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_vpclattice::types as sdk;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use model::lattice::TargetGroupType;
use model::plan::Action;

use super::request;
use super::token::{Run, client_token};
use super::update::{Answer, target_key};
use crate::client::Lattice;
use crate::observe::convert;

#[path = "execute_networks.rs"]
mod networks;

/// A call that did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct CallError {
    /// The AWS error code and message, or what else went wrong.
    pub(super) message: String,
    /// Whether trying again later may succeed.
    pub(super) retryable: bool,
    /// Whether Lattice answered `ConflictException`.
    pub(super) conflict: bool,
}

impl CallError {
    pub(super) fn local(message: impl Into<String>) -> Self {
        Self { message: message.into(), retryable: false, conflict: false }
    }

    /// Whether the message says a resource is still in a `*_IN_PROGRESS` state.
    pub(super) fn says_in_progress(&self) -> bool {
        self.message.contains("_IN_PROGRESS")
    }
}

/// Error codes worth another try later.
const RETRYABLE_CODES: [&str; 6] = [
    "ThrottlingException",
    "InternalServerException",
    "ConflictException",
    "ServiceUnavailableException",
    "RequestTimeout",
    "RequestTimeoutException",
];

/// Classifies an SDK error after the SDK's own retries gave up.
pub(super) fn call_error<E>(error: SdkError<E, HttpResponse>) -> CallError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = error.code().map(str::to_owned);
    let status = error.raw_response().map(|r| r.status().as_u16());
    let message = match (&code, error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.clone(),
        _ => DisplayErrorContext(&error).to_string(),
    };
    let retryable = match &error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => true,
        SdkError::ServiceError(_) => {
            code.as_deref().is_some_and(|c| RETRYABLE_CODES.contains(&c))
                || status.is_some_and(|s| s == 429 || s >= 500)
        }
        _ => false,
    };
    CallError { conflict: code.as_deref() == Some("ConflictException"), message, retryable }
}

pub(super) fn created(id: Option<&str>, arn: Option<&str>) -> Result<Answer, CallError> {
    match (id, arn) {
        (Some(id), Some(arn)) => Ok(Answer { id: id.to_owned(), arn: arn.to_owned(), ..Answer::default() }),
        _ => Err(CallError::local("the response lacks the id or ARN of the created resource")),
    }
}

fn built<T>(value: Result<T, request::BuildProblem>) -> Result<T, CallError> {
    value.map_err(CallError::local)
}

fn target_group_type(kind: TargetGroupType) -> sdk::TargetGroupType {
    match kind {
        TargetGroupType::Ip => sdk::TargetGroupType::Ip,
        TargetGroupType::Lambda => sdk::TargetGroupType::Lambda,
        TargetGroupType::Instance => sdk::TargetGroupType::Instance,
        TargetGroupType::Alb => sdk::TargetGroupType::Alb,
    }
}

fn target_failures(failures: &[sdk::TargetFailure]) -> Vec<String> {
    failures
        .iter()
        .map(|f| {
            let (id, port) = (f.id().unwrap_or("?"), f.port().unwrap_or_default());
            let (code, message) = (f.failure_code().unwrap_or("?"), f.failure_message().unwrap_or(""));
            format!("target {id}:{port}: {code}: {message}")
        })
        .collect()
}

impl Lattice {
    /// Sends the request of one resolved action.
    pub(super) async fn call(&self, action: &Action, run: Run) -> Result<Answer, CallError> {
        let c = &self.inner.lattice;
        let token = || client_token(run, action);
        match action {
            Action::CreateServiceNetwork(req) => {
                let call = c.create_service_network().name(&req.name).set_tags(request::tags(&req.tags));
                let out = call.client_token(token()).send().await.map_err(call_error)?;
                created(out.id(), out.arn())
            }
            Action::CreateService(req) => {
                let call = c
                    .create_service()
                    .name(&req.name)
                    .set_custom_domain_name(req.custom_domain_name.clone())
                    .set_certificate_arn(req.certificate_arn.clone())
                    .set_tags(request::tags(&req.tags));
                let out = call.client_token(token()).send().await.map_err(call_error)?;
                let mut answer = created(out.id(), out.arn())?;
                answer.status = out.status().map(|s| s.as_str().to_owned());
                answer.dns_name = out.dns_entry().and_then(|d| d.domain_name()).map(str::to_owned);
                Ok(answer)
            }
            Action::UpdateService(req) => {
                let call = c.update_service().service_identifier(&req.service_identifier);
                let call = call.set_auth_type(req.auth_type.as_deref().map(sdk::AuthType::from));
                call.set_certificate_arn(req.certificate_arn.clone()).send().await.map_err(call_error)?;
                Ok(Answer::default())
            }
            Action::DeleteService(req) => {
                c.delete_service().service_identifier(&req.service_identifier).send().await.map_err(call_error)?;
                Ok(Answer::default())
            }
            Action::CreateServiceNetworkServiceAssociation(req) => {
                let call = c
                    .create_service_network_service_association()
                    .service_identifier(&req.service_identifier)
                    .service_network_identifier(&req.service_network_identifier)
                    .set_tags(request::tags(&req.tags));
                let out = call.client_token(token()).send().await.map_err(call_error)?;
                let mut answer = created(out.id(), out.arn())?;
                answer.status = out.status().map(|s| s.as_str().to_owned());
                Ok(answer)
            }
            Action::DeleteServiceNetworkServiceAssociation(req) => {
                let id = &req.service_network_service_association_identifier;
                let call = c.delete_service_network_service_association();
                call.service_network_service_association_identifier(id).send().await.map_err(call_error)?;
                Ok(Answer::default())
            }
            Action::CreateListener(req) => {
                let call = c
                    .create_listener()
                    .service_identifier(&req.service_identifier)
                    .name(&req.name)
                    .protocol(sdk::ListenerProtocol::from(req.protocol.as_str()))
                    .port(req.port)
                    .default_action(built(request::rule_action(&req.default_action))?)
                    .set_tags(request::tags(&req.tags));
                let out = call.client_token(token()).send().await.map_err(call_error)?;
                created(out.id(), out.arn())
            }
            Action::UpdateListener(req) => {
                let call = c
                    .update_listener()
                    .service_identifier(&req.service_identifier)
                    .listener_identifier(&req.listener_identifier)
                    .default_action(built(request::rule_action(&req.default_action))?);
                call.send().await.map_err(call_error)?;
                Ok(Answer::default())
            }
            Action::DeleteListener(req) => {
                let call = c.delete_listener().service_identifier(&req.service_identifier);
                call.listener_identifier(&req.listener_identifier).send().await.map_err(call_error)?;
                Ok(Answer::default())
            }
            Action::CreateRule(req) => {
                let call = c
                    .create_rule()
                    .service_identifier(&req.service_identifier)
                    .listener_identifier(&req.listener_identifier)
                    .name(&req.name)
                    .r#match(built(request::rule_match(&req.matcher))?)
                    .priority(req.priority)
                    .action(built(request::rule_action(&req.action))?)
                    .set_tags(request::tags(&req.tags));
                let out = call.client_token(token()).send().await.map_err(call_error)?;
                created(out.id(), out.arn())
            }
            Action::BatchUpdateRule(req) => {
                let mut call = c
                    .batch_update_rule()
                    .service_identifier(&req.service_identifier)
                    .listener_identifier(&req.listener_identifier);
                for update in &req.rules {
                    let rule = sdk::RuleUpdate::builder()
                        .rule_identifier(&update.rule_identifier)
                        .set_match(
                            update.matcher.as_ref().map(request::rule_match).transpose().map_err(CallError::local)?,
                        )
                        .set_priority(update.priority)
                        .set_action(
                            update.action.as_ref().map(request::rule_action).transpose().map_err(CallError::local)?,
                        )
                        .build()
                        .map_err(|e| CallError::local(format!("cannot build the request: {e}")))?;
                    call = call.rules(rule);
                }
                let out = call.send().await.map_err(call_error)?;
                let done = out.successful().iter().filter_map(|r| r.id().map(str::to_owned)).collect();
                let failures = out
                    .unsuccessful()
                    .iter()
                    .map(|f| {
                        let rule = f.rule_identifier().unwrap_or("?");
                        let code = f.failure_code().unwrap_or("?");
                        format!("rule {rule}: {code}: {}", f.failure_message().unwrap_or(""))
                    })
                    .collect();
                Ok(Answer { done, failures, ..Answer::default() })
            }
            Action::DeleteRule(req) => {
                let call = c
                    .delete_rule()
                    .service_identifier(&req.service_identifier)
                    .listener_identifier(&req.listener_identifier)
                    .rule_identifier(&req.rule_identifier);
                call.send().await.map_err(call_error)?;
                Ok(Answer::default())
            }
            Action::CreateTargetGroup(req) => {
                let call = c
                    .create_target_group()
                    .name(&req.name)
                    .r#type(target_group_type(req.kind))
                    .config(built(request::target_group_config(&req.config))?)
                    .set_tags(request::tags(&req.tags));
                let out = call.client_token(token()).send().await.map_err(call_error)?;
                let mut answer = created(out.id(), out.arn())?;
                answer.status = out.status().map(|s| s.as_str().to_owned());
                answer.config = out.config().and_then(|c| convert::target_group_config(Some(c)).ok());
                Ok(answer)
            }
            Action::UpdateTargetGroup(req) => {
                let call = c
                    .update_target_group()
                    .target_group_identifier(&req.target_group_identifier)
                    .health_check(built(request::health_check(&req.health_check))?);
                let out = call.send().await.map_err(call_error)?;
                let config = out.config().and_then(|c| convert::target_group_config(Some(c)).ok());
                Ok(Answer { config, ..Answer::default() })
            }
            Action::DeleteTargetGroup(req) => {
                let call = c.delete_target_group().target_group_identifier(&req.target_group_identifier);
                call.send().await.map_err(call_error)?;
                Ok(Answer::default())
            }
            Action::RegisterTargets(req) => {
                let call = c
                    .register_targets()
                    .target_group_identifier(&req.target_group_identifier)
                    .set_targets(Some(built(request::targets(&req.targets))?));
                let out = call.send().await.map_err(call_error)?;
                Ok(targets_answer(out.successful(), out.unsuccessful(), &req.targets))
            }
            Action::DeregisterTargets(req) => {
                let call = c
                    .deregister_targets()
                    .target_group_identifier(&req.target_group_identifier)
                    .set_targets(Some(built(request::targets(&req.targets))?));
                let out = call.send().await.map_err(call_error)?;
                Ok(targets_answer(out.successful(), out.unsuccessful(), &req.targets))
            }
            Action::TagResource(req) => {
                let call = c.tag_resource().resource_arn(&req.resource_arn).set_tags(request::tags(&req.tags));
                call.send().await.map_err(call_error)?;
                Ok(Answer::default())
            }
            Action::UntagResource(req) => {
                let call = c.untag_resource().resource_arn(&req.resource_arn);
                call.set_tag_keys(Some(req.tag_keys.clone())).send().await.map_err(call_error)?;
                Ok(Answer::default())
            }
            Action::UpdateServiceNetwork(_)
            | Action::PutAuthPolicy(_)
            | Action::DeleteAuthPolicy(_)
            | Action::CreateAccessLogSubscription(_)
            | Action::UpdateAccessLogSubscription(_)
            | Action::DeleteAccessLogSubscription(_) => self.call_policy(action, run).await,
            Action::DeleteServiceNetwork(_)
            | Action::CreateServiceNetworkVpcAssociation(_)
            | Action::UpdateServiceNetworkVpcAssociation(_)
            | Action::DeleteServiceNetworkVpcAssociation(_) => self.call_network(action, run).await,
        }
    }
}

/// The targets a (de)registration handled, and the ones it reported as failed. A target
/// answered without a port is the requested target of that id.
fn targets_answer(
    successful: &[sdk::Target],
    failed: &[sdk::TargetFailure],
    asked: &[model::lattice::Target],
) -> Answer {
    let done = successful
        .iter()
        .flat_map(|t| {
            asked.iter().filter(move |a| a.id == t.id() && t.port().is_none_or(|p| p == a.port)).map(target_key)
        })
        .collect();
    Answer { done, failures: target_failures(failed), ..Answer::default() }
}
