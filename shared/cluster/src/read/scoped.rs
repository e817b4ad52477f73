//! The objects one route needs, fetched by name instead of listing the cluster.

use std::collections::BTreeSet;

use model::backends::{ANNOTATION_EXPORT_NAME, ANNOTATION_TARGET_GROUP_ARN};
use model::route::{GATEWAY_GROUP, routes};
use model::snapshot::{ObjectRef, name_of, namespace_of};

use super::kinds::{self, ENDPOINT_SLICE, GATEWAY, GATEWAY_CLASS, NAMESPACE, REFERENCE_GRANT, SERVICE, SERVICE_EXPORT};
use super::{Collector, ListRequest, ReadResult};
use crate::client::Cluster;
use crate::error::Error;

/// Label that ties an EndpointSlice to its Service.
const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

impl Cluster {
    /// Reads what translating the route `route` (kind `HTTPRoute`, `GRPCRoute` or `TLSRoute`) needs: the route,
    /// its parent Gateways and their GatewayClasses, the route's Namespace (for `allowedRoutes` selectors), its
    /// backend Services with their EndpointSlices and ServiceImports (with the ServiceExport each discovers), the
    /// ReferenceGrants of the backend namespaces other than the route's, and the policies that can shape the route's Lattice resources
    /// (TargetGroupPolicy, AccessLogPolicy, IAMAuthPolicy, where their CRDs are installed).
    ///
    /// A route that does not exist (or whose kind is not installed) gives an empty snapshot with the route in
    /// [`ReadResult::missing`]; a route that cannot be converted gives an empty snapshot with the route in
    /// [`ReadResult::unreadable`]. Failed requests are errors, as in [`Cluster::snapshot`].
    pub async fn snapshot_for_route(&self, route: &ObjectRef) -> Result<ReadResult, Error> {
        let kind =
            kinds::route_kind(&route.kind).ok_or_else(|| Error::UnsupportedRouteKind { kind: route.kind.clone() })?;
        let mut collector = Collector::default();
        let Some(version) = self.served_version(&kind).await? else {
            collector.missing(route.clone());
            return Ok(collector.finish());
        };
        if !self.get_into(&kind, version, &route.namespace, &route.name, &mut collector).await?
            || collector.is_unreadable(route)
        {
            return Ok(collector.finish());
        }
        let Some(parsed) = routes(collector.snapshot()).into_iter().next() else {
            return Ok(collector.finish());
        };

        let parents: BTreeSet<(String, String)> = parsed
            .parent_refs
            .iter()
            .filter(|p| p.group == GATEWAY_GROUP && p.kind == "Gateway")
            .map(|p| (p.namespace.clone().unwrap_or_else(|| parsed.namespace.clone()), p.name.clone()))
            .collect();
        if !parents.is_empty()
            && let Some(version) = self.served_version(&GATEWAY).await?
        {
            for (namespace, name) in &parents {
                self.get_into(&GATEWAY, version, namespace, name, &mut collector).await?;
            }
        }
        let classes: BTreeSet<String> =
            collector.snapshot().gateways.iter().map(|g| g.spec.gateway_class_name.clone()).collect();
        if !classes.is_empty()
            && let Some(version) = self.served_version(&GATEWAY_CLASS).await?
        {
            for class in &classes {
                self.get_into(&GATEWAY_CLASS, version, "", class, &mut collector).await?;
            }
        }
        self.get_into(&NAMESPACE, "v1", "", &parsed.namespace, &mut collector).await?;

        let backends: BTreeSet<(String, String, String, String)> = parsed
            .rules
            .iter()
            .flat_map(|r| &r.backends)
            .map(|b| (b.group.clone(), b.kind.clone(), b.namespace.clone(), b.name.clone()))
            .collect();
        let mut backend_namespaces = BTreeSet::new();
        for (group, kind, namespace, name) in &backends {
            if kind == "Service" && group.is_empty() {
                if self.get_into(&SERVICE, "v1", namespace, name, &mut collector).await? {
                    let selector = format!("{SERVICE_NAME_LABEL}={name}");
                    let request = ListRequest {
                        kind: &ENDPOINT_SLICE,
                        version: "v1",
                        namespace: Some(namespace),
                        label_selector: Some(&selector),
                    };
                    self.list_into(request, &mut collector).await?;
                }
            } else if let Some(import) = kinds::service_import_kind(group).filter(|_| kind == "ServiceImport") {
                match self.served_version(&import).await? {
                    Some(version) => {
                        if self.get_into(&import, version, namespace, name, &mut collector).await? {
                            self.export_of_import(namespace, name, &mut collector).await?;
                        }
                    }
                    None => collector.missing(ObjectRef::new(kind, namespace, name)),
                }
            } else {
                // Not a backend kind the controller supports: translation reports it; nothing to read.
                continue;
            }
            backend_namespaces.insert(namespace.clone());
        }
        // Policies that shape what this route produces (TargetGroupPolicies of its backends, auth and
        // access-log policies of the route and its Gateways): one list per kind across namespaces, as there
        // are few of them and they may sit in any of the namespaces involved.
        for kind in &kinds::ROUTE_POLICIES {
            let Some(version) = self.served_version(kind).await? else { continue };
            let request = ListRequest { kind, version, namespace: None, label_selector: None };
            self.list_into(request, &mut collector).await?;
        }
        backend_namespaces.remove(&parsed.namespace);
        if !backend_namespaces.is_empty()
            && let Some(version) = self.served_version(&REFERENCE_GRANT).await?
        {
            for namespace in &backend_namespaces {
                let request =
                    ListRequest { kind: &REFERENCE_GRANT, version, namespace: Some(namespace), label_selector: None };
                self.list_into(request, &mut collector).await?;
            }
        }
        let result = collector.finish();
        tracing::info!(
            route = %route,
            gateways = result.snapshot.gateways.len(),
            services = result.snapshot.services.len(),
            missing = result.missing.len(),
            unreadable = result.unreadable.len(),
            "Read one route and what it refers to"
        );
        Ok(result)
    }

    /// This cluster's ServiceExport that ServiceImport `namespace/name` discovers (the import's
    /// `export-name`, or its own name), where the ServiceExport kind is installed: whether our own
    /// exported target group still counts depends on it. Imports of an external target group
    /// discover none.
    async fn export_of_import(&self, namespace: &str, name: &str, collector: &mut Collector) -> Result<(), Error> {
        let annotations = collector
            .snapshot()
            .service_imports
            .iter()
            .find(|i| namespace_of(&i.metadata) == namespace && name_of(&i.metadata) == name)
            .and_then(|i| i.metadata.annotations.clone())
            .unwrap_or_default();
        if annotations.contains_key(ANNOTATION_TARGET_GROUP_ARN) {
            return Ok(());
        }
        let export = annotations
            .get(ANNOTATION_EXPORT_NAME)
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| name.to_owned());
        if let Some(version) = self.served_version(&SERVICE_EXPORT).await? {
            self.get_into(&SERVICE_EXPORT, version, namespace, &export, collector).await?;
        }
        Ok(())
    }
}
