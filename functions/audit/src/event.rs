//! The part of an `audit.k8s.io/v1` Event the audit function reads.

use serde::Deserialize;

/// An audit event (only the fields the filter needs; bodies are never read).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    /// Unique per request, the same across its stages.
    #[serde(rename = "auditID")]
    pub audit_id: String,
    /// `RequestReceived`, `ResponseStarted`, `ResponseComplete` or `Panic`.
    pub stage: String,
    /// The request path, e.g. `/api/v1/namespaces/shop/services/rates`.
    #[serde(rename = "requestURI", default)]
    pub request_uri: String,
    /// `create`, `update`, `patch`, `delete`, ... (lower case).
    pub verb: String,
    /// Who made the request.
    #[serde(default)]
    pub user: Option<UserInfo>,
    /// The object; absent for non-resource requests.
    #[serde(default)]
    pub object_ref: Option<ObjectReference>,
    /// The response's status.
    #[serde(default)]
    pub response_status: Option<ResponseStatus>,
}

/// The requesting user.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct UserInfo {
    /// The Kubernetes username.
    #[serde(default)]
    pub username: Option<String>,
}

/// The object a request was about (every field optional, as in the API).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ObjectReference {
    /// Plural resource, e.g. `httproutes`.
    #[serde(default)]
    pub resource: Option<String>,
    /// Namespace, for namespaced resources.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Name; absent for `deletecollection` and `create` with `generateName`.
    #[serde(default)]
    pub name: Option<String>,
    /// API group; absent for the core group.
    #[serde(default)]
    pub api_group: Option<String>,
    /// Subresource, e.g. `status`.
    #[serde(default)]
    pub subresource: Option<String>,
}

/// The response status (`metav1.Status`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct ResponseStatus {
    /// HTTP status code.
    #[serde(default)]
    pub code: Option<i64>,
}
