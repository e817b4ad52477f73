//! `latticectl reconcile`: a live cluster (EKS by name, or any cluster by kubeconfig) against VPC
//! Lattice, with status written back.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use aws_config::{BehaviorVersion, Region};
use k8s_openapi::jiff::Timestamp;
use model::config::Identity;
use reconciler::{Mode, ReadScope, WaitPolicy};

use crate::engine::{self, Target};
use crate::{Format, ReconcileArgs, offline_identity, output};

/// Runs `reconcile`; exit code 1 when Lattice calls or writes to the cluster (status, DNS records,
/// readiness gates) failed, or a mass deletion was refused.
pub async fn run(args: ReconcileArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let (cluster, description, defaults) = match (&args.cluster, &args.kubeconfig) {
        (Some(name), _) => eks(name, args.identity.region.as_deref()).await?,
        (None, Some(path)) => {
            let cluster = cluster::Cluster::from_kubeconfig(path, args.context.as_deref())
                .await
                .with_context(|| format!("loading kubeconfig {}", path.display()))?;
            (cluster, format!("cluster of kubeconfig {}", path.display()), offline_identity())
        }
        (None, None) => anyhow::bail!("pass --cluster NAME or --kubeconfig PATH"),
    };
    let mut config = args.networks.config(args.identity.identity(&defaults)?)?;
    config.gc = args.gc.limit();
    let target = match &args.endpoint {
        Some(url) => Target::Endpoint(url.clone()),
        None => Target::Aws,
    };
    let scope = match &args.route {
        Some(route) => ReadScope::Route(route.clone()),
        None => ReadScope::All,
    };
    let mode = if args.dry_run { Mode::Plan } else { Mode::Apply };
    let limits = args.limits.limits();
    let wait = (args.wait_ready > 0).then(|| {
        let budget = Duration::from_secs(args.wait_ready);
        WaitPolicy { budget, poll: budget.min(Duration::from_secs(5)) }
    });
    let now = Timestamp::now();
    let outcome = engine::run_cluster(&cluster, description, &scope, &config, &target, limits, mode, wait, now).await?;
    match args.output {
        Format::Json => output::json(&outcome, out)?,
        Format::Text => output::text(&outcome, out, output::use_colour())?,
    }
    let lattice_failed = outcome.report.apply.as_ref().is_some_and(|a| !a.is_success())
        || outcome.report.refused_mass_delete().is_some();
    let writes_failed = match &outcome.input {
        engine::Input::Cluster { write, dns, readiness, .. } => {
            write.as_ref().is_some_and(|w| !w.failed.is_empty()) || !dns.is_success() || !readiness.is_success()
        }
        engine::Input::Manifests(_) => false,
    };
    Ok(if lattice_failed || writes_failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// An EKS cluster found by name: its endpoint and CA from DescribeCluster, an EKS token from the
/// default credentials, and the identity defaults it implies (name, VPC, account, region).
async fn eks(name: &str, region: Option<&str>) -> anyhow::Result<(cluster::Cluster, String, Identity)> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_owned()));
    }
    let sdk = loader.load().await;
    let region = sdk.region().map(ToString::to_string).context("no AWS region: pass --region or set AWS_REGION")?;
    let legacy = std::env::var("AWS_STS_REGIONAL_ENDPOINTS").is_ok_and(|v| v == "legacy");
    let sts = cluster::StsEndpoint::for_region(&region, legacy);
    let (client, described) = cluster::Cluster::eks_discover(&sdk, name, Some(sts))
        .await
        .with_context(|| format!("connecting to EKS cluster {name}"))?;
    let offline = offline_identity();
    let defaults = Identity {
        account_id: described.account_id().map_or(offline.account_id, str::to_owned),
        cluster_name: name.to_owned(),
        vpc_id: described.vpc_id.clone().unwrap_or(offline.vpc_id),
        region,
    };
    Ok((client, format!("EKS cluster {name} at {}", described.endpoint), defaults))
}
