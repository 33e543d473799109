//! What the certificate components read from Spin: the seal key (variable
//! `seal_private_key`) and the registry's address and timeout, and the outbound HTTP
//! transport to the registry over `wasi:http/outgoing-handler` with request timeouts (the
//! host allows only the hosts in the component's `allowed_outbound_hosts`).

use super::registry::Transport;
use super::seal::SealKey;
use crate::error::DomainError;
use wasi::http::outgoing_handler;
use wasi::http::types::{Fields, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme};
use wasi::io::streams::StreamError;

/// Spin variable: the seal's SM2 private key, 64 hex digits (secret; no default).
pub const VAR_SEAL_PRIVATE_KEY: &str = "seal_private_key";
/// Spin variable: the registry's batch endpoint (`https://host/path`).
pub const VAR_REGISTRY_URL: &str = "mohrss_registry_url";
/// Spin variable: connect / first-byte / between-bytes timeout of a send, milliseconds.
pub const VAR_REGISTRY_TIMEOUT_MS: &str = "mohrss_timeout_ms";
/// Spin variable: the national credit platform's record endpoint (`https://host/path`).
pub const VAR_CREDIT_URL: &str = "credit_platform_url";
/// Spin variable: connect / first-byte / between-bytes timeout of a send to the platform, ms.
pub const VAR_CREDIT_TIMEOUT_MS: &str = "credit_timeout_ms";
/// The timeout when the variable is absent or unreadable.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;

/// The seal key from the Spin variable.
pub fn seal_key() -> Result<SealKey, DomainError> {
    let hex = spin_sdk::variables::get(VAR_SEAL_PRIVATE_KEY)
        .map_err(|e| DomainError::Internal(format!("variable {VAR_SEAL_PRIVATE_KEY}: {e:?}")))?;
    SealKey::from_hex(&hex).map_err(|e| DomainError::Internal(format!("variable {VAR_SEAL_PRIVATE_KEY}: {e}")))
}

/// The registry transport configured by the Spin variables.
pub fn registry() -> Result<WasiTransport, DomainError> {
    let url = spin_sdk::variables::get(VAR_REGISTRY_URL)
        .map_err(|e| DomainError::Internal(format!("variable {VAR_REGISTRY_URL}: {e:?}")))?;
    let timeout_ms = spin_sdk::variables::get(VAR_REGISTRY_TIMEOUT_MS)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_TIMEOUT_MS);
    WasiTransport::new(&url, timeout_ms).map_err(|e| DomainError::Internal(format!("variable {VAR_REGISTRY_URL}: {e}")))
}

/// The credit-platform transport configured by the Spin variables (notice 七(一)).
pub fn credit_platform() -> Result<WasiTransport, DomainError> {
    let url = spin_sdk::variables::get(VAR_CREDIT_URL)
        .map_err(|e| DomainError::Internal(format!("variable {VAR_CREDIT_URL}: {e:?}")))?;
    let timeout_ms =
        spin_sdk::variables::get(VAR_CREDIT_TIMEOUT_MS).ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_TIMEOUT_MS);
    WasiTransport::new(&url, timeout_ms).map_err(|e| DomainError::Internal(format!("variable {VAR_CREDIT_URL}: {e}")))
}

/// Boxes the credit-platform transport for the `credit-report` router.
pub fn boxed_credit_platform() -> Result<Box<dyn Transport>, DomainError> {
    Ok(Box::new(credit_platform()?))
}

/// POSTs to one URL over `wasi:http`, blocking, with timeouts.
#[derive(Debug, Clone)]
pub struct WasiTransport {
    https: bool,
    authority: String,
    path: String,
    timeout_ns: u64,
}

