//! The HTTP side of a running host: accepting connections, routing, Spin's request headers,
//! running the component per request, the test-mode `/_host/…` routes and the access log.

use crate::app::AppInner;
use crate::clock::TestClock;
use crate::cron::RunGuard;
use crate::limits::{Admission, Refusal, DRAIN_LIMIT_BYTES, RETRY_AFTER_SECONDS};
use crate::manifest::CronTrigger;
use crate::router::{RouteMatch, Router};
use crate::sqlite::Database;
use crate::state::{ComponentConfig, HostState};
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HOST, RETRY_AFTER};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::json;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use wasmtime::Store;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::WasiHttpView;

/// The body served for a failed component (a trap, or no response).
pub const INTERNAL_ERROR_BODY: &str = r#"{"code":"INTERNAL","message":"服务器内部错误"}"#;

const TEST_PREFIX: &str = "/_host/";
const MAX_TEST_BODY: usize = 64 * 1024;
/// The longest a refused (too large) body is drained before the refusal is sent anyway.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything a running host shares between its connections and cron schedules.
pub(crate) struct Served {
    pub(crate) app: Arc<AppInner>,
    pub(crate) router: Router,
    pub(crate) configs: HashMap<String, Arc<ComponentConfig>>,
    pub(crate) db: Arc<Database>,
    pub(crate) pg: Arc<crate::pg::Pools>,
    /// `Some` in test mode.
    pub(crate) clock: Option<Arc<TestClock>>,
    pub(crate) crons: HashMap<String, Arc<RunGuard>>,
    /// The host's limits and the admission to component instances under them.
    pub(crate) admission: Arc<Admission>,
}

type Resp = Response<HyperOutgoingBody>;

fn body(bytes: impl Into<Bytes>) -> HyperOutgoingBody {
    Full::new(bytes.into()).map_err(|never: Infallible| match never {}).boxed_unsync()
}

fn json_response(status: StatusCode, value: &serde_json::Value) -> Resp {
    let mut r = Response::new(body(value.to_string()));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    r
}

fn internal_error() -> Resp {
    let mut r = Response::new(body(INTERNAL_ERROR_BODY));
    *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    r
}

/// A refusal the host answers itself (before any instance), in the API's error shape.
fn refusal(status: StatusCode, code: &str, message: &str, retry_after: bool, close: bool) -> Resp {
    let mut r = json_response(status, &json!({ "code": code, "message": message }));
    if retry_after {
        r.headers_mut().insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    }
    if close {
        r.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
    }
    r
}

fn too_large(limit: usize) -> Resp {
    refusal(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
        &format!("上传内容超过大小上限（{limit} 字节）"),
        false,
        true,
    )
}

fn body_timeout() -> Resp {
    refusal(StatusCode::REQUEST_TIMEOUT, "REQUEST_TIMEOUT", "请求内容发送超时，请重试", false, true)
}

/// Reads and discards what is left of a refused body (at most [`DRAIN_LIMIT_BYTES`], within
/// `timeout`), so that a client that writes its whole body before reading can read the refusal.
async fn drain(mut body: Incoming, mut read: usize, timeout: Duration) {
    let _ = tokio::time::timeout(timeout, async {
        while let Some(Ok(frame)) = body.frame().await {
            read += frame.data_ref().map_or(0, |d| d.len());
            if read > DRAIN_LIMIT_BYTES {
                break;
            }
        }
    })
    .await;
}

/// The outcome of reading a request body before admission.
enum BodyRead {
    Complete(Bytes),
    TooLarge,
    TimedOut,
    Failed,
}

/// Reads `body` in full, at most `limit` bytes, within `timeout`.
async fn read_body(body: Incoming, limit: usize, timeout: Duration) -> BodyRead {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut body = body;
    let mut buf = bytes::BytesMut::new();
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return BodyRead::TimedOut,
            Ok(None) => return BodyRead::Complete(buf.freeze()),
            Ok(Some(Err(_))) => return BodyRead::Failed,
            Ok(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    if buf.len() + data.len() > limit {
                        let read = buf.len() + data.len();
                        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                        drain(body, read, left.min(DRAIN_TIMEOUT)).await;
                        return BodyRead::TooLarge;
                    }
                    buf.extend_from_slice(data);
                }
            }
        }
    }
}

