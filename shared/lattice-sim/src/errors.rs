//! API errors as the three emulated protocols put them on the wire: VPC Lattice and EKS (restJson1,
//! `x-amzn-ErrorType` header plus JSON members) and the Resource Groups Tagging API (awsJson1_1, `__type`).

use serde_json::{Value, json};

/// One entry of a ValidationException `fieldList`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub name: String,
    pub message: String,
}

/// The `reason` member of a ValidationException.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    UnknownOperation,
    CannotParse,
    FieldValidationFailed,
    Other,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::UnknownOperation => "unknownOperation",
            Reason::CannotParse => "cannotParse",
            Reason::FieldValidationFailed => "fieldValidationFailed",
            Reason::Other => "other",
        }
    }
}

/// A modeled error answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ApiError {
    Validation { message: String, reason: Reason, fields: Vec<FieldError> },
    NotFound { message: String, resource_id: String, resource_type: &'static str },
    Conflict { message: String, resource_id: String, resource_type: &'static str },
    Quota { message: String, resource_type: &'static str, quota_code: String, resource_id: Option<String> },
    Throttling { retry_after: u32 },
    Internal { message: String, retry_after: Option<u32> },
    AccessDenied { message: String },
}

impl ApiError {
    /// A ValidationException about one field.
    pub fn field(name: impl Into<String>, message: impl Into<String>) -> Self {
        let name = name.into();
        let message = message.into();
        ApiError::Validation {
            message: format!("1 validation error detected: {name}: {message}"),
            reason: Reason::FieldValidationFailed,
            fields: vec![FieldError { name, message }],
        }
    }

    /// A ValidationException with reason `other` and no field list (semantic rules spanning fields).
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::Validation { message: message.into(), reason: Reason::Other, fields: Vec::new() }
    }

    /// A ResourceNotFoundException naming the identifier as given.
    pub fn not_found(resource_type: &'static str, resource_id: impl Into<String>) -> Self {
        let resource_id = resource_id.into();
        ApiError::NotFound {
            message: format!("{} {resource_id} not found", pretty_type(resource_type)),
            resource_id,
            resource_type,
        }
    }

    /// An AccessDeniedException: the caller's account may not do this to the resource.
    pub fn access_denied(action: &str, arn: &str) -> Self {
        ApiError::AccessDenied {
            message: format!(
                "User is not authorized to perform: vpc-lattice:{action} on resource: {arn} because it is owned by another account"
            ),
        }
    }

    /// A ConflictException.
    pub fn conflict(resource_type: &'static str, resource_id: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Conflict { message: message.into(), resource_id: resource_id.into(), resource_type }
    }

    /// A ConflictException for an operation the resource's current status does not allow.
    pub fn bad_status(resource_type: &'static str, resource_id: &str, status: &str) -> Self {
        ApiError::conflict(
            resource_type,
            resource_id,
            format!("Invalid resource status for this operation, resource id {resource_id}, status: {status}."),
        )
    }

    /// The modeled error code (the `x-amzn-ErrorType` value).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Validation { .. } => "ValidationException",
            ApiError::NotFound { .. } => "ResourceNotFoundException",
            ApiError::Conflict { .. } => "ConflictException",
            ApiError::Quota { .. } => "ServiceQuotaExceededException",
            ApiError::Throttling { .. } => "ThrottlingException",
            ApiError::Internal { .. } => "InternalServerException",
            ApiError::AccessDenied { .. } => "AccessDeniedException",
        }
    }

    /// The modeled HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Validation { .. } => 400,
            ApiError::NotFound { .. } => 404,
            ApiError::Conflict { .. } => 409,
            ApiError::Quota { .. } => 402,
            ApiError::Throttling { .. } => 429,
            ApiError::Internal { .. } => 500,
            ApiError::AccessDenied { .. } => 403,
        }
    }

    /// The message member.
    pub fn message(&self) -> String {
        match self {
            ApiError::Validation { message, .. }
            | ApiError::NotFound { message, .. }
            | ApiError::Conflict { message, .. }
            | ApiError::Quota { message, .. }
            | ApiError::Internal { message, .. }
            | ApiError::AccessDenied { message } => message.clone(),
            ApiError::Throttling { .. } => "Rate exceeded".to_owned(),
        }
    }

    /// The `Retry-After` header value, if any.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            ApiError::Throttling { retry_after } => Some(*retry_after),
            ApiError::Internal { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The restJson1 body (VPC Lattice members).
    pub fn lattice_body(&self) -> Value {
        let message = self.message();
        match self {
            ApiError::Validation { reason, fields, .. } => {
                let list: Vec<Value> = fields.iter().map(|f| json!({"name": f.name, "message": f.message})).collect();
                if list.is_empty() {
                    json!({"message": message, "reason": reason.as_str()})
                } else {
                    json!({"message": message, "reason": reason.as_str(), "fieldList": list})
                }
            }
            ApiError::NotFound { resource_id, resource_type, .. }
            | ApiError::Conflict { resource_id, resource_type, .. } => {
                json!({"message": message, "resourceId": resource_id, "resourceType": resource_type})
            }
            ApiError::Quota { resource_type, quota_code, resource_id, .. } => {
                let mut body = json!({"message": message, "resourceType": resource_type,
                    "serviceCode": "vpc-lattice", "quotaCode": quota_code});
                if let (Some(id), Some(map)) = (resource_id, body.as_object_mut()) {
                    map.insert("resourceId".into(), json!(id));
                }
                body
            }
            ApiError::Throttling { .. } => {
                json!({"message": message, "serviceCode": "vpc-lattice", "quotaCode": "request-rate"})
            }
            ApiError::Internal { .. } | ApiError::AccessDenied { .. } => json!({"message": message}),
        }
    }

    /// The EKS error code and body for this error.
    pub fn eks_parts(&self) -> (&'static str, Value) {
        let message = self.message();
        match self {
            ApiError::NotFound { resource_id, .. } => {
                ("ResourceNotFoundException", json!({"message": message, "clusterName": resource_id}))
            }
            ApiError::Validation { .. } => ("InvalidParameterException", json!({"message": message})),
            ApiError::Internal { .. } => ("ServerException", json!({"message": message})),
            other => (other.code(), json!({"message": message})),
        }
    }

    /// The awsJson1_1 error code for ACM (`ListCertificates` models `InvalidArgsException` and
    /// `ValidationException`).
    pub fn acm_code(&self) -> &'static str {
        match self {
            ApiError::Throttling { .. } => "ThrottlingException",
            ApiError::Internal { .. } => "InternalFailure",
            ApiError::Validation { message, .. } if message.contains("pagination token") => "InvalidArgsException",
            _ => "ValidationException",
        }
    }

    /// The awsJson1_1 error code for the Resource Groups Tagging API.
    pub fn tagging_code(&self) -> &'static str {
        match self {
            ApiError::Throttling { .. } => "ThrottledException",
            ApiError::Internal { .. } => "InternalServiceException",
            _ => "InvalidParameterException",
        }
    }
}

