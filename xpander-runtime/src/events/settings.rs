//! The worker's tunables, from the environment and the [`Events`](super::Events) setters.

use std::time::Duration;

use crate::backoff::Backoff;

/// How many plan-following re-runs a task gets before it is saved as it stands.
pub const DEFAULT_MAX_PLAN_RETRIES: u32 = 5;

/// The worker's tunables; see the [`Events`](super::Events) setters.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) max_sync_workers: usize,
    pub(crate) heartbeat_interval: Duration,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) read_idle_timeout: Duration,
    pub(crate) reconnect_backoff: Backoff,
    pub(crate) healthy_after: Duration,
    pub(crate) task_timeout: Option<Duration>,
    pub(crate) max_plan_retries: u32,
}

impl Settings {
    pub(crate) fn from_env() -> Self {
        let number = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        Self {
            max_sync_workers: number("XPANDER_MAX_SYNC_WORKERS").map_or(6, |n| n.max(1) as usize),
            heartbeat_interval: Duration::from_secs(2),
            shutdown_timeout: Duration::from_secs(number("XPANDER_SHUTDOWN_TIMEOUT").unwrap_or(30)),
            read_idle_timeout: Duration::from_secs(60),
            reconnect_backoff: Backoff::new(Duration::from_secs(1), Duration::from_secs(30)),
            healthy_after: Duration::from_secs(60),
            task_timeout: None,
            max_plan_retries: DEFAULT_MAX_PLAN_RETRIES,
        }
    }
}
