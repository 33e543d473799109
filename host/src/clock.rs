//! The test-mode wall clock: real time until set, then frozen at the set instant until set
//! or advanced again. Components see it through `wasi:clocks/wall-clock`; cron ticks fired
//! through `/_host/cron/…` use it as their timestamp.

use chrono::{DateTime, SecondsFormat, Utc};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wasmtime_wasi::HostWallClock;

/// A settable clock shared by a host's stores.
#[derive(Debug, Default)]
pub struct TestClock {
    frozen: Mutex<Option<Duration>>,
}

impl TestClock {
    /// The current time as a duration since the Unix epoch.
    pub fn now(&self) -> Duration {
        match *self.frozen.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(d) => d,
            None => SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default(),
        }
    }

    /// The current time as a UTC date-time.
    pub fn now_utc(&self) -> DateTime<Utc> {
        let d = self.now();
        DateTime::from_timestamp(d.as_secs() as i64, d.subsec_nanos()).unwrap_or_default()
    }

    /// Freezes the clock at `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        let d = Duration::new(at.timestamp().max(0) as u64, at.timestamp_subsec_nanos());
        *self.frozen.lock().unwrap_or_else(|e| e.into_inner()) = Some(d);
    }

    /// Moves the clock by `seconds` (may be negative) and freezes it there.
    pub fn advance(&self, seconds: i64) {
        let now = self.now();
        let moved = if seconds >= 0 {
            now.saturating_add(Duration::from_secs(seconds as u64))
        } else {
            now.saturating_sub(Duration::from_secs(seconds.unsigned_abs()))
        };
        *self.frozen.lock().unwrap_or_else(|e| e.into_inner()) = Some(moved);
    }

    /// RFC 3339 rendering of the current time (`2024-10-13T01:00:00Z`).
    pub fn now_rfc3339(&self) -> String {
        self.now_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }
}

/// The `HostWallClock` handed to each store in test mode.
pub struct WallClock(pub Arc<TestClock>);

impl HostWallClock for WallClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        self.0.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_is_real_until_set_then_frozen_and_advanced() {
        let c = TestClock::default();
        let real = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        assert!(c.now().as_secs().abs_diff(real.as_secs()) < 5);
        c.set("2024-10-13T01:00:00Z".parse().unwrap());
        assert_eq!(c.now_rfc3339(), "2024-10-13T01:00:00Z");
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(c.now().as_secs(), 1_728_781_200);
        c.advance(3600);
        assert_eq!(c.now_rfc3339(), "2024-10-13T02:00:00Z");
        c.advance(-7200);
        assert_eq!(c.now_rfc3339(), "2024-10-13T00:00:00Z");
    }
}
