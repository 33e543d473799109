//! HTTP, independent of Spin: a plain request/response pair, authentication, JSON and
//! query parsing that names the field at fault, and the one place where a
//! `DomainError` becomes a status and a JSON body. Components only convert Spin's
//! request into [`Request`] and call a router here, so the whole API runs natively in
//! unit tests and benchmarks too.

pub mod admin;
pub mod applicant;
pub mod certificates;
pub mod chain;
pub mod credit;
pub mod evaluation;
pub mod jobs;
pub mod judging;
pub mod mohrss;
pub mod province;
pub mod public;
pub mod quotas;
pub mod results;
pub mod session;
pub mod unit;
pub mod verify;

use crate::auth::{self, Claims};
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::{OpCtx, PageRequest};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// An HTTP request as the API sees it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Upper-case method.
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Raw query string (without `?`).
    pub query: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Request {
    /// A header's value by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// A query parameter, percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query
            .split('&')
            .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
            .find_map(|(k, v)| (percent_decode(k) == name).then(|| percent_decode(v)))
    }

    /// The path split into non-empty segments.
    pub fn segments(&self) -> Vec<&str> {
        self.path.split('/').filter(|s| !s.is_empty()).collect()
    }
}

/// An HTTP response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON response.
    pub fn json(status: u16, value: &impl Serialize) -> Response {
        match serde_json::to_vec(value) {
            Ok(body) => Response {
                status,
                headers: vec![("content-type".into(), "application/json; charset=utf-8".into())],
                body,
            },
            Err(e) => Response::error(&DomainError::Internal(e.to_string())),
        }
    }

    /// The error's status and JSON body (the one mapping of errors to HTTP).
    pub fn error(e: &DomainError) -> Response {
        if let DomainError::Internal(cause) = e {
            // The cause goes to the log (no personal data in causes: ids are masked
            // everywhere), never to the caller.
            eprintln!("internal error: {cause}");
        }
        let mut r = Response::json(e.status(), &e.body());
        if matches!(e, DomainError::Unauthenticated) {
            r.headers.push(("www-authenticate".into(), "Bearer".into()));
        }
        if matches!(e, DomainError::Busy) {
            // The write queue was longer than its bound: a retry in a second usually goes.
            r.headers.push(("retry-after".into(), BUSY_RETRY_AFTER_SECS.to_string()));
        }
        r
    }

    /// Raw bytes with a content type.
    pub fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response { status, headers: vec![("content-type".into(), content_type.into())], body }
    }

    /// A file download (`content-disposition: attachment`, RFC 5987 UTF-8 file name).
    pub fn attachment(content_type: &str, filename: &str, body: Vec<u8>) -> Response {
        let encoded: String = filename
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let mut r = Response::bytes(200, content_type, body);
        r.headers.push(("content-disposition".into(), format!("attachment; filename*=UTF-8''{encoded}")));
        r
    }
}

/// What a request needs from its environment: the token secret, the time, limits.
#[derive(Debug, Clone)]
pub struct Env {
    /// HS256 secret (Spin variable `auth_secret`).
    pub auth_secret: Vec<u8>,
    /// The request's time (the wasi wall clock in components).
    pub now: DateTime<Utc>,
    /// Upload limit in bytes (Spin variable `max_upload_bytes`).
    pub max_upload_bytes: usize,
    /// The identity providers whose tokens sign in (Spin variable `federation_issuers`,
    /// JSON; empty: none). See [`crate::identity::federation`].
    pub federation_issuers: String,
    /// The public origin of the portal (`https://zc.hrss.hunan.gov.cn`), from the Spin
    /// variable `public_origin`: certificates' QR codes point there, never at the
    /// request's `Host` header (which the caller chooses).
    pub public_origin: String,
}

impl Env {
    /// The environment of a component that serves only public operations: no secret (so
    /// no token is ever trusted there), the wall clock, the default upload limit.
    pub fn public() -> Env {
        Env {
            auth_secret: Vec::new(),
            now: Utc::now(),
            max_upload_bytes: 10 * 1024 * 1024,
            federation_issuers: String::new(),
            public_origin: DEFAULT_PUBLIC_ORIGIN.into(),
        }
    }
}

