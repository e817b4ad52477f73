//! What a handler works with: the state, the fixed environment of the instance and the current time.

use std::collections::BTreeMap;

use crate::config::{ClusterConfig, Quotas, SimConfig};
use crate::errors::ApiError;
use crate::state::{Lifecycle, Meta, State, Status};
use crate::wire::fnv1a;

/// The immutable environment of an instance, derived once from its configuration.
#[derive(Debug, Clone)]
pub(crate) struct Env {
    pub account: String,
    pub region: String,
    pub quotas: Quotas,
    pub transition_ms: u64,
    pub drain_ms: u64,
    /// The 7-hex-digit DNS label shared by every service of the account and region.
    pub dns_partition: String,
    pub hosted_zone_id: String,
    pub clusters: Vec<ClusterConfig>,
}

impl Env {
    pub fn from_config(config: &SimConfig) -> Self {
        let hash = fnv1a(format!("{}:{}", config.account_id, config.region).as_bytes());
        let zone_hash = fnv1a(format!("zone:{}", config.region).as_bytes());
        let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let zone: String = (0..20)
            .map(|i| char::from(alphabet[((zone_hash >> ((i * 3) % 60)) as usize + i) % alphabet.len()]))
            .collect();
        Self {
            account: config.account_id.clone(),
            region: config.region.clone(),
            quotas: config.quotas,
            transition_ms: duration_ms(config.transition_delay),
            drain_ms: duration_ms(config.drain),
            dns_partition: format!("{:07x}", hash & 0x0fff_ffff),
            hosted_zone_id: format!("Z{zone}"),
            clusters: config.clusters.clone(),
        }
    }
}

fn duration_ms(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// One request's view of the emulator.
pub(crate) struct Ctx<'a> {
    pub state: &'a mut State,
    pub env: &'a Env,
    pub now: u64,
    /// An asynchronous creation in this request is to end in CREATE_FAILED.
    pub fail_creation: bool,
    /// Set when a creation took up `fail_creation`.
    pub creation_failed: bool,
}

impl<'a> Ctx<'a> {
    /// A context without injected creation failures.
    pub fn new(state: &'a mut State, env: &'a Env, now: u64) -> Self {
        Self { state, env, now, fail_creation: false, creation_failed: false }
    }
}

impl Ctx<'_> {
    /// The lifecycle of a resource created now (CREATE_IN_PROGRESS until the transition delay ends).
    pub fn creating(&mut self) -> Lifecycle {
        let mut life = Lifecycle::new(Status::CreateInProgress, self.due());
        if self.fail_creation {
            life.fails = true;
            self.creation_failed = true;
        }
        life
    }

    /// `arn:aws:vpc-lattice:{region}:{account}:{resource}`.
    pub fn arn(&self, resource: &str) -> String {
        format!("arn:aws:vpc-lattice:{}:{}:{resource}", self.env.region, self.env.account)
    }

    /// A fresh id, ARN (built by `resource` from the id), sequence number and timestamps.
    pub fn new_meta(&mut self, prefix: &str, resource: impl FnOnce(&str) -> String) -> Meta {
        let id = self.state.new_id(prefix);
        let arn = self.arn(&resource(&id));
        let seq = self.state.next_seq();
        Meta { id, arn, seq, created_at: self.now, updated_at: self.now }
    }

    /// When a phase started now ends.
    pub fn due(&self) -> u64 {
        self.now.saturating_add(self.env.transition_ms)
    }

    /// Stores the tags given at creation (an empty map stores nothing).
    pub fn tag_new(&mut self, arn: &str, tags: Option<BTreeMap<String, String>>) {
        if let Some(tags) = tags.filter(|t| !t.is_empty()) {
            self.state.tags.insert(arn.to_owned(), tags);
        }
    }

    /// ServiceQuotaExceededException when `count` has reached `limit`.
    pub fn quota(
        &self,
        count: usize,
        limit: usize,
        resource_type: &'static str,
        quota: &str,
        parent: Option<&str>,
    ) -> Result<(), ApiError> {
        if count < limit {
            return Ok(());
        }
        let code = if quota == "listeners-per-service" { "L-D64E952E" } else { quota };
        Err(ApiError::Quota {
            message: format!("Quota exceeded: {quota} is limited to {limit}"),
            resource_type,
            quota_code: code.to_owned(),
            resource_id: parent.map(str::to_owned),
        })
    }
}
