//! Operation table: (method, decoded path segments) → operation, and operation → handler, with the
//! `clientToken` idempotency shared by every create.

use hyper::Method;
use serde_json::{Value, json};

use crate::acm::{self, ACM_TARGET};
use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::state::Idempotent;
use crate::validate::{CLIENT_TOKEN, Checker};
use crate::wire::{Reply, Request};
use crate::{
    access_logs, associations, eks, listeners, policies, rules, service_networks, services, tagging_api, tags,
    target_groups, targets, vpc_associations,
};

macro_rules! ops {
    ($($name:ident),* $(,)?) => {
        /// Every emulated operation, named as in the API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Op { $($name),* }

        impl Op {
            /// The operation name (as counted by `/_sim/calls`).
            pub fn name(self) -> &'static str {
                match self { $(Op::$name => stringify!($name)),* }
            }
        }
    };
}

ops!(
    CreateServiceNetwork,
    ListServiceNetworks,
    GetServiceNetwork,
    UpdateServiceNetwork,
    DeleteServiceNetwork,
    CreateService,
    ListServices,
    GetService,
    UpdateService,
    DeleteService,
    CreateListener,
    ListListeners,
    GetListener,
    UpdateListener,
    DeleteListener,
    CreateRule,
    ListRules,
    BatchUpdateRule,
    GetRule,
    UpdateRule,
    DeleteRule,
    CreateTargetGroup,
    ListTargetGroups,
    GetTargetGroup,
    UpdateTargetGroup,
    DeleteTargetGroup,
    RegisterTargets,
    DeregisterTargets,
    ListTargets,
    CreateServiceNetworkServiceAssociation,
    ListServiceNetworkServiceAssociations,
    GetServiceNetworkServiceAssociation,
    DeleteServiceNetworkServiceAssociation,
    CreateServiceNetworkVpcAssociation,
    ListServiceNetworkVpcAssociations,
    GetServiceNetworkVpcAssociation,
    UpdateServiceNetworkVpcAssociation,
    DeleteServiceNetworkVpcAssociation,
    PutAuthPolicy,
    GetAuthPolicy,
    DeleteAuthPolicy,
    PutResourcePolicy,
    GetResourcePolicy,
    DeleteResourcePolicy,
    CreateAccessLogSubscription,
    ListAccessLogSubscriptions,
    GetAccessLogSubscription,
    UpdateAccessLogSubscription,
    DeleteAccessLogSubscription,
    TagResource,
    UntagResource,
    ListTagsForResource,
    GetResources,
    TagResources,
    UntagResources,
    DescribeCluster,
    ListClusters,
    ListCertificates,
);

/// The wire protocol an operation belongs to (it decides the error framing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    Lattice,
    Tagging,
    Eks,
    Acm,
}

/// The `X-Amz-Target` prefix of the Resource Groups Tagging API.
pub(crate) const TAGGING_TARGET: &str = "ResourceGroupsTaggingAPI_20170126.";

impl Op {
    pub fn protocol(self) -> Protocol {
        match self {
            Op::GetResources | Op::TagResources | Op::UntagResources => Protocol::Tagging,
            Op::DescribeCluster | Op::ListClusters => Protocol::Eks,
            Op::ListCertificates => Protocol::Acm,
            _ => Protocol::Lattice,
        }
    }

    /// Operations that change state (the state file is saved after them).
    pub fn mutating(self) -> bool {
        let name = self.name();
        !(name.starts_with("Get") || name.starts_with("List") || name.starts_with("Describe"))
    }

    /// Creations of asynchronous resources (they can end in CREATE_FAILED).
    pub fn creates_async(self) -> bool {
        matches!(
            self,
            Op::CreateService
                | Op::CreateTargetGroup
                | Op::CreateServiceNetworkServiceAssociation
                | Op::CreateServiceNetworkVpcAssociation
        )
    }

    /// The model has no ThrottlingException for these, so they are never throttled.
    pub fn never_throttled(self) -> bool {
        matches!(self, Op::ListTagsForResource | Op::UntagResource | Op::ListCertificates)
    }

    /// Creates carrying an idempotency `clientToken`, with the resource type named in a token conflict.
    fn token_kind(self) -> Option<&'static str> {
        Some(match self {
            Op::CreateServiceNetwork => "SERVICE_NETWORK",
            Op::CreateService => "SERVICE",
            Op::CreateListener => "LISTENER",
            Op::CreateRule => "RULE",
            Op::CreateTargetGroup => "TARGET_GROUP",
            Op::CreateServiceNetworkServiceAssociation => "SERVICE_NETWORK_SERVICE_ASSOCIATION",
            Op::CreateServiceNetworkVpcAssociation => "SERVICE_NETWORK_VPC_ASSOCIATION",
            Op::CreateAccessLogSubscription => "ACCESS_LOG_SUBSCRIPTION",
            _ => return None,
        })
    }
}

