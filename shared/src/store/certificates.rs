//! SQL for issue 5: result publicity, filing, issuing units, number pools, seal keys,
//! certificates, generation jobs, imports and the MOHRSS outbox (migration 0006).

use super::{Db, Row, StoreError, Value};

fn first_id(rows: Vec<Row>) -> Result<i64, StoreError> {
    rows.first().ok_or_else(|| StoreError::Decode("insert returned no id".into()))?.int(0)
}

fn count(db: &dyn Db, sql: &str, params: &[Value]) -> Result<i64, StoreError> {
    db.query_opt(sql, params)?.map_or(Ok(0), |r| r.int(0))
}

// ---------------------------------------------------------------- reference lookups

const COMMITTEE: &str = "SELECT id, name, organising_org FROM committees WHERE id = ?";

/// A committee's id, name and organising unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitteeRef {
    pub id: String,
    pub name: String,
    pub organising_org: String,
}

/// The committee `id`, if it exists.
pub fn committee(db: &dyn Db, id: &str) -> Result<Option<CommitteeRef>, StoreError> {
    db.query_opt(COMMITTEE, &[id.into()])?
        .map(|r| Ok(CommitteeRef { id: r.text(0)?, name: r.text(1)?, organising_org: r.text(2)? }))
        .transpose()
}

const TITLE_NAME: &str = "SELECT name FROM titles WHERE series = ? AND level = ? ORDER BY id LIMIT 1";

/// The title tree's name for a series and level (the first one configured), if any.
pub fn title_name(db: &dyn Db, series: &str, level: &str) -> Result<Option<String>, StoreError> {
    db.query_opt(TITLE_NAME, &[series.into(), level.into()])?.map(|r| r.text(0)).transpose()
}

const SERIES_POSITION: &str = "SELECT position FROM title_series WHERE name = ?";

/// The position of a series in the title tree (its default number code).
pub fn series_position(db: &dyn Db, series: &str) -> Result<Option<i64>, StoreError> {
    db.query_opt(SERIES_POSITION, &[series.into()])?.map(|r| r.int(0)).transpose()
}

const ORG_NAME_REGION: &str = "SELECT name, region_code, status FROM organisations WHERE id = ?";

/// An organisation's name, region code and status.
pub fn organisation(db: &dyn Db, id: &str) -> Result<Option<(String, String, String)>, StoreError> {
    db.query_opt(ORG_NAME_REGION, &[id.into()])?.map(|r| Ok((r.text(0)?, r.text(1)?, r.text(2)?))).transpose()
}

// ---------------------------------------------------------------- result publicity

/// A session whose passed applications await result publicity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSession {
    pub committee: String,
    pub committee_name: String,
    pub organising_org: String,
    pub plan_id: Option<i64>,
    pub voted_on: String,
    pub batch_year: i32,
    pub passed: i64,
}

const PENDING_SESSIONS: &str = "SELECT a.committee, c.name, c.organising_org, a.plan_id, a.voted_on, \
     MIN(a.batch_year), COUNT(*) FROM applications a JOIN committees c ON c.id = a.committee \
     WHERE a.state = 'passed' AND a.voted_on IS NOT NULL \
       AND NOT EXISTS (SELECT 1 FROM result_entries e WHERE e.application_id = a.id) \
       AND (? IS NULL OR c.organising_org = ?) \
     GROUP BY a.committee, a.plan_id, a.voted_on ORDER BY a.voted_on, a.committee";

/// Sessions with passed applications not yet in a publicity (of one organising unit, or all).
pub fn pending_sessions(db: &dyn Db, org: Option<&str>) -> Result<Vec<PendingSession>, StoreError> {
    db.query(PENDING_SESSIONS, &[org.into(), org.into()])?
        .iter()
        .map(|r| {
            Ok(PendingSession {
                committee: r.text(0)?,
                committee_name: r.text(1)?,
                organising_org: r.text(2)?,
                plan_id: r.opt_int(3)?,
                voted_on: r.text(4)?,
                batch_year: r.int(5)? as i32,
                passed: r.int(6)?,
            })
        })
        .collect()
}

const PASSED_IN_SESSION: &str = "SELECT a.id FROM applications a WHERE a.state = 'passed' AND a.committee = ? \
     AND a.plan_id IS ? AND a.voted_on = ? \
     AND NOT EXISTS (SELECT 1 FROM result_entries e WHERE e.application_id = a.id) ORDER BY a.id";

/// The passed applications of a session not yet in a publicity.
pub fn passed_in_session(
    db: &dyn Db,
    committee: &str,
    plan_id: Option<i64>,
    voted_on: &str,
) -> Result<Vec<i64>, StoreError> {
    db.query(PASSED_IN_SESSION, &[committee.into(), plan_id.into(), voted_on.into()])?
        .iter()
        .map(|r| r.int(0))
        .collect()
}

/// A result publicity as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Publicity {
    pub id: i64,
    pub committee: String,
    pub organising_org: String,
    pub batch_year: i32,
    pub plan_id: Option<i64>,
    pub voted_on: String,
    pub open_deadline: String,
    pub start_on: String,
    pub end_on: String,
    pub opened_late: bool,
    pub complaint_office: String,
    pub complaint_phone: String,
    pub filing_deadline: String,
    pub status: String,
    pub closed_on: Option<String>,
    pub opened_by: String,
    pub opened_at: String,
    pub version: i64,
}

const PUBLICITY_COLUMNS: &str = "id, committee, organising_org, batch_year, plan_id, voted_on, open_deadline, \
     start_on, end_on, opened_late, complaint_office, complaint_phone, filing_deadline, status, closed_on, opened_by, \
     opened_at, version";

fn publicity_row(r: &Row) -> Result<Publicity, StoreError> {
    Ok(Publicity {
        id: r.int(0)?,
        committee: r.text(1)?,
        organising_org: r.text(2)?,
        batch_year: r.int(3)? as i32,
        plan_id: r.opt_int(4)?,
        voted_on: r.text(5)?,
        open_deadline: r.text(6)?,
        start_on: r.text(7)?,
        end_on: r.text(8)?,
        opened_late: r.int(9)? != 0,
        complaint_office: r.text(10)?,
        complaint_phone: r.text(11)?,
        filing_deadline: r.text(12)?,
        status: r.text(13)?,
        closed_on: r.opt_text(14)?,
        opened_by: r.text(15)?,
        opened_at: r.text(16)?,
        version: r.int(17)?,
    })
}

const INSERT_PUBLICITY: &str = "INSERT INTO result_publicities (committee, organising_org, batch_year, plan_id, \
     voted_on, open_deadline, start_on, end_on, opened_late, complaint_office, complaint_phone, filing_deadline, \
     status, opened_by, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id";

/// Inserts an open publicity (`id`, `status`, `closed_on`, `version` ignored).
pub fn insert_publicity(db: &dyn Db, p: &Publicity) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_PUBLICITY,
        &[
            p.committee.as_str().into(),
            p.organising_org.as_str().into(),
            p.batch_year.into(),
            p.plan_id.into(),
            p.voted_on.as_str().into(),
            p.open_deadline.as_str().into(),
            p.start_on.as_str().into(),
            p.end_on.as_str().into(),
            p.opened_late.into(),
            p.complaint_office.as_str().into(),
            p.complaint_phone.as_str().into(),
            p.filing_deadline.as_str().into(),
            p.opened_by.as_str().into(),
            p.opened_at.as_str().into(),
        ],
    )?)
}

