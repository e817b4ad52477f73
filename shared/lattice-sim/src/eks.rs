//! EKS `DescribeCluster` and `ListClusters` (restJson1) for the clusters given in the configuration.

use serde_json::json;

use crate::ctx::Ctx;
use crate::errors::ApiError;
use crate::wire::{Reply, Request};

pub(crate) fn describe_cluster(ctx: &mut Ctx<'_>, req: &Request) -> Result<Reply, ApiError> {
    let name = req.label(0);
    let Some(cluster) = ctx.env.clusters.iter().find(|c| c.name == name) else {
        return Err(ApiError::NotFound {
            message: format!("No cluster found for name: {name}."),
            resource_id: name.to_owned(),
            resource_type: "CLUSTER",
        });
    };
    let arn = format!("arn:aws:eks:{}:{}:cluster/{}", ctx.env.region, ctx.env.account, cluster.name);
    Ok(Reply::ok(json!({
        "cluster": {
            "name": cluster.name,
            "arn": arn,
            "createdAt": 1_700_000_000,
            "version": cluster.version,
            "endpoint": cluster.endpoint,
            "roleArn": format!("arn:aws:iam::{}:role/eks-cluster-role", ctx.env.account),
            "resourcesVpcConfig": {
                "vpcId": cluster.vpc_id,
                "subnetIds": [],
                "securityGroupIds": [],
                "endpointPublicAccess": true,
                "endpointPrivateAccess": true,
                "publicAccessCidrs": ["0.0.0.0/0"],
            },
            "status": "ACTIVE",
            "certificateAuthority": { "data": cluster.ca_data },
            "platformVersion": "eks.1",
            "accessConfig": { "authenticationMode": "API_AND_CONFIG_MAP" },
            "tags": {},
        }
    })))
}

pub(crate) fn list_clusters(ctx: &mut Ctx<'_>, _req: &Request) -> Result<Reply, ApiError> {
    let names: Vec<&str> = ctx.env.clusters.iter().map(|c| c.name.as_str()).collect();
    Ok(Reply::ok(json!({ "clusters": names })))
}
