//! Titles.

#[allow(unused_imports)]
use super::*;

/// A series (系列), a fixed root of the title tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TitleSeries {
    pub name: String,
    pub full_name: String,
}

/// Every series, in the national order.
pub fn title_series(db: &dyn Db) -> Result<Vec<TitleSeries>, StoreError> {
    db.query("SELECT name, full_name FROM title_series ORDER BY position", &[])?
        .iter()
        .map(|r| Ok(TitleSeries { name: r.text(0)?, full_name: r.text(1)? }))
        .collect()
}

/// Whether a series exists.
pub fn series_exists(db: &dyn Db, name: &str) -> Result<bool, StoreError> {
    Ok(count(db, "SELECT COUNT(*) FROM title_series WHERE name = ?", &[name.into()])? > 0)
}

/// A title of the title tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Title {
    pub id: i64,
    pub series: String,
    pub name: String,
    pub level: String,
    pub mohrss_title: String,
    pub mohrss_code: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

/// Columns of [`Title`].
pub const TITLE_SELECT: &str = "id, series, name, level, mohrss_title, mohrss_code, version, updated_at";

/// Decodes a [`TITLE_SELECT`] row.
pub fn title(r: &Row) -> Result<Title, StoreError> {
    Ok(Title {
        id: r.int(0)?,
        series: r.text(1)?,
        name: r.text(2)?,
        level: r.text(3)?,
        mohrss_title: r.text(4)?,
        mohrss_code: r.opt_text(5)?,
        version: r.int(6)?,
        updated_at: r.text(7)?,
    })
}

/// One title by id.
pub fn title_by_id(db: &dyn Db, id: i64) -> Result<Option<Title>, StoreError> {
    db.query_opt(&format!("SELECT {TITLE_SELECT} FROM titles WHERE id = ?"), &[id.into()])?
        .as_ref()
        .map(title)
        .transpose()
}

/// Whether `(series, name)` is taken by another title than `except`.
pub fn title_name_taken(db: &dyn Db, series: &str, name: &str, except: i64) -> Result<bool, StoreError> {
    let sql = "SELECT COUNT(*) FROM titles WHERE series = ? AND name = ? AND id <> ?";
    Ok(count(db, sql, &[series.into(), name.into(), except.into()])? > 0)
}

pub(super) const INSERT_TITLE: &str =
    "INSERT INTO titles (series, name, level, mohrss_title, mohrss_code, version, created_at, \
     updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id";
pub(super) const UPDATE_TITLE: &str =
    "UPDATE titles SET series = ?, name = ?, level = ?, mohrss_title = ?, mohrss_code = ?, \
     version = version + 1, updated_at = ? WHERE id = ? AND version = ? RETURNING version";
pub(super) const DELETE_TITLE: &str = "DELETE FROM titles WHERE id = ? AND version = ? RETURNING id";
pub(super) const TITLE_APPLICATIONS: &str = "SELECT COUNT(*) FROM applications \
     WHERE json_extract(form, '$.series') = ? AND json_extract(form, '$.target_level') = ?";

/// The fields of a title as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleFields<'a> {
    pub series: &'a str,
    pub name: &'a str,
    pub level: &'a str,
    pub mohrss_title: &'a str,
    pub mohrss_code: Option<&'a str>,
}

/// Inserts a title.
pub fn insert_title(db: &dyn Db, t: &TitleFields<'_>, now: &str) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_TITLE,
        &[
            t.series.into(),
            t.name.into(),
            t.level.into(),
            t.mohrss_title.into(),
            t.mohrss_code.map(str::to_owned).into(),
            now.into(),
            now.into(),
        ],
    )?)
}

/// Compare-and-set edit; `None` if the row moved on.
pub fn update_title(
    db: &dyn Db,
    id: i64,
    version: i64,
    t: &TitleFields<'_>,
    now: &str,
) -> Result<Option<i64>, StoreError> {
    db.query_opt(
        UPDATE_TITLE,
        &[
            t.series.into(),
            t.name.into(),
            t.level.into(),
            t.mohrss_title.into(),
            t.mohrss_code.map(str::to_owned).into(),
            now.into(),
            id.into(),
            version.into(),
        ],
    )?
    .map(|r| r.int(0))
    .transpose()
}

/// Compare-and-set delete.
pub fn delete_title(db: &dyn Db, id: i64, version: i64) -> Result<bool, StoreError> {
    Ok(!db.query(DELETE_TITLE, &[id.into(), version.into()])?.is_empty())
}

/// How many applications target this series and level.
pub fn title_usage(db: &dyn Db, series: &str, level: &str) -> Result<i64, StoreError> {
    count(db, TITLE_APPLICATIONS, &[series.into(), level.into()])
}
