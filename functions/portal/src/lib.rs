//! `portal`: serves the browser front end (Vue 3 + Element Plus, built by Vite into
//! `web/dist` and embedded at compile time, see `build.rs`) on the catch-all route `/...`.
//! Every API route of `spin.toml` is more specific, so Spin sends `/api/...` there; an
//! `/api/...` path that reaches this component is answered with the API's own 404 body.
//!
//! The handler is a thin shell over [`make_response`], a pure function (the shape of
//! fermyon/spin-fileserver), tested through the host in `tests/tests/e2e/portal.rs`. No
//! variables, no database: least privilege.

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The main single-page application; every non-asset path falls back to it.
pub const INDEX: &str = "/index.html";
/// The public certificate-verification page (a separate small Vite entry, issue 17).
pub const VERIFY: &str = "/verify.html";
/// The public publicity pages (`/public/...`, issue 17): another small entry, no sign-in.
pub const PUBLIC: &str = "/public.html";

/// The Content-Security-Policy of every answer. Scripts only from this origin, no inline
/// script, no eval. `style-src` allows `'unsafe-inline'` because Element Plus positions
/// popovers, dialogs and tables with inline `style` attributes (there is no nonce
/// mechanism for attributes); styles cannot run script, so the XSS surface stays closed.
/// `blob:` images and frames show uploaded materials (previewed from downloaded bytes).
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-src 'self' blob:; \
object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Hashed build output (`/assets/name-HASH.ext`): its name changes with its content.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Entry pages and unhashed files: revalidate every time so a deploy is seen at once.
pub const NO_CACHE: &str = "no-cache";

/// The API's answer to an unknown route (`shared::api`'s `ROUTE_NOT_FOUND`).
pub const API_NOT_FOUND: &[u8] = "{\"code\":\"ROUTE_NOT_FOUND\",\"message\":\"接口不存在\"}".as_bytes();

/// One answer: status, headers, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: &'static [u8],
}

impl Served {
    /// The value of header `name` (lower case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }
}

fn asset(path: &str) -> Option<&'static [u8]> {
    ASSETS.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
}

/// The content type of a file name.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Whether `path` names a file rather than a page of the application: under `/assets/`,
/// or its last segment has an extension. A missing file is a 404, never the index page.
fn is_file_path(path: &str) -> bool {
    path.starts_with("/assets/") || path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

fn security_headers(headers: &mut Vec<(&'static str, String)>) {
    headers.push(("content-security-policy", CSP.to_owned()));
    headers.push(("x-content-type-options", "nosniff".to_owned()));
    headers.push(("referrer-policy", "same-origin".to_owned()));
}

fn plain(status: u16, body: &'static [u8], content_type: &str) -> Served {
    let mut headers = vec![("content-type", content_type.to_owned()), ("cache-control", NO_CACHE.to_owned())];
    security_headers(&mut headers);
    Served { status, headers, body }
}

/// The answer to `method path` (path without the query string).
pub fn make_response(method: &str, path: &str) -> Served {
    let path = if path.is_empty() { "/" } else { path };
    if path == "/api" || path.starts_with("/api/") {
        return plain(404, API_NOT_FOUND, "application/json");
    }
    let head = method.eq_ignore_ascii_case("HEAD");
    if !head && !method.eq_ignore_ascii_case("GET") {
        let mut s = plain(405, b"", "text/plain; charset=utf-8");
        s.headers.push(("allow", "GET, HEAD".to_owned()));
        return s;
    }
    let (file, body) = if is_file_path(path) {
        match asset(path) {
            Some(b) => (path, b),
            None => return plain(404, "未找到该文件".as_bytes(), "text/plain; charset=utf-8"),
        }
    } else {
        let under = |root: &str| path == root || path.strip_prefix(root).is_some_and(|rest| rest.starts_with('/'));
        let page = if under("/verify") {
            VERIFY
        } else if under("/public") {
            PUBLIC
        } else {
            INDEX
        };
        match asset(page).or_else(|| asset(INDEX)) {
            Some(b) => (page, b),
            None => return plain(404, "未找到该页面".as_bytes(), "text/plain; charset=utf-8"),
        }
    };
    let cache = if file.starts_with("/assets/") { IMMUTABLE } else { NO_CACHE };
    let mut headers = vec![("content-type", content_type(file).to_owned()), ("cache-control", cache.to_owned())];
    security_headers(&mut headers);
    Served { status: 200, headers, body: if head { b"" } else { body } }
}

#[cfg(target_arch = "wasm32")]
mod component {
    use spin_sdk::http::{Request, Response};
    use spin_sdk::http_component;

    #[http_component]
    fn handle(req: Request) -> Response {
        let method = req.method().to_string();
        let served = super::make_response(&method, req.path());
        let mut b = Response::builder();
        b.status(served.status);
        for (k, v) in served.headers {
            b.header(k, v);
        }
        b.body(served.body.to_vec()).build()
    }
}
