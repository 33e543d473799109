//! The host's resource limits: how many requests run in component instances at once, how
//! many may wait for one (and how long), how many one client address may have in flight,
//! and how long a client may take to send its headers and its body. They are host
//! configuration (flags or `ZHICHENG_HOST_*` environment variables), never the manifest: a
//! real Spin deployment gets the same limits from its fronting proxy (README "Operations").
//!
//! The order a request goes through is what makes a slow client harmless: the headers are
//! read under [`Limits::header_read_timeout`], the body is read in full (bounded by the
//! component's own limit) under [`Limits::body_read_timeout`], and only then does the request
//! queue for an instance. A client that stalls holds a socket and a bounded buffer, never
//! an instance.

use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The host's limits. [`Limits::default`] is safe for one machine; each field can be set by
/// a `zhicheng-host up` flag or by the environment variable named in its doc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Requests running in component instances at once (`--max-concurrent`,
    /// `ZHICHENG_HOST_MAX_CONCURRENT`; default 64, at most 200 since the instance pool
    /// holds 256 and cron ticks need some).
    pub max_concurrent: usize,
    /// Requests waiting for an instance (`--max-queued`, `ZHICHENG_HOST_MAX_QUEUED`;
    /// default 256). Beyond it: `503` with `Retry-After`.
    pub max_queued: usize,
    /// The longest wait in that queue (`--queue-timeout-ms`, `ZHICHENG_HOST_QUEUE_TIMEOUT_MS`;
    /// default 10 s). Past it: `503` with `Retry-After`.
    pub queue_timeout: Duration,
    /// Requests one client address may have queued or running (`--max-per-client`,
    /// `ZHICHENG_HOST_MAX_PER_CLIENT`; default 32). Beyond it: `429` with `Retry-After`.
    /// Behind a proxy every client has the proxy's address: raise it there, and let the
    /// proxy limit per client.
    pub max_per_client: usize,
    /// Time to receive a request's headers (`--header-timeout-ms`,
    /// `ZHICHENG_HOST_HEADER_TIMEOUT_MS`; default 10 s). Past it the connection is closed.
    pub header_read_timeout: Duration,
    /// Time to receive a request's whole body (`--body-timeout-ms`,
    /// `ZHICHENG_HOST_BODY_TIMEOUT_MS`; default 60 s: 10 MiB at about 1.4 Mbit/s). Past
    /// it: `408` and the connection is closed.
    pub body_read_timeout: Duration,
    /// The body limit of a component without its own `max_upload_bytes` variable
    /// (`--max-body-bytes`, `ZHICHENG_HOST_MAX_BODY_BYTES`; default 1 MiB, above the
    /// API's 256 KiB JSON limit so the component names the field). A component with
    /// `max_upload_bytes` gets that plus [`UPLOAD_SLACK_BYTES`]. Beyond it: `413`.
    pub max_body_bytes: usize,
}

/// What a component with an upload limit may receive beyond it (so the component, not the
/// host, answers an upload just over the limit, naming it).
pub const UPLOAD_SLACK_BYTES: usize = 64 * 1024;

/// How much of a refused (too large) body is read and discarded so the client can read
/// the `413`; beyond it the connection is simply closed.
pub const DRAIN_LIMIT_BYTES: usize = 64 * 1024 * 1024;

/// The `Retry-After` (seconds) of a `503` or `429`.
pub const RETRY_AFTER_SECONDS: u64 = 2;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_concurrent: 64,
            max_queued: 256,
            queue_timeout: Duration::from_secs(10),
            max_per_client: 32,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(60),
            max_body_bytes: 1024 * 1024,
        }
    }
}

