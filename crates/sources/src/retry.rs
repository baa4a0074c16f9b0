//! Backoff between attempts: exponential with full jitter, or what `Retry-After` asks.

use std::time::Duration;

use crate::ClientConfig;

/// Delay before attempt `attempt + 1` (attempt counts from 1).
pub(crate) fn backoff(cfg: &ClientConfig, attempt: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(after) = retry_after {
        return after.min(cfg.max_backoff);
    }
    let exp = cfg.base_backoff.saturating_mul(1 << (attempt - 1).min(16)).min(cfg.max_backoff);
    // Full jitter: spread retries of many clients over [exp/2, exp].
    let half = exp / 2;
    half + half.mul_f64(jitter())
}

/// A number in [0, 1) from the clock: enough to de-synchronise clients, no RNG dependency.
fn jitter() -> f64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let mut x = u64::from(nanos) | 1;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    (x % 10_000) as f64 / 10_000.0
}

/// `Retry-After` as seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    (at.with_timezone(&chrono::Utc) - now).to_std().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z").unwrap().to_utc();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Thu, 26 Nov 2026 12:00:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let cfg = ClientConfig {
            base_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..Default::default()
        };
        let first = backoff(&cfg, 1, None);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100), "{first:?}");
        let late = backoff(&cfg, 10, None);
        assert!(late >= Duration::from_millis(500) && late <= Duration::from_secs(1), "{late:?}");
        assert_eq!(backoff(&cfg, 1, Some(Duration::from_secs(5))), Duration::from_secs(1));
    }
}
