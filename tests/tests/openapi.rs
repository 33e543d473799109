//! The OpenAPI 3.1 description (`shared/openapi.json`, served at `GET /api/openapi.json`)
//! and the HTTP API agree, both ways:
//!
//! - every operation of every router table (`ROUTES`, see `shared::api::Route`) is
//!   described, and every described operation is in a table;
//! - every table's routes lie under its component's trigger in `spin.toml`, and every HTTP
//!   trigger of `spin.toml` belongs to a component with a table that serves something;
//! - every described operation reaches a handler of its router (called natively with a
//!   token of each role: neither "no such route" nor "method not allowed" nor "unhandled").
//!
//! A route added to a router without a description (or the reverse) fails the first
//! check; a component added to `spin.toml` without a table fails the second.

use serde_json::Value;
use shared::api::{self, Env, Request, Response, Route};
use shared::auth::{mint, Claims, Role};
use shared::store::native::{apply_migrations_dir, NativeDb};
use std::collections::{BTreeMap, BTreeSet};

type Op = (String, String);

/// The `health` component has no router in `shared`: it answers its one exact route.
const HEALTH: &[(&str, &str)] = &[("GET", "/api/health")];

/// The component that serves the front end's files (exempt from route tables).
const PORTAL: &str = "portal";

/// Every component's route table.
fn tables() -> BTreeMap<String, BTreeSet<Op>> {
    let own = |routes: &[Route]| routes.iter().map(|r| (r.method.to_owned(), r.path.to_owned())).collect();
    let mut t: BTreeMap<String, BTreeSet<Op>> = BTreeMap::new();
    t.insert("admin".into(), own(api::admin::ROUTES));
    t.insert("registration".into(), own(api::admin::registration::ROUTES));
    t.insert("openapi".into(), own(api::admin::docs::ROUTES));
    t.insert("results".into(), own(api::results::ROUTES));
    t.insert("certificates".into(), own(api::certificates::ROUTES));
    t.insert("verify".into(), own(api::verify::ROUTES));
    t.insert("mohrss-report".into(), own(api::mohrss::ROUTES));
    t.insert("jobs".into(), own(api::jobs::ROUTES));
    t.insert("quota".into(), own(api::quotas::ROUTES));
    t.insert("province".into(), own(api::province::ROUTES));
    t.insert("evaluation".into(), own(api::evaluation::ROUTES));
    t.insert("judging".into(), own(api::judging::ROUTES));
    t.insert("submit".into(), own(api::applicant::ROUTES));
    t.insert("review".into(), own(api::unit::ROUTES));
    t.insert("chain".into(), own(api::chain::ROUTES));
    t.insert("health".into(), HEALTH.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect());
    t
}

fn description() -> Value {
    serde_json::from_str(api::admin::docs::OPENAPI_JSON).expect("shared/openapi.json is JSON")
}

/// The described operations.
fn described(doc: &Value) -> BTreeSet<Op> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            if ["get", "put", "post", "delete", "patch", "head", "options"].contains(&method.as_str()) {
                out.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// What the description lacks and what no table serves.
#[derive(Debug, Default, PartialEq, Eq)]
struct Drift {
    undescribed: Vec<Op>,
    unrouted: Vec<Op>,
}

fn drift(tables: &BTreeMap<String, BTreeSet<Op>>, described: &BTreeSet<Op>) -> Drift {
    let routed: BTreeSet<Op> = tables.values().flatten().cloned().collect();
    Drift {
        undescribed: routed.difference(described).cloned().collect(),
        unrouted: described.difference(&routed).cloned().collect(),
    }
}

#[test]
fn every_routed_operation_is_described_and_every_described_operation_is_routed() {
    assert_eq!(drift(&tables(), &described(&description())), Drift::default());
}

#[test]
fn the_check_catches_a_route_added_without_description_and_a_description_without_route() {
    let doc = description();
    let mut t = tables();
    t.get_mut("admin").unwrap().insert(("GET".into(), "/api/admin/undocumented".into()));
    let mut d = described(&doc);
    d.insert(("DELETE".into(), "/api/admin/committees/{id}".into()));
    let found = drift(&t, &d);
    assert_eq!(found.undescribed, vec![("GET".to_owned(), "/api/admin/undocumented".to_owned())]);
    assert_eq!(found.unrouted, vec![("DELETE".to_owned(), "/api/admin/committees/{id}".to_owned())]);
}

/// The `[[trigger.http]]` routes of `spin.toml`: (route, component).
fn triggers() -> Vec<(String, String)> {
    let m: toml::Table = std::fs::read_to_string(e2e::app_manifest()).unwrap().parse().unwrap();
    m["trigger"]["http"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["route"].as_str().unwrap().to_owned(), t["component"].as_str().unwrap().to_owned()))
        .collect()
}

