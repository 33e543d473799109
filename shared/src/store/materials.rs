//! SQL of the materials catalogue and the paper receipts (migration 0016).

use super::{Db, Row, StoreError};
use serde::Serialize;

/// One entry of the qualification-review materials catalogue (资格审查材料目录).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequiredMaterial {
    /// The series it applies to ('' = every series).
    pub series: String,
    /// The level it applies to ('' = every level).
    pub level: String,
    pub kind: String,
    pub label: String,
}

const COLUMNS: &str = "series, level, kind, label";

fn required(r: &Row) -> Result<RequiredMaterial, StoreError> {
    Ok(RequiredMaterial { series: r.text(0)?, level: r.text(1)?, kind: r.text(2)?, label: r.text(3)? })
}

/// The entries that apply to a series and level (general ones included), by kind.
pub fn required_for(db: &dyn Db, series: &str, level: &str) -> Result<Vec<RequiredMaterial>, StoreError> {
    db.query(
        &format!(
            "SELECT {COLUMNS} FROM required_materials WHERE series IN ('', ?) AND level IN ('', ?) \
             ORDER BY series, level, kind"
        ),
        &[series.into(), level.into()],
    )?
    .iter()
    .map(required)
    .collect()
}

/// Every entry of the catalogue.
pub fn catalogue(db: &dyn Db) -> Result<Vec<RequiredMaterial>, StoreError> {
    db.query(&format!("SELECT {COLUMNS} FROM required_materials ORDER BY series, level, kind"), &[])?
        .iter()
        .map(required)
        .collect()
}

/// Replaces the entries of one (series, level) key.
pub fn replace_key(
    db: &dyn Db,
    series: &str,
    level: &str,
    entries: &[(String, String)],
    by: &str,
    at: &str,
) -> Result<(), StoreError> {
    db.execute("DELETE FROM required_materials WHERE series = ? AND level = ?", &[series.into(), level.into()])?;
    for (kind, label) in entries {
        db.execute(
            "INSERT INTO required_materials (series, level, kind, label, updated_by, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
            &[series.into(), level.into(), kind.as_str().into(), label.as_str().into(), by.into(), at.into()],
        )?;
    }
    Ok(())
}

/// The receipt of an application's paper performance materials (二(二)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaperReceipt {
    pub application_id: i64,
    pub received_on: String,
    pub pieces: i64,
    pub note: Option<String>,
    /// Whether it was handed in within the collection window (`None`: the year's calendar
    /// is not loaded yet).
    pub in_window: Option<bool>,
    pub received_by: String,
    pub received_org: String,
    pub recorded_at: String,
}

/// The receipt of an application, if recorded.
pub fn paper_receipt(db: &dyn Db, application: i64) -> Result<Option<PaperReceipt>, StoreError> {
    db.query_opt(
        "SELECT application_id, received_on, pieces, note, in_window, received_by, received_org, recorded_at \
         FROM paper_material_receipts WHERE application_id = ?",
        &[application.into()],
    )?
    .map(|r| {
        Ok(PaperReceipt {
            application_id: r.int(0)?,
            received_on: r.text(1)?,
            pieces: r.int(2)?,
            note: r.opt_text(3)?,
            in_window: r.opt_int(4)?.map(|v| v != 0),
            received_by: r.text(5)?,
            received_org: r.text(6)?,
            recorded_at: r.text(7)?,
        })
    })
    .transpose()
}

/// Records (or corrects) the receipt of an application.
pub fn upsert_paper_receipt(db: &dyn Db, r: &PaperReceipt) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO paper_material_receipts \
         (application_id, received_on, pieces, note, in_window, received_by, received_org, recorded_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (application_id) DO UPDATE SET \
         received_on = excluded.received_on, pieces = excluded.pieces, note = excluded.note, \
         in_window = excluded.in_window, received_by = excluded.received_by, \
         received_org = excluded.received_org, recorded_at = excluded.recorded_at",
        &[
            r.application_id.into(),
            r.received_on.as_str().into(),
            r.pieces.into(),
            r.note.clone().into(),
            r.in_window.map(i64::from).into(),
            r.received_by.as_str().into(),
            r.received_org.as_str().into(),
            r.recorded_at.as_str().into(),
        ],
    )
}

/// The institution kind recorded for a unit (八(六); migration 0019).
pub fn institution_kind(db: &dyn Db, org: &str) -> Result<Option<String>, StoreError> {
    db.query_opt("SELECT kind FROM institution_kinds WHERE org_id = ?", &[org.into()])?.map(|r| r.text(0)).transpose()
}

/// Records (or changes) the institution kind of a unit.
pub fn set_institution_kind(db: &dyn Db, org: &str, kind: &str, by: &str, at: &str) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO institution_kinds (org_id, kind, updated_by, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (org_id) DO UPDATE SET kind = excluded.kind, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
        &[org.into(), kind.into(), by.into(), at.into()],
    )
}