/// "SERVICE_NETWORK" → "ServiceNetwork" for messages.
fn pretty_type(resource_type: &str) -> String {
    resource_type
        .split('_')
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_names_the_kind() {
        let e = ApiError::not_found("SERVICE_NETWORK", "sn-1");
        assert_eq!(e.status(), 404);
        assert_eq!(e.lattice_body()["message"], "ServiceNetwork sn-1 not found");
        assert_eq!(e.lattice_body()["resourceType"], "SERVICE_NETWORK");
    }

    #[test]
    fn validation_carries_field_list() {
        let body = ApiError::field("name", "too short").lattice_body();
        assert_eq!(body["reason"], "fieldValidationFailed");
        assert_eq!(body["fieldList"][0]["name"], "name");
    }

    #[test]
    fn access_denied_is_403_with_a_message() {
        let e = ApiError::access_denied(
            "DeleteServiceNetwork",
            "arn:aws:vpc-lattice:us-west-2:444455556666:servicenetwork/sn-1",
        );
        assert_eq!((e.status(), e.code()), (403, "AccessDeniedException"));
        assert!(e.lattice_body()["message"].as_str().is_some_and(|m| m.contains("owned by another account")));
    }

    #[test]
    fn quota_is_402() {
        let e = ApiError::Quota {
            message: "m".into(),
            resource_type: "LISTENER",
            quota_code: "L-D64E952E".into(),
            resource_id: None,
        };
        assert_eq!(e.status(), 402);
        assert_eq!(e.lattice_body()["serviceCode"], "vpc-lattice");
    }
}
