//! Synthetic clusters: one Gateway, `routes` HTTPRoutes of `rules` rules, each rule forwarding to
//! `backends` Services of `targets` ready endpoints, written as a manifest directory that
//! `latticectl -f` reads (one JSON file per route holding the route, its Services and EndpointSlices).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::{Value, json};

/// Name of the Gateway, and so of the VPC Lattice service network the emulator is seeded with.
pub const GATEWAY: &str = "bench-net";
/// Namespace of every generated object.
const NAMESPACE: &str = "default";
/// First address handed out (10.0.0.1).
const FIRST_ADDRESS: u32 = 0x0A00_0001;

/// The shape of every route of a synthetic cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Rules per route.
    pub rules: usize,
    /// Backends (Services, so target groups) per rule.
    pub backends: usize,
    /// Targets (ready endpoints) per backend.
    pub targets: usize,
}

impl Default for Shape {
    fn default() -> Self {
        Self { rules: 1, backends: 1, targets: 3 }
    }
}

/// One backend: a Service and its EndpointSlice's addresses.
#[derive(Debug, Clone)]
struct Backend {
    service: String,
    addresses: Vec<u32>,
}

/// One rule: a path prefix and its backends.
#[derive(Debug, Clone)]
struct Rule {
    path: String,
    backends: Vec<Backend>,
}

/// A synthetic cluster kept in memory and mirrored in a manifest directory.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    shape: Shape,
    /// Routes by index; a deleted route leaves `None`.
    routes: Vec<Option<Vec<Rule>>>,
    next_address: u32,
}

/// Object counts of a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Routes present.
    pub routes: usize,
    /// Rules over all routes.
    pub rules: usize,
    /// Backends (target groups) over all rules.
    pub backends: usize,
    /// Targets over all backends.
    pub targets: usize,
}

impl Cluster {
    /// Generates `routes` routes of `shape` and writes them, with the Gateway, into `dir` (created
    /// empty).
    pub fn generate(dir: &Path, routes: usize, shape: Shape) -> anyhow::Result<Self> {
        if dir.exists() {
            fs::remove_dir_all(dir).with_context(|| format!("Failed to empty {}", dir.display()))?;
        }
        fs::create_dir_all(dir).with_context(|| format!("Failed to create {}", dir.display()))?;
        let mut cluster =
            Self { dir: dir.to_owned(), shape, routes: Vec::with_capacity(routes), next_address: FIRST_ADDRESS };
        for route in 0..routes {
            let rules = (0..shape.rules)
                .map(|rule| Rule {
                    path: format!("/r{route}/p{rule}"),
                    backends: (0..shape.backends)
                        .map(|backend| Backend {
                            service: format!("s{route}-{rule}-{backend}"),
                            addresses: (0..shape.targets).map(|_| cluster.fresh_address()).collect(),
                        })
                        .collect(),
                })
                .collect();
            cluster.routes.push(Some(rules));
        }
        write_json(&dir.join("00-gateway.json"), &gateway_documents())?;
        for route in 0..routes {
            cluster.write_route(route)?;
        }
        Ok(cluster)
    }

