//! Configuration of an emulator instance: identity, timing, quotas, faults, EKS clusters, persistence.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::Error;

/// Everything an emulator instance is started with. `Default` gives an instant, fault-free emulator for
/// account `123456789012` in `us-west-2` with the documented default quotas.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The 12-digit account id used in ARNs and `createdBy`.
    pub account_id: String,
    /// The region used in ARNs and DNS names.
    pub region: String,
    /// Seed of the id generator (ids are reproducible for a given seed and request sequence).
    pub seed: u64,
    /// How long services, target groups and associations stay `*_IN_PROGRESS` (zero: until the next request).
    pub transition_delay: Duration,
    /// How long deregistered targets stay `DRAINING` (zero: gone at the next request).
    pub drain: Duration,
    /// Quotas answered with ServiceQuotaExceededException (402) when exceeded.
    pub quotas: Quotas,
    /// Faults injected into API requests from the start.
    pub faults: Faults,
    /// EKS clusters answered by `DescribeCluster`.
    pub clusters: Vec<ClusterConfig>,
    /// A JSON file the state is loaded from at start and saved to after every mutating request.
    pub state_file: Option<PathBuf>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            account_id: "123456789012".to_owned(),
            region: "us-west-2".to_owned(),
            seed: 0,
            transition_delay: Duration::ZERO,
            drain: Duration::ZERO,
            quotas: Quotas::default(),
            faults: Faults::default(),
            clusters: Vec::new(),
            state_file: None,
        }
    }
}

impl SimConfig {
    /// Checks the identity fields (a 12-digit account id and a plausible region name).
    pub fn validate(&self) -> Result<(), Error> {
        if self.account_id.len() != 12 || !self.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::InvalidConfig { field: "account_id", reason: "must be 12 digits".to_owned() });
        }
        let region_ok = !self.region.is_empty()
            && self.region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !region_ok {
            return Err(Error::InvalidConfig { field: "region", reason: "must be like us-west-2".to_owned() });
        }
        self.faults.validate()
    }
}

/// Default quotas of the service (User Guide quota table), all adjustable here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quotas {
    /// Service networks per Region (50).
    pub service_networks: usize,
    /// Services per Region (2,000).
    pub services: usize,
    /// Target groups per Region (500).
    pub target_groups: usize,
    /// Listeners per service (2).
    pub listeners_per_service: usize,
    /// Rules per listener, the default rule excluded (10).
    pub rules_per_listener: usize,
    /// Distinct target groups referenced by one service's listeners and rules (10).
    pub target_groups_per_service: usize,
    /// Targets per target group (1,000).
    pub targets_per_target_group: usize,
    /// Service associations per service network (500).
    pub services_per_service_network: usize,
    /// VPC associations per service network (500).
    pub vpcs_per_service_network: usize,
    /// Tags per resource (50; exceeding it is a ValidationException).
    pub tags_per_resource: usize,
    /// Auth policy size in bytes (10 KB; exceeding it is a ValidationException).
    pub auth_policy_bytes: usize,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            service_networks: 50,
            services: 2000,
            target_groups: 500,
            listeners_per_service: 2,
            rules_per_listener: 10,
            target_groups_per_service: 10,
            targets_per_target_group: 1000,
            services_per_service_network: 500,
            vpcs_per_service_network: 500,
            tags_per_resource: 50,
            auth_policy_bytes: 10 * 1024,
        }
    }
}

impl Quotas {
    /// The names accepted by [`Quotas::set`] (and the binary's `--quota NAME=N`).
    pub const NAMES: [&'static str; 11] = [
        "service-networks",
        "services",
        "target-groups",
        "listeners-per-service",
        "rules-per-listener",
        "target-groups-per-service",
        "targets-per-target-group",
        "services-per-service-network",
        "vpcs-per-service-network",
        "tags-per-resource",
        "auth-policy-bytes",
    ];

    /// Sets one quota by name.
    pub fn set(&mut self, name: &str, value: usize) -> Result<(), Error> {
        let slot = match name {
            "service-networks" => &mut self.service_networks,
            "services" => &mut self.services,
            "target-groups" => &mut self.target_groups,
            "listeners-per-service" => &mut self.listeners_per_service,
            "rules-per-listener" => &mut self.rules_per_listener,
            "target-groups-per-service" => &mut self.target_groups_per_service,
            "targets-per-target-group" => &mut self.targets_per_target_group,
            "services-per-service-network" => &mut self.services_per_service_network,
            "vpcs-per-service-network" => &mut self.vpcs_per_service_network,
            "tags-per-resource" => &mut self.tags_per_resource,
            "auth-policy-bytes" => &mut self.auth_policy_bytes,
            _ => {
                return Err(Error::InvalidConfig {
                    field: "quota",
                    reason: format!("unknown quota {name:?}; known: {}", Self::NAMES.join(", ")),
                });
            }
        };
        *slot = value;
        Ok(())
    }