/// Finds the operation for a request; returns it with its path labels.
pub(crate) fn route(method: &Method, segs: &[String], target: Option<&str>) -> Option<(Op, Vec<String>)> {
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let m = method.as_str();
    let labels = |idx: &[usize]| idx.iter().map(|i| segs[*i].clone()).collect::<Vec<_>>();
    let op = match (m, s.as_slice()) {
        ("POST", []) if target.is_some_and(|t| t.starts_with(ACM_TARGET)) => {
            return match target?.strip_prefix(ACM_TARGET)? {
                "ListCertificates" => Some((Op::ListCertificates, Vec::new())),
                _ => None,
            };
        }
        ("POST", []) => {
            return match target?.strip_prefix(TAGGING_TARGET)? {
                "GetResources" => Some((Op::GetResources, Vec::new())),
                "TagResources" => Some((Op::TagResources, Vec::new())),
                "UntagResources" => Some((Op::UntagResources, Vec::new())),
                _ => None,
            };
        }
        ("POST", ["servicenetworks"]) => (Op::CreateServiceNetwork, labels(&[])),
        ("GET", ["servicenetworks"]) => (Op::ListServiceNetworks, labels(&[])),
        ("GET", ["servicenetworks", _]) => (Op::GetServiceNetwork, labels(&[1])),
        ("PATCH", ["servicenetworks", _]) => (Op::UpdateServiceNetwork, labels(&[1])),
        ("DELETE", ["servicenetworks", _]) => (Op::DeleteServiceNetwork, labels(&[1])),
        ("POST", ["services"]) => (Op::CreateService, labels(&[])),
        ("GET", ["services"]) => (Op::ListServices, labels(&[])),
        ("GET", ["services", _]) => (Op::GetService, labels(&[1])),
        ("PATCH", ["services", _]) => (Op::UpdateService, labels(&[1])),
        ("DELETE", ["services", _]) => (Op::DeleteService, labels(&[1])),
        ("POST", ["services", _, "listeners"]) => (Op::CreateListener, labels(&[1])),
        ("GET", ["services", _, "listeners"]) => (Op::ListListeners, labels(&[1])),
        ("GET", ["services", _, "listeners", _]) => (Op::GetListener, labels(&[1, 3])),
        ("PATCH", ["services", _, "listeners", _]) => (Op::UpdateListener, labels(&[1, 3])),
        ("DELETE", ["services", _, "listeners", _]) => (Op::DeleteListener, labels(&[1, 3])),
        ("POST", ["services", _, "listeners", _, "rules"]) => (Op::CreateRule, labels(&[1, 3])),
        ("GET", ["services", _, "listeners", _, "rules"]) => (Op::ListRules, labels(&[1, 3])),
        ("PATCH", ["services", _, "listeners", _, "rules"]) => (Op::BatchUpdateRule, labels(&[1, 3])),
        ("GET", ["services", _, "listeners", _, "rules", _]) => (Op::GetRule, labels(&[1, 3, 5])),
        ("PATCH", ["services", _, "listeners", _, "rules", _]) => (Op::UpdateRule, labels(&[1, 3, 5])),
        ("DELETE", ["services", _, "listeners", _, "rules", _]) => (Op::DeleteRule, labels(&[1, 3, 5])),
        ("POST", ["targetgroups"]) => (Op::CreateTargetGroup, labels(&[])),
        ("GET", ["targetgroups"]) => (Op::ListTargetGroups, labels(&[])),
        ("GET", ["targetgroups", _]) => (Op::GetTargetGroup, labels(&[1])),
        ("PATCH", ["targetgroups", _]) => (Op::UpdateTargetGroup, labels(&[1])),
        ("DELETE", ["targetgroups", _]) => (Op::DeleteTargetGroup, labels(&[1])),
        ("POST", ["targetgroups", _, "registertargets"]) => (Op::RegisterTargets, labels(&[1])),
        ("POST", ["targetgroups", _, "deregistertargets"]) => (Op::DeregisterTargets, labels(&[1])),
        ("POST", ["targetgroups", _, "listtargets"]) => (Op::ListTargets, labels(&[1])),
        ("POST", ["servicenetworkserviceassociations"]) => (Op::CreateServiceNetworkServiceAssociation, labels(&[])),
        ("GET", ["servicenetworkserviceassociations"]) => (Op::ListServiceNetworkServiceAssociations, labels(&[])),
        ("GET", ["servicenetworkserviceassociations", _]) => (Op::GetServiceNetworkServiceAssociation, labels(&[1])),
        ("DELETE", ["servicenetworkserviceassociations", _]) => {
            (Op::DeleteServiceNetworkServiceAssociation, labels(&[1]))
        }
        ("POST", ["servicenetworkvpcassociations"]) => (Op::CreateServiceNetworkVpcAssociation, labels(&[])),
        ("GET", ["servicenetworkvpcassociations"]) => (Op::ListServiceNetworkVpcAssociations, labels(&[])),
        ("GET", ["servicenetworkvpcassociations", _]) => (Op::GetServiceNetworkVpcAssociation, labels(&[1])),
        ("PATCH", ["servicenetworkvpcassociations", _]) => (Op::UpdateServiceNetworkVpcAssociation, labels(&[1])),
        ("DELETE", ["servicenetworkvpcassociations", _]) => (Op::DeleteServiceNetworkVpcAssociation, labels(&[1])),
        ("PUT", ["authpolicy", _]) => (Op::PutAuthPolicy, labels(&[1])),
        ("GET", ["authpolicy", _]) => (Op::GetAuthPolicy, labels(&[1])),
        ("DELETE", ["authpolicy", _]) => (Op::DeleteAuthPolicy, labels(&[1])),
        ("PUT", ["resourcepolicy", _]) => (Op::PutResourcePolicy, labels(&[1])),
        ("GET", ["resourcepolicy", _]) => (Op::GetResourcePolicy, labels(&[1])),
        ("DELETE", ["resourcepolicy", _]) => (Op::DeleteResourcePolicy, labels(&[1])),
        ("POST", ["accesslogsubscriptions"]) => (Op::CreateAccessLogSubscription, labels(&[])),
        ("GET", ["accesslogsubscriptions"]) => (Op::ListAccessLogSubscriptions, labels(&[])),
        ("GET", ["accesslogsubscriptions", _]) => (Op::GetAccessLogSubscription, labels(&[1])),
        ("PATCH", ["accesslogsubscriptions", _]) => (Op::UpdateAccessLogSubscription, labels(&[1])),
        ("DELETE", ["accesslogsubscriptions", _]) => (Op::DeleteAccessLogSubscription, labels(&[1])),
        ("POST", ["tags", _]) => (Op::TagResource, labels(&[1])),
        ("DELETE", ["tags", _]) => (Op::UntagResource, labels(&[1])),
        ("GET", ["tags", _]) => (Op::ListTagsForResource, labels(&[1])),
        ("GET", ["clusters"]) => (Op::ListClusters, labels(&[])),
        ("GET", ["clusters", _]) => (Op::DescribeCluster, labels(&[1])),
        _ => return None,
    };
    Some(op)
}

