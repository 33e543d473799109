//! SQL for applications, materials and objections.

use super::{Db, Row, StoreError, Value};
use crate::domain::application::{ApplicationState, Confirmed};

/// An application row as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationRecord {
    pub id: i64,
    pub applicant_id: String,
    pub applicant_name: String,
    pub batch_year: i32,
    pub unit_org: String,
    pub citizen_id: Option<String>,
    pub form: String,
    pub flags: String,
    pub state: ApplicationState,
    pub version: i64,
    pub publicity_start: Option<String>,
    pub publicity_end: Option<String>,
    pub complaint_office: Option<String>,
    pub complaint_phone: Option<String>,
    pub return_items: Option<String>,
    pub decision_reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub submit_key: Option<String>,
    pub series: String,
    pub target_level: String,
    pub specialty: String,
    pub committee: String,
    pub method: String,
    pub path: Option<String>,
    pub path_position: Option<i64>,
    pub holder_org: Option<String>,
    pub publicity_closed_on: Option<String>,
    pub recommended_at: Option<String>,
    pub plan_id: Option<i64>,
    pub voted_on: Option<String>,
}

const COLUMNS: &str = "id, applicant_id, applicant_name, batch_year, unit_org, citizen_id, form, flags, state, \
     version, publicity_start, publicity_end, complaint_office, complaint_phone, return_items, decision_reason, \
     created_at, updated_at, submitted_at, submit_key, series, target_level, specialty, committee, method, path, \
     path_position, holder_org, publicity_closed_on, recommended_at, plan_id, voted_on";

fn record(r: &Row) -> Result<ApplicationRecord, StoreError> {
    let state = r.text(8)?;
    Ok(ApplicationRecord {
        id: r.int(0)?,
        applicant_id: r.text(1)?,
        applicant_name: r.text(2)?,
        batch_year: r.int(3)? as i32,
        unit_org: r.text(4)?,
        citizen_id: r.opt_text(5)?,
        form: r.text(6)?,
        flags: r.text(7)?,
        state: ApplicationState::parse(&state).ok_or_else(|| StoreError::Decode(format!("state {state}")))?,
        version: r.int(9)?,
        publicity_start: r.opt_text(10)?,
        publicity_end: r.opt_text(11)?,
        complaint_office: r.opt_text(12)?,
        complaint_phone: r.opt_text(13)?,
        return_items: r.opt_text(14)?,
        decision_reason: r.opt_text(15)?,
        created_at: r.text(16)?,
        updated_at: r.text(17)?,
        submitted_at: r.opt_text(18)?,
        submit_key: r.opt_text(19)?,
        series: r.text(20)?,
        target_level: r.text(21)?,
        specialty: r.text(22)?,
        committee: r.text(23)?,
        method: r.text(24)?,
        path: r.opt_text(25)?,
        path_position: r.opt_int(26)?,
        holder_org: r.opt_text(27)?,
        publicity_closed_on: r.opt_text(28)?,
        recommended_at: r.opt_text(29)?,
        plan_id: r.opt_int(30)?,
        voted_on: r.opt_text(31)?,
    })
}

/// Loads one application by id.
pub fn load(db: &dyn Db, id: i64) -> Result<Option<ApplicationRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM applications WHERE id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(record).transpose()
}

/// The columns copied from the form so that lists, quotas and transfers can query them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormColumns {
    pub unit_org: String,
    pub citizen_id: Option<String>,
    pub series: String,
    pub target_level: String,
    pub specialty: String,
    pub committee: String,
    /// 取得方式 (review / initial / recognition).
    pub method: String,
}

impl FormColumns {
    /// Extracts the queried columns from a form.
    pub fn of(form: &crate::domain::application::ApplicationForm) -> FormColumns {
        FormColumns {
            unit_org: form.unit_org.clone().unwrap_or_default(),
            citizen_id: form.citizen_id.as_ref().map(|c| c.as_str().to_owned()),
            series: form.series.clone().unwrap_or_default(),
            target_level: form
                .target_level
                .and_then(|l| serde_json::to_value(l).ok())
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            specialty: form.specialty.clone().unwrap_or_default(),
            committee: form.committee.clone().unwrap_or_default(),
            method: form.acquisition().as_str().to_owned(),
        }
    }
}

