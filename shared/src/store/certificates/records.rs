//! Certificates.

#[allow(unused_imports)]
use super::*;

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

pub(super) const CERT_COLUMNS: &str =
    "id, certificate_no, application_id, source, holder_sub, citizen_id, name, series, level, \
     specialty, committee, unit_org, approval_doc_no, issuer_code, issued_on, payload, seal_key_id, signature, \
     verification_code, status, revoked_at, revoked_by, revocation_reason, revocation_fraud, job_id, import_id, \
     created_by, created_at, version";

pub(super) fn cert_row(r: &Row) -> Result<CertificateRecord, StoreError> {
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

pub(super) const INSERT_CERT: &str =
    "INSERT INTO certificates (certificate_no, application_id, source, holder_sub, citizen_id, \
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

/// Whether a number is taken: by any certificate (valid or revoked), reserved by a job's
/// claim, or voided (migration 0028).
pub fn number_taken(db: &dyn Db, no: &str) -> Result<bool, StoreError> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM certificates WHERE certificate_no = ? \
             UNION ALL SELECT 1 FROM certificate_job_claims WHERE certificate_no = ? \
             UNION ALL SELECT 1 FROM certificate_voided_numbers WHERE certificate_no = ?",
            &[no.into(), no.into(), no.into()],
        )?
        .is_some())
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

pub(super) fn cert_where(f: &CertificateFilter) -> (String, Vec<Value>) {
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

pub(super) const REVOKE: &str = "UPDATE certificates SET status = 'revoked', revoked_at = ?, revoked_by = ?, \
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