fn not_found() -> Resp {
    let mut r = Response::new(body("Not Found"));
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

/// Accepts connections until `shutdown` fires (or its sender is dropped); then aborts the
/// open connections and the cron schedules.
pub(crate) async fn accept_loop(
    listener: tokio::net::TcpListener,
    served: Arc<Served>,
    schedules: Vec<CronTrigger>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let mut tasks = JoinSet::new();
    for trigger in schedules {
        tasks.spawn(served.clone().schedule(trigger));
    }
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    tasks.spawn(serve_connection(stream, peer, served.clone()));
                }
                Err(e) => {
                    eprintln!("zhicheng-host: accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
}

async fn serve_connection(stream: tokio::net::TcpStream, peer: SocketAddr, served: Arc<Served>) {
    let _ = stream.set_nodelay(true);
    let header_timeout = served.admission.limits().header_read_timeout;
    let service = hyper::service::service_fn(move |req| {
        let served = served.clone();
        async move { Ok::<_, Infallible>(served.handle(req, peer).await) }
    });
    // Client-side disconnects and protocol errors only end this connection.
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

impl Served {
    async fn handle(self: Arc<Self>, req: Request<Incoming>, peer: SocketAddr) -> Resp {
        let started = Instant::now();
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let (label, response) = if self.clock.is_some() && path.starts_with(TEST_PREFIX) {
            (path.clone(), self.handle_test_route(req, &path).await)
        } else {
            match self.router.route(&path) {
                Some(m) => (m.raw_route.clone(), self.handle_component(req, m, peer).await),
                None => {
                    drain(req.into_body(), 0, DRAIN_TIMEOUT).await;
                    ("-".to_string(), not_found())
                }
            }
        };
        eprintln!("{method} {label} {} {}ms", response.status().as_u16(), started.elapsed().as_millis());
        response
    }

    async fn handle_component(&self, req: Request<Incoming>, m: RouteMatch, peer: SocketAddr) -> Resp {
        let id = m.component.clone();
        let (Some(pre), Some(config)) =
            (self.app.components.get(&id).and_then(|l| l.proxy.clone()), self.configs.get(&id).cloned())
        else {
            return internal_error();
        };
        // The body is read in full, bounded and timed, before an instance is taken: a client
        // that stalls holds its socket, never an instance (issue 10).
        let limits = self.admission.limits();
        let limit = limits.body_limit(&config.variables);
        let (parts, incoming) = req.into_parts();
        let declared =
            parts.headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            drain(incoming, 0, limits.body_read_timeout.min(DRAIN_TIMEOUT)).await;
            return too_large(limit);
        }
        let bytes = match read_body(incoming, limit, limits.body_read_timeout).await {
            BodyRead::Complete(b) => b,
            BodyRead::TooLarge => return too_large(limit),
            BodyRead::TimedOut => return body_timeout(),
            BodyRead::Failed => {
                return refusal(StatusCode::BAD_REQUEST, "MALFORMED_BODY", "请求内容不完整", false, true);
            }
        };
        let admitted = match self.admission.admit(peer.ip()).await {
            Ok(a) => a,
            Err(Refusal::Busy) => {
                return refusal(StatusCode::SERVICE_UNAVAILABLE, "SERVICE_BUSY", "服务繁忙，请稍后重试", true, false);
            }
            Err(Refusal::ClientLimit) => {
                return refusal(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TOO_MANY_REQUESTS",
                    "同一地址的并发请求过多，请稍后重试",
                    true,
                    false,
                );
            }
        };
        let req = with_spin_headers(Request::from_parts(parts, Full::new(bytes)), &m, peer);
        let mut store =
            Store::new(&self.app.engine, HostState::new(config, self.db.clone(), self.pg.clone(), self.clock.clone()));
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let prepared = store
            .data_mut()
            .http()
            .new_incoming_request(Scheme::Http, req)
            .and_then(|r| Ok((r, store.data_mut().http().new_response_outparam(sender)?)));
        let (req, out) = match prepared {
            Ok(p) => p,
            Err(e) => {
                eprintln!("zhicheng-host: bad request for `{id}`: {e:#}");
                return internal_error();
            }
        };
        // The guest runs in its own task so it can keep streaming the body after the head.
        let task = tokio::spawn(async move {
            let _admitted = admitted; // the slot is held until the component has finished
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy.wasi_http_incoming_handler().call_handle(&mut store, req, out).await
        });
        match receiver.await {
            Ok(Ok(response)) => {
                tokio::spawn(async move {
                    if let Ok(Err(e)) = task.await {
                        eprintln!("zhicheng-host: component `{id}` failed after responding: {e:#}");
                    }
                });
                response
            }
            Ok(Err(code)) => {
                eprintln!("zhicheng-host: component `{id}` responded with error {code:?}");
                internal_error()
            }
            Err(_) => {
                match task.await {
                    Ok(Ok(())) => eprintln!("zhicheng-host: component `{id}` never set a response"),
                    Ok(Err(e)) => eprintln!("zhicheng-host: component `{id}` failed: {e:#}"),
                    Err(e) => eprintln!("zhicheng-host: component `{id}` task failed: {e}"),
                }
                internal_error()
            }
        }
    }

    /// The current Unix time in seconds, on the test clock when there is one.
    pub(crate) fn now_unix(&self) -> u64 {
        match &self.clock {
            Some(c) => c.now().as_secs(),
            None => chrono::Utc::now().timestamp().max(0) as u64,
        }
    }

    async fn handle_test_route(self: &Arc<Self>, req: Request<Incoming>, path: &str) -> Resp {
        let Some(clock) = self.clock.clone() else {
            drain(req.into_body(), 0, DRAIN_TIMEOUT).await;
            return not_found();
        };
        let method = req.method().clone();
        let body = read_test_body(req).await;
        let now = |c: &TestClock| json_response(StatusCode::OK, &json!({ "now": c.now_rfc3339() }));
        let bad = |msg: String| json_response(StatusCode::BAD_REQUEST, &json!({ "error": msg }));
        match (method, path) {
            (Method::GET, "/_host/clock") => now(&clock),
            (Method::POST, "/_host/clock") => match parse_json(body) {
                Ok(v) => match v.get("now").and_then(|n| n.as_str()).map(chrono::DateTime::parse_from_rfc3339) {
                    Some(Ok(t)) => {
                        clock.set(t.with_timezone(&chrono::Utc));
                        now(&clock)
                    }
                    _ => bad("expected {\"now\": \"<RFC 3339 date-time>\"}".into()),
                },
                Err(e) => bad(e),
            },
            (Method::POST, "/_host/clock/advance") => match parse_json(body) {
                Ok(v) => match v.get("seconds").and_then(|s| s.as_i64()) {
                    Some(s) => {
                        clock.advance(s);
                        now(&clock)
                    }
                    None => bad("expected {\"seconds\": <integer>}".into()),
                },
                Err(e) => bad(e),
            },
            (Method::POST, p) if p.starts_with("/_host/cron/") => self.fire_cron(&p["/_host/cron/".len()..]).await,
            (Method::GET, "/_host/store") => json_response(StatusCode::OK, &json!(self.db.slot_report())),
            _ => not_found(),
        }
    }

    async fn fire_cron(self: &Arc<Self>, id: &str) -> Resp {
        let Some(guard) = self.crons.get(id) else {
            return json_response(
                StatusCode::NOT_FOUND,
                &json!({ "ok": false, "error": format!("no cron component `{id}`") }),
            );
        };
        let Some(running) = guard.try_start() else {
            return json_response(
                StatusCode::CONFLICT,
                &json!({ "ok": false, "error": "a tick of this component is running" }),
            );
        };
        // Run to completion even if the client goes away.
        let (served, id, timestamp) = (self.clone(), id.to_string(), self.now_unix());
        let run = tokio::spawn(async move {
            let _running = running;
            served.run_cron(&id, timestamp).await
        });
        match run.await {
            Ok(Ok(())) => json_response(StatusCode::OK, &json!({ "ok": true })),
            Ok(Err(e)) => {
                json_response(StatusCode::INTERNAL_SERVER_ERROR, &json!({ "ok": false, "error": format!("{e:#}") }))
            }
            Err(e) => json_response(StatusCode::INTERNAL_SERVER_ERROR, &json!({ "ok": false, "error": e.to_string() })),
        }
    }
}

fn parse_json(body: Result<Bytes, String>) -> Result<serde_json::Value, String> {
    serde_json::from_slice(&body?).map_err(|e| format!("body is not JSON: {e}"))
}

/// A test route's body, read in full (at most [`MAX_TEST_BODY`]) whether the route uses it or
/// not: a response sent before the request's body has arrived makes hyper close the
/// connection, which a client that already reused it for its next request sees as a
/// disconnect.
async fn read_test_body(req: Request<Incoming>) -> Result<Bytes, String> {
    Limited::new(req.into_body(), MAX_TEST_BODY)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .map_err(|e| format!("cannot read body: {e}"))
}

/// Adds Spin's request headers (and a `host` header when the client sent none).
fn with_spin_headers<B>(req: Request<B>, m: &RouteMatch, peer: SocketAddr) -> Request<B> {
    let (mut parts, body) = req.into_parts();
    let host = parts
        .headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| "localhost".to_string());
    if !parts.headers.contains_key(HOST) {
        if let Ok(v) = HeaderValue::from_str(&host) {
            parts.headers.insert(HOST, v);
        }
    }
    let path_and_query = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut headers: Vec<(String, String)> = vec![
        ("spin-full-url".into(), format!("http://{host}{path_and_query}")),
        ("spin-path-info".into(), m.path_info.clone()),
        ("spin-matched-route".into(), m.matched_route.clone()),
        ("spin-base-path".into(), "/".into()),
        ("spin-raw-component-route".into(), m.raw_route.clone()),
        ("spin-component-route".into(), m.component_route.clone()),
        ("spin-client-addr".into(), peer.to_string()),
    ];
    for (name, value) in &m.captures {
        headers.push((format!("spin-path-match-{}", name.to_ascii_lowercase()), value.clone()));
    }
    for (name, value) in headers {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            parts.headers.insert(n, v);
        }
    }
    Request::from_parts(parts, body)
}
