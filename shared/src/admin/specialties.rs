//! The specialty tree (职称专业, annex 3 §1.1): codes and names under fixed category roots
//! (1.1 "不支持新增栏目大类"); add below any node, edit, delete — refused while the node has
//! children or anything uses it (a committee may review it, or an application names it).

use super::{event, parse_code, require_province, required_text, stale};
use crate::audit;
use crate::error::{DomainError, ErrorCode};
use crate::excel::Sheet;
use crate::store::admin::{self as store, Filter, Specialty, SPECIALTY_FROM, SPECIALTY_SELECT};
use crate::store::{with_tx, Db};
use crate::workflow::{stamp, OpCtx, Page, PageRequest};
use serde::{Deserialize, Serialize};

const WHAT: &str = "专业";

/// A new or edited specialty, as the province enters it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpecialtyInput {
    /// The parent's code (上级节点); required when adding.
    #[serde(default)]
    pub parent_code: String,
    /// 专业代码: extends the parent's code (`08` → `0801`).
    pub code: String,
    /// 专业学科名称: unique in the tree.
    pub name: String,
    /// The version read (edits only).
    #[serde(default)]
    pub version: Option<i64>,
}

/// A validated specialty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSpecialty {
    pub parent_code: String,
    pub code: String,
    pub name: String,
}

/// Checks the shape of a specialty (no store access).
pub fn validate(input: &SpecialtyInput, adding: bool) -> Result<ValidSpecialty, DomainError> {
    let parent_code =
        if adding { parse_code("parent_code", "上级专业代码", &input.parent_code, 20)? } else { String::new() };
    let code = parse_code("code", "专业代码", &input.code, 20)?;
    let name = required_text("name", "专业名称", &input.name, 50)?;
    if adding && (code.len() <= parent_code.len() || !code.starts_with(&parent_code)) {
        return Err(DomainError::invalid("code", format!("专业代码须以上级专业代码 {parent_code} 开头并更长")));
    }
    Ok(ValidSpecialty { parent_code, code, name })
}

fn in_use_error(name: &str, committees: &[String], apps: i64) -> Option<DomainError> {
    if committees.is_empty() && apps == 0 {
        return None;
    }
    let mut what = Vec::new();
    if !committees.is_empty() {
        what.push(format!("评委会 {} 的评审专业", committees.join("、")));
    }
    if apps > 0 {
        what.push(format!("{apps} 份申报"));
    }
    Some(DomainError::conflict(ErrorCode::SpecialtyInUse, &[&name, &what.join("及")]))
}

/// Adds a specialty inside the caller's transaction (used by the API and the import).
pub fn create_in(ctx: &OpCtx<'_>, db: &dyn Db, input: &SpecialtyInput) -> Result<Specialty, DomainError> {
    let v = validate(input, true)?;
    let parent = store::specialty_by_code(db, &v.parent_code)?
        .ok_or_else(|| DomainError::invalid("parent_code", format!("上级专业代码 {} 不存在", v.parent_code)))?;
    if store::specialty_by_code(db, &v.code)?.is_some() {
        return Err(DomainError::conflict(ErrorCode::SpecialtyCodeTaken, &[&v.code]));
    }
    if store::specialty_by_name(db, &v.name)?.is_some() {
        return Err(DomainError::conflict(ErrorCode::SpecialtyNameTaken, &[&v.name]));
    }
    let id = store::insert_specialty(db, parent.id, &v.code, &v.name, &stamp(ctx.now))?;
    audit::record(
        db,
        &event(
            ctx,
            "specialty",
            &id.to_string(),
            "create_specialty",
            serde_json::json!({
                "parent_code": v.parent_code, "code": v.code, "name": v.name
            }),
        ),
    )?;
    store::specialty_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))
}

/// Adds a specialty below a node (§1.1 1.2).
pub fn create(ctx: &OpCtx<'_>, input: SpecialtyInput) -> Result<Specialty, DomainError> {
    require_province(ctx)?;
    with_tx(ctx.db, |db| create_in(ctx, db, &input))
}

