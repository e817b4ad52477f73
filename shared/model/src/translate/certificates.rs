//! ACM discovery for a route on an HTTPS listener that names no certificate.

use crate::certificates::best_match;
use crate::names::OPTION_CERTIFICATE_ARN;
use crate::observed::ObservedState;

/// The certificate for `domain`: `Ok(None)` while the certificates have not been read (the
/// caller reads them when some route needs one, then translates again), the best issued match,
/// or the message for `CertificateNotFound`.
pub(super) fn discover(observed: &ObservedState, domain: &str) -> Result<Option<String>, String> {
    let Some(certificates) = &observed.certificates else { return Ok(None) };
    match best_match(certificates, domain) {
        Some(c) => Ok(Some(c.arn.clone())),
        None => Err(format!(
            "No ISSUED ACM certificate covers {domain} (by exact name or one-level wildcard) for the HTTPS listener; request or import one in ACM, or set tls.options[{OPTION_CERTIFICATE_ARN}] on the listener"
        )),
    }
}
