//! SQL of provincial administration (issue 6): the specialty and title trees, acceptance
//! institutions, committee details, audit-path listing and edits, the blacklist, unit
//! registrations, annual batches, the calendar and staged Excel imports. One statement
//! per constant; organisations, committees and edges are created through
//! [`crate::store::chain`], which owns those tables' inserts.

use super::{Db, Row, StoreError, Value};
use crate::error::DomainError;
use serde::Serialize;

fn first_id(rows: Vec<Row>) -> Result<i64, StoreError> {
    rows.first().ok_or_else(|| StoreError::Decode("insert returned no id".into()))?.int(0)
}

fn count(db: &dyn Db, sql: &str, params: &[Value]) -> Result<i64, StoreError> {
    db.query_opt(sql, params)?.map_or(Ok(0), |r| r.int(0))
}

/// `%q%` for a LIKE filter, with `%`, `_` and `\` escaped (use `ESCAPE '\'`).
pub fn like(q: &str) -> String {
    let mut s = String::from("%");
    for ch in q.trim().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(ch);
    }
    s.push('%');
    s
}

/// A page of rows and the total matching count.
#[derive(Debug, Clone)]
pub struct Listing<T> {
    /// The rows.
    pub rows: Vec<T>,
    /// How many match in all.
    pub total: i64,
}

/// SQL `WHERE` clauses and their parameters, built filter by filter.
#[derive(Debug, Default)]
pub struct Filter {
    clauses: Vec<String>,
    params: Vec<Value>,
}

impl Filter {
    /// Adds a clause with its parameters.
    pub fn and(&mut self, clause: &str, params: impl IntoIterator<Item = Value>) -> &mut Self {
        self.clauses.push(clause.to_owned());
        self.params.extend(params);
        self
    }

    /// Adds a clause when `v` is given.
    pub fn and_opt(&mut self, clause: &str, v: Option<&str>) -> &mut Self {
        if let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) {
            let n = clause.matches('?').count();
            self.and(clause, std::iter::repeat_n(Value::from(v), n));
        }
        self
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            "1 = 1".into()
        } else {
            self.clauses.join(" AND ")
        }
    }
}

/// Runs a filtered listing: `select` is `SELECT cols FROM t` (aliases allowed), `order` an
/// `ORDER BY` body; `limit = None` returns every row (exports).
pub fn list<T>(
    db: &dyn Db,
    select: &str,
    from: &str,
    filter: &Filter,
    order: &str,
    limit: Option<(i64, i64)>,
    decode: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<Listing<T>, StoreError> {
    let where_ = filter.sql();
    let total = count(db, &format!("SELECT COUNT(*) FROM {from} WHERE {where_}"), &filter.params)?;
    let mut params = filter.params.clone();
    let mut sql = format!("SELECT {select} FROM {from} WHERE {where_} ORDER BY {order}");
    if let Some((limit, offset)) = limit {
        sql.push_str(" LIMIT ? OFFSET ?");
        params.extend([limit.into(), offset.into()]);
    }
    let rows = db.query(&sql, &params)?.iter().map(decode).collect::<Result<_, _>>()?;
    Ok(Listing { rows, total })
}

// ---------------------------------------------------------------- transactions

/// Runs `f` in `BEGIN IMMEDIATE … ROLLBACK`: a dry run that validates against the real
/// data and leaves nothing behind (import validation).
pub fn dry_run<T>(db: &dyn Db, f: impl FnOnce(&dyn Db) -> Result<T, DomainError>) -> Result<T, DomainError> {
    db.execute("BEGIN IMMEDIATE", &[])?;
    let r = f(db);
    db.execute("ROLLBACK", &[])?;
    r
}

/// Runs `f` inside a savepoint of the current transaction: on error only `f`'s writes are
/// undone (one import row), and the error is returned.
pub fn savepoint<T>(db: &dyn Db, f: impl FnOnce(&dyn Db) -> Result<T, DomainError>) -> Result<T, DomainError> {
    db.execute("SAVEPOINT admin_row", &[])?;
    match f(db) {
        Ok(v) => {
            db.execute("RELEASE admin_row", &[])?;
            Ok(v)
        }
        Err(e) => {
            db.execute("ROLLBACK TO admin_row", &[])?;
            db.execute("RELEASE admin_row", &[])?;
            Err(e)
        }
    }
}

// ---------------------------------------------------------------- row versions

const SELECT_ROW_VERSION: &str = "SELECT version FROM admin_row_versions WHERE kind = ? AND key = ?";
const UPSERT_ROW_VERSION: &str = "INSERT INTO admin_row_versions (kind, key, version, updated_by, updated_at) \
     VALUES (?, ?, 2, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET version = version + 1, \
     updated_by = excluded.updated_by, updated_at = excluded.updated_at WHERE version = ? RETURNING version";

/// The version of a row of a table without a version column (1 until first changed).
pub fn row_version(db: &dyn Db, kind: &str, key: &str) -> Result<i64, StoreError> {
    Ok(db.query_opt(SELECT_ROW_VERSION, &[kind.into(), key.into()])?.map(|r| r.int(0)).transpose()?.unwrap_or(1))
}

/// Compare-and-set on such a version: bumps it if it is still `expected`; `false` if not.
pub fn bump_row_version(
    db: &dyn Db,
    kind: &str,
    key: &str,
    expected: i64,
    by: &str,
    now: &str,
) -> Result<bool, StoreError> {
    if row_version(db, kind, key)? != expected {
        return Ok(false);
    }
    Ok(!db.query(UPSERT_ROW_VERSION, &[kind.into(), key.into(), by.into(), now.into(), expected.into()])?.is_empty())
}

// ---------------------------------------------------------------- specialties

/// A node of the specialty tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Specialty {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub parent_code: Option<String>,
    pub code: String,
    pub name: String,
    pub is_root: bool,
    pub version: i64,
    pub updated_at: String,
}

/// Columns of [`Specialty`] over `specialties s LEFT JOIN specialties p`.
pub const SPECIALTY_SELECT: &str = "s.id, s.parent_id, p.code, s.code, s.name, s.is_root, s.version, s.updated_at";
/// The join a specialty listing reads from.
pub const SPECIALTY_FROM: &str = "specialties s LEFT JOIN specialties p ON p.id = s.parent_id";

/// Decodes a [`SPECIALTY_SELECT`] row.
pub fn specialty(r: &Row) -> Result<Specialty, StoreError> {
    Ok(Specialty {
        id: r.int(0)?,
        parent_id: r.opt_int(1)?,
        parent_code: r.opt_text(2)?,
        code: r.text(3)?,
        name: r.text(4)?,
        is_root: r.int(5)? != 0,
        version: r.int(6)?,
        updated_at: r.text(7)?,
    })
}

