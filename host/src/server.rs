//! The HTTP side of a running host: accepting connections, routing, Spin's request headers,
//! running the component per request, the test-mode `/_host/…` routes and the access log.

use crate::app::AppInner;
use crate::clock::TestClock;
use crate::cron::RunGuard;
use crate::manifest::CronTrigger;
use crate::router::{RouteMatch, Router};
use crate::sqlite::Database;
use crate::state::{ComponentConfig, HostState};
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE, HOST};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::json;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::task::JoinSet;
use wasmtime::Store;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::WasiHttpView;

/// The body served for a failed component (a trap, or no response).
pub const INTERNAL_ERROR_BODY: &str = r#"{"code":"INTERNAL","message":"服务器内部错误"}"#;

const TEST_PREFIX: &str = "/_host/";
const MAX_TEST_BODY: usize = 64 * 1024;

/// Everything a running host shares between its connections and cron schedules.
pub(crate) struct Served {
    pub(crate) app: Arc<AppInner>,
    pub(crate) router: Router,
    pub(crate) configs: HashMap<String, Arc<ComponentConfig>>,
    pub(crate) db: Arc<Database>,
    /// `Some` in test mode.
    pub(crate) clock: Option<Arc<TestClock>>,
    pub(crate) crons: HashMap<String, Arc<RunGuard>>,
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
    let service = hyper::service::service_fn(move |req| {
        let served = served.clone();
        async move { Ok::<_, Infallible>(served.handle(req, peer).await) }
    });
    // Client-side disconnects and protocol errors only end this connection.
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new()) // enables hyper's 30 s header-read timeout
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
                None => ("-".to_string(), not_found()),
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
        let req = with_spin_headers(req, &m, peer);
        let mut store = Store::new(&self.app.engine, HostState::new(config, self.db.clone(), self.clock.clone()));
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
            return not_found();
        };
        let method = req.method().clone();
        let now = |c: &TestClock| json_response(StatusCode::OK, &json!({ "now": c.now_rfc3339() }));
        let bad = |msg: String| json_response(StatusCode::BAD_REQUEST, &json!({ "error": msg }));
        match (method, path) {
            (Method::GET, "/_host/clock") => now(&clock),
            (Method::POST, "/_host/clock") => match read_json(req).await {
                Ok(v) => match v.get("now").and_then(|n| n.as_str()).map(chrono::DateTime::parse_from_rfc3339) {
                    Some(Ok(t)) => {
                        clock.set(t.with_timezone(&chrono::Utc));
                        now(&clock)
                    }
                    _ => bad("expected {\"now\": \"<RFC 3339 date-time>\"}".into()),
                },
                Err(e) => bad(e),
            },
            (Method::POST, "/_host/clock/advance") => match read_json(req).await {
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

async fn read_json(req: Request<Incoming>) -> Result<serde_json::Value, String> {
    let bytes = Limited::new(req.into_body(), MAX_TEST_BODY)
        .collect()
        .await
        .map_err(|e| format!("cannot read body: {e}"))?
        .to_bytes();
    serde_json::from_slice(&bytes).map_err(|e| format!("body is not JSON: {e}"))
}

/// Adds Spin's request headers (and a `host` header when the client sent none).
fn with_spin_headers(req: Request<Incoming>, m: &RouteMatch, peer: SocketAddr) -> Request<Incoming> {
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
