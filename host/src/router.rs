//! Spin's HTTP routing: exact routes, `:name` single-segment wildcards and trailing `/...`
//! wildcards. The most specific route wins, comparing segment by segment: a literal beats
//! `:name`, which beats the end of an exact route, which beats a trailing wildcard (so an
//! exact route beats a wildcard and a longer wildcard prefix beats a shorter one).
//! A single trailing `/` is ignored when matching, as Spin does.

use anyhow::{bail, Result};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

#[derive(Debug, Clone)]
struct Route {
    /// The route as written in the manifest.
    raw: String,
    /// The route after Spin's sanitising (leading `/` added, one trailing `/` removed).
    based: String,
    segments: Vec<Segment>,
    trailing_wildcard: bool,
    component: String,
}

/// The routing table of the HTTP trigger.
#[derive(Debug, Clone, Default)]
pub struct Router {
    routes: Vec<Route>,
}

/// The result of routing a request path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    /// The component id.
    pub component: String,
    /// The route as written in the manifest (`spin-raw-component-route`).
    pub raw_route: String,
    /// The sanitised route (`spin-matched-route`).
    pub matched_route: String,
    /// The raw route without its `/...` suffix (`spin-component-route`).
    pub component_route: String,
    /// The path below a trailing wildcard, e.g. `/x/y` (`spin-path-info`; empty for exact routes).
    pub path_info: String,
    /// `:name` captures (`spin-path-match-<name>`).
    pub captures: HashMap<String, String>,
}

// Per-position ranks: higher is more specific.
const RANK_LITERAL: u8 = 3;
const RANK_PARAM: u8 = 2;
const RANK_END: u8 = 1;
const RANK_WILDCARD: u8 = 0;

impl Router {
    /// Builds the table from `(route, component)` pairs. A later duplicate route replaces an
    /// earlier one, as in Spin.
    pub fn new<'a>(routes: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Router> {
        let mut out: Vec<Route> = Vec::new();
        for (raw, component) in routes {
            let route = parse(raw, component)?;
            out.retain(|r| r.based != route.based || r.trailing_wildcard != route.trailing_wildcard);
            out.push(route);
        }
        Ok(Router { routes: out })
    }

    /// Routes a request path (without query string); `None` when nothing matches.
    pub fn route(&self, path: &str) -> Option<RouteMatch> {
        let trimmed = path.strip_suffix('/').unwrap_or(path);
        let parts: Vec<&str> =
            if trimmed.is_empty() { Vec::new() } else { trimmed.trim_start_matches('/').split('/').collect() };
        self.routes
            .iter()
            .filter_map(|r| Some((rank(r, &parts)?, r)))
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, r)| build_match(r, &parts, path))
    }

    /// The `(route, component)` pairs, for printing at startup.
    pub fn routes(&self) -> impl Iterator<Item = (&str, &str)> {
        self.routes.iter().map(|r| (r.raw.as_str(), r.component.as_str()))
    }
}

fn parse(raw: &str, component: &str) -> Result<Route> {
    let mut based = if raw.starts_with('/') { raw.to_string() } else { format!("/{raw}") };
    if let Some(s) = based.strip_suffix('/') {
        based = s.to_string();
    }
    let (body, trailing_wildcard) = match based.strip_suffix("/...") {
        Some(b) => (b.to_string(), true),
        None => (based.clone(), false),
    };
    let mut segments = Vec::new();
    for s in body.split('/').skip(1) {
        if s == "..." {
            bail!("route `{raw}`: `...` may only end a route");
        }
        segments.push(match s.strip_prefix(':') {
            Some(name) if !name.is_empty() => Segment::Param(name.to_string()),
            Some(_) => bail!("route `{raw}`: empty `:` wildcard name"),
            None => Segment::Literal(s.to_string()),
        });
    }
    Ok(Route { raw: raw.to_string(), based, segments, trailing_wildcard, component: component.to_string() })
}

/// The specificity of `route` for `parts`, or `None` when it does not match.
fn rank(route: &Route, parts: &[&str]) -> Option<Vec<u8>> {
    if parts.len() < route.segments.len() || (!route.trailing_wildcard && parts.len() != route.segments.len()) {
        return None;
    }
    let mut key = Vec::with_capacity(route.segments.len() + 1);
    for (seg, part) in route.segments.iter().zip(parts) {
        match seg {
            Segment::Literal(l) if l == part => key.push(RANK_LITERAL),
            Segment::Param(_) if !part.is_empty() => key.push(RANK_PARAM),
            _ => return None,
        }
    }
    key.push(if route.trailing_wildcard { RANK_WILDCARD } else { RANK_END });
    Some(key)
}

