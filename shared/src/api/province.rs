//! Routes of the `province` component (省人社厅): organisations and committees for the
//! chain, undo of the final authority's operations (annex 3 §1.26), transfers to another
//! committee (§1.27): `/api/province/...`.

use super::{respond, Deps, Env, Request, Response, Roles, Route};
use crate::access::Scope::{Application, Caller, InspectionItem};
use crate::auth::Role;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::{chain, inspections as insp, organisations as orgs, self_review};

const PROVINCE: Roles = &[Role::Province];
/// The inspected: a committee office or a (self-evaluating) unit.
const INSPECTED: Roles = &[Role::CommitteeOrg, Role::Unit];
const INSPECTION: &str = "巡查";
/// Self-evaluating units (高校, 医院, 企业) sign in as a unit or a committee office.
const SELF_REVIEW_UNITS: Roles = &[Role::Unit, Role::CommitteeOrg];
const PLAN_READERS: Roles = &[Role::Unit, Role::CommitteeOrg, Role::Province];

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    // 自主评审单位 (二(五), 三(一)): the unit's standard above the province's, and its annual
    // evaluation plan filed with the province.
    Route::signed("PUT", "/api/province/unit-rules", SELF_REVIEW_UNITS, Caller, |c| {
        respond(200, c.with(|x| self_review::set_unit_rule(x, c.json()?)))
    }),
    Route::signed("GET", "/api/province/unit-rules", PLAN_READERS, Caller, |c| {
        let q = |name: &str| c.req.query_param(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        respond(
            200,
            c.with(|x| self_review::list_unit_rules(x, q("unit").as_deref(), q("series").as_deref(), c.page()?)),
        )
    }),
    Route::signed("POST", "/api/province/self-review-plans", SELF_REVIEW_UNITS, Caller, |c| {
        respond(201, c.with(|x| self_review::file_plan(x, c.json()?)))
    }),
    Route::signed("GET", "/api/province/self-review-plans", PLAN_READERS, Caller, |c| {
        let year = c
            .req
            .query_param("year")
            .map(|y| y.parse().map_err(|_| crate::error::DomainError::invalid("year", "年度无效")));
        respond(200, c.with(|x| self_review::list_plans(x, year.transpose()?, c.page()?)))
    }),
    Route::signed("POST", "/api/province/self-review-plans/audit", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| self_review::audit_plan(x, c.json()?)))
    }),
    Route::signed("POST", "/api/province/organisations", PROVINCE, Caller, |c| {
        respond(201, c.with(|x| orgs::create_organisation(x, c.json()?)))
    }),
    Route::signed("POST", "/api/province/committees", PROVINCE, Caller, |c| {
        respond(201, c.with(|x| orgs::create_committee(x, c.json()?)))
    }),
    // 五好园区 (八(三)): the park committees the province created with a delegation.
    Route::signed("GET", "/api/province/park-committees", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| orgs::park_committees(x, c.page()?)))
    }),
    Route::signed("GET", "/api/province/applications/{id}/operations", PROVINCE, Application, |c| {
        respond(200, c.with(|x| chain::operations(x, c.id(0, "申报")?)))
    }),
    Route::signed("POST", "/api/province/applications/{id}/undo", PROVINCE, Application, |c| {
        respond(200, c.with(|x| chain::undo_latest(x, c.id(0, "申报")?, c.json()?)))
    }),
    Route::signed("POST", "/api/province/transfers", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| chain::transfer(x, c.json()?)))
    }),
    // 七(二)–(四): integrity records of judges and staff members.
    Route::signed("POST", "/api/province/integrity-records", PROVINCE, Caller, |c| {
        respond(201, c.with(|x| crate::workflow::accountability::record(x, c.json()?)))
    }),
    Route::signed("GET", "/api/province/integrity-records", PROVINCE, Caller, |c| {
        let kind = c.req.query_param("subject_kind");
        respond(200, c.with(|x| crate::workflow::accountability::records(x, kind.as_deref(), c.page()?)))
    }),
    // 职称巡查 (notice 七, last paragraph): sampling runs and special inspections.
    Route::signed("GET", "/api/province/inspections", PROVINCE, Caller, |c| {
        let year = c
            .req
            .query_param("year")
            .map(|y| y.parse().map_err(|_| DomainError::invalid("year", "year 须为年份")))
            .transpose();
        let status = c.req.query_param("status");
        respond(200, c.with(|x| insp::list(x, year?, status.as_deref(), c.page()?)))
    }),
    Route::signed("POST", "/api/province/inspections", PROVINCE, Caller, |c| {
        respond(201, c.with(|x| insp::create_sampling(x, c.json()?)))
    }),
    Route::signed("POST", "/api/province/inspections/special", PROVINCE, Caller, |c| {
        respond(201, c.with(|x| insp::open_special(x, c.json()?)))
    }),
    Route::signed("GET", "/api/province/inspections/{id}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| insp::get(x, c.id(0, INSPECTION)?)))
    }),
    Route::signed("POST", "/api/province/inspections/{id}/draw", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| insp::draw(x, c.id(0, INSPECTION)?, c.json()?)))
    }),
    Route::signed("GET", "/api/province/inspections/{id}/replay", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| insp::replay(x, c.id(0, INSPECTION)?)))
    }),
    Route::signed("POST", "/api/province/inspections/{id}/items/{item}/finding", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| insp::record_finding(x, c.id(0, INSPECTION)?, c.id(1, "巡查事项")?, c.json()?)))
    }),
    Route::signed("POST", "/api/province/inspections/{id}/items/{item}/decision", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| insp::decide(x, c.id(0, INSPECTION)?, c.id(1, "巡查事项")?, c.json()?)))
    }),
    Route::signed("POST", "/api/province/inspections/{id}/close", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| insp::close(x, c.id(0, INSPECTION)?, c.json()?)))
    }),
    // The inspected committee office or unit: its own items, and its rectification reports.
    Route::signed("GET", "/api/inspections/items", INSPECTED, Caller, |c| {
        let status = c.req.query_param("status");
        respond(200, c.with(|x| insp::my_items(x, status.as_deref(), c.page()?)))
    }),
    Route::signed("GET", "/api/inspections/items/{item}", INSPECTED, InspectionItem, |c| {
        respond(200, c.with(|x| insp::my_item(x, c.id(0, "巡查事项")?)))
    }),
    Route::signed("POST", "/api/inspections/items/{item}/response", INSPECTED, InspectionItem, |c| {
        respond(200, c.with(|x| insp::respond(x, c.id(0, "巡查事项")?, c.json()?)))
    }),
];

/// Serves `/api/province/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    super::serve(ROUTES, req, db, env, &Deps::default())
}