/// `Retry-After` (seconds) of a 503 `STORE_BUSY`: the database's writers queued past the
/// host's bound.
pub const BUSY_RETRY_AFTER_SECS: u32 = 1;

/// The public origin when the variable is unset: the local development address.
pub const DEFAULT_PUBLIC_ORIGIN: &str = "http://127.0.0.1:3000";

/// Checks a configured public origin: `http(s)://host[:port]`, nothing after it.
pub fn check_public_origin(origin: &str) -> Result<String, String> {
    let o = origin.trim().trim_end_matches('/');
    let rest =
        o.strip_prefix("https://").or_else(|| o.strip_prefix("http://")).ok_or("须以 http:// 或 https:// 开头")?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err("只能是 scheme://host[:port]".into());
    }
    Ok(o.to_owned())
}

/// Verifies the bearer token.
pub fn authenticate(req: &Request, env: &Env) -> Result<Claims, DomainError> {
    // A router served without the secret (a public component) never trusts a token.
    if env.auth_secret.len() < 16 {
        return Err(DomainError::Unauthenticated);
    }
    let token = auth::bearer(req.header("authorization"))?;
    auth::verify(&env.auth_secret, token, env.now.timestamp())
}

/// Turns a handler result into a response.
pub fn respond<T: Serialize>(status: u16, r: Result<T, DomainError>) -> Response {
    match r {
        Ok(v) => Response::json(status, &v),
        Err(e) => Response::error(&e),
    }
}

/// Parses a JSON body into `T`, naming the field at fault (`current_title.obtained_on`).
/// The largest JSON request body any operation takes (uploads have their own limit).
pub const JSON_MAX_BYTES: usize = 256 * 1024;

/// A JSON operation's body must say it is JSON when it says anything: `text/plain` or a
/// form encoding is 415 (no content type at all is taken as JSON).
pub fn check_json_content_type(req: &Request) -> Result<(), DomainError> {
    let Some(ct) = req.header("content-type") else { return Ok(()) };
    let media = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if media.is_empty()
        || media == "application/json"
        || (media.starts_with("application/") && media.ends_with("+json"))
    {
        Ok(())
    } else {
        Err(DomainError::UnsupportedMediaType {
            field: "content-type".into(),
            message: format!("请求内容类型应为 application/json，而不是 {media}"),
        })
    }
}

pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, DomainError> {
    if body.is_empty() {
        return Err(DomainError::MalformedBody("请求体为空，应为 JSON".into()));
    }
    if body.len() > JSON_MAX_BYTES {
        return Err(DomainError::PayloadTooLarge { field: "body".into(), limit: JSON_MAX_BYTES });
    }
    // Field length limits (issue 10), checked on the document before it is read.
    if let Ok(doc) = serde_json::from_slice::<serde_json::Value>(body) {
        if let Some((field, max)) = crate::domain::limits::first_overlong(&doc) {
            let v = crate::error::Violation::new(
                None,
                crate::error::ErrorCode::FieldTooLong,
                &[&field, &max],
                Some(&field),
            );
            return Err(DomainError::RuleRefused(v));
        }
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize(&mut *de) {
        // One JSON document and nothing after it (whitespace aside).
        Ok(v) => match de.end() {
            Ok(()) => Ok(v),
            Err(_) => Err(DomainError::MalformedBody("JSON 文档之后有多余内容".into())),
        },
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            match inner.classify() {
                serde_json::error::Category::Data => {
                    // A missing field is named by serde only in its message: name it here.
                    let msg = inner.to_string();
                    let missing = msg
                        .strip_prefix("missing field `")
                        .and_then(|rest| rest.split_once('`'))
                        .map(|(name, _)| name.to_owned());
                    let field = match (path.as_str(), missing) {
                        (".", Some(name)) => name,
                        (".", None) => "body".to_owned(),
                        (_, Some(name)) => format!("{path}.{name}"),
                        (_, None) => path,
                    };
                    Err(DomainError::invalid(field.clone(), format!("字段 {field} 无效：{}", strip_position(&inner))))
                }
                _ => Err(DomainError::MalformedBody(strip_position(&inner))),
            }
        }
    }
}

