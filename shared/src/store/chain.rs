//! SQL for the audit chain: organisations, committees, audit-path edges, quotas, the
//! reversible-operation log and the integrity file.

use super::{Db, Row, StoreError, Value};
use crate::domain::application::TitleLevel;
use crate::domain::path::{CommitteeFacts, CommitteeTier, Edge, InstitutionFacts, Method, StepKind};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

fn level_str(l: TitleLevel) -> &'static str {
    match l {
        TitleLevel::DeputySenior => "deputy_senior",
        TitleLevel::FullSenior => "full_senior",
        TitleLevel::Intermediate => "intermediate",
        TitleLevel::Assistant => "assistant",
        TitleLevel::Junior => "junior",
    }
}

/// Parses a level's wire name.
pub fn parse_level(s: &str) -> Option<TitleLevel> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

/// A level's wire name.
pub fn level_name(l: TitleLevel) -> &'static str {
    level_str(l)
}

fn first_id(rows: Vec<Row>) -> Result<i64, StoreError> {
    rows.first().ok_or_else(|| StoreError::Decode("insert returned no id".into()))?.int(0)
}

// ---------------------------------------------------------------- organisations

/// An organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub credit_code: Option<String>,
    pub region_code: String,
    pub public_institution: bool,
    pub self_review: bool,
    pub status: String,
}

/// Columns of [`Organisation`], in the order [`organisation`] decodes them.
pub const ORG_COLUMNS: &str = "id, kind, name, credit_code, region_code, public_institution, self_review, status";

/// Decodes an [`ORG_COLUMNS`] row.
pub fn organisation(r: &Row) -> Result<Organisation, StoreError> {
    Ok(Organisation {
        id: r.text(0)?,
        kind: r.text(1)?,
        name: r.text(2)?,
        credit_code: r.opt_text(3)?,
        region_code: r.text(4)?,
        public_institution: r.int(5)? != 0,
        self_review: r.int(6)? != 0,
        status: r.text(7)?,
    })
}

/// One organisation by id.
pub fn organisation_by_id(db: &dyn Db, id: &str) -> Result<Option<Organisation>, StoreError> {
    db.query_opt(&format!("SELECT {ORG_COLUMNS} FROM organisations WHERE id = ?"), &[id.into()])?
        .as_ref()
        .map(organisation)
        .transpose()
}

const INSERT_ORG: &str = "INSERT INTO organisations (id, kind, name, credit_code, region_code, public_institution, \
     self_review, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
     ON CONFLICT (id) DO NOTHING RETURNING id";

/// Inserts an organisation; `false` if the id exists.
pub fn insert_organisation(db: &dyn Db, o: &Organisation, now: &str) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            INSERT_ORG,
            &[
                o.id.as_str().into(),
                o.kind.as_str().into(),
                o.name.as_str().into(),
                o.credit_code.clone().into(),
                o.region_code.as_str().into(),
                o.public_institution.into(),
                o.self_review.into(),
                o.status.as_str().into(),
                now.into(),
                now.into(),
            ],
        )?
        .is_empty())
}

