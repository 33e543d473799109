//! Unit registrations.

#[allow(unused_imports)]
use super::*;

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

pub(super) const INSERT_REGISTRATION: &str = "INSERT INTO unit_registrations (org_id, credit_code, name, region_code, \
     public_institution, legal_representative, contact_name, contact_phone, address, review_org, registrant_sub, \
     registrant_name, status, version, created_at, updated_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?) RETURNING id";
pub(super) const CORRECT_REGISTRATION: &str =
    "UPDATE unit_registrations SET name = ?, region_code = ?, public_institution = ?, \
     legal_representative = ?, contact_name = ?, contact_phone = ?, address = ?, review_org = ?, status = 'pending', \
     version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND status IN ('pending', 'rejected') \
     RETURNING version";
pub(super) const DECIDE_REGISTRATION: &str = "UPDATE unit_registrations SET status = ?, opinion = ?, reviewed_by = ?, \
     reviewed_at = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND status = 'pending' \
     RETURNING version";
pub(super) const INSERT_PENDING_ORG: &str = "INSERT INTO organisations (id, kind, name, credit_code, region_code, \
     public_institution, self_review, status, version, created_at, updated_at) \
     VALUES (?, 'unit', ?, ?, ?, ?, 0, 'pending', 1, ?, ?) ON CONFLICT DO NOTHING RETURNING id";
pub(super) const SET_ORG_STATUS: &str =
    "UPDATE organisations SET status = ?, name = ?, region_code = ?, public_institution = ?, \
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

pub(super) const INSERT_ATTACHMENT: &str =
    "INSERT INTO unit_registration_attachments (registration_id, kind, filename, \
     content_type, size, sha256, content, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
pub(super) const SELECT_ATTACHMENTS: &str = "SELECT id, kind, filename, content_type, size, sha256, uploaded_at \
     FROM unit_registration_attachments WHERE registration_id = ? ORDER BY id";
pub(super) const SELECT_ATTACHMENT: &str =
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