/// Parses an optional JSON body (empty ⇒ default).
pub fn parse_json_or_default<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, DomainError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        parse_json(body)
    }
}

fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// Parses `page` / `page_size` from the query.
pub fn page(req: &Request) -> Result<PageRequest, DomainError> {
    let mut p = PageRequest::default();
    if let Some(v) = req.query_param("page") {
        p.page =
            v.parse().ok().filter(|n| *n >= 1).ok_or_else(|| DomainError::invalid("page", "page 须为不小于1的整数"))?;
    }
    if let Some(v) = req.query_param("page_size") {
        p.page_size = v
            .parse()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| DomainError::invalid("page_size", "page_size 须为1到100之间的整数"))?;
    }
    Ok(p)
}

/// Parses the list filters every listing accepts: `state`, `batch_year`, `series`,
/// `level`, `unit_org`, `committee`.
pub fn list_filter(req: &Request) -> Result<crate::store::applications::ListFilter, DomainError> {
    use crate::domain::application::ApplicationState;
    let state = match req.query_param("state") {
        None => None,
        Some(s) => Some(ApplicationState::parse(&s).ok_or_else(|| DomainError::invalid("state", "state 取值无效"))?),
    };
    let batch_year = match req.query_param("batch_year") {
        None => None,
        Some(y) => Some(y.parse().map_err(|_| DomainError::invalid("batch_year", "batch_year 须为年份"))?),
    };
    let level = req.query_param("level");
    if let Some(l) = &level {
        if crate::store::chain::parse_level(l).is_none() {
            return Err(DomainError::invalid("level", "level 取值无效"));
        }
    }
    Ok(crate::store::applications::ListFilter {
        state,
        batch_year,
        series: req.query_param("series"),
        level,
        unit_org: req.query_param("unit_org"),
        committee: req.query_param("committee"),
    })
}

/// Parses a numeric id path segment; anything else is a 404 (no such object).
pub fn id_segment(s: &str, what: &'static str) -> Result<i64, DomainError> {
    s.parse().ok().filter(|n| *n > 0).ok_or(DomainError::NotFound(what))
}

/// 404 for a path no route serves.
pub fn no_route() -> Response {
    Response::json(404, &serde_json::json!({ "code": "ROUTE_NOT_FOUND", "message": "接口不存在" }))
}

/// 405 for a path served with other methods.
pub fn method_not_allowed() -> Response {
    Response::json(405, &serde_json::json!({ "code": "METHOD_NOT_ALLOWED", "message": "不支持的请求方法" }))
}

/// Builds the operation context from an authenticated request.
pub fn op_ctx<'a>(db: &'a dyn Db, who: &'a Claims, env: &Env) -> OpCtx<'a> {
    OpCtx { db, who, now: env.now }
}

/// What an operation's handler receives: the request, its environment and connection,
/// the path parameters in template order, the optional services of its component, and —
/// for operations that need a token — the verified caller, already admitted and
/// authorised by the route's policy ([`crate::access`]).
pub struct Call<'a> {
    /// The request.
    pub req: &'a Request,
    /// The request's environment.
    pub env: &'a Env,
    /// The request's one connection.
    pub db: &'a dyn Db,
    /// Path parameters, in template order.
    pub params: Vec<&'a str>,
    /// Services only some components have (the seal key, the registry transport).
    pub deps: &'a Deps<'a>,
    /// The operation context of the signed-in caller (signed routes only).
    ctx: Option<OpCtx<'a>>,
}