/// Display names of organisations, by id.
pub fn organisation_names(db: &dyn Db, ids: &[String]) -> Result<HashMap<String, String>, StoreError> {
    let mut out = HashMap::new();
    for id in ids.iter().collect::<HashSet<_>>() {
        if let Some(r) = db.query_opt("SELECT name FROM organisations WHERE id = ?", &[id.as_str().into()])? {
            out.insert(id.clone(), r.text(0)?);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- committees

// A committee without a tier row is a 高评会 whose committees.max_level is its own (0022).
const SELECT_COMMITTEE: &str = "SELECT c.id, c.organising_org, c.series, COALESCE(t.max_level, c.max_level), \
     c.is_final, c.status, c.valid_until, COALESCE(t.tier, 'senior') \
     FROM committees c LEFT JOIN committee_tiers t ON t.committee_id = c.id WHERE c.id = ?";
const SELECT_COMMITTEE_SPECIALTIES: &str = "SELECT specialty FROM committee_specialties WHERE committee_id = ?";

/// The facts of a committee that path resolution and R20 need.
pub fn committee_facts(db: &dyn Db, id: &str) -> Result<Option<CommitteeFacts>, StoreError> {
    let Some(r) = db.query_opt(SELECT_COMMITTEE, &[id.into()])? else { return Ok(None) };
    let valid_until = r.text(6)?;
    let specialties = db
        .query(SELECT_COMMITTEE_SPECIALTIES, &[id.into()])?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<HashSet<_>, _>>()?;
    Ok(Some(CommitteeFacts {
        id: r.text(0)?,
        organising_org: r.text(1)?,
        series: r.text(2)?,
        max_level: parse_level(&r.text(3)?).ok_or_else(|| StoreError::Decode("committee level".into()))?,
        tier: CommitteeTier::parse(&r.text(7)?).ok_or_else(|| StoreError::Decode("committee tier".into()))?,
        is_final: r.int(4)? != 0,
        active: r.text(5)? == "active",
        valid_until: NaiveDate::parse_from_str(&valid_until, "%Y-%m-%d")
            .map_err(|e| StoreError::Decode(format!("valid_until: {e}")))?,
        specialties,
    }))
}

/// A committee as created (minimal; full administration is the province's admin).
#[derive(Debug, Clone)]
pub struct NewCommittee {
    pub id: String,
    pub name: String,
    pub organising_org: String,
    pub series: String,
    pub max_level: TitleLevel,
    /// 初评会 / 中评会 / 高评会 (0022): a non-senior tier is recorded in committee_tiers.
    pub tier: CommitteeTier,
    pub is_final: bool,
    pub valid_until: NaiveDate,
    pub specialties: Vec<String>,
}

const INSERT_COMMITTEE: &str = "INSERT INTO committees (id, name, organising_org, series, max_level, is_final, \
     valid_until, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?) \
     ON CONFLICT (id) DO NOTHING RETURNING id";
const INSERT_COMMITTEE_TIER: &str =
    "INSERT INTO committee_tiers (committee_id, tier, max_level) VALUES (?, ?, ?) ON CONFLICT (committee_id) DO NOTHING";
const INSERT_COMMITTEE_SPECIALTY: &str =
    "INSERT OR IGNORE INTO committee_specialties (committee_id, specialty) VALUES (?, ?)";

/// Inserts a committee and its specialties; `false` if the id exists.
pub fn insert_committee(db: &dyn Db, c: &NewCommittee, now: &str) -> Result<bool, StoreError> {
    let inserted = !db
        .query(
            INSERT_COMMITTEE,
            &[
                c.id.as_str().into(),
                c.name.as_str().into(),
                c.organising_org.as_str().into(),
                c.series.as_str().into(),
                // committees.max_level admits the senior levels only: a 初评会 or 中评会
                // keeps 'deputy_senior' there and its real level in committee_tiers.
                level_str(if c.max_level.is_senior() { c.max_level } else { TitleLevel::DeputySenior }).into(),
                c.is_final.into(),
                c.valid_until.to_string().into(),
                now.into(),
                now.into(),
            ],
        )?
        .is_empty();
    if inserted {
        if c.tier != CommitteeTier::Senior {
            db.execute(
                INSERT_COMMITTEE_TIER,
                &[c.id.as_str().into(), c.tier.as_str().into(), level_str(c.max_level).into()],
            )?;
        }
        for s in &c.specialties {
            db.execute(INSERT_COMMITTEE_SPECIALTY, &[c.id.as_str().into(), s.as_str().into()])?;
        }
    }
    Ok(inserted)
}

// ---------------------------------------------------------------- park delegations

const INSERT_PARK_DELEGATION: &str = "INSERT INTO park_delegations (committee_id, delegation_doc_no, scope, \
     created_by, created_at) VALUES (?, ?, ?, ?, ?)";
const SELECT_PARK_DELEGATION: &str = "SELECT delegation_doc_no, scope FROM park_delegations WHERE committee_id = ?";

/// Records the delegation of a park committee (五好园区, 八(三)).
pub fn insert_park_delegation(
    db: &dyn Db,
    committee: &str,
    doc_no: &str,
    scope: &str,
    by: &str,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(INSERT_PARK_DELEGATION, &[committee.into(), doc_no.into(), scope.into(), by.into(), now.into()])
}

/// The delegation (document number, scope) of a park committee, if it is one.
pub fn park_delegation(db: &dyn Db, committee: &str) -> Result<Option<(String, String)>, StoreError> {
    db.query_opt(SELECT_PARK_DELEGATION, &[committee.into()])?.map(|r| Ok((r.text(0)?, r.text(1)?))).transpose()
}

/// A park committee (五好园区, 八(三)) with its delegation, as the province lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParkCommittee {
    pub committee_id: String,
    pub name: String,
    pub organising_org: String,
    pub organising_name: String,
    pub series: String,
    pub max_level: String,
    pub valid_until: String,
    pub status: String,
    pub delegation_doc_no: String,
    pub scope: String,
    pub created_at: String,
}

const COUNT_PARK_COMMITTEES: &str = "SELECT COUNT(*) FROM park_delegations";
const SELECT_PARK_COMMITTEES: &str = "SELECT p.committee_id, c.name, c.organising_org, o.name, c.series, \
     c.max_level, c.valid_until, c.status, p.delegation_doc_no, p.scope, p.created_at \
     FROM park_delegations p JOIN committees c ON c.id = p.committee_id \
     JOIN organisations o ON o.id = c.organising_org \
     ORDER BY p.created_at DESC, p.committee_id LIMIT ? OFFSET ?";

/// A page of park committees, newest delegation first, with the total.
pub fn park_committees(db: &dyn Db, limit: i64, offset: i64) -> Result<(Vec<ParkCommittee>, i64), StoreError> {
    let total = db.query_opt(COUNT_PARK_COMMITTEES, &[])?.map_or(Ok(0), |r| r.int(0))?;
    let items = db
        .query(SELECT_PARK_COMMITTEES, &[limit.into(), offset.into()])?
        .iter()
        .map(|r| {
            Ok(ParkCommittee {
                committee_id: r.text(0)?,
                name: r.text(1)?,
                organising_org: r.text(2)?,
                organising_name: r.text(3)?,
                series: r.text(4)?,
                max_level: r.text(5)?,
                valid_until: r.text(6)?,
                status: r.text(7)?,
                delegation_doc_no: r.text(8)?,
                scope: r.text(9)?,
                created_at: r.text(10)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((items, total))
}

// ---------------------------------------------------------------- audit-path edges

/// An audit-path edge as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EdgeRecord {
    pub id: i64,
    pub lower_org: String,
    pub upper_org: String,
    pub level: String,
    pub method: String,
    pub step: String,
    pub status: String,
    /// `pending`, `confirmed` or `declined` by the lower (annex 2 §1.6.2).
    pub confirmation: String,
}

const EDGE_COLUMNS: &str = "id, lower_org, upper_org, level, method, step, status, confirmation";

fn edge_record(r: &Row) -> Result<EdgeRecord, StoreError> {
    Ok(EdgeRecord {
        id: r.int(0)?,
        lower_org: r.text(1)?,
        upper_org: r.text(2)?,
        level: r.text(3)?,
        method: r.text(4)?,
        step: r.text(5)?,
        status: r.text(6)?,
        confirmation: r.text(7)?,
    })
}

/// Every active edge for a level and method, keyed by lower organisation.
pub fn active_edges(db: &dyn Db, level: TitleLevel, method: Method) -> Result<HashMap<String, Edge>, StoreError> {
    let sql = format!("SELECT {EDGE_COLUMNS} FROM path_edges WHERE level = ? AND method = ? AND status = 'active'");
    let mut out = HashMap::new();
    for r in db.query(&sql, &[level_str(level).into(), method.as_str().into()])? {
        let e = edge_record(&r)?;
        let step = StepKind::parse(&e.step).ok_or_else(|| StoreError::Decode(format!("step {}", e.step)))?;
        let (declined, pending) = (e.confirmation == "declined", e.confirmation == "pending");
        out.insert(e.lower_org.clone(), Edge { lower: e.lower_org, upper: e.upper_org, step, declined, pending });
    }
    Ok(out)
}

/// Active edges where `org` is the lower (its uppers) or the upper (its lowers).
pub fn edges_of(db: &dyn Db, org: &str, as_upper: bool) -> Result<Vec<EdgeRecord>, StoreError> {
    let col = if as_upper { "upper_org" } else { "lower_org" };
    let sql = format!("SELECT {EDGE_COLUMNS} FROM path_edges WHERE {col} = ? AND status = 'active' ORDER BY id");
    db.query(&sql, &[org.into()])?.iter().map(edge_record).collect()
}

const INSERT_EDGE: &str =
    "INSERT INTO path_edges (lower_org, upper_org, level, method, step, status, confirmation, created_by, \
     created_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?) RETURNING id";
const SELECT_ACTIVE_EDGE: &str =
    "SELECT id FROM path_edges WHERE lower_org = ? AND level = ? AND method = ? AND status = 'active'";

/// The active edge of `lower` for a level and method, if any.
pub fn active_edge_id(db: &dyn Db, lower: &str, level: TitleLevel, method: Method) -> Result<Option<i64>, StoreError> {
    db.query_opt(SELECT_ACTIVE_EDGE, &[lower.into(), level_str(level).into(), method.as_str().into()])?
        .map(|r| r.int(0))
        .transpose()
}

/// Inserts an active edge.
#[allow(clippy::too_many_arguments)]
pub fn insert_edge(
    db: &dyn Db,
    lower: &str,
    upper: &str,
    level: TitleLevel,
    method: Method,
    step: StepKind,
    confirmation: &str,
    by: &str,
    now: &str,
) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_EDGE,
        &[
            lower.into(),
            upper.into(),
            level_str(level).into(),
            method.as_str().into(),
            step.as_str().into(),
            confirmation.into(),
            by.into(),
            now.into(),
        ],
    )?)
}

/// One edge by id.
pub fn edge_by_id(db: &dyn Db, id: i64) -> Result<Option<EdgeRecord>, StoreError> {
    db.query_opt(&format!("SELECT {EDGE_COLUMNS} FROM path_edges WHERE id = ?"), &[id.into()])?
        .as_ref()
        .map(edge_record)
        .transpose()
}

const CONFIRM_EDGE: &str = "UPDATE path_edges SET confirmation = ?, confirmed_by = ?, confirmed_at = ?, \
     decline_reason = ? WHERE id = ? AND status = 'active' AND confirmation = 'pending' RETURNING id";

/// The lower's answer to a pending designation (`confirmed` or `declined`); `false` if
/// the edge is not an active pending one.
pub fn answer_edge(
    db: &dyn Db,
    id: i64,
    answer: &str,
    reason: Option<&str>,
    by: &str,
    now: &str,
) -> Result<bool, StoreError> {
    Ok(!db.query(CONFIRM_EDGE, &[answer.into(), by.into(), now.into(), reason.into(), id.into()])?.is_empty())
}

/// Designations awaiting `org`'s confirmation, or all of its edges as the lower.
pub fn edges_to_confirm(db: &dyn Db, org: &str, pending_only: bool) -> Result<Vec<EdgeRecord>, StoreError> {
    let sql = format!(
        "SELECT {EDGE_COLUMNS} FROM path_edges WHERE lower_org = ? AND status = 'active' \
         AND (? = 0 OR confirmation = 'pending') ORDER BY id"
    );
    db.query(&sql, &[org.into(), pending_only.into()])?.iter().map(edge_record).collect()
}

// ---------------------------------------------------------------- acceptance institutions

const SELECT_INSTITUTION: &str = "SELECT id, org_id, level, method, status FROM acceptance_institutions WHERE id = ?";

/// The facts of an acceptance institution that a 初定 or 认定 path needs.
pub fn institution_facts(db: &dyn Db, id: i64) -> Result<Option<InstitutionFacts>, StoreError> {
    let Some(r) = db.query_opt(SELECT_INSTITUTION, &[id.into()])? else { return Ok(None) };
    Ok(Some(InstitutionFacts {
        id: r.int(0)?,
        org: r.text(1)?,
        level: parse_level(&r.text(2)?).ok_or_else(|| StoreError::Decode("institution level".into()))?,
        method: Method::parse(&r.text(3)?).ok_or_else(|| StoreError::Decode("institution method".into()))?,
        active: r.text(4)? == "active",
    }))
}

/// A 初定 or 认定 approval (annex 3 §1.4–1.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TitleApproval {
    pub application_id: i64,
    pub method: String,
    pub institution_id: i64,
    pub doc_no: String,
    pub approved_on: String,
}

const INSERT_TITLE_APPROVAL: &str = "INSERT INTO title_approvals (application_id, method, institution_id, doc_no, \
     approved_on, approved_by, org, approved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
const SELECT_TITLE_APPROVAL: &str =
    "SELECT application_id, method, institution_id, doc_no, approved_on FROM title_approvals WHERE application_id = ?";
const INSTITUTION_CERTIFICATE_NAME: &str = "SELECT certificate_name FROM acceptance_institutions WHERE id = ?";

/// Records a 初定 or 认定 approval.
pub fn insert_title_approval(db: &dyn Db, a: &TitleApproval, by: &str, org: &str, now: &str) -> Result<(), StoreError> {
    db.execute(
        INSERT_TITLE_APPROVAL,
        &[
            a.application_id.into(),
            a.method.as_str().into(),
            a.institution_id.into(),
            a.doc_no.as_str().into(),
            a.approved_on.as_str().into(),
            by.into(),
            org.into(),
            now.into(),
        ],
    )?;
    Ok(())
}

/// The approval of a 初定 or 认定 application, if any.
pub fn title_approval_of(db: &dyn Db, application_id: i64) -> Result<Option<TitleApproval>, StoreError> {
    db.query_opt(SELECT_TITLE_APPROVAL, &[application_id.into()])?
        .map(|r| {
            Ok(TitleApproval {
                application_id: r.int(0)?,
                method: r.text(1)?,
                institution_id: r.int(2)?,
                doc_no: r.text(3)?,
                approved_on: r.text(4)?,
            })
        })
        .transpose()
}

/// The name an acceptance institution prints on certificates (annex 3 §1.3).
pub fn institution_certificate_name(db: &dyn Db, id: i64) -> Result<Option<String>, StoreError> {
    db.query_opt(INSTITUTION_CERTIFICATE_NAME, &[id.into()])?.map(|r| r.text(0)).transpose()
}

const CANCEL_EDGE: &str = "UPDATE path_edges SET status = 'cancelled', cancelled_at = ?, cancel_reason = ? \
     WHERE id = ? AND status = 'active' RETURNING id";

/// Cancels an active edge; `false` if it was not active.
pub fn cancel_edge(db: &dyn Db, id: i64, reason: &str, now: &str) -> Result<bool, StoreError> {
    Ok(!db.query(CANCEL_EDGE, &[now.into(), reason.into(), id.into()])?.is_empty())
}

// ---------------------------------------------------------------- quotas

/// A quota declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quota {
    pub id: i64,
    pub unit_org: String,
    pub year: i32,
    pub series: String,
    pub level: String,
    pub kind: String,
    pub special_category: Option<String>,
    pub vacant_posts: i64,
    pub requested: i64,
    pub reason: Option<String>,
    pub status: String,
    pub auditor_org: String,
    pub opinion: Option<String>,
    pub declared_at: String,
    pub audited_at: Option<String>,
    pub version: i64,
    /// Posts approved (三(二)1: the auditor may approve fewer than requested); `None`
    /// unless approved.
    pub approved: Option<i64>,
    /// Special requests (三(二)2): the upper organisation's first check, once made.
    pub precheck_passed: Option<bool>,
    /// Special requests: the summary (专项报告) that took it to the province, once submitted.
    pub report_id: Option<i64>,
}

