//! Annual review quotas (评审职数; 三(二), annex 2 §1.5, annex 3 §1.22): a unit declares
//! within its vacant posts by the batch's deadline and its upper organisation audits;
//! special-case requests (the four categories of 三(二)2) go to the province within the
//! batch's window. Approved quotas bound recommendations of public institutions (R10).

use super::{shanghai_today, stamp, OpCtx, Page, PageRequest};
use crate::audit::{self, AuditEvent};
use crate::auth::Role;
use crate::domain::application::TitleLevel;
use crate::domain::path::Method;
use crate::error::{DomainError, ErrorCode};
use crate::store::chain::{self as cstore, Quota, QuotaFilter};
use crate::store::{reference, with_tx};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The four special categories of 三(二)2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialCategory {
    /// (1) 依托省级引才工程引进的高层次人才
    HighLevelTalent,
    /// (2) 急需紧缺人才
    UrgentlyNeededTalent,
    /// (3) 乡镇服务满20年、基层优秀青年博士、出站留湘博士后
    GrassrootsAndPostdoc,
    /// (4) 消化职数阶段的"退多补少"
    RetirementReplacement,
}

impl SpecialCategory {
    fn as_str(self) -> &'static str {
        match self {
            SpecialCategory::HighLevelTalent => "high_level_talent",
            SpecialCategory::UrgentlyNeededTalent => "urgently_needed_talent",
            SpecialCategory::GrassrootsAndPostdoc => "grassroots_and_postdoc",
            SpecialCategory::RetirementReplacement => "retirement_replacement",
        }
    }
}

/// Body of a declaration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declare {
    pub batch_year: i32,
    pub series: String,
    pub level: TitleLevel,
    /// 空缺岗位数
    pub vacant_posts: u32,
    /// 申报评审职数
    pub requested: u32,
    /// For special requests: the category.
    #[serde(default)]
    pub special_category: Option<SpecialCategory>,
    /// For special requests: the special report (专项报告) summary.
    #[serde(default)]
    pub reason: Option<String>,
}

fn event(ctx: &OpCtx<'_>, id: i64, action: &str, from: Option<&str>, to: &str) -> AuditEvent {
    AuditEvent { from_state: from.map(str::to_owned), to_state: Some(to.into()), ..ctx.event("quota", id, action) }
}

fn date(s: Option<&str>, what: &str) -> Result<NaiveDate, DomainError> {
    s.and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .ok_or_else(|| DomainError::conflict(ErrorCode::BatchDateNotSet, &[&what]))
}