impl<'a> Call<'a> {
    /// The caller's operation context. Signed routes always have one; a public route has
    /// none, and asking is refused as unauthenticated rather than trusted.
    pub fn ctx(&self) -> Result<&OpCtx<'a>, DomainError> {
        self.ctx.as_ref().ok_or(DomainError::Unauthenticated)
    }

    /// Runs `op` with the caller's operation context (signed routes).
    pub fn with<T>(&self, op: impl FnOnce(&OpCtx<'a>) -> Result<T, DomainError>) -> Result<T, DomainError> {
        op(self.ctx()?)
    }

    /// Path parameter `i` as a positive id; anything else is a 404 for `what`.
    pub fn id(&self, i: usize, what: &'static str) -> Result<i64, DomainError> {
        id_segment(self.params.get(i).copied().unwrap_or_default(), what)
    }

    /// Path parameter `i` as text.
    pub fn param(&self, i: usize) -> &'a str {
        self.params.get(i).copied().unwrap_or_default()
    }

    /// The JSON body as `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, DomainError> {
        check_json_content_type(self.req)?;
        parse_json(&self.req.body)
    }

    /// The JSON body as `T`, or `T::default()` when empty.
    pub fn json_or_default<T: DeserializeOwned + Default>(&self) -> Result<T, DomainError> {
        if !self.req.body.iter().all(u8::is_ascii_whitespace) {
            check_json_content_type(self.req)?;
        }
        parse_json_or_default(&self.req.body)
    }

    /// `page` / `page_size` of the query.
    pub fn page(&self) -> Result<PageRequest, DomainError> {
        page(self.req)
    }

    /// Runs `op` with the raw body as an upload named by the `kind` and `filename` query
    /// parameters (`noun` names the thing in the error: 材料, 附件).
    pub fn with_upload<T>(
        &self,
        noun: &str,
        op: impl FnOnce(crate::workflow::applications::Upload<'_>) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        let kind = self
            .req
            .query_param("kind")
            .ok_or_else(|| DomainError::invalid("kind", format!("请指定{noun}类型 kind")))?;
        let filename = self
            .req
            .query_param("filename")
            .ok_or_else(|| DomainError::invalid("filename", "请指定文件名 filename"))?;
        op(crate::workflow::applications::Upload {
            kind: &kind,
            filename: &filename,
            content_type: self.req.header("content-type").unwrap_or(""),
            bytes: &self.req.body,
            max_bytes: self.env.max_upload_bytes,
        })
    }

    /// Runs `op` with the caller's context and the seal key, then anchors the audit chain's
    /// head for `reason` ([`crate::audit::anchor`]) when `anchor(&result)` says so. The key
    /// is read first, so a component without it changes nothing.
    pub fn with_anchor<T>(
        &self,
        reason: crate::audit::anchor::Reason,
        reference: &str,
        anchor: impl FnOnce(&T) -> bool,
        op: impl FnOnce(&OpCtx<'a>, &crate::certificates::seal::SealKey) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        let key = self.seal_key()?;
        let x = self.ctx()?;
        let out = op(x, &key)?;
        if anchor(&out) {
            crate::audit::anchor::seal_head(self.db, &key, reason, reference, &crate::workflow::stamp(x.now))?;
        }
        Ok(out)
    }

    /// The seal key (the `certificates` component only).
    pub fn seal_key(&self) -> Result<crate::certificates::seal::SealKey, DomainError> {
        match self.deps.seal_key {
            Some(source) => source(),
            None => Err(DomainError::Internal("this component holds no seal key".into())),
        }
    }
}

/// A service a component provides to its router.
pub type Source<'a, T> = &'a dyn Fn() -> Result<T, DomainError>;

/// The services only some components have; every other router gets `Deps::default()`.
#[derive(Default)]
pub struct Deps<'a> {
    /// The electronic seal's private key (`certificates`).
    pub seal_key: Option<Source<'a, crate::certificates::seal::SealKey>>,
    /// The national registry's transport (`mohrss-report`).
    pub registry: Option<Source<'a, Box<dyn crate::certificates::registry::Transport>>>,
    /// The national credit platform's transport (`credit-report`).
    pub credit_platform: Option<Source<'a, Box<dyn crate::certificates::registry::Transport>>>,
}

/// A handler: maps a call to a response. Written once, next to its route.
pub type Handler = for<'a, 'b> fn(&'b Call<'a>) -> Response;

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a token (public verification, the API description).
    Public,
    /// A signed-in caller, admitted, of a listed role and within the scope.
    Signed(crate::access::Policy),
}

