//! What the existing controller makes for its policy kinds: an IAMAuthPolicy's auth policy and
//! `AWS_IAM` auth type, an AccessLogPolicy's subscription, a TargetGroupPolicy's health check and a
//! VpcAssociationPolicy's association of the cluster VPC.

use aws_sdk_vpclattice::types::{
    AuthType, HealthCheckConfig, HealthCheckProtocolVersion, Matcher, TargetGroupProtocol,
};

use crate::seed::{Anchor, Created, Error, call, field};

/// Tag the controller puts on an access log subscription: the policy's `<namespace>/<name>`.
const ACCESS_LOG_POLICY: &str = "application-networking.k8s.aws/AccessLogPolicy";

/// A TargetGroupPolicy's HTTP health check as the controller sends it.
#[derive(Clone, Debug)]
pub struct HealthCheckSeed {
    /// `path`.
    pub path: String,
    /// `intervalSeconds`.
    pub interval_seconds: i32,
    /// `timeoutSeconds`.
    pub timeout_seconds: i32,
    /// `healthyThresholdCount`.
    pub healthy_threshold: i32,
    /// `unhealthyThresholdCount`.
    pub unhealthy_threshold: i32,
    /// `statusMatch`.
    pub status_match: String,
}

impl Anchor {
    /// An IAMAuthPolicy on a service or service network: `PutAuthPolicy`, then the resource's
    /// auth type set to `AWS_IAM` (`UpdateService` for a service id, `UpdateServiceNetwork` otherwise).
    pub async fn auth_policy(&self, resource_id: &str, policy: &str) -> Result<(), Error> {
        self.client()
            .put_auth_policy()
            .resource_identifier(resource_id)
            .policy(policy)
            .send()
            .await
            .map_err(call("PutAuthPolicy", resource_id))?;
        if resource_id.starts_with("svc-") {
            let update = self.client().update_service().service_identifier(resource_id).auth_type(AuthType::AwsIam);
            update.send().await.map_err(call("UpdateService", resource_id))?;
        } else {
            let update = self
                .client()
                .update_service_network()
                .service_network_identifier(resource_id)
                .auth_type(AuthType::AwsIam);
            update.send().await.map_err(call("UpdateServiceNetwork", resource_id))?;
        }
        Ok(())
    }

    /// An AccessLogPolicy's subscription of a service or service network to `destination`, tagged
    /// `ManagedBy` and `AccessLogPolicy = <namespace>/<name>`.
    pub async fn access_log_subscription(
        &self,
        resource_id: &str,
        destination: &str,
        policy: (&str, &str),
    ) -> Result<Created, Error> {
        const OP: &str = "CreateAccessLogSubscription";
        let mut tags = self.managed();
        tags.insert(ACCESS_LOG_POLICY.to_owned(), format!("{}/{}", policy.0, policy.1));
        let out = self
            .client()
            .create_access_log_subscription()
            .resource_identifier(resource_id)
            .destination_arn(destination)
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(call(OP, resource_id))?;
        Ok(Created { id: out.id().to_owned(), arn: out.arn().to_owned(), name: resource_id.to_owned() })
    }

    /// A TargetGroupPolicy's health check put on an existing HTTP target group (`UpdateTargetGroup`).
    pub async fn health_check(&self, target_group_id: &str, check: &HealthCheckSeed) -> Result<(), Error> {
        let config = HealthCheckConfig::builder()
            .enabled(true)
            .protocol(TargetGroupProtocol::Http)
            .protocol_version(HealthCheckProtocolVersion::Http1)
            .path(&check.path)
            .matcher(Matcher::HttpCode(check.status_match.clone()))
            .health_check_interval_seconds(check.interval_seconds)
            .health_check_timeout_seconds(check.timeout_seconds)
            .healthy_threshold_count(check.healthy_threshold)
            .unhealthy_threshold_count(check.unhealthy_threshold)
            .build();
        self.client()
            .update_target_group()
            .target_group_identifier(target_group_id)
            .health_check(config)
            .send()
            .await
            .map_err(call("UpdateTargetGroup", target_group_id))?;
        Ok(())
    }

    /// A VpcAssociationPolicy's association of the cluster VPC with `network`, with security
    /// groups, tagged `ManagedBy` only.
    pub async fn vpc_association(&self, network: &str, security_groups: &[&str]) -> Result<Created, Error> {
        const OP: &str = "CreateServiceNetworkVpcAssociation";
        let groups = security_groups.iter().map(|g| (*g).to_owned()).collect();
        let out = self
            .client()
            .create_service_network_vpc_association()
            .service_network_identifier(network)
            .vpc_identifier(&self.identity().vpc_id)
            .set_security_group_ids(Some(groups))
            .set_tags(Some(self.managed()))
            .send()
            .await
            .map_err(call(OP, network))?;
        Ok(Created {
            id: field(out.id(), OP, network, "id")?.to_owned(),
            arn: field(out.arn(), OP, network, "arn")?.to_owned(),
            name: network.to_owned(),
        })
    }
}
