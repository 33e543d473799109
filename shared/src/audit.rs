//! The audit trail (过程跟踪): every state change writes one event in the same
//! transaction, chained — each event stores SHA-256(previous hash ‖ canonical JSON of
//! the event) — so a removed or edited event breaks every later hash. The chain's head is
//! anchored ([`anchor`]) at publicity closes, filings and certificate batches, so removing
//! the last events is detected too.
//!
//! **Canonical encoding** (what is hashed, fixed by a golden vector test): the event as a
//! JSON object with the keys `action, actor, at, detail, from_state, opinion, org, role,
//! subject_id, subject_kind, to_state` in that (byte) order, absent values as `null`,
//! `detail` as the JSON value itself (its object keys sorted the same way), strings with
//! serde_json's escaping (UTF-8 kept, control characters escaped), no whitespace. The hash
//! is SHA-256 of the previous hash's 64 lowercase hex digits followed by that text, in
//! lowercase hex; the first event's previous hash is [`GENESIS`].

use crate::store::{Db, StoreError};

pub mod anchor;
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

/// What is wrong at one place of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// The event's content no longer hashes to its stored hash (edited).
    Edited,
    /// The event's `prev_hash` is not the stored hash of the event before it: events were
    /// removed or inserted before it (or the first event is not chained to the genesis).
    Unlinked,
    /// The stored `detail` is not JSON (text written where the event had none, or garbage).
    DetailNotJson,
    /// The chain ends before an anchored head: its last events were removed.
    Truncated,
    /// The event at an anchored head has another hash than the anchor signed.
    AnchorMismatch,
    /// An anchor's signature does not verify with its public key.
    AnchorSignatureInvalid,
}

/// One break of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    /// The event (for anchor breaks: the anchored head's sequence number).
    pub seq: i64,
    /// What is wrong there.
    pub kind: BreakKind,
}

/// The most breaks a report lists (`breaks_total` counts them all).
pub const MAX_REPORTED_BREAKS: usize = 1000;

/// The outcome of verifying the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// Events checked.
    pub events: u64,
    /// The first break, if any.
    pub first_broken_seq: Option<i64>,
    /// Every break, in chain order, anchors last (at most [`MAX_REPORTED_BREAKS`]).
    pub breaks: Vec<Break>,
    /// How many breaks there are.
    pub breaks_total: u64,
    /// The last event (sequence number and hash), if any.
    pub head: Option<anchor::Head>,
    /// The latest anchor the chain was checked against, if any.
    pub latest_anchor: Option<anchor::Anchor>,
}

impl ChainReport {
    fn push(&mut self, seq: i64, kind: BreakKind) {
        self.breaks_total += 1;
        if self.first_broken_seq.is_none() {
            self.first_broken_seq = Some(seq);
        }
        if self.breaks.len() < MAX_REPORTED_BREAKS {
            self.breaks.push(Break { seq, kind });
        }
    }
}

/// Recomputes every hash from the genesis and reports every break: each event is checked
/// on its own (its content against its hash, its `prev_hash` against the event before it,
/// its `detail` as JSON), so several tampers are all reported; then the chain is checked
/// against every anchor (signature, and the anchored head present with its hash), which
/// reports the removal of the last events.
pub fn verify_chain(db: &dyn Db) -> Result<ChainReport, StoreError> {
    let mut report = ChainReport {
        events: 0,
        first_broken_seq: None,
        breaks: Vec::new(),
        breaks_total: 0,
        head: None,
        latest_anchor: None,
    };
    let mut prev = GENESIS.to_owned();
    let mut after = 0i64;
    loop {
        let rows = db.query(SELECT_ALL_EVENTS, &[after.into()])?;
        if rows.is_empty() {
            break;
        }
        for r in rows {
            let seq = r.int(0)?;
            let raw_detail = r.opt_text(10)?;
            let detail = match raw_detail.as_deref().map(serde_json::from_str::<serde_json::Value>) {
                None => None,
                Some(Ok(v)) => Some(v),
                Some(Err(_)) => {
                    report.push(seq, BreakKind::DetailNotJson);
                    // Hash it as text, so the event is still compared with its hash.
                    raw_detail.clone().map(serde_json::Value::String)
                }
            };
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
                detail,
                at: r.text(11)?,
            };
            let stored_prev = r.text(12)?;
            let stored_hash = r.text(13)?;
            if stored_prev != prev {
                report.push(seq, BreakKind::Unlinked);
            }
            if e.chained_hash(&stored_prev) != stored_hash {
                report.push(seq, BreakKind::Edited);
            }
            report.events += 1;
            report.head = Some(anchor::Head { seq, hash: stored_hash.clone() });
            prev = stored_hash;
            after = seq;
        }
    }
    let anchors = anchor::all(db)?;
    for a in &anchors {
        if !a.signature_valid() {
            report.push(a.head_seq, BreakKind::AnchorSignatureInvalid);
        }
        match db.query_opt(SELECT_HASH_AT, &[a.head_seq.into()])? {
            Some(r) if r.text(0)? == a.head_hash => {}
            Some(_) => report.push(a.head_seq, BreakKind::AnchorMismatch),
            None => report.push(a.head_seq, BreakKind::Truncated),
        }
    }
    report.latest_anchor = anchors.into_iter().max_by_key(|a| (a.head_seq, a.id));
    Ok(report)
}

