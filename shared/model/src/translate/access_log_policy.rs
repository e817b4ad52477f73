//! AccessLogPolicy → an access log subscription on a Gateway's service network or a route's
//! service, tagged with the policy it is built for and with the policy's additional tags
//! (annotation `application-networking.k8s.aws/tags`).

use crds::AccessLogPolicy;

use crate::annotations;
use crate::lattice::AccessLogSubscriptionSpec;
use crate::lattice::policies::DestinationType;
use crate::names::{TAG_ACCESS_LOG_POLICY, TAG_MANAGED_BY, Tags};
use crate::policy::{self, Verdict};
use crate::snapshot::{name_of, namespace_of};
use crate::status::StatusEntry;

use super::policy_targets::{Context, GATEWAY_OR_ROUTE, Subject, decide};

/// The kind's name.
const KIND: &str = "AccessLogPolicy";

/// The destination and its type, or why the policy has none Lattice can deliver to.
fn destination(p: &AccessLogPolicy) -> Result<(&str, DestinationType), Verdict> {
    let Some(arn) = p.spec.destination_arn.as_deref().filter(|a| !a.is_empty()) else {
        return Err(Verdict::Invalid("spec.destinationArn: required".to_owned()));
    };
    DestinationType::of(arn).map(|kind| (arn, kind)).ok_or_else(|| {
        Verdict::Invalid(format!(
            "spec.destinationArn: {arn} is not the ARN of an S3 bucket (arn:aws:s3:::bucket), a CloudWatch Logs \
             log group (arn:aws:logs:region:account:log-group:name) or a Firehose delivery stream \
             (arn:aws:firehose:region:account:deliverystream/name)"
        ))
    })
}

/// The desired subscriptions, and the status of every AccessLogPolicy.
pub(super) fn translate(cx: &Context<'_>) -> (Vec<AccessLogSubscriptionSpec>, Vec<StatusEntry>) {
    let subjects = cx
        .snapshot
        .access_log_policies
        .iter()
        .map(|p| Subject {
            policy: p,
            meta: &p.metadata,
            existing: p.status.as_ref().map_or(&[][..], |s| &s.conditions[..]),
            attached: destination(p).and_then(|_| {
                let target = policy::target_of(KIND, &p.metadata, &p.spec.target_ref, GATEWAY_OR_ROUTE)?;
                let attached = cx.attach(&target, "access logs")?;
                Ok((target, attached))
            }),
        })
        .collect();
    let mut desired = Vec::new();
    let status = decide(KIND, subjects, cx.now, |p: &AccessLogPolicy, meta, attached| {
        let Ok((arn, kind)) = destination(p) else {
            return Verdict::Invalid("spec.destinationArn: not a log destination".to_owned());
        };
        let tags: Tags = [
            (TAG_MANAGED_BY.to_owned(), cx.managed_by.to_owned()),
            (TAG_ACCESS_LOG_POLICY.to_owned(), format!("{}/{}", namespace_of(meta), name_of(meta))),
        ]
        .into();
        let (tags, notes) = annotations::object_tags(meta.annotations.as_ref(), tags);
        desired.push(AccessLogSubscriptionSpec {
            resource: attached.resource.clone(),
            destination_arn: arn.to_owned(),
            tags,
            owner: attached.owner.clone(),
        });
        let mut message =
            format!("access logs of {} go to the {} {arn}", attached.resource.describe(), kind.describe());
        for note in notes {
            message.push_str("; ");
            message.push_str(&note);
        }
        Verdict::Accepted(message)
    });
    (desired, status)
}