/// One publicity.
pub fn publicity(db: &dyn Db, id: i64) -> Result<Option<Publicity>, StoreError> {
    let sql = format!("SELECT {PUBLICITY_COLUMNS} FROM result_publicities WHERE id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(publicity_row).transpose()
}

/// A page of publicities (of one organising unit, or all), latest first, and the total.
pub fn list_publicities(
    db: &dyn Db,
    org: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Publicity>, i64), StoreError> {
    let sql = format!(
        "SELECT {PUBLICITY_COLUMNS} FROM result_publicities WHERE (? IS NULL OR organising_org = ?) \
         ORDER BY id DESC LIMIT ? OFFSET ?"
    );
    let items = db
        .query(&sql, &[org.into(), org.into(), limit.into(), offset.into()])?
        .iter()
        .map(publicity_row)
        .collect::<Result<_, _>>()?;
    let total = count(
        db,
        "SELECT COUNT(*) FROM result_publicities WHERE (? IS NULL OR organising_org = ?)",
        &[org.into(), org.into()],
    )?;
    Ok((items, total))
}

const DUE_PUBLICITIES: &str =
    "SELECT id FROM result_publicities WHERE status = 'open' AND end_on < ? ORDER BY id LIMIT ?";

/// Open publicities whose last day is before `today`.
pub fn due_publicities(db: &dyn Db, today: &str, limit: i64) -> Result<Vec<i64>, StoreError> {
    db.query(DUE_PUBLICITIES, &[today.into(), limit.into()])?.iter().map(|r| r.int(0)).collect()
}

const CLOSE_PUBLICITY: &str = "UPDATE result_publicities SET status = 'closed', closed_on = ?, version = version + 1 \
     WHERE id = ? AND status = 'open' RETURNING id";

/// Closes an open publicity; false if it was not open.
pub fn close_publicity(db: &dyn Db, id: i64, today: &str) -> Result<bool, StoreError> {
    Ok(!db.query(CLOSE_PUBLICITY, &[today.into(), id.into()])?.is_empty())
}

const INSERT_ENTRY: &str = "INSERT INTO result_entries (application_id, publicity_id) VALUES (?, ?)";

/// Puts an application in a publicity.
pub fn insert_entry(db: &dyn Db, application_id: i64, publicity_id: i64) -> Result<(), StoreError> {
    db.execute(INSERT_ENTRY, &[application_id.into(), publicity_id.into()])
}

const ENTRY: &str = "SELECT publicity_id, filing_id FROM result_entries WHERE application_id = ?";

/// The publicity (and latest filing) of an application.
pub fn entry(db: &dyn Db, application_id: i64) -> Result<Option<(i64, Option<i64>)>, StoreError> {
    db.query_opt(ENTRY, &[application_id.into()])?.map(|r| Ok((r.int(0)?, r.opt_int(1)?))).transpose()
}

const SET_ENTRY_FILING: &str = "UPDATE result_entries SET filing_id = ? WHERE application_id = ?";

/// Records the filing request that carries an application.
pub fn set_entry_filing(db: &dyn Db, application_id: i64, filing_id: i64) -> Result<(), StoreError> {
    db.execute(SET_ENTRY_FILING, &[filing_id.into(), application_id.into()])
}

/// One person on a result list (masked on output by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedPerson {
    pub application_id: i64,
    pub name: String,
    pub citizen_id: Option<String>,
    pub unit_org: String,
    pub series: String,
    pub level: String,
    pub specialty: String,
    pub state: String,
    pub version: i64,
}

fn person(r: &Row) -> Result<ListedPerson, StoreError> {
    Ok(ListedPerson {
        application_id: r.int(0)?,
        name: r.text(1)?,
        citizen_id: r.opt_text(2)?,
        unit_org: r.text(3)?,
        series: r.text(4)?,
        level: r.text(5)?,
        specialty: r.text(6)?,
        state: r.text(7)?,
        version: r.int(8)?,
    })
}

const PERSON_COLUMNS: &str =
    "a.id, a.applicant_name, a.citizen_id, a.unit_org, a.series, a.target_level, a.specialty, \
     a.state, a.version";

/// The people of a publicity.
pub fn publicity_people(db: &dyn Db, publicity_id: i64) -> Result<Vec<ListedPerson>, StoreError> {
    let sql = format!(
        "SELECT {PERSON_COLUMNS} FROM result_entries e JOIN applications a ON a.id = e.application_id \
         WHERE e.publicity_id = ? ORDER BY a.id"
    );
    db.query(&sql, &[publicity_id.into()])?.iter().map(person).collect()
}

/// The applications of a publicity in `state`.
pub fn publicity_in_state(db: &dyn Db, publicity_id: i64, state: &str) -> Result<Vec<i64>, StoreError> {
    let sql = "SELECT a.id FROM result_entries e JOIN applications a ON a.id = e.application_id \
               WHERE e.publicity_id = ? AND a.state = ? ORDER BY a.id";
    db.query(sql, &[publicity_id.into(), state.into()])?.iter().map(|r| r.int(0)).collect()
}

/// Open or closed publicities with people whose filing is not yet requested, and whose
/// filing deadline is before `today`.
pub fn overdue_filings(db: &dyn Db, today: &str) -> Result<Vec<Publicity>, StoreError> {
    let sql = format!(
        "SELECT {PUBLICITY_COLUMNS} FROM result_publicities p WHERE p.filing_deadline < ? AND EXISTS \
         (SELECT 1 FROM result_entries e JOIN applications a ON a.id = e.application_id \
          WHERE e.publicity_id = p.id AND a.state IN ('result_publicity', 'publicity_passed')) ORDER BY p.id"
    );
    db.query(&sql, &[today.into()])?.iter().map(publicity_row).collect()
}

const INSERT_FLAG: &str = "INSERT OR IGNORE INTO result_session_flags (committee, plan_key, voted_on, kind, \
     deadline, flagged_on) VALUES (?, ?, ?, ?, ?, ?) RETURNING committee";

/// Flags a session once; true if the flag is new.
pub fn insert_flag(
    db: &dyn Db,
    committee: &str,
    plan_id: Option<i64>,
    voted_on: &str,
    kind: &str,
    deadline: &str,
    today: &str,
) -> Result<bool, StoreError> {
    let plan_key = plan_id.map(|p| p.to_string()).unwrap_or_default();
    Ok(!db
        .query(
            INSERT_FLAG,
            &[committee.into(), plan_key.into(), voted_on.into(), kind.into(), deadline.into(), today.into()],
        )?
        .is_empty())
}

/// A session flag.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SessionFlag {
    pub committee: String,
    pub plan_id: Option<i64>,
    pub voted_on: String,
    pub kind: String,
    pub deadline: String,
    pub flagged_on: String,
}

