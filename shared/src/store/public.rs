//! SQL of the public pages (migration 0010): the publicity notices people may read without
//! signing in, the objections they file there, and the pages' settings. One statement each.
//! Rows come back as the internal records ([`ListedPerson`], [`Publicity`]); only
//! `workflow::public::projection` turns them into what the public sees.

use super::certificates::{ListedPerson, Publicity};
use super::{Db, Row, StoreError};

/// The public pages' configuration (the one row of `public_settings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Calendar days a closed notice stays public after its last day.
    pub retention_days: i64,
    /// Objections one client address may file per hour.
    pub objections_per_hour: i64,
}

/// The defaults of migration 0010, used if the row was deleted.
pub const DEFAULT_SETTINGS: Settings = Settings { retention_days: 30, objections_per_hour: 5 };

const SETTINGS: &str = "SELECT retention_days, objections_per_hour FROM public_settings WHERE id = 1";

/// The public pages' settings.
pub fn settings(db: &dyn Db) -> Result<Settings, StoreError> {
    Ok(match db.query_opt(SETTINGS, &[])? {
        Some(r) => Settings { retention_days: r.int(0)?, objections_per_hour: r.int(1)? },
        None => DEFAULT_SETTINGS,
    })
}

/// One person of a unit's publicity, with the notice's terms as the unit set them
/// (四(二)2: start, last day, complaint office and phone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitEntry {
    pub person: ListedPerson,
    pub start_on: String,
    pub end_on: String,
    pub complaint_office: String,
    pub complaint_phone: String,
}

/// The columns of [`unit_entry`]: the person as a result list reads it, then the terms.
const UNIT_ENTRY_COLUMNS: &str = "id, applicant_name, citizen_id, unit_org, series, target_level, specialty, state, \
     version, publicity_start, publicity_end, COALESCE(complaint_office, ''), COALESCE(complaint_phone, '')";

/// A unit publicity is public while the application is in it (`unit_publicity`, whatever
/// the dates: a pending objection holds it open), and after it closed (the timer set
/// `publicity_closed_on`) until its last day is `retention` days past. An application sent
/// back to the applicant since (`draft`, `unit_review`, `returned`) is in no notice.
const UNIT_VISIBLE: &str = "publicity_start IS NOT NULL AND publicity_end IS NOT NULL AND (state = 'unit_publicity' \
     OR (publicity_closed_on IS NOT NULL AND state NOT IN ('draft', 'unit_review', 'returned') AND publicity_end >= ?))";

fn unit_entry(r: &Row) -> Result<UnitEntry, StoreError> {
    Ok(UnitEntry {
        person: ListedPerson {
            application_id: r.int(0)?,
            name: r.text(1)?,
            citizen_id: r.opt_text(2)?,
            unit_org: r.text(3)?,
            series: r.text(4)?,
            level: r.text(5)?,
            specialty: r.text(6)?,
            state: r.text(7)?,
            version: r.int(8)?,
        },
        start_on: r.text(9)?,
        end_on: r.text(10)?,
        complaint_office: r.text(11)?,
        complaint_phone: r.text(12)?,
    })
}

/// The people of `unit_org`'s visible publicities (`kept_from`: the earliest last day a
/// closed one may have), by start date and id.
pub fn unit_entries(db: &dyn Db, unit_org: &str, kept_from: &str) -> Result<Vec<UnitEntry>, StoreError> {
    let sql = format!(
        "SELECT {UNIT_ENTRY_COLUMNS} FROM applications WHERE unit_org = ? AND {UNIT_VISIBLE} \
         ORDER BY publicity_start, publicity_end, id"
    );
    db.query(&sql, &[unit_org.into(), kept_from.into()])?.iter().map(unit_entry).collect()
}

/// One application as a unit publicity lists it, if it is in one that is visible.
pub fn unit_entry_of(db: &dyn Db, application_id: i64, kept_from: &str) -> Result<Option<UnitEntry>, StoreError> {
    let sql = format!("SELECT {UNIT_ENTRY_COLUMNS} FROM applications WHERE id = ? AND {UNIT_VISIBLE}");
    db.query_opt(&sql, &[application_id.into(), kept_from.into()])?.as_ref().map(unit_entry).transpose()
}

/// The units that have a visible publicity.
pub fn units_with_publicity(db: &dyn Db, kept_from: &str) -> Result<Vec<String>, StoreError> {
    let sql = format!("SELECT DISTINCT unit_org FROM applications WHERE {UNIT_VISIBLE} ORDER BY unit_org");
    db.query(&sql, &[kept_from.into()])?.iter().map(|r| r.text(0)).collect()
}

const VISIBLE_RESULT_PUBLICITIES: &str = "SELECT id FROM result_publicities \
     WHERE (? IS NULL OR committee = ?) AND (status = 'open' OR end_on >= ?) ORDER BY start_on, id";

