//! The HTTP/1.1 listener: accepts connections (TLS optional), reads each request and answers it from the
//! shared state.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request as HttpRequest, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::state::{Request, State, decode_query};
use crate::status::ApiError;

/// The largest request body accepted, as the API server's limit (3 MiB).
const MAX_BODY: usize = 3 * 1024 * 1024;

/// Serves connections until the task is aborted.
pub(crate) async fn serve(listener: TcpListener, tls: Option<TlsAcceptor>, state: Arc<Mutex<State>>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let state = Arc::clone(&state);
        let tls = tls.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| answer(req, Arc::clone(&state)));
            let builder = http1::Builder::new();
            match tls {
                Some(acceptor) => {
                    if let Ok(stream) = acceptor.accept(stream).await {
                        let _closed = builder.serve_connection(TokioIo::new(stream), service).await;
                    }
                }
                None => {
                    let _closed = builder.serve_connection(TokioIo::new(stream), service).await;
                }
            }
        });
    }
}

fn header(req: &HttpRequest<Incoming>, name: hyper::header::HeaderName) -> Option<String> {
    req.headers().get(name).and_then(|v| v.to_str().ok()).map(String::from)
}

async fn answer(req: HttpRequest<Incoming>, state: Arc<Mutex<State>>) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut request = Request {
        method: req.method().as_str().to_string(),
        path: req.uri().path().to_string(),
        raw_query: req.uri().query().map(String::from),
        query: decode_query(req.uri().query().unwrap_or("")),
        content_type: header(&req, CONTENT_TYPE),
        authorization: header(&req, AUTHORIZATION),
        body: Vec::new(),
    };
    let (code, body) = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(collected) => {
            request.body = collected.to_bytes().to_vec();
            match state.lock() {
                Ok(mut state) => state.handle(&request),
                Err(_) => {
                    let e = ApiError::new(500, "the server state was poisoned by a panic");
                    (e.code, e.body())
                }
            }
        }
        Err(_) => {
            let e = ApiError::new(413, "the request body is too large");
            (e.code, e.body())
        }
    };
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if code == 429 {
        response.headers_mut().insert("retry-after", HeaderValue::from_static("1"));
    }
    Ok(response)
}
