//! Routes of the `openapi` component: the OpenAPI 3.1 description of the whole HTTP API
//! (`shared/openapi.json`, compiled in). No token, no database.

use crate::api::{dispatch, method_not_allowed, no_route, Dispatch, Request, Response, Route};

/// The description, as served.
pub const OPENAPI_JSON: &str = include_str!("../../../openapi.json");

/// Every operation of this router.
pub const ROUTES: &[Route] = &[Route::new("GET", "/api/openapi.json")];

/// Serves `GET /api/openapi.json`.
pub fn handle(req: &Request) -> Response {
    match dispatch(ROUTES, req) {
        Dispatch::Found(..) => {
            Response::bytes(200, "application/json; charset=utf-8", OPENAPI_JSON.as_bytes().to_vec())
        }
        Dispatch::MethodNotAllowed => method_not_allowed(),
        Dispatch::NotFound => no_route(),
    }
}
