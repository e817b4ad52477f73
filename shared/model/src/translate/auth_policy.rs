//! IAMAuthPolicy → the IAM auth policy of a Gateway's service network or a route's service.

use crds::IamAuthPolicy;

use crate::lattice::AuthPolicySpec;
use crate::policy::{self, Verdict};
use crate::status::StatusEntry;

use super::policy_targets::{Context, GATEWAY_OR_ROUTE, Subject, decide};

/// The kind's name.
const KIND: &str = "IAMAuthPolicy";
/// Largest auth policy Lattice takes (the "Auth policy size" quota, not adjustable), in bytes.
pub const MAX_POLICY_BYTES: usize = 10 * 1024;

/// The policy document minified, or why it cannot be one.
fn document(text: &str) -> Result<String, Verdict> {
    let parsed: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Verdict::Invalid(format!("spec.policy: not a valid JSON document: {e}")))?;
    if !parsed.is_object() {
        return Err(Verdict::Invalid("spec.policy: an IAM policy document is a JSON object".to_owned()));
    }
    let minified = parsed.to_string();
    if minified.len() > MAX_POLICY_BYTES {
        return Err(Verdict::Invalid(format!(
            "spec.policy: {} bytes (minified) exceed VPC Lattice's auth policy size limit of {MAX_POLICY_BYTES} bytes",
            minified.len()
        )));
    }
    Ok(minified)
}

/// The desired auth policies, and the status of every IAMAuthPolicy.
pub(super) fn translate(cx: &Context<'_>) -> (Vec<AuthPolicySpec>, Vec<StatusEntry>) {
    let subjects = cx
        .snapshot
        .iam_auth_policies
        .iter()
        .map(|p| Subject {
            policy: p,
            meta: &p.metadata,
            existing: p.status.as_ref().map_or(&[][..], |s| &s.conditions[..]),
            attached: document(&p.spec.policy).and_then(|_| {
                let target = policy::target_of(KIND, &p.metadata, &p.spec.target_ref, GATEWAY_OR_ROUTE)?;
                let attached = cx.attach(&target, "auth settings")?;
                Ok((target, attached))
            }),
        })
        .collect();
    let mut desired = Vec::new();
    let status = decide(KIND, subjects, cx.now, |p: &IamAuthPolicy, _, attached| {
        // The document was checked above.
        let Ok(policy) = document(&p.spec.policy) else {
            return Verdict::Invalid("spec.policy: not a valid JSON document".to_owned());
        };
        desired.push(AuthPolicySpec { resource: attached.resource.clone(), policy, owner: attached.owner.clone() });
        Verdict::Accepted(format!("IAM auth (authType AWS_IAM) with this policy on {}", attached.resource.describe()))
    });
    (desired, status)
}