/// The result publicities that are visible (open, or closed with their last day on or
/// after `kept_from`), of one committee or all.
pub fn result_publicities(db: &dyn Db, committee: Option<&str>, kept_from: &str) -> Result<Vec<Publicity>, StoreError> {
    let ids: Vec<i64> = db
        .query(VISIBLE_RESULT_PUBLICITIES, &[committee.into(), committee.into(), kept_from.into()])?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(p) = super::certificates::publicity(db, id)? {
            out.push(p);
        }
    }
    Ok(out)
}

const ORG_NAME: &str = "SELECT name FROM organisations WHERE id = ?";
const COMMITTEE_NAME: &str = "SELECT name FROM committees WHERE id = ?";

/// An organisation's name.
pub fn organisation_name(db: &dyn Db, id: &str) -> Result<Option<String>, StoreError> {
    db.query_opt(ORG_NAME, &[id.into()])?.map(|r| r.text(0)).transpose()
}

/// A committee's name.
pub fn committee_name(db: &dyn Db, id: &str) -> Result<Option<String>, StoreError> {
    db.query_opt(COMMITTEE_NAME, &[id.into()])?.map(|r| r.text(0)).transpose()
}

/// An objection as filed on a public page; what its office reads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublicObjection {
    pub id: i64,
    /// 回执编号.
    pub receipt_no: String,
    /// `unit` or `result`.
    pub kind: String,
    pub application_id: i64,
    /// The listed person's name, as the notice showed it.
    pub applicant_name: String,
    pub publicity_id: Option<i64>,
    pub content: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub received_at: String,
}

/// What a new public objection stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewObjection<'a> {
    pub kind: &'a str,
    pub application_id: i64,
    pub publicity_id: Option<i64>,
    pub office_org: &'a str,
    pub content: &'a str,
    pub contact_name: Option<&'a str>,
    pub contact_phone: Option<&'a str>,
    pub client_key: &'a str,
    pub received_at: &'a str,
}

const INSERT_OBJECTION: &str = "INSERT INTO public_objections (receipt_no, kind, application_id, publicity_id, \
     office_org, content, contact_name, contact_phone, client_key, received_at) \
     VALUES ('pending-' || hex(randomblob(8)), ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
const SET_RECEIPT: &str = "UPDATE public_objections SET receipt_no = ? WHERE id = ?";

/// Stores an objection and gives it `receipt(id)` as its receipt number; returns the id.
pub fn insert_objection(
    db: &dyn Db,
    o: &NewObjection<'_>,
    receipt: impl FnOnce(i64) -> String,
) -> Result<(i64, String), StoreError> {
    let row = db
        .query_opt(
            INSERT_OBJECTION,
            &[
                o.kind.into(),
                o.application_id.into(),
                o.publicity_id.into(),
                o.office_org.into(),
                o.content.into(),
                o.contact_name.into(),
                o.contact_phone.into(),
                o.client_key.into(),
                o.received_at.into(),
            ],
        )?
        .ok_or_else(|| StoreError::Decode("insert returned no id".into()))?;
    let id = row.int(0)?;
    let no = receipt(id);
    db.execute(SET_RECEIPT, &[no.as_str().into(), id.into()])?;
    Ok((id, no))
}

const COUNT_SINCE: &str = "SELECT COUNT(*) FROM public_objections WHERE client_key = ? AND received_at > ?";

/// How many objections the client filed after `since` (RFC 3339).
pub fn objections_since(db: &dyn Db, client_key: &str, since: &str) -> Result<i64, StoreError> {
    db.query_opt(COUNT_SINCE, &[client_key.into(), since.into()])?.map_or(Ok(0), |r| r.int(0))
}

const RECEIVED: &str = "SELECT o.id, o.receipt_no, o.kind, o.application_id, a.applicant_name, o.publicity_id, \
     o.content, o.contact_name, o.contact_phone, o.received_at FROM public_objections o \
     JOIN applications a ON a.id = o.application_id \
     WHERE o.office_org = ? AND (? IS NULL OR o.kind = ?) AND (? IS NULL OR o.application_id = ?) \
     AND (? IS NULL OR o.publicity_id = ?) ORDER BY o.id DESC LIMIT 500";

/// The objections addressed to `office_org`, newest first (at most 500), optionally of one
/// kind, one application, one result publicity.
pub fn received(
    db: &dyn Db,
    office_org: &str,
    kind: Option<&str>,
    application_id: Option<i64>,
    publicity_id: Option<i64>,
) -> Result<Vec<PublicObjection>, StoreError> {
    db.query(
        RECEIVED,
        &[
            office_org.into(),
            kind.into(),
            kind.into(),
            application_id.into(),
            application_id.into(),
            publicity_id.into(),
            publicity_id.into(),
        ],
    )?
    .iter()
    .map(|r| {
        Ok(PublicObjection {
            id: r.int(0)?,
            receipt_no: r.text(1)?,
            kind: r.text(2)?,
            application_id: r.int(3)?,
            applicant_name: r.text(4)?,
            publicity_id: r.opt_int(5)?,
            content: r.text(6)?,
            contact_name: r.opt_text(7)?,
            contact_phone: r.opt_text(8)?,
            received_at: r.text(9)?,
        })
    })
    .collect()
}
