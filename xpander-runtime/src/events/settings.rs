//! The worker's tunables, from the environment and the [`Events`](super::Events) setters.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::backoff::Backoff;
use crate::config::ConfigError;

/// After the shutdown timeout, how long the tasks it aborted have to report themselves before
/// the worker stops waiting. With the 25 s default timeout and `worker-finished`, a drain ends
/// within about 30 s, the usual grace period before SIGKILL.
pub(crate) const FINAL_REPORT_WINDOW: Duration = Duration::from_secs(3);

/// How many plan-following re-runs a task gets before it is saved as it stands.
pub const DEFAULT_MAX_PLAN_RETRIES: u32 = 5;

/// The `/invoke` server's port unless `XPANDER_STREAMING_PORT` says otherwise (the Python
/// SDK's).
pub const DEFAULT_INVOKE_PORT: u16 = 59321;

/// Whether and where the `/invoke` server listens.
#[derive(Debug, Clone)]
pub(crate) struct InvokeSetting {
    pub(crate) enabled: bool,
    /// `None`: loopback, or every interface in xpander cloud.
    pub(crate) host: Option<IpAddr>,
    pub(crate) port: u16,
    /// What is wrong with the environment's settings, reported when the worker starts.
    pub(crate) problem: Option<String>,
}

impl InvokeSetting {
    /// From `XPANDER_STREAMING_SERVER` (`off` turns it off), `XPANDER_STREAMING_HOST` and
    /// `XPANDER_STREAMING_PORT`.
    fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let mut setting = Self {
            enabled: true,
            host: None,
            port: DEFAULT_INVOKE_PORT,
            problem: None,
        };
        if let Some(value) = var("XPANDER_STREAMING_SERVER") {
            match value.trim().to_ascii_lowercase().as_str() {
                "off" | "false" | "0" | "no" => setting.enabled = false,
                "on" | "true" | "1" | "yes" => {}
                _ => {
                    setting.problem = Some(format!(
                        "XPANDER_STREAMING_SERVER={value:?}: use `on` or `off`"
                    ))
                }
            }
        }
        if let Some(value) = var("XPANDER_STREAMING_HOST") {
            match value.trim().parse() {
                Ok(host) => setting.host = Some(host),
                Err(_) => {
                    setting.problem = Some(format!(
                        "XPANDER_STREAMING_HOST={value:?} is not an IP address (e.g. 127.0.0.1 or 0.0.0.0)"
                    ))
                }
            }
        }
        if let Some(value) = var("XPANDER_STREAMING_PORT") {
            match value.trim().parse() {
                Ok(port) => setting.port = port,
                Err(_) => {
                    setting.problem = Some(format!(
                        "XPANDER_STREAMING_PORT={value:?} is not a port number (0-65535; 0 picks a free one)"
                    ))
                }
            }
        }
        setting
    }

    /// Where to listen, if at all: the host given, else every interface in xpander cloud
    /// (the platform calls in from outside) and loopback elsewhere (a laptop's worker is
    /// not for its network to call).
    pub(crate) fn address(&self, in_cloud: bool) -> Option<SocketAddr> {
        let fallback = if in_cloud {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        };
        self.enabled
            .then(|| SocketAddr::new(self.host.unwrap_or(fallback), self.port))
    }
}

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
    pub(crate) stop_check_interval: Duration,
    pub(crate) invoke: InvokeSetting,
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
            shutdown_timeout: Duration::from_secs(number("XPANDER_SHUTDOWN_TIMEOUT").unwrap_or(25)),
            read_idle_timeout: Duration::from_secs(60),
            reconnect_backoff: Backoff::new(Duration::from_secs(1), Duration::from_secs(30)),
            healthy_after: Duration::from_secs(60),
            task_timeout: None,
            max_plan_retries: DEFAULT_MAX_PLAN_RETRIES,
            stop_check_interval: Duration::from_secs(10),
            invoke: InvokeSetting::from_env(),
        }
    }

    /// Checks every duration is one the worker can run with: timers panic on zero or on a
    /// deadline past the end of time, and nobody means a heartbeat every year.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if let Some(problem) = &self.invoke.problem {
            return Err(ConfigError::InvalidSetting {
                setting: "invoke_server",
                problem: problem.clone(),
            });
        }
        const DAY: Duration = Duration::from_secs(24 * 3600);
        let within = |setting: &'static str, value: Duration, least: Duration, most: Duration| {
            if value < least || value > most {
                return Err(ConfigError::InvalidSetting {
                    setting,
                    problem: format!("{value:?} is outside {least:?}..={most:?}"),
                });
            }
            Ok(())
        };
        let ms = Duration::from_millis;
        within(
            "heartbeat_interval",
            self.heartbeat_interval,
            ms(10),
            ms(600_000),
        )?;
        within("read_idle_timeout", self.read_idle_timeout, ms(100), DAY)?;
        within(
            "shutdown_timeout",
            self.shutdown_timeout,
            Duration::ZERO,
            DAY,
        )?;
        within("healthy_after", self.healthy_after, Duration::ZERO, DAY)?;
        within("stop_check_interval", self.stop_check_interval, ms(10), DAY)?;
        let backoff = self.reconnect_backoff;
        within("reconnect_backoff base", backoff.base, ms(1), ms(3_600_000))?;
        within(
            "reconnect_backoff cap",
            backoff.cap,
            backoff.base,
            ms(3_600_000),
        )?;
        if let Some(limit) = self.task_timeout {
            within("task_timeout", limit, ms(1), 30 * DAY)?;
        }
        Ok(())
    }
}
