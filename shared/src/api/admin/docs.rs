//! Routes of the `openapi` component: the OpenAPI 3.1 description of the whole HTTP API.
//! No token, no database.
//!
//! The description's paths, bodies and answers are written in `shared/openapi.json`; who
//! may call each operation is not: [`document`] generates every operation's `security`,
//! `x-roles`, `x-scope` and the "Who:" sentence of its description from the route
//! declarations ([`crate::api::TABLES`]), the same declarations the router enforces, so
//! the documentation and the enforcement cannot differ.

use crate::api::{respond, Access, Deps, Env, Request, Response, Route, TABLES};
use crate::auth::Role;
use serde_json::{json, Value};

/// The hand-written part of the description.
pub const OPENAPI_JSON: &str = include_str!("../../../openapi.json");

/// Every operation of this router.
pub const ROUTES: &[Route] =
    &[Route::public("GET", "/api/openapi.json", |_| respond(200, Ok::<_, crate::error::DomainError>(document())))];

/// Operations served outside the routers (the `health` component).
const UNROUTED_PUBLIC: &[(&str, &str)] = &[("get", "/api/health")];

fn role_label(r: Role) -> &'static str {
    match r {
        Role::Applicant => "申报人",
        Role::Unit => "用人单位",
        Role::Dept => "主管部门/人社部门",
        Role::CommitteeOrg => "评委会组建单位",
        Role::Judge => "评委",
        Role::Province => "省人社厅",
    }
}

/// The description as served: `shared/openapi.json` with each operation's access
/// generated from its route declaration.
pub fn document() -> Value {
    let mut doc: Value = serde_json::from_str(OPENAPI_JSON).unwrap_or_else(|_| json!({}));
    let mut set = |method: &str, path: &str, access: Option<&Access>| {
        let Some(op) = doc.pointer_mut(&format!("/paths/{}/{method}", path.replace('~', "~0").replace('/', "~1")))
        else {
            return;
        };
        let rest = op.get("description").and_then(Value::as_str).unwrap_or_default().to_owned();
        let who = match access {
            None | Some(Access::Public) => {
                op["security"] = json!([]);
                "Who: anyone, no token (任何人，无需登录).".to_owned()
            }
            Some(Access::Signed(p)) => {
                op["security"] = json!([{ "bearer": [] }]);
                op["x-roles"] = json!(p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>());
                op["x-scope"] = json!(p.scope.as_str());
                let roles: Vec<&str> = p.roles.iter().map(|r| r.as_str()).collect();
                let labels: Vec<&str> = p.roles.iter().map(|r| role_label(*r)).collect();
                format!(
                    "Who: {} ({}); scope `{}`: {}.",
                    roles.join(", "),
                    labels.join("、"),
                    p.scope.as_str(),
                    p.scope.describe()
                )
            }
        };
        op["description"] = json!(if rest.is_empty() { who } else { format!("{who} {rest}") });
    };
    for (_, routes) in TABLES {
        for r in *routes {
            set(&r.method.to_ascii_lowercase(), r.path, Some(&r.access));
        }
    }
    for (method, path) in UNROUTED_PUBLIC {
        set(method, path, None);
    }
    doc
}

/// Serves `GET /api/openapi.json`.
pub fn handle(req: &Request) -> Response {
    crate::api::serve(ROUTES, req, &NoDb, &Env::public(), &Deps::default())
}

/// The `openapi` component has no database; its one operation never asks for one.
struct NoDb;

impl crate::store::Db for NoDb {
    fn query(&self, _: &str, _: &[crate::store::Value]) -> Result<Vec<crate::store::Row>, crate::store::StoreError> {
        Err(crate::store::StoreError::AccessDenied)
    }
}