/// The names of the settings, as (flag, environment variable).
pub const SETTINGS: [(&str, &str); 7] = [
    ("--max-concurrent", "ZHICHENG_HOST_MAX_CONCURRENT"),
    ("--max-queued", "ZHICHENG_HOST_MAX_QUEUED"),
    ("--queue-timeout-ms", "ZHICHENG_HOST_QUEUE_TIMEOUT_MS"),
    ("--max-per-client", "ZHICHENG_HOST_MAX_PER_CLIENT"),
    ("--header-timeout-ms", "ZHICHENG_HOST_HEADER_TIMEOUT_MS"),
    ("--body-timeout-ms", "ZHICHENG_HOST_BODY_TIMEOUT_MS"),
    ("--max-body-bytes", "ZHICHENG_HOST_MAX_BODY_BYTES"),
];

impl Limits {
    /// The defaults with each setting `value(flag, env)` returns applied (a flag wins over
    /// its environment variable in the caller); refuses a value that is not a positive
    /// integer (0 for `max_queued` is allowed: no queue) or a concurrency above 200.
    pub fn configured(value: impl Fn(&str, &str) -> Option<String>) -> Result<Limits> {
        let mut l = Limits::default();
        for (flag, env) in SETTINGS {
            let Some(raw) = value(flag, env) else { continue };
            let n: u64 = raw.trim().parse().with_context(|| format!("{flag} / {env}: `{raw}` is not an integer"))?;
            if n == 0 && flag != "--max-queued" {
                bail!("{flag} / {env} must be positive");
            }
            let ms = Duration::from_millis(n);
            match flag {
                "--max-concurrent" => l.max_concurrent = n as usize,
                "--max-queued" => l.max_queued = n as usize,
                "--queue-timeout-ms" => l.queue_timeout = ms,
                "--max-per-client" => l.max_per_client = n as usize,
                "--header-timeout-ms" => l.header_read_timeout = ms,
                "--body-timeout-ms" => l.body_read_timeout = ms,
                _ => l.max_body_bytes = n as usize,
            }
        }
        if l.max_concurrent > 200 {
            bail!("--max-concurrent / ZHICHENG_HOST_MAX_CONCURRENT must be at most 200 (the instance pool holds 256)");
        }
        Ok(l)
    }

    /// The body limit of a component whose variables are `vars`.
    pub fn body_limit(&self, vars: &HashMap<String, String>) -> usize {
        match vars.get("max_upload_bytes").and_then(|v| v.trim().parse::<usize>().ok()) {
            Some(upload) => upload.saturating_add(UPLOAD_SLACK_BYTES).max(self.max_body_bytes),
            None => self.max_body_bytes,
        }
    }
}

/// Why a request was not admitted to an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The queue is full, or the wait for an instance passed the queue timeout (503).
    Busy,
    /// The client address has its whole share in flight (429).
    ClientLimit,
}

/// Admission to component instances: a semaphore of `max_concurrent` permits, a bounded
/// count of waiters, and per-client-address counts.
#[derive(Debug)]
pub struct Admission {
    limits: Limits,
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
    per_client: Mutex<HashMap<IpAddr, usize>>,
}

/// A request's hold on an instance slot and on its client's share; both are given back
/// when it drops (after the component has finished streaming its response).
#[derive(Debug)]
pub struct Admitted {
    _slot: OwnedSemaphorePermit,
    _client: ClientShare,
}

#[derive(Debug)]
struct ClientShare {
    admission: Arc<Admission>,
    ip: IpAddr,
}