/// Followed by the columns it returns ([`COLUMNS`]).
const INSERT_DRAFT_RETURNING: &str =
    "INSERT INTO applications (applicant_id, applicant_name, batch_year, unit_org, citizen_id, \
     series, target_level, specialty, committee, method, form, state, version, created_at, updated_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', 1, ?, ?) RETURNING ";

/// Inserts a draft and returns it as stored (the statement's `RETURNING`, not a re-read).
pub fn insert_draft(
    db: &dyn Db,
    applicant_id: &str,
    applicant_name: &str,
    batch_year: i32,
    cols: &FormColumns,
    form_json: &str,
    now: &str,
) -> Result<ApplicationRecord, StoreError> {
    let rows = db.query(
        &format!("{INSERT_DRAFT_RETURNING}{COLUMNS}"),
        &[
            applicant_id.into(),
            applicant_name.into(),
            batch_year.into(),
            cols.unit_org.as_str().into(),
            cols.citizen_id.clone().into(),
            cols.series.as_str().into(),
            cols.target_level.as_str().into(),
            cols.specialty.as_str().into(),
            cols.committee.as_str().into(),
            cols.method.as_str().into(),
            form_json.into(),
            now.into(),
            now.into(),
        ],
    )?;
    record(rows.first().ok_or_else(|| StoreError::Decode("insert returned no row".into()))?)
}

/// The fields a compare-and-set update may change. `None` leaves a column as it is.
/// The state is not among them: only a [`Confirmed`] move changes it ([`move_cas`]).
#[derive(Debug, Default, Clone)]
pub struct Changes {
    pub form_columns: Option<FormColumns>,
    pub form: Option<String>,
    pub flags: Option<String>,
    pub publicity_start: Option<String>,
    pub publicity_end: Option<String>,
    pub complaint_office: Option<String>,
    pub complaint_phone: Option<String>,
    pub return_items: Option<Option<String>>,
    pub decision_reason: Option<Option<String>>,
    pub submitted_at: Option<String>,
    pub submit_key: Option<Option<String>>,
    pub path: Option<Option<String>>,
    pub path_position: Option<Option<i64>>,
    pub holder_org: Option<Option<String>>,
    pub publicity_closed_on: Option<String>,
    pub recommended_at: Option<String>,
    pub plan_id: Option<Option<i64>>,
    pub voted_on: Option<Option<String>>,
}

/// What a compare-and-set gives back of the row it wrote (its `RETURNING`): the new
/// version, or the whole row for an operation that answers with it (one statement less
/// than reading it back).
pub trait Written: Sized {
    /// The columns the statement returns.
    const RETURNING: &'static str;
    /// Reads them.
    fn read(row: &Row) -> Result<Self, StoreError>;
}

/// The new version.
impl Written for i64 {
    const RETURNING: &'static str = "version";
    fn read(row: &Row) -> Result<Self, StoreError> {
        row.int(0)
    }
}

/// The row as written.
impl Written for ApplicationRecord {
    const RETURNING: &'static str = COLUMNS;
    fn read(row: &Row) -> Result<Self, StoreError> {
        record(row)
    }
}

/// Compare-and-set: applies `changes` only if the row is still at `version` and in
/// `expected_state`, which it keeps; bumps the version. Returns the row as written, or
/// `None` when the row moved on (the caller answers 409).
pub fn update_cas(
    db: &dyn Db,
    id: i64,
    version: i64,
    expected_state: ApplicationState,
    changes: &Changes,
    now: &str,
) -> Result<Option<ApplicationRecord>, StoreError> {
    cas(db, id, version, expected_state, None, changes, now)
}

/// Compare-and-set of a state change: moves the row from `step.from()` to `step.to()`
/// with `changes`, only if it is still at `version` and in `step.from()`; returns what `W`
/// reads of the row written. Called only by `workflow::transition`, which also records
/// the audit event.
pub fn move_cas<W: Written>(
    db: &dyn Db,
    id: i64,
    version: i64,
    step: &Confirmed,
    changes: &Changes,
    now: &str,
) -> Result<Option<W>, StoreError> {
    cas(db, id, version, step.from(), Some(step.to()), changes, now)
}

