//! Routes of the `admin` component (provincial administration, issue 6): `/api/admin/...`.
//! Mostly the province (`province`); city HR bureaus (`dept`) audit the unit registrations
//! addressed to them and upper organisations edit the audit-path edges they keep; the
//! trees, committees, institutions, batches and calendar are readable by anyone signed in.
//! Lists take `page`/`page_size`; each `…/export` returns the whole result set as xlsx.

pub mod docs;
pub mod registration;

use super::{authenticate, id_segment, op_ctx, page, parse_json, respond, Env, Request, Response, Route};
use crate::admin::{
    audit_paths, batches, blacklist, calendar, committees, imports, institutions, organisations, registrations,
    specialties, titles, ReasonBody,
};
use crate::error::DomainError;
use crate::excel::{self, Sheet, XLSX_CONTENT_TYPE};
use crate::store::Db;

const fn r(method: &'static str, path: &'static str) -> Route {
    Route::new(method, path)
}

/// Every operation of this router (see [`Route`]).
pub const ROUTES: &[Route] = &[
    r("GET", "/api/admin/specialties"),
    r("POST", "/api/admin/specialties"),
    r("GET", "/api/admin/specialties/tree"),
    r("GET", "/api/admin/specialties/export"),
    r("GET", "/api/admin/specialties/{id}"),
    r("PUT", "/api/admin/specialties/{id}"),
    r("DELETE", "/api/admin/specialties/{id}"),
    r("GET", "/api/admin/title-series"),
    r("GET", "/api/admin/titles"),
    r("POST", "/api/admin/titles"),
    r("GET", "/api/admin/titles/export"),
    r("GET", "/api/admin/titles/{id}"),
    r("PUT", "/api/admin/titles/{id}"),
    r("DELETE", "/api/admin/titles/{id}"),
    r("GET", "/api/admin/organisations"),
    r("GET", "/api/admin/organisations/export"),
    r("GET", "/api/admin/institutions"),
    r("POST", "/api/admin/institutions"),
    r("GET", "/api/admin/institutions/export"),
    r("GET", "/api/admin/institutions/{id}"),
    r("PUT", "/api/admin/institutions/{id}"),
    r("POST", "/api/admin/institutions/{id}/cancel"),
    r("GET", "/api/admin/audit-paths"),
    r("GET", "/api/admin/audit-paths/export"),
    r("GET", "/api/admin/audit-paths/{id}"),
    r("PUT", "/api/admin/audit-paths/{id}"),
    r("GET", "/api/admin/committees"),
    r("POST", "/api/admin/committees"),
    r("GET", "/api/admin/committees/export"),
    r("GET", "/api/admin/committees/{id}"),
    r("PUT", "/api/admin/committees/{id}"),
    r("POST", "/api/admin/committees/{id}/cancel"),
    r("GET", "/api/admin/batches"),
    r("POST", "/api/admin/batches"),
    r("GET", "/api/admin/batches/export"),
    r("GET", "/api/admin/batches/{year}"),
    r("PUT", "/api/admin/batches/{year}"),
    r("PUT", "/api/admin/batches/{year}/committees/{committee}"),
    r("GET", "/api/admin/calendar"),
    r("GET", "/api/admin/calendar/working-days"),
    r("GET", "/api/admin/calendar/{year}"),
    r("PUT", "/api/admin/calendar/{year}"),
    r("GET", "/api/admin/blacklist"),
    r("POST", "/api/admin/blacklist"),
    r("GET", "/api/admin/blacklist/export"),
    r("POST", "/api/admin/blacklist/lift-expired"),
    r("GET", "/api/admin/blacklist/{id}"),
    r("PUT", "/api/admin/blacklist/{id}"),
    r("POST", "/api/admin/blacklist/{id}/lift"),
    r("GET", "/api/admin/people"),
    r("GET", "/api/admin/registrations"),
    r("GET", "/api/admin/registrations/export"),
    r("GET", "/api/admin/registrations/{id}"),
    r("GET", "/api/admin/registrations/{id}/attachments/{attachment}"),
    r("POST", "/api/admin/registrations/{id}/approve"),
    r("POST", "/api/admin/registrations/{id}/reject"),
    r("GET", "/api/admin/imports/{kind}/template"),
    r("POST", "/api/admin/imports/{kind}"),
    r("GET", "/api/admin/imports/{kind}/{id}"),
    r("POST", "/api/admin/imports/{kind}/{id}/commit"),
    r("GET", "/api/admin/history/{kind}/{id}"),
];