impl Drop for ClientShare {
    fn drop(&mut self) {
        let mut map = self.admission.per_client.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Admission {
    /// Admission under `limits`.
    pub fn new(limits: Limits) -> Arc<Admission> {
        Arc::new(Admission {
            slots: Arc::new(Semaphore::new(limits.max_concurrent)),
            waiting: AtomicUsize::new(0),
            per_client: Mutex::new(HashMap::new()),
            limits,
        })
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Waits (bounded) for an instance slot for a request of client `ip`.
    pub async fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Admitted, Refusal> {
        let client = {
            let mut map = self.per_client.lock().unwrap_or_else(|e| e.into_inner());
            let n = map.entry(ip).or_insert(0);
            if *n >= self.limits.max_per_client {
                return Err(Refusal::ClientLimit);
            }
            *n += 1;
            ClientShare { admission: self.clone(), ip }
        };
        if let Ok(slot) = self.slots.clone().try_acquire_owned() {
            return Ok(Admitted { _slot: slot, _client: client });
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.limits.max_queued {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Refusal::Busy);
        }
        let _waiting = Waiting(&self.waiting);
        match tokio::time::timeout(self.limits.queue_timeout, self.slots.clone().acquire_owned()).await {
            Ok(Ok(slot)) => Ok(Admitted { _slot: slot, _client: client }),
            _ => Err(Refusal::Busy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(concurrent: usize, queued: usize, per_client: usize) -> Limits {
        Limits {
            max_concurrent: concurrent,
            max_queued: queued,
            max_per_client: per_client,
            queue_timeout: Duration::from_millis(100),
            ..Limits::default()
        }
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
    }

    #[test]
    fn beyond_the_slots_and_the_queue_a_request_is_refused_as_busy_and_a_freed_slot_admits_again() {
        rt().block_on(async {
            let a = Admission::new(limits(2, 0, 10));
            let ip: IpAddr = [127, 0, 0, 1].into();
            let first = a.admit(ip).await.unwrap();
            let _second = a.admit(ip).await.unwrap();
            assert_eq!(a.admit(ip).await.unwrap_err(), Refusal::Busy);
            drop(first);
            assert!(a.admit(ip).await.is_ok());
        });
    }

    #[test]
    fn a_queued_request_waits_at_most_the_queue_timeout() {
        rt().block_on(async {
            let a = Admission::new(limits(1, 1, 10));
            let ip: IpAddr = [127, 0, 0, 1].into();
            let _held = a.admit(ip).await.unwrap();
            let started = std::time::Instant::now();
            assert_eq!(a.admit(ip).await.unwrap_err(), Refusal::Busy);
            assert!(started.elapsed() >= Duration::from_millis(100));
            assert_eq!(a.waiting.load(Ordering::SeqCst), 0, "the waiter left the queue");
        });
    }

    #[test]
    fn one_client_address_cannot_take_more_than_its_share_and_others_still_get_in() {
        rt().block_on(async {
            let a = Admission::new(limits(10, 10, 2));
            let one: IpAddr = [10, 0, 0, 1].into();
            let other: IpAddr = [10, 0, 0, 2].into();
            let x = a.admit(one).await.unwrap();
            let _y = a.admit(one).await.unwrap();
            assert_eq!(a.admit(one).await.unwrap_err(), Refusal::ClientLimit);
            assert!(a.admit(other).await.is_ok());
            drop(x);
            assert!(a.admit(one).await.is_ok());
        });
    }

    #[test]
    fn settings_come_from_flags_or_the_environment_and_nonsense_is_refused() {
        let l = Limits::configured(|flag, _| (flag == "--max-concurrent").then(|| "8".to_string())).unwrap();
        assert_eq!((l.max_concurrent, l.max_queued), (8, Limits::default().max_queued));
        assert!(Limits::configured(|_, env| (env == "ZHICHENG_HOST_MAX_QUEUED").then(|| "x".into())).is_err());
        assert!(Limits::configured(|flag, _| (flag == "--max-concurrent").then(|| "500".into())).is_err());
        assert!(Limits::configured(|flag, _| (flag == "--body-timeout-ms").then(|| "0".into())).is_err());
        let mut vars = HashMap::new();
        assert_eq!(Limits::default().body_limit(&vars), 1024 * 1024);
        vars.insert("max_upload_bytes".to_string(), "10485760".to_string());
        assert_eq!(Limits::default().body_limit(&vars), 10485760 + UPLOAD_SLACK_BYTES);
    }
}
