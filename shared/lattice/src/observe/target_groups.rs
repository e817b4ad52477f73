//! Our target groups, found through their tags, with their registered targets.

use std::sync::Arc;

use model::observed::ObservedTargetGroup;

use super::{Owned, convert, health, malformed, required};
use crate::client::Lattice;
use crate::error::{self, Error, is_not_found};

impl Lattice {
    /// Every target group tagged as ours, with its non-draining targets.
    pub(super) async fn target_groups(&self, owned: &Arc<Owned>) -> Result<Vec<ObservedTargetGroup>, Error> {
        let arns: Vec<String> = owned.target_groups().map(str::to_owned).collect();
        let read = self
            .bounded(arns, |arn| {
                let this = self.clone();
                let owned = Arc::clone(owned);
                async move { this.target_group(arn, &owned).await }
            })
            .await;
        let mut groups = Vec::new();
        for group in read {
            groups.extend(group?);
        }
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(groups)
    }

    /// One target group; `None` when it vanished since it was listed.
    async fn target_group(&self, arn: String, owned: &Owned) -> Result<Option<ObservedTargetGroup>, Error> {
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
        let config = convert::target_group_config(tg.config()).map_err(|p| malformed(OP, id, p))?;
        let items = self.list_targets(id).await?;
        let targets = convert::targets(&items, config.port).map_err(|p| malformed("ListTargets", id, p))?;
        let health = health::target_health(&items, config.port).map_err(|p| malformed("ListTargets", id, p))?;
        Ok(Some(ObservedTargetGroup {
            id: id.to_owned(),
            name: required(tg.name(), OP, id, "name")?.to_owned(),
            kind: convert::target_group_type(tg.r#type()).map_err(|p| malformed(OP, id, p))?,
            config,
            status: tg.status().map_or("", |s| s.as_str()).to_owned(),
            tags: owned.tags(&arn),
            service_arns: tg.service_arns().to_vec(),
            targets,
            health,
            arn,
        }))
    }
}
