//! Acceptance institutions for 初定 and 认定 (职称初定/认定受理机构, annex 3 §1.3): node type,
//! organisation (looked up by name), the name printed on certificates (1.3: "请准确填写"),
//! level, acquisition method, and the applicant notice (申报须知); edit, cancel (注销),
//! batch import.

use super::{
    check_version, event, label_of, parse_choice, require_province, required_text, stale, ReasonBody,
    INSTITUTION_METHODS, LEVELS, NODE_TYPES,
};
use crate::audit;
use crate::error::{DomainError, ErrorCode};
use crate::excel::Sheet;
use crate::store::admin::{
    self as store, Filter, Institution, InstitutionFields, INSTITUTION_FROM, INSTITUTION_SELECT,
};
use crate::store::chain as cstore;
use crate::store::{with_tx, Db};
use crate::workflow::{stamp, OpCtx, Page, PageRequest};
use serde::{Deserialize, Serialize};

const WHAT: &str = "受理机构";

/// A new or edited institution.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InstitutionInput {
    /// 受理节点类型 (wire name or label); the organisation must be of this kind.
    pub node_type: String,
    /// The organisation's id (from the lookup).
    pub org_id: String,
    /// 打在职称证书上的机构名称.
    pub certificate_name: String,
    /// 职称等级.
    pub level: String,
    /// 取得方式: 初定 or 认定.
    pub method: String,
    /// 申报须知.
    #[serde(default)]
    pub notice: String,
    /// The version read (edits only).
    #[serde(default)]
    pub version: Option<i64>,
}

/// A validated institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidInstitution {
    pub node_type: &'static str,
    pub org_id: String,
    pub certificate_name: String,
    pub level: &'static str,
    pub method: &'static str,
    pub notice: String,
}

impl ValidInstitution {
    fn fields(&self) -> InstitutionFields<'_> {
        InstitutionFields {
            node_type: self.node_type,
            org_id: &self.org_id,
            certificate_name: &self.certificate_name,
            level: self.level,
            method: self.method,
            notice: &self.notice,
        }
    }
}

/// Checks an institution's shape (no store access).
pub fn validate(input: &InstitutionInput) -> Result<ValidInstitution, DomainError> {
    let notice = input.notice.trim();
    if notice.chars().count() > 5000 {
        return Err(DomainError::invalid("notice", "申报须知不能超过5000字"));
    }
    Ok(ValidInstitution {
        node_type: parse_choice("node_type", "受理节点类型", NODE_TYPES, &input.node_type)?,
        org_id: required_text("org_id", "机构", &input.org_id, 64)?,
        certificate_name: required_text("certificate_name", "证书上的机构名称", &input.certificate_name, 100)?,
        level: parse_choice("level", "职称等级", LEVELS, &input.level)?,
        method: parse_choice("method", "取得方式", INSTITUTION_METHODS, &input.method)?,
        notice: notice.to_owned(),
    })
}

fn check_refs(db: &dyn Db, v: &ValidInstitution, except: i64) -> Result<(), DomainError> {
    let org = cstore::organisation_by_id(db, &v.org_id)?
        .ok_or_else(|| DomainError::invalid("org_id", format!("机构 {} 不存在", v.org_id)))?;
    if org.status != "active" {
        return Err(DomainError::invalid("org_id", format!("机构 {} 未生效", v.org_id)));
    }
    if org.kind != v.node_type {
        return Err(DomainError::invalid(
            "node_type",
            format!("机构 {} 的类型为{}，与受理节点类型不符", org.name, label_of(super::ORG_KINDS, &org.kind)),
        ));
    }
    if store::institution_duplicate(db, &v.fields(), except)? {
        return Err(DomainError::conflict(ErrorCode::InstitutionExists, &[]));
    }
    Ok(())
}

/// Adds an institution inside the caller's transaction (API and import).
pub fn create_in(ctx: &OpCtx<'_>, db: &dyn Db, input: &InstitutionInput) -> Result<Institution, DomainError> {
    let v = validate(input)?;
    check_refs(db, &v, 0)?;
    let id = store::insert_institution(db, &v.fields(), &ctx.who.sub, &stamp(ctx.now))?;
    audit::record(
        db,
        &event(
            ctx,
            "acceptance_institution",
            &id.to_string(),
            "create_institution",
            serde_json::json!({
                "org_id": v.org_id, "level": v.level, "method": v.method, "certificate_name": v.certificate_name
            }),
        ),
    )?;
    store::institution_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))
}

/// Adds an institution (§1.3 1).
pub fn create(ctx: &OpCtx<'_>, input: InstitutionInput) -> Result<Institution, DomainError> {
    require_province(ctx)?;
    with_tx(ctx.db, |db| create_in(ctx, db, &input))
}

