//! The `ExecCredential` object a kubeconfig `exec` plugin prints, as `aws eks get-token` prints it.

use std::fmt;
use std::time::{Duration, SystemTime};

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde::{Deserialize, Serialize};

use super::epoch_seconds;
use crate::error::Error;

/// How long after minting `aws eks get-token` says its token expires (`expirationTimestamp`); the API server
/// accepts the token for 15 minutes, and clients such as client-go refresh it before this time.
pub const EXEC_CREDENTIAL_LIFETIME: Duration = Duration::from_secs(14 * 60);

/// `apiVersion` of the client authentication API, chosen from `KUBERNETES_EXEC_INFO` the way awscli does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ExecApiVersion {
    /// `client.authentication.k8s.io/v1`.
    #[serde(rename = "client.authentication.k8s.io/v1")]
    V1,
    /// `client.authentication.k8s.io/v1beta1`: the default.
    #[default]
    #[serde(rename = "client.authentication.k8s.io/v1beta1")]
    V1Beta1,
    /// `client.authentication.k8s.io/v1alpha1`: deprecated, echoed only when the caller asks for it.
    #[serde(rename = "client.authentication.k8s.io/v1alpha1")]
    V1Alpha1,
}

impl ExecApiVersion {
    /// Picks the version from the contents of `KUBERNETES_EXEC_INFO` (read by the caller, `None` when unset).
    ///
    /// Like awscli: a recognised `apiVersion` is echoed; an absent, empty, malformed or unknown value falls back
    /// to v1beta1 (awscli prints a warning on stderr in the last two cases, which callers may do too).
    pub fn from_exec_info(exec_info: Option<&str>) -> Self {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct ExecInfo {
            api_version: Option<serde_json::Value>,
        }
        exec_info
            .and_then(|raw| serde_json::from_str::<ExecInfo>(raw).ok())
            .and_then(|info| info.api_version)
            .and_then(|version| serde_json::from_value(version).ok())
            .unwrap_or_default()
    }
}

/// Marker serialized as `"kind": "ExecCredential"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Kind {
    ExecCredential,
}

/// The empty `spec` object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Spec {}

/// The `status` object.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    expiration_timestamp: String,
    token: String,
}

impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Status")
            .field("expiration_timestamp", &self.expiration_timestamp)
            .field("token", &"** redacted **")
            .finish()
    }
}

/// A kubeconfig exec-plugin credential carrying an EKS token.
///
/// Serializes (with `serde_json::to_string`) to exactly
/// `{"kind":"ExecCredential","apiVersion":"…","spec":{},"status":{"expirationTimestamp":"…","token":"…"}}`,
/// the object `aws eks get-token` prints. `Debug` redacts the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecCredential {
    kind: Kind,
    api_version: ExecApiVersion,
    spec: Spec,
    status: Status,
}

impl ExecCredential {
    /// Wraps `token`, minted at `now`, with an expiration of `now` + 14 minutes (truncated to the second) and the
    /// API version that `exec_info` (the caller's `KUBERNETES_EXEC_INFO`, if any) asks for.
    pub fn new(token: String, now: SystemTime, exec_info: Option<&str>) -> Result<Self, Error> {
        let expiration = epoch_seconds(now)
            .and_then(|seconds| {
                let seconds = i64::try_from(seconds + EXEC_CREDENTIAL_LIFETIME.as_secs())?;
                Ok(DateTime::from_secs(seconds).fmt(Format::DateTime)?)
            })
            .map_err(|source| Error::FormatExpiration { source })?;
        Ok(Self {
            kind: Kind::ExecCredential,
            api_version: ExecApiVersion::from_exec_info(exec_info),
            spec: Spec {},
            status: Status { expiration_timestamp: expiration, token },
        })
    }

    /// The `apiVersion` field.
    pub fn api_version(&self) -> ExecApiVersion {
        self.api_version
    }

