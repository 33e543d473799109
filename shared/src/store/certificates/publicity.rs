//! Result publicity.

#[allow(unused_imports)]
use super::*;

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

pub(super) const PENDING_SESSIONS: &str = "SELECT a.committee, c.name, c.organising_org, a.plan_id, a.voted_on, \
     MIN(a.batch_year), COUNT(*) FROM applications a JOIN committees c ON c.id = a.committee \
     WHERE a.state = 'passed' AND a.voted_on IS NOT NULL \
       AND NOT EXISTS (SELECT 1 FROM result_entries e WHERE e.application_id = a.id) \
       AND (? IS NULL OR c.organising_org = ?) \
     GROUP BY a.committee, c.name, c.organising_org, a.plan_id, a.voted_on ORDER BY a.voted_on, a.committee";

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

pub(super) const PASSED_IN_SESSION: &str =
    "SELECT a.id FROM applications a WHERE a.state = 'passed' AND a.committee = ? \
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

pub(super) const PUBLICITY_COLUMNS: &str =
    "id, committee, organising_org, batch_year, plan_id, voted_on, open_deadline, \
     start_on, end_on, opened_late, complaint_office, complaint_phone, filing_deadline, status, closed_on, opened_by, \
     opened_at, version";

pub(super) fn publicity_row(r: &Row) -> Result<Publicity, StoreError> {
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

pub(super) const INSERT_PUBLICITY: &str =
    "INSERT INTO result_publicities (committee, organising_org, batch_year, plan_id, \
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

pub(super) const DUE_PUBLICITIES: &str =
    "SELECT id FROM result_publicities WHERE status = 'open' AND end_on <> '' AND end_on < ? ORDER BY id LIMIT ?";

/// Open publicities whose last day is before `today`.
pub fn due_publicities(db: &dyn Db, today: &str, limit: i64) -> Result<Vec<i64>, StoreError> {
    db.query(DUE_PUBLICITIES, &[today.into(), limit.into()])?.iter().map(|r| r.int(0)).collect()
}

pub(super) const CLOSE_PUBLICITY: &str =
    "UPDATE result_publicities SET status = 'closed', closed_on = ?, version = version + 1 \
     WHERE id = ? AND status = 'open' RETURNING id";

/// Closes an open publicity; false if it was not open.
pub fn close_publicity(db: &dyn Db, id: i64, today: &str) -> Result<bool, StoreError> {
    Ok(!db.query(CLOSE_PUBLICITY, &[today.into(), id.into()])?.is_empty())
}

pub(super) const INSERT_ENTRY: &str = "INSERT INTO result_entries (application_id, publicity_id) VALUES (?, ?)";

/// Puts an application in a publicity.
pub fn insert_entry(db: &dyn Db, application_id: i64, publicity_id: i64) -> Result<(), StoreError> {
    db.execute(INSERT_ENTRY, &[application_id.into(), publicity_id.into()])
}

pub(super) const ENTRY: &str = "SELECT publicity_id, filing_id FROM result_entries WHERE application_id = ?";

/// The publicity (and latest filing) of an application.
pub fn entry(db: &dyn Db, application_id: i64) -> Result<Option<(i64, Option<i64>)>, StoreError> {
    db.query_opt(ENTRY, &[application_id.into()])?.map(|r| Ok((r.int(0)?, r.opt_int(1)?))).transpose()
}

pub(super) const SET_ENTRY_FILING: &str = "UPDATE result_entries SET filing_id = ? WHERE application_id = ?";

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

pub(super) fn person(r: &Row) -> Result<ListedPerson, StoreError> {
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

pub(super) const PERSON_COLUMNS: &str =
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
        "SELECT {PUBLICITY_COLUMNS} FROM result_publicities p WHERE p.filing_deadline <> '' AND p.filing_deadline < ? AND EXISTS \
         (SELECT 1 FROM result_entries e JOIN applications a ON a.id = e.application_id \
          WHERE e.publicity_id = p.id AND a.state IN ('result_publicity', 'publicity_passed')) ORDER BY p.id"
    );
    db.query(&sql, &[today.into()])?.iter().map(publicity_row).collect()
}

pub(super) const INSERT_FLAG: &str =
    "INSERT OR IGNORE INTO result_session_flags (committee, plan_key, voted_on, kind, \
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

pub(super) const PENDING_DEADLINE_PUBLICITIES: &str = "SELECT id, voted_on FROM result_publicities \
     WHERE open_deadline = '' OR end_on = '' OR filing_deadline = '' ORDER BY id";

/// Publicities with a deadline still pending ('' until its year's calendar is loaded):
/// (id, vote date).
pub fn pending_deadline_publicities(db: &dyn Db) -> Result<Vec<(i64, String)>, StoreError> {
    db.query(PENDING_DEADLINE_PUBLICITIES, &[])?.iter().map(|r| Ok((r.int(0)?, r.text(1)?))).collect()
}

pub(super) const SET_PUBLICITY_DEADLINES: &str = "UPDATE result_publicities SET open_deadline = ?, end_on = ?, \
     filing_deadline = ?, version = version + 1 WHERE id = ? AND version = ? RETURNING id";

/// Fills in a publicity's deadlines (compare-and-set on its version).
pub fn set_publicity_deadlines(
    db: &dyn Db,
    id: i64,
    version: i64,
    open_deadline: &str,
    end_on: &str,
    filing_deadline: &str,
) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            SET_PUBLICITY_DEADLINES,
            &[open_deadline.into(), end_on.into(), filing_deadline.into(), id.into(), version.into()],
        )?
        .is_empty())
}
