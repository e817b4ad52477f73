//! A CA and a server certificate made at start, and the rustls server configuration (aws-lc-rs provider).

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::aws_lc_rs;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::Error;

/// The CA (PEM) clients must trust, and the server configuration presenting a certificate it signed.
pub(crate) struct Tls {
    /// The CA certificate, PEM.
    pub ca_pem: String,
    /// The rustls server configuration.
    pub config: Arc<ServerConfig>,
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn
}

/// Makes a CA ("kubernetes", like a cluster CA) and a serving certificate for `127.0.0.1` and `localhost`.
pub(crate) fn generate() -> Result<Tls, Error> {
    let ca_key = KeyPair::generate().map_err(|source| Error::Certificate { source })?;
    let mut ca_params = CertificateParams::default();
    ca_params.distinguished_name = name("kubernetes");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(|source| Error::Certificate { source })?;
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().map_err(|source| Error::Certificate { source })?;
    let mut server_params = CertificateParams::default();
    server_params.distinguished_name = name("kube-apiserver");
    server_params.subject_alt_names = vec![
        SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])),
        SanType::DnsName("localhost".try_into().map_err(|source| Error::Certificate { source })?),
    ];
    server_params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server_params.signed_by(&server_key, &issuer).map_err(|source| Error::Certificate { source })?;

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let mut config = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|source| Error::Tls { source })?
        .with_no_client_auth()
        .with_single_cert(vec![server_cert.der().clone(), ca_cert.der().clone()], key)
        .map_err(|source| Error::Tls { source })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls { ca_pem: ca_cert.pem(), config: Arc::new(config) })
}
