//! SQL of the self-evaluating units (二(五), 三(一)): their filed standards and their
//! annual evaluation plans.

use super::{Db, Row, StoreError};
use serde::Serialize;

/// A self-evaluating unit's standard for a series (higher than the province's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitRule {
    pub unit_org: String,
    pub series: String,
    pub ce_hours_required: i64,
    pub min_achievements: i64,
    pub filing_doc_no: String,
}

const UPSERT_RULE: &str = "INSERT INTO unit_rule_overlays (unit_org, series, ce_hours_required, min_achievements, \
     filing_doc_no, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
     ON CONFLICT (unit_org, series) DO UPDATE SET ce_hours_required = excluded.ce_hours_required, \
     min_achievements = excluded.min_achievements, filing_doc_no = excluded.filing_doc_no, \
     updated_by = excluded.updated_by, updated_at = excluded.updated_at";
const SELECT_RULE: &str = "SELECT unit_org, series, ce_hours_required, min_achievements, filing_doc_no \
     FROM unit_rule_overlays WHERE unit_org = ? AND series = ?";

/// Sets a unit's standard for a series.
pub fn upsert_unit_rule(db: &dyn Db, r: &UnitRule, by: &str, now: &str) -> Result<(), StoreError> {
    db.execute(
        UPSERT_RULE,
        &[
            r.unit_org.as_str().into(),
            r.series.as_str().into(),
            r.ce_hours_required.into(),
            r.min_achievements.into(),
            r.filing_doc_no.as_str().into(),
            by.into(),
            now.into(),
        ],
    )
}

/// A unit's standard for a series, if it filed one.
pub fn unit_rule(db: &dyn Db, unit: &str, series: &str) -> Result<Option<UnitRule>, StoreError> {
    db.query_opt(SELECT_RULE, &[unit.into(), series.into()])?
        .map(|r| {
            Ok(UnitRule {
                unit_org: r.text(0)?,
                series: r.text(1)?,
                ce_hours_required: r.int(2)?,
                min_achievements: r.int(3)?,
                filing_doc_no: r.text(4)?,
            })
        })
        .transpose()
}

/// A filed standard as the province lists it: the unit's name and when it was filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitRuleRow {
    #[serde(flatten)]
    pub rule: UnitRule,
    pub unit_name: String,
    pub updated_at: String,
}

const COUNT_RULES: &str = "SELECT COUNT(*) FROM unit_rule_overlays r WHERE (? IS NULL OR r.unit_org = ?) \
     AND (? IS NULL OR r.series = ?)";
const SELECT_RULES: &str = "SELECT r.unit_org, r.series, r.ce_hours_required, r.min_achievements, r.filing_doc_no, \
     o.name, r.updated_at FROM unit_rule_overlays r JOIN organisations o ON o.id = r.unit_org \
     WHERE (? IS NULL OR r.unit_org = ?) AND (? IS NULL OR r.series = ?) \
     ORDER BY r.unit_org, r.series LIMIT ? OFFSET ?";

