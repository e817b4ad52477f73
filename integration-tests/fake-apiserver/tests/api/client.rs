//! A minimal HTTP/1.1 client (hyper's connection API, rustls for HTTPS) so the server is driven over the
//! wire exactly as a Kubernetes client would.

use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper::{HeaderMap, Request};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore, crypto::aws_lc_rs};

use fake_apiserver::RunningApi;

/// An answer: status, headers, body as JSON (`Null` if not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

/// A client for one server with one bearer token.
pub struct Client {
    address: String,
    tls: Option<TlsConnector>,
    pub token: Option<String>,
}

pub const MERGE: &str = "application/merge-patch+json";
pub const JSON_PATCH: &str = "application/json-patch+json";

impl Client {
    pub fn new(api: &RunningApi, token: &str) -> Self {
        let url = api.url();
        let (scheme, address) = url.split_once("://").expect("url has a scheme");
        let tls = (scheme == "https").then(|| {
            let ca = CertificateDer::from_pem_slice(api.ca_pem().expect("CA").as_bytes()).expect("CA PEM");
            let mut roots = RootCertStore::empty();
            roots.add(ca).expect("CA accepted");
            let config = ClientConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("protocols")
                .with_root_certificates(roots)
                .with_no_client_auth();
            TlsConnector::from(Arc::new(config))
        });
        Client { address: address.to_string(), tls, token: Some(token.to_string()) }
    }

    pub fn with_token(&self, token: Option<&str>) -> Self {
        Client { address: self.address.clone(), tls: self.tls.clone(), token: token.map(String::from) }
    }

    pub async fn send(&self, method: &str, path: &str, content_type: Option<&str>, body: Option<Vec<u8>>) -> Resp {
        let mut req = Request::builder().method(method).uri(path).header("host", &self.address);
        if let Some(token) = &self.token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let req = req.body(Full::new(Bytes::from(body.unwrap_or_default()))).expect("request");
        let tcp = TcpStream::connect(&self.address).await.expect("connect");
        let response = match &self.tls {
            Some(connector) => {
                let name = ServerName::try_from("127.0.0.1").expect("server name");
                let stream = connector.connect(name, tcp).await.expect("TLS handshake");
                let (mut sender, conn) = http1::handshake(TokioIo::new(stream)).await.expect("handshake");
                tokio::spawn(conn);
                sender.send_request(req).await.expect("response")
            }
            None => {
                let (mut sender, conn) = http1::handshake(TokioIo::new(tcp)).await.expect("handshake");
                tokio::spawn(conn);
                sender.send_request(req).await.expect("response")
            }
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Resp { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send("GET", path, None, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.send("POST", path, Some("application/json"), Some(body.to_string().into_bytes())).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Resp {
        self.send("PUT", path, Some("application/json"), Some(body.to_string().into_bytes())).await
    }

    pub async fn patch(&self, path: &str, content_type: &str, body: &Value) -> Resp {
        self.send("PATCH", path, Some(content_type), Some(body.to_string().into_bytes())).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send("DELETE", path, None, None).await
    }
}

/// The names of a list's items, in order.
pub fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| i["metadata"]["name"].as_str().expect("name").to_string())
        .collect()
}