/// One specialty by id.
pub fn specialty_by_id(db: &dyn Db, id: i64) -> Result<Option<Specialty>, StoreError> {
    let sql = format!("SELECT {SPECIALTY_SELECT} FROM {SPECIALTY_FROM} WHERE s.id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(specialty).transpose()
}

/// One specialty by code.
pub fn specialty_by_code(db: &dyn Db, code: &str) -> Result<Option<Specialty>, StoreError> {
    let sql = format!("SELECT {SPECIALTY_SELECT} FROM {SPECIALTY_FROM} WHERE s.code = ?");
    db.query_opt(&sql, &[code.into()])?.as_ref().map(specialty).transpose()
}

/// One specialty by name.
pub fn specialty_by_name(db: &dyn Db, name: &str) -> Result<Option<Specialty>, StoreError> {
    let sql = format!("SELECT {SPECIALTY_SELECT} FROM {SPECIALTY_FROM} WHERE s.name = ?");
    db.query_opt(&sql, &[name.into()])?.as_ref().map(specialty).transpose()
}

const INSERT_SPECIALTY: &str = "INSERT INTO specialties (parent_id, code, name, is_root, version, created_at, \
     updated_at) VALUES (?, ?, ?, 0, 1, ?, ?) RETURNING id";
const UPDATE_SPECIALTY: &str = "UPDATE specialties SET code = ?, name = ?, version = version + 1, updated_at = ? \
     WHERE id = ? AND version = ? AND is_root = 0 RETURNING version";
const DELETE_SPECIALTY: &str = "DELETE FROM specialties WHERE id = ? AND version = ? AND is_root = 0 RETURNING id";
const COUNT_CHILDREN: &str = "SELECT COUNT(*) FROM specialties WHERE parent_id = ?";
const SPECIALTY_COMMITTEES: &str =
    "SELECT committee_id FROM committee_specialties WHERE specialty = ? ORDER BY committee_id LIMIT 5";
const SPECIALTY_APPLICATIONS: &str =
    "SELECT COUNT(*) FROM applications WHERE json_extract(form, '$.specialty') = ? OR specialty = ?";

/// Inserts a specialty below `parent_id`.
pub fn insert_specialty(db: &dyn Db, parent_id: i64, code: &str, name: &str, now: &str) -> Result<i64, StoreError> {
    first_id(db.query(INSERT_SPECIALTY, &[parent_id.into(), code.into(), name.into(), now.into(), now.into()])?)
}

/// Compare-and-set edit; `None` if the row moved on.
pub fn update_specialty(
    db: &dyn Db,
    id: i64,
    version: i64,
    code: &str,
    name: &str,
    now: &str,
) -> Result<Option<i64>, StoreError> {
    db.query_opt(UPDATE_SPECIALTY, &[code.into(), name.into(), now.into(), id.into(), version.into()])?
        .map(|r| r.int(0))
        .transpose()
}

/// Compare-and-set delete; `false` if the row moved on.
pub fn delete_specialty(db: &dyn Db, id: i64, version: i64) -> Result<bool, StoreError> {
    Ok(!db.query(DELETE_SPECIALTY, &[id.into(), version.into()])?.is_empty())
}

/// How many children a node has.
pub fn specialty_children(db: &dyn Db, id: i64) -> Result<i64, StoreError> {
    count(db, COUNT_CHILDREN, &[id.into()])
}

/// What uses a specialty name: up to five committees, and the number of applications.
pub fn specialty_usage(db: &dyn Db, name: &str) -> Result<(Vec<String>, i64), StoreError> {
    let committees =
        db.query(SPECIALTY_COMMITTEES, &[name.into()])?.iter().map(|r| r.text(0)).collect::<Result<_, _>>()?;
    let apps = count(db, SPECIALTY_APPLICATIONS, &[name.into(), name.into()])?;
    Ok((committees, apps))
}

// ---------------------------------------------------------------- titles

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

const INSERT_TITLE: &str = "INSERT INTO titles (series, name, level, mohrss_title, mohrss_code, version, created_at, \
     updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id";
const UPDATE_TITLE: &str = "UPDATE titles SET series = ?, name = ?, level = ?, mohrss_title = ?, mohrss_code = ?, \
     version = version + 1, updated_at = ? WHERE id = ? AND version = ? RETURNING version";
const DELETE_TITLE: &str = "DELETE FROM titles WHERE id = ? AND version = ? RETURNING id";
const TITLE_APPLICATIONS: &str = "SELECT COUNT(*) FROM applications \
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

// ---------------------------------------------------------------- organisations (lookup)

pub use crate::store::chain::{organisation, ORG_COLUMNS as ORG_SELECT};

// ---------------------------------------------------------------- institutions

/// An acceptance institution (受理机构).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Institution {
    pub id: i64,
    pub node_type: String,
    pub org_id: String,
    pub org_name: String,
    pub certificate_name: String,
    pub level: String,
    pub method: String,
    pub notice: String,
    pub status: String,
    pub cancel_reason: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

/// Columns of [`Institution`] over [`INSTITUTION_FROM`].
pub const INSTITUTION_SELECT: &str = "i.id, i.node_type, i.org_id, o.name, i.certificate_name, i.level, i.method, \
     i.notice, i.status, i.cancel_reason, i.version, i.updated_at";
/// The join an institution listing reads from.
pub const INSTITUTION_FROM: &str = "acceptance_institutions i JOIN organisations o ON o.id = i.org_id";

/// Decodes an [`INSTITUTION_SELECT`] row.
pub fn institution(r: &Row) -> Result<Institution, StoreError> {
    Ok(Institution {
        id: r.int(0)?,
        node_type: r.text(1)?,
        org_id: r.text(2)?,
        org_name: r.text(3)?,
        certificate_name: r.text(4)?,
        level: r.text(5)?,
        method: r.text(6)?,
        notice: r.text(7)?,
        status: r.text(8)?,
        cancel_reason: r.opt_text(9)?,
        version: r.int(10)?,
        updated_at: r.text(11)?,
    })
}

/// One institution by id.
pub fn institution_by_id(db: &dyn Db, id: i64) -> Result<Option<Institution>, StoreError> {
    let sql = format!("SELECT {INSTITUTION_SELECT} FROM {INSTITUTION_FROM} WHERE i.id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(institution).transpose()
}

/// The fields of an institution as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionFields<'a> {
    pub node_type: &'a str,
    pub org_id: &'a str,
    pub certificate_name: &'a str,
    pub level: &'a str,
    pub method: &'a str,
    pub notice: &'a str,
}

const ACTIVE_INSTITUTION: &str = "SELECT id FROM acceptance_institutions WHERE org_id = ? AND level = ? \
     AND method = ? AND status = 'active' AND id <> ?";
const INSERT_INSTITUTION: &str = "INSERT INTO acceptance_institutions (node_type, org_id, certificate_name, level, \
     method, notice, status, version, created_by, created_at, updated_at) \
     VALUES (?, ?, ?, ?, ?, ?, 'active', 1, ?, ?, ?) RETURNING id";
const UPDATE_INSTITUTION: &str = "UPDATE acceptance_institutions SET node_type = ?, org_id = ?, certificate_name = ?, \
     level = ?, method = ?, notice = ?, version = version + 1, updated_at = ? \
     WHERE id = ? AND version = ? AND status = 'active' RETURNING version";
const CANCEL_INSTITUTION: &str = "UPDATE acceptance_institutions SET status = 'cancelled', cancel_reason = ?, \
     version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND status = 'active' RETURNING version";

/// Another active institution for the same organisation, level and method.
pub fn institution_duplicate(db: &dyn Db, f: &InstitutionFields<'_>, except: i64) -> Result<bool, StoreError> {
    Ok(db.query_opt(ACTIVE_INSTITUTION, &[f.org_id.into(), f.level.into(), f.method.into(), except.into()])?.is_some())
}

fn institution_params(f: &InstitutionFields<'_>) -> Vec<Value> {
    vec![
        f.node_type.into(),
        f.org_id.into(),
        f.certificate_name.into(),
        f.level.into(),
        f.method.into(),
        f.notice.into(),
    ]
}

/// Inserts an active institution.
pub fn insert_institution(db: &dyn Db, f: &InstitutionFields<'_>, by: &str, now: &str) -> Result<i64, StoreError> {
    let mut p = institution_params(f);
    p.extend([by.into(), now.into(), now.into()]);
    first_id(db.query(INSERT_INSTITUTION, &p)?)
}

/// Compare-and-set edit of an active institution.
pub fn update_institution(
    db: &dyn Db,
    id: i64,
    version: i64,
    f: &InstitutionFields<'_>,
    now: &str,
) -> Result<Option<i64>, StoreError> {
    let mut p = institution_params(f);
    p.extend([now.into(), id.into(), version.into()]);
    db.query_opt(UPDATE_INSTITUTION, &p)?.map(|r| r.int(0)).transpose()
}

/// Compare-and-set cancel (注销) of an active institution.
pub fn cancel_institution(db: &dyn Db, id: i64, version: i64, reason: &str, now: &str) -> Result<bool, StoreError> {
    Ok(!db.query(CANCEL_INSTITUTION, &[reason.into(), now.into(), id.into(), version.into()])?.is_empty())
}

// ---------------------------------------------------------------- committees

/// A committee with everything the province administers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Committee {
    pub id: String,
    pub name: String,
    pub series: String,
    pub max_level: String,
    pub is_final: bool,
    pub valid_until: String,
    pub status: String,
    pub cancel_reason: Option<String>,
    pub version: i64,
    pub organising_org: String,
    /// Every organising unit, the first being `organising_org`.
    pub organisers: Vec<CommitteeOrganiser>,
    pub specialties: Vec<String>,
    pub fees: Vec<CommitteeFee>,
    /// The operator (联系人); the ID number is stored in full and shown masked.
    pub operator_name: Option<String>,
    pub operator_citizen_id: Option<String>,
    pub operator_phone: Option<String>,
    pub remarks: String,
    pub updated_at: String,
}