/// Whether a Spin route (`/x/...` or exact) covers a path template.
fn covers(route: &str, path: &str) -> bool {
    match route.strip_suffix("/...") {
        Some(prefix) => path == prefix || path.starts_with(&format!("{prefix}/")),
        None => path == route,
    }
}

#[test]
fn every_route_lies_under_its_components_trigger_and_every_trigger_serves_a_route() {
    let tables = tables();
    let triggers = triggers();
    let mut problems = Vec::new();
    for (route, component) in &triggers {
        // The `portal` serves the browser front end's files on the catch-all `/...`, not
        // API operations: it has no route table (its `/api/...` answer is the API's 404).
        if component == PORTAL {
            assert_eq!(route, "/...", "the portal is the catch-all and nothing else");
            continue;
        }
        match tables.get(component) {
            None => problems.push(format!(
                "component `{component}` ({route}) has no route table: export `ROUTES` from its router (see \
                 shared::api::Route) and list it in `tables()`, and describe its operations in shared/openapi.json"
            )),
            Some(ops) if !ops.iter().any(|(_, p)| covers(route, p)) => {
                problems.push(format!("trigger {route} of `{component}` serves no route in its table"))
            }
            Some(_) => {}
        }
    }
    for (component, ops) in &tables {
        for (m, p) in ops {
            // Spin sends each path to the most specific trigger; it must be this component's.
            let best = triggers
                .iter()
                .filter(|(r, _)| covers(r, p))
                .max_by_key(|(r, _)| (!r.ends_with("/..."), r.len()))
                .map(|(_, c)| c.as_str());
            if best != Some(component.as_str()) {
                problems.push(format!("{m} {p} of `{component}` is routed by spin.toml to {best:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_description_is_well_formed_openapi_3_1() {
    let doc = description();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut ids = BTreeSet::new();
    let text = api::admin::docs::OPENAPI_JSON;
    for r in text.split("\"$ref\": \"#/components/").skip(1) {
        let target = &r[..r.find('"').unwrap()];
        let (section, name) = target.split_once('/').unwrap();
        assert!(doc["components"][section].get(name).is_some(), "dangling $ref {target}");
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        let params: BTreeSet<&str> =
            path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect();
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            assert!(ids.insert(id.to_owned()), "duplicate operationId {id}");
            assert!(
                op["summary"].is_string() && op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path}"
            );
            let declared: BTreeSet<&str> = op["parameters"]
                .as_array()
                .map(|a| a.iter().filter(|p| p["in"] == "path").filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            assert_eq!(declared, params, "{method} {path}: path parameters");
        }
    }
}

// ---------------------------------------------------------------- native probe

const SECRET: &[u8] = b"openapi-probe-secret-0123456789";

type Router = fn(&Request, &dyn shared::store::Db, &Env) -> Response;

fn router_of(component: &str) -> Option<Router> {
    Some(match component {
        "admin" => api::admin::handle,
        "registration" => api::admin::registration::handle,
        "submit" => api::applicant::handle,
        "review" => api::unit::handle,
        "jobs" => api::jobs::handle,
        "chain" => api::chain::handle,
        "quota" => api::quotas::handle,
        "province" => api::province::handle,
        "evaluation" => api::evaluation::handle,
        "judging" => api::judging::handle,
        "results" => api::results::handle,
        "verify" => |req, db, _env| api::verify::handle(req, db),
        // `certificates` and `mohrss-report` take their seal key / transport from the
        // component: covered by their own end-to-end tests, not probed here.
        _ => return None,
    })
}

/// A concrete path for a template (`{kind}` an import kind, `{year}` a year, ids `1`).
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|s| match s {
            "{kind}" => "specialties",
            "{year}" => "2024",
            "{committee}" => "CMT-X",
            s if s.starts_with('{') => "1",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn every_described_operation_reaches_a_handler_of_its_router() {
    let db = NativeDb::open_in_memory().unwrap();
    apply_migrations_dir(&db, &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations")).unwrap();
    let env =
        Env { auth_secret: SECRET.to_vec(), now: "2024-09-20T02:00:00Z".parse().unwrap(), max_upload_bytes: 1 << 20 };
    let roles = [Role::Applicant, Role::Unit, Role::Dept, Role::CommitteeOrg, Role::Judge, Role::Province];
    let mut problems = Vec::new();
    for (component, ops) in tables() {
        if component == "openapi" {
            for (m, p) in &ops {
                let r = api::admin::docs::handle(&Request { method: m.clone(), path: p.clone(), ..Request::default() });
                if r.status != 200 {
                    problems.push(format!("{m} {p}: {}", r.status));
                }
            }
            continue;
        }
        let Some(router) = router_of(&component) else { continue };
        for (m, p) in &ops {
            let path = concrete(p);
            let codes: Vec<String> = roles
                .iter()
                .map(|role| {
                    let token = mint(
                        SECRET,
                        &Claims {
                            sub: "probe".into(),
                            name: "probe".into(),
                            role: *role,
                            org: "ORG-PROBE".into(),
                            exp: 4_102_444_800,
                        },
                    );
                    let req = Request {
                        method: m.clone(),
                        path: path.clone(),
                        query: String::new(),
                        headers: vec![("authorization".into(), format!("Bearer {token}"))],
                        body: Vec::new(),
                    };
                    let r = router(&req, &db, &env);
                    serde_json::from_slice::<Value>(&r.body)
                        .ok()
                        .and_then(|v| v["code"].as_str().map(str::to_owned))
                        .unwrap_or_else(|| r.status.to_string())
                })
                .collect();
            let unreached = ["ROUTE_NOT_FOUND", "METHOD_NOT_ALLOWED", "ROUTE_UNHANDLED", "UNAUTHENTICATED"];
            if codes.iter().all(|c| unreached.contains(&c.as_str()) || c == "FORBIDDEN") {
                problems.push(format!("{m} {p} ({component}): {codes:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn a_dispatch_prefers_literal_segments_and_answers_405_for_other_methods() {
    const T: &[Route] = &[Route::new("GET", "/x/{id}"), Route::new("GET", "/x/export"), Route::new("PUT", "/x/{id}")];
    let req = |m: &str, p: &str| Request { method: m.into(), path: p.into(), ..Request::default() };
    let r = req("GET", "/x/export");
    assert_eq!(api::dispatch(T, &r), api::Dispatch::Found(&T[1], vec![]));
    let r = req("PUT", "/x/7");
    assert_eq!(api::dispatch(T, &r), api::Dispatch::Found(&T[2], vec!["7"]));
    assert_eq!(api::dispatch(T, &req("DELETE", "/x/7")), api::Dispatch::MethodNotAllowed);
    assert_eq!(api::dispatch(T, &req("GET", "/y")), api::Dispatch::NotFound);
}

// ---------------------------------------------------------------- served

#[test]
fn the_description_is_served_without_a_token_by_the_openapi_component() {
    let app = e2e::TestApp::start();
    let r = app.request("GET", "/api/openapi.json", None, None);
    assert_eq!(r.status, 200);
    assert!(r.content_type.as_deref().unwrap_or("").starts_with("application/json"));
    assert_eq!(r.body, api::admin::docs::OPENAPI_JSON.as_bytes(), "rebuild the wasm (scripts/build-wasm)");
    assert_eq!(r.json()["openapi"], "3.1.0");
}