/// One operation a router serves: an upper-case method, a path template whose `{name}`
/// segments are parameters (written exactly as in the OpenAPI description,
/// `shared/openapi.json`), who may call it, and its handler. Each router module exports
/// `pub const ROUTES: &[Route]` and serves through [`serve`]: the path is written once,
/// the policy is applied before the handler runs, and the OpenAPI "who" is generated
/// from the same declaration ([`docs`](admin::docs)).
#[derive(Clone, Copy)]
pub struct Route {
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Path template, e.g. `/api/admin/committees/{id}/cancel`.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    /// What it does.
    pub handler: Handler,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("access", &self.access)
            .finish()
    }
}

impl PartialEq for Route {
    fn eq(&self, other: &Route) -> bool {
        self.method == other.method && self.path == other.path
    }
}

/// The roles of one declaration, as a constant slice.
pub type Roles = &'static [crate::auth::Role];

impl Route {
    /// An operation for signed-in callers of `roles`, tied to the object by `scope`.
    pub const fn signed(
        method: &'static str,
        path: &'static str,
        roles: Roles,
        scope: crate::access::Scope,
        handler: Handler,
    ) -> Route {
        Route { method, path, access: Access::Signed(crate::access::Policy { roles, scope }), handler }
    }

    /// An operation anyone may call without a token.
    pub const fn public(method: &'static str, path: &'static str, handler: Handler) -> Route {
        Route { method, path, access: Access::Public, handler }
    }

    /// The parameters of `path` if it matches this template (method aside).
    pub fn captures<'a>(&self, path: &'a str) -> Option<Vec<&'a str>> {
        let want: Vec<&str> = self.path.split('/').filter(|s| !s.is_empty()).collect();
        let got: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if want.len() != got.len() {
            return None;
        }
        let mut params = Vec::new();
        for (w, g) in want.iter().zip(&got) {
            if w.starts_with('{') && w.ends_with('}') {
                params.push(*g);
            } else if w != g {
                return None;
            }
        }
        Some(params)
    }

    /// How literal the template is, segment by segment (a literal beats a parameter).
    fn specificity(&self) -> Vec<bool> {
        self.path.split('/').filter(|s| !s.is_empty()).map(|s| !s.starts_with('{')).collect()
    }
}

/// The outcome of matching a request against a route table.
#[derive(Debug, Clone, PartialEq)]
pub enum Dispatch<'a> {
    /// The route and its path parameters, in template order.
    Found(&'static Route, Vec<&'a str>),
    /// The path exists with other methods (405).
    MethodNotAllowed,
    /// No template matches the path (404).
    NotFound,
}

/// Matches a request against `routes`: the most literal matching template wins (so
/// `/x/export` beats `/x/{id}`); a path served only with other methods is a 405.
pub fn dispatch<'a>(routes: &'static [Route], req: &'a Request) -> Dispatch<'a> {
    let matching: Vec<(&'static Route, Vec<&'a str>)> =
        routes.iter().filter_map(|r| r.captures(&req.path).map(|p| (r, p))).collect();
    let Some(best) = matching.iter().map(|(r, _)| r.specificity()).max() else {
        return Dispatch::NotFound;
    };
    matching
        .into_iter()
        .find(|(r, _)| r.specificity() == best && r.method == req.method)
        .map_or(Dispatch::MethodNotAllowed, |(r, p)| Dispatch::Found(r, p))
}

/// Serves a request from a route table: match the route (404/405), then for a signed
/// route authenticate the token (401), admit its claims (401), check the role (403) and
/// the scope (404, the body of a missing id), and only then run the handler.
pub fn serve(routes: &'static [Route], req: &Request, db: &dyn Db, env: &Env, deps: &Deps<'_>) -> Response {
    let (route, params) = match dispatch(routes, req) {
        Dispatch::Found(route, params) => (route, params),
        Dispatch::MethodNotAllowed => return method_not_allowed(),
        Dispatch::NotFound => return no_route(),
    };
    match route.access {
        Access::Public => (route.handler)(&Call { req, env, db, params, deps, ctx: None }),
        Access::Signed(policy) => {
            let who = match authenticate(req, env)
                .and_then(|who| crate::access::admit(db, &who, env.now).map(|()| who))
                .and_then(|who| crate::access::authorise(db, &who, &policy, &params).map(|()| who))
            {
                Ok(who) => who,
                Err(e) => return Response::error(&e),
            };
            let ctx = op_ctx(db, &who, env);
            (route.handler)(&Call { req, env, db, params, deps, ctx: Some(ctx) })
        }
    }
}