/// An organising unit of a committee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitteeOrganiser {
    pub org_id: String,
    pub name: String,
}

/// A fee standard (缴费标准) in 分.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitteeFee {
    pub item: String,
    pub amount_fen: i64,
}

/// Columns of a committee over [`COMMITTEE_FROM`].
pub const COMMITTEE_SELECT: &str = "c.id, c.name, c.series, c.max_level, c.is_final, c.valid_until, c.status, \
     c.cancel_reason, c.version, c.organising_org, d.operator_name, d.operator_citizen_id, d.operator_phone, \
     d.remarks, c.updated_at";
/// The join a committee listing reads from.
pub const COMMITTEE_FROM: &str = "committees c LEFT JOIN committee_details d ON d.committee_id = c.id";

const SELECT_ORGANISERS: &str = "SELECT co.org_id, o.name FROM committee_organisers co \
     JOIN organisations o ON o.id = co.org_id WHERE co.committee_id = ? ORDER BY co.position";
const SELECT_PRIMARY_ORGANISER: &str = "SELECT id, name FROM organisations WHERE id = ?";
const SELECT_SPECIALTIES: &str =
    "SELECT specialty FROM committee_specialties WHERE committee_id = ? ORDER BY specialty";
const SELECT_FEES: &str = "SELECT item, amount_fen FROM committee_fees WHERE committee_id = ? ORDER BY item";

/// Decodes a [`COMMITTEE_SELECT`] row and loads its organisers, specialties and fees.
pub fn committee(db: &dyn Db, r: &Row) -> Result<Committee, StoreError> {
    let id = r.text(0)?;
    let organising_org = r.text(9)?;
    let mut organisers: Vec<CommitteeOrganiser> = db
        .query(SELECT_ORGANISERS, &[id.as_str().into()])?
        .iter()
        .map(|r| Ok(CommitteeOrganiser { org_id: r.text(0)?, name: r.text(1)? }))
        .collect::<Result<_, StoreError>>()?;
    if organisers.is_empty() {
        // A committee created by the audit chain has only `organising_org`.
        if let Some(o) = db.query_opt(SELECT_PRIMARY_ORGANISER, &[organising_org.as_str().into()])? {
            organisers.push(CommitteeOrganiser { org_id: o.text(0)?, name: o.text(1)? });
        }
    }
    Ok(Committee {
        specialties: db
            .query(SELECT_SPECIALTIES, &[id.as_str().into()])?
            .iter()
            .map(|r| r.text(0))
            .collect::<Result<_, _>>()?,
        fees: db
            .query(SELECT_FEES, &[id.as_str().into()])?
            .iter()
            .map(|r| Ok(CommitteeFee { item: r.text(0)?, amount_fen: r.int(1)? }))
            .collect::<Result<_, StoreError>>()?,
        organisers,
        id,
        name: r.text(1)?,
        series: r.text(2)?,
        max_level: r.text(3)?,
        is_final: r.int(4)? != 0,
        valid_until: r.text(5)?,
        status: r.text(6)?,
        cancel_reason: r.opt_text(7)?,
        version: r.int(8)?,
        organising_org,
        operator_name: r.opt_text(10)?,
        operator_citizen_id: r.opt_text(11)?,
        operator_phone: r.opt_text(12)?,
        remarks: r.opt_text(13)?.unwrap_or_default(),
        updated_at: r.text(14)?,
    })
}

/// One committee by id.
pub fn committee_by_id(db: &dyn Db, id: &str) -> Result<Option<Committee>, StoreError> {
    let sql = format!("SELECT {COMMITTEE_SELECT} FROM {COMMITTEE_FROM} WHERE c.id = ?");
    match db.query_opt(&sql, &[id.into()])? {
        Some(r) => committee(db, &r).map(Some),
        None => Ok(None),
    }
}

/// The administered fields of a committee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitteeFields<'a> {
    pub name: &'a str,
    pub series: &'a str,
    pub max_level: &'a str,
    pub is_final: bool,
    pub valid_until: &'a str,
    pub organisers: &'a [String],
    pub specialties: &'a [String],
    pub fees: &'a [(String, i64)],
    pub operator_name: &'a str,
    pub operator_citizen_id: &'a str,
    pub operator_phone: &'a str,
    pub remarks: &'a str,
}

const UPDATE_COMMITTEE: &str = "UPDATE committees SET name = ?, organising_org = ?, series = ?, max_level = ?, \
     is_final = ?, valid_until = ?, version = version + 1, updated_at = ? \
     WHERE id = ? AND version = ? AND status = 'active' RETURNING version";
const UPSERT_DETAILS: &str = "INSERT INTO committee_details (committee_id, operator_name, operator_citizen_id, \
     operator_phone, remarks, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
     ON CONFLICT (committee_id) DO UPDATE SET operator_name = excluded.operator_name, \
     operator_citizen_id = excluded.operator_citizen_id, operator_phone = excluded.operator_phone, \
     remarks = excluded.remarks, updated_by = excluded.updated_by, updated_at = excluded.updated_at";
const DELETE_ORGANISERS: &str = "DELETE FROM committee_organisers WHERE committee_id = ?";
const INSERT_ORGANISER: &str = "INSERT INTO committee_organisers (committee_id, org_id, position) VALUES (?, ?, ?)";
const DELETE_SPECIALTIES: &str = "DELETE FROM committee_specialties WHERE committee_id = ?";
const INSERT_SPECIALTY_OF: &str = "INSERT INTO committee_specialties (committee_id, specialty) VALUES (?, ?)";
const DELETE_FEES: &str = "DELETE FROM committee_fees WHERE committee_id = ?";
const INSERT_FEE: &str = "INSERT INTO committee_fees (committee_id, item, amount_fen) VALUES (?, ?, ?)";
const CANCEL_COMMITTEE: &str = "UPDATE committees SET status = 'cancelled', cancel_reason = ?, \
     version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND status = 'active' RETURNING version";