/// The flags of the sessions of one organising unit's committees (or all).
pub fn flags(db: &dyn Db, org: Option<&str>) -> Result<Vec<SessionFlag>, StoreError> {
    let sql = "SELECT f.committee, f.plan_key, f.voted_on, f.kind, f.deadline, f.flagged_on \
               FROM result_session_flags f JOIN committees c ON c.id = f.committee \
               WHERE (? IS NULL OR c.organising_org = ?) ORDER BY f.flagged_on, f.committee";
    db.query(sql, &[org.into(), org.into()])?
        .iter()
        .map(|r| {
            Ok(SessionFlag {
                committee: r.text(0)?,
                plan_id: r.text(1)?.parse().ok(),
                voted_on: r.text(2)?,
                kind: r.text(3)?,
                deadline: r.text(4)?,
                flagged_on: r.text(5)?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------- filing

/// A filing request as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Filing {
    pub id: i64,
    pub publicity_id: i64,
    pub committee: String,
    pub organising_org: String,
    pub batch_year: i32,
    pub deadline: String,
    pub late: bool,
    pub separate: bool,
    pub status: String,
    pub doc_no: Option<String>,
    pub filed_on: Option<String>,
    pub opinion: Option<String>,
    pub requested_by: String,
    pub requested_at: String,
    pub audited_by: Option<String>,
    pub audited_at: Option<String>,
    pub version: i64,
}

const FILING_COLUMNS: &str = "id, publicity_id, committee, organising_org, batch_year, deadline, late, separate, \
     status, doc_no, filed_on, opinion, requested_by, requested_at, audited_by, audited_at, version";

fn filing_row(r: &Row) -> Result<Filing, StoreError> {
    Ok(Filing {
        id: r.int(0)?,
        publicity_id: r.int(1)?,
        committee: r.text(2)?,
        organising_org: r.text(3)?,
        batch_year: r.int(4)? as i32,
        deadline: r.text(5)?,
        late: r.int(6)? != 0,
        separate: r.int(7)? != 0,
        status: r.text(8)?,
        doc_no: r.opt_text(9)?,
        filed_on: r.opt_text(10)?,
        opinion: r.opt_text(11)?,
        requested_by: r.text(12)?,
        requested_at: r.text(13)?,
        audited_by: r.opt_text(14)?,
        audited_at: r.opt_text(15)?,
        version: r.int(16)?,
    })
}

const INSERT_FILING: &str = "INSERT INTO filing_requests (publicity_id, committee, organising_org, batch_year, \
     deadline, late, separate, status, requested_by, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) \
     RETURNING id";

/// Inserts a pending filing request.
pub fn insert_filing(db: &dyn Db, f: &Filing) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_FILING,
        &[
            f.publicity_id.into(),
            f.committee.as_str().into(),
            f.organising_org.as_str().into(),
            f.batch_year.into(),
            f.deadline.as_str().into(),
            f.late.into(),
            f.separate.into(),
            f.requested_by.as_str().into(),
            f.requested_at.as_str().into(),
        ],
    )?)
}

/// Adds an application to a filing request.
pub fn insert_filing_entry(db: &dyn Db, filing_id: i64, application_id: i64) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO filing_entries (filing_id, application_id) VALUES (?, ?)",
        &[filing_id.into(), application_id.into()],
    )
}

/// One filing request.
pub fn filing(db: &dyn Db, id: i64) -> Result<Option<Filing>, StoreError> {
    let sql = format!("SELECT {FILING_COLUMNS} FROM filing_requests WHERE id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(filing_row).transpose()
}

/// The approved filing with document number `doc_no`, if any (the first).
pub fn filings_by_doc_no(db: &dyn Db, doc_no: &str) -> Result<Vec<Filing>, StoreError> {
    let sql =
        format!("SELECT {FILING_COLUMNS} FROM filing_requests WHERE doc_no = ? AND status = 'approved' ORDER BY id");
    db.query(&sql, &[doc_no.into()])?.iter().map(filing_row).collect()
}

/// How many filing requests a publicity has had.
pub fn filings_of_publicity(db: &dyn Db, publicity_id: i64) -> Result<i64, StoreError> {
    count(db, "SELECT COUNT(*) FROM filing_requests WHERE publicity_id = ?", &[publicity_id.into()])
}

/// A page of filing requests (of one organising unit, or all; of one status, or all).
pub fn list_filings(
    db: &dyn Db,
    org: Option<&str>,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Filing>, i64), StoreError> {
    let filter = "(? IS NULL OR organising_org = ?) AND (? IS NULL OR status = ?)";
    let sql = format!("SELECT {FILING_COLUMNS} FROM filing_requests WHERE {filter} ORDER BY id DESC LIMIT ? OFFSET ?");
    let p = [org.into(), org.into(), status.into(), status.into()];
    let mut params = p.to_vec();
    params.extend([limit.into(), offset.into()]);
    let items = db.query(&sql, &params)?.iter().map(filing_row).collect::<Result<_, _>>()?;
    let total = count(db, &format!("SELECT COUNT(*) FROM filing_requests WHERE {filter}"), &p)?;
    Ok((items, total))
}

/// The people of a filing request.
pub fn filing_people(db: &dyn Db, filing_id: i64) -> Result<Vec<ListedPerson>, StoreError> {
    let sql = format!(
        "SELECT {PERSON_COLUMNS} FROM filing_entries f JOIN applications a ON a.id = f.application_id \
         WHERE f.filing_id = ? ORDER BY a.id"
    );
    db.query(&sql, &[filing_id.into()])?.iter().map(person).collect()
}

const AUDIT_FILING: &str = "UPDATE filing_requests SET status = ?, doc_no = ?, filed_on = ?, opinion = ?, \
     audited_by = ?, audited_at = ?, version = version + 1 WHERE id = ? AND version = ? AND status = 'pending' \
     RETURNING version";

/// Compare-and-set: records the province's audit of a pending request.
#[allow(clippy::too_many_arguments)]
pub fn audit_filing(
    db: &dyn Db,
    id: i64,
    version: i64,
    approved: bool,
    doc_no: Option<&str>,
    filed_on: Option<&str>,
    opinion: Option<&str>,
    by: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let status = if approved { "approved" } else { "rejected" };
    Ok(!db
        .query(
            AUDIT_FILING,
            &[
                status.into(),
                doc_no.into(),
                filed_on.into(),
                opinion.into(),
                by.into(),
                now.into(),
                id.into(),
                version.into(),
            ],
        )?
        .is_empty())
}

/// The approved filing that carries an application to `filed`, if any (the latest).
pub fn approved_filing_of(db: &dyn Db, application_id: i64) -> Result<Option<Filing>, StoreError> {
    let sql = format!(
        "SELECT {FILING_COLUMNS} FROM filing_requests WHERE status = 'approved' AND id IN \
         (SELECT filing_id FROM filing_entries WHERE application_id = ?) ORDER BY id DESC LIMIT 1"
    );
    db.query_opt(&sql, &[application_id.into()])?.as_ref().map(filing_row).transpose()
}

/// Filed applications awaiting a certificate, by filing document number and other filters.
pub fn filed_candidates(
    db: &dyn Db,
    doc_no: Option<&str>,
    batch_year: Option<i32>,
    committee: Option<&str>,
    series: Option<&str>,
    level: Option<&str>,
    limit: i64,
) -> Result<Vec<i64>, StoreError> {
    let sql = "SELECT DISTINCT a.id FROM applications a JOIN filing_entries fe ON fe.application_id = a.id \
               JOIN filing_requests f ON f.id = fe.filing_id AND f.status = 'approved' \
               WHERE a.state = 'filed' AND (? IS NULL OR f.doc_no = ?) AND (? IS NULL OR a.batch_year = ?) \
               AND (? IS NULL OR a.committee = ?) AND (? IS NULL OR a.series = ?) AND (? IS NULL OR a.target_level = ?) \
               ORDER BY a.id LIMIT ?";
    db.query(
        sql,
        &[
            doc_no.into(),
            doc_no.into(),
            batch_year.into(),
            batch_year.into(),
            committee.into(),
            committee.into(),
            series.into(),
            series.into(),
            level.into(),
            level.into(),
            limit.into(),
        ],
    )?
    .iter()
    .map(|r| r.int(0))
    .collect()
}

// ---------------------------------------------------------------- issuing units

/// An issuing unit (发证单位).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IssuingUnit {
    pub id: i64,
    pub code: String,
    pub org_id: String,
    pub name: String,
    pub status: String,
    pub cancel_reason: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub cancelled_at: Option<String>,
    pub version: i64,
}

