//! Organisations as the administration needs them: the fuzzy lookup behind every "录入机构
//!名称，回车查询机构信息，支持模糊查询" of annex 3 (by name or credit code), an export, and
//! the batch import that builds a province's organisations from Excel. Single creation is
//! the audit chain's (`POST /api/province/organisations`); both go through the one creator
//! [`crate::workflow::organisations::create_organisation_in`]. The province edits an
//! organisation's name, region code and administrative parent (上级主管单位) — never a
//! parent that would close a loop — with the version it read.

use super::{
    event, label_of, parse_choice, parse_code, parse_yes_no, require_province, required_text, stale, ORG_KINDS,
};
use crate::audit;
use crate::error::DomainError;
use crate::excel::Sheet;
use crate::store::admin::{self as store, Filter, ORG_SELECT};
use crate::store::chain::Organisation;
use crate::store::{with_tx, Db};
use crate::workflow::organisations::valid_credit_code;
use crate::workflow::{stamp, OpCtx, Page, PageRequest};
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

/// What an organisation is called in errors and stale messages.
const WHAT: &str = "机构";

/// The province-level prefixes of GB/T 2260 (the first two digits of a region code).
const PROVINCE_PREFIXES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
];

/// Whether `code` is a region code (行政区划代码, GB/T 2260): six digits under a known
/// province-level prefix, with a prefecture part ("00" only for the province itself)
/// and no county part without a prefecture.
pub fn valid_region_code(code: &str) -> bool {
    code.len() == 6
        && code.bytes().all(|b| b.is_ascii_digit())
        && PROVINCE_PREFIXES.contains(&&code[..2])
        && !(code[2..4] == *"00" && code[4..] != *"00")
}

/// The loop an organisation's new parent would close, walking up from the parent through
/// `parent_of` (the recorded parents): `[org, parent, …, org]`, or `None` when the chain
/// ends without coming back. Pure: the store lookup is passed in.
pub fn parent_loop<E>(
    org: &str,
    parent: &str,
    mut parent_of: impl FnMut(&str) -> Result<Option<String>, E>,
) -> Result<Option<Vec<String>>, E> {
    let mut chain = vec![org.to_owned(), parent.to_owned()];
    let mut at = parent.to_owned();
    loop {
        if at == org {
            return Ok(Some(chain));
        }
        match parent_of(&at)? {
            // A chain that meets itself above `org` is not `org`'s loop (and ends the walk).
            Some(next) if chain[1..].contains(&next) && next != org => return Ok(None),
            Some(next) => {
                chain.push(next.clone());
                at = next;
            }
            None => return Ok(None),
        }
    }
}

/// Body of "edit an organisation" (`PUT /api/admin/organisations/{id}`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationEdit {
    /// 机构名称.
    pub name: String,
    /// 行政区划代码 (GB/T 2260).
    pub region_code: String,
    /// 上级主管单位 (an organisation id); `null` or empty: none.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// The version read.
    pub version: i64,
}

/// An organisation as the edit form reads it: its row, its parent and its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganisationView {
    #[serde(flatten)]
    pub organisation: Organisation,
    /// 上级主管单位.
    pub parent_id: Option<String>,
    /// The parent's name.
    pub parent_name: Option<String>,
    pub version: i64,
}

fn view_in(db: &dyn Db, id: &str) -> Result<OrganisationView, DomainError> {
    let organisation = crate::store::chain::organisation_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?;
    let version = store::organisation_version(db, id)?.ok_or(DomainError::NotFound(WHAT))?;
    let parent_id = store::parent_of(db, id)?;
    let parent_name = match &parent_id {
        Some(p) => crate::store::chain::organisation_by_id(db, p)?.map(|o| o.name),
        None => None,
    };
    Ok(OrganisationView { organisation, parent_id, parent_name, version })
}

/// One organisation with its parent and version (the province's edit form).
pub fn get(ctx: &OpCtx<'_>, id: &str) -> Result<OrganisationView, DomainError> {
    require_province(ctx)?;
    view_in(ctx.db, id)
}

