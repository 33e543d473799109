//! SQL of 职称巡查 (migration 0021): inspections, their items, and the population a
//! sampling run draws from.

use super::{Db, Row, StoreError, Value};
use crate::domain::inspection::{Target, APPLICATIONS_OF, COMMITTEES, UNITS};
use serde::Serialize;

/// An inspection (a sampling run or a special inspection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inspection {
    pub id: i64,
    /// `sampling` or `special`.
    pub kind: String,
    pub year: i64,
    pub title: String,
    pub ratio_percent: Option<i64>,
    pub departments: Option<String>,
    pub seed_commitment: Option<String>,
    /// Revealed at the draw (null before).
    pub seed: Option<String>,
    pub snapshot_hash: Option<String>,
    pub complaint_id: Option<i64>,
    pub reason: Option<String>,
    /// `committed`, `open` or `closed`.
    pub status: String,
    pub conclusion: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub drawn_at: Option<String>,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    pub version: i64,
}

const COLUMNS: &str = "id, kind, year, title, ratio_percent, departments, seed_commitment, seed, snapshot_hash, \
     complaint_id, reason, status, conclusion, created_by, created_at, drawn_at, closed_by, closed_at, version";

fn inspection(r: &Row) -> Result<Inspection, StoreError> {
    Ok(Inspection {
        id: r.int(0)?,
        kind: r.text(1)?,
        year: r.int(2)?,
        title: r.text(3)?,
        ratio_percent: r.opt_int(4)?,
        departments: r.opt_text(5)?,
        seed_commitment: r.opt_text(6)?,
        seed: r.opt_text(7)?,
        snapshot_hash: r.opt_text(8)?,
        complaint_id: r.opt_int(9)?,
        reason: r.opt_text(10)?,
        status: r.text(11)?,
        conclusion: r.opt_text(12)?,
        created_by: r.text(13)?,
        created_at: r.text(14)?,
        drawn_at: r.opt_text(15)?,
        closed_by: r.opt_text(16)?,
        closed_at: r.opt_text(17)?,
        version: r.int(18)?,
    })
}

/// One inspected item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub id: i64,
    pub inspection_id: i64,
    /// `committee`, `unit` or `application`.
    pub target_kind: String,
    pub target_ref: String,
    pub aspect: String,
    pub office_org: String,
    pub status: String,
    pub finding: Option<String>,
    pub requirement: Option<String>,
    pub working_days: Option<i64>,
    pub deadline: Option<String>,
    pub response: Option<String>,
    pub responded_by: Option<String>,
    pub responded_at: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub version: i64,
}

const ITEM_COLUMNS: &str = "id, inspection_id, target_kind, target_ref, aspect, office_org, status, finding, \
     requirement, working_days, deadline, response, responded_by, responded_at, decided_by, decided_at, version";

fn item(r: &Row) -> Result<Item, StoreError> {
    Ok(Item {
        id: r.int(0)?,
        inspection_id: r.int(1)?,
        target_kind: r.text(2)?,
        target_ref: r.text(3)?,
        aspect: r.text(4)?,
        office_org: r.text(5)?,
        status: r.text(6)?,
        finding: r.opt_text(7)?,
        requirement: r.opt_text(8)?,
        working_days: r.opt_int(9)?,
        deadline: r.opt_text(10)?,
        response: r.opt_text(11)?,
        responded_by: r.opt_text(12)?,
        responded_at: r.opt_text(13)?,
        decided_by: r.opt_text(14)?,
        decided_at: r.opt_text(15)?,
        version: r.int(16)?,
    })
}

fn id_of(rows: Vec<Row>) -> Result<i64, StoreError> {
    rows.first().ok_or_else(|| StoreError::Decode("no id returned".into()))?.int(0)
}

/// A new sampling run, committed to its seed; returns its id.
#[allow(clippy::too_many_arguments)]
pub fn insert_sampling(
    db: &dyn Db,
    year: i64,
    title: &str,
    ratio: i64,
    departments: Option<&str>,
    commitment: &str,
    by: &str,
    at: &str,
) -> Result<i64, StoreError> {
    id_of(db.query(
        "INSERT INTO inspections (kind, year, title, ratio_percent, departments, seed_commitment, status, \
         created_by, created_at) VALUES ('sampling', ?, ?, ?, ?, ?, 'committed', ?, ?) RETURNING id",
        &[
            year.into(),
            title.into(),
            ratio.into(),
            departments.map(str::to_owned).into(),
            commitment.into(),
            by.into(),
            at.into(),
        ],
    )?)
}

