//! Routes of the `certificates` component: the province's issuing-unit codes, number
//! format and pools, generation jobs, Excel import and revocation; certificate query by
//! authorized roles (§1.20) and download by the holder (六(三)): `/api/certificates/...`.

use super::admin::{export, xlsx_file};
use super::{respond, Deps, Env, Request, Response, Roles, Route};
use crate::access::Scope::{Caller, Certificate};
use crate::auth::Role;
use crate::certificates::seal::SealKey;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::certificates as wf;

const PROVINCE: Roles = &[Role::Province];
/// Who may look certificates up: the holder, the holder's unit, the committee office, the
/// province (each list filtered to the caller's own).
const READERS: Roles = &[Role::Applicant, Role::Unit, Role::CommitteeOrg, Role::Province];
const C: &str = "证书";

/// The province and the city or county HR bureaus with an issuing code (annex 3 §1.17).
const ISSUERS: Roles = &[Role::Dept, Role::Province];
/// Certificates were generated: the audit chain's head is anchored (issue 10).
const CERTIFICATE_BATCH: crate::audit::anchor::Reason = crate::audit::anchor::Reason::CertificateBatch;

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    Route::signed("GET", "/api/certificates", READERS, Caller, |c| {
        respond(200, c.with(|x| wf::list(x, &query(c.req)?, c.page()?)))
    }),
    Route::signed("GET", "/api/certificates/export", PROVINCE, Caller, |c| {
        export(c.with(|x| wf::export(x, &query(c.req)?)))
    }),
    Route::signed("GET", "/api/certificates/candidates", ISSUERS, Caller, |c| {
        respond(
            200,
            c.with(|x| wf::candidates(x, param(c.req, "doc_no").as_deref(), &candidate_query(c.req)?, c.page()?)),
        )
    }),
    Route::signed("GET", "/api/certificates/{id}", READERS, Certificate, |c| {
        respond(200, c.with(|x| wf::get(x, c.id(0, C)?)))
    }),
    Route::signed("GET", "/api/certificates/{id}/html", READERS, Certificate, |c| {
        match c.with(|x| wf::html(x, c.id(0, C)?, &c.env.public_origin)) {
            Ok(html) => Response::bytes(200, "text/html; charset=utf-8", html.into_bytes()),
            Err(e) => Response::error(&e),
        }
    }),
    Route::signed("POST", "/api/certificates/{id}/revoke", PROVINCE, Certificate, |c| {
        respond(200, c.with(|x| wf::revoke(x, c.id(0, C)?, c.json()?)))
    }),
    Route::signed("GET", "/api/certificates/jobs", ISSUERS, Caller, |c| {
        respond(200, c.with(|x| wf::list_jobs(x, c.page()?)))
    }),
    Route::signed("POST", "/api/certificates/jobs", ISSUERS, Caller, |c| {
        respond(
            201,
            c.with_anchor(CERTIFICATE_BATCH, "certificates:generate", |_| true, |x, k| wf::generate(x, k, c.json()?)),
        )
    }),
    Route::signed("GET", "/api/certificates/jobs/{id}", ISSUERS, Caller, |c| {
        respond(200, c.with(|x| wf::get_job(x, c.id(0, "发证任务")?)))
    }),
    Route::signed("POST", "/api/certificates/jobs/{id}/run", ISSUERS, Caller, |c| {
        let reference = format!("certificates:job:{}", c.param(0));
        respond(
            200,
            c.with_anchor(CERTIFICATE_BATCH, &reference, |_| true, |x, k| wf::run_job(x, k, c.id(0, "发证任务")?)),
        )
    }),
    Route::signed("GET", "/api/certificates/issuing-units", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| wf::list_issuing_units(x, param(c.req, "status").as_deref(), c.page()?)))
    }),
    Route::signed("POST", "/api/certificates/issuing-units", PROVINCE, Caller, |c| {
        respond(201, c.with(|x| wf::add_issuing_unit(x, c.json()?)))
    }),
    Route::signed("GET", "/api/certificates/issuing-units/export", PROVINCE, Caller, |c| {
        export(c.with(|x| wf::export_issuing_units(x, param(c.req, "status").as_deref())))
    }),
    Route::signed("POST", "/api/certificates/issuing-units/{id}/cancel", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| wf::cancel_issuing_unit(x, c.id(0, "发证单位")?, c.json()?)))
    }),
    Route::signed("GET", "/api/certificates/number-format", PROVINCE, Caller, |c| {
        respond(200, c.with(wf::number_format))
    }),
    Route::signed("PUT", "/api/certificates/number-format", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| wf::save_number_format(x, c.json()?)))
    }),
    Route::signed("GET", "/api/certificates/number-pools", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| wf::list_pools(x, param(c.req, "scope").as_deref(), c.page()?)))
    }),
    Route::signed("POST", "/api/certificates/number-pools", PROVINCE, Caller, |c| {
        respond(201, c.with(|x| wf::add_pool(x, c.json()?)))
    }),
    Route::signed("GET", "/api/certificates/imports/template", PROVINCE, Caller, |c| {
        xlsx_file("职称证书导入模板", c.with(wf::import_template))
    }),
    Route::signed("POST", "/api/certificates/imports", PROVINCE, Caller, |c| {
        if c.req.body.len() > c.env.max_upload_bytes {
            return Response::error(&DomainError::PayloadTooLarge {
                field: "body".into(),
                limit: c.env.max_upload_bytes,
            });
        }
        let filename = param(c.req, "filename").unwrap_or_default();
        respond(201, c.with(|x| wf::validate_import(x, &filename, &c.req.body)))
    }),
    Route::signed("GET", "/api/certificates/imports/{id}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| wf::get_import(x, c.id(0, "导入")?)))
    }),
    Route::signed("POST", "/api/certificates/imports/{id}/commit", PROVINCE, Caller, |c| {
        let reference = format!("certificates:import:{}", c.param(0));
        respond(
            200,
            c.with_anchor(CERTIFICATE_BATCH, &reference, |_| true, |x, k| wf::commit_import(x, k, c.id(0, "导入")?)),
        )
    }),
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

/// Serves `/api/certificates/...` with the seal key from `key`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env, key: KeySource<'_>) -> Response {
    super::serve(ROUTES, req, db, env, &Deps { seal_key: Some(key), ..Deps::default() })
}
