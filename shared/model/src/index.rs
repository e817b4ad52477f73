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
    /// Positions in `slice_lists`.
    slices: ByKey<'a, usize>,
    /// The EndpointSlices of each Service, in snapshot order.
    slice_lists: Vec<Vec<&'a EndpointSlice>>,
    imports: ByKey<'a, &'a ServiceImport>,
    /// Decided on the first lookup.
    policies: OnceCell<BTreeMap<ObjectRef, TargetGroupSettings>>,
}

/// Values by `(namespace, name)`.
type ByKey<'a, V> = HashMap<(&'a str, &'a str), V>;

/// The value of `namespace/name` (the keys' lifetime shrinks to the arguments').
fn lookup<'k, V: Copy>(map: &HashMap<(&'k str, &'k str), V>, namespace: &'k str, name: &'k str) -> Option<V> {
    map.get(&(namespace, name)).copied()
}

impl<'a> SnapshotIndex<'a> {
    /// Indexes `snapshot`.
    pub fn new(snapshot: &'a ClusterSnapshot) -> Self {
        let mut services: ByKey<'a, &'a Service> = HashMap::with_capacity(snapshot.services.len());
        for s in &snapshot.services {
            services.entry((namespace_of(&s.metadata), name_of(&s.metadata))).or_insert(s);
        }
        let mut slices: ByKey<'a, usize> = HashMap::with_capacity(snapshot.endpoint_slices.len());
        let mut slice_lists: Vec<Vec<&'a EndpointSlice>> = Vec::new();
        for s in &snapshot.endpoint_slices {
            let labels = s.metadata.labels.as_ref();
            if let Some(service) = labels.and_then(|l| l.get(LABEL_SERVICE_NAME)) {
                let list = *slices.entry((namespace_of(&s.metadata), service.as_str())).or_insert_with(|| {
                    slice_lists.push(Vec::new());
                    slice_lists.len() - 1
                });
                slice_lists[list].push(s);
            }
        }
        let mut imports: ByKey<'a, &'a ServiceImport> = HashMap::with_capacity(snapshot.service_imports.len());
        for i in &snapshot.service_imports {
            imports.entry((namespace_of(&i.metadata), name_of(&i.metadata))).or_insert(i);
        }
        Self { snapshot, services, slices, slice_lists, imports, policies: OnceCell::new() }
    }

    /// The snapshot indexed.
    pub fn snapshot(&self) -> &'a ClusterSnapshot {
        self.snapshot
    }

    /// The Service `namespace/name`.
    pub fn service(&self, namespace: &str, name: &str) -> Option<&'a Service> {
        lookup(&self.services, namespace, name)
    }

    /// The EndpointSlices of Service `namespace/name` (by their `kubernetes.io/service-name`
    /// label), in snapshot order.
    pub fn endpoint_slices(&self, namespace: &str, service: &str) -> &[&'a EndpointSlice] {
        lookup(&self.slices, namespace, service).map_or(&[], |i| self.slice_lists[i].as_slice())
    }

    /// The ServiceImport `namespace/name` (of either group).
    pub fn service_import(&self, namespace: &str, name: &str) -> Option<&'a ServiceImport> {
        lookup(&self.imports, namespace, name)
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
