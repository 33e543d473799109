//! Organisations as the administration needs them: the fuzzy lookup behind every "录入机构
//!名称，回车查询机构信息，支持模糊查询" of annex 3 (by name or credit code), an export, and
//! the batch import that builds a province's organisations from Excel. Single creation is
//! the audit chain's (`POST /api/province/organisations`); both go through the one creator
//! [`crate::workflow::organisations::create_organisation_in`].

use super::{label_of, parse_choice, parse_code, parse_yes_no, require_province, required_text, ORG_KINDS};
use crate::error::DomainError;
use crate::excel::Sheet;
use crate::store::admin::{self as store, Filter, ORG_SELECT};
use crate::store::chain::Organisation;
use crate::store::Db;
use crate::workflow::organisations::valid_credit_code;
use crate::workflow::{OpCtx, Page, PageRequest};
use serde::{Deserialize, Serialize};

/// An organisation as imported (every field text, as read from a cell).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    pub id: String,
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub credit_code: String,
    pub region_code: String,
    #[serde(default)]
    pub public_institution: String,
    #[serde(default)]
    pub self_review: String,
}

/// Checks an organisation's shape (no store access).
pub fn validate(input: &OrganisationInput) -> Result<Organisation, DomainError> {
    let credit_code = match input.credit_code.trim() {
        "" => None,
        c if valid_credit_code(&c.to_ascii_uppercase()) => Some(c.to_ascii_uppercase()),
        _ => return Err(DomainError::invalid("credit_code", "统一社会信用代码无效（18位，末位为校验码）")),
    };
    let region_code = input.region_code.trim();
    if region_code.len() != 6 || !region_code.chars().all(|c| c.is_ascii_digit()) {
        return Err(DomainError::invalid("region_code", "行政区划代码须为6位数字"));
    }
    Ok(Organisation {
        id: parse_code("id", "机构编号", &input.id, 64)?,
        kind: parse_choice("kind", "机构类型", ORG_KINDS, &input.kind)?.to_owned(),
        name: required_text("name", "机构名称", &input.name, 100)?,
        credit_code,
        region_code: region_code.to_owned(),
        public_institution: parse_yes_no("public_institution", "事业单位", &input.public_institution)?,
        self_review: parse_yes_no("self_review", "自主评审单位", &input.self_review)?,
        status: "active".into(),
    })
}

/// Creates an active organisation inside the caller's transaction (import), through the
/// one creator [`crate::workflow::organisations::create_organisation_in`].
pub fn create_in(ctx: &OpCtx<'_>, db: &dyn Db, input: &OrganisationInput) -> Result<Organisation, DomainError> {
    crate::workflow::organisations::create_organisation_in(ctx, db, validate(input)?)
}

/// Lookup filters: `q` (name contains, or credit code / id equals), `kind`, `status`.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
}

fn filter(q: &Query) -> Filter {
    let mut f = Filter::default();
    if let Some(s) = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        f.and(
            "(name LIKE ? ESCAPE '\\' OR credit_code = ? OR id = ?)",
            [store::like(s).into(), s.to_ascii_uppercase().into(), s.into()],
        );
    }
    f.and_opt("kind = ?", q.kind.as_deref()).and_opt("status = ?", q.status.as_deref());
    f
}

/// Fuzzy lookup (any signed-in role but applicants and judges: units look up their HR office).
pub fn list(ctx: &OpCtx<'_>, q: &Query, page: PageRequest) -> Result<Page<Organisation>, DomainError> {
    use crate::auth::Role;
    if matches!(ctx.who.role, Role::Applicant | Role::Judge) {
        return Err(DomainError::Forbidden);
    }
    let l = store::list(
        ctx.db,
        ORG_SELECT,
        "organisations",
        &filter(q),
        "name, id",
        Some((page.limit(), page.offset())),
        store::organisation,
    )?;
    Ok(Page { items: l.rows, page: page.page, page_size: page.page_size, total: l.total })
}

/// Every organisation matching the query, as a sheet.
pub fn export(ctx: &OpCtx<'_>, q: &Query) -> Result<Sheet, DomainError> {
    require_province(ctx)?;
    let all = store::list(ctx.db, ORG_SELECT, "organisations", &filter(q), "name, id", None, store::organisation)?;
    let yes = |b: bool| if b { "是" } else { "否" }.to_owned();
    let mut sheet = Sheet::new(
        "机构",
        &["机构编号", "机构类型", "机构名称", "统一社会信用代码", "行政区划代码", "事业单位", "自主评审", "状态"],
    );
    sheet.rows = all
        .rows
        .into_iter()
        .map(|o| {
            vec![
                o.id,
                label_of(ORG_KINDS, &o.kind),
                o.name,
                o.credit_code.unwrap_or_default(),
                o.region_code,
                yes(o.public_institution),
                yes(o.self_review),
                status_label(&o.status).into(),
            ]
        })
        .collect();
    Ok(sheet)
}

/// Chinese label of an organisation status.
pub fn status_label(s: &str) -> &'static str {
    match s {
        "active" => "有效",
        "pending" => "待审核",
        "rejected" => "审核不通过",
        "cancelled" => "已注销",
        _ => "未知",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> OrganisationInput {
        OrganisationInput {
            id: "ORG-CS-HR".into(),
            kind: "市州人社局".into(),
            name: "长沙市人力资源和社会保障局".into(),
            credit_code: String::new(),
            region_code: "430100".into(),
            public_institution: "否".into(),
            self_review: String::new(),
        }
    }

    #[test]
    fn an_organisation_row_is_parsed_from_labels() {
        let o = validate(&input()).unwrap();
        assert_eq!((o.kind.as_str(), o.public_institution, o.status.as_str()), ("city_hr", false, "active"));
    }

    #[test]
    fn a_bad_region_or_credit_code_names_its_field() {
        let mut i = input();
        i.region_code = "4301".into();
        assert_eq!(validate(&i).unwrap_err().field(), Some("region_code"));
        let mut i = input();
        i.credit_code = "91350100M000100Y44".into();
        assert_eq!(validate(&i).unwrap_err().field(), Some("credit_code"));
    }
}