    /// The manifest directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The shape routes were generated with.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Counts of the objects present.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for rules in self.routes.iter().flatten() {
            counts.routes += 1;
            counts.rules += rules.len();
            for rule in rules {
                counts.backends += rule.backends.len();
                counts.targets += rule.backends.iter().map(|b| b.addresses.len()).sum::<usize>();
            }
        }
        counts
    }

    /// Replaces the address of the first endpoint of the first backend of the first present route.
    /// Returns the route's index.
    pub fn replace_one_endpoint(&mut self) -> anyhow::Result<usize> {
        let route = self.routes.iter().position(Option::is_some).context("no route left")?;
        let fresh = self.fresh_address();
        let rules = self.routes[route].as_mut().context("route vanished")?;
        let address = rules
            .first_mut()
            .and_then(|r| r.backends.first_mut())
            .and_then(|b| b.addresses.first_mut())
            .context("the route has no target")?;
        *address = fresh;
        self.write_route(route)?;
        Ok(route)
    }

    /// Changes the path of the first rule of the route in the middle. Returns the route's index.
    pub fn change_one_route(&mut self) -> anyhow::Result<usize> {
        let route = self.middle_route()?;
        let rule = self.routes[route].as_mut().and_then(|r| r.first_mut()).context("the route has no rule")?;
        rule.path.push_str("-v2");
        self.write_route(route)?;
        Ok(route)
    }

    /// Deletes the last present route (its file, Services and EndpointSlices). Returns its index.
    pub fn delete_one_route(&mut self) -> anyhow::Result<usize> {
        let route = self.routes.iter().rposition(Option::is_some).context("no route left")?;
        self.routes[route] = None;
        let path = self.route_path(route);
        fs::remove_file(&path).with_context(|| format!("Failed to remove {}", path.display()))?;
        Ok(route)
    }

    /// Replaces the addresses of `percent`% of all targets (at least one), spread evenly over the
    /// cluster. Returns how many targets were replaced.
    pub fn churn_targets(&mut self, percent: usize) -> anyhow::Result<usize> {
        let total = self.counts().targets;
        let churned = (total * percent).div_ceil(100).clamp(1, total.max(1));
        let stride = (total / churned).max(1);
        let mut index = 0usize;
        let mut replaced = 0usize;
        let mut touched = Vec::new();
        for route in 0..self.routes.len() {
            let Some(rules) = self.routes[route].as_ref() else { continue };
            let slots: usize = rules.iter().flat_map(|r| &r.backends).map(|b| b.addresses.len()).sum();
            let mut fresh = Vec::new();
            for slot in 0..slots {
                if replaced + fresh.len() < churned && (index + slot).is_multiple_of(stride) {
                    fresh.push((slot, self.fresh_address()));
                }
            }
            index += slots;
            if fresh.is_empty() {
                continue;
            }
            replaced += fresh.len();
            let addresses = self.routes[route]
                .as_mut()
                .into_iter()
                .flatten()
                .flat_map(|r| r.backends.iter_mut())
                .flat_map(|b| b.addresses.iter_mut());
            let mut fresh = fresh.into_iter().peekable();
            for (slot, address) in addresses.enumerate() {
                if let Some((_, value)) = fresh.next_if(|(s, _)| *s == slot) {
                    *address = value;
                }
            }
            touched.push(route);
        }
        for route in touched {
            self.write_route(route)?;
        }
        Ok(replaced)
    }

    fn middle_route(&self) -> anyhow::Result<usize> {
        let present: Vec<usize> = (0..self.routes.len()).filter(|&i| self.routes[i].is_some()).collect();
        present.get(present.len() / 2).copied().context("no route left")
    }

    fn fresh_address(&mut self) -> u32 {
        let address = self.next_address;
        self.next_address += 1;
        address
    }

    fn route_path(&self, route: usize) -> PathBuf {
        self.dir.join(format!("route-{route:05}.json"))
    }

    fn write_route(&self, route: usize) -> anyhow::Result<()> {
        let rules = self.routes[route].as_ref().context("route deleted")?;
        let mut documents = vec![route_document(route, rules)];
        for backend in rules.iter().flat_map(|r| &r.backends) {
            documents.push(service_document(&backend.service));
            documents.push(slice_document(backend));
        }
        write_json(&self.route_path(route), &documents)
    }
}

fn write_json(path: &Path, documents: &[Value]) -> anyhow::Result<()> {
    let mut text = String::new();
    for document in documents {
        text.push_str(&serde_json::to_string(document)?);
        text.push('\n');
    }
    fs::write(path, text).with_context(|| format!("Failed to write {}", path.display()))
}

fn gateway_documents() -> Vec<Value> {
    vec![
        json!({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
            "metadata": {"name": "amazon-vpc-lattice"},
            "spec": {"controllerName": "application-networking.k8s.aws/gateway-api-controller"}
        }),
        json!({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": {"name": GATEWAY, "namespace": NAMESPACE},
            "spec": {"gatewayClassName": "amazon-vpc-lattice",
                     "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}]}
        }),
    ]
}

fn route_document(route: usize, rules: &[Rule]) -> Value {
    let rules: Vec<Value> = rules
        .iter()
        .map(|rule| {
            json!({
                "matches": [{"path": {"type": "PathPrefix", "value": rule.path}}],
                "backendRefs": rule.backends.iter()
                    .map(|b| json!({"name": b.service, "kind": "Service", "port": 80, "weight": 1}))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": format!("r{route}"), "namespace": NAMESPACE},
        "spec": {"parentRefs": [{"name": GATEWAY, "sectionName": "http"}], "rules": rules}
    })
}

fn service_document(name: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {"ports": [{"protocol": "TCP", "port": 80, "targetPort": 8080}]}
    })
}

fn slice_document(backend: &Backend) -> Value {
    let endpoints: Vec<Value> = backend
        .addresses
        .iter()
        .map(|&a| {
            json!({"addresses": [std::net::Ipv4Addr::from(a).to_string()],
                   "conditions": {"ready": true, "serving": true, "terminating": false}})
        })
        .collect();
    json!({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": format!("{}-x", backend.service), "namespace": NAMESPACE,
                     "labels": {"kubernetes.io/service-name": backend.service}},
        "addressType": "IPv4",
        "ports": [{"name": "", "protocol": "TCP", "port": 8080}],
        "endpoints": endpoints
    })
}

#[cfg(test)]
#[path = "tests_shape.rs"]
mod tests;
