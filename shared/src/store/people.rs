//! People, operators, sessions and sign-in counters (migration 0008). One statement each.

use super::{Db, Row, StoreError};

/// A registered person.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub citizen_id: String,
    pub name: String,
    pub phone: String,
    pub password_hash: String,
    pub must_change: bool,
    pub status: String,
}

const PERSON_COLUMNS: &str = "id, citizen_id, name, phone, password_hash, must_change, status";

fn person(r: &Row) -> Result<Person, StoreError> {
    Ok(Person {
        id: r.text(0)?,
        citizen_id: r.text(1)?,
        name: r.text(2)?,
        phone: r.text(3)?,
        password_hash: r.text(4)?,
        must_change: r.int(5)? != 0,
        status: r.text(6)?,
    })
}

/// The person whose ID number hashes to `id_hash` or whose phone is `phone`.
pub fn person_by_account(db: &dyn Db, id_hash: &str, phone: &str) -> Result<Option<Person>, StoreError> {
    let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE id_hash = ? OR phone = ? LIMIT 1");
    db.query_opt(&sql, &[id_hash.into(), phone.into()])?.map(|r| person(&r)).transpose()
}

/// A person by id.
pub fn person_by_id(db: &dyn Db, id: &str) -> Result<Option<Person>, StoreError> {
    let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE id = ?");
    db.query_opt(&sql, &[id.into()])?.map(|r| person(&r)).transpose()
}

/// Whether an ID number or a phone is already registered.
pub fn person_exists(db: &dyn Db, id_hash: &str, phone: &str) -> Result<(bool, bool), StoreError> {
    let by_id = db.query_opt("SELECT 1 FROM people WHERE id_hash = ?", &[id_hash.into()])?.is_some();
    let by_phone = db.query_opt("SELECT 1 FROM people WHERE phone = ?", &[phone.into()])?.is_some();
    Ok((by_id, by_phone))
}

/// Registers a person.
#[allow(clippy::too_many_arguments)]
pub fn insert_person(
    db: &dyn Db,
    id: &str,
    id_hash: &str,
    citizen_id: &str,
    name: &str,
    phone: &str,
    password_hash: &str,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO people (id, id_hash, citizen_id, name, phone, password_hash, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            id.into(),
            id_hash.into(),
            citizen_id.into(),
            name.into(),
            phone.into(),
            password_hash.into(),
            now.into(),
            now.into(),
        ],
    )
}

/// Replaces a person's password (`must_change` after a reset by an administrator).
pub fn set_password(db: &dyn Db, id: &str, hash: &str, must_change: bool, now: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE people SET password_hash = ?, must_change = ?, version = version + 1, updated_at = ? WHERE id = ?",
        &[hash.into(), must_change.into(), now.into(), id.into()],
    )
}

/// Failed sign-ins of an account key: (failures, locked until).
pub fn failures(db: &dyn Db, key: &str) -> Result<(i64, Option<String>), StoreError> {
    Ok(
        match db.query_opt("SELECT failures, locked_until FROM login_failures WHERE account_hash = ?", &[key.into()])? {
            Some(r) => (r.int(0)?, r.opt_text(1)?),
            None => (0, None),
        },
    )
}

/// Records the failure count of an account key.
pub fn set_failures(db: &dyn Db, key: &str, n: i64, locked_until: Option<&str>, now: &str) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO login_failures (account_hash, failures, locked_until, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (account_hash) DO UPDATE SET failures = excluded.failures, \
         locked_until = excluded.locked_until, updated_at = excluded.updated_at",
        &[key.into(), n.into(), locked_until.map(str::to_owned).into(), now.into()],
    )
}

/// Failed sign-ins of a client address: (window start, failures).
pub fn throttle(db: &dyn Db, client: &str) -> Result<Option<(String, i64)>, StoreError> {
    db.query_opt("SELECT window_start, failures FROM login_throttle WHERE client = ?", &[client.into()])?
        .map(|r| Ok((r.text(0)?, r.int(1)?)))
        .transpose()
}

/// Records a client address's failures in its window.
pub fn set_throttle(db: &dyn Db, client: &str, window_start: &str, failures: i64) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO login_throttle (client, window_start, failures) VALUES (?, ?, ?) \
         ON CONFLICT (client) DO UPDATE SET window_start = excluded.window_start, failures = excluded.failures",
        &[client.into(), window_start.into(), failures.into()],
    )
}

/// A session.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub person_id: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
}

fn session(r: &Row) -> Result<Session, StoreError> {
    Ok(Session {
        id: r.text(0)?,
        person_id: r.text(1)?,
        last_seen_at: r.text(2)?,
        expires_at: r.text(3)?,
        revoked_at: r.opt_text(4)?,
    })
}

const SESSION_COLUMNS: &str = "id, person_id, last_seen_at, expires_at, revoked_at";

/// Opens a session.
pub fn insert_session(
    db: &dyn Db,
    id: &str,
    person: &str,
    refresh_hash: &str,
    now: &str,
    expires: &str,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO sessions (id, person_id, refresh_hash, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        &[id.into(), person.into(), refresh_hash.into(), now.into(), now.into(), expires.into()],
    )
}

