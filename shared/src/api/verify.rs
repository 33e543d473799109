//! Routes of the `verify` component: public verification of certificates, without a token
//! (六(三) 提供职称证书信息查询): by number and verification code, revealing only what the
//! certificate's face shows (the ID number masked); the published seal keys; and the check
//! of a downloaded sealed certificate. `/api/verify/...`.

use super::{respond, Deps, Env, Request, Response, Route};
use crate::certificates::face::{CertificateFace, SealedCertificate};
use crate::certificates::seal::{self, normalise_code};
use crate::error::DomainError;
use crate::store::certificates as store;
use crate::store::Db;
use crate::workflow::certificates::sealed;
use serde::Serialize;

/// Every operation of this router (see [`Route`]).
pub const ROUTES: &[Route] = &[
    Route::public("GET", "/api/verify/seal-keys", |c| {
        respond(
            200,
            keys(c.db).map(
                |k| serde_json::json!({ "algorithm": seal::ALGORITHM, "distid": seal::DEFAULT_DISTID, "keys": k }),
            ),
        )
    }),
    Route::public("GET", "/api/verify/certificates/{no}", |c| {
        respond(200, verify_certificate(c.db, c.param(0), c.req.query_param("code").as_deref()))
    }),
    Route::public("POST", "/api/verify/documents", |c| respond(200, c.json().and_then(|d| check_document(c.db, &d)))),
];

/// A published seal key.
#[derive(Debug, Serialize)]
pub struct KeyView {
    pub key_id: String,
    pub algorithm: String,
    /// The curve and its standard.
    pub curve: &'static str,
    /// The distinguishing identifier used in Z_A.
    pub distid: String,
    /// Uncompressed SEC1 point `04 ‖ x ‖ y`, hex.
    pub public_key: String,
    pub first_used_at: String,
}

/// What public verification reveals.
#[derive(Debug, Serialize)]
pub struct Verification {
    pub certificate_no: String,
    /// `valid` or `revoked`.
    pub status: String,
    pub revoked_on: Option<String>,
    /// The face as printed (ID number masked).
    pub certificate: CertificateFace,
    pub seal_key_id: String,
    pub signature: String,
    /// Whether the seal verifies with the published key.
    pub seal_valid: bool,
}

/// The check of a presented sealed certificate.
#[derive(Debug, Serialize)]
pub struct DocumentCheck {
    /// Whether the seal verifies with a published key.
    pub seal_valid: bool,
    /// Whether the key is one we published.
    pub known_key: bool,
    /// The certificate's status with us: `valid`, `revoked`, or `unknown`.
    pub status: String,
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn key_of(db: &dyn Db, key_id: &str) -> Result<Option<store::PublishedKey>, DomainError> {
    Ok(store::published_keys(db)?.into_iter().find(|k| k.key_id == key_id))
}

/// Public verification by number and code; a wrong code is answered exactly as an
/// unknown number (404), so neither can be probed.
pub fn verify_certificate(db: &dyn Db, no: &str, code: Option<&str>) -> Result<Verification, DomainError> {
    let not_found = DomainError::NotFound("证书（或验证码不符）");
    let code = normalise_code(code.unwrap_or_default());
    let c = store::certificate_by_no(db, no.trim()).map_err(DomainError::from)?.ok_or(not_found.clone())?;
    if code.is_empty() || !constant_time_eq(&code, &c.verification_code) {
        return Err(not_found);
    }
    let doc = sealed(&c)?;
    let seal_valid = match key_of(db, &c.seal_key_id)? {
        Some(k) => doc.verify(&k.public_key).unwrap_or(false),
        None => false,
    };
    Ok(Verification {
        certificate_no: c.certificate_no.clone(),
        status: c.status.clone(),
        revoked_on: c.revoked_at.as_deref().map(|t| t.chars().take(10).collect()),
        certificate: doc.certificate,
        seal_key_id: c.seal_key_id,
        signature: c.signature,
        seal_valid,
    })
}

/// The published keys.
pub fn keys(db: &dyn Db) -> Result<Vec<KeyView>, DomainError> {
    Ok(store::published_keys(db)?
        .into_iter()
        .map(|k| KeyView {
            key_id: k.key_id,
            algorithm: k.algorithm,
            curve: "SM2 (GB/T 32918.5-2017)",
            distid: k.distid,
            public_key: k.public_key,
            first_used_at: k.first_used_at,
        })
        .collect())
}

/// Checks a presented sealed certificate against the published keys and our records.
pub fn check_document(db: &dyn Db, doc: &SealedCertificate) -> Result<DocumentCheck, DomainError> {
    let key = key_of(db, &doc.seal.key_id)?;
    let seal_valid = key.as_ref().is_some_and(|k| doc.verify(&k.public_key).unwrap_or(false));
    let status = match store::certificate_by_no(db, &doc.certificate.certificate_no)? {
        Some(c) if seal_valid && c.signature == doc.seal.signature => c.status,
        _ => "unknown".into(),
    };
    Ok(DocumentCheck { seal_valid, known_key: key.is_some(), status })
}

/// Serves `/api/verify/...` (no token).
pub fn handle(req: &Request, db: &dyn Db) -> Response {
    super::serve(ROUTES, req, db, &Env::public(), &Deps::default())
}