/// Edits a node's code or name (§1.1 1.3). Roots are fixed; a used node keeps its name;
/// a node with children keeps its code (theirs extend it).
pub fn update(ctx: &OpCtx<'_>, id: i64, input: SpecialtyInput) -> Result<Specialty, DomainError> {
    require_province(ctx)?;
    let v = validate(&input, false)?;
    let version = input.version.ok_or_else(|| DomainError::invalid("version", "请提供读取时的版本号 version"))?;
    with_tx(ctx.db, |db| {
        let s = store::specialty_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?;
        if s.is_root {
            return Err(DomainError::conflict(ErrorCode::SpecialtyRootFixed, &[]));
        }
        if s.version != version {
            return Err(stale(WHAT));
        }
        if v.code != s.code {
            if let Some(p) = &s.parent_code {
                if !v.code.starts_with(p.as_str()) || v.code.len() <= p.len() {
                    return Err(DomainError::invalid("code", format!("专业代码须以上级专业代码 {p} 开头并更长")));
                }
            }
            if store::specialty_children(db, id)? > 0 {
                return Err(DomainError::conflict(ErrorCode::SpecialtyHasChildren, &[&"不能修改代码"]));
            }
            if store::specialty_by_code(db, &v.code)?.is_some() {
                return Err(DomainError::conflict(ErrorCode::SpecialtyCodeTaken, &[&v.code]));
            }
        }
        if v.name != s.name {
            let (committees, apps) = store::specialty_usage(db, &s.name)?;
            if let Some(e) = in_use_error(&s.name, &committees, apps) {
                return Err(e);
            }
            if store::specialty_by_name(db, &v.name)?.is_some() {
                return Err(DomainError::conflict(ErrorCode::SpecialtyNameTaken, &[&v.name]));
            }
        }
        store::update_specialty(db, id, version, &v.code, &v.name, &stamp(ctx.now))?.ok_or_else(|| stale(WHAT))?;
        audit::record(
            db,
            &event(
                ctx,
                "specialty",
                &id.to_string(),
                "update_specialty",
                serde_json::json!({
                    "code": [s.code, v.code], "name": [s.name, v.name]
                }),
            ),
        )?;
        store::specialty_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))
    })
}

/// Deletes a node (§1.1 2): refused for roots, for nodes with children, and while used.
pub fn delete(ctx: &OpCtx<'_>, id: i64, version: Option<i64>) -> Result<(), DomainError> {
    require_province(ctx)?;
    with_tx(ctx.db, |db| {
        let s = store::specialty_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?;
        if s.is_root {
            return Err(DomainError::conflict(ErrorCode::SpecialtyRootFixed, &[]));
        }
        super::check_version(WHAT, s.version, version)?;
        if store::specialty_children(db, id)? > 0 {
            return Err(DomainError::conflict(ErrorCode::SpecialtyHasChildren, &[&"请先删除下级专业"]));
        }
        let (committees, apps) = store::specialty_usage(db, &s.name)?;
        if let Some(e) = in_use_error(&s.name, &committees, apps) {
            return Err(e);
        }
        if !store::delete_specialty(db, id, s.version)? {
            return Err(stale(WHAT));
        }
        audit::record(
            db,
            &event(
                ctx,
                "specialty",
                &id.to_string(),
                "delete_specialty",
                serde_json::json!({
                    "code": s.code, "name": s.name
                }),
            ),
        )?;
        Ok(())
    })
}

/// One node.
pub fn get(ctx: &OpCtx<'_>, id: i64) -> Result<Specialty, DomainError> {
    store::specialty_by_id(ctx.db, id)?.ok_or(DomainError::NotFound(WHAT))
}

/// Query filters: `q` (code or name contains), `parent_code`.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub q: Option<String>,
    pub parent_code: Option<String>,
}

fn filter(q: &Query) -> Filter {
    let mut f = Filter::default();
    if let Some(q) = q.q.as_deref().filter(|s| !s.trim().is_empty()) {
        f.and(
            "(s.code LIKE ? ESCAPE '\\' OR s.name LIKE ? ESCAPE '\\')",
            [store::like(q).into(), store::like(q).into()],
        );
    }
    f.and_opt("p.code = ?", q.parent_code.as_deref());
    f
}

