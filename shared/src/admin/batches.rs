//! Annual batches (年度批次, annex 2 §1.4.2): per year — and per committee where its
//! schedule differs (二(五)) — the material cutoff, the voting deadline, the quota
//! deadlines, the plan lead times and the publicity lengths. Every deadline in the system
//! reads from here ([`effective`]); the notice's minimums are enforced when they are set.

use super::{event, parse_date, require_province, required_text, stale};
use crate::audit;
use crate::auth::Role;
use crate::error::{DomainError, ErrorCode};
use crate::excel::Sheet;
use crate::store::admin::{self as store, BatchRow, CommitteeBatch, BATCH_VERSION_KIND};
use crate::store::{with_tx, Db};
use crate::workflow::{stamp, OpCtx};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

const WHAT: &str = "年度批次";

/// A batch as the province enters it; the working-day counts default to the notice's.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    /// The year (creation only; the path names it on edits).
    #[serde(default)]
    pub year: Option<i32>,
    /// 材料报送截止日 (二(三)).
    pub material_cutoff: String,
    /// 评议投票截止日 (二(四)).
    pub voting_deadline: String,
    /// 单位公示工作日 (四(二)2: at least 5).
    #[serde(default = "five")]
    pub unit_publicity_working_days: i64,
    /// 年度考核年数 (三(四)).
    #[serde(default = "five")]
    pub assessment_years: i64,
    /// 职数审核截止日 (三(二)1).
    #[serde(default)]
    pub quota_audit_deadline: Option<String>,
    /// 特殊职数申请起止 (三(二)2).
    #[serde(default)]
    pub special_quota_start: Option<String>,
    #[serde(default)]
    pub special_quota_end: Option<String>,
    /// 方案报备提前工作日: self-review units (五(一): at least 10) and others (at least 15).
    #[serde(default = "ten")]
    pub plan_lead_working_days_self: i64,
    #[serde(default = "fifteen")]
    pub plan_lead_working_days_other: i64,
    /// 结果公示须于投票后几个工作日内开始 (六(一): within 3).
    #[serde(default = "three")]
    pub result_publicity_open_working_days: i64,
    /// 结果公示工作日 (六(一): at least 5).
    #[serde(default = "five")]
    pub result_publicity_working_days: i64,
    /// 备案期限工作日 (六(二): within 15).
    #[serde(default = "fifteen")]
    pub filing_working_days: i64,
    /// 依据文件 (e.g. 湘人社函〔2024〕72号).
    pub notice: String,
    /// The version read (edits only).
    #[serde(default)]
    pub version: Option<i64>,
    /// 线上资格审查截止日 (二(一)): absent ⇒ unchanged, or 09-30 of the year.
    #[serde(default)]
    pub qualification_audit_deadline: Option<String>,
}

fn three() -> i64 {
    3
}
fn five() -> i64 {
    5
}
fn ten() -> i64 {
    10
}
fn fifteen() -> i64 {
    15
}

fn in_range(field: &str, label: &str, v: i64, min: i64, max: i64, clause: &str) -> Result<(), DomainError> {
    if (min..=max).contains(&v) {
        Ok(())
    } else {
        Err(DomainError::invalid(field, format!("{label}须在{min}到{max}个之间（{clause}）")))
    }
}

fn date_in_year(field: &str, label: &str, v: &str, year: i32) -> Result<NaiveDate, DomainError> {
    let d = parse_date(field, label, v)?;
    if d.year() != year {
        return Err(DomainError::invalid(field, format!("{label}须在{year}年内")));
    }
    Ok(d)
}

fn opt_date_in_year(field: &str, label: &str, v: Option<&str>, year: i32) -> Result<Option<NaiveDate>, DomainError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => date_in_year(field, label, s, year).map(Some),
    }
}

