//! The audit trail (过程跟踪): every state change writes one event in the same
//! transaction, chained — each event stores SHA-256(previous hash ‖ canonical JSON of
//! the event) — so a removed or edited event breaks every later hash.

use crate::store::{Db, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audited state change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// What kind of object changed (`application`, …).
    pub subject_kind: String,
    /// Its id.
    pub subject_id: String,
    /// Who acted (token `sub`, or `system:<job>`).
    pub actor: String,
    /// The actor's role (or `system`).
    pub role: String,
    /// The actor's organisation.
    pub org: String,
    /// The action.
    pub action: String,
    /// State before.
    pub from_state: Option<String>,
    /// State after.
    pub to_state: Option<String>,
    /// Opinion or reason, as written by the actor.
    pub opinion: Option<String>,
    /// Structured detail (return items, publicity dates…), canonical JSON.
    pub detail: Option<serde_json::Value>,
    /// UTC time, RFC 3339.
    pub at: String,
}

impl AuditEvent {
    /// Canonical JSON: keys sorted (serde_json's default map), no whitespace.
    pub fn canonical_json(&self) -> String {
        let v = serde_json::to_value(self).expect("event serialises");
        serde_json::to_string(&v).expect("value serialises")
    }

    /// SHA-256(prev ‖ canonical JSON), lowercase hex.
    pub fn chained_hash(&self, prev: &str) -> String {
        let mut h = Sha256::new();
        h.update(prev.as_bytes());
        h.update(self.canonical_json().as_bytes());
        hex(&h.finalize())
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const LAST_HASH: &str = "SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1";
const INSERT_EVENT: &str = "INSERT INTO audit_events (subject_kind, subject_id, actor, role, org, action, \
     from_state, to_state, opinion, detail, at, prev_hash, hash) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const SELECT_SUBJECT_EVENTS: &str =
    "SELECT seq, actor, role, org, action, from_state, to_state, opinion, detail, at, hash \
     FROM audit_events WHERE subject_kind = ? AND subject_id = ? ORDER BY seq";
const SELECT_ALL_EVENTS: &str =
    "SELECT seq, subject_kind, subject_id, actor, role, org, action, from_state, to_state, \
     opinion, detail, at, prev_hash, hash FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 1000";

/// Appends an event to the chain. Call inside the transaction of the change it records.
pub fn record(db: &dyn Db, event: &AuditEvent) -> Result<String, StoreError> {
    let prev = match db.query_opt(LAST_HASH, &[])? {
        Some(r) => r.text(0)?,
        None => GENESIS.to_owned(),
    };
    let hash = event.chained_hash(&prev);
    db.execute(
        INSERT_EVENT,
        &[
            event.subject_kind.as_str().into(),
            event.subject_id.as_str().into(),
            event.actor.as_str().into(),
            event.role.as_str().into(),
            event.org.as_str().into(),
            event.action.as_str().into(),
            event.from_state.clone().into(),
            event.to_state.clone().into(),
            event.opinion.clone().into(),
            event.detail.as_ref().map(|d| d.to_string()).into(),
            event.at.as_str().into(),
            prev.into(),
            hash.as_str().into(),
        ],
    )?;
    Ok(hash)
}

/// One event as shown in a history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// Position in the global chain.
    pub seq: i64,
    /// Who acted.
    pub actor: String,
    /// Their role.
    pub role: String,
    /// Their organisation.
    pub org: String,
    /// What they did.
    pub action: String,
    /// State before.
    pub from_state: Option<String>,
    /// State after.
    pub to_state: Option<String>,
    /// Their opinion.
    pub opinion: Option<String>,
    /// Structured detail.
    pub detail: Option<serde_json::Value>,
    /// When (UTC).
    pub at: String,
    /// The event's chained hash.
    pub hash: String,
}

/// The history of one object, oldest first.
pub fn history(db: &dyn Db, subject_kind: &str, subject_id: &str) -> Result<Vec<HistoryEntry>, StoreError> {
    db.query(SELECT_SUBJECT_EVENTS, &[subject_kind.into(), subject_id.into()])?
        .into_iter()
        .map(|r| {
            Ok(HistoryEntry {
                seq: r.int(0)?,
                actor: r.text(1)?,
                role: r.text(2)?,
                org: r.text(3)?,
                action: r.text(4)?,
                from_state: r.opt_text(5)?,
                to_state: r.opt_text(6)?,
                opinion: r.opt_text(7)?,
                detail: r.opt_text(8)?.and_then(|s| serde_json::from_str(&s).ok()),
                at: r.text(9)?,
                hash: r.text(10)?,
            })
        })
        .collect()
}

/// The outcome of verifying the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// Events checked.
    pub events: u64,
    /// The first event whose hash does not match, if any.
    pub first_broken_seq: Option<i64>,
}

