//! Routes of the `registration` component (unit account registration, annex 3 §1.25):
//! `/api/registrations/...`, for a registrant signed in through the portal with role
//! `unit` and no organisation yet (see [`crate::admin::registrations`]).

use crate::admin::registrations as reg;
use crate::api::{authenticate, id_segment, op_ctx, parse_json, respond, Env, Request, Response, Route};
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::applications::Upload;

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    Route::new("POST", "/api/registrations"),
    Route::new("GET", "/api/registrations"),
    Route::new("GET", "/api/registrations/{id}"),
    Route::new("PUT", "/api/registrations/{id}"),
    Route::new("POST", "/api/registrations/{id}/attachments"),
    Route::new("GET", "/api/registrations/{id}/attachments"),
    Route::new("GET", "/api/registrations/{id}/attachments/{attachment}"),
    Route::new("POST", "/api/registrations/{id}/token"),
];

/// Serves `/api/registrations/...`.
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
    let id = || id_segment(p[0], "注册申请");
    match (route.method, route.path) {
        ("POST", "/api/registrations") => respond(201, parse_json(&req.body).and_then(|b| reg::register(&ctx, b))),
        ("GET", "/api/registrations") => respond(200, reg::mine(&ctx)),
        ("GET", "/api/registrations/{id}") => respond(200, id().and_then(|i| reg::get_own(&ctx, i))),
        ("PUT", "/api/registrations/{id}") => {
            respond(200, id().and_then(|i| reg::correct(&ctx, i, parse_json(&req.body)?)))
        }
        ("POST", "/api/registrations/{id}/attachments") => respond(
            201,
            id().and_then(|i| {
                let kind =
                    req.query_param("kind").ok_or_else(|| DomainError::invalid("kind", "请指定附件类型 kind"))?;
                let filename = req
                    .query_param("filename")
                    .ok_or_else(|| DomainError::invalid("filename", "请指定文件名 filename"))?;
                reg::upload(
                    &ctx,
                    i,
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
        ("GET", "/api/registrations/{id}/attachments") => {
            respond(200, id().and_then(|i| reg::get_own(&ctx, i)).map(|v| v.attachments))
        }
        ("GET", "/api/registrations/{id}/attachments/{attachment}") => {
            crate::api::applicant::download(id().and_then(|i| reg::download(&ctx, i, id_segment(p[1], "附件")?)))
        }
        ("POST", "/api/registrations/{id}/token") => {
            respond(200, id().and_then(|i| reg::token(&ctx, i, &env.auth_secret)))
        }
        _ => super::unhandled(route),
    }
}
