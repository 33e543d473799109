//! The qualification-audit deadline (二(一)) and the province's recorded exceptions to
//! deadlines (二(五), 六(一)).

#[allow(unused_imports)]
use super::*;

pub(super) const SELECT_QUALIFICATION_DEADLINE: &str =
    "SELECT deadline FROM batch_qualification_deadlines WHERE year = ? AND committee_id = ?";

/// The qualification-audit deadline stored for a year (`committee = ""`) or for a
/// committee's own schedule; `None` when not set.
pub fn qualification_deadline(db: &dyn Db, year: i32, committee: &str) -> Result<Option<String>, StoreError> {
    db.query_opt(SELECT_QUALIFICATION_DEADLINE, &[year.into(), committee.into()])?.map(|r| r.text(0)).transpose()
}

pub(super) const SELECT_QUALIFICATION_DEADLINE_IN_FORCE: &str = "SELECT deadline FROM batch_qualification_deadlines \
     WHERE year = ? AND committee_id IN (?, '') ORDER BY committee_id DESC LIMIT 1";

/// The qualification-audit deadline stored for a committee's own schedule, else the one
/// stored for its year (`committee = ""`: the year's); `None` when neither is set. One
/// statement for the two lookups every audit step makes.
pub fn qualification_deadline_in_force(db: &dyn Db, year: i32, committee: &str) -> Result<Option<String>, StoreError> {
    db.query_opt(SELECT_QUALIFICATION_DEADLINE_IN_FORCE, &[year.into(), committee.into()])?
        .map(|r| r.text(0))
        .transpose()
}

pub(super) const UPSERT_QUALIFICATION_DEADLINE: &str =
    "INSERT INTO batch_qualification_deadlines (year, committee_id, deadline, updated_by, updated_at) \
     VALUES (?, ?, ?, ?, ?) ON CONFLICT (year, committee_id) DO UPDATE SET deadline = excluded.deadline, \
     updated_by = excluded.updated_by, updated_at = excluded.updated_at";

/// Sets the qualification-audit deadline of a year (`committee = ""`) or of a committee.
pub fn set_qualification_deadline(
    db: &dyn Db,
    year: i32,
    committee: &str,
    deadline: &str,
    by: &str,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(
        UPSERT_QUALIFICATION_DEADLINE,
        &[year.into(), committee.into(), deadline.into(), by.into(), now.into()],
    )?;
    Ok(())
}

/// An exception to a deadline, as recorded (who granted it, when and why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleException {
    pub id: i64,
    /// `qualification_audit_extension` or `late_result_publicity`.
    pub kind: String,
    pub year: i32,
    /// The committee it applies to ('' = every committee).
    pub committee_id: String,
    /// The organisation whose steps it extends ('' = every organisation).
    pub org_id: String,
    /// The session's vote date (late result publicity).
    pub voted_on: Option<String>,
    /// The last day the act is allowed.
    pub until: String,
    pub reason: String,
    pub granted_by: String,
    pub granted_org: String,
    pub granted_at: String,
}

const EXCEPTION_COLUMNS: &str =
    "id, kind, year, committee_id, org_id, voted_on, until, reason, granted_by, granted_org, granted_at";

fn exception_row(r: &Row) -> Result<RuleException, StoreError> {
    Ok(RuleException {
        id: r.int(0)?,
        kind: r.text(1)?,
        year: r.int(2)? as i32,
        committee_id: r.text(3)?,
        org_id: r.text(4)?,
        voted_on: r.opt_text(5)?,
        until: r.text(6)?,
        reason: r.text(7)?,
        granted_by: r.text(8)?,
        granted_org: r.text(9)?,
        granted_at: r.text(10)?,
    })
}