const SELECT_HASH_AT: &str = "SELECT hash FROM audit_events WHERE seq = ?";

#[cfg(all(test, feature = "native"))]
pub(crate) mod tests_support {
    use super::AuditEvent;

    /// An event of application `n`.
    pub(crate) fn event(n: u32) -> AuditEvent {
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
}

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::tests_support::event;
    use super::*;
    use crate::store::native::NativeDb;

    fn db() -> NativeDb {
        let db = NativeDb::open_in_memory().unwrap();
        db.execute_batch(include_str!("../../migrations/0001_schema.sql")).unwrap();
        db.execute_batch(include_str!("../../migrations/0012_audit_anchors.sql")).unwrap();
        db
    }

    #[test]
    fn each_event_hashes_the_previous_hash_and_its_canonical_json() {
        let db = db();
        let h1 = record(&db, &event(1)).unwrap();
        let h2 = record(&db, &event(2)).unwrap();
        assert_eq!(h1, event(1).chained_hash(GENESIS));
        assert_eq!(h2, event(2).chained_hash(&h1));
        assert!(event(1).canonical_json().contains(r#""detail":{"a":[1,2],"b":1}"#));
        let report = verify_chain(&db).unwrap();
        assert_eq!((report.events, report.first_broken_seq, report.breaks.len()), (2, None, 0));
        assert_eq!(report.head, Some(anchor::Head { seq: 2, hash: h2 }));
    }

    #[test]
    fn an_edited_event_breaks_the_chain_at_that_event() {
        let db = db();
        for n in 1..=3 {
            record(&db, &event(n)).unwrap();
        }
        db.execute("UPDATE audit_events SET opinion = '不同意' WHERE seq = 2", &[]).unwrap();
        let report = verify_chain(&db).unwrap();
        assert_eq!(report.first_broken_seq, Some(2));
        assert_eq!(report.breaks, vec![Break { seq: 2, kind: BreakKind::Edited }]);
    }

    #[test]
    fn a_deleted_event_breaks_the_chain_at_the_next_one() {
        let db = db();
        for n in 1..=3 {
            record(&db, &event(n)).unwrap();
        }
        db.execute("DELETE FROM audit_events WHERE seq = 2", &[]).unwrap();
        let report = verify_chain(&db).unwrap();
        assert_eq!(report.breaks, vec![Break { seq: 3, kind: BreakKind::Unlinked }]);
    }

    /// The golden vector of the canonical encoding: a change to the encoding (key order,
    /// escaping, whitespace, the hash input) changes every stored hash, so it must fail here.
    #[test]
    fn the_canonical_encoding_and_hash_of_a_known_event_are_fixed() {
        let e = AuditEvent {
            subject_kind: "application".into(),
            subject_id: "7".into(),
            actor: "u1".into(),
            role: "unit".into(),
            org: "ORG-U1".into(),
            action: "approve".into(),
            from_state: Some("unit_review".into()),
            to_state: None,
            opinion: Some("同意\n\"推荐\"".into()),
            detail: Some(serde_json::json!({"z": [1, "二"], "a": {"y": null, "b": true}})),
            at: "2024-09-30T01:00:00Z".into(),
        };
        assert_eq!(
            e.canonical_json(),
            r#"{"action":"approve","actor":"u1","at":"2024-09-30T01:00:00Z","detail":{"a":{"b":true,"y":null},"z":[1,"二"]},"from_state":"unit_review","opinion":"同意\n\"推荐\"","org":"ORG-U1","role":"unit","subject_id":"7","subject_kind":"application","to_state":null}"#
        );
        assert_eq!(e.chained_hash(GENESIS), GOLDEN_HASH);
    }

    /// Computed independently of this code (Python: `json.dumps(event, ensure_ascii=False,
    /// sort_keys=True, separators=(",", ":"))`, then SHA-256 of 64 zeros and that text).
    const GOLDEN_HASH: &str = "dfb87e05ff9702d75b1b5766d7a0444e8c9fee33e92d59b42eab8b57074746fc";

    #[test]
    fn several_tampers_are_all_reported_and_text_that_is_not_json_in_detail_is_a_break() {
        let db = db();
        for n in 1..=6 {
            let mut e = event(n);
            if n == 4 {
                e.detail = None;
            }
            record(&db, &e).unwrap();
        }
        db.execute("UPDATE audit_events SET opinion = '不同意' WHERE seq = 2", &[]).unwrap();
        db.execute("UPDATE audit_events SET detail = 'not json' WHERE seq = 4", &[]).unwrap();
        db.execute("DELETE FROM audit_events WHERE seq = 5", &[]).unwrap();
        let report = verify_chain(&db).unwrap();
        assert_eq!(
            report.breaks,
            vec![
                Break { seq: 2, kind: BreakKind::Edited },
                Break { seq: 4, kind: BreakKind::DetailNotJson },
                Break { seq: 4, kind: BreakKind::Edited },
                Break { seq: 6, kind: BreakKind::Unlinked },
            ]
        );
        assert_eq!((report.breaks_total, report.first_broken_seq), (4, Some(2)));
    }
}