/// Checks a batch against the notice (pure) and returns the row to store.
pub fn validate(year: i32, b: &BatchInput) -> Result<BatchRow, DomainError> {
    if !(2000..=2100).contains(&year) {
        return Err(DomainError::invalid("year", "年度须在2000到2100之间"));
    }
    let cutoff = date_in_year("material_cutoff", "材料报送截止日", &b.material_cutoff, year)?;
    let voting = date_in_year("voting_deadline", "评议投票截止日", &b.voting_deadline, year)?;
    if voting <= cutoff {
        return Err(DomainError::invalid("voting_deadline", "评议投票截止日须晚于材料报送截止日"));
    }
    let quota = opt_date_in_year("quota_audit_deadline", "职数审核截止日", b.quota_audit_deadline.as_deref(), year)?;
    let special_start =
        opt_date_in_year("special_quota_start", "特殊职数申请开始日", b.special_quota_start.as_deref(), year)?;
    let special_end =
        opt_date_in_year("special_quota_end", "特殊职数申请截止日", b.special_quota_end.as_deref(), year)?;
    match (special_start, special_end) {
        (Some(s), Some(e)) if e < s => {
            return Err(DomainError::invalid("special_quota_end", "特殊职数申请截止日不能早于开始日"));
        }
        (Some(_), None) => return Err(DomainError::invalid("special_quota_end", "请填写特殊职数申请截止日")),
        (None, Some(_)) => return Err(DomainError::invalid("special_quota_start", "请填写特殊职数申请开始日")),
        _ => {}
    }
    // 四(二)2 (R11): unit publicity ≥ 5 working days.
    in_range(
        "unit_publicity_working_days",
        "单位公示工作日",
        b.unit_publicity_working_days,
        5,
        30,
        "四(二)2：不少于5个工作日",
    )?;
    in_range("assessment_years", "年度考核年数", b.assessment_years, 1, 10, "三(四)")?;
    // 五(一) (R13): plans filed ≥ 10 working days (self-review) / ≥ 15 (others) before review.
    in_range(
        "plan_lead_working_days_self",
        "自主评审单位方案报备提前工作日",
        b.plan_lead_working_days_self,
        10,
        60,
        "五(一)：开评前10个工作日",
    )?;
    in_range(
        "plan_lead_working_days_other",
        "其他高评会方案报备提前工作日",
        b.plan_lead_working_days_other,
        15,
        60,
        "五(一)：开评前15个工作日",
    )?;
    // 六(一) (R18): result publicity opened within 3 working days, lasting ≥ 5.
    in_range(
        "result_publicity_open_working_days",
        "结果公示开始期限",
        b.result_publicity_open_working_days,
        1,
        3,
        "六(一)：3个工作日内公示",
    )?;
    in_range(
        "result_publicity_working_days",
        "结果公示工作日",
        b.result_publicity_working_days,
        5,
        30,
        "六(一)：公示期不少于5个工作日",
    )?;
    // 六(二) (R19): filing within 15 working days.
    in_range("filing_working_days", "备案期限工作日", b.filing_working_days, 1, 15, "六(二)：15个工作日内备案")?;
    Ok(BatchRow {
        year,
        material_cutoff: cutoff.to_string(),
        voting_deadline: voting.to_string(),
        unit_publicity_working_days: b.unit_publicity_working_days,
        assessment_years: b.assessment_years,
        quota_audit_deadline: quota.map(|d| d.to_string()),
        special_quota_start: special_start.map(|d| d.to_string()),
        special_quota_end: special_end.map(|d| d.to_string()),
        plan_lead_working_days_self: b.plan_lead_working_days_self,
        plan_lead_working_days_other: b.plan_lead_working_days_other,
        result_publicity_open_working_days: b.result_publicity_open_working_days,
        result_publicity_working_days: b.result_publicity_working_days,
        filing_working_days: b.filing_working_days,
        notice: required_text("notice", "依据文件", &b.notice, 200)?,
    })
}

/// The qualification-audit deadline of an input (二(一)): in the year, not after voting.
fn qualification_deadline_of(year: i32, v: Option<&str>, voting: &str) -> Result<Option<String>, DomainError> {
    let d = opt_date_in_year("qualification_audit_deadline", "线上资格审查截止日", v, year)?;
    if d.is_some_and(|d| d.to_string().as_str() >= voting) {
        return Err(DomainError::invalid("qualification_audit_deadline", "线上资格审查截止日须早于评议投票截止日"));
    }
    Ok(d.map(|d| d.to_string()))
}

/// A batch as shown, with its version and the committees' own dates.
#[derive(Debug, Clone, Serialize)]
pub struct BatchView {
    #[serde(flatten)]
    pub batch: BatchRow,
    pub version: i64,
    pub committees: Vec<CommitteeBatch>,
    /// 线上资格审查截止日 in force (二(一); the notice's 09-30 unless set).
    pub qualification_audit_deadline: String,
}

fn view(db: &dyn Db, b: BatchRow) -> Result<BatchView, DomainError> {
    Ok(BatchView {
        qualification_audit_deadline: super::rules::batch_qualification_deadline(db, b.year)?.to_string(),
        version: store::row_version(db, BATCH_VERSION_KIND, &b.year.to_string())?,
        committees: store::committee_batches(db, b.year)?,
        batch: b,
    })
}