/// Records an exception; returns its id.
pub fn insert_exception(db: &dyn Db, e: &RuleException) -> Result<i64, StoreError> {
    let sql = format!(
        "INSERT INTO rule_exceptions ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        // Without `id`: the identity assigns it on both engines (PostgreSQL refuses an explicit NULL).
        &EXCEPTION_COLUMNS[4..]
    );
    first_id(db.query(
        &sql,
        &[
            e.kind.as_str().into(),
            e.year.into(),
            e.committee_id.as_str().into(),
            e.org_id.as_str().into(),
            e.voted_on.clone().into(),
            e.until.as_str().into(),
            e.reason.as_str().into(),
            e.granted_by.as_str().into(),
            e.granted_org.as_str().into(),
            e.granted_at.as_str().into(),
        ],
    )?)
}

/// The exceptions of a year (every year when `None`), latest first.
pub fn exceptions(db: &dyn Db, year: Option<i32>) -> Result<Vec<RuleException>, StoreError> {
    let sql = format!("SELECT {EXCEPTION_COLUMNS} FROM rule_exceptions WHERE (? IS NULL OR year = ?) ORDER BY id DESC");
    db.query(&sql, &[year.into(), year.into()])?.iter().map(exception_row).collect()
}

/// The latest-reaching qualification-audit extension of `year` covering `committee` and
/// `org` (an exception for every committee or every organisation covers it too).
pub fn qualification_extension(
    db: &dyn Db,
    year: i32,
    committee: &str,
    org: &str,
) -> Result<Option<RuleException>, StoreError> {
    let sql = format!(
        "SELECT {EXCEPTION_COLUMNS} FROM rule_exceptions WHERE kind = 'qualification_audit_extension' \
         AND year = ? AND committee_id IN ('', ?) AND org_id IN ('', ?) ORDER BY until DESC, id DESC LIMIT 1"
    );
    db.query_opt(&sql, &[year.into(), committee.into(), org.into()])?.as_ref().map(exception_row).transpose()
}

/// The latest-reaching late-publicity exception of a session (committee, vote date).
pub fn late_publicity_exception(
    db: &dyn Db,
    committee: &str,
    voted_on: &str,
) -> Result<Option<RuleException>, StoreError> {
    let sql = format!(
        "SELECT {EXCEPTION_COLUMNS} FROM rule_exceptions WHERE kind = 'late_result_publicity' \
         AND committee_id = ? AND voted_on = ? ORDER BY until DESC, id DESC LIMIT 1"
    );
    db.query_opt(&sql, &[committee.into(), voted_on.into()])?.as_ref().map(exception_row).transpose()
}

/// Conditions of a series (and specialty prefix) for R7 and R8.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FieldRule {
    pub series: String,
    /// '' = every specialty of the series.
    pub specialty_prefix: String,
    /// 领域 (八(二)): 卫生、教育、农业、林业、水利, or ''.
    pub field: String,
    pub ce_hours_required: i64,
    pub grassroots_service_required: bool,
    #[serde(default)]
    pub updated_by: String,
    #[serde(default)]
    pub updated_at: String,
}

const FIELD_RULE_COLUMNS: &str = "series, specialty_prefix, field, ce_hours_required, grassroots_service_required, \
     updated_by, updated_at";

fn field_rule_row(r: &Row) -> Result<FieldRule, StoreError> {
    Ok(FieldRule {
        series: r.text(0)?,
        specialty_prefix: r.text(1)?,
        field: r.text(2)?,
        ce_hours_required: r.int(3)?,
        grassroots_service_required: r.int(4)? != 0,
        updated_by: r.text(5)?,
        updated_at: r.text(6)?,
    })
}

/// Every field rule, by series and prefix.
pub fn field_rules(db: &dyn Db) -> Result<Vec<FieldRule>, StoreError> {
    db.query(&format!("SELECT {FIELD_RULE_COLUMNS} FROM field_rules ORDER BY series, specialty_prefix"), &[])?
        .iter()
        .map(field_rule_row)
        .collect()
}

/// One field rule.
pub fn field_rule(db: &dyn Db, series: &str, prefix: &str) -> Result<Option<FieldRule>, StoreError> {
    db.query_opt(
        &format!("SELECT {FIELD_RULE_COLUMNS} FROM field_rules WHERE series = ? AND specialty_prefix = ?"),
        &[series.into(), prefix.into()],
    )?
    .as_ref()
    .map(field_rule_row)
    .transpose()
}

