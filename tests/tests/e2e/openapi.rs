//! The OpenAPI 3.1 description (`shared/openapi.json`, served at `GET /api/openapi.json`)
//! and the HTTP API agree, both ways:
//!
//! - every operation of every router table (`ROUTES`, see `shared::api::Route`) is
//!   described, and every described operation is in a table;
//! - every table's routes lie under its component's trigger in `spin.toml`, and every HTTP
//!   trigger of `spin.toml` belongs to a component with a table that serves something;
//! - every operation's "who" (`security`, `x-roles`, `x-scope`, the "Who:" sentence) in the
//!   served document is generated from its route declaration, which the router enforces;
//!   the hand-written file says nothing about who, so the two cannot drift. (A route is
//!   declared with its handler, so "a described operation no handler serves" cannot be.)
//!
//! A route added to a router without a description (or the reverse) fails the first
//! check; a component added to `spin.toml` without a table fails the second.

use serde_json::Value;
use shared::api::{self, Request, Response, Route};
use std::collections::{BTreeMap, BTreeSet};

type Op = (String, String);

/// The `health` component has no router in `shared`: it answers its one exact route.
const HEALTH: &[(&str, &str)] = &[("GET", "/api/health")];

/// The component that serves the front end's files (exempt from route tables).
const PORTAL: &str = "portal";

/// Every component's route table.
fn tables() -> BTreeMap<String, BTreeSet<Op>> {
    let mut t: BTreeMap<String, BTreeSet<Op>> = api::TABLES
        .iter()
        .map(|(component, routes)| {
            ((*component).to_owned(), routes.iter().map(|r| (r.method.to_owned(), r.path.to_owned())).collect())
        })
        .collect();
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

// ---------------------------------------------------------------- who, generated

#[test]
fn every_operations_who_and_security_in_the_served_document_are_its_route_declaration() {
    let doc = api::admin::docs::document();
    let mut problems = Vec::new();
    for (component, routes) in api::TABLES {
        for r in *routes {
            let op = &doc["paths"][r.path][r.method.to_ascii_lowercase()];
            let desc = op["description"].as_str().unwrap_or_default();
            match r.access {
                api::Access::Public => {
                    if op["security"] != serde_json::json!([]) || !desc.starts_with("Who: anyone") {
                        problems.push(format!("{component}: {} {} is public but documented {op}", r.method, r.path));
                    }
                }
                api::Access::Signed(policy) => {
                    let roles: Vec<&str> = policy.roles.iter().map(|r| r.as_str()).collect();
                    let ok = op["security"] == serde_json::json!([{"bearer": []}])
                        && op["x-roles"] == serde_json::json!(roles)
                        && op["x-scope"] == policy.scope.as_str()
                        && desc.starts_with(&format!("Who: {}", roles.join(", ")));
                    if !ok {
                        problems.push(format!("{component}: {} {} documented {op}", r.method, r.path));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_hand_written_description_says_nothing_about_who_so_it_cannot_drift() {
    for (path, item) in description()["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op.get("security").is_none() && op.get("x-roles").is_none(), "{method} {path}");
            assert!(!op["description"].as_str().unwrap_or_default().starts_with("Who:"), "{method} {path}");
        }
    }
}

#[test]
fn a_dispatch_prefers_literal_segments_and_answers_405_for_other_methods() {
    fn ok(_: &api::Call<'_>) -> Response {
        Response::bytes(200, "text/plain", Vec::new())
    }
    const T: &[Route] = &[
        Route::public("GET", "/x/{id}", ok),
        Route::public("GET", "/x/export", ok),
        Route::public("PUT", "/x/{id}", ok),
    ];
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
    assert_eq!(r.json(), api::admin::docs::document(), "rebuild the wasm (scripts/build-wasm)");
    assert_eq!(r.json()["openapi"], "3.1.0");
}