/// Writes the details, organisers, specialties and fees of a committee (replacing them).
pub fn write_committee_details(
    db: &dyn Db,
    id: &str,
    f: &CommitteeFields<'_>,
    by: &str,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(
        UPSERT_DETAILS,
        &[
            id.into(),
            f.operator_name.into(),
            f.operator_citizen_id.into(),
            f.operator_phone.into(),
            f.remarks.into(),
            by.into(),
            now.into(),
        ],
    )?;
    db.execute(DELETE_ORGANISERS, &[id.into()])?;
    for (i, o) in f.organisers.iter().enumerate() {
        db.execute(INSERT_ORGANISER, &[id.into(), o.into(), (i as i64).into()])?;
    }
    db.execute(DELETE_SPECIALTIES, &[id.into()])?;
    for s in f.specialties {
        db.execute(INSERT_SPECIALTY_OF, &[id.into(), s.into()])?;
    }
    db.execute(DELETE_FEES, &[id.into()])?;
    for (item, fen) in f.fees {
        db.execute(INSERT_FEE, &[id.into(), item.into(), (*fen).into()])?;
    }
    Ok(())
}

/// Compare-and-set edit of the committee row itself.
pub fn update_committee(
    db: &dyn Db,
    id: &str,
    version: i64,
    f: &CommitteeFields<'_>,
    now: &str,
) -> Result<Option<i64>, StoreError> {
    let primary = f.organisers.first().map(String::as_str).unwrap_or_default();
    db.query_opt(
        UPDATE_COMMITTEE,
        &[
            f.name.into(),
            primary.into(),
            f.series.into(),
            f.max_level.into(),
            f.is_final.into(),
            f.valid_until.into(),
            now.into(),
            id.into(),
            version.into(),
        ],
    )?
    .map(|r| r.int(0))
    .transpose()
}

/// Compare-and-set cancel (注销) with a reason.
pub fn cancel_committee(db: &dyn Db, id: &str, version: i64, reason: &str, now: &str) -> Result<bool, StoreError> {
    Ok(!db.query(CANCEL_COMMITTEE, &[reason.into(), now.into(), id.into(), version.into()])?.is_empty())
}

/// The SQL condition "this application is still open" (not a draft, not in `closed`).
fn open_condition(closed: &[&str]) -> String {
    let list = std::iter::once("'draft'").chain(closed.iter().map(|_| "?")).collect::<Vec<_>>().join(", ");
    format!("state NOT IN ({list})")
}

/// Open applications (not drafts, not in a `closed` state) whose committee is `id`, and
/// (when given) whose specialty is `specialty`: their count and up to ten ids.
pub fn open_applications_of_committee(
    db: &dyn Db,
    id: &str,
    specialty: Option<&str>,
    closed: &[&str],
) -> Result<(i64, Vec<i64>), StoreError> {
    let mut params: Vec<Value> = vec![id.into(), id.into()];
    params.extend(closed.iter().map(|s| Value::from(*s)));
    let mut filter = format!("(committee = ? OR json_extract(form, '$.committee') = ?) AND {}", open_condition(closed));
    if let Some(s) = specialty {
        filter.push_str(" AND (specialty = ? OR json_extract(form, '$.specialty') = ?)");
        params.extend([s.into(), s.into()]);
    }
    let total = count(db, &format!("SELECT COUNT(*) FROM applications WHERE {filter}"), &params)?;
    let ids = db
        .query(&format!("SELECT id FROM applications WHERE {filter} ORDER BY id LIMIT 10"), &params)?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    Ok((total, ids))
}

// ---------------------------------------------------------------- audit-path edges

/// An audit-path edge with its organisations' names and its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathEdge {
    pub id: i64,
    pub lower_org: String,
    pub lower_name: String,
    pub upper_org: String,
    pub upper_name: String,
    pub level: String,
    pub method: String,
    pub step: String,
    pub status: String,
    pub created_by: String,
    pub created_at: String,
    pub cancelled_at: Option<String>,
    pub cancel_reason: Option<String>,
    pub version: i64,
}

/// Version kind of an edge in `admin_row_versions`.
pub const EDGE_VERSION_KIND: &str = "audit_path_edge";

/// Columns of [`PathEdge`] over [`EDGE_FROM`].
pub const EDGE_SELECT: &str = "e.id, e.lower_org, lo.name, e.upper_org, uo.name, e.level, e.method, e.step, e.status, \
     e.created_by, e.created_at, e.cancelled_at, e.cancel_reason, COALESCE(v.version, 1)";
/// The join an edge listing reads from.
pub const EDGE_FROM: &str = "audit_path_edges e JOIN organisations lo ON lo.id = e.lower_org \
     JOIN organisations uo ON uo.id = e.upper_org \
     LEFT JOIN admin_row_versions v ON v.kind = 'audit_path_edge' AND v.key = CAST(e.id AS TEXT)";

/// Decodes an [`EDGE_SELECT`] row.
pub fn path_edge(r: &Row) -> Result<PathEdge, StoreError> {
    Ok(PathEdge {
        id: r.int(0)?,
        lower_org: r.text(1)?,
        lower_name: r.text(2)?,
        upper_org: r.text(3)?,
        upper_name: r.text(4)?,
        level: r.text(5)?,
        method: r.text(6)?,
        step: r.text(7)?,
        status: r.text(8)?,
        created_by: r.text(9)?,
        created_at: r.text(10)?,
        cancelled_at: r.opt_text(11)?,
        cancel_reason: r.opt_text(12)?,
        version: r.int(13)?,
    })
}

/// One edge by id.
pub fn path_edge_by_id(db: &dyn Db, id: i64) -> Result<Option<PathEdge>, StoreError> {
    let sql = format!("SELECT {EDGE_SELECT} FROM {EDGE_FROM} WHERE e.id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(path_edge).transpose()
}

const UPDATE_EDGE: &str =
    "UPDATE audit_path_edges SET upper_org = ?, step = ? WHERE id = ? AND status = 'active' RETURNING id";

/// Changes an active edge's upper organisation and step.
pub fn update_edge(db: &dyn Db, id: i64, upper: &str, step: &str) -> Result<bool, StoreError> {
    Ok(!db.query(UPDATE_EDGE, &[upper.into(), step.into(), id.into()])?.is_empty())
}

/// Whether following active edges up from `upper` for this level and method comes back
/// to `lower` (the edit would close a loop).
pub fn edge_would_loop(db: &dyn Db, lower: &str, upper: &str, level: &str, method: &str) -> Result<bool, StoreError> {
    const SQL: &str = "SELECT upper_org FROM audit_path_edges WHERE lower_org = ? AND level = ? AND method = ? \
         AND status = 'active'";
    let mut at = upper.to_owned();
    for _ in 0..64 {
        if at == lower {
            return Ok(true);
        }
        match db.query_opt(SQL, &[at.as_str().into(), level.into(), method.into()])? {
            Some(r) => at = r.text(0)?,
            None => return Ok(false),
        }
    }
    Ok(true)
}

// ---------------------------------------------------------------- blacklist

/// A blacklist record (诚信档案).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlacklistRecord {
    pub id: i64,
    pub citizen_id: String,
    pub name: String,
    pub reason: String,
    pub recorded_on: String,
    pub expires_on: String,
    pub lifted_at: Option<String>,
    pub lifted_reason: Option<String>,
    pub created_at: String,
    pub version: i64,
}