/// Every component's route table, by component id of `spin.toml`.
pub const TABLES: &[(&str, &[Route])] = &[
    ("admin", admin::ROUTES),
    ("registration", admin::registration::ROUTES),
    ("openapi", admin::docs::ROUTES),
    ("results", results::ROUTES),
    ("certificates", certificates::ROUTES),
    ("verify", verify::ROUTES),
    ("mohrss-report", mohrss::ROUTES),
    ("credit-report", credit::ROUTES),
    ("jobs", jobs::ROUTES),
    ("quota", quotas::ROUTES),
    ("province", province::ROUTES),
    ("evaluation", evaluation::ROUTES),
    ("judging", judging::ROUTES),
    ("submit", applicant::ROUTES),
    ("review", unit::ROUTES),
    ("chain", chain::ROUTES),
    ("session", session::ROUTES),
    ("public", public::ROUTES),
];

fn percent_decode(s: &str) -> String {
    fn hex_val(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex_val(bytes[i + 1]), hex_val(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        a: u32,
        inner: Option<Inner>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        date: chrono::NaiveDate,
    }

    fn field_of(body: &str) -> Option<String> {
        parse_json::<Body>(body.as_bytes()).unwrap_err().field().map(str::to_owned)
    }

    #[test]
    fn a_wrong_type_names_its_field() {
        assert_eq!(field_of(r#"{"a":"x"}"#).as_deref(), Some("a"));
        assert_eq!(field_of(r#"{"a":1,"inner":{"date":"2024-13-01"}}"#).as_deref(), Some("inner.date"));
    }

    #[test]
    fn an_unknown_field_is_refused_and_named() {
        let e = parse_json::<Body>(br#"{"a":1,"bogus":2}"#).unwrap_err();
        assert_eq!(e.code(), "INVALID_FIELD");
        assert!(e.field().unwrap().contains("bogus"), "{:?}", e.field());
    }

    #[test]
    fn a_missing_field_is_named() {
        assert_eq!(field_of(r#"{}"#).as_deref(), Some("a"));
    }

    #[test]
    fn a_busy_store_is_a_503_with_retry_after_never_a_500() {
        let r = Response::error(&DomainError::from(crate::store::StoreError::from_message(
            "database is locked (waited 5000 ms for the write queue)".into(),
        )));
        assert_eq!(r.status, 503);
        let retry = r.headers.iter().find(|(k, _)| k == "retry-after").map(|(_, v)| v.as_str());
        assert_eq!(retry, Some("1"));
        assert!(String::from_utf8_lossy(&r.body).contains("STORE_BUSY"));
    }

    #[test]
    fn malformed_json_is_a_malformed_body() {
        assert_eq!(parse_json::<Body>(b"{\"a\":").unwrap_err().code(), "MALFORMED_BODY");
        assert_eq!(parse_json::<Body>(b"").unwrap_err().code(), "MALFORMED_BODY");
    }

    #[test]
    fn query_parameters_are_percent_decoded() {
        let r = Request { query: "filename=%E8%AF%81%E4%B9%A6.pdf&kind=degree&x".into(), ..Request::default() };
        assert_eq!(r.query_param("filename").as_deref(), Some("证书.pdf"));
        assert_eq!(r.query_param("kind").as_deref(), Some("degree"));
        assert_eq!(r.query_param("x").as_deref(), Some(""));
        assert_eq!(r.query_param("y"), None);
    }

    #[test]
    fn page_size_out_of_range_is_refused_by_name() {
        let r = Request { query: "page_size=1000".into(), ..Request::default() };
        assert_eq!(page(&r).unwrap_err().field(), Some("page_size"));
    }
}