/// The posts an approved declaration grants: the auditor's number, else the requested.
const APPROVED_POSTS: &str =
    "COALESCE((SELECT qa.approved FROM quota_approvals qa WHERE qa.quota_id = review_quotas.id), requested)";

const QUOTA_COLUMNS: &str =
    "id, unit_org, year, series, level, kind, special_category, vacant_posts, requested, reason, \
     status, auditor_org, opinion, declared_at, audited_at, version, \
     CASE WHEN status = 'approved' THEN COALESCE((SELECT qa.approved FROM quota_approvals qa \
     WHERE qa.quota_id = review_quotas.id), requested) END, \
     (SELECT sp.passed FROM special_quota_prechecks sp WHERE sp.quota_id = review_quotas.id), \
     (SELECT sp.report_id FROM special_quota_prechecks sp WHERE sp.quota_id = review_quotas.id)";

fn quota(r: &Row) -> Result<Quota, StoreError> {
    Ok(Quota {
        id: r.int(0)?,
        unit_org: r.text(1)?,
        year: r.int(2)? as i32,
        series: r.text(3)?,
        level: r.text(4)?,
        kind: r.text(5)?,
        special_category: r.opt_text(6)?,
        vacant_posts: r.int(7)?,
        requested: r.int(8)?,
        reason: r.opt_text(9)?,
        status: r.text(10)?,
        auditor_org: r.text(11)?,
        opinion: r.opt_text(12)?,
        declared_at: r.text(13)?,
        audited_at: r.opt_text(14)?,
        version: r.int(15)?,
        approved: r.opt_int(16)?,
        precheck_passed: r.opt_int(17)?.map(|v| v != 0),
        report_id: r.opt_int(18)?,
    })
}

