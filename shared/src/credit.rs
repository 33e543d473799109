//! The interface to the national credit platform (全国信用信息共享平台, notice 七(一)): fraud
//! records — certificates revoked because they were obtained with false materials, and the
//! integrity-file (blacklist, R21) entries — are reported there the way certificates reach
//! the MOHRSS registry ([`crate::certificates::registry`]): an outbox row written in the
//! transaction of the revocation or blacklisting, sent with its idempotency key, retried with
//! backoff, dead-lettered after `max_attempts`. Ours, since the real interface is not public:
//! everything that knows its shape is this module.
//!
//! **Request.** `POST <credit_platform_url>` with `content-type: application/json` and
//! `idempotency-key: <record_key>`; the body is one [`CreditRecord`]. `record_key` is
//! `fraud_revocation:<certificate no>` or `blacklist:<blacklist record id>`: the platform
//! stores each key once, so a resent record is never recorded twice.
//!
//! **Response.** `200`/`201` with a [`CreditAnswer`]: `accepted` (stored now) or `duplicate`
//! (held under that key already), with the platform's receipt; `rejected` with a reason is a
//! refusal. `408`, `429` and `5xx` (and no answer at all) are temporary; any other `4xx`
//! refuses the record (dead letter).

use crate::certificates::registry::Transport;
use serde::{Deserialize, Serialize};

/// The schema name of a record.
pub const CREDIT_SCHEMA: &str = "zhicheng.credit-report/1";

/// One fraud record as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditRecord {
    /// [`CREDIT_SCHEMA`].
    pub schema: String,
    /// The record's idempotency key (also the `idempotency-key` header).
    pub record_key: String,
    /// The reporting province's region code (`430000`).
    pub reporter: String,
    /// `fraud_revocation` or `blacklist`.
    pub kind: String,
    /// The person's name.
    pub name: String,
    /// The full ID number (the platform indexes by it; never logged here).
    pub citizen_id: String,
    /// What was found (失信行为).
    pub conduct: String,
    /// The decision (处理决定): the revocation, the record in the integrity file.
    pub decision: String,
    /// The first and last day of the record (Asia/Shanghai dates).
    pub from_on: String,
    pub until_on: String,
    /// The revoked certificate's number (fraud revocations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_no: Option<String>,
    /// The deciding authority (省人社厅).
    pub authority: String,
    /// When the decision was recorded (UTC, RFC 3339).
    pub decided_at: String,
}

/// The platform's answer for one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditAnswer {
    pub record_key: String,
    /// `accepted`, `duplicate` or `rejected`.
    pub status: String,
    #[serde(default)]
    pub receipt: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// What became of one send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The platform holds the record (stored now or before).
    Acknowledged(Option<String>),
    /// A temporary failure: retry after the backoff.
    Temporary(String),
    /// Refused: resending it unchanged cannot help (dead letter).
    Refused(String),
}

/// Sends `body` for `record_key` and classifies the answer.
pub fn deliver(transport: &dyn Transport, record_key: &str, body: &[u8]) -> Delivery {
    classify(transport.post_batch(record_key, body), record_key)
}

/// Classifies the result of a send of record `record_key`.
pub fn classify(result: Result<(u16, Vec<u8>), String>, record_key: &str) -> Delivery {
    let (status, body) = match result {
        Ok(r) => r,
        Err(e) => return Delivery::Temporary(e),
    };
    let snippet = || String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
    match status {
        200..=299 => match serde_json::from_slice::<CreditAnswer>(&body) {
            Ok(a) if a.record_key != record_key => {
                Delivery::Temporary(format!("HTTP {status}: answer for another record"))
            }
            Ok(a) if a.status == "accepted" || a.status == "duplicate" => Delivery::Acknowledged(a.receipt),
            Ok(a) if a.status == "rejected" => {
                Delivery::Refused(format!("platform rejected: {}", a.reason.unwrap_or_else(|| "rejected".into())))
            }
            _ => Delivery::Temporary(format!("HTTP {status}: unreadable answer")),
        },
        408 | 429 | 500..=599 => Delivery::Temporary(format!("HTTP {status}: {}", snippet())),
        _ => Delivery::Refused(format!("HTTP {status}: {}", snippet())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_and_duplicate_are_held_rejected_and_client_errors_are_refused_the_rest_retried() {
        let ok = |s: &str| {
            serde_json::json!({"record_key": "k", "status": s, "receipt": "R", "reason": "bad"})
                .to_string()
                .into_bytes()
        };
        assert_eq!(classify(Ok((200, ok("accepted"))), "k"), Delivery::Acknowledged(Some("R".into())));
        assert_eq!(classify(Ok((201, ok("duplicate"))), "k"), Delivery::Acknowledged(Some("R".into())));
        assert!(matches!(classify(Ok((200, ok("rejected"))), "k"), Delivery::Refused(m) if m.contains("bad")));
        assert!(matches!(classify(Ok((200, ok("accepted"))), "other"), Delivery::Temporary(_)));
        assert!(matches!(classify(Ok((422, vec![])), "k"), Delivery::Refused(_)));
        for s in [408, 429, 500, 503] {
            assert!(matches!(classify(Ok((s, vec![])), "k"), Delivery::Temporary(_)), "{s}");
        }
        assert!(matches!(classify(Err("timeout".into()), "k"), Delivery::Temporary(_)));
        assert!(matches!(classify(Ok((200, b"<html>".to_vec())), "k"), Delivery::Temporary(_)));
    }
}