fn build_match(route: &Route, parts: &[&str], path: &str) -> RouteMatch {
    let captures = route
        .segments
        .iter()
        .zip(parts)
        .filter_map(|(s, p)| match s {
            Segment::Param(name) => Some((name.clone(), (*p).to_string())),
            Segment::Literal(_) => None,
        })
        .collect();
    let path_info = if route.trailing_wildcard {
        let rest = parts[route.segments.len()..].join("/");
        match (rest.is_empty(), path.ends_with('/')) {
            (true, false) => String::new(),
            (true, true) => "/".to_string(),
            (false, false) => format!("/{rest}"),
            (false, true) => format!("/{rest}/"),
        }
    } else {
        String::new()
    };
    RouteMatch {
        component: route.component.clone(),
        raw_route: route.raw.clone(),
        matched_route: route.based.clone(),
        component_route: route.raw.strip_suffix("/...").unwrap_or(&route.raw).to_string(),
        path_info,
        captures,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(routes: &[(&str, &str)]) -> Router {
        Router::new(routes.iter().copied()).unwrap()
    }

    fn component(r: &Router, path: &str) -> Option<String> {
        r.route(path).map(|m| m.component)
    }

    #[test]
    fn an_exact_route_matches_only_its_path() {
        let r = router(&[("/cart", "cart"), ("/cart/checkout", "checkout")]);
        assert_eq!(component(&r, "/cart").as_deref(), Some("cart"));
        assert_eq!(component(&r, "/cart/").as_deref(), Some("cart"));
        assert_eq!(component(&r, "/cart/checkout").as_deref(), Some("checkout"));
        assert_eq!(component(&r, "/cart/other"), None);
        assert_eq!(component(&r, "/cartx"), None);
    }

    #[test]
    fn the_longest_wildcard_wins_regardless_of_order() {
        for routes in [
            [("/one/...", "1"), ("/one/two/...", "2"), ("/one/two/three/...", "3")],
            [("/one/two/three/...", "3"), ("/one/two/...", "2"), ("/one/...", "1")],
        ] {
            let r = router(&routes);
            assert_eq!(component(&r, "/one/two/three/four").as_deref(), Some("3"));
            assert_eq!(component(&r, "/one/two/x").as_deref(), Some("2"));
            assert_eq!(component(&r, "/one").as_deref(), Some("1"));
            assert_eq!(component(&r, "/onex"), None);
        }
    }

    #[test]
    fn an_exact_route_beats_a_wildcard() {
        let r = router(&[("/...", "all"), ("/one", "exact"), ("/one/...", "one-wild")]);
        assert_eq!(component(&r, "/one").as_deref(), Some("exact"));
        assert_eq!(component(&r, "/one/x").as_deref(), Some("one-wild"));
        assert_eq!(component(&r, "/").as_deref(), Some("all"));
        assert_eq!(component(&r, "/zzz").as_deref(), Some("all"));
    }

    #[test]
    fn path_info_and_spin_route_values_follow_spin() {
        let r = router(&[("/test/...", "c")]);
        let cases = [("/test", ""), ("/test/", "/"), ("/test/hello", "/hello"), ("/test/hello/", "/hello/")];
        for (path, info) in cases {
            assert_eq!(r.route(path).unwrap().path_info, info, "{path}");
        }
        let m = r.route("/test/a/b").unwrap();
        assert_eq!(m.matched_route, "/test/...");
        assert_eq!(m.raw_route, "/test/...");
        assert_eq!(m.component_route, "/test");
        let all = router(&[("/...", "c")]);
        assert_eq!(all.route("/1/2/3").unwrap().path_info, "/1/2/3");
        assert_eq!(all.route("/1/2/3").unwrap().component_route, "");
    }

    #[test]
    fn named_wildcards_capture_one_segment_and_rank_below_literals() {
        let r = router(&[("/users/:id/edit", "edit"), ("/users/me/edit", "me"), ("/users/:id/...", "user")]);
        let m = r.route("/users/42/edit").unwrap();
        assert_eq!(m.component, "edit");
        assert_eq!(m.captures["id"], "42");
        assert_eq!(component(&r, "/users/me/edit").as_deref(), Some("me"));
        assert_eq!(component(&r, "/users/42/photos").as_deref(), Some("user"));
        assert_eq!(component(&r, "/users"), None);
    }

    #[test]
    fn in_the_apps_manifest_every_api_route_beats_the_portal_catch_all() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let m = crate::manifest::Manifest::load(&dir.join("spin.toml")).unwrap();
        let r = Router::new(m.http_triggers.iter().map(|t| (t.route.as_str(), t.component.as_str()))).unwrap();
        let cases = [
            ("/api/health", "health"),
            ("/api/applications", "submit"),
            ("/api/applications/7/materials/2", "submit"),
            ("/api/unit/applications/7/approve", "review"),
            ("/api/verify/certificates/B042401000000001", "verify"),
            ("/api/openapi.json", "openapi"),
            ("/", "portal"),
            ("/login", "portal"),
            ("/verify/certificates/B042401000000001", "portal"),
            ("/assets/index-abc123.js", "portal"),
            // No API trigger covers it, so the portal answers (with the API's 404 JSON).
            ("/api/no-such-thing", "portal"),
        ];
        for (path, want) in cases {
            assert_eq!(component(&r, path).as_deref(), Some(want), "{path}");
        }
    }

    #[test]
    fn a_later_duplicate_route_replaces_the_earlier() {
        let r = router(&[("/foo", "first"), ("/foo", "second")]);
        assert_eq!(component(&r, "/foo").as_deref(), Some("second"));
        assert_eq!(r.routes().count(), 1);
    }
}
