//! Self-evaluating units (自主评审单位: 高校, 医院, 企业; 二(五), 三(一)): a unit with
//! delegated evaluation authority runs its own committee under the same flow, files the
//! standard it applies — higher than the province's, never lower — and files its annual
//! evaluation plan (报备的年度评审方案) with the province, which records receipt and approves
//! or returns it.

use super::{stamp, OpCtx, Page, PageRequest};
use crate::admin::event;
use crate::audit;
use crate::auth::Role;
use crate::error::{DomainError, ErrorCode, Violation};
use crate::store::self_review::{self as store, SelfReviewPlan, UnitRule, UnitRuleRow};
use crate::store::{with_tx, Db};
use serde::Deserialize;

/// The caller's organisation, which must be a self-evaluating unit.
fn own_self_review_unit(ctx: &OpCtx<'_>, db: &dyn Db) -> Result<String, DomainError> {
    if !matches!(ctx.who.role, Role::Unit | Role::CommitteeOrg) {
        return Err(DomainError::Forbidden);
    }
    let org = crate::store::chain::organisation_by_id(db, &ctx.who.org)?;
    if !org.is_some_and(|o| o.self_review && o.status == "active") {
        return Err(DomainError::conflict(ErrorCode::NotSelfReviewUnit, &[&ctx.who.org]));
    }
    Ok(ctx.who.org.clone())
}

/// Body of "file the unit's standard for a series".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitRuleInput {
    pub series: String,
    /// 继续教育学时 required (≥ the province's for the series).
    pub ce_hours_required: u32,
    /// 业绩成果 required at least.
    #[serde(default)]
    pub min_achievements: u32,
    /// The filing number of the standard (经备案).
    pub filing_doc_no: String,
}

/// A self-evaluating unit files its standard for a series (三(一): 自主评审单位应执行经备案的
/// 高于省标的标准条件). Never lower than the province's: refused with both figures.
pub fn set_unit_rule(ctx: &OpCtx<'_>, req: UnitRuleInput) -> Result<UnitRule, DomainError> {
    let series = req.series.trim();
    if series.is_empty() {
        return Err(DomainError::invalid("series", "请填写系列"));
    }
    let doc = req.filing_doc_no.trim();
    if doc.is_empty() || doc.chars().count() > 100 {
        return Err(DomainError::invalid("filing_doc_no", "请填写标准条件的备案文号（不超过100字）"));
    }
    if req.ce_hours_required > 10_000 || req.min_achievements > 1000 {
        return Err(DomainError::invalid("ce_hours_required", "数值超出范围"));
    }
    with_tx(ctx.db, |db| {
        let unit = own_self_review_unit(ctx, db)?;
        if !crate::store::admin::series_exists(db, series)? {
            return Err(DomainError::invalid("series", format!("系列“{series}”不存在")));
        }
        let province = crate::store::reference::series_rule(db, series, "")?.ce_hours_required;
        if req.ce_hours_required < province {
            return Err(DomainError::conflict(ErrorCode::UnitRuleBelowProvince, &[&province, &req.ce_hours_required]));
        }
        let rule = UnitRule {
            unit_org: unit,
            series: series.to_owned(),
            ce_hours_required: i64::from(req.ce_hours_required),
            min_achievements: i64::from(req.min_achievements),
            filing_doc_no: doc.to_owned(),
        };
        store::upsert_unit_rule(db, &rule, &ctx.who.sub, &stamp(ctx.now))?;
        audit::record(
            db,
            &event(
                ctx,
                "unit_rule",
                &format!("{}|{}", rule.unit_org, rule.series),
                "set_unit_rule",
                serde_json::json!(rule),
            ),
        )?;
        Ok(rule)
    })
}

/// The filed standards: the province sees every unit's (optionally of one unit or series),
/// a unit its own.
pub fn list_unit_rules(
    ctx: &OpCtx<'_>,
    unit: Option<&str>,
    series: Option<&str>,
    page: PageRequest,
) -> Result<Page<UnitRuleRow>, DomainError> {
    let unit = match ctx.who.role {
        Role::Province => unit,
        Role::Unit | Role::CommitteeOrg => Some(ctx.who.org.as_str()),
        _ => return Err(DomainError::Forbidden),
    };
    let (items, total) = store::unit_rules(ctx.db, unit, series, page.limit(), page.offset())?;
    Ok(Page { items, page: page.page, page_size: page.page_size, total })
}

