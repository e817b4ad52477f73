//! Failed requests as `metav1.Status` bodies, with the reasons and messages a real API server uses.

use serde_json::{Value, json};

use crate::resources::ResourceType;

/// A request that failed, rendered as a `Status` object with HTTP status `code`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ApiError {
    /// HTTP status code.
    pub code: u16,
    /// The machine-readable reason (`NotFound`, `Conflict`, ...).
    pub reason: &'static str,
    /// A human-readable message.
    pub message: String,
    /// `details` of the Status, if any.
    pub details: Option<Value>,
}

/// The reason a real server gives with an HTTP status code.
pub(crate) fn reason_for(code: u16) -> &'static str {
    match code {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        409 => "Conflict",
        410 => "Expired",
        413 => "RequestEntityTooLarge",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "Unknown",
    }
}

fn details(r: &ResourceType, name: Option<&str>) -> Value {
    let mut d = json!({"group": r.group(), "kind": r.plural});
    if let (Some(name), Some(map)) = (name, d.as_object_mut()) {
        map.insert("name".into(), name.into());
    }
    d
}

impl ApiError {
    /// An error with the usual reason for `code`.
    pub(crate) fn new(code: u16, message: impl Into<String>) -> Self {
        ApiError { code, reason: reason_for(code), message: message.into(), details: None }
    }

    /// 400 BadRequest.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(400, message)
    }

    /// 401 Unauthorized.
    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::new(401, message)
    }

    /// 404 for a path the server does not serve (unknown or absent group, version or resource).
    pub(crate) fn no_route() -> Self {
        let mut e = ApiError::new(404, "the server could not find the requested resource");
        e.details = Some(json!({}));
        e
    }

    /// 404 for a missing object.
    pub(crate) fn not_found(r: &ResourceType, name: &str) -> Self {
        let mut e = ApiError::new(404, format!("{} \"{name}\" not found", r.qualified()));
        e.details = Some(details(r, Some(name)));
        e
    }

    /// 409 AlreadyExists on create.
    pub(crate) fn already_exists(r: &ResourceType, name: &str) -> Self {
        let mut e = ApiError::new(409, format!("{} \"{name}\" already exists", r.qualified()));
        e.reason = "AlreadyExists";
        e.details = Some(details(r, Some(name)));
        e
    }

    /// 409 Conflict: the object changed since the client read it.
    pub(crate) fn conflict(r: &ResourceType, name: &str) -> Self {
        let mut e = ApiError::new(
            409,
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your \
                 changes to the latest version and try again",
                r.qualified()
            ),
        );
        e.details = Some(details(r, Some(name)));
        e
    }

    /// 409 Conflict from a failed precondition.
    pub(crate) fn precondition(r: &ResourceType, name: &str, message: String) -> Self {
        let mut e =
            ApiError::new(409, format!("Operation cannot be fulfilled on {} \"{name}\": {message}", r.qualified()));
        e.details = Some(details(r, Some(name)));
        e
    }

    /// 422 Invalid, with one cause.
    pub(crate) fn invalid(r: &ResourceType, name: &str, field: &str, message: &str) -> Self {
        let subject = if r.group().is_empty() { r.kind.to_string() } else { format!("{}.{}", r.kind, r.group()) };
        let mut e = ApiError::new(422, format!("{subject} \"{name}\" is invalid: {field}: {message}"));
        let mut d = details(r, Some(name));
        if let Some(map) = d.as_object_mut() {
            map.insert("kind".into(), r.kind.into());
            map.insert("causes".into(), json!([{"reason": "FieldValueInvalid", "message": message, "field": field}]));
        }
        e.details = Some(d);
        e
    }

    /// 405 for a method the resource path does not allow.
    pub(crate) fn method_not_allowed() -> Self {
        ApiError::new(405, "the server does not allow this method on the requested resource")
    }

    /// 415 for a body type the endpoint does not accept.
    pub(crate) fn unsupported_media_type(message: impl Into<String>) -> Self {
        ApiError::new(415, message)
    }

    /// 410 Gone: the continue token is older than the server keeps.
    pub(crate) fn expired() -> Self {
        ApiError::new(
            410,
            "The provided continue parameter is too old to display a consistent list result. You can start a new \
             list without the continue parameter.",
        )
    }

    /// The `Status` body.
    pub(crate) fn body(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let (Some(details), Some(map)) = (&self.details, status.as_object_mut()) {
            map.insert("details".into(), details.clone());
        }
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::find;

    #[test]
    fn not_found_names_the_qualified_resource() {
        let r = find("gateway.networking.k8s.io", "v1", "httproutes").expect("httproutes");
        let body = ApiError::not_found(r, "rates").body();
        assert_eq!(body["message"], "httproutes.gateway.networking.k8s.io \"rates\" not found");
        assert_eq!(body["reason"], "NotFound");
        assert_eq!(body["code"], 404);
        assert_eq!(body["details"]["kind"], "httproutes");
    }

    #[test]
    fn invalid_names_kind_and_group() {
        let r = find("gateway.networking.k8s.io", "v1", "httproutes").expect("httproutes");
        let e = ApiError::invalid(r, "rates", "metadata.resourceVersion", "must be specified for an update");
        assert_eq!(
            e.message,
            "HTTPRoute.gateway.networking.k8s.io \"rates\" is invalid: metadata.resourceVersion: must be specified \
             for an update"
        );
        let svc = find("", "v1", "services").expect("services");
        assert!(ApiError::invalid(svc, "a", "f", "m").message.starts_with("Service \"a\" is invalid"));
    }
}
