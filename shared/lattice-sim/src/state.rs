//! The emulated account: every resource record, tags, policies and the idempotency cache. Plain data,
//! serialisable as a whole (`GET /_sim/state`, `--state FILE`); time arrives as an argument.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::errors::ApiError;
use crate::patterns::{Kind, id_of};
pub(crate) use crate::records::*;

/// Lifecycle status of the asynchronous resources (services, target groups, associations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Status {
    CreateInProgress,
    Active,
    UpdateInProgress,
    DeleteInProgress,
    CreateFailed,
    DeleteFailed,
    UpdateFailed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::CreateInProgress => "CREATE_IN_PROGRESS",
            Status::Active => "ACTIVE",
            Status::UpdateInProgress => "UPDATE_IN_PROGRESS",
            Status::DeleteInProgress => "DELETE_IN_PROGRESS",
            Status::CreateFailed => "CREATE_FAILED",
            Status::DeleteFailed => "DELETE_FAILED",
            Status::UpdateFailed => "UPDATE_FAILED",
        }
    }
}

/// A status with the time (epoch ms) at which its `*_IN_PROGRESS` phase ends; `fails` makes a
/// creation end in CREATE_FAILED instead of ACTIVE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Lifecycle {
    pub status: Status,
    pub due: u64,
    #[serde(default)]
    pub fails: bool,
}

impl Lifecycle {
    pub fn new(status: Status, due: u64) -> Self {
        Self { status, due, fails: false }
    }

    /// The `failureCode`/`failureMessage` members: set only for a failed creation.
    pub fn failure(&self) -> (Option<&'static str>, Option<&'static str>) {
        match self.status {
            Status::CreateFailed => (Some("InjectedFailure"), Some("The creation failed (injected fault)")),
            _ => (None, None),
        }
    }
}

/// Fields every record carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Meta {
    pub id: String,
    pub arn: String,
    pub seq: u64,
    pub created_at: u64,
    pub updated_at: u64,
}

/// Access to the common fields.
pub(crate) trait Record {
    fn meta(&self) -> &Meta;
}

macro_rules! record {
    ($($t:ty),*) => { $(impl Record for $t { fn meta(&self) -> &Meta { &self.meta } })* };
}
record!(ServiceNetwork, Service, Listener, Rule, TargetGroup, Snsa, Snva, AccessLog);

/// A remembered create: the request it answered and the reply it gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Idempotent {
    pub request: Value,
    pub status: u16,
    pub body: Option<Value>,
}

/// The whole emulated account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
    pub rng: u64,
    pub seq: u64,
    pub service_networks: BTreeMap<String, ServiceNetwork>,
    pub services: BTreeMap<String, Service>,
    pub listeners: BTreeMap<String, Listener>,
    pub rules: BTreeMap<String, Rule>,
    pub target_groups: BTreeMap<String, TargetGroup>,
    pub snsas: BTreeMap<String, Snsa>,
    pub snvas: BTreeMap<String, Snva>,
    pub access_logs: BTreeMap<String, AccessLog>,
    /// Keyed by the owning service network or service id.
    pub auth_policies: BTreeMap<String, AuthPolicy>,
    /// Keyed by the owning resource ARN.
    pub resource_policies: BTreeMap<String, String>,
    /// Keyed by resource ARN.
    pub tags: BTreeMap<String, BTreeMap<String, String>>,
    /// Keyed by `Operation:clientToken`.
    pub idempotency: BTreeMap<String, Idempotent>,
    /// ACM certificates, keyed by ARN.
    #[serde(default)]
    pub certificates: BTreeMap<String, crate::acm::Certificate>,
}

