//! Filing.

#[allow(unused_imports)]
use super::*;

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

pub(super) const FILING_COLUMNS: &str =
    "id, publicity_id, committee, organising_org, batch_year, deadline, late, separate, \
     status, doc_no, filed_on, opinion, requested_by, requested_at, audited_by, audited_at, version";

pub(super) fn filing_row(r: &Row) -> Result<Filing, StoreError> {
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

pub(super) const INSERT_FILING: &str =
    "INSERT INTO filing_requests (publicity_id, committee, organising_org, batch_year, \
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

pub(super) const AUDIT_FILING: &str = "UPDATE filing_requests SET status = ?, doc_no = ?, filed_on = ?, opinion = ?, \
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
    // A title by review is filed (备案); a 初定 or 认定 is approved by its acceptance
    // institution (title_approvals, annex 3 §1.4–1.5): either document number selects it.
    let sql = "SELECT DISTINCT a.id FROM applications a LEFT JOIN filing_entries fe ON fe.application_id = a.id \
               LEFT JOIN filing_requests f ON f.id = fe.filing_id AND f.status = 'approved' \
               LEFT JOIN title_approvals t ON t.application_id = a.id \
               WHERE a.state = 'filed' AND (f.id IS NOT NULL OR t.id IS NOT NULL) \
               AND (? IS NULL OR f.doc_no = ? OR t.doc_no = ?) AND (? IS NULL OR a.batch_year = ?) \
               AND (? IS NULL OR a.committee = ?) AND (? IS NULL OR a.series = ?) AND (? IS NULL OR a.target_level = ?) \
               ORDER BY a.id LIMIT ?";
    db.query(
        sql,
        &[
            doc_no.into(),
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
