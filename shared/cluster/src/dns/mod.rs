//! external-dns `DNSEndpoint`s for routes with a custom domain name ([`Cluster::sync_dns_endpoints`]).
//!
//! Where the API server serves `externaldns.k8s.io/v1alpha1` `dnsendpoints` (asked once per client
//! through discovery; absent means the feature is off, not an error), each route of the run gets
//! its `<route>-dns` object created, brought up to date or deleted ([`plan`]). What exists is read
//! with one GET for a single route and one paginated list across namespaces otherwise; a write
//! happens only when something changes. One route's failure never stops the others.

mod plan;

use std::collections::BTreeMap;

use model::dns::{DnsOutcome, DnsWanted, endpoint_name};
use model::snapshot::ObjectRef;
use serde_json::{Value, json};

use crate::client::{Cluster, status_code};
use crate::error::Error;
use crate::read::ListRequest;
use crate::read::kinds::{self, DNS_ENDPOINT};
use crate::write::chain;
use plan::{Step, step};

/// `namespace/name` → object.
type Existing = BTreeMap<(String, String), Value>;

impl Cluster {
    /// Creates, updates or deletes the `DNSEndpoint` of each route in `wanted` so it holds the route's
    /// record (or is gone when the route wants none), leaving any object of that name that is not
    /// ours alone (reported in [`DnsOutcome::foreign`]). With `dry_run` it only reads and reports
    /// what it would do.
    pub async fn sync_dns_endpoints(&self, wanted: &[DnsWanted], dry_run: bool) -> DnsOutcome {
        let mut outcome = DnsOutcome::default();
        if wanted.is_empty() {
            return outcome;
        }
        let fail_all = |outcome: &mut DnsOutcome, message: String| {
            outcome.failed.extend(wanted.iter().map(|w| (record_ref(w), message.clone())));
        };
        let version = match self.served_version(&DNS_ENDPOINT).await {
            Ok(Some(version)) => version,
            Ok(None) => {
                tracing::debug!("DNSEndpoint not served; no DNS records");
                return outcome;
            }
            Err(error) => {
                fail_all(&mut outcome, chain(&error));
                return outcome;
            }
        };
        outcome.served = true;
        let mut existing = match self.existing_dns_endpoints(wanted, version).await {
            Ok(existing) => existing,
            Err(error) => {
                fail_all(&mut outcome, chain(&error));
                return outcome;
            }
        };
        for w in wanted {
            let reference = record_ref(w);
            let current = existing.get(&(reference.namespace.clone(), reference.name.clone()));
            let result = match self.owner_api_version(&w.route).await {
                Ok(owner) => step(w, current, &owner),
                Err(message) => Err(message),
            };
            let step = match result {
                Ok(step) => step,
                Err(message) => {
                    outcome.failed.push((reference, message));
                    continue;
                }
            };
            if let Some(created) = self.take(step, reference.clone(), version, dry_run, &mut outcome).await {
                // Another route wanting the same name (an HTTPRoute and a GRPCRoute of one name) sees it.
                existing.insert((reference.namespace, reference.name), created);
            }
        }
        tracing::info!(
            created = outcome.created.len(),
            updated = outcome.updated.len(),
            deleted = outcome.deleted.len(),
            foreign = outcome.foreign.len(),
            failed = outcome.failed.len(),
            dry_run,
            "Synced DNSEndpoints"
        );
        outcome
    }

    /// Takes `step` (only reports it with `dry_run`); returns the object a create made.
    async fn take(
        &self,
        step: Step,
        reference: ObjectRef,
        version: &str,
        dry_run: bool,
        outcome: &mut DnsOutcome,
    ) -> Option<Value> {
        let collection = DNS_ENDPOINT.path(version, Some(&reference.namespace), None);
        let path = DNS_ENDPOINT.path(version, Some(&reference.namespace), Some(&reference.name));
        let mut created = None;
        let result = match &step {
            Step::Create(object) if dry_run => {
                created = Some(object.clone());
                Ok(())
            }
            Step::Create(object) => self.post("create dnsendpoints", &collection, object).await.map(|stored| {
                created = Some(stored);
            }),
            Step::Update(patch) if !dry_run => self.merge_patch("patch dnsendpoints", &path, patch).await.map(|_| ()),
            Step::Delete(uid) if !dry_run => {
                let options = json!({"preconditions": {"uid": uid}, "propagationPolicy": "Background"});
                self.delete("delete dnsendpoints", &path, &options).await.map(|_| ())
            }
            _ => Ok(()),
        };
        if let Err(error) = result {
            let message = match status_code(&error) {
                Some(409) => format!("{}; someone wrote it meanwhile, the next run retries", chain(&error)),
                _ => chain(&error),
            };
            tracing::warn!(object = %reference, error = %message, "Failed to write a DNSEndpoint");
            outcome.failed.push((reference, message));
            return None;
        }
        match step {
            Step::Create(_) => outcome.created.push(reference),
            Step::Update(_) => outcome.updated.push(reference),
            Step::Delete(_) => outcome.deleted.push(reference),
            Step::Keep => outcome.unchanged.push(reference),
            Step::Nothing => {}
            Step::Foreign(message) => {
                tracing::warn!(object = %reference, problem = %message, "DNSEndpoint of a route is not ours");
                outcome.foreign.push((reference, message));
            }
        }
        created
    }

    /// The `DNSEndpoint`s the routes of `wanted` could have: one GET for one route, else one list.
    async fn existing_dns_endpoints(&self, wanted: &[DnsWanted], version: &str) -> Result<Existing, Error> {
        let mut existing = Existing::new();
        if let [one] = wanted {
            let reference = record_ref(one);
            let path = DNS_ENDPOINT.path(version, Some(&reference.namespace), Some(&reference.name));
            let found = self
                .get("get dnsendpoints", &path)
                .await
                .map_err(|source| Error::Get { object: reference.to_string(), source: Box::new(source) })?;
            if let Some(object) = found {
                existing.insert((reference.namespace, reference.name), object);
            }
            return Ok(existing);
        }
        let request = ListRequest { kind: &DNS_ENDPOINT, version, namespace: None, label_selector: None };
        self.list_each(request, |object| {
            let text =
                |key: &str| object.pointer(&format!("/metadata/{key}")).and_then(Value::as_str).map(str::to_owned);
            if let (Some(namespace), Some(name)) = (text("namespace"), text("name")) {
                existing.insert((namespace, name), object);
            }
        })
        .await?;
        Ok(existing)
    }

    /// The `apiVersion` the route's kind is served as, for its owner references.
    async fn owner_api_version(&self, route: &ObjectRef) -> Result<String, String> {
        let kind = kinds::route_kind(&route.kind).ok_or_else(|| format!("{} is not a route kind", route.kind))?;
        match self.served_version(&kind).await {
            Ok(Some(version)) => Ok(kind.api_version(version)),
            Ok(None) => Err(format!("the API server does not serve {}", kind.resource())),
            Err(error) => Err(chain(&error)),
        }
    }
}

/// The `DNSEndpoint` of a route.
fn record_ref(wanted: &DnsWanted) -> ObjectRef {
    ObjectRef::new("DNSEndpoint", &wanted.route.namespace, &endpoint_name(&wanted.route.name))
}
