//! Lookups into a [`ClusterSnapshot`] by key, built once per translation, so that translating
//! many routes costs time linear in the number of objects instead of their square (every
//! backend of every route looks up its Service, the Service's EndpointSlices and its
//! TargetGroupPolicy).

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;

use crate::observed::{ObservedService, ObservedState, ObservedTargetGroup};
use crate::snapshot::{ClusterSnapshot, ObjectRef, ServiceImport, name_of, namespace_of};
use crate::translate::target_group_policy::{self, TargetGroupSettings};

/// The label of an EndpointSlice naming its Service.
pub const LABEL_SERVICE_NAME: &str = "kubernetes.io/service-name";

/// Objects of one snapshot by `(namespace, name)`. When two objects share a key (which the API
/// server does not allow, but a hand-written snapshot may), the first one in the snapshot is
/// found, like a scan of the list would find it.
pub struct SnapshotIndex<'a> {
    snapshot: &'a ClusterSnapshot,
    services: ByKey<'a, &'a Service>,
    slices: ByKey<'a, Vec<&'a EndpointSlice>>,
    imports: ByKey<'a, &'a ServiceImport>,
    /// Decided on the first lookup.
    policies: OnceCell<BTreeMap<ObjectRef, TargetGroupSettings>>,
}

/// Values by namespace, then name.
type ByKey<'a, V> = HashMap<&'a str, HashMap<&'a str, V>>;

fn get<'m, V>(map: &'m ByKey<'_, V>, namespace: &str, name: &str) -> Option<&'m V> {
    map.get(namespace).and_then(|names| names.get(name))
}

impl<'a> SnapshotIndex<'a> {
    /// Indexes `snapshot`.
    pub fn new(snapshot: &'a ClusterSnapshot) -> Self {
        let mut services: ByKey<'a, &'a Service> = HashMap::new();
        for s in &snapshot.services {
            let names = services.entry(namespace_of(&s.metadata)).or_default();
            names.entry(name_of(&s.metadata)).or_insert(s);
        }
        let mut slices: ByKey<'a, Vec<&'a EndpointSlice>> = HashMap::new();
        for s in &snapshot.endpoint_slices {
            let labels = s.metadata.labels.as_ref();
            if let Some(service) = labels.and_then(|l| l.get(LABEL_SERVICE_NAME)) {
                let names = slices.entry(namespace_of(&s.metadata)).or_default();
                names.entry(service.as_str()).or_default().push(s);
            }
        }
        let mut imports: ByKey<'a, &'a ServiceImport> = HashMap::new();
        for i in &snapshot.service_imports {
            let names = imports.entry(namespace_of(&i.metadata)).or_default();
            names.entry(name_of(&i.metadata)).or_insert(i);
        }
        Self { snapshot, services, slices, imports, policies: OnceCell::new() }
    }

    /// The snapshot indexed.
    pub fn snapshot(&self) -> &'a ClusterSnapshot {
        self.snapshot
    }

    /// The Service `namespace/name`.
    pub fn service(&self, namespace: &str, name: &str) -> Option<&'a Service> {
        get(&self.services, namespace, name).copied()
    }

    /// The EndpointSlices of Service `namespace/name` (by their `kubernetes.io/service-name`
    /// label), in snapshot order.
    pub fn endpoint_slices(&self, namespace: &str, service: &str) -> &[&'a EndpointSlice] {
        get(&self.slices, namespace, service).map_or(&[], Vec::as_slice)
    }

    /// The ServiceImport `namespace/name` (of either group).
    pub fn service_import(&self, namespace: &str, name: &str) -> Option<&'a ServiceImport> {
        get(&self.imports, namespace, name).copied()
    }

    /// The settings of the TargetGroupPolicy that shapes the target groups of `kind` (`Service`
    /// or `ServiceExport`) `namespace/name`, if one does.
    pub fn target_group_settings(&self, kind: &str, namespace: &str, name: &str) -> Option<&TargetGroupSettings> {
        if self.snapshot.target_group_policies.is_empty() {
            return None;
        }
        let policies = self.policies.get_or_init(|| target_group_policy::settings(self.snapshot));
        policies.get(&ObjectRef::new(kind, namespace, name))
    }
}

/// Observed services and target groups by name, built once per translation or plan. When two
/// share a name, the first one in the observed state is found, like a scan would find it.
pub struct ObservedIndex<'a> {
    observed: &'a ObservedState,
    services: HashMap<&'a str, &'a ObservedService>,
    target_groups: HashMap<&'a str, &'a ObservedTargetGroup>,
}

impl<'a> ObservedIndex<'a> {
    /// Indexes `observed`.
    pub fn new(observed: &'a ObservedState) -> Self {
        let mut services = HashMap::with_capacity(observed.services.len());
        for s in &observed.services {
            services.entry(s.name.as_str()).or_insert(s);
        }
        let mut target_groups = HashMap::with_capacity(observed.target_groups.len());
        for tg in &observed.target_groups {
            target_groups.entry(tg.name.as_str()).or_insert(tg);
        }
        Self { observed, services, target_groups }
    }

    /// The observed state indexed.
    pub fn state(&self) -> &'a ObservedState {
        self.observed
    }

    /// The observed service with this name.
    pub fn service(&self, name: &str) -> Option<&'a ObservedService> {
        self.services.get(name).copied()
    }

    /// The observed target group with this name.
    pub fn target_group(&self, name: &str) -> Option<&'a ObservedTargetGroup> {
        self.target_groups.get(name).copied()
    }
}