const UNIT_COLUMNS: &str =
    "id, code, org_id, name, status, cancel_reason, created_by, created_at, cancelled_at, version";

fn unit_row(r: &Row) -> Result<IssuingUnit, StoreError> {
    Ok(IssuingUnit {
        id: r.int(0)?,
        code: r.text(1)?,
        org_id: r.text(2)?,
        name: r.text(3)?,
        status: r.text(4)?,
        cancel_reason: r.opt_text(5)?,
        created_by: r.text(6)?,
        created_at: r.text(7)?,
        cancelled_at: r.opt_text(8)?,
        version: r.int(9)?,
    })
}

const INSERT_UNIT: &str = "INSERT INTO issuing_units (code, org_id, name, status, created_by, created_at) \
     VALUES (?, ?, ?, 'active', ?, ?) RETURNING id";

/// Inserts an active issuing unit.
pub fn insert_issuing_unit(
    db: &dyn Db,
    code: &str,
    org_id: &str,
    name: &str,
    by: &str,
    now: &str,
) -> Result<i64, StoreError> {
    first_id(db.query(INSERT_UNIT, &[code.into(), org_id.into(), name.into(), by.into(), now.into()])?)
}

/// One issuing unit.
pub fn issuing_unit(db: &dyn Db, id: i64) -> Result<Option<IssuingUnit>, StoreError> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM issuing_units WHERE id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(unit_row).transpose()
}

/// The active issuing unit with `code`, or of organisation `org`.
pub fn active_issuing_unit(
    db: &dyn Db,
    code: Option<&str>,
    org: Option<&str>,
) -> Result<Option<IssuingUnit>, StoreError> {
    let sql = format!(
        "SELECT {UNIT_COLUMNS} FROM issuing_units WHERE status = 'active' AND (? IS NULL OR code = ?) \
         AND (? IS NULL OR org_id = ?) ORDER BY id LIMIT 1"
    );
    db.query_opt(&sql, &[code.into(), code.into(), org.into(), org.into()])?.as_ref().map(unit_row).transpose()
}

/// Issuing units (filtered by status, or all), by code.
pub fn list_issuing_units(
    db: &dyn Db,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<IssuingUnit>, i64), StoreError> {
    let sql = format!(
        "SELECT {UNIT_COLUMNS} FROM issuing_units WHERE (? IS NULL OR status = ?) ORDER BY code, id LIMIT ? OFFSET ?"
    );
    let items = db
        .query(&sql, &[status.into(), status.into(), limit.into(), offset.into()])?
        .iter()
        .map(unit_row)
        .collect::<Result<_, _>>()?;
    let total = count(
        db,
        "SELECT COUNT(*) FROM issuing_units WHERE (? IS NULL OR status = ?)",
        &[status.into(), status.into()],
    )?;
    Ok((items, total))
}

const CANCEL_UNIT: &str = "UPDATE issuing_units SET status = 'cancelled', cancel_reason = ?, cancelled_at = ?, \
     version = version + 1 WHERE id = ? AND version = ? AND status = 'active' RETURNING id";

/// Compare-and-set: cancels an active issuing unit.
pub fn cancel_issuing_unit(db: &dyn Db, id: i64, version: i64, reason: &str, now: &str) -> Result<bool, StoreError> {
    Ok(!db.query(CANCEL_UNIT, &[reason.into(), now.into(), id.into(), version.into()])?.is_empty())
}

// ---------------------------------------------------------------- number format and pools

/// The stored number format: (config JSON, version), if one was saved.
pub fn number_format(db: &dyn Db) -> Result<Option<(String, i64)>, StoreError> {
    db.query_opt("SELECT config, version FROM certificate_number_format WHERE id = 1", &[])?
        .map(|r| Ok((r.text(0)?, r.int(1)?)))
        .transpose()
}

const UPSERT_FORMAT: &str = "INSERT INTO certificate_number_format (id, config, version, updated_by, updated_at) \
     VALUES (1, ?, 1, ?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config, version = version + 1, \
     updated_by = excluded.updated_by, updated_at = excluded.updated_at WHERE version = ? RETURNING version";

/// Compare-and-set: saves the number format (`expected` = the version read; 0 when none was saved).
pub fn save_number_format(
    db: &dyn Db,
    config: &str,
    expected: i64,
    by: &str,
    now: &str,
) -> Result<Option<i64>, StoreError> {
    if expected == 0 && number_format(db)?.is_some() {
        return Ok(None);
    }
    db.query_opt(UPSERT_FORMAT, &[config.into(), by.into(), now.into(), expected.into()])?.map(|r| r.int(0)).transpose()
}

/// A number pool (证书编号库) row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pool {
    pub id: i64,
    pub scope: String,
    pub start_serial: i64,
    pub end_serial: i64,
    pub next_serial: i64,
    pub origin: String,
    pub created_by: String,
    pub created_at: String,
}

const POOL_COLUMNS: &str = "id, scope, start_serial, end_serial, next_serial, origin, created_by, created_at";

fn pool_row(r: &Row) -> Result<Pool, StoreError> {
    Ok(Pool {
        id: r.int(0)?,
        scope: r.text(1)?,
        start_serial: r.int(2)?,
        end_serial: r.int(3)?,
        next_serial: r.int(4)?,
        origin: r.text(5)?,
        created_by: r.text(6)?,
        created_at: r.text(7)?,
    })
}

/// The pools of a scope, by start.
pub fn pools_of_scope(db: &dyn Db, scope: &str) -> Result<Vec<Pool>, StoreError> {
    let sql = format!("SELECT {POOL_COLUMNS} FROM certificate_number_pools WHERE scope = ? ORDER BY start_serial");
    db.query(&sql, &[scope.into()])?.iter().map(pool_row).collect()
}

/// A page of pools (of scopes starting with `prefix`, or all), latest first.
pub fn list_pools(db: &dyn Db, scope: Option<&str>, limit: i64, offset: i64) -> Result<(Vec<Pool>, i64), StoreError> {
    let sql = format!(
        "SELECT {POOL_COLUMNS} FROM certificate_number_pools WHERE (? IS NULL OR scope = ?) ORDER BY id DESC LIMIT ? OFFSET ?"
    );
    let items = db
        .query(&sql, &[scope.into(), scope.into(), limit.into(), offset.into()])?
        .iter()
        .map(pool_row)
        .collect::<Result<_, _>>()?;
    let total = count(
        db,
        "SELECT COUNT(*) FROM certificate_number_pools WHERE (? IS NULL OR scope = ?)",
        &[scope.into(), scope.into()],
    )?;
    Ok((items, total))
}

const INSERT_POOL: &str = "INSERT INTO certificate_number_pools (scope, start_serial, end_serial, next_serial, \
     origin, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";

/// Inserts a range of serials.
pub fn insert_pool(
    db: &dyn Db,
    scope: &str,
    start: i64,
    end: i64,
    origin: &str,
    by: &str,
    now: &str,
) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_POOL,
        &[scope.into(), start.into(), end.into(), start.into(), origin.into(), by.into(), now.into()],
    )?)
}