/// A new special inspection of a complaint, open at once; returns its id.
pub fn insert_special(
    db: &dyn Db,
    year: i64,
    title: &str,
    complaint: i64,
    reason: &str,
    by: &str,
    at: &str,
) -> Result<i64, StoreError> {
    id_of(db.query(
        "INSERT INTO inspections (kind, year, title, complaint_id, reason, status, created_by, created_at, drawn_at) \
         VALUES ('special', ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id",
        &[year.into(), title.into(), complaint.into(), reason.into(), by.into(), at.into(), at.into()],
    )?)
}

/// An inspection by id.
pub fn inspection_by_id(db: &dyn Db, id: i64) -> Result<Option<Inspection>, StoreError> {
    db.query_opt(&format!("SELECT {COLUMNS} FROM inspections WHERE id = ?"), &[id.into()])?
        .as_ref()
        .map(inspection)
        .transpose()
}

/// The recorded snapshot and sample of a drawn run (JSON texts).
pub fn draw_record(db: &dyn Db, id: i64) -> Result<Option<(String, String)>, StoreError> {
    match db
        .query_opt("SELECT snapshot, sample FROM inspections WHERE id = ? AND snapshot IS NOT NULL", &[id.into()])?
    {
        Some(r) => Ok(Some((r.text(0)?, r.text(1)?))),
        None => Ok(None),
    }
}

/// Inspections (of a year, of a status, or all), newest first, a page; with the total.
pub fn list(
    db: &dyn Db,
    year: Option<i64>,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Inspection>, i64), StoreError> {
    let mut conds = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    if let Some(y) = year {
        conds.push("year = ?");
        params.push(y.into());
    }
    if let Some(s) = status {
        conds.push("status = ?");
        params.push(s.into());
    }
    let cond = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
    let total =
        db.query_opt(&format!("SELECT COUNT(*) FROM inspections {cond}"), &params)?.map_or(Ok(0), |r| r.int(0))?;
    params.extend([limit.into(), offset.into()]);
    let items = db
        .query(&format!("SELECT {COLUMNS} FROM inspections {cond} ORDER BY id DESC LIMIT ? OFFSET ?"), &params)?
        .iter()
        .map(inspection)
        .collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// Records the draw: seed, snapshot, sample; compare-and-set from `committed`.
#[allow(clippy::too_many_arguments)]
pub fn set_drawn(
    db: &dyn Db,
    id: i64,
    version: i64,
    seed: &str,
    snapshot: &str,
    snapshot_hash: &str,
    sample: &str,
    at: &str,
) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            "UPDATE inspections SET status = 'open', seed = ?, snapshot = ?, snapshot_hash = ?, sample = ?, \
             drawn_at = ?, version = version + 1 WHERE id = ? AND version = ? AND status = 'committed' RETURNING id",
            &[seed.into(), snapshot.into(), snapshot_hash.into(), sample.into(), at.into(), id.into(), version.into()],
        )?
        .is_empty())
}

/// Closes an inspection with its conclusion; compare-and-set from `open`.
pub fn close(db: &dyn Db, id: i64, version: i64, conclusion: &str, by: &str, at: &str) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            "UPDATE inspections SET status = 'closed', conclusion = ?, closed_by = ?, closed_at = ?, \
             version = version + 1 WHERE id = ? AND version = ? AND status = 'open' RETURNING id",
            &[conclusion.into(), by.into(), at.into(), id.into(), version.into()],
        )?
        .is_empty())
}

/// Adds an item, `pending`.
pub fn insert_item(
    db: &dyn Db,
    inspection: i64,
    target_kind: &str,
    target_ref: &str,
    aspect: &str,
    office: &str,
) -> Result<i64, StoreError> {
    id_of(db.query(
        "INSERT INTO inspection_items (inspection_id, target_kind, target_ref, aspect, office_org, status) \
         VALUES (?, ?, ?, ?, ?, 'pending') RETURNING id",
        &[inspection.into(), target_kind.into(), target_ref.into(), aspect.into(), office.into()],
    )?)
}

/// The items of an inspection, in order.
pub fn items_of(db: &dyn Db, inspection: i64) -> Result<Vec<Item>, StoreError> {
    db.query(
        &format!("SELECT {ITEM_COLUMNS} FROM inspection_items WHERE inspection_id = ? ORDER BY id"),
        &[inspection.into()],
    )?
    .iter()
    .map(item)
    .collect()
}

/// An item by id.
pub fn item_by_id(db: &dyn Db, id: i64) -> Result<Option<Item>, StoreError> {
    db.query_opt(&format!("SELECT {ITEM_COLUMNS} FROM inspection_items WHERE id = ?"), &[id.into()])?
        .as_ref()
        .map(item)
        .transpose()
}

/// The organisation an item is addressed to (the scope check).
pub fn item_office(db: &dyn Db, id: i64) -> Result<Option<String>, StoreError> {
    db.query_opt("SELECT office_org FROM inspection_items WHERE id = ?", &[id.into()])?.map(|r| r.text(0)).transpose()
}

