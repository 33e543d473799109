//! The portal component (`functions/portal`) through the host, as a browser meets it: the
//! built pages and assets of `functions/portal/web/dist` (embedded in portal.wasm), the
//! fallback of the single-page application, cache headers, the Content Security Policy on
//! every answer, and the API's JSON 404 for `/api/...` paths no API component owns.

use e2e::TestApp;
use std::path::{Path, PathBuf};

fn dist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../functions/portal/web/dist")
}

fn file(name: &str) -> Vec<u8> {
    std::fs::read(dist().join(name)).unwrap_or_else(|e| panic!("dist/{name}: {e} (scripts/build-web builds it)"))
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

#[test]
fn unknown_api_paths_get_the_apis_json_404_and_pages_fall_back_to_the_index() {
    let app = TestApp::start();
    for path in ["/api/applications-x/1", "/api-nope"] {
        let r = app.request("GET", path, None, None);
        if path.starts_with("/api/") {
            assert_eq!(r.status, 404, "{path}");
            assert_eq!(r.json()["code"], "ROUTE_NOT_FOUND", "{path}");
        } else {
            assert_eq!(r.status, 200, "{path}: not under /api/, a page of the application");
        }
    }
    let index = file("index.html");
    for path in ["/", "/login", "/applicant/applications/3", "/unit/work"] {
        let r = app.request("GET", path, None, None);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"), "{path}");
        assert_eq!(r.header("cache-control"), Some(NO_CACHE), "{path}");
        assert_eq!(r.body, index, "{path}");
    }
}

#[test]
fn the_verification_and_publicity_paths_serve_their_small_entries() {
    let app = TestApp::start();
    let (verify, public, index) = (file("verify.html"), file("public.html"), file("index.html"));
    for path in ["/verify", "/verify/certificates/B042401000000001"] {
        assert_eq!(app.request("GET", path, None, None).body, verify, "{path}");
    }
    for path in ["/public", "/public/units/ORG-DEMO-HOSPITAL", "/public/committees/CMT-HEALTH"] {
        assert_eq!(app.request("GET", path, None, None).body, public, "{path}");
    }
    assert_eq!(app.request("GET", "/publicity", None, None).body, index, "only /public and below");
}

#[test]
fn hashed_assets_are_immutable_and_typed_and_missing_files_are_404() {
    let app = TestApp::start();
    let js = std::fs::read_dir(dist().join("assets"))
        .expect("dist/assets")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.ends_with(".js"))
        .expect("a built script");
    let r = app.request("GET", &format!("/assets/{js}"), None, None);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, file(&format!("assets/{js}")));
    assert_eq!(r.header("cache-control"), Some(IMMUTABLE));
    assert_eq!(r.header("content-type"), Some("text/javascript; charset=utf-8"));
    for missing in ["/assets/missing-1234.js", "/favicon-none.ico"] {
        let r = app.request("GET", missing, None, None);
        assert_eq!(r.status, 404, "{missing}: a missing file is never the index page");
        assert_ne!(r.body, file("index.html"));
    }
}

#[test]
fn every_answer_carries_the_security_headers_and_only_get_and_head_are_served() {
    let app = TestApp::start();
    for path in ["/", "/nope.js", "/login"] {
        let r = app.request("GET", path, None, None);
        let csp = r.header("content-security-policy").unwrap_or_else(|| panic!("{path}: no CSP"));
        assert!(csp.starts_with("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(r.header("referrer-policy"), Some("same-origin"), "{path}");
    }
    let post = app.request("POST", "/login", None, Some(("text/plain", b"x".to_vec())));
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    let head = app.request("HEAD", "/", None, None);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
}