const INSERT_PRECHECK: &str =
    "INSERT INTO special_quota_prechecks (quota_id, org, passed, opinion, checked_by, checked_at) \
     VALUES (?, ?, ?, ?, ?, ?)";

/// Records the upper organisation's first check of a special request (三(二)2).
pub fn insert_precheck(
    db: &dyn Db,
    quota: i64,
    org: &str,
    passed: bool,
    opinion: &str,
    by: &str,
    at: &str,
) -> Result<(), StoreError> {
    db.execute(
        INSERT_PRECHECK,
        &[quota.into(), org.into(), i64::from(passed).into(), opinion.into(), by.into(), at.into()],
    )
}

const ATTACH_PRECHECK: &str =
    "UPDATE special_quota_prechecks SET report_id = ? WHERE quota_id = ? AND passed = 1 AND report_id IS NULL";

/// Puts a passed special request into a submitted summary.
pub fn attach_precheck_to_report(db: &dyn Db, quota: i64, report: i64) -> Result<(), StoreError> {
    db.execute(ATTACH_PRECHECK, &[report.into(), quota.into()])
}

/// A summary of special requests (专项报告) submitted to the province (三(二)2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecialReport {
    pub id: i64,
    pub org: String,
    pub year: i32,
    pub report: String,
    pub quota_count: i64,
    pub requested_total: i64,
    pub submitted_by: String,
    pub submitted_at: String,
}