/// The items addressed to `office` (of a status, or all), newest first, a page; with the total.
pub fn items_of_office(
    db: &dyn Db,
    office: &str,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Item>, i64), StoreError> {
    let mut params: Vec<Value> = vec![office.into()];
    let cond = match status {
        Some(s) => {
            params.push(s.into());
            "WHERE office_org = ? AND status = ?"
        }
        None => "WHERE office_org = ?",
    };
    let total =
        db.query_opt(&format!("SELECT COUNT(*) FROM inspection_items {cond}"), &params)?.map_or(Ok(0), |r| r.int(0))?;
    params.extend([limit.into(), offset.into()]);
    let items = db
        .query(
            &format!("SELECT {ITEM_COLUMNS} FROM inspection_items {cond} ORDER BY id DESC LIMIT ? OFFSET ?"),
            &params,
        )?
        .iter()
        .map(item)
        .collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// What a move of an item writes besides its state.
#[derive(Debug, Default)]
pub struct ItemChange<'a> {
    pub finding: Option<&'a str>,
    pub requirement: Option<&'a str>,
    pub working_days: Option<i64>,
    pub deadline: Option<&'a str>,
    pub response: Option<&'a str>,
    pub responded_by: Option<&'a str>,
    pub decided_by: Option<&'a str>,
}

/// Moves an item compare-and-set (`id`, `version`, `from`); columns of `c` that are `None`
/// keep their value. `false` if the item changed meanwhile.
pub fn move_item(
    db: &dyn Db,
    id: i64,
    version: i64,
    from: &str,
    to: &str,
    c: &ItemChange<'_>,
    at: &str,
) -> Result<bool, StoreError> {
    let o = |v: Option<&str>| -> Value { v.map(str::to_owned).into() };
    Ok(!db
        .query(
            "UPDATE inspection_items SET status = ?, finding = COALESCE(?, finding), \
             requirement = COALESCE(?, requirement), working_days = COALESCE(?, working_days), \
             deadline = COALESCE(?, deadline), response = COALESCE(?, response), \
             responded_by = COALESCE(?, responded_by), responded_at = CASE WHEN ? IS NULL THEN responded_at ELSE ? END, \
             decided_by = COALESCE(?, decided_by), decided_at = CASE WHEN ? IS NULL THEN decided_at ELSE ? END, \
             version = version + 1 WHERE id = ? AND version = ? AND status = ? RETURNING id",
            &[
                to.into(),
                o(c.finding),
                o(c.requirement),
                c.working_days.into(),
                o(c.deadline),
                o(c.response),
                o(c.responded_by),
                o(c.responded_by),
                at.into(),
                o(c.decided_by),
                o(c.decided_by),
                at.into(),
                id.into(),
                version.into(),
                from.into(),
            ],
        )?
        .is_empty())
}

/// The population of a year's sampling run: active committees, active self-evaluating units,
/// and the year's submitted applications of each committee.
pub fn population(db: &dyn Db, year: i64) -> Result<Vec<Target>, StoreError> {
    let mut out = Vec::new();
    for r in db.query("SELECT id, organising_org FROM committees WHERE status = 'active' ORDER BY id", &[])? {
        out.push(Target { stratum: COMMITTEES.into(), id: r.text(0)?, office: r.text(1)? });
    }
    for r in db.query(
        "SELECT id FROM organisations WHERE self_review = 1 AND status = 'active' AND kind <> 'province' ORDER BY id",
        &[],
    )? {
        let id = r.text(0)?;
        out.push(Target { stratum: UNITS.into(), office: id.clone(), id });
    }
    for r in db.query(
        "SELECT a.id, a.committee, c.organising_org FROM applications a JOIN committees c ON c.id = a.committee \
         WHERE a.batch_year = ? AND a.state <> 'draft' AND c.status = 'active' ORDER BY a.id",
        &[year.into()],
    )? {
        out.push(Target {
            stratum: format!("{APPLICATIONS_OF}{}", r.text(1)?),
            id: r.int(0)?.to_string(),
            office: r.text(2)?,
        });
    }
    Ok(out)
}

/// A complaint (公众异议) as a special inspection needs it: the application, who received
/// it, what it says.
pub fn complaint(db: &dyn Db, id: i64) -> Result<Option<(i64, String, String, i64)>, StoreError> {
    match db.query_opt(
        "SELECT o.application_id, o.office_org, o.content, a.batch_year FROM public_objections o \
         JOIN applications a ON a.id = o.application_id WHERE o.id = ?",
        &[id.into()],
    )? {
        Some(r) => Ok(Some((r.int(0)?, r.text(1)?, r.text(2)?, r.int(3)?))),
        None => Ok(None),
    }
}