impl WasiTransport {
    /// A transport to `url` (`http://` or `https://`).
    pub fn new(url: &str, timeout_ms: u64) -> Result<WasiTransport, String> {
        let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("http://") {
            (false, r)
        } else {
            return Err("the registry URL must start with http:// or https://".into());
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.is_empty() {
            return Err("the registry URL has no host".into());
        }
        Ok(WasiTransport {
            https,
            authority: authority.to_owned(),
            path: path.to_owned(),
            timeout_ns: timeout_ms.saturating_mul(1_000_000),
        })
    }

    fn send(&self, idempotency_key: &str, body: &[u8]) -> Result<(u16, Vec<u8>), String> {
        let headers = Fields::from_list(&[
            ("content-type".to_owned(), b"application/json".to_vec()),
            ("idempotency-key".to_owned(), idempotency_key.as_bytes().to_vec()),
        ])
        .map_err(|e| format!("headers: {e:?}"))?;
        let req = OutgoingRequest::new(headers);
        let bad = |what: &str| format!("request {what}");
        req.set_method(&Method::Post).map_err(|_| bad("method"))?;
        req.set_scheme(Some(if self.https { &Scheme::Https } else { &Scheme::Http })).map_err(|_| bad("scheme"))?;
        req.set_authority(Some(&self.authority)).map_err(|_| bad("authority"))?;
        req.set_path_with_query(Some(&self.path)).map_err(|_| bad("path"))?;
        let out_body = req.body().map_err(|_| bad("body"))?;
        let options = RequestOptions::new();
        let t = Some(self.timeout_ns);
        // Hosts that do not support a timeout refuse to set it; the others apply it.
        let _connect_supported = options.set_connect_timeout(t).is_ok();
        let _first_byte_supported = options.set_first_byte_timeout(t).is_ok();
        let _between_bytes_supported = options.set_between_bytes_timeout(t).is_ok();
        let future = outgoing_handler::handle(req, Some(options)).map_err(|e| format!("send: {e:?}"))?;
        {
            let stream = out_body.write().map_err(|_| bad("body stream"))?;
            for chunk in body.chunks(4096) {
                stream.blocking_write_and_flush(chunk).map_err(|e| format!("writing the body: {e:?}"))?;
            }
        }
        OutgoingBody::finish(out_body, None).map_err(|e| format!("finishing the body: {e:?}"))?;
        future.subscribe().block();
        let resp = match future.get() {
            Some(Ok(Ok(r))) => r,
            Some(Ok(Err(e))) => return Err(format!("no answer: {e:?}")),
            Some(Err(())) | None => return Err("no answer".into()),
        };
        let status = resp.status();
        let incoming = resp.consume().map_err(|_| "answer body".to_owned())?;
        let stream = incoming.stream().map_err(|_| "answer stream".to_owned())?;
        let mut buf = Vec::new();
        loop {
            match stream.blocking_read(64 * 1024) {
                Ok(bytes) => buf.extend_from_slice(&bytes),
                Err(StreamError::Closed) => break,
                Err(e) => return Err(format!("reading the answer: {e:?}")),
            }
            if buf.len() > 16 * 1024 * 1024 {
                return Err("answer larger than 16 MiB".into());
            }
        }
        Ok((status, buf))
    }
}

impl Transport for WasiTransport {
    fn post_batch(&self, idempotency_key: &str, body: &[u8]) -> Result<(u16, Vec<u8>), String> {
        self.send(idempotency_key, body)
    }
}

/// Boxes the registry transport for the `mohrss-report` router.
pub fn boxed_registry() -> Result<Box<dyn Transport>, DomainError> {
    Ok(Box::new(registry()?))
}

/// Serves a request that needs no token (public verification): the request's one
/// connection and nothing else — no variables, so the component holds no secret.
pub fn serve_public(
    req: spin_sdk::http::Request,
    router: fn(&crate::api::Request, &dyn crate::store::Db) -> crate::api::Response,
) -> spin_sdk::http::Response {
    let api_req = crate::api::Request {
        method: req.method().to_string().to_ascii_uppercase(),
        path: req.path().to_owned(),
        query: req.query().to_owned(),
        headers: req
            .headers()
            .map(|(k, v)| (k.to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: req.body().to_vec(),
    };
    let resp = match crate::spin::open_db() {
        Ok(db) => router(&api_req, db.as_ref()),
        Err(e) => crate::api::Response::error(&DomainError::from(e)),
    };
    let mut b = spin_sdk::http::Response::builder();
    b.status(resp.status);
    for (k, v) in resp.headers {
        b.header(k, v);
    }
    b.body(resp.body).build()
}