pub(super) const UPSERT_FIELD_RULE: &str = "INSERT INTO field_rules (series, specialty_prefix, field, \
     ce_hours_required, grassroots_service_required, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
     ON CONFLICT (series, specialty_prefix) DO UPDATE SET field = excluded.field, \
     ce_hours_required = excluded.ce_hours_required, \
     grassroots_service_required = excluded.grassroots_service_required, updated_by = excluded.updated_by, \
     updated_at = excluded.updated_at";

/// Sets a field rule.
pub fn set_field_rule(db: &dyn Db, r: &FieldRule) -> Result<(), StoreError> {
    db.execute(
        UPSERT_FIELD_RULE,
        &[
            r.series.as_str().into(),
            r.specialty_prefix.as_str().into(),
            r.field.as_str().into(),
            r.ce_hours_required.into(),
            r.grassroots_service_required.into(),
            r.updated_by.as_str().into(),
            r.updated_at.as_str().into(),
        ],
    )
}

/// A pass-rate limit the province set (五(三), R15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassRateLimit {
    /// `series` or `committee`.
    pub scope: String,
    pub key: String,
    pub percent: i64,
    pub updated_by: String,
    pub updated_at: String,
}

/// Every pass-rate limit.
pub fn pass_rate_limits(db: &dyn Db) -> Result<Vec<PassRateLimit>, StoreError> {
    db.query("SELECT scope, key, percent, updated_by, updated_at FROM pass_rate_limits ORDER BY scope, key", &[])?
        .iter()
        .map(|r| {
            Ok(PassRateLimit {
                scope: r.text(0)?,
                key: r.text(1)?,
                percent: r.int(2)?,
                updated_by: r.text(3)?,
                updated_at: r.text(4)?,
            })
        })
        .collect()
}

pub(super) const PASS_RATE_FOR: &str = "SELECT percent FROM pass_rate_limits WHERE (scope = 'committee' AND key = ?) \
     OR (scope = 'series' AND key = ?) ORDER BY CASE scope WHEN 'committee' THEN 0 ELSE 1 END LIMIT 1";

/// The limit in force for a committee of a series: the committee's, else the series'.
pub fn pass_rate_for(db: &dyn Db, committee: &str, series: &str) -> Result<Option<i64>, StoreError> {
    db.query_opt(PASS_RATE_FOR, &[committee.into(), series.into()])?.map(|r| r.int(0)).transpose()
}

pub(super) const UPSERT_PASS_RATE: &str = "INSERT INTO pass_rate_limits (scope, key, percent, updated_by, updated_at) \
     VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET percent = excluded.percent, \
     updated_by = excluded.updated_by, updated_at = excluded.updated_at";

/// Sets a pass-rate limit.
pub fn set_pass_rate(db: &dyn Db, l: &PassRateLimit) -> Result<(), StoreError> {
    db.execute(
        UPSERT_PASS_RATE,
        &[
            l.scope.as_str().into(),
            l.key.as_str().into(),
            l.percent.into(),
            l.updated_by.as_str().into(),
            l.updated_at.as_str().into(),
        ],
    )
}

pub(super) const INSERT_PLAN_PASS_RATE_APPROVAL: &str = "INSERT INTO plan_pass_rate_approvals (plan_id, \
     province_limit, plan_rate, approved_by, approved_at) VALUES (?, ?, ?, ?, ?) \
     ON CONFLICT (plan_id) DO UPDATE SET province_limit = excluded.province_limit, plan_rate = excluded.plan_rate, \
     approved_by = excluded.approved_by, approved_at = excluded.approved_at";

/// Records the province's approval of a plan's rate above its limit.
pub fn approve_plan_pass_rate(
    db: &dyn Db,
    plan: i64,
    limit: i64,
    rate: i64,
    by: &str,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(INSERT_PLAN_PASS_RATE_APPROVAL, &[plan.into(), limit.into(), rate.into(), by.into(), now.into()])
}
