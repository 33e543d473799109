//! Committees.

#[allow(unused_imports)]
use super::*;

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

pub(super) const SELECT_ORGANISERS: &str = "SELECT co.org_id, o.name FROM committee_organisers co \
     JOIN organisations o ON o.id = co.org_id WHERE co.committee_id = ? ORDER BY co.position";
pub(super) const SELECT_PRIMARY_ORGANISER: &str = "SELECT id, name FROM organisations WHERE id = ?";
pub(super) const SELECT_SPECIALTIES: &str =
    "SELECT specialty FROM committee_specialties WHERE committee_id = ? ORDER BY specialty";
pub(super) const SELECT_FEES: &str = "SELECT item, amount_fen FROM committee_fees WHERE committee_id = ? ORDER BY item";

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

pub(super) const UPDATE_COMMITTEE: &str =
    "UPDATE committees SET name = ?, organising_org = ?, series = ?, max_level = ?, \
     is_final = ?, valid_until = ?, version = version + 1, updated_at = ? \
     WHERE id = ? AND version = ? AND status = 'active' RETURNING version";
pub(super) const UPSERT_DETAILS: &str =
    "INSERT INTO committee_details (committee_id, operator_name, operator_citizen_id, \
     operator_phone, remarks, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
     ON CONFLICT (committee_id) DO UPDATE SET operator_name = excluded.operator_name, \
     operator_citizen_id = excluded.operator_citizen_id, operator_phone = excluded.operator_phone, \
     remarks = excluded.remarks, updated_by = excluded.updated_by, updated_at = excluded.updated_at";
pub(super) const DELETE_ORGANISERS: &str = "DELETE FROM committee_organisers WHERE committee_id = ?";
pub(super) const INSERT_ORGANISER: &str =
    "INSERT INTO committee_organisers (committee_id, org_id, position) VALUES (?, ?, ?)";
pub(super) const DELETE_SPECIALTIES: &str = "DELETE FROM committee_specialties WHERE committee_id = ?";
pub(super) const INSERT_SPECIALTY_OF: &str =
    "INSERT INTO committee_specialties (committee_id, specialty) VALUES (?, ?)";
pub(super) const DELETE_FEES: &str = "DELETE FROM committee_fees WHERE committee_id = ?";
pub(super) const INSERT_FEE: &str = "INSERT INTO committee_fees (committee_id, item, amount_fen) VALUES (?, ?, ?)";
pub(super) const CANCEL_COMMITTEE: &str = "UPDATE committees SET status = 'cancelled', cancel_reason = ?, \
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
pub(super) fn open_condition(closed: &[&str]) -> String {
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

/// The organising organisations (committee offices) of the active committees whose contact
/// person (联系人) has ID number `citizen_id`.
pub fn offices_with_contact(db: &dyn Db, citizen_id: &str) -> Result<Vec<String>, StoreError> {
    db.query(
        "SELECT DISTINCT c.organising_org FROM committees c JOIN committee_details d ON d.committee_id = c.id \
         WHERE d.operator_citizen_id = ? AND c.status = 'active' AND c.organising_org IS NOT NULL",
        &[citizen_id.into()],
    )?
    .iter()
    .map(|r| r.text(0))
    .collect()
}