const TAKE_SERIAL: &str = "UPDATE certificate_number_pools SET next_serial = next_serial + 1 WHERE id = \
     (SELECT id FROM certificate_number_pools WHERE scope = ? AND next_serial <= end_serial \
      ORDER BY start_serial LIMIT 1) RETURNING next_serial - 1";

/// Takes the next free serial of a scope (lowest range first); `None` when every range is
/// used up. Serials only move forward: one taken is never taken again.
pub fn take_serial(db: &dyn Db, scope: &str) -> Result<Option<i64>, StoreError> {
    db.query_opt(TAKE_SERIAL, &[scope.into()])?.map(|r| r.int(0)).transpose()
}

// ---------------------------------------------------------------- seal keys

const INSERT_KEY: &str = "INSERT OR IGNORE INTO seal_keys (key_id, algorithm, distid, public_key, first_used_at) \
     VALUES (?, ?, ?, ?, ?)";

/// Publishes a seal key's public half (once).
pub fn publish_key(
    db: &dyn Db,
    key_id: &str,
    algorithm: &str,
    distid: &str,
    public_key: &str,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(INSERT_KEY, &[key_id.into(), algorithm.into(), distid.into(), public_key.into(), now.into()])
}

/// A published key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublishedKey {
    pub key_id: String,
    pub algorithm: String,
    pub distid: String,
    pub public_key: String,
    pub first_used_at: String,
}

/// Every published key, oldest first.
pub fn published_keys(db: &dyn Db) -> Result<Vec<PublishedKey>, StoreError> {
    db.query(
        "SELECT key_id, algorithm, distid, public_key, first_used_at FROM seal_keys ORDER BY first_used_at, key_id",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(PublishedKey {
            key_id: r.text(0)?,
            algorithm: r.text(1)?,
            distid: r.text(2)?,
            public_key: r.text(3)?,
            first_used_at: r.text(4)?,
        })
    })
    .collect()
}

// ---------------------------------------------------------------- certificates

/// A certificate as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRecord {
    pub id: i64,
    pub certificate_no: String,
    pub application_id: Option<i64>,
    pub source: String,
    pub holder_sub: Option<String>,
    pub citizen_id: String,
    pub name: String,
    pub series: String,
    pub level: String,
    pub specialty: String,
    pub committee: String,
    pub unit_org: String,
    pub approval_doc_no: String,
    pub issuer_code: String,
    pub issued_on: String,
    pub payload: String,
    pub seal_key_id: String,
    pub signature: String,
    pub verification_code: String,
    pub status: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
    pub revocation_reason: Option<String>,
    pub revocation_fraud: bool,
    pub job_id: Option<i64>,
    pub import_id: Option<i64>,
    pub created_by: String,
    pub created_at: String,
    pub version: i64,
}

const CERT_COLUMNS: &str = "id, certificate_no, application_id, source, holder_sub, citizen_id, name, series, level, \
     specialty, committee, unit_org, approval_doc_no, issuer_code, issued_on, payload, seal_key_id, signature, \
     verification_code, status, revoked_at, revoked_by, revocation_reason, revocation_fraud, job_id, import_id, \
     created_by, created_at, version";

fn cert_row(r: &Row) -> Result<CertificateRecord, StoreError> {
    Ok(CertificateRecord {
        id: r.int(0)?,
        certificate_no: r.text(1)?,
        application_id: r.opt_int(2)?,
        source: r.text(3)?,
        holder_sub: r.opt_text(4)?,
        citizen_id: r.text(5)?,
        name: r.text(6)?,
        series: r.text(7)?,
        level: r.text(8)?,
        specialty: r.text(9)?,
        committee: r.text(10)?,
        unit_org: r.text(11)?,
        approval_doc_no: r.text(12)?,
        issuer_code: r.text(13)?,
        issued_on: r.text(14)?,
        payload: r.text(15)?,
        seal_key_id: r.text(16)?,
        signature: r.text(17)?,
        verification_code: r.text(18)?,
        status: r.text(19)?,
        revoked_at: r.opt_text(20)?,
        revoked_by: r.opt_text(21)?,
        revocation_reason: r.opt_text(22)?,
        revocation_fraud: r.int(23)? != 0,
        job_id: r.opt_int(24)?,
        import_id: r.opt_int(25)?,
        created_by: r.text(26)?,
        created_at: r.text(27)?,
        version: r.int(28)?,
    })
}

const INSERT_CERT: &str = "INSERT INTO certificates (certificate_no, application_id, source, holder_sub, citizen_id, \
     name, series, level, specialty, committee, unit_org, approval_doc_no, issuer_code, issued_on, payload, \
     seal_key_id, signature, verification_code, status, job_id, import_id, created_by, created_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'valid', ?, ?, ?, ?) RETURNING id";

/// Inserts a valid certificate (`id`, `status`, revocation and `version` ignored).
pub fn insert_certificate(db: &dyn Db, c: &CertificateRecord) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_CERT,
        &[
            c.certificate_no.as_str().into(),
            c.application_id.into(),
            c.source.as_str().into(),
            c.holder_sub.clone().into(),
            c.citizen_id.as_str().into(),
            c.name.as_str().into(),
            c.series.as_str().into(),
            c.level.as_str().into(),
            c.specialty.as_str().into(),
            c.committee.as_str().into(),
            c.unit_org.as_str().into(),
            c.approval_doc_no.as_str().into(),
            c.issuer_code.as_str().into(),
            c.issued_on.as_str().into(),
            c.payload.as_str().into(),
            c.seal_key_id.as_str().into(),
            c.signature.as_str().into(),
            c.verification_code.as_str().into(),
            c.job_id.into(),
            c.import_id.into(),
            c.created_by.as_str().into(),
            c.created_at.as_str().into(),
        ],
    )?)
}

/// One certificate by id.
pub fn certificate(db: &dyn Db, id: i64) -> Result<Option<CertificateRecord>, StoreError> {
    let sql = format!("SELECT {CERT_COLUMNS} FROM certificates WHERE id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(cert_row).transpose()
}

/// One certificate by number.
pub fn certificate_by_no(db: &dyn Db, no: &str) -> Result<Option<CertificateRecord>, StoreError> {
    let sql = format!("SELECT {CERT_COLUMNS} FROM certificates WHERE certificate_no = ?");
    db.query_opt(&sql, &[no.into()])?.as_ref().map(cert_row).transpose()
}

/// Whether a number is taken (by any certificate, valid or revoked).
pub fn number_taken(db: &dyn Db, no: &str) -> Result<bool, StoreError> {
    Ok(db.query_opt("SELECT 1 FROM certificates WHERE certificate_no = ?", &[no.into()])?.is_some())
}

/// Whether a person already holds a valid certificate of a series and level.
pub fn holds_valid(db: &dyn Db, citizen_id: &str, series: &str, level: &str) -> Result<bool, StoreError> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM certificates WHERE citizen_id = ? AND series = ? AND level = ? AND status = 'valid'",
            &[citizen_id.into(), series.into(), level.into()],
        )?
        .is_some())
}

/// Filters of a certificate query (§1.20); the caller's scope is one of them.
#[derive(Debug, Clone, Default)]
pub struct CertificateFilter {
    pub holder_sub: Option<String>,
    pub committees_of_org: Option<String>,
    pub unit_org: Option<String>,
    pub certificate_no: Option<String>,
    pub citizen_id: Option<String>,
    pub name: Option<String>,
    pub doc_no: Option<String>,
    pub series: Option<String>,
    pub level: Option<String>,
    pub status: Option<String>,
}

