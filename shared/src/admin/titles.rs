//! The title tree (职称树, annex 3 §1.2): the series (系列) are fixed roots; below them the
//! province adds titles with their level and the MOHRSS title they correspond to
//! (对应人社部职称, with its GB/T 8561 code where it has one). A title in use — an
//! application targets its series at its level — can be neither deleted nor moved.

use super::{event, label_of, parse_choice, require_province, required_text, stale, LEVELS};
use crate::audit;
use crate::error::{DomainError, ErrorCode};
use crate::excel::Sheet;
use crate::store::admin::{self as store, Filter, Title, TitleFields, TitleSeries, TITLE_SELECT};
use crate::store::{with_tx, Db};
use crate::workflow::{stamp, OpCtx, Page, PageRequest};
use serde::{Deserialize, Serialize};

const WHAT: &str = "职称";

/// A new or edited title.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TitleInput {
    /// The series (上级节点), by its short name (`卫生`, `工程`…).
    pub series: String,
    /// 职称名称 (`主任医师`).
    pub name: String,
    /// 职称级别: wire name or label.
    pub level: String,
    /// 对应人社部职称 (name).
    pub mohrss_title: String,
    /// Its GB/T 8561 code, when it has one (3 digits).
    #[serde(default)]
    pub mohrss_code: Option<String>,
    /// The version read (edits only).
    #[serde(default)]
    pub version: Option<i64>,
}

/// A validated title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTitle {
    pub series: String,
    pub name: String,
    pub level: &'static str,
    pub mohrss_title: String,
    pub mohrss_code: Option<String>,
}

impl ValidTitle {
    fn fields(&self) -> TitleFields<'_> {
        TitleFields {
            series: &self.series,
            name: &self.name,
            level: self.level,
            mohrss_title: &self.mohrss_title,
            mohrss_code: self.mohrss_code.as_deref(),
        }
    }
}

/// Checks the shape of a title (no store access).
pub fn validate(input: &TitleInput) -> Result<ValidTitle, DomainError> {
    let mohrss_code = match input.mohrss_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) if c.len() == 3 && c.chars().all(|d| d.is_ascii_digit()) => Some(c.to_owned()),
        Some(_) => return Err(DomainError::invalid("mohrss_code", "人社部职称代码（GB/T 8561）须为3位数字")),
    };
    Ok(ValidTitle {
        series: required_text("series", "系列", &input.series, 30)?,
        name: required_text("name", "职称名称", &input.name, 50)?,
        level: parse_choice("level", "职称级别", LEVELS, &input.level)?,
        mohrss_title: required_text("mohrss_title", "对应人社部职称", &input.mohrss_title, 50)?,
        mohrss_code,
    })
}

/// Adds a title inside the caller's transaction (API and import).
pub fn create_in(ctx: &OpCtx<'_>, db: &dyn Db, input: &TitleInput) -> Result<Title, DomainError> {
    let v = validate(input)?;
    if !store::series_exists(db, &v.series)? {
        return Err(DomainError::invalid("series", format!("系列“{}”不存在（系列为固定栏目，不能新增）", v.series)));
    }
    if store::title_name_taken(db, &v.series, &v.name, 0)? {
        return Err(DomainError::conflict(ErrorCode::TitleNameTaken, &[&v.series, &v.name]));
    }
    let id = store::insert_title(db, &v.fields(), &stamp(ctx.now))?;
    audit::record(
        db,
        &event(
            ctx,
            "title",
            &id.to_string(),
            "create_title",
            serde_json::json!({
                "series": v.series, "name": v.name, "level": v.level, "mohrss_code": v.mohrss_code
            }),
        ),
    )?;
    store::title_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))
}

/// Adds a title below a series (§1.2 1.2).
pub fn create(ctx: &OpCtx<'_>, input: TitleInput) -> Result<Title, DomainError> {
    require_province(ctx)?;
    with_tx(ctx.db, |db| create_in(ctx, db, &input))
}

/// Edits a title (§1.2 1.3); a title in use keeps its series and level.
pub fn update(ctx: &OpCtx<'_>, id: i64, input: TitleInput) -> Result<Title, DomainError> {
    require_province(ctx)?;
    let v = validate(&input)?;
    let version = input.version.ok_or_else(|| DomainError::invalid("version", "请提供读取时的版本号 version"))?;
    with_tx(ctx.db, |db| {
        let t = store::title_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?;
        if t.version != version {
            return Err(stale(WHAT));
        }
        if !store::series_exists(db, &v.series)? {
            return Err(DomainError::invalid("series", format!("系列“{}”不存在", v.series)));
        }
        if (t.series != v.series || t.level != v.level) && store::title_usage(db, &t.series, &t.level)? > 0 {
            return Err(DomainError::conflict(ErrorCode::TitleInUse, &[&t.name, &"不能修改其系列或级别"]));
        }
        if store::title_name_taken(db, &v.series, &v.name, id)? {
            return Err(DomainError::conflict(ErrorCode::TitleNameTaken, &[&v.series, &v.name]));
        }
        store::update_title(db, id, version, &v.fields(), &stamp(ctx.now))?.ok_or_else(|| stale(WHAT))?;
        audit::record(
            db,
            &event(
                ctx,
                "title",
                &id.to_string(),
                "update_title",
                serde_json::json!({
                    "series": v.series, "name": v.name, "level": v.level, "mohrss_code": v.mohrss_code
                }),
            ),
        )?;
        store::title_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))
    })
}