/// Every batch, newest first (anyone signed in: deadlines are public).
pub fn list(ctx: &OpCtx<'_>) -> Result<Vec<BatchView>, DomainError> {
    store::batches(ctx.db)?.into_iter().map(|b| view(ctx.db, b)).collect()
}

/// One year's batch.
pub fn get(ctx: &OpCtx<'_>, year: i32) -> Result<BatchView, DomainError> {
    view(ctx.db, store::batch_by_year(ctx.db, year)?.ok_or(DomainError::NotFound(WHAT))?)
}

/// Sets up a year's batch (新增).
pub fn create(ctx: &OpCtx<'_>, input: BatchInput) -> Result<BatchView, DomainError> {
    require_province(ctx)?;
    let year = input.year.ok_or_else(|| DomainError::invalid("year", "请填写年度"))?;
    let b = validate(year, &input)?;
    let qualification =
        qualification_deadline_of(year, input.qualification_audit_deadline.as_deref(), &b.voting_deadline)?;
    with_tx(ctx.db, |db| {
        if !store::insert_batch(db, &b)? {
            return Err(DomainError::conflict(ErrorCode::BatchExists, &[&year]));
        }
        if let Some(d) = &qualification {
            store::set_qualification_deadline(db, year, "", d, &ctx.who.sub, &stamp(ctx.now))?;
        }
        audit::record(
            db,
            &event(
                ctx,
                "annual_batch",
                &year.to_string(),
                "create_batch",
                serde_json::to_value(&b).unwrap_or_default(),
            ),
        )?;
        view(db, b)
    })
}

/// Changes a year's batch (compare-and-set on its version).
pub fn update(ctx: &OpCtx<'_>, year: i32, input: BatchInput) -> Result<BatchView, DomainError> {
    require_province(ctx)?;
    let b = validate(year, &input)?;
    let qualification =
        qualification_deadline_of(year, input.qualification_audit_deadline.as_deref(), &b.voting_deadline)?;
    let version = input.version.ok_or_else(|| DomainError::invalid("version", "请提供读取时的版本号 version"))?;
    with_tx(ctx.db, |db| {
        let before = store::batch_by_year(db, year)?.ok_or(DomainError::NotFound(WHAT))?;
        if !store::bump_row_version(db, BATCH_VERSION_KIND, &year.to_string(), version, &ctx.who.sub, &stamp(ctx.now))?
        {
            return Err(stale(WHAT));
        }
        store::update_batch(db, &b)?;
        if let Some(d) = &qualification {
            store::set_qualification_deadline(db, year, "", d, &ctx.who.sub, &stamp(ctx.now))?;
        }
        audit::record(
            db,
            &event(
                ctx,
                "annual_batch",
                &year.to_string(),
                "update_batch",
                serde_json::json!({
                    "before": before, "after": b, "qualification_audit_deadline": qualification
                }),
            ),
        )?;
        view(db, b)
    })
}

/// A committee's own dates for a year (both optional: absent ⇒ the batch's).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitteeDates {
    #[serde(default)]
    pub material_cutoff: Option<String>,
    #[serde(default)]
    pub voting_deadline: Option<String>,
    /// 线上资格审查截止日 of the committee's own schedule (二(五)).
    #[serde(default)]
    pub qualification_audit_deadline: Option<String>,
    /// The version read (absent when setting them the first time).
    #[serde(default)]
    pub version: Option<i64>,
}

/// The province, or the organising unit of `committee` (annex 2 §1.4.2: the committee
/// keeps the batch information of its own committee).
fn require_committee_keeper(ctx: &OpCtx<'_>, committee: &str) -> Result<(), DomainError> {
    match ctx.who.role {
        Role::Province => Ok(()),
        Role::CommitteeOrg => match store::committee_by_id(ctx.db, committee)? {
            Some(c) if c.organising_org == ctx.who.org => Ok(()),
            _ => Err(DomainError::NotFound("评委会")),
        },
        _ => Err(DomainError::Forbidden),
    }
}

/// One year of a committee's batch information (annex 2 §1.4.2): the dates in force
/// for it, and which of them are its own.
#[derive(Debug, Clone, Serialize)]
pub struct CommitteeYear {
    pub year: i32,
    pub committee: String,
    /// 材料报送截止日 in force for the committee.
    pub material_cutoff: String,
    /// 评议投票截止日 in force for the committee.
    pub voting_deadline: String,
    /// 线上资格审查截止日 in force for the committee.
    pub qualification_audit_deadline: String,
    /// The committee's own row (absent: the batch's dates apply).
    pub own: Option<CommitteeBatch>,
}