fn cert_where(f: &CertificateFilter) -> (String, Vec<Value>) {
    let mut clauses = vec!["1 = 1".to_owned()];
    let mut params: Vec<Value> = Vec::new();
    let mut eq = |col: &str, v: &Option<String>| {
        if let Some(v) = v {
            clauses.push(format!("{col} = ?"));
            params.push(v.as_str().into());
        }
    };
    eq("holder_sub", &f.holder_sub);
    eq("unit_org", &f.unit_org);
    eq("certificate_no", &f.certificate_no);
    eq("citizen_id", &f.citizen_id);
    eq("approval_doc_no", &f.doc_no);
    eq("series", &f.series);
    eq("level", &f.level);
    eq("status", &f.status);
    if let Some(org) = &f.committees_of_org {
        clauses.push("committee IN (SELECT id FROM committees WHERE organising_org = ?)".into());
        params.push(org.as_str().into());
    }
    if let Some(n) = &f.name {
        clauses.push("instr(name, ?) > 0".into());
        params.push(n.as_str().into());
    }
    (clauses.join(" AND "), params)
}

/// A page of certificates matching `f`, by id, and the total.
pub fn list_certificates(
    db: &dyn Db,
    f: &CertificateFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CertificateRecord>, i64), StoreError> {
    let (w, params) = cert_where(f);
    let sql = format!("SELECT {CERT_COLUMNS} FROM certificates WHERE {w} ORDER BY id LIMIT ? OFFSET ?");
    let mut p = params.clone();
    p.extend([limit.into(), offset.into()]);
    let items = db.query(&sql, &p)?.iter().map(cert_row).collect::<Result<_, _>>()?;
    let total = count(db, &format!("SELECT COUNT(*) FROM certificates WHERE {w}"), &params)?;
    Ok((items, total))
}

const REVOKE: &str = "UPDATE certificates SET status = 'revoked', revoked_at = ?, revoked_by = ?, \
     revocation_reason = ?, revocation_fraud = ?, version = version + 1 \
     WHERE id = ? AND version = ? AND status = 'valid' RETURNING id";

/// Compare-and-set: revokes a valid certificate.
pub fn revoke(
    db: &dyn Db,
    id: i64,
    version: i64,
    reason: &str,
    fraud: bool,
    by: &str,
    now: &str,
) -> Result<bool, StoreError> {
    Ok(!db.query(REVOKE, &[now.into(), by.into(), reason.into(), fraud.into(), id.into(), version.into()])?.is_empty())
}

// ---------------------------------------------------------------- generation jobs

/// A generation job.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Job {
    pub id: i64,
    pub mode: String,
    pub selector: serde_json::Value,
    pub issuer_code: String,
    pub status: String,
    pub total: i64,
    pub issued: i64,
    pub skipped: i64,
    pub failed: i64,
    pub created_by: String,
    pub created_at: String,
    pub finished_at: Option<String>,
}

const JOB_COLUMNS: &str =
    "id, mode, selector, issuer_code, status, total, issued, skipped, failed, created_by, created_at, finished_at";

fn job_row(r: &Row) -> Result<Job, StoreError> {
    Ok(Job {
        id: r.int(0)?,
        mode: r.text(1)?,
        selector: serde_json::from_str(&r.text(2)?).unwrap_or_default(),
        issuer_code: r.text(3)?,
        status: r.text(4)?,
        total: r.int(5)?,
        issued: r.int(6)?,
        skipped: r.int(7)?,
        failed: r.int(8)?,
        created_by: r.text(9)?,
        created_at: r.text(10)?,
        finished_at: r.opt_text(11)?,
    })
}

/// Inserts a running job.
pub fn insert_job(
    db: &dyn Db,
    mode: &str,
    selector: &str,
    issuer_code: &str,
    total: i64,
    by: &str,
    now: &str,
) -> Result<i64, StoreError> {
    first_id(db.query(
        "INSERT INTO certificate_jobs (mode, selector, issuer_code, status, total, created_by, created_at) \
         VALUES (?, ?, ?, 'running', ?, ?, ?) RETURNING id",
        &[mode.into(), selector.into(), issuer_code.into(), total.into(), by.into(), now.into()],
    )?)
}

/// Adds a pending item to a job.
pub fn insert_job_item(db: &dyn Db, job_id: i64, application_id: i64) -> Result<(), StoreError> {
    db.execute(
        "INSERT OR IGNORE INTO certificate_job_items (job_id, application_id, status) VALUES (?, ?, 'pending')",
        &[job_id.into(), application_id.into()],
    )
}

/// One job.
pub fn job(db: &dyn Db, id: i64) -> Result<Option<Job>, StoreError> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM certificate_jobs WHERE id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(job_row).transpose()
}

/// A page of jobs, latest first.
pub fn list_jobs(db: &dyn Db, limit: i64, offset: i64) -> Result<(Vec<Job>, i64), StoreError> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM certificate_jobs ORDER BY id DESC LIMIT ? OFFSET ?");
    let items = db.query(&sql, &[limit.into(), offset.into()])?.iter().map(job_row).collect::<Result<_, _>>()?;
    Ok((items, count(db, "SELECT COUNT(*) FROM certificate_jobs", &[])?))
}

/// The next pending items of a job.
pub fn pending_items(db: &dyn Db, job_id: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
    db.query(
        "SELECT application_id FROM certificate_job_items WHERE job_id = ? AND status = 'pending' \
         ORDER BY application_id LIMIT ?",
        &[job_id.into(), limit.into()],
    )?
    .iter()
    .map(|r| r.int(0))
    .collect()
}

/// Records an item's outcome and counts it in the job.
pub fn finish_item(
    db: &dyn Db,
    job_id: i64,
    application_id: i64,
    status: &str,
    certificate_id: Option<i64>,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    let done = db.query(
        "UPDATE certificate_job_items SET status = ?, certificate_id = ?, reason = ? \
         WHERE job_id = ? AND application_id = ? AND status = 'pending' RETURNING job_id",
        &[status.into(), certificate_id.into(), reason.into(), job_id.into(), application_id.into()],
    )?;
    if done.is_empty() {
        return Ok(());
    }
    let col = match status {
        "issued" => "issued",
        "skipped" => "skipped",
        _ => "failed",
    };
    db.execute(&format!("UPDATE certificate_jobs SET {col} = {col} + 1 WHERE id = ?"), &[job_id.into()])
}

/// Marks a job done when no item is pending.
pub fn finish_job_if_done(db: &dyn Db, job_id: i64, now: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE certificate_jobs SET status = 'done', finished_at = ? WHERE id = ? AND status = 'running' \
         AND NOT EXISTS (SELECT 1 FROM certificate_job_items WHERE job_id = ? AND status = 'pending')",
        &[now.into(), job_id.into(), job_id.into()],
    )
}

/// An item of a job that did not issue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JobItem {
    pub application_id: i64,
    pub status: String,
    pub certificate_id: Option<i64>,
    pub reason: Option<String>,
}

/// The items of a job that were skipped or failed (at most `limit`).
pub fn job_problems(db: &dyn Db, job_id: i64, limit: i64) -> Result<Vec<JobItem>, StoreError> {
    db.query(
        "SELECT application_id, status, certificate_id, reason FROM certificate_job_items \
         WHERE job_id = ? AND status IN ('skipped', 'failed') ORDER BY application_id LIMIT ?",
        &[job_id.into(), limit.into()],
    )?
    .iter()
    .map(|r| {
        Ok(JobItem {
            application_id: r.int(0)?,
            status: r.text(1)?,
            certificate_id: r.opt_int(2)?,
            reason: r.opt_text(3)?,
        })
    })
    .collect()
}

