//! The outbox's rules, without I/O: batch keys, backoff, and when a batch is due.

use super::seal::{hex, sm3};
use chrono::{DateTime, Duration, Utc};

/// How the outbox sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxConfig {
    /// Most records per batch.
    pub batch_size: usize,
    /// Most batches sent per run (a tick must end well within the cron period).
    pub batches_per_run: usize,
    /// Sends of a batch before its records go to the dead letter (`failed`).
    pub max_attempts: i64,
    /// The wait after the first failed send; doubled after each further one.
    pub base_backoff_seconds: i64,
    /// The longest wait between two sends.
    pub max_backoff_seconds: i64,
    /// How long a send may stay unrecorded before the batch counts as not sent (the host
    /// died between sending and recording the answer) and is sent again.
    pub lease_seconds: i64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            batch_size: 100,
            batches_per_run: 20,
            max_attempts: 8,
            base_backoff_seconds: 60,
            max_backoff_seconds: 6 * 3600,
            lease_seconds: 600,
        }
    }
}

impl OutboxConfig {
    /// The wait before the next send after `attempts` failed sends (1, 2, …): base ×
    /// 2^(attempts−1), capped.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let exp = (attempts.max(1) - 1).min(30) as u32;
        let secs = self.base_backoff_seconds.saturating_mul(1i64 << exp).min(self.max_backoff_seconds);
        Duration::seconds(secs)
    }

    /// When a send starting `now` stops being presumed in flight.
    pub fn lease_until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + Duration::seconds(self.lease_seconds)
    }
}

/// The idempotency key of a batch: derived from its records' keys, so the same records
/// always travel under the same key and different ones never share it.
pub fn batch_key(record_keys: &[String]) -> String {
    let mut sorted: Vec<&str> = record_keys.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    format!("zc-{}", &hex(&sm3(sorted.join("\n").as_bytes()))[..32])
}

/// The idempotency key of a record.
pub fn record_key(kind: &str, certificate_no: &str) -> String {
    format!("{kind}:{certificate_no}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_and_stops_at_the_cap() {
        let c = OutboxConfig::default();
        let secs: Vec<i64> = (1..=10).map(|a| c.backoff(a).num_seconds()).collect();
        assert_eq!(secs, vec![60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600]);
        assert_eq!(c.backoff(1000).num_seconds(), 21600);
    }

    #[test]
    fn a_batch_key_depends_on_its_records_and_not_their_order() {
        let a = batch_key(&["issue:1".into(), "issue:2".into()]);
        assert_eq!(a, batch_key(&["issue:2".into(), "issue:1".into()]));
        assert_ne!(a, batch_key(&["issue:1".into()]));
        assert!(a.starts_with("zc-") && a.len() == 35);
        assert_eq!(record_key("revoke", "B1"), "revoke:B1");
    }
}