/// The batch information of one committee, every year, newest first (查询).
pub fn committee_years(ctx: &OpCtx<'_>, committee: &str) -> Result<Vec<CommitteeYear>, DomainError> {
    require_committee_keeper(ctx, committee)?;
    if store::committee_by_id(ctx.db, committee)?.is_none() {
        return Err(DomainError::NotFound("评委会"));
    }
    store::batches(ctx.db)?.into_iter().map(|b| committee_year(ctx.db, b.year, committee)).collect()
}

fn committee_year(db: &dyn Db, year: i32, committee: &str) -> Result<CommitteeYear, DomainError> {
    let eff = effective(db, year, Some(committee))?.ok_or(DomainError::NotFound(WHAT))?;
    let qualification = match store::qualification_deadline(db, year, committee)? {
        Some(d) => d,
        None => super::rules::batch_qualification_deadline(db, year)?.to_string(),
    };
    Ok(CommitteeYear {
        year,
        committee: committee.to_owned(),
        material_cutoff: eff.batch.material_cutoff,
        voting_deadline: eff.batch.voting_deadline,
        qualification_audit_deadline: qualification,
        own: store::committee_batch_of(db, year, committee)?,
    })
}

/// The committee's organising unit (or the province) sets its own dates for a year
/// (annex 2 §1.4.2 新增/保存); answers the year as it now stands for the committee.
pub fn set_own_committee_dates(
    ctx: &OpCtx<'_>,
    committee: &str,
    year: i32,
    req: CommitteeDates,
) -> Result<CommitteeYear, DomainError> {
    set_committee_dates(ctx, year, committee, req)?;
    committee_year(ctx.db, year, committee)
}

/// Sets a committee's own dates for a year (二(五)): the province, or the committee's
/// organising unit for its own committee.
pub fn set_committee_dates(
    ctx: &OpCtx<'_>,
    year: i32,
    committee: &str,
    req: CommitteeDates,
) -> Result<BatchView, DomainError> {
    require_committee_keeper(ctx, committee)?;
    let cutoff = opt_date_in_year("material_cutoff", "材料报送截止日", req.material_cutoff.as_deref(), year)?;
    let voting = opt_date_in_year("voting_deadline", "评议投票截止日", req.voting_deadline.as_deref(), year)?;
    let qualification = opt_date_in_year(
        "qualification_audit_deadline",
        "线上资格审查截止日",
        req.qualification_audit_deadline.as_deref(),
        year,
    )?;
    with_tx(ctx.db, |db| {
        let b = store::batch_by_year(db, year)?.ok_or(DomainError::NotFound(WHAT))?;
        if store::committee_by_id(db, committee)?.is_none() {
            return Err(DomainError::NotFound("评委会"));
        }
        let eff_cutoff = cutoff.map_or(b.material_cutoff.clone(), |d| d.to_string());
        let eff_voting = voting.map_or(b.voting_deadline.clone(), |d| d.to_string());
        if eff_voting <= eff_cutoff {
            return Err(DomainError::invalid("voting_deadline", "评议投票截止日须晚于材料报送截止日"));
        }
        if let Some(q) = qualification {
            if q.to_string() >= eff_voting {
                return Err(DomainError::invalid(
                    "qualification_audit_deadline",
                    "线上资格审查截止日须早于评议投票截止日",
                ));
            }
            store::set_qualification_deadline(db, year, committee, &q.to_string(), &ctx.who.sub, &stamp(ctx.now))?;
        }
        let existing = store::committee_batch_of(db, year, committee)?;
        let expected = match (&existing, req.version) {
            (Some(e), Some(v)) if e.version != v => return Err(stale(WHAT)),
            (Some(e), _) => e.version,
            (None, _) => 0,
        };
        let (c, v) = (cutoff.map(|d| d.to_string()), voting.map(|d| d.to_string()));
        store::upsert_committee_batch(
            db,
            year,
            committee,
            c.as_deref(),
            v.as_deref(),
            expected,
            &ctx.who.sub,
            &stamp(ctx.now),
        )?
        .ok_or_else(|| stale(WHAT))?;
        audit::record(
            db,
            &event(
                ctx,
                "annual_batch",
                &year.to_string(),
                "set_committee_dates",
                serde_json::json!({
                    "committee": committee, "material_cutoff": c, "voting_deadline": v,
                    "qualification_audit_deadline": qualification.map(|d| d.to_string()),
                }),
            ),
        )?;
        view(db, b)
    })
}

