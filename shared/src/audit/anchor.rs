//! Anchors of the audit chain: the head (last sequence number and hash) signed with the
//! seal key at every publicity close, filing audit and certificate batch, kept in their own
//! table (`audit_anchors`), exported to the province and carried by every registry report.
//! A chain whose last events were removed no longer reaches its latest anchor, so
//! [`super::verify_chain`] reports it as truncated.
//!
//! **Signed message** (UTF-8, fields separated by `\n`): `zhicheng.audit-anchor/1`, the head
//! sequence number in decimal, the head hash, the reason, the reference, the time (RFC 3339
//! UTC); signed with SM2-with-SM3 as certificates are ([`crate::certificates::seal`]).

use crate::certificates::seal::{self, SealKey};
use crate::store::{Db, StoreError};
use serde::{Deserialize, Serialize};

/// The head of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// The last event's sequence number.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
}

/// Why a head was anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Publicity (unit or result) closed by the timer.
    PublicityClose,
    /// The province audited a filing.
    Filing,
    /// Certificates were generated (by document number, job or import).
    CertificateBatch,
}

impl Reason {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::PublicityClose => "publicity_close",
            Reason::Filing => "filing",
            Reason::CertificateBatch => "certificate_batch",
        }
    }
}

/// One stored anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// Its id.
    pub id: i64,
    /// The anchored head's sequence number.
    pub head_seq: i64,
    /// The anchored head's hash.
    pub head_hash: String,
    /// `publicity_close`, `filing` or `certificate_batch`.
    pub reason: String,
    /// What caused it (filing id, job id, `publicity-timer`…).
    pub reference: String,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// The seal key's id.
    pub key_id: String,
    /// The seal key's public half (SEC1, hex).
    pub public_key: String,
    /// SM2 signature (`r ‖ s`, hex) of [`message`].
    pub signature: String,
}

/// The signed bytes of an anchor.
pub fn message(head_seq: i64, head_hash: &str, reason: &str, reference: &str, at: &str) -> Vec<u8> {
    format!("zhicheng.audit-anchor/1\n{head_seq}\n{head_hash}\n{reason}\n{reference}\n{at}").into_bytes()
}

impl Anchor {
    /// Whether the signature verifies with the anchor's public key.
    pub fn signature_valid(&self) -> bool {
        let m = message(self.head_seq, &self.head_hash, &self.reason, &self.reference, &self.at);
        seal::key_id_of(&seal::unhex(&self.public_key).unwrap_or_default()) == self.key_id
            && seal::verify(&self.public_key, &m, &self.signature).unwrap_or(false)
    }
}

const HEAD: &str = "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1";
const INSERT: &str =
    "INSERT INTO audit_anchors (head_seq, head_hash, reason, reference, at, key_id, public_key, signature) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
const COLUMNS: &str =
    "SELECT id, head_seq, head_hash, reason, reference, at, key_id, public_key, signature FROM audit_anchors";

/// The chain's head, if it has events.
pub fn head(db: &dyn Db) -> Result<Option<Head>, StoreError> {
    db.query_opt(HEAD, &[])?.map(|r| Ok(Head { seq: r.int(0)?, hash: r.text(1)? })).transpose()
}

/// Signs and stores the current head (nothing when the chain is empty). Call after the
/// change it follows has committed, or inside its transaction.
pub fn seal_head(
    db: &dyn Db,
    key: &SealKey,
    reason: Reason,
    reference: &str,
    at: &str,
) -> Result<Option<Head>, StoreError> {
    let Some(h) = head(db)? else { return Ok(None) };
    let signature = key.sign(&message(h.seq, &h.hash, reason.as_str(), reference, at));
    db.execute(
        INSERT,
        &[
            h.seq.into(),
            h.hash.as_str().into(),
            reason.as_str().into(),
            reference.into(),
            at.into(),
            key.key_id().into(),
            key.public_key_hex().into(),
            signature.into(),
        ],
    )?;
    Ok(Some(h))
}

fn from_row(r: &crate::store::Row) -> Result<Anchor, StoreError> {
    Ok(Anchor {
        id: r.int(0)?,
        head_seq: r.int(1)?,
        head_hash: r.text(2)?,
        reason: r.text(3)?,
        reference: r.text(4)?,
        at: r.text(5)?,
        key_id: r.text(6)?,
        public_key: r.text(7)?,
        signature: r.text(8)?,
    })
}

/// Every anchor, oldest first.
pub fn all(db: &dyn Db) -> Result<Vec<Anchor>, StoreError> {
    db.query(&format!("{COLUMNS} ORDER BY id"), &[])?.iter().map(from_row).collect()
}

/// The latest anchor (highest head), if any.
pub fn latest(db: &dyn Db) -> Result<Option<Anchor>, StoreError> {
    db.query_opt(&format!("{COLUMNS} ORDER BY head_seq DESC, id DESC LIMIT 1"), &[])?.as_ref().map(from_row).transpose()
}

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::super::{record, tests_support::event, verify_chain, Break, BreakKind};
    use super::*;
    use crate::store::native::NativeDb;

    const KEY: &str = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8";

    fn db() -> NativeDb {
        let db = NativeDb::open_in_memory().unwrap();
        db.execute_batch(include_str!("../../../migrations/0001_schema.sql")).unwrap();
        db.execute_batch(include_str!("../../../migrations/0012_audit_anchors.sql")).unwrap();
        db
    }

    #[test]
    fn removing_the_last_events_after_an_anchor_is_reported_as_truncation() {
        let db = db();
        let key = SealKey::from_hex(KEY).unwrap();
        for n in 1..=5 {
            record(&db, &event(n)).unwrap();
        }
        let h = seal_head(&db, &key, Reason::Filing, "filing:1", "2024-12-20T01:00:00Z").unwrap().unwrap();
        assert_eq!(h.seq, 5);
        let clean = verify_chain(&db).unwrap();
        assert!(clean.breaks.is_empty(), "{clean:?}");
        assert_eq!(clean.latest_anchor.as_ref().map(|a| a.head_seq), Some(5));
        db.execute("DELETE FROM audit_events WHERE seq >= 4", &[]).unwrap();
        let report = verify_chain(&db).unwrap();
        assert_eq!(report.breaks, vec![Break { seq: 5, kind: BreakKind::Truncated }]);
    }

    #[test]
    fn an_anchor_with_another_hash_or_a_forged_signature_is_reported() {
        let db = db();
        let key = SealKey::from_hex(KEY).unwrap();
        for n in 1..=3 {
            record(&db, &event(n)).unwrap();
        }
        seal_head(&db, &key, Reason::CertificateBatch, "job:1", "2024-12-20T01:00:00Z").unwrap();
        assert!(latest(&db).unwrap().unwrap().signature_valid());
        // A rewritten chain (every hash recomputed) no longer matches the anchored head.
        db.execute("UPDATE audit_events SET hash = 'x' || hash WHERE seq = 3", &[]).unwrap();
        db.execute("UPDATE audit_anchors SET reference = 'job:2'", &[]).unwrap();
        let kinds: Vec<BreakKind> = verify_chain(&db).unwrap().breaks.into_iter().map(|b| b.kind).collect();
        assert_eq!(kinds, vec![BreakKind::Edited, BreakKind::AnchorSignatureInvalid, BreakKind::AnchorMismatch]);
    }
}