const SPECIAL_REPORT_COLUMNS: &str = "id, org, year, report, quota_count, requested_total, submitted_by, submitted_at";

fn special_report(r: &Row) -> Result<SpecialReport, StoreError> {
    Ok(SpecialReport {
        id: r.int(0)?,
        org: r.text(1)?,
        year: r.int(2)? as i32,
        report: r.text(3)?,
        quota_count: r.int(4)?,
        requested_total: r.int(5)?,
        submitted_by: r.text(6)?,
        submitted_at: r.text(7)?,
    })
}

const INSERT_SPECIAL_REPORT: &str = "INSERT INTO special_quota_reports \
     (org, year, report, quota_count, requested_total, submitted_by, submitted_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";

/// Inserts a submitted summary; returns its id.
#[allow(clippy::too_many_arguments)]
pub fn insert_special_report(
    db: &dyn Db,
    org: &str,
    year: i32,
    report: &str,
    count: i64,
    requested: i64,
    by: &str,
    at: &str,
) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_SPECIAL_REPORT,
        &[org.into(), year.into(), report.into(), count.into(), requested.into(), by.into(), at.into()],
    )?)
}

/// One summary by id.
pub fn special_report_by_id(db: &dyn Db, id: i64) -> Result<Option<SpecialReport>, StoreError> {
    db.query_opt(&format!("SELECT {SPECIAL_REPORT_COLUMNS} FROM special_quota_reports WHERE id = ?"), &[id.into()])?
        .as_ref()
        .map(special_report)
        .transpose()
}