/// A page of nodes in code order (anyone signed in may read the tree: applicants pick
/// their specialty from it).
pub fn list(ctx: &OpCtx<'_>, q: &Query, page: PageRequest) -> Result<Page<Specialty>, DomainError> {
    let l = store::list(
        ctx.db,
        SPECIALTY_SELECT,
        SPECIALTY_FROM,
        &filter(q),
        "s.code",
        Some((page.limit(), page.offset())),
        store::specialty,
    )?;
    Ok(Page { items: l.rows, page: page.page, page_size: page.page_size, total: l.total })
}

/// A node with its children, for the tree view.
#[derive(Debug, Clone, Serialize)]
pub struct TreeNode {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub is_root: bool,
    pub children: Vec<TreeNode>,
}

/// Builds the forest from flat nodes (pure).
pub fn build_tree(nodes: &[Specialty]) -> Vec<TreeNode> {
    fn children(of: Option<i64>, nodes: &[Specialty]) -> Vec<TreeNode> {
        nodes
            .iter()
            .filter(|n| n.parent_id == of)
            .map(|n| TreeNode {
                id: n.id,
                code: n.code.clone(),
                name: n.name.clone(),
                is_root: n.is_root,
                children: children(Some(n.id), nodes),
            })
            .collect()
    }
    children(None, nodes)
}

/// The whole tree.
pub fn tree(ctx: &OpCtx<'_>) -> Result<Vec<TreeNode>, DomainError> {
    let all =
        store::list(ctx.db, SPECIALTY_SELECT, SPECIALTY_FROM, &Filter::default(), "s.code", None, store::specialty)?;
    Ok(build_tree(&all.rows))
}

/// Every node matching the query, as a sheet (导出查询结果).
pub fn export(ctx: &OpCtx<'_>, q: &Query) -> Result<Sheet, DomainError> {
    require_province(ctx)?;
    let all = store::list(ctx.db, SPECIALTY_SELECT, SPECIALTY_FROM, &filter(q), "s.code", None, store::specialty)?;
    let mut sheet = Sheet::new("职称专业", &["专业代码", "专业名称", "上级专业代码", "是否大类"]);
    sheet.rows = all
        .rows
        .into_iter()
        .map(|s| vec![s.code, s.name, s.parent_code.unwrap_or_default(), if s.is_root { "是" } else { "否" }.into()])
        .collect();
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(parent: &str, code: &str, name: &str) -> SpecialtyInput {
        SpecialtyInput { parent_code: parent.into(), code: code.into(), name: name.into(), version: None }
    }

    #[test]
    fn a_child_code_extends_its_parents_code() {
        assert!(validate(&input("08", "0801", "力学"), true).is_ok());
        assert_eq!(validate(&input("08", "0901", "作物学"), true).unwrap_err().field(), Some("code"));
        assert_eq!(validate(&input("08", "08", "工学二"), true).unwrap_err().field(), Some("code"));
    }

    #[test]
    fn a_specialty_needs_a_name_and_a_plain_code() {
        assert_eq!(validate(&input("08", "0801", " "), true).unwrap_err().field(), Some("name"));
        assert_eq!(validate(&input("08", "08 01", "力学"), true).unwrap_err().field(), Some("code"));
    }

    #[test]
    fn the_in_use_message_names_committees_and_counts_applications() {
        assert!(in_use_error("内科学", &[], 0).is_none());
        let e = in_use_error("内科学", &["CMT-HEALTH".into()], 2).unwrap();
        assert_eq!(e.code(), "SPECIALTY_IN_USE");
        assert!(e.message().contains("CMT-HEALTH") && e.message().contains("2 份申报"), "{}", e.message());
    }

    #[test]
    fn the_tree_nests_children_under_their_parents() {
        let n = |id, parent, code: &str| Specialty {
            id,
            parent_id: parent,
            parent_code: None,
            code: code.into(),
            name: code.into(),
            is_root: parent.is_none(),
            version: 1,
            updated_at: String::new(),
        };
        let t = build_tree(&[n(1, None, "08"), n(2, Some(1), "0801"), n(3, Some(2), "080101"), n(4, None, "10")]);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].children[0].children[0].code, "080101");
        assert!(t[1].children.is_empty());
    }
}