/// A query parameter, trimmed; empty ⇒ `None`.
fn param(req: &Request, name: &str) -> Option<String> {
    req.query_param(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// An optional numeric `version` query parameter (DELETE has no body).
fn version_param(req: &Request) -> Result<Option<i64>, DomainError> {
    param(req, "version")
        .map(|v| v.parse().map_err(|_| DomainError::invalid("version", "version 须为整数")))
        .transpose()
}

fn year(s: &str) -> Result<i32, DomainError> {
    s.parse().ok().filter(|y| (2000..=2100).contains(y)).ok_or(DomainError::NotFound("年度"))
}

fn kind(s: &str) -> Result<imports::ImportKind, DomainError> {
    imports::ImportKind::parse(s).ok_or(DomainError::NotFound("导入类型"))
}

/// An xlsx download named `name.xlsx`.
pub fn xlsx_file(name: &str, bytes: Result<Vec<u8>, DomainError>) -> Response {
    match bytes {
        Ok(b) => Response::attachment(XLSX_CONTENT_TYPE, &format!("{name}.xlsx"), b),
        Err(e) => Response::error(&e),
    }
}

/// A sheet as an xlsx download named after it.
pub fn export(sheet: Result<Sheet, DomainError>) -> Response {
    match sheet {
        Ok(s) => {
            let name = s.name.clone();
            xlsx_file(&name, excel::write_xlsx(&[s]))
        }
        Err(e) => Response::error(&e),
    }
}

/// An uploaded body within the size limit.
fn upload_body<'a>(req: &'a Request, env: &Env) -> Result<&'a [u8], DomainError> {
    if req.body.len() > env.max_upload_bytes {
        return Err(DomainError::PayloadTooLarge { field: "body".into(), limit: env.max_upload_bytes });
    }
    Ok(&req.body)
}

/// 500 `ROUTE_UNHANDLED` for a route in a table that its router's match does not serve
/// (`tests/tests/openapi.rs` calls every route, so this never ships).
pub fn unhandled(route: &Route) -> Response {
    Response::json(
        500,
        &serde_json::json!({ "code": "ROUTE_UNHANDLED", "message": format!("接口 {} {} 未实现", route.method, route.path) }),
    )
}