/// Recomputes every hash from the genesis and reports the first mismatch.
pub fn verify_chain(db: &dyn Db) -> Result<ChainReport, StoreError> {
    let mut prev = GENESIS.to_owned();
    let mut after = 0i64;
    let mut events = 0u64;
    loop {
        let rows = db.query(SELECT_ALL_EVENTS, &[after.into()])?;
        if rows.is_empty() {
            return Ok(ChainReport { events, first_broken_seq: None });
        }
        for r in rows {
            let seq = r.int(0)?;
            let e = AuditEvent {
                subject_kind: r.text(1)?,
                subject_id: r.text(2)?,
                actor: r.text(3)?,
                role: r.text(4)?,
                org: r.text(5)?,
                action: r.text(6)?,
                from_state: r.opt_text(7)?,
                to_state: r.opt_text(8)?,
                opinion: r.opt_text(9)?,
                detail: r.opt_text(10)?.and_then(|s| serde_json::from_str(&s).ok()),
                at: r.text(11)?,
            };
            let stored_prev = r.text(12)?;
            let stored_hash = r.text(13)?;
            if stored_prev != prev || e.chained_hash(&prev) != stored_hash {
                return Ok(ChainReport { events, first_broken_seq: Some(seq) });
            }
            events += 1;
            prev = stored_hash;
            after = seq;
        }
    }
}

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::*;
    use crate::store::native::NativeDb;

    fn db() -> NativeDb {
        let db = NativeDb::open_in_memory().unwrap();
        db.execute_batch(include_str!("../../migrations/0001_schema.sql")).unwrap();
        db
    }

    fn event(n: u32) -> AuditEvent {
        AuditEvent {
            subject_kind: "application".into(),
            subject_id: n.to_string(),
            actor: "u1".into(),
            role: "unit".into(),
            org: "ORG-U1".into(),
            action: "approve_into_publicity".into(),
            from_state: Some("unit_review".into()),
            to_state: Some("unit_publicity".into()),
            opinion: Some("同意".into()),
            detail: Some(serde_json::json!({"b": 1, "a": [1, 2]})),
            at: "2024-09-30T01:00:00Z".into(),
        }
    }

    #[test]
    fn each_event_hashes_the_previous_hash_and_its_canonical_json() {
        let db = db();
        let h1 = record(&db, &event(1)).unwrap();
        let h2 = record(&db, &event(2)).unwrap();
        assert_eq!(h1, event(1).chained_hash(GENESIS));
        assert_eq!(h2, event(2).chained_hash(&h1));
        assert!(event(1).canonical_json().contains(r#""detail":{"a":[1,2],"b":1}"#));
        assert_eq!(verify_chain(&db).unwrap(), ChainReport { events: 2, first_broken_seq: None });
    }

    #[test]
    fn an_edited_event_breaks_the_chain_at_that_event() {
        let db = db();
        for n in 1..=3 {
            record(&db, &event(n)).unwrap();
        }
        db.execute("UPDATE audit_events SET opinion = '不同意' WHERE seq = 2", &[]).unwrap();
        assert_eq!(verify_chain(&db).unwrap().first_broken_seq, Some(2));
    }

    #[test]
    fn a_deleted_event_breaks_the_chain_at_the_next_one() {
        let db = db();
        for n in 1..=3 {
            record(&db, &event(n)).unwrap();
        }
        db.execute("DELETE FROM audit_events WHERE seq = 2", &[]).unwrap();
        assert_eq!(verify_chain(&db).unwrap().first_broken_seq, Some(3));
    }
}
