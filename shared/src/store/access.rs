//! The reads the access policy needs (`crate::access`): who owns, holds or organises an
//! object. One statement each; nothing here changes a row.

use super::{Db, StoreError};

const EXPERT: &str = "SELECT 1 FROM experts WHERE id = ?";
const APPLICATION: &str = "SELECT applicant_id, unit_org, state, holder_org, committee FROM applications WHERE id = ?";
// "Has this organisation acted on it": only a recorded action taken by the organisation
// itself (an organisation role with that organisation), never an applicant's event.
const ACTED: &str = "SELECT 1 FROM audit_events WHERE subject_kind = 'application' AND subject_id = ? \
     AND org = ? AND org <> '' AND role IN ('unit', 'dept', 'committee_org', 'province') LIMIT 1";
const COMMITTEE_ORG: &str = "SELECT organising_org FROM committees WHERE id = ?";
const PLAN: &str = "SELECT organising_org FROM review_plans WHERE id = ?";
const DRAWN: &str = "SELECT 1 FROM plan_judges WHERE plan_id = ? AND expert_id = ? AND status = 'drawn'";
const QUOTA: &str = "SELECT kind, auditor_org, unit_org FROM review_quotas WHERE id = ?";
const EDGE: &str = "SELECT upper_org FROM path_edges WHERE id = ?";
const EDGE_LOWER: &str = "SELECT lower_org FROM path_edges WHERE id = ?";
const CERTIFICATE: &str = "SELECT c.holder_sub, c.unit_org, k.organising_org FROM certificates c \
     LEFT JOIN committees k ON k.id = c.committee WHERE c.id = ?";
const PUBLICITY: &str = "SELECT organising_org FROM result_publicities WHERE id = ?";
const RESULT_ENTRY: &str = "SELECT p.organising_org FROM result_entries e \
     JOIN result_publicities p ON p.id = e.publicity_id WHERE e.application_id = ?";
const FILING: &str = "SELECT organising_org FROM filing_requests WHERE id = ?";
const REGISTRATION: &str = "SELECT registrant_sub, review_org FROM unit_registrations WHERE id = ?";

/// Whether an expert of this id is in the pool.
pub fn expert_exists(db: &dyn Db, id: &str) -> Result<bool, StoreError> {
    Ok(db.query_opt(EXPERT, &[id.into()])?.is_some())
}

/// Who an application belongs to and where it is.
#[derive(Debug, Clone)]
pub struct ApplicationOwners {
    /// The applicant's token subject.
    pub applicant_id: String,
    /// The applicant's unit.
    pub unit_org: String,
    /// The state's wire name.
    pub state: String,
    /// The organisation holding it on its audit path, if any.
    pub holder_org: Option<String>,
    /// The chosen committee.
    pub committee: String,
}

/// The owners of an application.
pub fn application(db: &dyn Db, id: i64) -> Result<Option<ApplicationOwners>, StoreError> {
    db.query_opt(APPLICATION, &[id.into()])?
        .map(|r| {
            Ok(ApplicationOwners {
                applicant_id: r.text(0)?,
                unit_org: r.text(1)?,
                state: r.text(2)?,
                holder_org: r.opt_text(3)?,
                committee: r.text(4)?,
            })
        })
        .transpose()
}

/// Whether `org` has acted on the application by a recorded action of its own.
pub fn org_has_acted(db: &dyn Db, application_id: i64, org: &str) -> Result<bool, StoreError> {
    Ok(db.query_opt(ACTED, &[application_id.to_string().into(), org.into()])?.is_some())
}

/// The organising unit of a committee.
pub fn committee_organiser(db: &dyn Db, committee: &str) -> Result<Option<String>, StoreError> {
    db.query_opt(COMMITTEE_ORG, &[committee.into()])?.map(|r| r.text(0)).transpose()
}

/// The organising unit of a review plan.
pub fn plan_organiser(db: &dyn Db, plan: i64) -> Result<Option<String>, StoreError> {
    db.query_opt(PLAN, &[plan.into()])?.map(|r| r.text(0)).transpose()
}

/// Whether the expert is a drawn (not declined) judge of the plan.
pub fn is_drawn_judge(db: &dyn Db, plan: i64, expert: &str) -> Result<bool, StoreError> {
    Ok(db.query_opt(DRAWN, &[plan.into(), expert.into()])?.is_some())
}

/// A quota declaration's kind, auditing organisation and unit.
pub fn quota(db: &dyn Db, id: i64) -> Result<Option<(String, String, String)>, StoreError> {
    db.query_opt(QUOTA, &[id.into()])?.map(|r| Ok((r.text(0)?, r.text(1)?, r.text(2)?))).transpose()
}

/// The upper organisation of an audit-path edge.
pub fn edge_upper(db: &dyn Db, id: i64) -> Result<Option<String>, StoreError> {
    db.query_opt(EDGE, &[id.into()])?.map(|r| r.text(0)).transpose()
}

/// The lower organisation of an audit-path edge.
pub fn edge_lower(db: &dyn Db, id: i64) -> Result<Option<String>, StoreError> {
    db.query_opt(EDGE_LOWER, &[id.into()])?.map(|r| r.text(0)).transpose()
}

/// Who a certificate concerns.
#[derive(Debug, Clone)]
pub struct CertificateOwners {
    /// The holder's token subject, when known.
    pub holder: Option<String>,
    /// The holder's unit.
    pub unit_org: String,
    /// The organising unit of its committee.
    pub organiser: Option<String>,
}

/// Who a certificate concerns.
pub fn certificate(db: &dyn Db, id: i64) -> Result<Option<CertificateOwners>, StoreError> {
    db.query_opt(CERTIFICATE, &[id.into()])?
        .map(|r| Ok(CertificateOwners { holder: r.opt_text(0)?, unit_org: r.text(1)?, organiser: r.opt_text(2)? }))
        .transpose()
}

/// The organising unit of a result publicity.
pub fn publicity_organiser(db: &dyn Db, id: i64) -> Result<Option<String>, StoreError> {
    db.query_opt(PUBLICITY, &[id.into()])?.map(|r| r.text(0)).transpose()
}

/// The organising unit of a filing request.
pub fn filing_organiser(db: &dyn Db, id: i64) -> Result<Option<String>, StoreError> {
    db.query_opt(FILING, &[id.into()])?.map(|r| r.text(0)).transpose()
}

/// A unit registration's registrant and reviewing HR office.
pub fn registration(db: &dyn Db, id: i64) -> Result<Option<(String, String)>, StoreError> {
    db.query_opt(REGISTRATION, &[id.into()])?.map(|r| Ok((r.text(0)?, r.text(1)?))).transpose()
}

/// The organising unit of the result publicity an application is listed in.
pub fn result_entry_organiser(db: &dyn Db, application: i64) -> Result<Option<String>, StoreError> {
    db.query_opt(RESULT_ENTRY, &[application.into()])?.map(|r| r.text(0)).transpose()
}