/// Serves `/api/admin/...`.
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
    let id = |what: &'static str| id_segment(p[0], what);
    match (route.method, route.path) {
        // ---------------------------------------------------------------- specialties
        ("GET", "/api/admin/specialties") => respond(
            200,
            page(req).and_then(|pg| {
                let q = specialties::Query { q: param(req, "q"), parent_code: param(req, "parent_code") };
                specialties::list(&ctx, &q, pg)
            }),
        ),
        ("POST", "/api/admin/specialties") => {
            respond(201, parse_json(&req.body).and_then(|b| specialties::create(&ctx, b)))
        }
        ("GET", "/api/admin/specialties/tree") => respond(200, specialties::tree(&ctx)),
        ("GET", "/api/admin/specialties/export") => {
            let q = specialties::Query { q: param(req, "q"), parent_code: param(req, "parent_code") };
            export(specialties::export(&ctx, &q))
        }
        ("GET", "/api/admin/specialties/{id}") => respond(200, id("专业").and_then(|i| specialties::get(&ctx, i))),
        ("PUT", "/api/admin/specialties/{id}") => {
            respond(200, id("专业").and_then(|i| specialties::update(&ctx, i, parse_json(&req.body)?)))
        }
        ("DELETE", "/api/admin/specialties/{id}") => respond(
            200,
            id("专业")
                .and_then(|i| specialties::delete(&ctx, i, version_param(req)?))
                .map(|()| serde_json::json!({"deleted": true})),
        ),
        // ---------------------------------------------------------------- titles
        ("GET", "/api/admin/title-series") => respond(200, titles::series(&ctx)),
        ("GET", "/api/admin/titles") => {
            respond(200, page(req).and_then(|pg| titles::list(&ctx, &title_query(req), pg)))
        }
        ("POST", "/api/admin/titles") => respond(201, parse_json(&req.body).and_then(|b| titles::create(&ctx, b))),
        ("GET", "/api/admin/titles/export") => export(titles::export(&ctx, &title_query(req))),
        ("GET", "/api/admin/titles/{id}") => respond(200, id("职称").and_then(|i| titles::get(&ctx, i))),
        ("PUT", "/api/admin/titles/{id}") => {
            respond(200, id("职称").and_then(|i| titles::update(&ctx, i, parse_json(&req.body)?)))
        }
        ("DELETE", "/api/admin/titles/{id}") => respond(
            200,
            id("职称")
                .and_then(|i| titles::delete(&ctx, i, version_param(req)?))
                .map(|()| serde_json::json!({"deleted": true})),
        ),
        // ---------------------------------------------------------------- organisations
        ("GET", "/api/admin/organisations") => {
            respond(200, page(req).and_then(|pg| organisations::list(&ctx, &org_query(req), pg)))
        }
        ("GET", "/api/admin/organisations/export") => export(organisations::export(&ctx, &org_query(req))),
        // ---------------------------------------------------------------- institutions
        ("GET", "/api/admin/institutions") => {
            respond(200, page(req).and_then(|pg| institutions::list(&ctx, &institution_query(req), pg)))
        }
        ("POST", "/api/admin/institutions") => {
            respond(201, parse_json(&req.body).and_then(|b| institutions::create(&ctx, b)))
        }
        ("GET", "/api/admin/institutions/export") => export(institutions::export(&ctx, &institution_query(req))),
        ("GET", "/api/admin/institutions/{id}") => {
            respond(200, id("受理机构").and_then(|i| institutions::get(&ctx, i)))
        }
        ("PUT", "/api/admin/institutions/{id}") => {
            respond(200, id("受理机构").and_then(|i| institutions::update(&ctx, i, parse_json(&req.body)?)))
        }
        ("POST", "/api/admin/institutions/{id}/cancel") => respond(
            200,
            id("受理机构").and_then(|i| institutions::cancel(&ctx, i, parse_json::<ReasonBody>(&req.body)?)),
        ),
        // ---------------------------------------------------------------- audit paths
        ("GET", "/api/admin/audit-paths") => {
            respond(200, page(req).and_then(|pg| audit_paths::list(&ctx, &edge_query(req), pg)))
        }
        ("GET", "/api/admin/audit-paths/export") => export(audit_paths::export(&ctx, &edge_query(req))),
        ("GET", "/api/admin/audit-paths/{id}") => respond(200, id("审核路径").and_then(|i| audit_paths::get(&ctx, i))),
        ("PUT", "/api/admin/audit-paths/{id}") => {
            respond(200, id("审核路径").and_then(|i| audit_paths::update(&ctx, i, parse_json(&req.body)?)))
        }
        // ---------------------------------------------------------------- committees
        ("GET", "/api/admin/committees") => {
            respond(200, page(req).and_then(|pg| committees::list(&ctx, &committee_query(req), pg)))
        }
        ("POST", "/api/admin/committees") => {
            respond(201, parse_json(&req.body).and_then(|b| committees::create(&ctx, b)))
        }
        ("GET", "/api/admin/committees/export") => export(committees::export(&ctx, &committee_query(req))),
        ("GET", "/api/admin/committees/{id}") => respond(200, committees::get(&ctx, p[0])),
        ("PUT", "/api/admin/committees/{id}") => {
            respond(200, parse_json(&req.body).and_then(|b| committees::update(&ctx, p[0], b)))
        }
        ("POST", "/api/admin/committees/{id}/cancel") => {
            respond(200, parse_json::<ReasonBody>(&req.body).and_then(|b| committees::cancel(&ctx, p[0], b)))
        }
        // ---------------------------------------------------------------- annual batches
        ("GET", "/api/admin/batches") => respond(200, batches::list(&ctx)),
        ("POST", "/api/admin/batches") => respond(201, parse_json(&req.body).and_then(|b| batches::create(&ctx, b))),
        ("GET", "/api/admin/batches/export") => export(batches::export(&ctx)),
        ("GET", "/api/admin/batches/{year}") => respond(200, year(p[0]).and_then(|y| batches::get(&ctx, y))),
        ("PUT", "/api/admin/batches/{year}") => {
            respond(200, year(p[0]).and_then(|y| batches::update(&ctx, y, parse_json(&req.body)?)))
        }
        ("PUT", "/api/admin/batches/{year}/committees/{committee}") => {
            respond(200, year(p[0]).and_then(|y| batches::set_committee_dates(&ctx, y, p[1], parse_json(&req.body)?)))
        }
        // ---------------------------------------------------------------- calendar
        ("GET", "/api/admin/calendar") => respond(200, calendar::years(&ctx)),
        ("GET", "/api/admin/calendar/working-days") => respond(
            200,
            calendar::working_days(
                &ctx,
                req.query_param("from").as_deref(),
                req.query_param("add").as_deref(),
                req.query_param("subtract").as_deref(),
                req.query_param("to").as_deref(),
            ),
        ),
        ("GET", "/api/admin/calendar/{year}") => respond(200, year(p[0]).and_then(|y| calendar::year(&ctx, y))),
        ("PUT", "/api/admin/calendar/{year}") => {
            respond(200, year(p[0]).and_then(|y| calendar::load(&ctx, y, parse_json(&req.body)?)))
        }
        // ---------------------------------------------------------------- blacklist
        ("GET", "/api/admin/blacklist") => {
            respond(200, page(req).and_then(|pg| blacklist::list(&ctx, &blacklist_query(req), pg)))
        }
        ("POST", "/api/admin/blacklist") => respond(201, parse_json(&req.body).and_then(|b| blacklist::add(&ctx, b))),
        ("GET", "/api/admin/blacklist/export") => export(blacklist::export(&ctx, &blacklist_query(req))),
        ("POST", "/api/admin/blacklist/lift-expired") => respond(
            200,
            crate::admin::require_province(&ctx)
                .and_then(|()| blacklist::lift_expired(db, env.now, &format!("blacklist-lifter(by {})", who.sub))),
        ),
        ("GET", "/api/admin/blacklist/{id}") => respond(200, id("黑名单记录").and_then(|i| blacklist::get(&ctx, i))),
        ("PUT", "/api/admin/blacklist/{id}") => {
            respond(200, id("黑名单记录").and_then(|i| blacklist::modify(&ctx, i, parse_json(&req.body)?)))
        }
        ("POST", "/api/admin/blacklist/{id}/lift") => {
            respond(200, id("黑名单记录").and_then(|i| blacklist::lift(&ctx, i, parse_json(&req.body)?)))
        }
        ("GET", "/api/admin/people") => respond(200, blacklist::people(&ctx, &param(req, "q").unwrap_or_default())),
        // ---------------------------------------------------------------- unit registrations
        ("GET", "/api/admin/registrations") => {
            respond(200, page(req).and_then(|pg| registrations::list(&ctx, &registration_query(req), pg)))
        }
        ("GET", "/api/admin/registrations/export") => export(registrations::export(&ctx, &registration_query(req))),
        ("GET", "/api/admin/registrations/{id}") => {
            respond(200, id("注册申请").and_then(|i| registrations::get(&ctx, i)))
        }
        ("GET", "/api/admin/registrations/{id}/attachments/{attachment}") => super::applicant::download(
            id("注册申请").and_then(|i| registrations::download(&ctx, i, id_segment(p[1], "附件")?)),
        ),
        ("POST", "/api/admin/registrations/{id}/approve") => respond(
            200,
            id("注册申请").and_then(|i| registrations::approve(&ctx, i, super::parse_json_or_default(&req.body)?)),
        ),
        ("POST", "/api/admin/registrations/{id}/reject") => {
            respond(200, id("注册申请").and_then(|i| registrations::reject(&ctx, i, parse_json(&req.body)?)))
        }
        // ---------------------------------------------------------------- imports
        ("GET", "/api/admin/imports/{kind}/template") => match kind(p[0]) {
            Ok(k) => xlsx_file(&format!("{}导入模板", k.label()), imports::template(&ctx, k)),
            Err(e) => Response::error(&e),
        },
        ("POST", "/api/admin/imports/{kind}") => respond(
            201,
            kind(p[0]).and_then(|k| {
                let filename = param(req, "filename").unwrap_or_default();
                imports::validate_upload(&ctx, k, &filename, upload_body(req, env)?)
            }),
        ),
        ("GET", "/api/admin/imports/{kind}/{id}") => {
            respond(200, kind(p[0]).and_then(|k| imports::report(&ctx, k, id_segment(p[1], "导入批次")?)))
        }
        ("POST", "/api/admin/imports/{kind}/{id}/commit") => {
            respond(200, kind(p[0]).and_then(|k| imports::commit(&ctx, k, id_segment(p[1], "导入批次")?)))
        }
        // ---------------------------------------------------------------- history
        ("GET", "/api/admin/history/{kind}/{id}") => respond(200, history(&ctx, p[0], p[1])),
        _ => unhandled(route),
    }
}

