//! The interface to the national registry (人社部职称证书库, §1.18) — ours, since the real
//! one is not public. Everything that knows its shape is in this module, so the real
//! interface replaces this one file.
//!
//! **Request.** `POST <mohrss_registry_url>` with `content-type: application/json` and
//! `idempotency-key: <batch_key>`; the body is a [`BatchRequest`]: the batch key and its
//! records, each with its own `record_key` (`issue:<certificate no>` or
//! `revoke:<certificate no>`). A record carries the full ID number (the registry indexes
//! by it) and the sealed face; the batch carries the latest signed anchor of the audit chain.
//!
//! **Response.** `200` with a [`BatchResponse`]: per record `accepted` (stored now),
//! `duplicate` (already held under that record key — the registry stores each key once),
//! or `rejected` with a reason. A resent batch key returns the first answer.
//! `408`, `429` and `5xx` are temporary; any other `4xx` means the batch itself is
//! malformed and resending it unchanged cannot help.

use serde::{Deserialize, Serialize};

/// The schema name of a batch.
pub const BATCH_SCHEMA: &str = "zhicheng.mohrss-report/1";

/// One record of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistryRecord {
    /// The record's idempotency key.
    pub record_key: String,
    /// `issue` or `revoke`.
    pub kind: String,
    /// The certificate number.
    pub certificate_no: String,
    /// What the record says (a sealed certificate with the full ID number, or the revocation).
    pub body: serde_json::Value,
}

/// A batch as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRequest {
    /// [`BATCH_SCHEMA`].
    pub schema: String,
    /// The batch's idempotency key (also the `idempotency-key` header).
    pub batch_key: String,
    /// The reporting province's region code (`430000`).
    pub reporter: String,
    /// The records.
    pub records: Vec<RegistryRecord>,
    /// The latest anchor of our audit chain (issue 10): the registry keeps a copy outside
    /// this system, so the removal of our chain's last events shows against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_anchor: Option<crate::audit::anchor::Anchor>,
}

/// The registry's answer for one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordResult {
    /// Which record.
    pub record_key: String,
    /// `accepted`, `duplicate` or `rejected`.
    pub status: String,
    /// The registry's id of the record, when stored.
    #[serde(default)]
    pub receipt: Option<String>,
    /// Why it was rejected.
    #[serde(default)]
    pub reason: Option<String>,
}

/// The registry's answer for a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResponse {
    /// The batch key answered.
    pub batch_key: String,
    /// One result per record received.
    pub results: Vec<RecordResult>,
}

/// Sends one batch: `(status, body)` of the answer, or why there was none (refused by
/// the allow-list, connection failed, timed out…).
pub trait Transport {
    /// POSTs `body` (JSON) to the registry with the batch's idempotency key.
    fn post_batch(&self, idempotency_key: &str, body: &[u8]) -> Result<(u16, Vec<u8>), String>;
}

/// What became of one record after a send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    /// The registry holds it (stored now or before).
    Acknowledged { receipt: Option<String> },
    /// The registry refused it; resending it unchanged cannot help.
    Refused(String),
    /// The answer did not mention it: send it again in a later batch.
    Unanswered,
}

/// What became of a batch after a send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// The registry answered for the batch; an outcome per record key.
    Answered(Vec<(String, RecordOutcome)>),
    /// A temporary failure (no answer, timeout, 408/429/5xx, an unreadable 2xx): retry later.
    Temporary(String),
    /// The registry refused the batch as malformed (other 4xx).
    Refused(String),
}

/// Classifies the result of [`Transport::post_batch`] for a batch of `record_keys`.
pub fn classify(result: Result<(u16, Vec<u8>), String>, batch_key: &str, record_keys: &[String]) -> SendOutcome {
    let (status, body) = match result {
        Ok(r) => r,
        Err(e) => return SendOutcome::Temporary(e),
    };
    let snippet = || String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
    match status {
        200..=299 => {
            let Ok(resp) = serde_json::from_slice::<BatchResponse>(&body) else {
                return SendOutcome::Temporary(format!("HTTP {status}: unreadable answer"));
            };
            if resp.batch_key != batch_key {
                return SendOutcome::Temporary(format!("HTTP {status}: answer for another batch"));
            }
            SendOutcome::Answered(
                record_keys
                    .iter()
                    .map(|k| {
                        let o = match resp.results.iter().find(|r| &r.record_key == k) {
                            Some(r) if r.status == "accepted" || r.status == "duplicate" => {
                                RecordOutcome::Acknowledged { receipt: r.receipt.clone() }
                            }
                            Some(r) if r.status == "rejected" => {
                                RecordOutcome::Refused(r.reason.clone().unwrap_or_else(|| "rejected".into()))
                            }
                            _ => RecordOutcome::Unanswered,
                        };
                        (k.clone(), o)
                    })
                    .collect(),
            )
        }
        408 | 429 | 500..=599 => SendOutcome::Temporary(format!("HTTP {status}: {}", snippet())),
        _ => SendOutcome::Refused(format!("HTTP {status}: {}", snippet())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<String> {
        vec!["issue:A".into(), "issue:B".into(), "revoke:C".into()]
    }

    #[test]
    fn an_answer_acknowledges_accepted_and_duplicate_records_and_refuses_rejected_ones() {
        let body = serde_json::json!({"batch_key": "k", "results": [
            {"record_key": "issue:A", "status": "accepted", "receipt": "R1"},
            {"record_key": "issue:B", "status": "duplicate", "receipt": "R0"},
        ]});
        let out = classify(Ok((200, body.to_string().into_bytes())), "k", &keys());
        assert_eq!(
            out,
            SendOutcome::Answered(vec![
                ("issue:A".into(), RecordOutcome::Acknowledged { receipt: Some("R1".into()) }),
                ("issue:B".into(), RecordOutcome::Acknowledged { receipt: Some("R0".into()) }),
                ("revoke:C".into(), RecordOutcome::Unanswered),
            ])
        );
        let body = serde_json::json!({"batch_key": "k", "results": [
            {"record_key": "revoke:C", "status": "rejected", "reason": "unknown certificate"}]});
        let SendOutcome::Answered(v) = classify(Ok((200, body.to_string().into_bytes())), "k", &keys()) else {
            panic!()
        };
        assert_eq!(v[2].1, RecordOutcome::Refused("unknown certificate".into()));
    }

    #[test]
    fn timeouts_server_errors_and_unreadable_answers_are_temporary() {
        assert!(matches!(classify(Err("timeout".into()), "k", &keys()), SendOutcome::Temporary(_)));
        for s in [408, 429, 500, 502, 503] {
            assert!(matches!(classify(Ok((s, vec![])), "k", &keys()), SendOutcome::Temporary(_)), "{s}");
        }
        assert!(matches!(classify(Ok((200, b"<html>".to_vec())), "k", &keys()), SendOutcome::Temporary(_)));
        let other = serde_json::json!({"batch_key": "other", "results": []}).to_string().into_bytes();
        assert!(matches!(classify(Ok((200, other)), "k", &keys()), SendOutcome::Temporary(_)));
    }

    #[test]
    fn a_client_error_refuses_the_batch() {
        assert!(
            matches!(classify(Ok((400, b"bad schema".to_vec())), "k", &keys()), SendOutcome::Refused(m) if m.contains("bad schema"))
        );
        assert!(matches!(classify(Ok((422, vec![])), "k", &keys()), SendOutcome::Refused(_)));
    }
}
