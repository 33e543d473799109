//! The cron trigger: one schedule per `[[trigger.cron]]`, and the rule that a tick arriving
//! while the previous tick of the same component still runs is skipped, not queued.

use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Tracks whether a cron component is running.
#[derive(Debug, Default)]
pub struct RunGuard {
    running: AtomicBool,
}

/// Proof that a tick is running; dropping it marks the component idle again.
#[derive(Debug)]
pub struct Running(Arc<RunGuard>);

impl RunGuard {
    /// Marks the component running, or returns `None` when a tick is already running.
    pub fn try_start(self: &Arc<Self>) -> Option<Running> {
        self.running
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .ok()
            .map(|_| Running(self.clone()))
    }

    /// Whether a tick is running.
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::Acquire)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::Release);
    }
}

/// How long to wait from `now` for a tick due at `due`; `None` when the tick was missed
/// by more than a second (e.g. the machine slept), so it is dropped rather than run late.
pub fn wait_for(due: DateTime<Utc>, now: DateTime<Utc>) -> Option<Duration> {
    if due < now - chrono::TimeDelta::seconds(1) {
        return None;
    }
    Some((due - now).to_std().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn a_tick_while_one_is_running_is_skipped_and_allowed_again_after() {
        let guard = Arc::new(RunGuard::default());
        let first = guard.try_start().expect("idle component starts");
        assert!(guard.is_running());
        assert!(guard.try_start().is_none(), "second tick must be skipped");
        drop(first);
        assert!(!guard.is_running());
        assert!(guard.try_start().is_some());
    }

    #[test]
    fn a_six_field_schedule_yields_its_ticks_and_missed_ticks_are_dropped() {
        let hourly = cron::Schedule::from_str("0 0 * * * *").unwrap();
        let now: DateTime<Utc> = "2024-10-13T01:30:00Z".parse().unwrap();
        let due = hourly.after(&now).next().unwrap();
        assert_eq!(due.to_rfc3339(), "2024-10-13T02:00:00+00:00");
        assert_eq!(wait_for(due, now), Some(Duration::from_secs(1800)));
        assert_eq!(wait_for(now - chrono::TimeDelta::seconds(5), now), None);
        assert_eq!(wait_for(now, now), Some(Duration::ZERO));
    }
}