/// Version kind of a blacklist record in `admin_row_versions`.
pub const BLACKLIST_VERSION_KIND: &str = "blacklist";

/// Columns of [`BlacklistRecord`] over [`BLACKLIST_FROM`].
pub const BLACKLIST_SELECT: &str = "b.id, b.citizen_id, b.name, b.reason, b.recorded_on, b.expires_on, b.lifted_at, \
     b.lifted_reason, b.created_at, COALESCE(v.version, 1)";
/// The join a blacklist listing reads from.
pub const BLACKLIST_FROM: &str = "blacklist b LEFT JOIN admin_row_versions v ON v.kind = 'blacklist' \
     AND v.key = CAST(b.id AS TEXT)";

/// Decodes a [`BLACKLIST_SELECT`] row.
pub fn blacklist_record(r: &Row) -> Result<BlacklistRecord, StoreError> {
    Ok(BlacklistRecord {
        id: r.int(0)?,
        citizen_id: r.text(1)?,
        name: r.text(2)?,
        reason: r.text(3)?,
        recorded_on: r.text(4)?,
        expires_on: r.text(5)?,
        lifted_at: r.opt_text(6)?,
        lifted_reason: r.opt_text(7)?,
        created_at: r.text(8)?,
        version: r.int(9)?,
    })
}

/// One record by id.
pub fn blacklist_by_id(db: &dyn Db, id: i64) -> Result<Option<BlacklistRecord>, StoreError> {
    let sql = format!("SELECT {BLACKLIST_SELECT} FROM {BLACKLIST_FROM} WHERE b.id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(blacklist_record).transpose()
}

const OVERLAPPING: &str = "SELECT id FROM blacklist WHERE citizen_id = ? AND lifted_at IS NULL AND id <> ? \
     AND recorded_on <= ? AND expires_on >= ? LIMIT 1";
const INSERT_BLACKLIST: &str = "INSERT INTO blacklist (citizen_id, name, reason, recorded_on, expires_on, created_at) \
     VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
const UPDATE_BLACKLIST: &str = "UPDATE blacklist SET name = ?, reason = ?, recorded_on = ?, expires_on = ? \
     WHERE id = ? AND lifted_at IS NULL RETURNING id";
const LIFT_BLACKLIST: &str =
    "UPDATE blacklist SET lifted_at = ?, lifted_reason = ? WHERE id = ? AND lifted_at IS NULL RETURNING id";
const EXPIRED_UNLIFTED: &str =
    "SELECT id FROM blacklist WHERE lifted_at IS NULL AND expires_on < ? ORDER BY id LIMIT ?";

/// Another unlifted record of the same person whose period overlaps `[from, to]`.
pub fn blacklist_overlap(
    db: &dyn Db,
    citizen_id: &str,
    from: &str,
    to: &str,
    except: i64,
) -> Result<Option<i64>, StoreError> {
    db.query_opt(OVERLAPPING, &[citizen_id.into(), except.into(), to.into(), from.into()])?
        .map(|r| r.int(0))
        .transpose()
}

/// Inserts a record.
pub fn insert_blacklist(
    db: &dyn Db,
    citizen_id: &str,
    name: &str,
    reason: &str,
    recorded_on: &str,
    expires_on: &str,
    now: &str,
) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_BLACKLIST,
        &[citizen_id.into(), name.into(), reason.into(), recorded_on.into(), expires_on.into(), now.into()],
    )?)
}

/// Changes an unlifted record (the version is checked by the caller with
/// [`bump_row_version`] in the same transaction).
pub fn update_blacklist(
    db: &dyn Db,
    id: i64,
    name: &str,
    reason: &str,
    recorded_on: &str,
    expires_on: &str,
) -> Result<bool, StoreError> {
    Ok(!db
        .query(UPDATE_BLACKLIST, &[name.into(), reason.into(), recorded_on.into(), expires_on.into(), id.into()])?
        .is_empty())
}

/// Lifts an unlifted record.
pub fn lift_blacklist(db: &dyn Db, id: i64, reason: &str, now: &str) -> Result<bool, StoreError> {
    Ok(!db.query(LIFT_BLACKLIST, &[now.into(), reason.into(), id.into()])?.is_empty())
}

/// Unlifted records whose last day is before `today`.
pub fn expired_unlifted(db: &dyn Db, today: &str, limit: i64) -> Result<Vec<i64>, StoreError> {
    db.query(EXPIRED_UNLIFTED, &[today.into(), limit.into()])?.iter().map(|r| r.int(0)).collect()
}

/// A person found by name or ID number among applications (for "add by lookup").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonHit {
    pub application_id: i64,
    pub name: String,
    pub citizen_id: String,
    pub unit_org: String,
}

const PEOPLE: &str = "SELECT MAX(id), applicant_name, citizen_id, unit_org FROM applications \
     WHERE citizen_id IS NOT NULL AND (applicant_name LIKE ? ESCAPE '\\' OR citizen_id = ?) \
     GROUP BY citizen_id ORDER BY applicant_name LIMIT 50";
const PERSON_BY_APPLICATION: &str =
    "SELECT id, applicant_name, citizen_id, unit_org FROM applications WHERE id = ? AND citizen_id IS NOT NULL";

fn person(r: &Row) -> Result<PersonHit, StoreError> {
    Ok(PersonHit { application_id: r.int(0)?, name: r.text(1)?, citizen_id: r.text(2)?, unit_org: r.text(3)? })
}

/// People whose name contains `q` or whose ID number is `q` (at most 50).
pub fn people(db: &dyn Db, q: &str) -> Result<Vec<PersonHit>, StoreError> {
    db.query(PEOPLE, &[like(q).into(), q.trim().to_ascii_uppercase().into()])?.iter().map(person).collect()
}

/// The person of an application.
pub fn person_by_application(db: &dyn Db, id: i64) -> Result<Option<PersonHit>, StoreError> {
    db.query_opt(PERSON_BY_APPLICATION, &[id.into()])?.as_ref().map(person).transpose()
}

// ---------------------------------------------------------------- unit registrations

/// A unit registration (公服账号注册).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registration {
    pub id: i64,
    pub org_id: String,
    pub credit_code: String,
    pub name: String,
    pub region_code: String,
    pub public_institution: bool,
    pub legal_representative: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub address: String,
    pub review_org: String,
    pub registrant_sub: String,
    pub registrant_name: String,
    pub status: String,
    pub opinion: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// Columns of [`Registration`].
pub const REGISTRATION_SELECT: &str = "id, org_id, credit_code, name, region_code, public_institution, \
     legal_representative, contact_name, contact_phone, address, review_org, registrant_sub, registrant_name, \
     status, opinion, reviewed_by, reviewed_at, version, created_at, updated_at";

