//! Commitment texts per batch year and federated identities (migration 0011). One
//! statement each.

use super::{Db, StoreError};

/// The province's wording of `year`'s commitment: (text, version), if it set one.
pub fn commitment_text(db: &dyn Db, year: i32) -> Result<Option<(String, i64)>, StoreError> {
    db.query_opt("SELECT text, version FROM batch_commitments WHERE year = ?", &[year.into()])?
        .map(|r| Ok((r.text(0)?, r.int(1)?)))
        .transpose()
}

/// Sets `year`'s wording if the stored version is `expected` (0: none stored yet); false
/// when someone else changed it first.
pub fn set_commitment_text(
    db: &dyn Db,
    year: i32,
    text: &str,
    text_sha256: &str,
    by: &str,
    now: &str,
    expected: i64,
) -> Result<bool, StoreError> {
    let rows = if expected == 0 {
        db.query(
            "INSERT INTO batch_commitments (year, text, text_sha256, set_by, version, set_at) \
             VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (year) DO NOTHING RETURNING year",
            &[year.into(), text.into(), text_sha256.into(), by.into(), now.into()],
        )?
    } else {
        db.query(
            "UPDATE batch_commitments SET text = ?, text_sha256 = ?, set_by = ?, set_at = ?, version = version + 1 \
             WHERE year = ? AND version = ? RETURNING year",
            &[text.into(), text_sha256.into(), by.into(), now.into(), year.into(), expected.into()],
        )?
    };
    Ok(!rows.is_empty())
}

/// The person a federated subject maps to.
pub fn federated_person(db: &dyn Db, issuer: &str, subject: &str) -> Result<Option<String>, StoreError> {
    db.query_opt(
        "SELECT person_id FROM federated_identities WHERE issuer = ? AND subject = ?",
        &[issuer.into(), subject.into()],
    )?
    .map(|r| r.text(0))
    .transpose()
}

/// Maps a federated subject to a person (first sign-in through the provider).
pub fn link_federated(db: &dyn Db, issuer: &str, subject: &str, person_id: &str, now: &str) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO federated_identities (issuer, subject, person_id, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (issuer, subject) DO UPDATE SET last_seen_at = excluded.last_seen_at",
        &[issuer.into(), subject.into(), person_id.into(), now.into(), now.into()],
    )
}