/// A page of filed standards (of one unit, of one series), by unit and series, with the total.
pub fn unit_rules(
    db: &dyn Db,
    unit: Option<&str>,
    series: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<UnitRuleRow>, i64), StoreError> {
    let params = [unit.into(), unit.into(), series.into(), series.into()];
    let total = db.query_opt(COUNT_RULES, &params)?.map_or(Ok(0), |r| r.int(0))?;
    let mut p = params.to_vec();
    p.extend([limit.into(), offset.into()]);
    let items = db
        .query(SELECT_RULES, &p)?
        .iter()
        .map(|r| {
            Ok(UnitRuleRow {
                rule: UnitRule {
                    unit_org: r.text(0)?,
                    series: r.text(1)?,
                    ce_hours_required: r.int(2)?,
                    min_achievements: r.int(3)?,
                    filing_doc_no: r.text(4)?,
                },
                unit_name: r.text(5)?,
                updated_at: r.text(6)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((items, total))
}

/// An annual evaluation plan filed by a self-evaluating unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelfReviewPlan {
    pub id: i64,
    pub unit_org: String,
    pub year: i64,
    pub title: String,
    pub content: String,
    /// `submitted` (receipt recorded), `approved` or `returned`.
    pub status: String,
    pub opinion: Option<String>,
    pub submitted_at: String,
    pub audited_at: Option<String>,
    pub version: i64,
}

const PLAN_COLUMNS: &str = "id, unit_org, year, title, content, status, opinion, submitted_at, audited_at, version";

fn plan_row(r: &Row) -> Result<SelfReviewPlan, StoreError> {
    Ok(SelfReviewPlan {
        id: r.int(0)?,
        unit_org: r.text(1)?,
        year: r.int(2)?,
        title: r.text(3)?,
        content: r.text(4)?,
        status: r.text(5)?,
        opinion: r.opt_text(6)?,
        submitted_at: r.text(7)?,
        audited_at: r.opt_text(8)?,
        version: r.int(9)?,
    })
}

/// Inserts a filed plan; returns its id.
pub fn insert_plan(
    db: &dyn Db,
    unit: &str,
    year: i32,
    title: &str,
    content: &str,
    by: &str,
    now: &str,
) -> Result<i64, StoreError> {
    let rows = db.query(
        "INSERT INTO self_review_plans (unit_org, year, title, content, status, submitted_by, submitted_at) \
         VALUES (?, ?, ?, ?, 'submitted', ?, ?) RETURNING id",
        &[unit.into(), year.into(), title.into(), content.into(), by.into(), now.into()],
    )?;
    rows.first().ok_or_else(|| StoreError::Decode("insert returned no id".into()))?.int(0)
}

/// One plan.
pub fn plan(db: &dyn Db, id: i64) -> Result<Option<SelfReviewPlan>, StoreError> {
    db.query_opt(&format!("SELECT {PLAN_COLUMNS} FROM self_review_plans WHERE id = ?"), &[id.into()])?
        .as_ref()
        .map(plan_row)
        .transpose()
}

/// The unit's plan of a year that is not returned, if any.
pub fn open_plan(db: &dyn Db, unit: &str, year: i32) -> Result<Option<SelfReviewPlan>, StoreError> {
    db.query_opt(
        &format!(
            "SELECT {PLAN_COLUMNS} FROM self_review_plans WHERE unit_org = ? AND year = ? AND status <> 'returned'"
        ),
        &[unit.into(), year.into()],
    )?
    .as_ref()
    .map(plan_row)
    .transpose()
}

/// A page of plans (of one unit, of one year), newest first, with the total.
pub fn plans(
    db: &dyn Db,
    unit: Option<&str>,
    year: Option<i32>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SelfReviewPlan>, i64), StoreError> {
    let filter = "(? IS NULL OR unit_org = ?) AND (? IS NULL OR year = ?)";
    let params = [unit.into(), unit.into(), year.into(), year.into()];
    let total = db
        .query_opt(&format!("SELECT COUNT(*) FROM self_review_plans WHERE {filter}"), &params)?
        .map_or(Ok(0), |r| r.int(0))?;
    let mut p = params.to_vec();
    p.push(limit.into());
    p.push(offset.into());
    let items = db
        .query(
            &format!("SELECT {PLAN_COLUMNS} FROM self_review_plans WHERE {filter} ORDER BY id DESC LIMIT ? OFFSET ?"),
            &p,
        )?
        .iter()
        .map(plan_row)
        .collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// Records the province's decision (compare-and-set); `false` if the plan moved on.
#[allow(clippy::too_many_arguments)]
pub fn audit_plan(
    db: &dyn Db,
    id: i64,
    version: i64,
    status: &str,
    opinion: Option<&str>,
    by: &str,
    now: &str,
) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            "UPDATE self_review_plans SET status = ?, opinion = ?, audited_by = ?, audited_at = ?, version = version + 1 \
             WHERE id = ? AND version = ? AND status = 'submitted' RETURNING id",
            &[status.into(), opinion.into(), by.into(), now.into(), id.into(), version.into()],
        )?
        .is_empty())
}