/// Edits an active institution (§1.3 2).
pub fn update(ctx: &OpCtx<'_>, id: i64, input: InstitutionInput) -> Result<Institution, DomainError> {
    require_province(ctx)?;
    let v = validate(&input)?;
    let version = input.version.ok_or_else(|| DomainError::invalid("version", "请提供读取时的版本号 version"))?;
    with_tx(ctx.db, |db| {
        let i = store::institution_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?;
        if i.status != "active" {
            return Err(DomainError::conflict(ErrorCode::InstitutionCancelled, &[]));
        }
        if i.version != version {
            return Err(stale(WHAT));
        }
        check_refs(db, &v, id)?;
        store::update_institution(db, id, version, &v.fields(), &stamp(ctx.now))?.ok_or_else(|| stale(WHAT))?;
        audit::record(
            db,
            &event(
                ctx,
                "acceptance_institution",
                &id.to_string(),
                "update_institution",
                serde_json::json!({
                    "org_id": v.org_id, "level": v.level, "method": v.method, "certificate_name": v.certificate_name
                }),
            ),
        )?;
        store::institution_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))
    })
}

/// Cancels an institution (§1.3 4) with a reason.
pub fn cancel(ctx: &OpCtx<'_>, id: i64, body: ReasonBody) -> Result<Institution, DomainError> {
    require_province(ctx)?;
    let reason = required_text("reason", "注销原因", &body.reason, 500)?;
    with_tx(ctx.db, |db| {
        let i = store::institution_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?;
        if i.status != "active" {
            return Err(DomainError::conflict(ErrorCode::InstitutionCancelled, &[]));
        }
        check_version(WHAT, i.version, body.version)?;
        if !store::cancel_institution(db, id, i.version, &reason, &stamp(ctx.now))? {
            return Err(stale(WHAT));
        }
        let mut e = event(ctx, "acceptance_institution", &id.to_string(), "cancel_institution", serde_json::json!({}));
        e.from_state = Some("active".into());
        e.to_state = Some("cancelled".into());
        e.opinion = Some(reason.clone());
        audit::record(db, &e)?;
        store::institution_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))
    })
}

/// One institution (anyone signed in: applicants read its 申报须知).
pub fn get(ctx: &OpCtx<'_>, id: i64) -> Result<Institution, DomainError> {
    store::institution_by_id(ctx.db, id)?.ok_or(DomainError::NotFound(WHAT))
}

/// Query filters: `q` (organisation or certificate name contains), `level`, `method`, `status`.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub q: Option<String>,
    pub level: Option<String>,
    pub method: Option<String>,
    pub status: Option<String>,
}

fn filter(q: &Query) -> Filter {
    let mut f = Filter::default();
    if let Some(s) = q.q.as_deref().filter(|s| !s.trim().is_empty()) {
        f.and(
            "(o.name LIKE ? ESCAPE '\\' OR i.certificate_name LIKE ? ESCAPE '\\')",
            [store::like(s).into(), store::like(s).into()],
        );
    }
    f.and_opt("i.level = ?", q.level.as_deref())
        .and_opt("i.method = ?", q.method.as_deref())
        .and_opt("i.status = ?", q.status.as_deref());
    f
}

/// A page of institutions.
pub fn list(ctx: &OpCtx<'_>, q: &Query, page: PageRequest) -> Result<Page<Institution>, DomainError> {
    let l = store::list(
        ctx.db,
        INSTITUTION_SELECT,
        INSTITUTION_FROM,
        &filter(q),
        "i.id",
        Some((page.limit(), page.offset())),
        store::institution,
    )?;
    Ok(Page { items: l.rows, page: page.page, page_size: page.page_size, total: l.total })
}

/// Every institution matching the query, as a sheet.
pub fn export(ctx: &OpCtx<'_>, q: &Query) -> Result<Sheet, DomainError> {
    require_province(ctx)?;
    let all = store::list(ctx.db, INSTITUTION_SELECT, INSTITUTION_FROM, &filter(q), "i.id", None, store::institution)?;
    let mut sheet = Sheet::new(
        "受理机构",
        &[
            "编号",
            "受理节点类型",
            "机构编号",
            "机构名称",
            "证书上的机构名称",
            "职称等级",
            "取得方式",
            "状态",
            "注销原因",
        ],
    );
    sheet.rows = all
        .rows
        .into_iter()
        .map(|i| {
            vec![
                i.id.to_string(),
                label_of(NODE_TYPES, &i.node_type),
                i.org_id,
                i.org_name,
                i.certificate_name,
                label_of(LEVELS, &i.level),
                label_of(INSTITUTION_METHODS, &i.method),
                if i.status == "active" { "有效" } else { "已注销" }.into(),
                i.cancel_reason.unwrap_or_default(),
            ]
        })
        .collect();
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_institution_receives_only_initial_or_recognition_applications() {
        let mut i = InstitutionInput {
            node_type: "市州人社局".into(),
            org_id: "ORG-CS-HR".into(),
            certificate_name: "长沙市人力资源和社会保障局".into(),
            level: "中级".into(),
            method: "认定".into(),
            notice: "请携带原件".into(),
            version: None,
        };
        assert_eq!(validate(&i).unwrap().method, "recognition");
        i.method = "评审".into();
        assert_eq!(validate(&i).unwrap_err().field(), Some("method"));
    }
}