// ---------------------------------------------------------------- imports

/// A certificate import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub id: i64,
    pub status: String,
    pub filename: String,
    pub sha256: String,
    pub rows: String,
    pub report: String,
    pub commit_report: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub committed_at: Option<String>,
    pub version: i64,
}

/// Inserts a validated import.
pub fn insert_import(
    db: &dyn Db,
    filename: &str,
    sha256: &str,
    rows: &str,
    report: &str,
    by: &str,
    now: &str,
) -> Result<i64, StoreError> {
    first_id(db.query(
        "INSERT INTO certificate_imports (status, filename, sha256, rows, report, created_by, created_at) \
         VALUES ('validated', ?, ?, ?, ?, ?, ?) RETURNING id",
        &[filename.into(), sha256.into(), rows.into(), report.into(), by.into(), now.into()],
    )?)
}

/// One import.
pub fn import(db: &dyn Db, id: i64) -> Result<Option<ImportRecord>, StoreError> {
    db.query_opt(
        "SELECT id, status, filename, sha256, rows, report, commit_report, created_by, created_at, committed_at, \
         version FROM certificate_imports WHERE id = ?",
        &[id.into()],
    )?
    .map(|r| {
        Ok(ImportRecord {
            id: r.int(0)?,
            status: r.text(1)?,
            filename: r.text(2)?,
            sha256: r.text(3)?,
            rows: r.text(4)?,
            report: r.text(5)?,
            commit_report: r.opt_text(6)?,
            created_by: r.text(7)?,
            created_at: r.text(8)?,
            committed_at: r.opt_text(9)?,
            version: r.int(10)?,
        })
    })
    .transpose()
}

/// Compare-and-set: marks a validated import committed with its report.
pub fn commit_import(db: &dyn Db, id: i64, version: i64, report: &str, now: &str) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            "UPDATE certificate_imports SET status = 'committed', commit_report = ?, committed_at = ?, \
             version = version + 1 WHERE id = ? AND version = ? AND status = 'validated' RETURNING id",
            &[report.into(), now.into(), id.into(), version.into()],
        )?
        .is_empty())
}

// ---------------------------------------------------------------- MOHRSS outbox

/// Queues a record (once per record key).
pub fn enqueue(
    db: &dyn Db,
    kind: &str,
    certificate_id: i64,
    record_key: &str,
    payload: &str,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT OR IGNORE INTO mohrss_outbox (kind, certificate_id, record_key, payload, status, created_at) \
         VALUES (?, ?, ?, ?, 'pending', ?)",
        &[kind.into(), certificate_id.into(), record_key.into(), payload.into(), now.into()],
    )
}

/// An outbox record (without its payload).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutboxRecord {
    pub id: i64,
    pub kind: String,
    pub certificate_id: i64,
    pub record_key: String,
    pub status: String,
    pub batch_id: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: String,
    pub acknowledged_at: Option<String>,
    pub receipt: Option<String>,
}

const OUTBOX_COLUMNS: &str =
    "id, kind, certificate_id, record_key, status, batch_id, attempts, last_error, created_at, acknowledged_at, receipt";

fn outbox_row(r: &Row) -> Result<OutboxRecord, StoreError> {
    Ok(OutboxRecord {
        id: r.int(0)?,
        kind: r.text(1)?,
        certificate_id: r.int(2)?,
        record_key: r.text(3)?,
        status: r.text(4)?,
        batch_id: r.opt_int(5)?,
        attempts: r.int(6)?,
        last_error: r.opt_text(7)?,
        created_at: r.text(8)?,
        acknowledged_at: r.opt_text(9)?,
        receipt: r.opt_text(10)?,
    })
}

/// Pending records not in a batch, oldest first.
pub fn unbatched(db: &dyn Db, limit: i64) -> Result<Vec<OutboxRecord>, StoreError> {
    let sql = format!(
        "SELECT {OUTBOX_COLUMNS} FROM mohrss_outbox WHERE status = 'pending' AND batch_id IS NULL ORDER BY id LIMIT ?"
    );
    db.query(&sql, &[limit.into()])?.iter().map(outbox_row).collect()
}

/// A page of outbox records (by status and certificate, or all), by id, and the total.
pub fn list_outbox(
    db: &dyn Db,
    status: Option<&str>,
    certificate_id: Option<i64>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<OutboxRecord>, i64), StoreError> {
    let w = "(? IS NULL OR status = ?) AND (? IS NULL OR certificate_id = ?)";
    let p: Vec<Value> = vec![status.into(), status.into(), certificate_id.into(), certificate_id.into()];
    let sql = format!("SELECT {OUTBOX_COLUMNS} FROM mohrss_outbox WHERE {w} ORDER BY id LIMIT ? OFFSET ?");
    let mut pp = p.clone();
    pp.extend([limit.into(), offset.into()]);
    let items = db.query(&sql, &pp)?.iter().map(outbox_row).collect::<Result<_, _>>()?;
    Ok((items, count(db, &format!("SELECT COUNT(*) FROM mohrss_outbox WHERE {w}"), &p)?))
}

/// The records of a certificate.
pub fn outbox_of_certificate(db: &dyn Db, certificate_id: i64) -> Result<Vec<OutboxRecord>, StoreError> {
    let sql = format!("SELECT {OUTBOX_COLUMNS} FROM mohrss_outbox WHERE certificate_id = ? ORDER BY id");
    db.query(&sql, &[certificate_id.into()])?.iter().map(outbox_row).collect()
}

/// The records of a batch with their payloads.
pub fn batch_records(db: &dyn Db, batch_id: i64) -> Result<Vec<(OutboxRecord, String)>, StoreError> {
    let sql = format!("SELECT {OUTBOX_COLUMNS}, payload FROM mohrss_outbox WHERE batch_id = ? ORDER BY id");
    db.query(&sql, &[batch_id.into()])?.iter().map(|r| Ok((outbox_row(r)?, r.text(11)?))).collect()
}

/// Counts of records per status.
pub fn outbox_counts(db: &dyn Db) -> Result<Vec<(String, i64)>, StoreError> {
    db.query("SELECT status, COUNT(*) FROM mohrss_outbox GROUP BY status ORDER BY status", &[])?
        .iter()
        .map(|r| Ok((r.text(0)?, r.int(1)?)))
        .collect()
}

/// A batch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Batch {
    pub id: i64,
    pub batch_key: String,
    pub status: String,
    pub record_count: i64,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub lease_until: Option<String>,
    pub last_error: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub last_attempt_at: Option<String>,
    pub acknowledged_at: Option<String>,
}

const BATCH_COLUMNS: &str = "id, batch_key, status, record_count, attempts, next_attempt_at, lease_until, last_error, \
     created_by, created_at, last_attempt_at, acknowledged_at";

fn batch_row(r: &Row) -> Result<Batch, StoreError> {
    Ok(Batch {
        id: r.int(0)?,
        batch_key: r.text(1)?,
        status: r.text(2)?,
        record_count: r.int(3)?,
        attempts: r.int(4)?,
        next_attempt_at: r.text(5)?,
        lease_until: r.opt_text(6)?,
        last_error: r.opt_text(7)?,
        created_by: r.text(8)?,
        created_at: r.text(9)?,
        last_attempt_at: r.opt_text(10)?,
        acknowledged_at: r.opt_text(11)?,
    })
}