/// The dates in force for a committee in a year: its own where set, else the batch's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Effective {
    pub batch: BatchRow,
    /// The committee whose own dates were applied, if any.
    pub committee: Option<String>,
}

/// Reads the batch of `year` with `committee`'s own dates applied (what every deadline
/// computation should read).
pub fn effective(db: &dyn Db, year: i32, committee: Option<&str>) -> Result<Option<Effective>, DomainError> {
    let Some(mut batch) = store::batch_by_year(db, year)? else { return Ok(None) };
    let mut applied = None;
    if let Some(c) = committee {
        if let Some(own) = store::committee_batch_of(db, year, c)? {
            if let Some(d) = own.material_cutoff {
                batch.material_cutoff = d;
            }
            if let Some(d) = own.voting_deadline {
                batch.voting_deadline = d;
            }
            applied = Some(c.to_owned());
        }
    }
    Ok(Some(Effective { batch, committee: applied }))
}

/// Every batch as a sheet.
pub fn export(ctx: &OpCtx<'_>) -> Result<Sheet, DomainError> {
    require_province(ctx)?;
    let mut sheet = Sheet::new(
        "年度批次",
        &[
            "年度",
            "材料报送截止日",
            "评议投票截止日",
            "单位公示工作日",
            "年度考核年数",
            "职数审核截止日",
            "特殊职数申请开始日",
            "特殊职数申请截止日",
            "自主评审方案提前工作日",
            "其他方案提前工作日",
            "结果公示开始期限",
            "结果公示工作日",
            "备案期限工作日",
            "依据文件",
        ],
    );
    sheet.rows = store::batches(ctx.db)?
        .into_iter()
        .map(|b| {
            vec![
                b.year.to_string(),
                b.material_cutoff,
                b.voting_deadline,
                b.unit_publicity_working_days.to_string(),
                b.assessment_years.to_string(),
                b.quota_audit_deadline.unwrap_or_default(),
                b.special_quota_start.unwrap_or_default(),
                b.special_quota_end.unwrap_or_default(),
                b.plan_lead_working_days_self.to_string(),
                b.plan_lead_working_days_other.to_string(),
                b.result_publicity_open_working_days.to_string(),
                b.result_publicity_working_days.to_string(),
                b.filing_working_days.to_string(),
                b.notice,
            ]
        })
        .collect();
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> BatchInput {
        serde_json::from_value(serde_json::json!({
            "material_cutoff": "2025-09-30", "voting_deadline": "2025-12-15",
            "quota_audit_deadline": "2025-08-15", "special_quota_start": "2025-07-01",
            "special_quota_end": "2025-07-20", "notice": "湘人社函〔2025〕1号"
        }))
        .unwrap()
    }

    #[test]
    fn a_batch_defaults_to_the_notices_working_days() {
        let b = validate(2025, &input()).unwrap();
        assert_eq!(
            (b.unit_publicity_working_days, b.plan_lead_working_days_self, b.plan_lead_working_days_other),
            (5, 10, 15)
        );
        assert_eq!(
            (b.result_publicity_open_working_days, b.result_publicity_working_days, b.filing_working_days),
            (3, 5, 15)
        );
    }

    #[test]
    fn publicity_shorter_than_five_working_days_is_refused_r11() {
        let i = BatchInput { unit_publicity_working_days: 4, ..input() };
        assert_eq!(validate(2025, &i).unwrap_err().field(), Some("unit_publicity_working_days"));
    }

    #[test]
    fn a_plan_lead_below_the_notice_and_late_filing_are_refused_r13_r19() {
        let i = BatchInput { plan_lead_working_days_other: 14, ..input() };
        assert_eq!(validate(2025, &i).unwrap_err().field(), Some("plan_lead_working_days_other"));
        let i = BatchInput { filing_working_days: 16, ..input() };
        assert_eq!(validate(2025, &i).unwrap_err().field(), Some("filing_working_days"));
        let i = BatchInput { result_publicity_open_working_days: 4, ..input() };
        assert_eq!(validate(2025, &i).unwrap_err().field(), Some("result_publicity_open_working_days"));
    }

    #[test]
    fn dates_must_lie_in_the_year_and_in_order() {
        let i = BatchInput { voting_deadline: "2025-09-01".into(), ..input() };
        assert_eq!(validate(2025, &i).unwrap_err().field(), Some("voting_deadline"));
        assert_eq!(validate(2026, &input()).unwrap_err().field(), Some("material_cutoff"));
        let i = BatchInput { special_quota_end: Some("2025-06-30".into()), ..input() };
        assert_eq!(validate(2025, &i).unwrap_err().field(), Some("special_quota_end"));
    }
}