/// Decodes a [`REGISTRATION_SELECT`] row.
pub fn registration(r: &Row) -> Result<Registration, StoreError> {
    Ok(Registration {
        id: r.int(0)?,
        org_id: r.text(1)?,
        credit_code: r.text(2)?,
        name: r.text(3)?,
        region_code: r.text(4)?,
        public_institution: r.int(5)? != 0,
        legal_representative: r.text(6)?,
        contact_name: r.text(7)?,
        contact_phone: r.text(8)?,
        address: r.text(9)?,
        review_org: r.text(10)?,
        registrant_sub: r.text(11)?,
        registrant_name: r.text(12)?,
        status: r.text(13)?,
        opinion: r.opt_text(14)?,
        reviewed_by: r.opt_text(15)?,
        reviewed_at: r.opt_text(16)?,
        version: r.int(17)?,
        created_at: r.text(18)?,
        updated_at: r.text(19)?,
    })
}

/// One registration by id.
pub fn registration_by_id(db: &dyn Db, id: i64) -> Result<Option<Registration>, StoreError> {
    let sql = format!("SELECT {REGISTRATION_SELECT} FROM unit_registrations WHERE id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(registration).transpose()
}

/// The fields a unit fills in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationFields<'a> {
    pub credit_code: &'a str,
    pub name: &'a str,
    pub region_code: &'a str,
    pub public_institution: bool,
    pub legal_representative: &'a str,
    pub contact_name: &'a str,
    pub contact_phone: &'a str,
    pub address: &'a str,
    pub review_org: &'a str,
}

const INSERT_REGISTRATION: &str = "INSERT INTO unit_registrations (org_id, credit_code, name, region_code, \
     public_institution, legal_representative, contact_name, contact_phone, address, review_org, registrant_sub, \
     registrant_name, status, version, created_at, updated_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?) RETURNING id";
const CORRECT_REGISTRATION: &str = "UPDATE unit_registrations SET name = ?, region_code = ?, public_institution = ?, \
     legal_representative = ?, contact_name = ?, contact_phone = ?, address = ?, review_org = ?, status = 'pending', \
     version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND status IN ('pending', 'rejected') \
     RETURNING version";
const DECIDE_REGISTRATION: &str = "UPDATE unit_registrations SET status = ?, opinion = ?, reviewed_by = ?, \
     reviewed_at = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND status = 'pending' \
     RETURNING version";
const INSERT_PENDING_ORG: &str = "INSERT INTO organisations (id, kind, name, credit_code, region_code, \
     public_institution, self_review, status, version, created_at, updated_at) \
     VALUES (?, 'unit', ?, ?, ?, ?, 0, 'pending', 1, ?, ?) ON CONFLICT DO NOTHING RETURNING id";
const SET_ORG_STATUS: &str = "UPDATE organisations SET status = ?, name = ?, region_code = ?, public_institution = ?, \
     version = version + 1, updated_at = ? WHERE id = ? AND status IN ('pending', 'rejected') RETURNING id";

/// Inserts a pending registration.
pub fn insert_registration(
    db: &dyn Db,
    org_id: &str,
    f: &RegistrationFields<'_>,
    sub: &str,
    name: &str,
    now: &str,
) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_REGISTRATION,
        &[
            org_id.into(),
            f.credit_code.into(),
            f.name.into(),
            f.region_code.into(),
            f.public_institution.into(),
            f.legal_representative.into(),
            f.contact_name.into(),
            f.contact_phone.into(),
            f.address.into(),
            f.review_org.into(),
            sub.into(),
            name.into(),
            now.into(),
            now.into(),
        ],
    )?)
}

/// Compare-and-set correction; the registration is pending again.
pub fn correct_registration(
    db: &dyn Db,
    id: i64,
    version: i64,
    f: &RegistrationFields<'_>,
    now: &str,
) -> Result<Option<i64>, StoreError> {
    db.query_opt(
        CORRECT_REGISTRATION,
        &[
            f.name.into(),
            f.region_code.into(),
            f.public_institution.into(),
            f.legal_representative.into(),
            f.contact_name.into(),
            f.contact_phone.into(),
            f.address.into(),
            f.review_org.into(),
            now.into(),
            id.into(),
            version.into(),
        ],
    )?
    .map(|r| r.int(0))
    .transpose()
}

/// Compare-and-set decision on a pending registration.
pub fn decide_registration(
    db: &dyn Db,
    id: i64,
    version: i64,
    status: &str,
    opinion: Option<&str>,
    by: &str,
    now: &str,
) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            DECIDE_REGISTRATION,
            &[
                status.into(),
                opinion.map(str::to_owned).into(),
                by.into(),
                now.into(),
                now.into(),
                id.into(),
                version.into(),
            ],
        )?
        .is_empty())
}

/// Inserts the unit's organisation as `pending`; `false` if the id is taken.
pub fn insert_pending_org(
    db: &dyn Db,
    org_id: &str,
    f: &RegistrationFields<'_>,
    now: &str,
) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            INSERT_PENDING_ORG,
            &[
                org_id.into(),
                f.name.into(),
                f.credit_code.into(),
                f.region_code.into(),
                f.public_institution.into(),
                now.into(),
                now.into(),
            ],
        )?
        .is_empty())
}

/// Moves a registering unit's organisation to `status` with its latest details.
pub fn set_registering_org(
    db: &dyn Db,
    org_id: &str,
    status: &str,
    f: &RegistrationFields<'_>,
    now: &str,
) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            SET_ORG_STATUS,
            &[
                status.into(),
                f.name.into(),
                f.region_code.into(),
                f.public_institution.into(),
                now.into(),
                org_id.into(),
            ],
        )?
        .is_empty())
}

/// Whether an organisation with this credit code exists.
pub fn credit_code_taken(db: &dyn Db, code: &str) -> Result<bool, StoreError> {
    Ok(count(db, "SELECT COUNT(*) FROM organisations WHERE credit_code = ?", &[code.into()])? > 0)
}

/// An attachment of a registration: the same metadata as an application's material.
pub use crate::store::applications::MaterialMeta as Attachment;

const INSERT_ATTACHMENT: &str = "INSERT INTO unit_registration_attachments (registration_id, kind, filename, \
     content_type, size, sha256, content, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
const SELECT_ATTACHMENTS: &str = "SELECT id, kind, filename, content_type, size, sha256, uploaded_at \
     FROM unit_registration_attachments WHERE registration_id = ? ORDER BY id";
const SELECT_ATTACHMENT: &str =
    "SELECT content_type, filename, content FROM unit_registration_attachments WHERE registration_id = ? AND id = ?";

/// Stores an attachment.
pub fn insert_attachment(db: &dyn Db, registration: i64, a: &Attachment, content: &[u8]) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_ATTACHMENT,
        &[
            registration.into(),
            a.kind.as_str().into(),
            a.filename.as_str().into(),
            a.content_type.as_str().into(),
            a.size.into(),
            a.sha256.as_str().into(),
            content.to_vec().into(),
            a.uploaded_at.as_str().into(),
        ],
    )?)
}

/// The attachments of a registration.
pub fn attachments(db: &dyn Db, registration: i64) -> Result<Vec<Attachment>, StoreError> {
    db.query(SELECT_ATTACHMENTS, &[registration.into()])?
        .iter()
        .map(crate::store::applications::material_meta)
        .collect()
}

/// One attachment's bytes: (content type, file name, content).
pub fn attachment_content(
    db: &dyn Db,
    registration: i64,
    id: i64,
) -> Result<Option<(String, String, Vec<u8>)>, StoreError> {
    match db.query_opt(SELECT_ATTACHMENT, &[registration.into(), id.into()])? {
        Some(r) => Ok(Some((r.text(0)?, r.text(1)?, r.blob(2)?))),
        None => Ok(None),
    }
}

