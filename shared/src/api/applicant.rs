//! Routes of the `submit` component (applicant, 申报人): `/api/applications/...`.

use super::{
    authenticate, id_segment, op_ctx, page, parse_json, parse_json_or_default, respond, Env, Request, Response, Route,
};
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::applications::{self as wf, Upload};

/// Every operation of this router (see [`Route`]).
pub const ROUTES: &[Route] = &[
    Route::new("POST", "/api/applications"),
    Route::new("GET", "/api/applications"),
    Route::new("GET", "/api/applications/{id}"),
    Route::new("PUT", "/api/applications/{id}"),
    Route::new("POST", "/api/applications/{id}/submit"),
    Route::new("GET", "/api/applications/{id}/tracking"),
    Route::new("GET", "/api/applications/{id}/events"),
    Route::new("POST", "/api/applications/{id}/materials"),
    Route::new("GET", "/api/applications/{id}/materials"),
    Route::new("GET", "/api/applications/{id}/materials/{mid}"),
    Route::new("DELETE", "/api/applications/{id}/materials/{mid}"),
];

/// Optional body of "submit".
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitBody {
    #[serde(default)]
    version: Option<i64>,
}

/// Serves `/api/applications` and everything under it.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    let who = match authenticate(req, env) {
        Ok(c) => c,
        Err(e) => return Response::error(&e),
    };
    let ctx = op_ctx(db, &who, env);
    let (route, p) = match crate::api::route(ROUTES, req) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let id = || id_segment(p[0], "申报");
    let material = || id_segment(p[1], "材料");
    match (route.method, route.path) {
        ("POST", "/api/applications") => respond(201, parse_json(&req.body).and_then(|b| wf::create_draft(&ctx, b))),
        ("GET", "/api/applications") => {
            respond(200, page(req).and_then(|pg| wf::list(&ctx, false, &Default::default(), pg)))
        }
        ("GET", "/api/applications/{id}") => respond(200, id().and_then(|a| wf::get(&ctx, a))),
        ("PUT", "/api/applications/{id}") => {
            respond(200, id().and_then(|a| wf::update_draft(&ctx, a, parse_json(&req.body)?)))
        }
        ("POST", "/api/applications/{id}/submit") => respond(
            200,
            id().and_then(|a| {
                let body: SubmitBody = parse_json_or_default(&req.body)?;
                wf::submit(&ctx, a, body.version, req.header("idempotency-key"))
            }),
        ),
        ("GET", "/api/applications/{id}/tracking") => {
            respond(200, id().and_then(|a| crate::workflow::chain::tracking(&ctx, a)))
        }
        ("GET", "/api/applications/{id}/events") => respond(200, id().and_then(|a| wf::history(&ctx, a))),
        ("POST", "/api/applications/{id}/materials") => respond(
            201,
            id().and_then(|a| {
                let kind =
                    req.query_param("kind").ok_or_else(|| DomainError::invalid("kind", "请指定材料类型 kind"))?;
                let filename = req
                    .query_param("filename")
                    .ok_or_else(|| DomainError::invalid("filename", "请指定文件名 filename"))?;
                wf::upload_material(
                    &ctx,
                    a,
                    Upload {
                        kind: &kind,
                        filename: &filename,
                        content_type: req.header("content-type").unwrap_or(""),
                        bytes: &req.body,
                        max_bytes: env.max_upload_bytes,
                    },
                )
            }),
        ),
        ("GET", "/api/applications/{id}/materials") => respond(200, id().and_then(|a| wf::list_materials(&ctx, a))),
        ("GET", "/api/applications/{id}/materials/{mid}") => {
            download(id().and_then(|a| wf::download_material(&ctx, a, material()?)))
        }
        ("DELETE", "/api/applications/{id}/materials/{mid}") => respond(
            200,
            id().and_then(|a| wf::delete_material(&ctx, a, material()?)).map(|()| serde_json::json!({"deleted": true})),
        ),
        _ => super::admin::unhandled(route),
    }
}

/// A material download response.
pub fn download(r: Result<(String, String, Vec<u8>), DomainError>) -> Response {
    match r {
        Ok((ct, filename, bytes)) => Response::attachment(&ct, &filename, bytes),
        Err(e) => Response::error(&e),
    }
}