/// Runs an operation, answering repeated creates with the same `clientToken` from the cache.
pub(crate) fn dispatch(op: Op, ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let Some(kind) = op.token_kind() else { return handle(op, ctx, req) };
    let mut c = Checker::new();
    let token = c.string(&req.body, "", "clientToken", CLIENT_TOKEN, false);
    c.finish()?;
    let Some(token) = token else { return handle(op, ctx, req) };
    let key = format!("{}:{token}", op.name());
    let fingerprint = json!({"labels": req.labels, "body": Value::Object(req.body.clone())});
    if let Some(seen) = ctx.state.idempotency.get(&key) {
        if seen.request == fingerprint {
            return Ok(Reply { status: seen.status, body: seen.body.clone() });
        }
        let id = seen.body.as_ref().and_then(|b| b.get("id")).and_then(Value::as_str).unwrap_or(&token).to_owned();
        return Err(ApiError::conflict(
            kind,
            id,
            format!("The clientToken {token} was already used with different parameters"),
        ));
    }
    let reply = handle(op, ctx, req)?;
    let entry = Idempotent { request: fingerprint, status: reply.status, body: reply.body.clone() };
    ctx.state.idempotency.insert(key, entry);
    Ok(reply)
}

fn handle(op: Op, ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    match op {
        Op::CreateServiceNetwork => service_networks::create(ctx, req),
        Op::ListServiceNetworks => service_networks::list(ctx, req),
        Op::GetServiceNetwork => service_networks::get(ctx, req),
        Op::UpdateServiceNetwork => service_networks::update(ctx, req),
        Op::DeleteServiceNetwork => service_networks::delete(ctx, req),
        Op::CreateService => services::create(ctx, req),
        Op::ListServices => services::list(ctx, req),
        Op::GetService => services::get(ctx, req),
        Op::UpdateService => services::update(ctx, req),
        Op::DeleteService => services::delete(ctx, req),
        Op::CreateListener => listeners::create(ctx, req),
        Op::ListListeners => listeners::list(ctx, req),
        Op::GetListener => listeners::get(ctx, req),
        Op::UpdateListener => listeners::update(ctx, req),
        Op::DeleteListener => listeners::delete(ctx, req),
        Op::CreateRule => rules::create(ctx, req),
        Op::ListRules => rules::list(ctx, req),
        Op::BatchUpdateRule => rules::batch_update(ctx, req),
        Op::GetRule => rules::get(ctx, req),
        Op::UpdateRule => rules::update(ctx, req),
        Op::DeleteRule => rules::delete(ctx, req),
        Op::CreateTargetGroup => target_groups::create(ctx, req),
        Op::ListTargetGroups => target_groups::list(ctx, req),
        Op::GetTargetGroup => target_groups::get(ctx, req),
        Op::UpdateTargetGroup => target_groups::update(ctx, req),
        Op::DeleteTargetGroup => target_groups::delete(ctx, req),
        Op::RegisterTargets => targets::register(ctx, req),
        Op::DeregisterTargets => targets::deregister(ctx, req),
        Op::ListTargets => targets::list(ctx, req),
        Op::CreateServiceNetworkServiceAssociation => associations::create(ctx, req),
        Op::ListServiceNetworkServiceAssociations => associations::list(ctx, req),
        Op::GetServiceNetworkServiceAssociation => associations::get(ctx, req),
        Op::DeleteServiceNetworkServiceAssociation => associations::delete(ctx, req),
        Op::CreateServiceNetworkVpcAssociation => vpc_associations::create(ctx, req),
        Op::ListServiceNetworkVpcAssociations => vpc_associations::list(ctx, req),
        Op::GetServiceNetworkVpcAssociation => vpc_associations::get(ctx, req),
        Op::UpdateServiceNetworkVpcAssociation => vpc_associations::update(ctx, req),
        Op::DeleteServiceNetworkVpcAssociation => vpc_associations::delete(ctx, req),
        Op::PutAuthPolicy => policies::put_auth(ctx, req),
        Op::GetAuthPolicy => policies::get_auth(ctx, req),
        Op::DeleteAuthPolicy => policies::delete_auth(ctx, req),
        Op::PutResourcePolicy => policies::put_resource(ctx, req),
        Op::GetResourcePolicy => policies::get_resource(ctx, req),
        Op::DeleteResourcePolicy => policies::delete_resource(ctx, req),
        Op::CreateAccessLogSubscription => access_logs::create(ctx, req),
        Op::ListAccessLogSubscriptions => access_logs::list(ctx, req),
        Op::GetAccessLogSubscription => access_logs::get(ctx, req),
        Op::UpdateAccessLogSubscription => access_logs::update(ctx, req),
        Op::DeleteAccessLogSubscription => access_logs::delete(ctx, req),
        Op::TagResource => tags::tag(ctx, req),
        Op::UntagResource => tags::untag(ctx, req),
        Op::ListTagsForResource => tags::list(ctx, req),
        Op::GetResources => tagging_api::get_resources(ctx, req),
        Op::TagResources => tagging_api::tag_resources(ctx, req),
        Op::UntagResources => tagging_api::untag_resources(ctx, req),
        Op::DescribeCluster => eks::describe_cluster(ctx, req),
        Op::ListClusters => eks::list_clusters(ctx, req),
        Op::ListCertificates => acm::list_certificates(ctx, req),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(path: &str) -> Vec<String> {
        crate::wire::path_segments(path).expect("valid path")
    }

    #[test]
    fn routes_encoded_arns_as_one_label() {
        let (op, labels) = route(&Method::GET, &segs("/tags/arn%3Aaws%3Avpc-lattice%3Ax%2Fy"), None).expect("routed");
        assert_eq!(op, Op::ListTagsForResource);
        assert_eq!(labels, vec!["arn:aws:vpc-lattice:x/y"]);
    }

    #[test]
    fn rules_collection_methods() {
        let path = segs("/services/svc-1/listeners/listener-1/rules");
        assert_eq!(route(&Method::PATCH, &path, None).map(|r| r.0), Some(Op::BatchUpdateRule));
        assert_eq!(route(&Method::POST, &path, None).map(|r| r.0), Some(Op::CreateRule));
        assert_eq!(route(&Method::PUT, &path, None), None);
    }

    #[test]
    fn tagging_target() {
        let target = Some("ResourceGroupsTaggingAPI_20170126.GetResources");
        assert_eq!(route(&Method::POST, &[], target).map(|r| r.0), Some(Op::GetResources));
        assert_eq!(route(&Method::POST, &[], Some("Other.GetResources")), None);
        let acm = Some("CertificateManager.ListCertificates");
        assert_eq!(route(&Method::POST, &[], acm).map(|r| r.0), Some(Op::ListCertificates));
        assert_eq!(route(&Method::POST, &[], Some("CertificateManager.DeleteCertificate")), None);
        assert_eq!(Op::ListCertificates.protocol(), Protocol::Acm);
        assert!(Op::ListTagsForResource.never_throttled());
        assert!(!Op::GetService.mutating());
        assert!(Op::RegisterTargets.mutating());
    }
}
