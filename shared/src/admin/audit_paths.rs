//! Audit-path administration (审核路径配置, annex 3 §1.4–1.8) over the edges the audit chain
//! resolves: query and export every edge, edit one (its upper organisation or step), and
//! batch-import them from Excel. Adding one edge and cancelling one are the audit chain's
//! (`POST /api/chain/lowers`, `POST /api/chain/lowers/{id}/cancel`), kept by the upper
//! organisation (指定下级) or the province.

use super::{event, label_of, parse_choice, require_province, required_text, stale, METHODS, SENIOR_LEVELS, STEPS};
use crate::audit;
use crate::auth::Role;
use crate::domain::path::{Method, StepKind};
use crate::error::{DomainError, ErrorCode};
use crate::excel::Sheet;
use crate::store::admin::{self as store, Filter, PathEdge, EDGE_FROM, EDGE_SELECT, EDGE_VERSION_KIND};
use crate::store::chain as cstore;
use crate::store::{with_tx, Db};
use crate::workflow::{stamp, OpCtx, Page, PageRequest};
use serde::{Deserialize, Serialize};

const WHAT: &str = "审核路径";

/// An edge as imported (`lower → upper` for a level and method, and what the upper does).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeInput {
    pub lower_org: String,
    pub upper_org: String,
    /// 职称层级 (senior levels).
    pub level: String,
    /// 取得方式 (评审 / 初定 / 认定).
    pub method: String,
    /// 审核环节: 上级审核 or 形式审查.
    pub step: String,
}

/// A validated edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidEdge {
    pub lower_org: String,
    pub upper_org: String,
    pub level: &'static str,
    pub method: &'static str,
    pub step: &'static str,
}

/// Checks an edge's shape (no store access).
pub fn validate(input: &EdgeInput) -> Result<ValidEdge, DomainError> {
    let v = ValidEdge {
        lower_org: required_text("lower_org", "下级机构", &input.lower_org, 64)?,
        upper_org: required_text("upper_org", "上级机构", &input.upper_org, 64)?,
        level: parse_choice("level", "职称层级", SENIOR_LEVELS, &input.level)?,
        method: parse_choice("method", "取得方式", METHODS, &input.method)?,
        step: parse_choice("step", "审核环节", STEPS, &input.step)?,
    };
    if v.lower_org == v.upper_org {
        return Err(DomainError::invalid("upper_org", "上级机构不能与下级机构相同"));
    }
    Ok(v)
}

fn check_org(db: &dyn Db, field: &str, id: &str) -> Result<(), DomainError> {
    if cstore::organisation_by_id(db, id)?.is_none_or(|o| o.status != "active") {
        return Err(DomainError::invalid(field, format!("机构 {id} 不存在或未生效")));
    }
    Ok(())
}

fn check_loop(db: &dyn Db, v: &ValidEdge) -> Result<(), DomainError> {
    if store::edge_would_loop(db, &v.lower_org, &v.upper_org, v.level, v.method)? {
        return Err(DomainError::invalid("upper_org", "该上级机构的审核路径会回到本机构，形成循环"));
    }
    Ok(())
}

/// Adds an edge inside the caller's transaction (import), through the one creator
/// [`crate::workflow::organisations::create_edge_in`] (the same rules as 指定下级).
pub fn create_in(ctx: &OpCtx<'_>, db: &dyn Db, input: &EdgeInput) -> Result<PathEdge, DomainError> {
    let v = validate(input)?;
    let edge = crate::workflow::organisations::NewEdge {
        lower_org: &v.lower_org,
        upper_org: &v.upper_org,
        level: cstore::parse_level(v.level).ok_or_else(|| DomainError::Internal("level".into()))?,
        method: Method::parse(v.method).ok_or_else(|| DomainError::Internal("method".into()))?,
        step: StepKind::parse(v.step).ok_or_else(|| DomainError::Internal("step".into()))?,
    };
    let id = crate::workflow::organisations::create_edge_in(ctx, db, &edge)?;
    store::path_edge_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))
}

/// Body of "edit an edge" (修改): the new upper and step, and the version read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeEdit {
    pub upper_org: String,
    pub step: String,
    pub version: i64,
}

fn visible(ctx: &OpCtx<'_>, e: &PathEdge) -> bool {
    ctx.who.role == Role::Province
        || (matches!(ctx.who.role, Role::Dept | Role::CommitteeOrg) && e.upper_org == ctx.who.org)
}