/// The province edits an organisation's name, region code and parent, compare-and-set on
/// the version read: an unknown or cancelled parent, the organisation itself or one of
/// its descendants (a loop) is refused naming `parent_id`; the change is audited.
pub fn update(ctx: &OpCtx<'_>, id: &str, input: OrganisationEdit) -> Result<OrganisationView, DomainError> {
    require_province(ctx)?;
    let name = required_text("name", "机构名称", &input.name, 100)?;
    let region = input.region_code.trim();
    if !valid_region_code(region) {
        return Err(DomainError::invalid(
            "region_code",
            format!("行政区划代码“{region}”无效（GB/T 2260：6位数字，省级代码须存在）"),
        ));
    }
    let parent = input.parent_id.as_deref().map(str::trim).filter(|p| !p.is_empty());
    with_tx(ctx.db, |db| {
        let before = view_in(db, id)?;
        if before.version != input.version {
            return Err(stale(WHAT));
        }
        if let Some(p) = parent {
            if p == id {
                return Err(DomainError::invalid("parent_id", "上级主管单位不能是本机构"));
            }
            match crate::store::chain::organisation_by_id(db, p)? {
                Some(o) if o.status != "cancelled" => {}
                Some(_) => return Err(DomainError::invalid("parent_id", format!("上级主管单位 {p} 已注销"))),
                None => return Err(DomainError::invalid("parent_id", format!("上级主管单位 {p} 不存在"))),
            }
            if let Some(chain) = parent_loop(id, p, |o| store::parent_of(db, o))? {
                return Err(DomainError::invalid(
                    "parent_id",
                    format!("上级主管单位将形成循环：{}", chain.join(" → ")),
                ));
            }
        }
        let now = stamp(ctx.now);
        store::update_organisation(db, id, input.version, &name, region, &now)?.ok_or_else(|| stale(WHAT))?;
        store::set_parent(db, id, parent, &ctx.who.sub, &now)?;
        audit::record(
            db,
            &event(
                ctx,
                "organisation",
                id,
                "update_organisation",
                serde_json::json!({
                    "from": {"name": before.organisation.name, "region_code": before.organisation.region_code,
                             "parent_id": before.parent_id},
                    "to": {"name": name, "region_code": region, "parent_id": parent},
                }),
            ),
        )?;
        view_in(db, id)
    })
}

/// One organisation in the tree of administrative parents (上级主管单位), with the
/// organisations under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrganisationNode {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub status: String,
    pub children: Vec<OrganisationNode>,
}

/// The organisations as a forest: each under its recorded parent, the ones without a
/// (known) parent at the top; siblings in the order given. No organisation is left out:
/// should the records ever form a loop (edits refuse one), its members come out at the top.
pub fn forest(orgs: &[Organisation], parents: &[(String, String)]) -> Vec<OrganisationNode> {
    use std::collections::{HashMap, HashSet};
    let known: HashSet<&str> = orgs.iter().map(|o| o.id.as_str()).collect();
    let parent: HashMap<&str, &str> = parents
        .iter()
        .filter(|(o, p)| known.contains(o.as_str()) && known.contains(p.as_str()))
        .map(|(o, p)| (o.as_str(), p.as_str()))
        .collect();
    let mut children: HashMap<&str, Vec<&Organisation>> = HashMap::new();
    for o in orgs {
        if let Some(p) = parent.get(o.id.as_str()) {
            children.entry(p).or_default().push(o);
        }
    }
    fn node<'a>(
        o: &'a Organisation,
        children: &HashMap<&str, Vec<&'a Organisation>>,
        placed: &mut HashSet<&'a str>,
    ) -> OrganisationNode {
        placed.insert(&o.id);
        let mut nodes = Vec::new();
        for c in children.get(o.id.as_str()).map(Vec::as_slice).unwrap_or_default() {
            if !placed.contains(c.id.as_str()) {
                nodes.push(node(c, children, placed));
            }
        }
        OrganisationNode {
            id: o.id.clone(),
            name: o.name.clone(),
            kind: o.kind.clone(),
            status: o.status.clone(),
            children: nodes,
        }
    }
    let mut placed = HashSet::new();
    let mut roots: Vec<OrganisationNode> =
        orgs.iter().filter(|o| !parent.contains_key(o.id.as_str())).map(|o| node(o, &children, &mut placed)).collect();
    for o in orgs {
        if !placed.contains(o.id.as_str()) {
            roots.push(node(o, &children, &mut placed));
        }
    }
    roots
}

