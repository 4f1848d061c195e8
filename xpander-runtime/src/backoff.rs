//! Jittered exponential backoff, shared by request retries and SSE reconnects, and the
//! [`RetryPolicy`] of platform requests.

use std::time::Duration;

/// Delays that double from `base` up to `cap`, each drawn uniformly from `[d/2, d]` so that
/// many clients failing together do not retry together.
///
/// ```
/// use std::time::Duration;
/// use xpander_runtime::Backoff;
///
/// let b = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
/// let third = b.delay(3); // nominal 4 s
/// assert!(third >= Duration::from_secs(2) && third <= Duration::from_secs(4));
/// assert!(b.delay(50) <= Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first delay.
    pub base: Duration,
    /// The largest delay.
    pub cap: Duration,
}

impl Backoff {
    /// Backoff from `base` doubling up to `cap`.
    pub const fn new(base: Duration, cap: Duration) -> Self {
        Self { base, cap }
    }

    /// The delay before retry number `attempt` (1-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        let nominal = self.base.saturating_mul(factor).min(self.cap);
        nominal.mul_f64(0.5 + fastrand::f64() / 2.0)
    }
}

/// How transient failures of idempotent requests are retried: connection errors, and the
/// statuses 429, 502, 503 and 504. `Retry-After` is honoured up to the backoff cap.
///
/// ```
/// use std::time::Duration;
/// use xpander_runtime::{Backoff, RetryPolicy};
///
/// let patient = RetryPolicy { max_attempts: 6, ..RetryPolicy::default() };
/// assert_eq!(RetryPolicy::none().max_attempts, 1);
/// assert_eq!(patient.backoff, Backoff::new(Duration::from_millis(200), Duration::from_secs(5)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The delays between attempts.
    pub backoff: Backoff,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            backoff: Backoff::new(Duration::from_millis(200), Duration::from_secs(5)),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
}
