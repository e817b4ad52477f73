//! How a fake server is configured: transport, accepted credentials, served groups, authorization.

use std::collections::BTreeMap;
use std::time::SystemTime;

/// An API group the server can serve. A group left out of [`FakeConfig::groups`] behaves like a cluster
/// without the CRDs (or API) installed: discovery omits it and every request to it is 404.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiGroup {
    /// The core group (`/api/v1`): namespaces and services.
    Core,
    /// `discovery.k8s.io`: endpointslices.
    Discovery,
    /// `gateway.networking.k8s.io`: gatewayclasses, gateways, routes and referencegrants.
    Gateway,
    /// `application-networking.k8s.aws`: the AWS Gateway API controller's CRDs.
    ApplicationNetworking,
    /// `externaldns.k8s.io`: external-dns's `DNSEndpoint` CRD. Not served unless asked for
    /// ([`FakeConfig::with_group`]), as most clusters do not have it.
    ExternalDns,
    /// `admissionregistration.k8s.io`: mutatingwebhookconfigurations (cluster-scoped).
    AdmissionRegistration,
}

impl ApiGroup {
    /// Every group the server knows, in discovery order.
    pub const ALL: [ApiGroup; 6] = [
        ApiGroup::Core,
        ApiGroup::Discovery,
        ApiGroup::Gateway,
        ApiGroup::ApplicationNetworking,
        ApiGroup::ExternalDns,
        ApiGroup::AdmissionRegistration,
    ];

    /// The groups served by default: a cluster with the Gateway API and the AWS controller's CRDs
    /// (and the built-in admission registration API).
    pub const DEFAULT: [ApiGroup; 5] = [
        ApiGroup::Core,
        ApiGroup::Discovery,
        ApiGroup::Gateway,
        ApiGroup::ApplicationNetworking,
        ApiGroup::AdmissionRegistration,
    ];

    /// The group's name as it appears in `apiVersion` and paths (empty for the core group).
    pub fn name(self) -> &'static str {
        match self {
            ApiGroup::Core => "",
            ApiGroup::Discovery => "discovery.k8s.io",
            ApiGroup::Gateway => "gateway.networking.k8s.io",
            ApiGroup::ApplicationNetworking => "application-networking.k8s.aws",
            ApiGroup::ExternalDns => "externaldns.k8s.io",
            ApiGroup::AdmissionRegistration => "admissionregistration.k8s.io",
        }
    }

    /// The group with this name, if the server knows it.
    pub fn from_name(name: &str) -> Option<ApiGroup> {
        ApiGroup::ALL.into_iter().find(|g| g.name() == name)
    }
}

/// Acceptance of EKS bearer tokens (`k8s-aws-v1.` + base64url of a presigned STS `GetCallerIdentity` URL).
#[derive(Clone, Debug)]
pub struct EksAuth {
    /// The cluster name the tokens must be signed for (the `x-k8s-aws-id` header value). Used only when the
    /// signing key of the token's access key is known (see [`EksAuth::with_secret_key`]).
    pub cluster_name: String,
    /// The server's clock, compared with the token's `X-Amz-Date`. Change it while running with
    /// [`RunningApi::set_now`](crate::RunningApi::set_now).
    pub now: SystemTime,
    /// Secret access keys by access key ID. A token whose credential names one of these access keys must
    /// carry a valid SigV4 signature for `cluster_name`; tokens of other access keys are checked for
    /// form only, as the signature of an unknown key cannot be verified offline.
    pub secret_keys: BTreeMap<String, String>,
}

impl EksAuth {
    /// Accept well-formed tokens for `cluster_name` that are valid at `now`.
    pub fn new(cluster_name: impl Into<String>, now: SystemTime) -> Self {
        EksAuth { cluster_name: cluster_name.into(), now, secret_keys: BTreeMap::new() }
    }

    /// Also verify the signature of tokens made with this access key.
    pub fn with_secret_key(mut self, access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        self.secret_keys.insert(access_key_id.into(), secret_access_key.into());
        self
    }
}

/// One RBAC rule, as in a `ClusterRole`: `"*"` matches any group, resource or verb.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRule {
    /// API groups (`""` for core).
    pub api_groups: Vec<String>,
    /// Resources, with subresources written `httproutes/status`.
    pub resources: Vec<String>,
    /// Verbs: `get`, `list`, `create`, `update`, `patch`, `delete`.
    pub verbs: Vec<String>,
    /// When not empty, the rule covers only requests naming one of these objects (`resourceNames`):
    /// as in RBAC, never a `list` or a `create`, whose requests name no object.
    pub resource_names: Vec<String>,
}

impl PolicyRule {
    /// A rule from string slices.
    pub fn new(api_groups: &[&str], resources: &[&str], verbs: &[&str]) -> Self {
        let owned = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        PolicyRule {
            api_groups: owned(api_groups),
            resources: owned(resources),
            verbs: owned(verbs),
            resource_names: Vec::new(),
        }
    }

    /// The same rule, limited to objects of these names.
    pub fn names(mut self, names: &[&str]) -> Self {
        self.resource_names = names.iter().map(|s| s.to_string()).collect();
        self
    }
}

/// Configuration of a fake API server. Without any static token and without [`FakeConfig::eks`] every
/// request is rejected with 401.
#[derive(Clone, Debug)]
pub struct FakeConfig {
    /// Serve HTTPS with a certificate for `127.0.0.1` and `localhost` signed by a CA made at start.
    pub tls: bool,
    /// Bearer tokens accepted as they are.
    pub static_tokens: Vec<String>,
    /// Accept EKS tokens too.
    pub eks: Option<EksAuth>,
    /// The API groups served ([`ApiGroup::DEFAULT`] unless changed); the others are absent (404).
    pub groups: Vec<ApiGroup>,
    /// When set, every resource request must be allowed by one of these rules (else 403 Forbidden), as
    /// if every authenticated user were bound to one `ClusterRole` with them. Discovery is always allowed.
    pub rbac: Option<Vec<PolicyRule>>,
    /// The user name reported in `Forbidden` messages.
    pub user_name: String,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            tls: false,
            static_tokens: Vec::new(),
            eks: None,
            groups: ApiGroup::DEFAULT.to_vec(),
            rbac: None,
            user_name: "lattice-reconciler".to_string(),
        }
    }
}

impl FakeConfig {
    /// Plain HTTP, the [`ApiGroup::DEFAULT`] groups served, no credentials accepted yet.
    pub fn new() -> Self {
        FakeConfig::default()
    }

    /// Serve HTTPS.
    pub fn https(mut self) -> Self {
        self.tls = true;
        self
    }

    /// Accept this bearer token.
    pub fn static_token(mut self, token: impl Into<String>) -> Self {
        self.static_tokens.push(token.into());
        self
    }

    /// Accept EKS tokens.
    pub fn eks(mut self, eks: EksAuth) -> Self {
        self.eks = Some(eks);
        self
    }

    /// Serve the cluster without this API group.
    pub fn without_group(mut self, group: ApiGroup) -> Self {
        self.groups.retain(|g| *g != group);
        self
    }

    /// Serve this API group too (e.g. [`ApiGroup::ExternalDns`]).
    pub fn with_group(mut self, group: ApiGroup) -> Self {
        if !self.groups.contains(&group) {
            self.groups.push(group);
        }
        self
    }

    /// Authorize resource requests with these rules only.
    pub fn rbac(mut self, rules: Vec<PolicyRule>) -> Self {
        self.rbac = Some(rules);
        self
    }
}
