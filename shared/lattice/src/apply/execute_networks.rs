//! The service network and VPC association calls.

use model::plan::Action;

use super::super::token::{Run, client_token};
use super::super::update::Answer;
use super::{CallError, call_error, created};
use crate::client::Lattice;

impl Lattice {
    /// Sends `DeleteServiceNetwork` or one of the `*ServiceNetworkVpcAssociation` calls.
    pub(super) async fn call_network(&self, action: &Action, run: Run) -> Result<Answer, CallError> {
        let c = &self.inner.lattice;
        match action {
            Action::DeleteServiceNetwork(req) => {
                let call = c.delete_service_network().service_network_identifier(&req.service_network_identifier);
                call.send().await.map_err(call_error)?;
                Ok(Answer::default())
            }
            Action::CreateServiceNetworkVpcAssociation(req) => {
                let call = c
                    .create_service_network_vpc_association()
                    .service_network_identifier(&req.service_network_identifier)
                    .vpc_identifier(&req.vpc_identifier)
                    .set_security_group_ids(
                        (!req.security_group_ids.is_empty()).then(|| req.security_group_ids.clone()),
                    )
                    .set_tags(super::super::request::tags(&req.tags));
                let out = call.client_token(client_token(run, action)).send().await.map_err(call_error)?;
                let mut answer = created(out.id(), out.arn())?;
                answer.status = out.status().map(|s| s.as_str().to_owned());
                Ok(answer)
            }
            Action::UpdateServiceNetworkVpcAssociation(req) => {
                let call = c
                    .update_service_network_vpc_association()
                    .service_network_vpc_association_identifier(&req.service_network_vpc_association_identifier)
                    .set_security_group_ids(Some(req.security_group_ids.clone()));
                let out = call.send().await.map_err(call_error)?;
                Ok(Answer { status: out.status().map(|s| s.as_str().to_owned()), ..Answer::default() })
            }
            Action::DeleteServiceNetworkVpcAssociation(req) => {
                let call = c
                    .delete_service_network_vpc_association()
                    .service_network_vpc_association_identifier(&req.service_network_vpc_association_identifier);
                call.send().await.map_err(call_error)?;
                Ok(Answer::default())
            }
            other => Err(CallError {
                message: format!("{} is not a service network call", other.op()),
                retryable: false,
                conflict: false,
            }),
        }
    }
}