// ---------------------------------------------------------------- annual batches

/// Every column of an annual batch (年度批次), dates as `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct BatchRow {
    pub year: i32,
    pub material_cutoff: String,
    pub voting_deadline: String,
    pub unit_publicity_working_days: i64,
    pub assessment_years: i64,
    pub quota_audit_deadline: Option<String>,
    pub special_quota_start: Option<String>,
    pub special_quota_end: Option<String>,
    pub plan_lead_working_days_self: i64,
    pub plan_lead_working_days_other: i64,
    pub result_publicity_open_working_days: i64,
    pub result_publicity_working_days: i64,
    pub filing_working_days: i64,
    pub notice: String,
}

/// Version kind of a batch in `admin_row_versions`.
pub const BATCH_VERSION_KIND: &str = "annual_batch";

const BATCH_COLUMNS: &str = "year, material_cutoff, voting_deadline, unit_publicity_working_days, assessment_years, \
     quota_audit_deadline, special_quota_start, special_quota_end, plan_lead_working_days_self, \
     plan_lead_working_days_other, result_publicity_open_working_days, result_publicity_working_days, \
     filing_working_days, notice";

fn batch_row(r: &Row) -> Result<BatchRow, StoreError> {
    Ok(BatchRow {
        year: r.int(0)? as i32,
        material_cutoff: r.text(1)?,
        voting_deadline: r.text(2)?,
        unit_publicity_working_days: r.int(3)?,
        assessment_years: r.int(4)?,
        quota_audit_deadline: r.opt_text(5)?,
        special_quota_start: r.opt_text(6)?,
        special_quota_end: r.opt_text(7)?,
        plan_lead_working_days_self: r.int(8)?,
        plan_lead_working_days_other: r.int(9)?,
        result_publicity_open_working_days: r.int(10)?,
        result_publicity_working_days: r.int(11)?,
        filing_working_days: r.int(12)?,
        notice: r.text(13)?,
    })
}

fn batch_params(b: &BatchRow) -> Vec<Value> {
    vec![
        b.year.into(),
        b.material_cutoff.as_str().into(),
        b.voting_deadline.as_str().into(),
        b.unit_publicity_working_days.into(),
        b.assessment_years.into(),
        b.quota_audit_deadline.clone().into(),
        b.special_quota_start.clone().into(),
        b.special_quota_end.clone().into(),
        b.plan_lead_working_days_self.into(),
        b.plan_lead_working_days_other.into(),
        b.result_publicity_open_working_days.into(),
        b.result_publicity_working_days.into(),
        b.filing_working_days.into(),
        b.notice.as_str().into(),
    ]
}

/// Every batch, newest first.
pub fn batches(db: &dyn Db) -> Result<Vec<BatchRow>, StoreError> {
    db.query(&format!("SELECT {BATCH_COLUMNS} FROM annual_batches ORDER BY year DESC"), &[])?
        .iter()
        .map(batch_row)
        .collect()
}

/// One batch by year.
pub fn batch_by_year(db: &dyn Db, year: i32) -> Result<Option<BatchRow>, StoreError> {
    db.query_opt(&format!("SELECT {BATCH_COLUMNS} FROM annual_batches WHERE year = ?"), &[year.into()])?
        .as_ref()
        .map(batch_row)
        .transpose()
}

/// Inserts a batch; `false` if the year exists.
pub fn insert_batch(db: &dyn Db, b: &BatchRow) -> Result<bool, StoreError> {
    let sql = format!(
        "INSERT INTO annual_batches ({BATCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (year) DO NOTHING RETURNING year"
    );
    Ok(!db.query(&sql, &batch_params(b))?.is_empty())
}

const UPDATE_BATCH: &str = "UPDATE annual_batches SET material_cutoff = ?, voting_deadline = ?, \
     unit_publicity_working_days = ?, assessment_years = ?, quota_audit_deadline = ?, special_quota_start = ?, \
     special_quota_end = ?, plan_lead_working_days_self = ?, plan_lead_working_days_other = ?, \
     result_publicity_open_working_days = ?, result_publicity_working_days = ?, filing_working_days = ?, notice = ? \
     WHERE year = ? RETURNING year";

/// Replaces a batch's settings (the version is checked with [`bump_row_version`]).
pub fn update_batch(db: &dyn Db, b: &BatchRow) -> Result<bool, StoreError> {
    let mut p = batch_params(b);
    let year = p.remove(0);
    p.push(year);
    Ok(!db.query(UPDATE_BATCH, &p)?.is_empty())
}

/// A committee's own dates for a year (二(五)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitteeBatch {
    pub year: i32,
    pub committee_id: String,
    pub material_cutoff: Option<String>,
    pub voting_deadline: Option<String>,
    pub version: i64,
}

const SELECT_COMMITTEE_BATCHES: &str = "SELECT year, committee_id, material_cutoff, voting_deadline, version \
     FROM committee_batches WHERE year = ? ORDER BY committee_id";
const SELECT_COMMITTEE_BATCH: &str = "SELECT year, committee_id, material_cutoff, voting_deadline, version \
     FROM committee_batches WHERE year = ? AND committee_id = ?";
const UPSERT_COMMITTEE_BATCH: &str = "INSERT INTO committee_batches (year, committee_id, material_cutoff, \
     voting_deadline, version, updated_by, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?) \
     ON CONFLICT (year, committee_id) DO UPDATE SET material_cutoff = excluded.material_cutoff, \
     voting_deadline = excluded.voting_deadline, version = version + 1, updated_by = excluded.updated_by, \
     updated_at = excluded.updated_at WHERE version = ? RETURNING version";

fn committee_batch(r: &Row) -> Result<CommitteeBatch, StoreError> {
    Ok(CommitteeBatch {
        year: r.int(0)? as i32,
        committee_id: r.text(1)?,
        material_cutoff: r.opt_text(2)?,
        voting_deadline: r.opt_text(3)?,
        version: r.int(4)?,
    })
}

/// The committees' own dates of a year.
pub fn committee_batches(db: &dyn Db, year: i32) -> Result<Vec<CommitteeBatch>, StoreError> {
    db.query(SELECT_COMMITTEE_BATCHES, &[year.into()])?.iter().map(committee_batch).collect()
}

/// One committee's own dates of a year.
pub fn committee_batch_of(db: &dyn Db, year: i32, committee: &str) -> Result<Option<CommitteeBatch>, StoreError> {
    db.query_opt(SELECT_COMMITTEE_BATCH, &[year.into(), committee.into()])?.as_ref().map(committee_batch).transpose()
}

/// Sets a committee's own dates (compare-and-set on `expected`, ignored for a new row).
#[allow(clippy::too_many_arguments)]
pub fn upsert_committee_batch(
    db: &dyn Db,
    year: i32,
    committee: &str,
    material_cutoff: Option<&str>,
    voting_deadline: Option<&str>,
    expected: i64,
    by: &str,
    now: &str,
) -> Result<Option<i64>, StoreError> {
    db.query_opt(
        UPSERT_COMMITTEE_BATCH,
        &[
            year.into(),
            committee.into(),
            material_cutoff.map(str::to_owned).into(),
            voting_deadline.map(str::to_owned).into(),
            by.into(),
            now.into(),
            expected.into(),
        ],
    )?
    .map(|r| r.int(0))
    .transpose()
}

// ---------------------------------------------------------------- calendar

