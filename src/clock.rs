//! The run's one clock. Every "days since", every rule's `now` and every report timestamp reads
//! it, so a run judges all identities against the same instant, and tests (or a reviewer
//! reproducing an old report) can pin it with `--now` / `NHISCAN_NOW` instead of rewriting
//! fixture dates.

use chrono::{DateTime, Utc};
use std::sync::OnceLock;

/// Set at most once per process: pinned from the command line, or the wall time at first read.
static CLOCK: OnceLock<Clock> = OnceLock::new();

#[derive(Debug, Clone, Copy)]
struct Clock {
    now: DateTime<Utc>,
    pinned: bool,
}

/// Pin the clock to `at` (from `--now` or `NHISCAN_NOW`); `None` keeps the wall clock. Call once,
/// before anything reads the time; a later call is ignored (the first reading stands).
pub fn init(at: Option<DateTime<Utc>>) {
    let _ = CLOCK.set(match at {
        Some(now) => Clock { now, pinned: true },
        None => Clock {
            now: Utc::now(),
            pinned: false,
        },
    });
}

fn clock() -> Clock {
    *CLOCK.get_or_init(|| Clock {
        now: Utc::now(),
        pinned: false,
    })
}

/// "Now" for this run: the same instant every time it is asked.
pub fn now() -> DateTime<Utc> {
    clock().now
}

/// When the run ended, for reports: the wall time, or the pinned instant when the clock is
/// pinned (so a pinned run's report is the same byte for byte whenever it runs).
pub fn finished() -> DateTime<Utc> {
    let c = clock();
    if c.pinned { c.now } else { Utc::now() }
}

/// Parse `--now` / `NHISCAN_NOW`: RFC 3339 (`2026-02-29T12:00:00Z`) or a bare date (midnight UTC).
pub fn parse(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
        .map_err(|_| format!("`{s}` is not an RFC 3339 time (e.g. 2026-02-28T12:00:00Z) or a date"))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_rfc3339_and_dates_and_names_bad_input() {
        assert_eq!(
            parse("2028-02-29T23:30:00+02:00").unwrap().to_rfc3339(),
            "2028-02-29T21:30:00+00:00"
        );
        assert_eq!(
            parse("2036-12-31").unwrap().to_rfc3339(),
            "2036-12-31T00:00:00+00:00"
        );
        assert!(parse("2027-02-29").unwrap_err().contains("2027-02-29"));
    }
}
