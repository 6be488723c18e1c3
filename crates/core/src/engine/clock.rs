//! Where the engine's time comes from: the system clock in the program, a clock the test moves in tests.
//!
//! The engine reads the time for three things only: when an alert was raised, the date a delisting is given
//! when a published list drops a record, and the cut-off of retention by days. All three come from here.

use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// The time now, as the engine sees it.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The system clock, shared, as [`super::Engine::new`] takes it.
pub fn system() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// A clock that stands still until it is told otherwise (to the microsecond): tests keep one [`Arc`] and
/// hand the engine another.
#[derive(Debug)]
pub struct ManualClock {
    micros: AtomicI64,
}

impl ManualClock {
    pub fn at(t: DateTime<Utc>) -> Arc<Self> {
        Arc::new(ManualClock { micros: AtomicI64::new(t.timestamp_micros()) })
    }

    pub fn set(&self, t: DateTime<Utc>) {
        self.micros.store(t.timestamp_micros(), Ordering::Relaxed);
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.micros.fetch_add(by.num_microseconds().unwrap_or(i64::MAX), Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.micros.load(Ordering::Relaxed)).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let t = DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").expect("time").to_utc();
        let clock = ManualClock::at(t);
        assert_eq!(clock.now(), t);
        clock.advance(chrono::Duration::days(2));
        assert_eq!(clock.now(), t + chrono::Duration::days(2));
        clock.set(t);
        assert_eq!(clock.now(), t);
    }
}