/// A unit declares its normal annual quota (within vacant posts, by the deadline), or a
/// special-case request (within the window); returns the declaration.
pub fn declare(ctx: &OpCtx<'_>, special: bool, req: Declare) -> Result<Quota, DomainError> {
    ctx.require_role(Role::Unit)?;
    if !req.level.is_senior() {
        return Err(DomainError::invalid("level", "评审职数仅适用于高级职称"));
    }
    if req.series.trim().is_empty() {
        return Err(DomainError::invalid("series", "请填写系列"));
    }
    if req.requested == 0 {
        return Err(DomainError::invalid("requested", "申报评审职数须大于0"));
    }
    if !special && req.requested > req.vacant_posts {
        return Err(DomainError::invalid(
            "requested",
            format!("年度评审职数须在空缺岗位（{}）范围内", req.vacant_posts),
        ));
    }
    if special && req.special_category.is_none() {
        return Err(DomainError::invalid("special_category", "请选择特殊情况类别"));
    }
    if special && req.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(DomainError::invalid("reason", "请填写专项报告说明"));
    }
    let today = shanghai_today(ctx.now);
    with_tx(ctx.db, |db| {
        let batch = reference::batch(db, req.batch_year)?
            .ok_or_else(|| DomainError::invalid("batch_year", format!("{} 年度评审批次尚未设立", req.batch_year)))?;
        let unit = cstore::organisation_by_id(db, &ctx.who.org)?
            .filter(|o| o.status == "active")
            .ok_or_else(|| DomainError::conflict(ErrorCode::UnitNotRegistered, &[&ctx.who.org]))?;
        if !unit.public_institution {
            return Err(DomainError::conflict(ErrorCode::NotPublicInstitution, &[]));
        }
        let level = cstore::level_name(req.level);
        if special {
            // 三(二)2: the checking organisation submits its summary by the window's end; a
            // request filed after it can no longer reach the province this year.
            let (start, end) = (
                date(batch.special_quota_start.as_deref(), "特殊职数申报时间")?,
                date(batch.special_quota_end.as_deref(), "特殊职数申报时间")?,
            );
            if today > end {
                return Err(DomainError::conflict(ErrorCode::SpecialQuotaWindowClosed, &[&start, &end]));
            }
        } else {
            let deadline = date(batch.quota_audit_deadline.as_deref(), "评审职数审核截止日")?;
            if today > deadline {
                return Err(DomainError::conflict(ErrorCode::QuotaDeadlinePassed, &[&deadline]));
            }
            if cstore::has_open_normal_quota(db, &unit.id, req.batch_year, &req.series, level)? {
                return Err(DomainError::conflict(ErrorCode::QuotaAlreadyDeclared, &[]));
            }
        }
        // Normal declarations are audited, special requests first checked and summarised
        // (三(二)2), by the unit's upper organisation on its review path.
        let auditor = cstore::edges_of(db, &unit.id, false)?
            .into_iter()
            .find(|e| e.level == level && e.method == Method::Review.as_str())
            .ok_or_else(|| DomainError::conflict(ErrorCode::NoUpper, &[&ctx.who.org, &"评审职数申报所需"]))?
            .upper_org;
        let now = stamp(ctx.now);
        let mut q = Quota {
            id: 0,
            unit_org: unit.id.clone(),
            year: req.batch_year,
            series: req.series.trim().to_owned(),
            level: level.to_owned(),
            kind: if special { "special" } else { "normal" }.to_owned(),
            special_category: req.special_category.map(|c| c.as_str().to_owned()),
            vacant_posts: i64::from(req.vacant_posts),
            requested: i64::from(req.requested),
            reason: req.reason.as_deref().map(|r| r.trim().to_owned()),
            status: "pending".into(),
            auditor_org: auditor,
            opinion: None,
            declared_at: now.clone(),
            audited_at: None,
            version: 1,
            approved: None,
            precheck_passed: None,
            report_id: None,
        };
        q.id = cstore::insert_quota(db, &q, &ctx.who.sub)?;
        let mut e = event(ctx, q.id, "declare_quota", None, "pending");
        e.detail =
            Some(serde_json::json!({ "kind": q.kind, "requested": q.requested, "vacant_posts": q.vacant_posts }));
        audit::record(db, &e)?;
        Ok(q)
    })
}

/// Body of an audit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuota {
    pub approve: bool,
    /// 三(二)1: the posts approved, when fewer than requested (1..=requested).
    #[serde(default)]
    pub approved_count: Option<i64>,
    #[serde(default)]
    pub opinion: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// The auditor approves or rejects (with an opinion) a pending declaration: the upper