fn cas<W: Written>(
    db: &dyn Db,
    id: i64,
    version: i64,
    expected_state: ApplicationState,
    new_state: Option<ApplicationState>,
    changes: &Changes,
    now: &str,
) -> Result<Option<W>, StoreError> {
    let mut sets: Vec<&str> = vec!["version = version + 1", "updated_at = ?"];
    let mut params: Vec<Value> = vec![now.into()];
    let mut set = |col: &'static str, v: Value| {
        sets.push(col);
        params.push(v);
    };
    if let Some(s) = new_state {
        set("state = ?", s.as_str().into());
    }
    if let Some(c) = &changes.form_columns {
        set("unit_org = ?", c.unit_org.as_str().into());
        set("citizen_id = ?", c.citizen_id.clone().into());
        set("series = ?", c.series.as_str().into());
        set("target_level = ?", c.target_level.as_str().into());
        set("specialty = ?", c.specialty.as_str().into());
        set("committee = ?", c.committee.as_str().into());
        set("method = ?", c.method.as_str().into());
    }
    if let Some(v) = &changes.form {
        set("form = ?", v.into());
    }
    if let Some(v) = &changes.flags {
        set("flags = ?", v.into());
    }
    if let Some(v) = &changes.publicity_start {
        set("publicity_start = ?", v.into());
    }
    if let Some(v) = &changes.publicity_end {
        set("publicity_end = ?", v.into());
    }
    if let Some(v) = &changes.complaint_office {
        set("complaint_office = ?", v.into());
    }
    if let Some(v) = &changes.complaint_phone {
        set("complaint_phone = ?", v.into());
    }
    if let Some(v) = &changes.return_items {
        set("return_items = ?", v.clone().into());
    }
    if let Some(v) = &changes.decision_reason {
        set("decision_reason = ?", v.clone().into());
    }
    if let Some(v) = &changes.submitted_at {
        set("submitted_at = ?", v.into());
    }
    if let Some(v) = &changes.submit_key {
        set("submit_key = ?", v.clone().into());
    }
    if let Some(v) = &changes.path {
        set("path = ?", v.clone().into());
    }
    if let Some(v) = &changes.path_position {
        set("path_position = ?", (*v).into());
    }
    if let Some(v) = &changes.holder_org {
        set("holder_org = ?", v.clone().into());
    }
    if let Some(v) = &changes.publicity_closed_on {
        set("publicity_closed_on = ?", v.into());
    }
    if let Some(v) = &changes.recommended_at {
        set("recommended_at = ?", v.into());
    }
    if let Some(v) = &changes.plan_id {
        set("plan_id = ?", (*v).into());
    }
    if let Some(v) = &changes.voted_on {
        set("voted_on = ?", v.clone().into());
    }
    let sql = format!(
        "UPDATE applications SET {} WHERE id = ? AND version = ? AND state = ? RETURNING {}",
        sets.join(", "),
        W::RETURNING
    );
    params.extend([id.into(), version.into(), expected_state.as_str().into()]);
    db.query_opt(&sql, &params)?.as_ref().map(W::read).transpose()
}