/// A published calendar year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarYear {
    pub year: i32,
    pub notice: String,
    pub off_days: i64,
    pub adjusted_workdays: i64,
}

const SELECT_CALENDAR_YEARS: &str = "SELECT y.year, y.notice, \
     (SELECT COUNT(*) FROM work_calendar_days d WHERE d.kind = 'off' AND substr(d.day, 1, 4) = CAST(y.year AS TEXT)), \
     (SELECT COUNT(*) FROM work_calendar_days d WHERE d.kind = 'workday' AND substr(d.day, 1, 4) = CAST(y.year AS TEXT)) \
     FROM work_calendar_years y ORDER BY y.year";
const SELECT_YEAR_DAYS: &str = "SELECT day, kind FROM work_calendar_days WHERE day >= ? AND day <= ? ORDER BY day";
const DELETE_YEAR_DAYS: &str = "DELETE FROM work_calendar_days WHERE day >= ? AND day <= ?";
const INSERT_DAY: &str = "INSERT INTO work_calendar_days (day, kind) VALUES (?, ?)";
const UPSERT_YEAR: &str = "INSERT INTO work_calendar_years (year, notice) VALUES (?, ?) \
     ON CONFLICT (year) DO UPDATE SET notice = excluded.notice";

/// The published years with their day counts.
pub fn calendar_years(db: &dyn Db) -> Result<Vec<CalendarYear>, StoreError> {
    db.query(SELECT_CALENDAR_YEARS, &[])?
        .iter()
        .map(|r| {
            Ok(CalendarYear {
                year: r.int(0)? as i32,
                notice: r.text(1)?,
                off_days: r.int(2)?,
                adjusted_workdays: r.int(3)?,
            })
        })
        .collect()
}

/// The listed days of a year: (day, kind).
pub fn calendar_days(db: &dyn Db, year: i32) -> Result<Vec<(String, String)>, StoreError> {
    db.query(SELECT_YEAR_DAYS, &[format!("{year}-01-01").into(), format!("{year}-12-31").into()])?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?)))
        .collect()
}

/// Replaces a year's schedule and publishes the year.
pub fn replace_calendar_year(
    db: &dyn Db,
    year: i32,
    notice: &str,
    days: &[(String, &'static str)],
) -> Result<(), StoreError> {
    db.execute(DELETE_YEAR_DAYS, &[format!("{year}-01-01").into(), format!("{year}-12-31").into()])?;
    for (day, kind) in days {
        db.execute(INSERT_DAY, &[day.as_str().into(), (*kind).into()])?;
    }
    db.execute(UPSERT_YEAR, &[year.into(), notice.into()])
}

// ---------------------------------------------------------------- imports

/// A staged import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub filename: String,
    pub sha256: String,
    pub rows: String,
    pub report: String,
    pub commit_report: Option<String>,
    pub created_by: String,
    pub created_at: String,
}

const INSERT_IMPORT: &str = "INSERT INTO admin_imports (kind, status, filename, sha256, rows, report, created_by, \
     created_at) VALUES (?, 'validated', ?, ?, ?, ?, ?, ?) RETURNING id";
const SELECT_IMPORT: &str = "SELECT id, kind, status, filename, sha256, rows, report, commit_report, created_by, \
     created_at FROM admin_imports WHERE id = ? AND kind = ?";
const COMMIT_IMPORT: &str = "UPDATE admin_imports SET status = 'committed', commit_report = ?, committed_at = ? \
     WHERE id = ? AND status = 'validated' RETURNING id";

/// Stages a validated import.
#[allow(clippy::too_many_arguments)]
pub fn insert_import(
    db: &dyn Db,
    kind: &str,
    filename: &str,
    sha256: &str,
    rows: &str,
    report: &str,
    by: &str,
    now: &str,
) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_IMPORT,
        &[kind.into(), filename.into(), sha256.into(), rows.into(), report.into(), by.into(), now.into()],
    )?)
}

/// One staged import of a kind.
pub fn import_by_id(db: &dyn Db, id: i64, kind: &str) -> Result<Option<ImportRecord>, StoreError> {
    match db.query_opt(SELECT_IMPORT, &[id.into(), kind.into()])? {
        None => Ok(None),
        Some(r) => Ok(Some(ImportRecord {
            id: r.int(0)?,
            kind: r.text(1)?,
            status: r.text(2)?,
            filename: r.text(3)?,
            sha256: r.text(4)?,
            rows: r.text(5)?,
            report: r.text(6)?,
            commit_report: r.opt_text(7)?,
            created_by: r.text(8)?,
            created_at: r.text(9)?,
        })),
    }
}

/// Marks a validated import committed; `false` if it already was.
pub fn mark_import_committed(db: &dyn Db, id: i64, report: &str, now: &str) -> Result<bool, StoreError> {
    Ok(!db.query(COMMIT_IMPORT, &[report.into(), now.into(), id.into()])?.is_empty())
}

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::*;
    use crate::store::native::NativeDb;

    fn db() -> NativeDb {
        let db = NativeDb::open_in_memory().unwrap();
        crate::store::native::apply_migrations_dir(
            &db,
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations"),
        )
        .unwrap();
        db
    }

    #[test]
    fn the_migration_seeds_fixed_roots_and_is_idempotent() {
        let db = db();
        db.execute_batch(include_str!("../../../migrations/0004_administration.sql")).unwrap();
        assert_eq!(count(&db, "SELECT COUNT(*) FROM specialties WHERE is_root = 1", &[]).unwrap(), 14);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM title_series", &[]).unwrap(), 28);
    }

    #[test]
    fn a_row_version_starts_at_one_and_moves_only_from_the_expected_value() {
        let db = db();
        assert_eq!(row_version(&db, "k", "1").unwrap(), 1);
        assert!(!bump_row_version(&db, "k", "1", 2, "u", "t").unwrap());
        assert!(bump_row_version(&db, "k", "1", 1, "u", "t").unwrap());
        assert_eq!(row_version(&db, "k", "1").unwrap(), 2);
        assert!(!bump_row_version(&db, "k", "1", 1, "u", "t").unwrap());
        assert!(bump_row_version(&db, "k", "1", 2, "u", "t").unwrap());
        assert_eq!(row_version(&db, "k", "1").unwrap(), 3);
    }

    #[test]
    fn a_failed_savepoint_undoes_only_its_own_writes() {
        let db = db();
        let r: Result<(), DomainError> = crate::store::with_tx(&db, |tx| {
            insert_specialty(tx, 8, "0801", "力学", "t")?;
            let failed = savepoint(tx, |tx| {
                insert_specialty(tx, 8, "0802", "机械工程", "t")?;
                Err::<(), _>(DomainError::invalid("x", "y"))
            });
            assert!(failed.is_err());
            Ok(())
        });
        r.unwrap();
        assert!(specialty_by_code(&db, "0801").unwrap().is_some());
        assert!(specialty_by_code(&db, "0802").unwrap().is_none());
    }

    #[test]
    fn a_dry_run_leaves_nothing_behind() {
        let db = db();
        let id = dry_run(&db, |tx| Ok(insert_specialty(tx, 8, "0801", "力学", "t")?)).unwrap();
        assert!(id > 14);
        assert!(specialty_by_code(&db, "0801").unwrap().is_none());
    }

    #[test]
    fn like_escapes_wildcards() {
        assert_eq!(like("50%_a"), "%50\\%\\_a%");
    }
}
