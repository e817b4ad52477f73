//! `latticectl token`: an EKS bearer token as ExecCredential JSON.

use std::io::Write;
use std::time::SystemTime;

use anyhow::{Context, bail};
use aws_config::{BehaviorVersion, Region};
use cluster::{ExecCredential, StsEndpoint, eks_token};

use crate::TokenArgs;

/// Mints a token from the SDK's default credentials and prints the ExecCredential. Honours
/// `KUBERNETES_EXEC_INFO` (the API version kubectl asks for) and `AWS_STS_REGIONAL_ENDPOINTS`.
pub async fn run(args: &TokenArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = &args.region {
        loader = loader.region(Region::new(region.clone()));
    }
    let sdk = loader.load().await;
    let Some(region) = sdk.region().map(ToString::to_string) else {
        bail!("no AWS region: pass --region or set AWS_REGION");
    };
    let Some(provider) = sdk.credentials_provider() else {
        bail!("no AWS credentials provider is configured");
    };
    let credentials = aws_credential_types::provider::ProvideCredentials::provide_credentials(&provider)
        .await
        .context("loading AWS credentials")?;
    let legacy = std::env::var("AWS_STS_REGIONAL_ENDPOINTS").is_ok_and(|v| v == "legacy");
    let now = SystemTime::now();
    let token = eks_token(&credentials, StsEndpoint::for_region(&region, legacy), &args.cluster, now)
        .with_context(|| format!("minting a token for cluster {}", args.cluster))?;
    let exec_info = std::env::var("KUBERNETES_EXEC_INFO").ok();
    let credential = ExecCredential::new(token, now, exec_info.as_deref()).context("building the ExecCredential")?;
    serde_json::to_writer(&mut *out, &credential)?;
    writeln!(out)?;
    Ok(())
}
