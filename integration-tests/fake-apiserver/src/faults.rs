//! Faults a test can inject: failed requests, truncated listings, concurrent writers, expired tokens.

use std::collections::BTreeSet;

use crate::store::Key;

/// The kind of request a [`Fault::Fail`] applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultOp {
    /// A list (GET of a collection).
    List,
    /// A get of one object or of its status.
    Get,
    /// A create, replace, patch or delete, of the object or its status.
    Write,
}

/// A fault to inject with [`RunningApi::set_fault`](crate::RunningApi::set_fault).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The next `times` requests of kind `op` on resource `plural` fail with HTTP `code` and a `Status`
    /// body with the usual reason (429 also carries `Retry-After: 1`).
    Fail {
        /// Which requests.
        op: FaultOp,
        /// The plural resource name (any group and version).
        plural: String,
        /// How many requests fail.
        times: u32,
        /// The HTTP status code.
        code: u16,
    },
    /// The next paginated list (one with `limit`) of `plural` returns a first page with a continue token,
    /// even if every item fit, and the continuation of that token fails with 500: a partial listing.
    TruncateList {
        /// The plural resource name.
        plural: String,
    },
    /// The next write to the object at `path` (any version; the object or its status) gets 409 Conflict
    /// even with the right resourceVersion, after the object's resourceVersion is bumped as if another
    /// client had written it.
    ConflictNextWrite {
        /// The object's path, e.g. `/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/rates`.
        path: String,
    },
    /// Forget every list snapshot, so that every continue token issued so far gets 410 Gone (`Expired`),
    /// as after an etcd compaction.
    ExpireContinueTokens,
}

impl Fault {
    /// [`Fault::Fail`].
    pub fn fail(op: FaultOp, plural: impl Into<String>, times: u32, code: u16) -> Self {
        Fault::Fail { op, plural: plural.into(), times, code }
    }

    /// [`Fault::TruncateList`].
    pub fn truncate_list(plural: impl Into<String>) -> Self {
        Fault::TruncateList { plural: plural.into() }
    }

    /// [`Fault::ConflictNextWrite`].
    pub fn conflict_next_write(path: impl Into<String>) -> Self {
        Fault::ConflictNextWrite { path: path.into() }
    }
}

/// The faults armed now.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    fails: Vec<(FaultOp, String, u32, u16)>,
    truncate: BTreeSet<String>,
    truncated_tokens: BTreeSet<String>,
    conflicts: BTreeSet<Key>,
}

impl Faults {
    /// Arms a failure.
    pub(crate) fn add_fail(&mut self, op: FaultOp, plural: String, times: u32, code: u16) {
        if times > 0 {
            self.fails.push((op, plural, times, code));
        }
    }

    /// Arms a truncated listing.
    pub(crate) fn add_truncate(&mut self, plural: String) {
        self.truncate.insert(plural);
    }

    /// Arms a conflict on an object.
    pub(crate) fn add_conflict(&mut self, key: Key) {
        self.conflicts.insert(key);
    }

    /// The status code this request must fail with, consuming one armed failure.
    pub(crate) fn take_fail(&mut self, op: FaultOp, plural: &str) -> Option<u16> {
        let index = self.fails.iter().position(|(o, p, _, _)| *o == op && p == plural)?;
        let entry = &mut self.fails[index];
        entry.2 -= 1;
        let code = entry.3;
        if entry.2 == 0 {
            self.fails.remove(index);
        }
        Some(code)
    }

    /// Whether this first page of a paginated list must be truncated (consumes the fault).
    pub(crate) fn take_truncate(&mut self, plural: &str) -> bool {
        self.truncate.remove(plural)
    }

    /// Remembers a continue token whose continuation must fail.
    pub(crate) fn poison_token(&mut self, token: String) {
        self.truncated_tokens.insert(token);
    }

    /// Whether this continuation must fail (consumes the token).
    pub(crate) fn take_poisoned(&mut self, token: &str) -> bool {
        self.truncated_tokens.remove(token)
    }

    /// Whether this write must conflict (consumes the fault).
    pub(crate) fn take_conflict(&mut self, key: &Key) -> bool {
        self.conflicts.remove(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_counted_per_op_and_plural() {
        let mut faults = Faults::default();
        faults.add_fail(FaultOp::List, "httproutes".into(), 2, 503);
        assert_eq!(faults.take_fail(FaultOp::Get, "httproutes"), None);
        assert_eq!(faults.take_fail(FaultOp::List, "gateways"), None);
        assert_eq!(faults.take_fail(FaultOp::List, "httproutes"), Some(503));
        assert_eq!(faults.take_fail(FaultOp::List, "httproutes"), Some(503));
        assert_eq!(faults.take_fail(FaultOp::List, "httproutes"), None);
    }
}