/// Kinds of administered objects whose audit history the province may read.
pub const HISTORY_KINDS: &[&str] = &[
    "specialty",
    "title",
    "organisation",
    "acceptance_institution",
    "audit_path_edge",
    "committee",
    "blacklist",
    "unit_registration",
    "annual_batch",
    "calendar_year",
    "admin_import",
];

/// The audit history (过程跟踪) of an administered object, oldest first.
fn history(
    ctx: &crate::workflow::OpCtx<'_>,
    kind: &str,
    id: &str,
) -> Result<Vec<crate::audit::HistoryEntry>, DomainError> {
    crate::admin::require_province(ctx)?;
    if !HISTORY_KINDS.contains(&kind) {
        return Err(DomainError::NotFound("对象类型"));
    }
    let h = crate::audit::history(ctx.db, kind, id)?;
    if h.is_empty() {
        return Err(DomainError::NotFound("对象"));
    }
    Ok(h)
}

fn title_query(req: &Request) -> titles::Query {
    titles::Query { series: param(req, "series"), level: param(req, "level"), q: param(req, "q") }
}

fn org_query(req: &Request) -> organisations::Query {
    organisations::Query { q: param(req, "q"), kind: param(req, "kind"), status: param(req, "status") }
}

fn institution_query(req: &Request) -> institutions::Query {
    institutions::Query {
        q: param(req, "q"),
        level: param(req, "level"),
        method: param(req, "method"),
        status: param(req, "status"),
    }
}

fn edge_query(req: &Request) -> audit_paths::Query {
    audit_paths::Query {
        org: param(req, "org"),
        level: param(req, "level"),
        method: param(req, "method"),
        status: param(req, "status"),
    }
}

fn committee_query(req: &Request) -> committees::Query {
    committees::Query {
        q: param(req, "q"),
        series: param(req, "series"),
        status: param(req, "status"),
        specialty: param(req, "specialty"),
    }
}

fn blacklist_query(req: &Request) -> blacklist::Query {
    blacklist::Query { q: param(req, "q"), status: param(req, "status") }
}

fn registration_query(req: &Request) -> registrations::Query {
    registrations::Query { status: param(req, "status"), q: param(req, "q") }
}