/// Every organisation in the tree of administrative parents (the province's 机构树).
pub fn tree(ctx: &OpCtx<'_>) -> Result<Vec<OrganisationNode>, DomainError> {
    require_province(ctx)?;
    let all =
        store::list(ctx.db, ORG_SELECT, "organisations", &Filter::default(), "name, id", None, store::organisation)?;
    Ok(forest(&all.rows, &store::all_parents(ctx.db)?))
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

    fn org(id: &str) -> Organisation {
        Organisation {
            id: id.into(),
            kind: "unit".into(),
            name: format!("{id} 名称"),
            credit_code: None,
            region_code: "430100".into(),
            public_institution: false,
            self_review: false,
            status: "active".into(),
        }
    }

    fn shape(nodes: &[OrganisationNode]) -> String {
        nodes
            .iter()
            .map(|n| if n.children.is_empty() { n.id.clone() } else { format!("{}({})", n.id, shape(&n.children)) })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn the_forest_puts_each_organisation_under_its_parent_and_loses_none() {
        let orgs: Vec<_> = ["P", "C1", "C2", "G", "X", "L1", "L2"].iter().map(|i| org(i)).collect();
        let pairs = |v: &[(&str, &str)]| v.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect::<Vec<_>>();
        let parents = pairs(&[("C1", "P"), ("C2", "P"), ("G", "C1"), ("X", "GONE")]);
        assert_eq!(shape(&forest(&orgs, &parents)), "P(C1(G) C2) X L1 L2", "an unknown parent puts X at the top");
        // A loop (which edits refuse) still shows every member once.
        let looped = pairs(&[("L1", "L2"), ("L2", "L1")]);
        let f = forest(&orgs, &looped);
        assert_eq!(shape(&f), "P C1 C2 G X L1(L2)");
        assert!(forest(&[], &[]).is_empty());
    }

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
    fn region_codes_need_a_known_province_and_a_prefecture_before_a_county() {
        assert!(valid_region_code("430100") && valid_region_code("430000") && valid_region_code("430102"));
        for bad in ["4301", "990100", "430012", "43010a", "000000"] {
            assert!(!valid_region_code(bad), "{bad}");
        }
    }

    #[test]
    fn a_parent_that_is_a_descendant_closes_a_loop_and_names_it() {
        // C → B → A: A under C would loop A → C → B → A.
        let parents: std::collections::HashMap<&str, &str> = [("C", "B"), ("B", "A")].into();
        let up = |o: &str| Ok::<_, ()>(parents.get(o).map(|p| (*p).to_owned()));
        assert_eq!(parent_loop("A", "C", up).unwrap(), Some(vec!["A".into(), "C".into(), "B".into(), "A".into()]));
        assert_eq!(parent_loop("C", "A", up).unwrap(), None, "moving a leaf under the root is fine");
        assert_eq!(parent_loop("A", "X", up).unwrap(), None, "an organisation without parents ends the walk");
    }

    #[test]
    fn a_walk_through_an_older_loop_that_does_not_pass_the_organisation_ends() {
        let parents: std::collections::HashMap<&str, &str> = [("B", "C"), ("C", "B")].into();
        let up = |o: &str| Ok::<_, ()>(parents.get(o).map(|p| (*p).to_owned()));
        assert_eq!(parent_loop("A", "B", up).unwrap(), None);
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