    /// Applies a `NAME=N` override.
    pub fn apply(&mut self, spec: &str) -> Result<(), Error> {
        let invalid = || Error::InvalidConfig { field: "quota", reason: format!("expected NAME=N, got {spec:?}") };
        let (name, value) = spec.split_once('=').ok_or_else(invalid)?;
        let value = value.trim().parse::<usize>().map_err(|_| invalid())?;
        self.set(name.trim(), value)
    }
}

/// Injected faults. `failAfter: k` answers every API request after the k-th (counted from when it was set)
/// with InternalServerException; `commitFailures: n` fails the next n successful mutations after applying them.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Faults {
    /// Probability (0..=1) of answering ThrottlingException (429, `Retry-After`).
    pub throttle_rate: f64,
    /// Probability (0..=1) of answering InternalServerException (500).
    pub error_rate: f64,
    /// Added latency per API request, in milliseconds.
    pub latency_ms: u64,
    /// Fail every request after this many more have been answered; `None` disables it.
    pub fail_after: Option<u64>,
    /// The next this-many successful mutating requests are carried out, then answered with
    /// InternalServerException (a "5xx after commit": the SDK retries with the same `clientToken`).
    pub commit_failures: u64,
    /// The next this-many creations of services, target groups or associations end in CREATE_FAILED
    /// (with `failureCode`/`failureMessage`) instead of ACTIVE.
    pub create_failures: u64,
    /// Probability (0..=1) that a request is delayed by a further [`Faults::spike_ms`] (a latency spike).
    pub spike_rate: f64,
    /// The delay of a latency spike, in milliseconds.
    pub spike_ms: u64,
    /// Eventual consistency of lists: a resource created while this is set is left out of the next
    /// this-many List*/`GetResources` responses that would have shown it (Get by id finds it at once).
    pub list_lag: u64,
    /// Eventual consistency of lists in time: a created resource is left out of List*/`GetResources`
    /// responses for this many milliseconds (both settings may apply; it shows once both have passed).
    pub list_lag_ms: u64,
}

impl Faults {
    /// Checks that the rates are probabilities.
    pub fn validate(&self) -> Result<(), Error> {
        let rates =
            [("throttle_rate", self.throttle_rate), ("error_rate", self.error_rate), ("spike_rate", self.spike_rate)];
        for (field, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return Err(Error::InvalidConfig { field, reason: format!("{rate} is not within 0..=1") });
            }
        }
        Ok(())
    }
}

/// An EKS cluster answered by `GET /clusters/{name}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterConfig {
    /// Cluster name.
    pub name: String,
    /// API server endpoint URL.
    pub endpoint: String,
    /// Base64 of the PEM CA bundle (`certificateAuthority.data`).
    pub ca_data: String,
    /// VPC of the cluster (`resourcesVpcConfig.vpcId`).
    pub vpc_id: String,
    /// Kubernetes version.
    pub version: String,
}

impl FromStr for ClusterConfig {
    type Err = Error;

    /// Parses `name=N,endpoint=URL,ca=BASE64,vpc=VPC[,version=V]`; only `name` is required.
    fn from_str(spec: &str) -> Result<Self, Error> {
        let mut cluster = ClusterConfig {
            name: String::new(),
            endpoint: "https://127.0.0.1:6443".to_owned(),
            ca_data: String::new(),
            vpc_id: "vpc-00000000000000000".to_owned(),
            version: "1.32".to_owned(),
        };
        for part in spec.split(',').filter(|p| !p.trim().is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| Error::InvalidConfig {
                field: "cluster",
                reason: format!("expected key=value, got {part:?}"),
            })?;
            let slot = match key.trim() {
                "name" => &mut cluster.name,
                "endpoint" => &mut cluster.endpoint,
                "ca" => &mut cluster.ca_data,
                "vpc" => &mut cluster.vpc_id,
                "version" => &mut cluster.version,
                other => {
                    return Err(Error::InvalidConfig {
                        field: "cluster",
                        reason: format!("unknown key {other:?} (name, endpoint, ca, vpc, version)"),
                    });
                }
            };
            *slot = value.trim().to_owned();
        }
        if cluster.name.is_empty() {
            return Err(Error::InvalidConfig { field: "cluster", reason: "name= is required".to_owned() });
        }
        Ok(cluster)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_overrides() {
        let mut q = Quotas::default();
        q.apply("rules-per-listener=20").expect("valid");
        assert_eq!(q.rules_per_listener, 20);
        assert!(q.apply("nope=1").is_err());
        assert!(q.apply("rules-per-listener").is_err());
    }

    #[test]
    fn cluster_flag() {
        let c: ClusterConfig = "name=prod,endpoint=https://k8s,ca=Q0E=,vpc=vpc-12345678".parse().expect("valid");
        assert_eq!(c.name, "prod");
        assert_eq!(c.vpc_id, "vpc-12345678");
        assert!("endpoint=x".parse::<ClusterConfig>().is_err());
    }

    #[test]
    fn identity_checks() {
        assert!(SimConfig::default().validate().is_ok());
        let bad = SimConfig { account_id: "12".into(), ..SimConfig::default() };
        assert!(bad.validate().is_err());
    }
}