/// organisation for normal quotas (by the deadline). A special request (三(二)2) is first
/// checked by the upper organisation (passed: it waits for the summary; not passed: it is
/// rejected), and audited by the province once the summary reached it.
pub fn audit_quota(ctx: &OpCtx<'_>, id: i64, req: AuditQuota) -> Result<Quota, DomainError> {
    let opinion = req.opinion.as_deref().map(str::trim).unwrap_or("");
    if !req.approve && opinion.is_empty() {
        return Err(DomainError::invalid("opinion", "不予核准须填写意见"));
    }
    if !req.approve && req.approved_count.is_some() {
        return Err(DomainError::invalid("approved_count", "不予核准时不填写核准职数"));
    }
    with_tx(ctx.db, |db| {
        let q = cstore::quota_by_id(db, id)?.ok_or(DomainError::NotFound("评审职数申报"))?;
        let special = q.kind == "special";
        let province = ctx.who.role == Role::Province;
        let mine = (special && province) || q.auditor_org == ctx.who.org;
        if !mine {
            return Err(DomainError::NotFound("评审职数申报"));
        }
        // At the province: summarised and submitted, filed before the summary step existed
        // (straight to the province), or filed by a unit whose upper is the province itself.
        let at_province = special
            && (q.report_id.is_some()
                || q.auditor_org == PROVINCE_AUDITOR
                || (province && q.auditor_org == ctx.who.org));
        if req.version.is_some_and(|v| v != q.version) {
            return Err(DomainError::conflict(ErrorCode::QuotaStale, &[]));
        }
        if special && !province {
            return precheck(ctx, db, &q, &req, opinion);
        }
        if special && !at_province {
            return Err(DomainError::conflict(ErrorCode::SpecialQuotaNotSubmitted, &[]));
        }
        if q.kind == "normal" {
            let batch = reference::batch(db, q.year)?.ok_or_else(|| DomainError::Internal("batch vanished".into()))?;
            let deadline = date(batch.quota_audit_deadline.as_deref(), "评审职数审核截止日")?;
            if shanghai_today(ctx.now) > deadline {
                return Err(DomainError::conflict(ErrorCode::QuotaDeadlinePassed, &[&deadline]));
            }
        }
        if let Some(n) = req.approved_count {
            if !(1..=q.requested).contains(&n) {
                return Err(DomainError::invalid(
                    "approved_count",
                    format!("核准职数须在1到申报数 {} 之间（三(二)1：在空缺岗位范围内核准）", q.requested),
                ));
            }
        }
        if !cstore::audit_quota(db, id, q.version, req.approve, opinion, &stamp(ctx.now))? {
            return Err(DomainError::conflict(ErrorCode::QuotaStale, &[]));
        }
        if let Some(n) = req.approved_count.filter(|n| *n < q.requested) {
            cstore::set_quota_approved(db, id, n)?;
        }
        let to = if req.approve { "approved" } else { "rejected" };
        let mut e = event(ctx, id, "audit_quota", Some("pending"), to);
        e.opinion = Some(opinion.to_owned()).filter(|o| !o.is_empty());
        if req.approve {
            let approved = req.approved_count.unwrap_or(q.requested);
            e.detail = Some(serde_json::json!({ "requested": q.requested, "approved": approved }));
        }
        audit::record(db, &e)?;
        cstore::quota_by_id(db, id)?.ok_or(DomainError::NotFound("评审职数申报"))
    })
}

/// The auditor recorded on special requests filed before the summary step (三(二)2).
const PROVINCE_AUDITOR: &str = "PROVINCE";

/// The upper organisation's first check of a special request (初核, 三(二)2).
fn precheck(
    ctx: &OpCtx<'_>,
    db: &dyn crate::store::Db,
    q: &Quota,
    req: &AuditQuota,
    opinion: &str,
) -> Result<Quota, DomainError> {
    if q.status != "pending" || q.precheck_passed.is_some() {
        let done = match q.precheck_passed {
            Some(true) => "通过，待汇总报送省人社厅",
            _ => "，已处理",
        };
        return Err(DomainError::conflict(ErrorCode::SpecialQuotaPrechecked, &[&done]));
    }
    if req.approved_count.is_some() {
        return Err(DomainError::invalid("approved_count", "初核不核定职数，核定职数由省人社厅审核（三(二)2）"));
    }
    let now = stamp(ctx.now);
    cstore::insert_precheck(db, q.id, &ctx.who.org, req.approve, opinion, &ctx.who.sub, &now)?;
    if !req.approve && !cstore::audit_quota(db, q.id, q.version, false, opinion, &now)? {
        return Err(DomainError::conflict(ErrorCode::QuotaStale, &[]));
    }
    let to = if req.approve { "pending" } else { "rejected" };
    let mut e = event(ctx, q.id, "precheck_special_quota", Some("pending"), to);
    e.opinion = Some(opinion.to_owned()).filter(|o| !o.is_empty());
    e.detail = Some(serde_json::json!({ "passed": req.approve }));
    audit::record(db, &e)?;
    cstore::quota_by_id(db, q.id)?.ok_or(DomainError::NotFound("评审职数申报"))
}

