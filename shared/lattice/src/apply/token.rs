//! Idempotency tokens of create calls.
//!
//! A token is derived from the run, the operation and the resolved request, so that a create
//! retried within a run (by the SDK after a timeout, or after waiting for a resource in
//! progress) carries the same token and can never make a duplicate. The run is part of the
//! derivation because Lattice answers a known token with the *original* result for a while: a
//! later run that re-creates a resource someone deleted must not be told "already done".

use model::names::fnv1a;
use model::plan::Action;

/// The identity of one `apply` run within the token space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Run {
    /// Distinguishes processes.
    pub(super) seed: u64,
    /// Distinguishes runs of one process.
    pub(super) number: u64,
}

/// The `clientToken` of a create (32 lowercase hex digits; the API takes 1 to 64 characters).
pub(super) fn client_token(run: Run, action: &Action) -> String {
    let request = serde_json::to_string(action).unwrap_or_else(|_| format!("{action:?}"));
    let material = format!("{}/{}/{}/{request}", run.seed, run.number, action.op());
    let high = fnv1a(material.as_bytes());
    let low = fnv1a(format!("{high:016x}{material}").as_bytes());
    format!("{high:016x}{low:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::plan::action::{CreateService, CreateServiceNetwork};

    fn service(name: &str) -> Action {
        Action::CreateService(CreateService {
            name: name.into(),
            custom_domain_name: None,
            certificate_arn: None,
            tags: Default::default(),
        })
    }

    #[test]
    fn a_token_is_stable_for_a_request_within_a_run() {
        let run = Run { seed: 7, number: 0 };
        let token = client_token(run, &service("rates-default"));
        assert_eq!(token, client_token(run, &service("rates-default")));
        assert_eq!(token.len(), 32);
        assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn tokens_differ_by_request_operation_and_run() {
        let run = Run { seed: 7, number: 0 };
        let token = client_token(run, &service("rates-default"));
        assert_ne!(token, client_token(run, &service("parking-default")));
        let network = Action::CreateServiceNetwork(CreateServiceNetwork {
            name: "rates-default".into(),
            tags: Default::default(),
        });
        assert_ne!(token, client_token(run, &network));
        assert_ne!(token, client_token(Run { seed: 7, number: 1 }, &service("rates-default")));
        assert_ne!(token, client_token(Run { seed: 8, number: 0 }, &service("rates-default")));
    }
}