    /// `status.expirationTimestamp`: RFC 3339, UTC, whole seconds (`2024-01-15T12:14:00Z`).
    pub fn expiration_timestamp(&self) -> &str {
        &self.status.expiration_timestamp
    }

    /// `status.token`.
    pub fn token(&self) -> &str {
        &self.status.token
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    const NOW: u64 = 1_705_320_000; // 2024-01-15T12:00:00Z

    fn credential(now: SystemTime, exec_info: Option<&str>) -> ExecCredential {
        ExecCredential::new("k8s-aws-v1.abc".to_owned(), now, exec_info).expect("credential")
    }

    #[test]
    fn serializes_like_awscli_with_v1beta1_by_default() {
        let json = serde_json::to_string(&credential(UNIX_EPOCH + Duration::from_secs(NOW), None)).expect("json");
        assert_eq!(
            json,
            r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{},"status":{"expirationTimestamp":"2024-01-15T12:14:00Z","token":"k8s-aws-v1.abc"}}"#
        );
    }

    #[test]
    fn v1_when_exec_info_asks_for_it() {
        let info =
            r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#;
        let cred = credential(UNIX_EPOCH + Duration::from_secs(NOW), Some(info));
        assert_eq!(cred.api_version(), ExecApiVersion::V1);
        let json = serde_json::to_string(&cred).expect("json");
        assert!(json.starts_with(r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","#));
    }

    #[test]
    fn exec_info_fallbacks_match_awscli() {
        let version = |info: Option<&str>| ExecApiVersion::from_exec_info(info);
        assert_eq!(version(None), ExecApiVersion::V1Beta1);
        assert_eq!(version(Some("")), ExecApiVersion::V1Beta1);
        assert_eq!(version(Some("{not json")), ExecApiVersion::V1Beta1);
        assert_eq!(version(Some("[]")), ExecApiVersion::V1Beta1);
        assert_eq!(version(Some("{}")), ExecApiVersion::V1Beta1);
        assert_eq!(version(Some(r#"{"apiVersion":7}"#)), ExecApiVersion::V1Beta1);
        assert_eq!(version(Some(r#"{"apiVersion":"client.authentication.k8s.io/v2"}"#)), ExecApiVersion::V1Beta1);
        assert_eq!(version(Some(r#"{"apiVersion":"client.authentication.k8s.io/v1beta1"}"#)), ExecApiVersion::V1Beta1);
        assert_eq!(
            version(Some(r#"{"apiVersion":"client.authentication.k8s.io/v1alpha1"}"#)),
            ExecApiVersion::V1Alpha1
        );
    }

    #[test]
    fn expiration_is_fourteen_minutes_later_truncated_to_the_second() {
        let now = UNIX_EPOCH + Duration::from_millis(1_709_251_199_999); // 2024-02-29T23:59:59.999Z
        assert_eq!(credential(now, None).expiration_timestamp(), "2024-03-01T00:13:59Z");
        let year_end = UNIX_EPOCH + Duration::from_secs(1_767_225_030); // 2025-12-31T23:50:30Z
        assert_eq!(credential(year_end, None).expiration_timestamp(), "2026-01-01T00:04:30Z");
    }

    #[test]
    fn unrepresentable_expiration_is_an_error() {
        let err = ExecCredential::new(String::new(), UNIX_EPOCH - Duration::from_secs(1), None).expect_err("pre-epoch");
        assert!(matches!(err, Error::FormatExpiration { .. }));
    }

    #[test]
    fn round_trips_and_debug_hides_the_token() {
        let cred = credential(UNIX_EPOCH + Duration::from_secs(NOW), None);
        let json = serde_json::to_string(&cred).expect("json");
        assert_eq!(serde_json::from_str::<ExecCredential>(&json).expect("parse"), cred);
        assert_eq!(cred.token(), "k8s-aws-v1.abc");
        assert!(!format!("{cred:?}").contains("k8s-aws-v1.abc"));
    }
}