/// Edits an active edge: the province, or the edge's upper organisation (which keeps it).
/// Another organisation's edge is a 404.
pub fn update(ctx: &OpCtx<'_>, id: i64, req: EdgeEdit) -> Result<PathEdge, DomainError> {
    with_tx(ctx.db, |db| {
        let e = store::path_edge_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?;
        if !visible(ctx, &e) {
            return Err(DomainError::NotFound(WHAT));
        }
        if e.status != "active" {
            return Err(DomainError::conflict(ErrorCode::EdgeNotActive, &[]));
        }
        let v = validate(&EdgeInput {
            lower_org: e.lower_org.clone(),
            upper_org: req.upper_org.clone(),
            level: e.level.clone(),
            method: e.method.clone(),
            step: req.step.clone(),
        })?;
        if ctx.who.role != Role::Province && v.upper_org != e.upper_org {
            return Err(DomainError::invalid("upper_org", "只有省人社厅可以将下级调整到其他上级机构"));
        }
        check_org(db, "upper_org", &v.upper_org)?;
        check_loop(db, &v)?;
        let now = stamp(ctx.now);
        if !store::bump_row_version(db, EDGE_VERSION_KIND, &id.to_string(), req.version, &ctx.who.sub, &now)? {
            return Err(stale(WHAT));
        }
        if !store::update_edge(db, id, &v.upper_org, v.step)? {
            return Err(stale(WHAT));
        }
        audit::record(
            db,
            &event(
                ctx,
                "audit_path_edge",
                &id.to_string(),
                "update_edge",
                serde_json::json!({
                    "upper_org": [e.upper_org, v.upper_org], "step": [e.step, v.step]
                }),
            ),
        )?;
        store::path_edge_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))
    })
}

/// One edge (the province, or its upper organisation).
pub fn get(ctx: &OpCtx<'_>, id: i64) -> Result<PathEdge, DomainError> {
    let e = store::path_edge_by_id(ctx.db, id)?.ok_or(DomainError::NotFound(WHAT))?;
    if visible(ctx, &e) {
        Ok(e)
    } else {
        Err(DomainError::NotFound(WHAT))
    }
}

/// Query filters: `org` (lower or upper), `level`, `method`, `status`.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub org: Option<String>,
    pub level: Option<String>,
    pub method: Option<String>,
    pub status: Option<String>,
}

fn filter(q: &Query) -> Filter {
    let mut f = Filter::default();
    f.and_opt("(e.lower_org = ? OR e.upper_org = ?)", q.org.as_deref())
        .and_opt("e.level = ?", q.level.as_deref())
        .and_opt("e.method = ?", q.method.as_deref())
        .and_opt("e.status = ?", q.status.as_deref());
    f
}

/// A page of edges (the province).
pub fn list(ctx: &OpCtx<'_>, q: &Query, page: PageRequest) -> Result<Page<PathEdge>, DomainError> {
    require_province(ctx)?;
    let l = store::list(
        ctx.db,
        EDGE_SELECT,
        EDGE_FROM,
        &filter(q),
        "e.id",
        Some((page.limit(), page.offset())),
        store::path_edge,
    )?;
    Ok(Page { items: l.rows, page: page.page, page_size: page.page_size, total: l.total })
}

/// Every edge matching the query, as a sheet.
pub fn export(ctx: &OpCtx<'_>, q: &Query) -> Result<Sheet, DomainError> {
    require_province(ctx)?;
    let all = store::list(ctx.db, EDGE_SELECT, EDGE_FROM, &filter(q), "e.id", None, store::path_edge)?;
    let mut sheet = Sheet::new(
        "审核路径",
        &[
            "编号",
            "下级机构编号",
            "下级机构",
            "上级机构编号",
            "上级机构",
            "职称层级",
            "取得方式",
            "审核环节",
            "状态",
            "取消原因",
        ],
    );
    sheet.rows = all
        .rows
        .into_iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                e.lower_org,
                e.lower_name,
                e.upper_org,
                e.upper_name,
                label_of(SENIOR_LEVELS, &e.level),
                label_of(METHODS, &e.method),
                label_of(STEPS, &e.step),
                if e.status == "active" { "有效" } else { "已取消" }.into(),
                e.cancel_reason.unwrap_or_default(),
            ]
        })
        .collect();
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edge_names_two_different_organisations_and_a_senior_level() {
        let i = EdgeInput {
            lower_org: "ORG-A".into(),
            upper_org: "ORG-A".into(),
            level: "副高级".into(),
            method: "评审".into(),
            step: "形式审查".into(),
        };
        assert_eq!(validate(&i).unwrap_err().field(), Some("upper_org"));
        let ok = EdgeInput { upper_org: "ORG-B".into(), ..i.clone() };
        assert_eq!(validate(&ok).unwrap().step, "formal_review");
        let junior = EdgeInput { level: "中级".into(), ..ok };
        assert_eq!(validate(&junior).unwrap_err().field(), Some("level"));
    }
}