impl State {
    /// A fresh account whose id generator starts from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { rng: seed, ..Self::default() }
    }

    /// The next value of the splitmix64 generator.
    pub fn next_random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A fresh `{prefix}-0` + 16 lowercase hex id.
    pub fn new_id(&mut self, prefix: &str) -> String {
        format!("{prefix}-0{:016x}", self.next_random())
    }

    /// The next creation sequence number (list order).
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Ends every `*_IN_PROGRESS` phase and draining period due at `now`.
    pub fn advance(&mut self, now: u64) {
        let mut gone: Vec<String> = Vec::new();
        finish_phases(&mut self.services, now, &mut gone, |s| &mut s.life);
        finish_phases(&mut self.target_groups, now, &mut gone, |t| &mut t.life);
        finish_phases(&mut self.snsas, now, &mut gone, |a| &mut a.life);
        finish_phases(&mut self.snvas, now, &mut gone, |a| &mut a.life);
        for arn in gone {
            self.tags.remove(&arn);
        }
        for tg in self.target_groups.values_mut() {
            tg.targets.retain(|t| t.draining_until.is_none_or(|until| until > now));
        }
    }

    /// Drops the tags of a removed resource.
    pub fn forget(&mut self, arn: &str) {
        self.tags.remove(arn);
        self.resource_policies.remove(arn);
    }

    /// Services whose listeners or rules reference `tg_id`.
    pub fn tg_service_ids(&self, tg_id: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .listeners
            .values()
            .filter(|l| l.default_action.tg_ids().contains(&tg_id))
            .map(|l| l.service_id.clone())
            .chain(
                self.rules
                    .values()
                    .filter(|r| !r.is_default && r.action.tg_ids().contains(&tg_id))
                    .map(|r| r.service_id.clone()),
            )
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The ARN of `id` if it names a record of any kind.
    pub fn arn_of(&self, kind: Kind, id: &str) -> Option<String> {
        let meta = match kind {
            Kind::ServiceNetwork => self.service_networks.get(id).map(Record::meta),
            Kind::Service => self.services.get(id).map(Record::meta),
            Kind::Listener => self.listeners.get(id).map(Record::meta),
            Kind::Rule => self.rules.get(id).map(Record::meta),
            Kind::TargetGroup => self.target_groups.get(id).map(Record::meta),
            Kind::Snsa => self.snsas.get(id).map(Record::meta),
            Kind::Snva => self.snvas.get(id).map(Record::meta),
            Kind::AccessLog => self.access_logs.get(id).map(Record::meta),
        };
        meta.map(|m| m.arn.clone())
    }

    /// Every taggable resource as (creation sequence, kind, ARN), in creation order.
    pub fn all_arns(&self) -> Vec<(u64, Kind, String)> {
        let mut all: Vec<(u64, Kind, String)> = Vec::new();
        collect(&self.service_networks, Kind::ServiceNetwork, &mut all);
        collect(&self.services, Kind::Service, &mut all);
        collect(&self.listeners, Kind::Listener, &mut all);
        collect(&self.rules, Kind::Rule, &mut all);
        collect(&self.target_groups, Kind::TargetGroup, &mut all);
        collect(&self.snsas, Kind::Snsa, &mut all);
        collect(&self.snvas, Kind::Snva, &mut all);
        collect(&self.access_logs, Kind::AccessLog, &mut all);
        all.sort_by_key(|(seq, _, _)| *seq);
        all
    }
}

fn collect<T: Record>(map: &BTreeMap<String, T>, kind: Kind, out: &mut Vec<(u64, Kind, String)>) {
    out.extend(map.values().map(|r| (r.meta().seq, kind, r.meta().arn.clone())));
}

fn finish_phases<T: Record>(
    map: &mut BTreeMap<String, T>,
    now: u64,
    gone: &mut Vec<String>,
    life: impl Fn(&mut T) -> &mut Lifecycle,
) {
    map.retain(|_, record| {
        let l = life(record);
        if l.due > now {
            return true;
        }
        match l.status {
            Status::CreateInProgress if l.fails => {
                l.status = Status::CreateFailed;
                true
            }
            Status::CreateInProgress | Status::UpdateInProgress => {
                l.status = Status::Active;
                true
            }
            Status::DeleteInProgress => {
                gone.push(record.meta().arn.clone());
                false
            }
            _ => true,
        }
    });
}

/// Resolves an ID or ARN to the id of an existing record of `kind`, else ResourceNotFoundException.
pub(crate) fn resolve<T: Record>(map: &BTreeMap<String, T>, identifier: &str, kind: Kind) -> Result<String, ApiError> {
    let id = id_of(identifier);
    match map.get(id) {
        Some(r) if !identifier.starts_with("arn:") || r.meta().arn == identifier => Ok(id.to_owned()),
        _ => Err(ApiError::not_found(kind.resource_type(), identifier)),
    }
}

/// Records of a map in creation order with their sequence keys (the pagination order).
pub(crate) fn in_order<T: Record>(map: &BTreeMap<String, T>) -> Vec<&T> {
    let mut items: Vec<&T> = map.values().collect();
    items.sort_by_key(|r| r.meta().seq);
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_reproducible_and_well_formed() {
        let mut a = State::new(7);
        let mut b = State::new(7);
        let id = a.new_id("svc");
        assert_eq!(id, b.new_id("svc"));
        assert!(crate::patterns::is_id(&id, "svc"));
        assert!(id.starts_with("svc-0"));
        assert_ne!(id, a.new_id("svc"));
    }

    #[test]
    fn phases_end_when_due() {
        let mut s = State::new(1);
        let meta = Meta { id: "snsa-1".into(), arn: "a".into(), seq: 1, created_at: 0, updated_at: 0 };
        let snsa = Snsa {
            meta,
            service_id: "s".into(),
            sn_id: "n".into(),
            life: Lifecycle::new(Status::CreateInProgress, 10),
        };
        s.snsas.insert("snsa-1".into(), snsa);
        s.advance(9);
        assert_eq!(s.snsas["snsa-1"].life.status, Status::CreateInProgress);
        s.advance(10);
        assert_eq!(s.snsas["snsa-1"].life.status, Status::Active);
        if let Some(a) = s.snsas.get_mut("snsa-1") {
            a.life = Lifecycle::new(Status::DeleteInProgress, 20);
        }
        s.advance(20);
        assert!(s.snsas.is_empty());
    }
}