/// Body of a summary (初核汇总后提交专项报告, 三(二)2).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitSpecialReport {
    pub batch_year: i32,
    /// 专项报告: the summary the province reads with the requests.
    pub report: String,
    /// The requests checked and passed, summarised in this report.
    pub quota_ids: Vec<i64>,
}

/// A summary with its requests counted per category.
#[derive(Debug, Clone, Serialize)]
pub struct SpecialReportView {
    #[serde(flatten)]
    pub report: cstore::SpecialReport,
    /// Per special category: requests and posts requested.
    pub by_category: Vec<CategoryTotal>,
    pub quotas: Vec<Quota>,
}

/// Requests and posts requested in one category.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryTotal {
    pub special_category: String,
    pub count: i64,
    pub requested: i64,
}

fn report_view(db: &dyn crate::store::Db, report: cstore::SpecialReport) -> Result<SpecialReportView, DomainError> {
    let quotas = cstore::quotas_of_report(db, report.id)?;
    let mut by_category: Vec<CategoryTotal> = Vec::new();
    for q in &quotas {
        let cat = q.special_category.clone().unwrap_or_default();
        match by_category.iter_mut().find(|c| c.special_category == cat) {
            Some(c) => {
                c.count += 1;
                c.requested += q.requested;
            }
            None => by_category.push(CategoryTotal { special_category: cat, count: 1, requested: q.requested }),
        }
    }
    Ok(SpecialReportView { report, by_category, quotas })
}

/// The checking organisation submits its summary of passed special requests to the
/// province within the batch's window (07-01..07-20 in 2024).
pub fn submit_special_report(ctx: &OpCtx<'_>, req: SubmitSpecialReport) -> Result<SpecialReportView, DomainError> {
    ctx.require_role(Role::Dept)?;
    let text = req.report.trim();
    if text.is_empty() {
        return Err(DomainError::invalid("report", "请填写专项报告"));
    }
    if req.quota_ids.is_empty() {
        return Err(DomainError::invalid("quota_ids", "请勾选初核通过的特殊情况评审职数申请"));
    }
    let today = shanghai_today(ctx.now);
    with_tx(ctx.db, |db| {
        let batch = reference::batch(db, req.batch_year)?
            .ok_or_else(|| DomainError::invalid("batch_year", format!("{} 年度评审批次尚未设立", req.batch_year)))?;
        let (start, end) = (
            date(batch.special_quota_start.as_deref(), "特殊职数申报时间")?,
            date(batch.special_quota_end.as_deref(), "特殊职数申报时间")?,
        );
        if today < start || today > end {
            return Err(DomainError::conflict(ErrorCode::SpecialQuotaWindowClosed, &[&start, &end]));
        }
        let mut quotas = Vec::new();
        for (i, id) in req.quota_ids.iter().enumerate() {
            let field = format!("quota_ids[{i}]");
            let q = cstore::quota_by_id(db, *id)?
                .filter(|q| q.kind == "special" && q.auditor_org == ctx.who.org)
                .ok_or_else(|| DomainError::invalid(field.clone(), format!("特殊情况评审职数申请 {id} 不存在")))?;
            if q.year != req.batch_year {
                return Err(DomainError::invalid(field, format!("申请 {id} 不属于 {} 年度", req.batch_year)));
            }
            if q.status != "pending" || q.precheck_passed != Some(true) || q.report_id.is_some() {
                return Err(DomainError::invalid(field, format!("申请 {id} 须为初核通过且尚未报送")));
            }
            if quotas.iter().any(|x: &Quota| x.id == q.id) {
                return Err(DomainError::invalid(field, format!("申请 {id} 重复")));
            }
            quotas.push(q);
        }
        let now = stamp(ctx.now);
        let requested: i64 = quotas.iter().map(|q| q.requested).sum();
        let report_id = cstore::insert_special_report(
            db,
            &ctx.who.org,
            req.batch_year,
            text,
            quotas.len() as i64,
            requested,
            &ctx.who.sub,
            &now,
        )?;
        for q in &quotas {
            cstore::attach_precheck_to_report(db, q.id, report_id)?;
            let mut e = event(ctx, q.id, "submit_special_quota_report", Some("pending"), "pending");
            e.detail = Some(serde_json::json!({ "report_id": report_id }));
            audit::record(db, &e)?;
        }
        let report = cstore::special_report_by_id(db, report_id)?.ok_or(DomainError::NotFound("专项报告"))?;
        report_view(db, report)
    })
}

