//! The issued ACM certificates, for HTTPS listeners that name no certificate.
//!
//! `ListCertificates` returns only RSA_2048 certificates unless `Includes.keyTypes` says
//! otherwise, so every key type VPC Lattice can serve is asked for; the status filter keeps the
//! list to `ISSUED` ones.

use aws_sdk_acm::types::{CertificateStatus, Filters, KeyAlgorithm};
use model::certificates::ObservedCertificate;

use crate::client::Lattice;
use crate::error::Error;

/// Largest page `ListCertificates` serves.
const PAGE_SIZE: i32 = 1000;

/// Every key type the filter can name (RSA 1024 to 4096, ECDSA P-256 to P-521).
fn key_types() -> Vec<KeyAlgorithm> {
    KeyAlgorithm::values().iter().map(|v| KeyAlgorithm::from(*v)).collect()
}

fn seconds(time: Option<&aws_smithy_types::DateTime>) -> Option<i64> {
    time.map(aws_smithy_types::DateTime::secs)
}

impl Lattice {
    /// Every issued ACM certificate of the account in the region, whatever its key type.
    pub async fn certificates(&self) -> Result<Vec<ObservedCertificate>, Error> {
        let includes = Filters::builder().set_key_types(Some(key_types())).build();
        let items = self
            .inner
            .acm
            .list_certificates()
            .certificate_statuses(CertificateStatus::Issued)
            .includes(includes)
            .max_items(PAGE_SIZE)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| Error::ListCertificates { source: Box::new(e.into()) })?;
        items
            .iter()
            .map(|c| {
                let arn = super::required(c.certificate_arn(), "ListCertificates", "certificate", "CertificateArn")?;
                Ok(ObservedCertificate {
                    arn: arn.to_owned(),
                    domain_name: c.domain_name().map(str::to_owned),
                    subject_alternative_names: c.subject_alternative_name_summaries().to_vec(),
                    status: c.status().map_or_else(String::new, |s| s.as_str().to_owned()),
                    key_algorithm: c.key_algorithm().map(|k| k.as_str().to_owned()),
                    issued_at: seconds(c.issued_at()),
                    imported_at: seconds(c.imported_at()),
                    created_at: seconds(c.created_at()),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_type_is_asked_for() {
        let names: Vec<String> = key_types().iter().map(|k| k.as_str().to_owned()).collect();
        for wanted in ["RSA_2048", "RSA_4096", "EC_prime256v1", "EC_secp384r1"] {
            assert!(names.iter().any(|n| n == wanted), "{names:?}");
        }
    }
}