/// Who a listing is for.
pub enum ListScope<'a> {
    /// The applicant's own applications.
    Applicant(&'a str),
    /// A unit's applications (never drafts).
    Unit(&'a str),
    /// What an organisation holds on the audit path now.
    Holder(&'a str),
    /// What passed an organisation (it acted on it).
    History(&'a str),
    /// Every submitted application (province).
    All,
}

/// Filters every listing accepts.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub state: Option<ApplicationState>,
    pub batch_year: Option<i32>,
    pub series: Option<String>,
    pub level: Option<String>,
    pub unit_org: Option<String>,
    pub committee: Option<String>,
}

/// The WHERE clause and its parameters for a scope and filter.
pub fn where_clause(scope: &ListScope<'_>, f: &ListFilter) -> (String, Vec<Value>) {
    let mut conds: Vec<&str> = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    match scope {
        ListScope::Applicant(sub) => {
            conds.push("applicant_id = ?");
            params.push((*sub).into());
        }
        ListScope::Unit(org) => {
            conds.push("unit_org = ? AND state <> 'draft'");
            params.push((*org).into());
        }
        ListScope::Holder(org) => {
            conds.push("holder_org = ?");
            params.push((*org).into());
        }
        ListScope::History(org) => {
            conds.push(
                "id IN (SELECT CAST(subject_id AS INTEGER) FROM audit_events WHERE subject_kind = 'application' AND org = ?)",
            );
            params.push((*org).into());
        }
        ListScope::All => conds.push("state <> 'draft'"),
    }
    if let Some(st) = f.state {
        conds.push("state = ?");
        params.push(st.as_str().into());
    }
    if let Some(y) = f.batch_year {
        conds.push("batch_year = ?");
        params.push(y.into());
    }
    for (col, v) in
        [("series", &f.series), ("target_level", &f.level), ("unit_org", &f.unit_org), ("committee", &f.committee)]
    {
        if let Some(v) = v {
            conds.push(match col {
                "series" => "series = ?",
                "target_level" => "target_level = ?",
                "unit_org" => "unit_org = ?",
                _ => "committee = ?",
            });
            params.push(v.into());
        }
    }
    (conds.join(" AND "), params)
}

/// Lists applications, newest first.
pub fn list(
    db: &dyn Db,
    scope: ListScope<'_>,
    f: &ListFilter,
    limit: i64,
    offset: i64,
) -> Result<ListPage, StoreError> {
    let (filter, mut params) = where_clause(&scope, f);
    let total = db
        .query_opt(&format!("SELECT COUNT(*) FROM applications WHERE {filter}"), &params)?
        .map_or(Ok(0), |r| r.int(0))?;
    let sql = format!("SELECT {COLUMNS} FROM applications WHERE {filter} ORDER BY id DESC LIMIT ? OFFSET ?");
    params.extend([limit.into(), offset.into()]);
    let rows = db.query(&sql, &params)?.iter().map(record).collect::<Result<_, _>>()?;
    Ok(ListPage { rows, total })
}

/// Every application matching a scope and filter (bounded), for bulk operations.
pub fn select_all(
    db: &dyn Db,
    scope: ListScope<'_>,
    f: &ListFilter,
    max: i64,
) -> Result<Vec<ApplicationRecord>, StoreError> {
    let (filter, mut params) = where_clause(&scope, f);
    params.push(max.into());
    db.query(&format!("SELECT {COLUMNS} FROM applications WHERE {filter} ORDER BY id LIMIT ?"), &params)?
        .iter()
        .map(record)
        .collect()
}

/// A page of applications plus the total count.
pub struct ListPage {
    pub rows: Vec<ApplicationRecord>,
    pub total: i64,
}

const DUE_PUBLICITY: &str = "SELECT id FROM applications a WHERE state = 'unit_publicity' AND publicity_end < ? \
     AND NOT EXISTS (SELECT 1 FROM objections o WHERE o.application_id = a.id AND o.status = 'pending') \
     ORDER BY id LIMIT ?";

/// Applications whose unit publicity ended before `today` with no pending objection.
pub fn due_unit_publicity(db: &dyn Db, today: &str, limit: i64) -> Result<Vec<i64>, StoreError> {
    db.query(DUE_PUBLICITY, &[today.into(), limit.into()])?.iter().map(|r| r.int(0)).collect()
}

const BLACKLISTED: &str = "SELECT COUNT(*) FROM blacklist WHERE citizen_id = ? AND lifted_at IS NULL \
     AND recorded_on <= ? AND expires_on >= ?";

/// Whether the person is recorded in the blacklist on `today` (R5).
pub fn is_blacklisted(db: &dyn Db, citizen_id: &str, today: &str) -> Result<bool, StoreError> {
    let n = db.query_opt(BLACKLISTED, &[citizen_id.into(), today.into(), today.into()])?.map_or(Ok(0), |r| r.int(0))?;
    Ok(n > 0)
}

/// A material's metadata.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MaterialMeta {
    pub id: i64,
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: String,
}

const INSERT_MATERIAL: &str = "INSERT INTO materials (application_id, kind, filename, content_type, size, sha256, \
     content, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
const SELECT_MATERIALS: &str = "SELECT id, kind, filename, content_type, size, sha256, uploaded_at FROM materials \
     WHERE application_id = ? ORDER BY id";
const SELECT_MATERIAL_CONTENT: &str =
    "SELECT content_type, filename, content FROM materials WHERE application_id = ? AND id = ?";
const DELETE_MATERIAL: &str = "DELETE FROM materials WHERE application_id = ? AND id = ? RETURNING id";

/// Stores a material and returns its id.
pub fn insert_material(db: &dyn Db, application_id: i64, m: &MaterialMeta, content: &[u8]) -> Result<i64, StoreError> {
    let rows = db.query(
        INSERT_MATERIAL,
        &[
            application_id.into(),
            m.kind.as_str().into(),
            m.filename.as_str().into(),
            m.content_type.as_str().into(),
            m.size.into(),
            m.sha256.as_str().into(),
            content.to_vec().into(),
            m.uploaded_at.as_str().into(),
        ],
    )?;
    rows.first().ok_or_else(|| StoreError::Decode("insert returned no id".into()))?.int(0)
}

/// The materials of an application (metadata only).
pub fn list_materials(db: &dyn Db, application_id: i64) -> Result<Vec<MaterialMeta>, StoreError> {
    db.query(SELECT_MATERIALS, &[application_id.into()])?.iter().map(material_meta).collect()
}

/// Decodes a row of (id, kind, filename, content type, size, SHA-256, uploaded at): a
/// material's metadata, or a registration attachment's.
pub fn material_meta(r: &Row) -> Result<MaterialMeta, StoreError> {
    Ok(MaterialMeta {
        id: r.int(0)?,
        kind: r.text(1)?,
        filename: r.text(2)?,
        content_type: r.text(3)?,
        size: r.int(4)?,
        sha256: r.text(5)?,
        uploaded_at: r.text(6)?,
    })
}

/// A material's bytes: (content type, file name, content).
pub fn material_content(
    db: &dyn Db,
    application_id: i64,
    id: i64,
) -> Result<Option<(String, String, Vec<u8>)>, StoreError> {
    match db.query_opt(SELECT_MATERIAL_CONTENT, &[application_id.into(), id.into()])? {
        Some(r) => Ok(Some((r.text(0)?, r.text(1)?, r.blob(2)?))),
        None => Ok(None),
    }
}

/// Deletes a material; `false` if there was none.
pub fn delete_material(db: &dyn Db, application_id: i64, id: i64) -> Result<bool, StoreError> {
    Ok(!db.query(DELETE_MATERIAL, &[application_id.into(), id.into()])?.is_empty())
}

/// An objection raised during publicity.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Objection {
    pub id: i64,
    pub stage: String,
    pub content: String,
    pub recorded_at: String,
    pub status: String,
    pub finding: Option<String>,
    pub resolved_at: Option<String>,
}

