//! ReferenceGrant checks for cross-namespace references.

use gateway_api::referencegrants::ReferenceGrant;

use crate::snapshot::namespace_of;

/// One side of a reference: the API group and kind of an object, and its namespace.
#[derive(Clone, Copy, Debug)]
pub struct From<'a> {
    /// Group of the referring object (`gateway.networking.k8s.io`).
    pub group: &'a str,
    /// Kind of the referring object.
    pub kind: &'a str,
    /// Namespace of the referring object.
    pub namespace: &'a str,
}

/// The referenced object.
#[derive(Clone, Copy, Debug)]
pub struct To<'a> {
    /// Group of the target (`""` for core).
    pub group: &'a str,
    /// Kind of the target.
    pub kind: &'a str,
    /// Namespace of the target.
    pub namespace: &'a str,
    /// Name of the target.
    pub name: &'a str,
}

/// Whether the reference is allowed: same namespace, or a ReferenceGrant in the target's
/// namespace has a matching `from` entry and a matching `to` entry.
pub fn permitted(grants: &[ReferenceGrant], from: From<'_>, to: To<'_>) -> bool {
    if from.namespace == to.namespace {
        return true;
    }
    grants.iter().filter(|g| namespace_of(&g.metadata) == to.namespace).any(|g| {
        g.spec.from.iter().any(|f| f.group == from.group && f.kind == from.kind && f.namespace == from.namespace)
            && g.spec
                .to
                .iter()
                .any(|t| t.group == to.group && t.kind == to.kind && t.name.as_deref().is_none_or(|n| n == to.name))
    })
}
