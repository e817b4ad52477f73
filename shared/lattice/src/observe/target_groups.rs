//! Our target groups, found through their tags, with their registered targets.

use std::sync::Arc;

use model::lattice::Target;
use model::names::Tags;
use model::observed::{ObservedTargetGroup, TargetHealth};

use super::{Owned, convert, health, malformed, required};
use crate::client::Lattice;
use crate::error::{self, Error, is_not_found};

/// How a target group is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Read {
    /// Ours: its configuration exactly, and its targets with their health.
    Owned,
    /// Someone else's, only to forward to: its configuration as far as it has one, no targets.
    Foreign,
}

impl Lattice {
    /// Every target group tagged as ours, with its non-draining targets.
    pub(super) async fn target_groups(&self, owned: &Arc<Owned>) -> Result<Vec<ObservedTargetGroup>, Error> {
        let arns: Vec<String> = owned.target_groups().map(str::to_owned).collect();
        let read = self
            .bounded(arns, |arn| {
                let this = self.clone();
                let owned = Arc::clone(owned);
                async move {
                    let tags = owned.tags(&arn);
                    this.target_group(arn, tags, Read::Owned).await
                }
            })
            .await;
        let mut groups = Vec::new();
        for group in read {
            groups.extend(group?);
        }
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(groups)
    }

    /// One target group (`arn` may also be its id) carrying `tags`, read as `read` says; `None`
    /// when it does not exist (or vanished since it was listed).
    pub(super) async fn target_group(
        &self,
        arn: String,
        tags: Tags,
        read: Read,
    ) -> Result<Option<ObservedTargetGroup>, Error> {
        const OP: &str = "GetTargetGroup";
        let tg = match self.inner.lattice_read.get_target_group().target_group_identifier(&arn).send().await {
            Ok(tg) => tg,
            Err(e) => {
                let source = error::lattice(e);
                if is_not_found(&source) {
                    return Ok(None);
                }
                return Err(Error::GetTargetGroup { target_group: arn, source });
            }
        };
        let id = required(tg.id(), OP, &arn, "id")?;
        let (config, (targets, health)) = match read {
            Read::Owned => {
                let config = convert::target_group_config(tg.config()).map_err(|p| malformed(OP, id, p))?;
                let targets = self.targets(id, config.port).await?;
                (config, targets)
            }
            Read::Foreign => (convert::foreign_target_group_config(tg.config()), (Vec::new(), Vec::new())),
        };
        Ok(Some(ObservedTargetGroup {
            id: id.to_owned(),
            name: required(tg.name(), OP, id, "name")?.to_owned(),
            kind: convert::target_group_type(tg.r#type()).map_err(|p| malformed(OP, id, p))?,
            config,
            status: tg.status().map_or("", |s| s.as_str()).to_owned(),
            tags,
            service_arns: tg.service_arns().to_vec(),
            targets,
            health,
            arn: required(tg.arn(), OP, id, "arn")?.to_owned(),
        }))
    }

    /// The non-draining targets of target group `id`, whose default port is `port`, and the health of
    /// every target (draining ones included), from one `ListTargets`.
    pub(super) async fn targets(&self, id: &str, port: i32) -> Result<(Vec<Target>, Vec<TargetHealth>), Error> {
        let items = self.list_targets(id).await?;
        let targets = convert::targets(&items, port).map_err(|p| malformed("ListTargets", id, p))?;
        let health = health::target_health(&items, port).map_err(|p| malformed("ListTargets", id, p))?;
        Ok((targets, health))
    }
}
