//! Routes of the `admin` component (provincial administration, issue 6): `/api/admin/...`.
//! Mostly the province (`province`); city HR bureaus (`dept`) audit the unit registrations
//! addressed to them and upper organisations edit the audit-path edges they keep; the
//! trees, committees, institutions, batches and calendar are readable by anyone signed in.
//! Lists take `page`/`page_size`; each `…/export` returns the whole result set as xlsx.

pub mod docs;
pub mod registration;

use super::{respond, Deps, Env, Request, Response, Roles, Route};
use crate::access::Scope::{Caller, EdgeUpper, OfficeCommittee, RegistrationReviewer};
use crate::admin::{
    audit_paths, batches, blacklist, calendar, commitments, committees, imports, institutions, organisations,
    registrations, rules, specialties, titles, ReasonBody,
};
use crate::auth::Role;
use crate::error::DomainError;
use crate::excel::{self, Sheet, XLSX_CONTENT_TYPE};
use crate::store::Db;

/// Every role (the reference data everyone works with).
const ANYONE: Roles = &[Role::Applicant, Role::Unit, Role::Dept, Role::CommitteeOrg, Role::Judge, Role::Province];
/// The organisations (never a person acting for themself).
const ORGS: Roles = &[Role::Unit, Role::Dept, Role::CommitteeOrg, Role::Province];
/// The upper organisations of audit paths.
const UPPERS: Roles = &[Role::Dept, Role::CommitteeOrg, Role::Province];
/// HR offices that audit unit registrations addressed to them, and the province.
const REVIEWERS: Roles = &[Role::Dept, Role::Province];
const PROVINCE: Roles = &[Role::Province];
/// The committee's organising unit keeps its own batch information (annex 2 §1.4.2); the
/// province any committee's.
const KEEPERS: Roles = &[Role::CommitteeOrg, Role::Province];

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    // ---------------------------------------------------------------- specialties §1.1
    Route::signed("GET", "/api/admin/specialties", ANYONE, Caller, |c| {
        respond(200, c.with(|x| specialties::list(x, &specialty_query(c.req), c.page()?)))
    }),
    Route::signed("POST", "/api/admin/specialties", PROVINCE, Caller, |c| {
        respond(201, c.with(|x| specialties::create(x, c.json()?)))
    }),
    Route::signed("GET", "/api/admin/specialties/tree", ANYONE, Caller, |c| respond(200, c.with(specialties::tree))),
    Route::signed("GET", "/api/admin/specialties/export", PROVINCE, Caller, |c| {
        export(c.with(|x| specialties::export(x, &specialty_query(c.req))))
    }),
    Route::signed("GET", "/api/admin/specialties/{id}", ANYONE, Caller, |c| {
        respond(200, c.with(|x| specialties::get(x, c.id(0, "专业")?)))
    }),
    Route::signed("PUT", "/api/admin/specialties/{id}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| specialties::update(x, c.id(0, "专业")?, c.json()?)))
    }),
    Route::signed("DELETE", "/api/admin/specialties/{id}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| specialties::delete(x, c.id(0, "专业")?, version_param(c.req)?)).map(|()| deleted()))
    }),
    // ---------------------------------------------------------------- titles §1.2
    Route::signed("GET", "/api/admin/title-series", ANYONE, Caller, |c| respond(200, c.with(titles::series))),
    Route::signed("GET", "/api/admin/titles", ANYONE, Caller, |c| {
        respond(200, c.with(|x| titles::list(x, &title_query(c.req), c.page()?)))
    }),
    Route::signed("POST", "/api/admin/titles", PROVINCE, Caller, |c| {
        respond(201, c.with(|x| titles::create(x, c.json()?)))
    }),
    Route::signed("GET", "/api/admin/titles/export", PROVINCE, Caller, |c| {
        export(c.with(|x| titles::export(x, &title_query(c.req))))
    }),
    Route::signed("GET", "/api/admin/titles/{id}", ANYONE, Caller, |c| {
        respond(200, c.with(|x| titles::get(x, c.id(0, "职称")?)))
    }),
    Route::signed("PUT", "/api/admin/titles/{id}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| titles::update(x, c.id(0, "职称")?, c.json()?)))
    }),
    Route::signed("DELETE", "/api/admin/titles/{id}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| titles::delete(x, c.id(0, "职称")?, version_param(c.req)?)).map(|()| deleted()))
    }),
    // ---------------------------------------------------------------- organisations
    Route::signed("GET", "/api/admin/organisations", ORGS, Caller, |c| {
        respond(200, c.with(|x| organisations::list(x, &org_query(c.req), c.page()?)))
    }),
    Route::signed("GET", "/api/admin/organisations/export", PROVINCE, Caller, |c| {
        export(c.with(|x| organisations::export(x, &org_query(c.req))))
    }),
    Route::signed("GET", "/api/admin/organisations/tree", PROVINCE, Caller, |c| {
        respond(200, c.with(organisations::tree))
    }),
    Route::signed("GET", "/api/admin/organisations/{id}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| organisations::get(x, c.param(0))))
    }),
    Route::signed("PUT", "/api/admin/organisations/{id}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| organisations::update(x, c.param(0), c.json()?)))
    }),
    // ---------------------------------------------------------------- acceptance institutions §1.3
    Route::signed("GET", "/api/admin/institutions", ANYONE, Caller, |c| {
        respond(200, c.with(|x| institutions::list(x, &institution_query(c.req), c.page()?)))
    }),
    Route::signed("POST", "/api/admin/institutions", PROVINCE, Caller, |c| {
        respond(201, c.with(|x| institutions::create(x, c.json()?)))
    }),
    Route::signed("GET", "/api/admin/institutions/export", PROVINCE, Caller, |c| {
        export(c.with(|x| institutions::export(x, &institution_query(c.req))))
    }),
    Route::signed("GET", "/api/admin/institutions/{id}", ANYONE, Caller, |c| {
        respond(200, c.with(|x| institutions::get(x, c.id(0, "受理机构")?)))
    }),
    Route::signed("PUT", "/api/admin/institutions/{id}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| institutions::update(x, c.id(0, "受理机构")?, c.json()?)))
    }),
    Route::signed("POST", "/api/admin/institutions/{id}/cancel", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| institutions::cancel(x, c.id(0, "受理机构")?, c.json::<ReasonBody>()?)))
    }),
    // ---------------------------------------------------------------- audit paths §1.4–1.8
    Route::signed("GET", "/api/admin/audit-paths", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| audit_paths::list(x, &edge_query(c.req), c.page()?)))
    }),
    Route::signed("GET", "/api/admin/audit-paths/export", PROVINCE, Caller, |c| {
        export(c.with(|x| audit_paths::export(x, &edge_query(c.req))))
    }),
    Route::signed("GET", "/api/admin/audit-paths/{id}", UPPERS, EdgeUpper, |c| {
        respond(200, c.with(|x| audit_paths::get(x, c.id(0, "审核路径")?)))
    }),
    Route::signed("PUT", "/api/admin/audit-paths/{id}", UPPERS, EdgeUpper, |c| {
        respond(200, c.with(|x| audit_paths::update(x, c.id(0, "审核路径")?, c.json()?)))
    }),
    // ---------------------------------------------------------------- committees §1.10–1.11
    Route::signed("GET", "/api/admin/committees", ANYONE, Caller, |c| {
        respond(200, c.with(|x| committees::list(x, &committee_query(c.req), c.page()?)))
    }),
    Route::signed("POST", "/api/admin/committees", PROVINCE, Caller, |c| {
        respond(201, c.with(|x| committees::create(x, c.json()?)))
    }),
    Route::signed("GET", "/api/admin/committees/export", PROVINCE, Caller, |c| {
        export(c.with(|x| committees::export(x, &committee_query(c.req))))
    }),
    Route::signed("GET", "/api/admin/committees/{id}", ANYONE, Caller, |c| {
        respond(200, c.with(|x| committees::get(x, c.param(0))))
    }),
    Route::signed("PUT", "/api/admin/committees/{id}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| committees::update(x, c.param(0), c.json()?)))
    }),
    Route::signed("POST", "/api/admin/committees/{id}/cancel", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| committees::cancel(x, c.param(0), c.json::<ReasonBody>()?)))
    }),
    // ---------------------------------------------------------------- a committee's own batch information (annex 2 §1.4.2)
    Route::signed("GET", "/api/admin/committees/{committee}/batches", KEEPERS, OfficeCommittee, |c| {
        respond(200, c.with(|x| batches::committee_years(x, c.param(0))))
    }),
    Route::signed("PUT", "/api/admin/committees/{committee}/batches/{year}", KEEPERS, OfficeCommittee, |c| {
        respond(200, c.with(|x| batches::set_own_committee_dates(x, c.param(0), year(c.param(1))?, c.json()?)))
    }),
    // ---------------------------------------------------------------- 资格审查材料目录 (一)
    Route::signed("GET", "/api/admin/required-materials", ANYONE, Caller, |c| {
        respond(200, c.with(crate::workflow::materials::catalogue))
    }),
    Route::signed("PUT", "/api/admin/required-materials", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| crate::workflow::materials::set_catalogue(x, c.json()?)))
    }),
    // ---------------------------------------------------------------- 机构类别 (八(六))
    Route::signed("GET", "/api/admin/organisations/{id}/institution-kind", ANYONE, Caller, |c| {
        respond(200, c.with(|x| crate::workflow::materials::institution_kind(x, c.param(0))))
    }),
    Route::signed("PUT", "/api/admin/organisations/{id}/institution-kind", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| crate::workflow::materials::set_institution_kind(x, c.param(0), c.json()?)))
    }),
    // ---------------------------------------------------------------- annual batches §1.4.2
    Route::signed("GET", "/api/admin/batches", ANYONE, Caller, |c| respond(200, c.with(batches::list))),
    Route::signed("POST", "/api/admin/batches", PROVINCE, Caller, |c| {
        respond(201, c.with(|x| batches::create(x, c.json()?)))
    }),
    Route::signed("GET", "/api/admin/batches/export", PROVINCE, Caller, |c| export(c.with(batches::export))),
    Route::signed("GET", "/api/admin/batches/{year}", ANYONE, Caller, |c| {
        respond(200, c.with(|x| batches::get(x, year(c.param(0))?)))
    }),
    Route::signed("PUT", "/api/admin/batches/{year}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| batches::update(x, year(c.param(0))?, c.json()?)))
    }),
    Route::signed("PUT", "/api/admin/batches/{year}/committees/{committee}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| batches::set_committee_dates(x, year(c.param(0))?, c.param(1), c.json()?)))
    }),
    Route::signed("GET", "/api/admin/batches/{year}/commitment", ANYONE, Caller, |c| {
        respond(200, c.with(|x| commitments::get(x, year(c.param(0))?)))
    }),
    Route::signed("PUT", "/api/admin/batches/{year}/commitment", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| commitments::set(x, year(c.param(0))?, c.json()?)))
    }),
    // ---------------------------------------------------------------- calendar
    Route::signed("GET", "/api/admin/calendar", ANYONE, Caller, |c| respond(200, c.with(calendar::years))),
    Route::signed("GET", "/api/admin/calendar/working-days", ANYONE, Caller, |c| {
        let q = |name: &str| c.req.query_param(name);
        respond(
            200,
            c.with(|x| {
                calendar::working_days(
                    x,
                    q("from").as_deref(),
                    q("add").as_deref(),
                    q("subtract").as_deref(),
                    q("to").as_deref(),
                )
            }),
        )
    }),
    Route::signed("GET", "/api/admin/calendar/{year}", ANYONE, Caller, |c| {
        respond(200, c.with(|x| calendar::year(x, year(c.param(0))?)))
    }),
    Route::signed("PUT", "/api/admin/calendar/{year}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| calendar::load(x, year(c.param(0))?, c.json()?)))
    }),
    // ---------------------------------------------------------------- blacklist §1.21
    Route::signed("GET", "/api/admin/blacklist", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| blacklist::list(x, &blacklist_query(c.req), c.page()?)))
    }),
    Route::signed("POST", "/api/admin/blacklist", PROVINCE, Caller, |c| {
        respond(201, c.with(|x| blacklist::add(x, c.json()?)))
    }),
    Route::signed("GET", "/api/admin/blacklist/export", PROVINCE, Caller, |c| {
        export(c.with(|x| blacklist::export(x, &blacklist_query(c.req))))
    }),
    Route::signed("POST", "/api/admin/blacklist/lift-expired", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| blacklist::lift_expired(x.db, x.now, &format!("blacklist-lifter(by {})", x.who.sub))))
    }),
    Route::signed("GET", "/api/admin/blacklist/{id}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| blacklist::get(x, c.id(0, "黑名单记录")?)))
    }),
    Route::signed("PUT", "/api/admin/blacklist/{id}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| blacklist::modify(x, c.id(0, "黑名单记录")?, c.json()?)))
    }),
    Route::signed("POST", "/api/admin/blacklist/{id}/lift", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| blacklist::lift(x, c.id(0, "黑名单记录")?, c.json()?)))
    }),
    Route::signed("GET", "/api/admin/people", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| blacklist::people(x, &param(c.req, "q").unwrap_or_default())))
    }),
    // ---------------------------------------------------------------- unit registrations §1.25
    Route::signed("GET", "/api/admin/registrations", REVIEWERS, Caller, |c| {
        respond(200, c.with(|x| registrations::list(x, &registration_query(c.req), c.page()?)))
    }),
    Route::signed("GET", "/api/admin/registrations/export", REVIEWERS, Caller, |c| {
        export(c.with(|x| registrations::export(x, &registration_query(c.req))))
    }),
    Route::signed("GET", "/api/admin/registrations/{id}", REVIEWERS, RegistrationReviewer, |c| {
        respond(200, c.with(|x| registrations::get(x, c.id(0, "注册申请")?)))
    }),
    Route::signed(
        "GET",
        "/api/admin/registrations/{id}/attachments/{attachment}",
        REVIEWERS,
        RegistrationReviewer,
        |c| super::applicant::download(c.with(|x| registrations::download(x, c.id(0, "注册申请")?, c.id(1, "附件")?))),
    ),
    Route::signed("POST", "/api/admin/registrations/{id}/approve", REVIEWERS, RegistrationReviewer, |c| {
        respond(200, c.with(|x| registrations::approve(x, c.id(0, "注册申请")?, c.json_or_default()?)))
    }),
    Route::signed("POST", "/api/admin/registrations/{id}/reject", REVIEWERS, RegistrationReviewer, |c| {
        respond(200, c.with(|x| registrations::reject(x, c.id(0, "注册申请")?, c.json()?)))
    }),
    // ---------------------------------------------------------------- Excel imports
    Route::signed("GET", "/api/admin/imports/{kind}/template", PROVINCE, Caller, |c| match kind(c.param(0)) {
        Ok(k) => xlsx_file(&format!("{}导入模板", k.label()), c.with(|x| imports::template(x, k))),
        Err(e) => Response::error(&e),
    }),
    Route::signed("POST", "/api/admin/imports/{kind}", PROVINCE, Caller, |c| {
        respond(
            201,
            c.with(|x| {
                let k = kind(c.param(0))?;
                let filename = param(c.req, "filename").unwrap_or_default();
                imports::validate_upload(x, k, &filename, upload_body(c.req, c.env)?)
            }),
        )
    }),
    Route::signed("GET", "/api/admin/imports/{kind}/{id}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| imports::report(x, kind(c.param(0))?, c.id(1, "导入批次")?)))
    }),
    Route::signed("POST", "/api/admin/imports/{kind}/{id}/commit", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| imports::commit(x, kind(c.param(0))?, c.id(1, "导入批次")?)))
    }),
    // ---------------------------------------------------------------- history
    Route::signed("GET", "/api/admin/history/{kind}/{id}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| history(x, c.param(0), c.param(1))))
    }), // ---------------------------------------------------------------- rules and deadlines (issue 12)
    Route::signed("GET", "/api/admin/rule-exceptions", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| rules::list_exceptions(x, param(c.req, "year").map(|y| year(&y)).transpose()?)))
    }),
    Route::signed("POST", "/api/admin/rule-exceptions", PROVINCE, Caller, |c| {
        respond(201, c.with(|x| rules::record_exception(x, c.json()?)))
    }),
    Route::signed("GET", "/api/admin/calendar-needs", PROVINCE, Caller, |c| {
        respond(200, c.with(rules::calendar_needs))
    }),
    Route::signed("GET", "/api/admin/field-rules", ANYONE, Caller, |c| respond(200, c.with(rules::field_rules))),
    Route::signed("PUT", "/api/admin/field-rules", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| rules::set_field_rule(x, c.json()?)))
    }),
    Route::signed("GET", "/api/admin/pass-rates", ANYONE, Caller, |c| respond(200, c.with(rules::pass_rates))),
    Route::signed("PUT", "/api/admin/pass-rates", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| rules::set_pass_rate(x, c.json()?)))
    }),
];

fn deleted() -> serde_json::Value {
    serde_json::json!({"deleted": true})
}

fn specialty_query(req: &Request) -> specialties::Query {
    specialties::Query { q: param(req, "q"), parent_code: param(req, "parent_code") }
}

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

/// Serves `/api/admin/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    super::serve(ROUTES, req, db, env, &Deps::default())
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
    "rule_exception",
    "field_rule",
    "pass_rate_limit",
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