/// A session by id.
pub fn session_by_id(db: &dyn Db, id: &str) -> Result<Option<Session>, StoreError> {
    let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?");
    db.query_opt(&sql, &[id.into()])?.map(|r| session(&r)).transpose()
}

/// The session whose current refresh token hashes to `hash`.
pub fn session_by_refresh(db: &dyn Db, hash: &str) -> Result<Option<Session>, StoreError> {
    let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE refresh_hash = ?");
    db.query_opt(&sql, &[hash.into()])?.map(|r| session(&r)).transpose()
}

/// Rotates the refresh token and marks the session seen now.
pub fn rotate_session(db: &dyn Db, id: &str, refresh_hash: &str, now: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE sessions SET refresh_hash = ?, last_seen_at = ? WHERE id = ? AND revoked_at IS NULL",
        &[refresh_hash.into(), now.into(), id.into()],
    )
}

/// Ends a session.
pub fn revoke_session(db: &dyn Db, id: &str, now: &str) -> Result<(), StoreError> {
    db.execute("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", &[now.into(), id.into()])
}

/// Ends every session of a person (password change or reset).
pub fn revoke_sessions_of(db: &dyn Db, person: &str, now: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE sessions SET revoked_at = ? WHERE person_id = ? AND revoked_at IS NULL",
        &[now.into(), person.into()],
    )
}

/// An operator with its organisation's name.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Operator {
    pub id: i64,
    pub person_id: String,
    pub person_name: String,
    pub org: String,
    pub org_name: String,
    pub role: String,
    pub duty: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub status: String,
    pub delegated_from: Option<i64>,
    pub note: Option<String>,
    pub version: i64,
}

const OPERATOR_SELECT: &str = "SELECT o.id, o.person_id, p.name, o.org, g.name, o.role, o.duty, o.valid_from, \
     o.valid_until, o.status, o.delegated_from, o.note, o.version FROM operators o \
     JOIN people p ON p.id = o.person_id JOIN organisations g ON g.id = o.org";

fn operator(r: &Row) -> Result<Operator, StoreError> {
    Ok(Operator {
        id: r.int(0)?,
        person_id: r.text(1)?,
        person_name: r.text(2)?,
        org: r.text(3)?,
        org_name: r.text(4)?,
        role: r.text(5)?,
        duty: r.text(6)?,
        valid_from: r.text(7)?,
        valid_until: r.opt_text(8)?,
        status: r.text(9)?,
        delegated_from: r.opt_int(10)?,
        note: r.opt_text(11)?,
        version: r.int(12)?,
    })
}

/// An operator by id.
pub fn operator_by_id(db: &dyn Db, id: i64) -> Result<Option<Operator>, StoreError> {
    db.query_opt(&format!("{OPERATOR_SELECT} WHERE o.id = ?"), &[id.into()])?.map(|r| operator(&r)).transpose()
}

/// A person's operator records (every status).
pub fn operators_of_person(db: &dyn Db, person: &str) -> Result<Vec<Operator>, StoreError> {
    db.query(&format!("{OPERATOR_SELECT} WHERE o.person_id = ? ORDER BY o.id"), &[person.into()])?
        .iter()
        .map(operator)
        .collect()
}

/// An organisation's operators.
pub fn operators_of_org(db: &dyn Db, org: &str) -> Result<Vec<Operator>, StoreError> {
    db.query(&format!("{OPERATOR_SELECT} WHERE o.org = ? ORDER BY o.id"), &[org.into()])?.iter().map(operator).collect()
}

/// Adds an operator; returns its id.
#[allow(clippy::too_many_arguments)]
pub fn insert_operator(
    db: &dyn Db,
    person: &str,
    org: &str,
    role: &str,
    duty: &str,
    valid_from: &str,
    valid_until: Option<&str>,
    delegated_from: Option<i64>,
    note: Option<&str>,
    created_by: &str,
    now: &str,
) -> Result<i64, StoreError> {
    let row = db.query_opt(
        "INSERT INTO operators (person_id, org, role, duty, valid_from, valid_until, delegated_from, note, \
         created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        &[
            person.into(),
            org.into(),
            role.into(),
            duty.into(),
            valid_from.into(),
            valid_until.map(str::to_owned).into(),
            delegated_from.into(),
            note.map(str::to_owned).into(),
            created_by.into(),
            now.into(),
            now.into(),
        ],
    )?;
    row.ok_or_else(|| StoreError::Decode("INSERT … RETURNING gave no row".into()))?.int(0)
}

/// Sets an operator's status, compare-and-set on its version; whether it changed.
pub fn set_operator_status(db: &dyn Db, id: i64, version: i64, status: &str, now: &str) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            "UPDATE operators SET status = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? \
             RETURNING id",
            &[status.into(), now.into(), id.into(), version.into()],
        )?
        .is_empty())
}

/// The expert id of a person, when the pool holds them (experts sign in as judges).
pub fn expert_of(db: &dyn Db, person_hash: &str) -> Result<Option<(String, String)>, StoreError> {
    db.query_opt("SELECT id, status FROM experts WHERE person_hash = ?", &[person_hash.into()])?
        .map(|r| Ok((r.text(0)?, r.text(1)?)))
        .transpose()
}
