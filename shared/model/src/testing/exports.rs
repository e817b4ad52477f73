//! Builder of ServiceExports.

use serde_json::{Value, json};

use super::objects::{AddTo, from_json, meta, push};
use crate::exports::{ANNOTATION_FEDERATION, FEDERATION_LATTICE};
use crate::snapshot::ClusterSnapshot;

/// Builder of a ServiceExport.
pub struct ExportB(Value);

/// A ServiceExport handed to us (federation annotation set), without exported ports.
pub fn mk_export(ns: &str, name: &str) -> ExportB {
    let mut m = meta(Some(ns), name);
    m["annotations"] = json!({ANNOTATION_FEDERATION: FEDERATION_LATTICE});
    ExportB(json!({
        "apiVersion": "application-networking.k8s.aws/v1alpha1",
        "kind": "ServiceExport",
        "metadata": m,
        "spec": {},
    }))
}

impl ExportB {
    /// Appends a `spec.exportedPorts` entry.
    pub fn port(mut self, port: i32, route_type: &str) -> Self {
        push(&mut self.0["spec"], "exportedPorts", json!({"port": port, "routeType": route_type}));
        self
    }

    /// Sets `spec.exportedPorts` to an empty list.
    pub fn no_ports(mut self) -> Self {
        self.0["spec"]["exportedPorts"] = json!([]);
        self
    }

    /// Sets an annotation.
    pub fn annotation(mut self, key: &str, value: &str) -> Self {
        self.0["metadata"]["annotations"][key] = json!(value);
        self
    }

    /// Removes an annotation.
    pub fn without(mut self, key: &str) -> Self {
        if let Some(a) = self.0["metadata"]["annotations"].as_object_mut() {
            a.remove(key);
        }
        self
    }

    /// Sets `status`.
    pub fn status(mut self, status: Value) -> Self {
        self.0["status"] = status;
        self
    }
}

impl AddTo for ExportB {
    fn add_to(self, s: &mut ClusterSnapshot) {
        s.service_exports.push(from_json(self.0));
    }
}