/// Deletes a title (§1.2 2), refused while an application targets it.
pub fn delete(ctx: &OpCtx<'_>, id: i64, version: Option<i64>) -> Result<(), DomainError> {
    require_province(ctx)?;
    with_tx(ctx.db, |db| {
        let t = store::title_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?;
        super::check_version(WHAT, t.version, version)?;
        let n = store::title_usage(db, &t.series, &t.level)?;
        if n > 0 {
            return Err(DomainError::conflict(ErrorCode::TitleInUse, &[&t.name, &format!("共 {n} 份，不能删除")]));
        }
        if !store::delete_title(db, id, t.version)? {
            return Err(stale(WHAT));
        }
        audit::record(
            db,
            &event(
                ctx,
                "title",
                &id.to_string(),
                "delete_title",
                serde_json::json!({"series": t.series, "name": t.name}),
            ),
        )?;
        Ok(())
    })
}

/// One title.
pub fn get(ctx: &OpCtx<'_>, id: i64) -> Result<Title, DomainError> {
    store::title_by_id(ctx.db, id)?.ok_or(DomainError::NotFound(WHAT))
}

/// The fixed series.
pub fn series(ctx: &OpCtx<'_>) -> Result<Vec<TitleSeries>, DomainError> {
    Ok(store::title_series(ctx.db)?)
}

/// Query filters: `series`, `level`, `q` (name contains).
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub series: Option<String>,
    pub level: Option<String>,
    pub q: Option<String>,
}

fn filter(q: &Query) -> Filter {
    let mut f = Filter::default();
    f.and_opt("series = ?", q.series.as_deref()).and_opt("level = ?", q.level.as_deref());
    if let Some(q) = q.q.as_deref().filter(|s| !s.trim().is_empty()) {
        f.and("name LIKE ? ESCAPE '\\'", [store::like(q).into()]);
    }
    f
}

const ORDER: &str = "(SELECT position FROM title_series s WHERE s.name = titles.series), \
     CASE level WHEN 'full_senior' THEN 1 WHEN 'deputy_senior' THEN 2 WHEN 'intermediate' THEN 3 \
     WHEN 'assistant' THEN 4 ELSE 5 END, name";

/// A page of titles (readable by anyone signed in).
pub fn list(ctx: &OpCtx<'_>, q: &Query, page: PageRequest) -> Result<Page<Title>, DomainError> {
    let l = store::list(
        ctx.db,
        TITLE_SELECT,
        "titles",
        &filter(q),
        ORDER,
        Some((page.limit(), page.offset())),
        store::title,
    )?;
    Ok(Page { items: l.rows, page: page.page, page_size: page.page_size, total: l.total })
}

/// Every title matching the query, as a sheet.
pub fn export(ctx: &OpCtx<'_>, q: &Query) -> Result<Sheet, DomainError> {
    require_province(ctx)?;
    let all = store::list(ctx.db, TITLE_SELECT, "titles", &filter(q), ORDER, None, store::title)?;
    let mut sheet = Sheet::new("职称树", &["系列", "职称名称", "职称级别", "对应人社部职称", "人社部职称代码"]);
    sheet.rows = all
        .rows
        .into_iter()
        .map(|t| vec![t.series, t.name, label_of(LEVELS, &t.level), t.mohrss_title, t.mohrss_code.unwrap_or_default()])
        .collect();
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(level: &str, code: Option<&str>) -> TitleInput {
        TitleInput {
            series: "卫生".into(),
            name: "主任医师".into(),
            level: level.into(),
            mohrss_title: "主任医师".into(),
            mohrss_code: code.map(Into::into),
            version: None,
        }
    }

    #[test]
    fn a_title_takes_its_level_by_label_or_wire_name() {
        assert_eq!(validate(&input("正高级", Some("231"))).unwrap().level, "full_senior");
        assert_eq!(validate(&input("deputy_senior", None)).unwrap().level, "deputy_senior");
        assert_eq!(validate(&input("特级", None)).unwrap_err().field(), Some("level"));
    }

    #[test]
    fn the_mohrss_code_is_three_digits_or_absent() {
        assert_eq!(validate(&input("正高级", Some(" "))).unwrap().mohrss_code, None);
        assert_eq!(validate(&input("正高级", Some("23A"))).unwrap_err().field(), Some("mohrss_code"));
    }
}