/// Summaries, newest first: of one organisation (or all), of one year (or all).
pub fn special_reports(db: &dyn Db, org: Option<&str>, year: Option<i32>) -> Result<Vec<SpecialReport>, StoreError> {
    let mut conds = vec!["1 = 1"];
    let mut params: Vec<Value> = Vec::new();
    if let Some(o) = org {
        conds.push("org = ?");
        params.push(o.into());
    }
    if let Some(y) = year {
        conds.push("year = ?");
        params.push(y.into());
    }
    let sql = format!(
        "SELECT {SPECIAL_REPORT_COLUMNS} FROM special_quota_reports WHERE {} ORDER BY id DESC",
        conds.join(" AND ")
    );
    db.query(&sql, &params)?.iter().map(special_report).collect()
}

/// The requests of a summary, in id order.
pub fn quotas_of_report(db: &dyn Db, report: i64) -> Result<Vec<Quota>, StoreError> {
    db.query(
        &format!(
            "SELECT {QUOTA_COLUMNS} FROM review_quotas WHERE id IN \
             (SELECT quota_id FROM special_quota_prechecks WHERE report_id = ?) ORDER BY id"
        ),
        &[report.into()],
    )?
    .iter()
    .map(quota)
    .collect()
}

const INSERT_QUOTA: &str = "INSERT INTO review_quotas (unit_org, year, series, level, kind, special_category, \
     vacant_posts, requested, reason, status, auditor_org, declared_by, declared_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING id";

/// Inserts a pending declaration.
pub fn insert_quota(db: &dyn Db, q: &Quota, by: &str) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_QUOTA,
        &[
            q.unit_org.as_str().into(),
            q.year.into(),
            q.series.as_str().into(),
            q.level.as_str().into(),
            q.kind.as_str().into(),
            q.special_category.clone().into(),
            q.vacant_posts.into(),
            q.requested.into(),
            q.reason.clone().into(),
            q.auditor_org.as_str().into(),
            by.into(),
            q.declared_at.as_str().into(),
        ],
    )?)
}

/// One declaration by id.
pub fn quota_by_id(db: &dyn Db, id: i64) -> Result<Option<Quota>, StoreError> {
    db.query_opt(&format!("SELECT {QUOTA_COLUMNS} FROM review_quotas WHERE id = ?"), &[id.into()])?
        .as_ref()
        .map(quota)
        .transpose()
}

