//! Routes of the `certificates` component: the province's issuing-unit codes, number
//! format and pools, generation jobs, Excel import and revocation; certificate query by
//! authorized roles (§1.20) and download by the holder (六(三)): `/api/certificates/...`.

use super::admin::{export, xlsx_file};
use super::{authenticate, id_segment, op_ctx, page, parse_json, respond, Env, Request, Response, Route};
use crate::certificates::seal::SealKey;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::certificates as wf;

const fn r(method: &'static str, path: &'static str) -> Route {
    Route::new(method, path)
}

/// Every operation of this router (see [`Route`]).
pub const ROUTES: &[Route] = &[
    r("GET", "/api/certificates"),
    r("GET", "/api/certificates/export"),
    r("GET", "/api/certificates/candidates"),
    r("GET", "/api/certificates/{id}"),
    r("GET", "/api/certificates/{id}/html"),
    r("POST", "/api/certificates/{id}/revoke"),
    r("GET", "/api/certificates/jobs"),
    r("POST", "/api/certificates/jobs"),
    r("GET", "/api/certificates/jobs/{id}"),
    r("POST", "/api/certificates/jobs/{id}/run"),
    r("GET", "/api/certificates/issuing-units"),
    r("POST", "/api/certificates/issuing-units"),
    r("GET", "/api/certificates/issuing-units/export"),
    r("POST", "/api/certificates/issuing-units/{id}/cancel"),
    r("GET", "/api/certificates/number-format"),
    r("PUT", "/api/certificates/number-format"),
    r("GET", "/api/certificates/number-pools"),
    r("POST", "/api/certificates/number-pools"),
    r("GET", "/api/certificates/imports/template"),
    r("POST", "/api/certificates/imports"),
    r("GET", "/api/certificates/imports/{id}"),
    r("POST", "/api/certificates/imports/{id}/commit"),
];

/// Where the seal key comes from (read only by the operations that seal).
pub type KeySource<'a> = &'a dyn Fn() -> Result<SealKey, DomainError>;