/// The unit's standard, checked at submission (and so before the unit's review): what the
/// applicant falls short of, one violation each. Empty when the unit has none.
pub fn unit_rule_violations(
    db: &dyn Db,
    unit_org: &str,
    form: &crate::domain::application::ApplicationForm,
) -> Result<Vec<Violation>, DomainError> {
    let Some(series) = form.series.as_deref() else { return Ok(Vec::new()) };
    let Some(rule) = store::unit_rule(db, unit_org, series)? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    let hours = i64::from(form.continuing_education_hours.unwrap_or(0));
    if hours < rule.ce_hours_required {
        out.push(Violation {
            rule: None,
            code: ErrorCode::UnitRuleNotMet,
            message: ErrorCode::UnitRuleNotMet.render(&[
                &rule.filing_doc_no,
                &format!("继续教育学时须达到 {}，现为 {hours}", rule.ce_hours_required),
            ]),
            field: Some("continuing_education_hours".into()),
        });
    }
    let n = form.achievements.len() as i64;
    if n < rule.min_achievements {
        out.push(Violation {
            rule: None,
            code: ErrorCode::UnitRuleNotMet,
            message: ErrorCode::UnitRuleNotMet
                .render(&[&rule.filing_doc_no, &format!("业绩成果须不少于 {} 项，现为 {n} 项", rule.min_achievements)]),
            field: Some("achievements".into()),
        });
    }
    Ok(out)
}

/// Body of "file the annual evaluation plan".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilePlan {
    pub year: i32,
    pub title: String,
    /// The plan: series, levels, timetable, committee, conditions.
    pub content: String,
}

/// A self-evaluating unit files its annual evaluation plan with the province (二(五)).
pub fn file_plan(ctx: &OpCtx<'_>, req: FilePlan) -> Result<SelfReviewPlan, DomainError> {
    let title = req.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(DomainError::invalid("title", "请填写方案名称（不超过200字）"));
    }
    let content = req.content.trim();
    if content.is_empty() || content.chars().count() > 20_000 {
        return Err(DomainError::invalid("content", "请填写方案内容（不超过20000字）"));
    }
    if !(2000..=2100).contains(&req.year) {
        return Err(DomainError::invalid("year", "年度无效"));
    }
    with_tx(ctx.db, |db| {
        let unit = own_self_review_unit(ctx, db)?;
        if let Some(open) = store::open_plan(db, &unit, req.year)? {
            let status = if open.status == "approved" { "已备案" } else { "待省人社厅审核" };
            return Err(DomainError::conflict(ErrorCode::SelfReviewPlanFiled, &[&req.year, &status]));
        }
        let id = store::insert_plan(db, &unit, req.year, title, content, &ctx.who.sub, &stamp(ctx.now))?;
        audit::record(
            db,
            &event(
                ctx,
                "self_review_plan",
                &id.to_string(),
                "file_self_review_plan",
                serde_json::json!({"year": req.year}),
            ),
        )?;
        store::plan(db, id)?.ok_or(DomainError::NotFound("年度评审方案"))
    })
}

/// The plans: the province sees all (optionally of a year), a unit its own.
pub fn list_plans(ctx: &OpCtx<'_>, year: Option<i32>, page: PageRequest) -> Result<Page<SelfReviewPlan>, DomainError> {
    let unit = match ctx.who.role {
        Role::Province => None,
        Role::Unit | Role::CommitteeOrg => Some(ctx.who.org.as_str()),
        _ => return Err(DomainError::Forbidden),
    };
    let (items, total) = store::plans(ctx.db, unit, year, page.limit(), page.offset())?;
    Ok(Page { items, page: page.page, page_size: page.page_size, total })
}

/// Body of the province's decision on a filed plan.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSelfReviewPlan {
    pub id: i64,
    pub approve: bool,
    #[serde(default)]
    pub opinion: Option<String>,
    pub version: i64,
}

/// The province records its decision on a filed plan: approved (备案), or returned with an
/// opinion (the unit may file again).
pub fn audit_plan(ctx: &OpCtx<'_>, req: AuditSelfReviewPlan) -> Result<SelfReviewPlan, DomainError> {
    ctx.require_role(Role::Province)?;
    let opinion = req.opinion.as_deref().map(str::trim).filter(|o| !o.is_empty());
    if !req.approve && opinion.is_none() {
        return Err(DomainError::invalid("opinion", "退回须填写意见"));
    }
    with_tx(ctx.db, |db| {
        let p = store::plan(db, req.id)?.ok_or(DomainError::NotFound("年度评审方案"))?;
        if p.status != "submitted" {
            return Err(DomainError::conflict(ErrorCode::InvalidState, &[&"该方案不在待审核状态"]));
        }
        let status = if req.approve { "approved" } else { "returned" };
        if !store::audit_plan(db, req.id, req.version, status, opinion, &ctx.who.sub, &stamp(ctx.now))? {
            return Err(super::transition::stale());
        }
        audit::record(
            db,
            &event(
                ctx,
                "self_review_plan",
                &req.id.to_string(),
                "audit_self_review_plan",
                serde_json::json!({"status": status, "opinion": opinion}),
            ),
        )?;
        store::plan(db, req.id)?.ok_or(DomainError::NotFound("年度评审方案"))
    })
}