const OPEN_NORMAL_QUOTA: &str = "SELECT COUNT(*) FROM review_quotas WHERE unit_org = ? AND year = ? AND series = ? \
     AND level = ? AND kind = 'normal' AND status IN ('pending', 'approved')";

/// Whether a normal declaration is already pending or approved for these keys.
pub fn has_open_normal_quota(
    db: &dyn Db,
    unit: &str,
    year: i32,
    series: &str,
    level: &str,
) -> Result<bool, StoreError> {
    let n = db
        .query_opt(OPEN_NORMAL_QUOTA, &[unit.into(), year.into(), series.into(), level.into()])?
        .map_or(Ok(0), |r| r.int(0))?;
    Ok(n > 0)
}

const AUDIT_QUOTA: &str = "UPDATE review_quotas SET status = ?, opinion = ?, audited_at = ?, version = version + 1 \
     WHERE id = ? AND status = 'pending' AND version = ? RETURNING version";

/// Compare-and-set audit of a pending declaration.
pub fn audit_quota(
    db: &dyn Db,
    id: i64,
    version: i64,
    approve: bool,
    opinion: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let status = if approve { "approved" } else { "rejected" };
    Ok(!db.query(AUDIT_QUOTA, &[status.into(), opinion.into(), now.into(), id.into(), version.into()])?.is_empty())
}

const INSERT_QUOTA_APPROVAL: &str = "INSERT INTO quota_approvals (quota_id, approved) VALUES (?, ?)";

/// Records that fewer posts than requested were approved (三(二)1).
pub fn set_quota_approved(db: &dyn Db, id: i64, approved: i64) -> Result<(), StoreError> {
    db.execute(INSERT_QUOTA_APPROVAL, &[id.into(), approved.into()])
}

/// Filters of the quota query (§1.22).
#[derive(Debug, Clone, Default)]
pub struct QuotaFilter {
    pub unit_org: Option<String>,
    pub auditor_org: Option<String>,
    pub year: Option<i32>,
    pub status: Option<String>,
    pub kind: Option<String>,
}

/// Quota declarations matching a filter, with totals over the whole result.
pub fn list_quotas(
    db: &dyn Db,
    f: &QuotaFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Quota>, i64, i64, i64), StoreError> {
    let mut conds = vec!["1 = 1"];
    let mut params: Vec<Value> = Vec::new();
    if let Some(v) = &f.unit_org {
        conds.push("unit_org = ?");
        params.push(v.into());
    }
    if let Some(v) = &f.auditor_org {
        conds.push("auditor_org = ?");
        params.push(v.into());
    }
    if let Some(v) = f.year {
        conds.push("year = ?");
        params.push(v.into());
    }
    if let Some(v) = &f.status {
        conds.push("status = ?");
        params.push(v.into());
    }
    if let Some(v) = &f.kind {
        conds.push("kind = ?");
        params.push(v.into());
    }
    let filter = conds.join(" AND ");
    let totals = db
        .query_opt(
            &format!(
                "SELECT COUNT(*), COALESCE(SUM(requested), 0), \
                 COALESCE(SUM(CASE WHEN status = 'approved' THEN {APPROVED_POSTS} ELSE 0 END), 0) \
                 FROM review_quotas WHERE {filter}"
            ),
            &params,
        )?
        .ok_or_else(|| StoreError::Decode("no totals".into()))?;
    let (total, requested, approved) = (totals.int(0)?, totals.int(1)?, totals.int(2)?);
    let mut p = params;
    p.extend([limit.into(), offset.into()]);
    let rows = db
        .query(
            &format!("SELECT {QUOTA_COLUMNS} FROM review_quotas WHERE {filter} ORDER BY id DESC LIMIT ? OFFSET ?"),
            &p,
        )?
        .iter()
        .map(quota)
        .collect::<Result<_, _>>()?;
    Ok((rows, total, requested, approved))
}

const APPROVED_QUOTA: &str = "SELECT COALESCE(SUM(COALESCE((SELECT qa.approved FROM quota_approvals qa \
     WHERE qa.quota_id = review_quotas.id), requested)), 0) FROM review_quotas WHERE unit_org = ? AND year = ? \
     AND series = ? AND level = ? AND status = 'approved'";
const RECOMMENDED_COUNT: &str =
    "SELECT COUNT(*) FROM applications WHERE unit_org = ? AND batch_year = ? AND series = ? \
     AND target_level = ? AND recommended_at IS NOT NULL AND state NOT IN ('rejected', 'terminated') AND id <> ?";