fn param(req: &Request, name: &str) -> Option<String> {
    req.query_param(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn query(req: &Request) -> Result<wf::CertificateQuery, DomainError> {
    Ok(wf::CertificateQuery {
        certificate_no: param(req, "certificate_no"),
        citizen_id: param(req, "citizen_id"),
        name: param(req, "name"),
        doc_no: param(req, "doc_no"),
        series: param(req, "series"),
        level: param(req, "level"),
        status: param(req, "status"),
    })
}

fn candidate_query(req: &Request) -> Result<wf::CandidateQuery, DomainError> {
    let batch_year = param(req, "batch_year")
        .map(|y| y.parse().map_err(|_| DomainError::invalid("batch_year", "batch_year 须为年份")))
        .transpose()?;
    let level = param(req, "level")
        .map(|l| crate::store::chain::parse_level(&l).ok_or_else(|| DomainError::invalid("level", "level 取值无效")))
        .transpose()?;
    Ok(wf::CandidateQuery { batch_year, committee: param(req, "committee"), series: param(req, "series"), level })
}

/// The public address of this service as the caller reached it (for the QR code).
fn base_url(req: &Request) -> String {
    if let Some(full) = req.header("spin-full-url") {
        if let Some(i) = full.find("://") {
            let rest = &full[i + 3..];
            let end = rest.find('/').unwrap_or(rest.len());
            return format!("{}{}", &full[..i + 3], &rest[..end]);
        }
    }
    format!("http://{}", req.header("host").unwrap_or("127.0.0.1:3000"))
}

/// Serves `/api/certificates/...`; `key` gives the seal key to the operations that seal.
pub fn handle(req: &Request, db: &dyn Db, env: &Env, key: KeySource<'_>) -> Response {
    let who = match authenticate(req, env) {
        Ok(c) => c,
        Err(e) => return Response::error(&e),
    };
    let ctx = op_ctx(db, &who, env);
    let (route, p) = match crate::api::route(ROUTES, req) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let id = |what: &'static str| id_segment(p[0], what);
    match (route.method, route.path) {
        ("GET", "/api/certificates") => respond(200, (|| wf::list(&ctx, &query(req)?, page(req)?))()),
        ("GET", "/api/certificates/export") => export(query(req).and_then(|q| wf::export(&ctx, &q))),
        ("GET", "/api/certificates/candidates") => respond(
            200,
            (|| wf::candidates(&ctx, param(req, "doc_no").as_deref(), &candidate_query(req)?, page(req)?))(),
        ),
        ("GET", "/api/certificates/{id}") => respond(200, id("证书").and_then(|i| wf::get(&ctx, i))),
        ("GET", "/api/certificates/{id}/html") => match id("证书").and_then(|i| wf::html(&ctx, i, &base_url(req))) {
            Ok(html) => Response::bytes(200, "text/html; charset=utf-8", html.into_bytes()),
            Err(e) => Response::error(&e),
        },
        ("POST", "/api/certificates/{id}/revoke") => {
            respond(200, id("证书").and_then(|i| wf::revoke(&ctx, i, parse_json(&req.body)?)))
        }
        ("GET", "/api/certificates/jobs") => respond(200, page(req).and_then(|pg| wf::list_jobs(&ctx, pg))),
        ("POST", "/api/certificates/jobs") => {
            respond(201, parse_json(&req.body).and_then(|b| wf::generate(&ctx, &key()?, b)))
        }
        ("GET", "/api/certificates/jobs/{id}") => respond(200, id("发证任务").and_then(|i| wf::get_job(&ctx, i))),
        ("POST", "/api/certificates/jobs/{id}/run") => {
            respond(200, id("发证任务").and_then(|i| wf::run_job(&ctx, &key()?, i)))
        }
        ("GET", "/api/certificates/issuing-units") => {
            respond(200, page(req).and_then(|pg| wf::list_issuing_units(&ctx, param(req, "status").as_deref(), pg)))
        }
        ("POST", "/api/certificates/issuing-units") => {
            respond(201, parse_json(&req.body).and_then(|b| wf::add_issuing_unit(&ctx, b)))
        }
        ("GET", "/api/certificates/issuing-units/export") => {
            export(wf::export_issuing_units(&ctx, param(req, "status").as_deref()))
        }
        ("POST", "/api/certificates/issuing-units/{id}/cancel") => {
            respond(200, id("发证单位").and_then(|i| wf::cancel_issuing_unit(&ctx, i, parse_json(&req.body)?)))
        }
        ("GET", "/api/certificates/number-format") => respond(200, wf::number_format(&ctx)),
        ("PUT", "/api/certificates/number-format") => {
            respond(200, parse_json(&req.body).and_then(|b| wf::save_number_format(&ctx, b)))
        }
        ("GET", "/api/certificates/number-pools") => {
            respond(200, page(req).and_then(|pg| wf::list_pools(&ctx, param(req, "scope").as_deref(), pg)))
        }
        ("POST", "/api/certificates/number-pools") => {
            respond(201, parse_json(&req.body).and_then(|b| wf::add_pool(&ctx, b)))
        }
        ("GET", "/api/certificates/imports/template") => xlsx_file("职称证书导入模板", wf::import_template(&ctx)),
        ("POST", "/api/certificates/imports") => {
            if req.body.len() > env.max_upload_bytes {
                return Response::error(&DomainError::PayloadTooLarge {
                    field: "body".into(),
                    limit: env.max_upload_bytes,
                });
            }
            let filename = param(req, "filename").unwrap_or_default();
            respond(201, wf::validate_import(&ctx, &filename, &req.body))
        }
        ("GET", "/api/certificates/imports/{id}") => respond(200, id("导入").and_then(|i| wf::get_import(&ctx, i))),
        ("POST", "/api/certificates/imports/{id}/commit") => {
            respond(200, id("导入").and_then(|i| wf::commit_import(&ctx, &key()?, i)))
        }
        _ => super::admin::unhandled(route),
    }
}