/// The summaries: the checking organisation its own, the province all (a year's).
pub fn special_reports(ctx: &OpCtx<'_>, year: Option<i32>) -> Result<Vec<SpecialReportView>, DomainError> {
    let org = match ctx.who.role {
        Role::Dept => Some(ctx.who.org.as_str()),
        Role::Province => None,
        _ => return Err(DomainError::Forbidden),
    };
    cstore::special_reports(ctx.db, org, year)?.into_iter().map(|r| report_view(ctx.db, r)).collect()
}

/// A page of quotas with totals over the whole result.
#[derive(Debug, Serialize)]
pub struct QuotaPage {
    #[serde(flatten)]
    pub page: Page<Quota>,
    pub total_requested: i64,
    pub total_approved: i64,
}

/// Quota query (§1.22): a unit sees its own, an auditor what it audits, the province all.
pub fn list(ctx: &OpCtx<'_>, mut f: QuotaFilter, page: PageRequest) -> Result<QuotaPage, DomainError> {
    match ctx.who.role {
        Role::Unit => f.unit_org = Some(ctx.who.org.clone()),
        Role::Dept | Role::CommitteeOrg => f.auditor_org = Some(ctx.who.org.clone()),
        Role::Province => {}
        _ => return Err(DomainError::Forbidden),
    }
    let (items, total, requested, approved) = cstore::list_quotas(ctx.db, &f, page.limit(), page.offset())?;
    Ok(QuotaPage {
        page: Page { items, page: page.page, page_size: page.page_size, total },
        total_requested: requested,
        total_approved: approved,
    })
}

/// The full quota query (not a page) as a sheet.
pub fn export(ctx: &OpCtx<'_>, f: QuotaFilter) -> Result<crate::excel::Sheet, DomainError> {
    let all = list(ctx, f, PageRequest { page: 1, page_size: u32::MAX / 2 })?;
    let mut sheet = crate::excel::Sheet::new(
        "评审职数",
        &[
            "编号",
            "单位",
            "年度",
            "系列",
            "层级",
            "类型",
            "特殊类别",
            "空缺岗位",
            "申报职数",
            "状态",
            "审核单位",
            "审核意见",
            "申报时间",
        ],
    );
    for q in all.page.items {
        let level = crate::store::chain::parse_level(&q.level).map_or("", |l| l.label());
        let status = match q.status.as_str() {
            "approved" => "已核准",
            "rejected" => "不予核准",
            _ => "待审核",
        };
        sheet.rows.push(vec![
            q.id.to_string(),
            q.unit_org,
            q.year.to_string(),
            q.series,
            level.to_owned(),
            if q.kind == "special" { "特殊情况" } else { "常规" }.to_owned(),
            q.special_category.unwrap_or_default(),
            q.vacant_posts.to_string(),
            q.requested.to_string(),
            status.to_owned(),
            q.auditor_org,
            q.opinion.unwrap_or_default(),
            q.declared_at,
        ]);
    }
    Ok(sheet)
}