/// (approved quota, applications already recommended besides `except`) for R10.
pub fn quota_usage(
    db: &dyn Db,
    unit: &str,
    year: i32,
    series: &str,
    level: &str,
    except: i64,
) -> Result<(i64, i64), StoreError> {
    let keys: [Value; 4] = [unit.into(), year.into(), series.into(), level.into()];
    let approved = db.query_opt(APPROVED_QUOTA, &keys)?.map_or(Ok(0), |r| r.int(0))?;
    let mut p = keys.to_vec();
    p.push(except.into());
    let used = db.query_opt(RECOMMENDED_COUNT, &p)?.map_or(Ok(0), |r| r.int(0))?;
    Ok((approved, used))
}

// ---------------------------------------------------------------- reversible operations

/// A reversible operation of the final authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReversibleOperation {
    pub id: i64,
    pub application_id: i64,
    pub kind: String,
    pub actor: String,
    pub org: String,
    #[serde(skip)]
    pub before_state: String,
    pub after_version: i64,
    pub at: String,
    pub undone_at: Option<String>,
}

const INSERT_OP: &str = "INSERT INTO reversible_operations (application_id, kind, actor, org, before_state, \
     after_version, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
const OP_COLUMNS: &str = "id, application_id, kind, actor, org, before_state, after_version, at, undone_at";
const UNDO_OP: &str =
    "UPDATE reversible_operations SET undone_at = ?, undone_by = ? WHERE id = ? AND undone_at IS NULL RETURNING id";

fn op(r: &Row) -> Result<ReversibleOperation, StoreError> {
    Ok(ReversibleOperation {
        id: r.int(0)?,
        application_id: r.int(1)?,
        kind: r.text(2)?,
        actor: r.text(3)?,
        org: r.text(4)?,
        before_state: r.text(5)?,
        after_version: r.int(6)?,
        at: r.text(7)?,
        undone_at: r.opt_text(8)?,
    })
}

/// Records a reversible operation with the exact prior state.
pub fn insert_operation(db: &dyn Db, o: &ReversibleOperation) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_OP,
        &[
            o.application_id.into(),
            o.kind.as_str().into(),
            o.actor.as_str().into(),
            o.org.as_str().into(),
            o.before_state.as_str().into(),
            o.after_version.into(),
            o.at.as_str().into(),
        ],
    )?)
}

/// The operations of an application, latest first.
pub fn operations(db: &dyn Db, application_id: i64) -> Result<Vec<ReversibleOperation>, StoreError> {
    db.query(
        &format!("SELECT {OP_COLUMNS} FROM reversible_operations WHERE application_id = ? ORDER BY id DESC"),
        &[application_id.into()],
    )?
    .iter()
    .map(op)
    .collect()
}

/// Marks an operation undone; `false` if it already was.
pub fn mark_undone(db: &dyn Db, id: i64, by: &str, now: &str) -> Result<bool, StoreError> {
    Ok(!db.query(UNDO_OP, &[now.into(), by.into(), id.into()])?.is_empty())
}

// ---------------------------------------------------------------- integrity file

const INSERT_INTEGRITY: &str = "INSERT INTO blacklist (citizen_id, name, reason, recorded_on, expires_on, created_at) \
     VALUES (?, ?, ?, ?, ?, ?) RETURNING id";

/// Records a person in the integrity file (诚信档案) for a period (R5, R21); returns the
/// record's id.
pub fn record_integrity(
    db: &dyn Db,
    citizen_id: &str,
    name: &str,
    reason: &str,
    from: NaiveDate,
    until: NaiveDate,
    now: &str,
) -> Result<i64, StoreError> {
    db.query(
        INSERT_INTEGRITY,
        &[citizen_id.into(), name.into(), reason.into(), from.to_string().into(), until.to_string().into(), now.into()],
    )?
    .first()
    .ok_or_else(|| StoreError::Decode("no id returned".into()))?
    .int(0)
}

// ---------------------------------------------------------------- organisation views

const HAS_ACTED: &str =
    "SELECT 1 FROM audit_events WHERE subject_kind = 'application' AND subject_id = ? AND org = ? LIMIT 1";

/// Whether `org` has acted on the application (so it may see it in its history).
pub fn org_has_acted(db: &dyn Db, application_id: i64, org: &str) -> Result<bool, StoreError> {
    Ok(db.query_opt(HAS_ACTED, &[application_id.to_string().into(), org.into()])?.is_some())
}