const INSERT_OBJECTION: &str =
    "INSERT INTO objections (application_id, stage, content, recorded_by, recorded_at, status) \
     VALUES (?, ?, ?, ?, ?, 'pending') RETURNING id";
const SELECT_OBJECTIONS: &str = "SELECT id, stage, content, recorded_at, status, finding, resolved_at FROM objections \
     WHERE application_id = ? ORDER BY id";
const RESOLVE_OBJECTION: &str = "UPDATE objections SET status = ?, finding = ?, resolved_by = ?, resolved_at = ? \
     WHERE application_id = ? AND id = ? AND status = 'pending' RETURNING id";

/// Records a pending objection.
pub fn insert_objection(
    db: &dyn Db,
    application_id: i64,
    stage: &str,
    content: &str,
    by: &str,
    now: &str,
) -> Result<i64, StoreError> {
    let rows =
        db.query(INSERT_OBJECTION, &[application_id.into(), stage.into(), content.into(), by.into(), now.into()])?;
    rows.first().ok_or_else(|| StoreError::Decode("insert returned no id".into()))?.int(0)
}

/// The objections of an application.
pub fn list_objections(db: &dyn Db, application_id: i64) -> Result<Vec<Objection>, StoreError> {
    db.query(SELECT_OBJECTIONS, &[application_id.into()])?
        .iter()
        .map(|r| {
            Ok(Objection {
                id: r.int(0)?,
                stage: r.text(1)?,
                content: r.text(2)?,
                recorded_at: r.text(3)?,
                status: r.text(4)?,
                finding: r.opt_text(5)?,
                resolved_at: r.opt_text(6)?,
            })
        })
        .collect()
}

/// Resolves a pending objection; `false` if it was not pending.
pub fn resolve_objection(
    db: &dyn Db,
    application_id: i64,
    id: i64,
    upheld: bool,
    finding: &str,
    by: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let status = if upheld { "upheld" } else { "dismissed" };
    Ok(!db
        .query(
            RESOLVE_OBJECTION,
            &[status.into(), finding.into(), by.into(), now.into(), application_id.into(), id.into()],
        )?
        .is_empty())
}
