//! ACM over HTTP: the adapter lists every issued certificate of every key type (ListCertificates
//! alone returns RSA_2048 ones), across pages, and counts the calls.

mod common;

use common::*;
use lattice_sim::{CertificateSpec, SimConfig};
use model::certificates::best_match;

fn spec(domain: &str, sans: &[&str], key: &str, status: &str, issued: u64) -> CertificateSpec {
    CertificateSpec {
        domain_name: domain.to_owned(),
        subject_alternative_names: sans.iter().map(|s| (*s).to_owned()).collect(),
        status: Some(status.to_owned()),
        key_algorithm: Some(key.to_owned()),
        issued_at: Some(issued),
        ..CertificateSpec::default()
    }
}

#[tokio::test]
async fn every_issued_certificate_of_every_key_type_is_listed_across_pages() {
    let sim = sim(SimConfig::default()).await;
    let ecdsa = sim.seed_certificate(&spec("rates.example.com", &[], "EC_prime256v1", "ISSUED", 2_000)).expect("seed");
    let rsa4096 =
        sim.seed_certificate(&spec("*.example.com", &["*.example.com"], "RSA_4096", "ISSUED", 3_000)).expect("seed");
    sim.seed_certificate(&spec("rates.example.com", &[], "RSA_2048", "EXPIRED", 9_000)).expect("seed");
    sim.seed_certificate(&spec("old.example.com", &[], "RSA_2048", "ISSUED", 1_000)).expect("seed");
    // Enough certificates for a second page of 1000.
    for i in 0..1000 {
        sim.seed_certificate(&spec(&format!("filler{i}.example.org"), &[], "RSA_2048", "ISSUED", 10)).expect("seed");
    }
    let lattice = adapter(&sim, fast()).await;
    sim.reset_calls();
    let certificates = lattice.certificates().await.expect("listed");
    assert_eq!(certificates.len(), 1003, "issued ones only");
    assert!(certificates.iter().all(|c| c.status == "ISSUED"));
    let by_arn = |arn: &str| certificates.iter().find(|c| c.arn == arn).expect("listed");
    assert_eq!(by_arn(&ecdsa).key_algorithm.as_deref(), Some("EC_prime256v1"));
    assert_eq!(by_arn(&ecdsa).issued_at, Some(2_000));
    assert_eq!(by_arn(&rsa4096).subject_alternative_names, ["*.example.com"]);
    assert_eq!(best_match(&certificates, "rates.example.com").map(|c| c.arn.as_str()), Some(ecdsa.as_str()));
    assert_eq!(best_match(&certificates, "parking.example.com").map(|c| c.arn.as_str()), Some(rsa4096.as_str()));
    assert_eq!(sim.calls().get("ListCertificates"), Some(&2), "{:?}", sim.calls());
    assert_eq!(lattice.calls().get("ListCertificates"), Some(&2), "the adapter counts ACM calls too");
}

#[tokio::test]
async fn an_empty_account_lists_nothing_in_one_call() {
    let sim = sim(SimConfig::default()).await;
    let lattice = adapter(&sim, fast()).await;
    assert!(lattice.certificates().await.expect("listed").is_empty());
    assert_eq!(lattice.calls().get("ListCertificates"), Some(&1));
}