/// One batch.
pub fn batch(db: &dyn Db, id: i64) -> Result<Option<Batch>, StoreError> {
    let sql = format!("SELECT {BATCH_COLUMNS} FROM mohrss_batches WHERE id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(batch_row).transpose()
}

/// A page of batches (by status, or all), latest first.
pub fn list_batches(
    db: &dyn Db,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Batch>, i64), StoreError> {
    let sql = format!(
        "SELECT {BATCH_COLUMNS} FROM mohrss_batches WHERE (? IS NULL OR status = ?) ORDER BY id DESC LIMIT ? OFFSET ?"
    );
    let items = db
        .query(&sql, &[status.into(), status.into(), limit.into(), offset.into()])?
        .iter()
        .map(batch_row)
        .collect::<Result<_, _>>()?;
    let total = count(
        db,
        "SELECT COUNT(*) FROM mohrss_batches WHERE (? IS NULL OR status = ?)",
        &[status.into(), status.into()],
    )?;
    Ok((items, total))
}

/// Creates the batch `key` (or requeues the finished batch that had the same records) and
/// assigns the records to it.
pub fn form_batch(db: &dyn Db, key: &str, record_ids: &[i64], by: &str, now: &str) -> Result<i64, StoreError> {
    let id = match db.query_opt("SELECT id FROM mohrss_batches WHERE batch_key = ?", &[key.into()])? {
        Some(r) => {
            let id = r.int(0)?;
            db.execute(
                "UPDATE mohrss_batches SET status = 'queued', attempts = 0, next_attempt_at = ?, lease_until = NULL, \
                 record_count = ? WHERE id = ?",
                &[now.into(), (record_ids.len() as i64).into(), id.into()],
            )?;
            id
        }
        None => first_id(db.query(
            "INSERT INTO mohrss_batches (batch_key, status, record_count, next_attempt_at, created_by, created_at) \
             VALUES (?, 'queued', ?, ?, ?, ?) RETURNING id",
            &[key.into(), (record_ids.len() as i64).into(), now.into(), by.into(), now.into()],
        )?)?,
    };
    for rid in record_ids {
        db.execute("UPDATE mohrss_outbox SET batch_id = ? WHERE id = ?", &[id.into(), (*rid).into()])?;
    }
    Ok(id)
}

/// The next batch due to be sent: queued or retrying and due, or sending with its lease
/// expired (the sender died before recording the answer).
pub fn due_batch(db: &dyn Db, now: &str) -> Result<Option<Batch>, StoreError> {
    let sql = format!(
        "SELECT {BATCH_COLUMNS} FROM mohrss_batches WHERE (status IN ('queued', 'retry') AND next_attempt_at <= ?) \
         OR (status = 'sending' AND lease_until < ?) ORDER BY next_attempt_at, id LIMIT 1"
    );
    db.query_opt(&sql, &[now.into(), now.into()])?.as_ref().map(batch_row).transpose()
}

/// Compare-and-set: claims a batch for one send (it must still be as read).
pub fn claim_batch(db: &dyn Db, b: &Batch, lease_until: &str, now: &str) -> Result<bool, StoreError> {
    let claimed = !db
        .query(
            "UPDATE mohrss_batches SET status = 'sending', attempts = attempts + 1, lease_until = ?, \
             last_attempt_at = ? WHERE id = ? AND status = ? AND attempts = ? RETURNING id",
            &[lease_until.into(), now.into(), b.id.into(), b.status.as_str().into(), b.attempts.into()],
        )?
        .is_empty();
    if claimed {
        db.execute(
            "UPDATE mohrss_outbox SET status = 'sent', attempts = attempts + 1 WHERE batch_id = ? AND status IN ('pending', 'sent')",
            &[b.id.into()],
        )?;
    }
    Ok(claimed)
}

/// Whether the batch is still in the send numbered `attempts` (no one took it over).
pub fn still_sending(db: &dyn Db, batch_id: i64, attempts: i64) -> Result<bool, StoreError> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM mohrss_batches WHERE id = ? AND status = 'sending' AND attempts = ?",
            &[batch_id.into(), attempts.into()],
        )?
        .is_some())
}

/// Sets a batch's status after a send.
pub fn set_batch(
    db: &dyn Db,
    id: i64,
    status: &str,
    next_attempt_at: Option<&str>,
    error: Option<&str>,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(
        "UPDATE mohrss_batches SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at), last_error = ?, \
         lease_until = NULL, acknowledged_at = CASE WHEN ? = 'acknowledged' THEN ? ELSE acknowledged_at END WHERE id = ?",
        &[status.into(), next_attempt_at.into(), error.into(), status.into(), now.into(), id.into()],
    )
}

/// A record is held by the registry.
pub fn acknowledge(db: &dyn Db, record_key: &str, receipt: Option<&str>, now: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE mohrss_outbox SET status = 'acknowledged', acknowledged_at = ?, receipt = ?, last_error = NULL \
         WHERE record_key = ?",
        &[now.into(), receipt.into(), record_key.into()],
    )
}

/// A record goes to the dead letter.
pub fn dead_letter(db: &dyn Db, record_key: &str, error: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE mohrss_outbox SET status = 'failed', last_error = ? WHERE record_key = ?",
        &[error.into(), record_key.into()],
    )
}

/// A record waits for its batch's next send.
pub fn back_to_pending(db: &dyn Db, record_key: &str, error: Option<&str>) -> Result<(), StoreError> {
    db.execute(
        "UPDATE mohrss_outbox SET status = 'pending', last_error = ? WHERE record_key = ?",
        &[error.into(), record_key.into()],
    )
}

/// A record leaves its batch, to be batched again.
pub fn unbatch(db: &dyn Db, record_key: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE mohrss_outbox SET status = 'pending', batch_id = NULL WHERE record_key = ?",
        &[record_key.into()],
    )
}

/// Requeues dead-lettered records (of some certificates, or all) and makes the pending
/// ones of those certificates due now. Returns how many records were touched.
pub fn requeue(db: &dyn Db, certificate_ids: Option<&[i64]>, now: &str) -> Result<i64, StoreError> {
    let mut touched = 0;
    let ids: Vec<Option<i64>> = match certificate_ids {
        Some(ids) => ids.iter().map(|i| Some(*i)).collect(),
        None => vec![None],
    };
    for cid in ids {
        touched += db
            .query(
                "UPDATE mohrss_outbox SET status = 'pending', batch_id = NULL, attempts = 0 \
                 WHERE status = 'failed' AND (? IS NULL OR certificate_id = ?) RETURNING id",
                &[cid.into(), cid.into()],
            )?
            .len() as i64;
        touched += db
            .query(
                "UPDATE mohrss_batches SET next_attempt_at = ? WHERE status = 'retry' AND id IN \
                 (SELECT batch_id FROM mohrss_outbox WHERE status = 'pending' AND (? IS NULL OR certificate_id = ?)) \
                 RETURNING id",
                &[now.into(), cid.into(), cid.into()],
            )?
            .len() as i64;
    }
    Ok(touched)
}

/// The number of the certificate issued for an application, if any.
pub fn certificate_of_application(db: &dyn Db, application_id: i64) -> Result<Option<String>, StoreError> {
    db.query_opt("SELECT certificate_no FROM certificates WHERE application_id = ?", &[application_id.into()])?
        .map(|r| r.text(0))
        .transpose()
}
