//! Routes of the `submit` component (applicant, 申报人): `/api/applications/...`.

use super::{
    authenticate, id_segment, method_not_allowed, no_route, op_ctx, page, parse_json, parse_json_or_default, respond,
    Env, Request, Response,
};
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::applications::{self as wf, Upload};

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
    let seg = req.segments();
    let m = req.method.as_str();
    let id = |s: &str| id_segment(s, "申报");
    match seg.as_slice() {
        ["api", "applications"] => match m {
            "POST" => respond(201, parse_json(&req.body).and_then(|b| wf::create_draft(&ctx, b))),
            "GET" => respond(200, page(req).and_then(|p| wf::list(&ctx, false, &Default::default(), p))),
            _ => method_not_allowed(),
        },
        ["api", "applications", a] => match m {
            "GET" => respond(200, id(a).and_then(|a| wf::get(&ctx, a))),
            "PUT" => respond(200, id(a).and_then(|a| wf::update_draft(&ctx, a, parse_json(&req.body)?))),
            _ => method_not_allowed(),
        },
        ["api", "applications", a, "submit"] => match m {
            "POST" => respond(
                200,
                id(a).and_then(|a| {
                    let body: SubmitBody = parse_json_or_default(&req.body)?;
                    wf::submit(&ctx, a, body.version, req.header("idempotency-key"))
                }),
            ),
            _ => method_not_allowed(),
        },
        ["api", "applications", a, "tracking"] => match m {
            "GET" => respond(200, id(a).and_then(|a| crate::workflow::chain::tracking(&ctx, a))),
            _ => method_not_allowed(),
        },
        ["api", "applications", a, "events"] => match m {
            "GET" => respond(200, id(a).and_then(|a| wf::history(&ctx, a))),
            _ => method_not_allowed(),
        },
        ["api", "applications", a, "materials"] => match m {
            "POST" => respond(
                201,
                id(a).and_then(|a| {
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
            "GET" => respond(200, id(a).and_then(|a| wf::list_materials(&ctx, a))),
            _ => method_not_allowed(),
        },
        ["api", "applications", a, "materials", mid] => match m {
            "GET" => download(id(a).and_then(|a| wf::download_material(&ctx, a, id_segment(mid, "材料")?))),
            "DELETE" => respond(
                200,
                id(a)
                    .and_then(|a| wf::delete_material(&ctx, a, id_segment(mid, "材料")?))
                    .map(|()| serde_json::json!({"deleted": true})),
            ),
            _ => method_not_allowed(),
        },
        _ => no_route(),
    }
}

/// A material download response.
pub fn download(r: Result<(String, String, Vec<u8>), DomainError>) -> Response {
    match r {
        Ok((ct, filename, bytes)) => Response::attachment(&ct, &filename, bytes),
        Err(e) => Response::error(&e),
    }
}
