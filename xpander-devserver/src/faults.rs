//! Fault injection: failing and slow routes, dropped SSE connections, malformed deliveries.
//!
//! Route faults are decided per request by the middleware here, with a seeded random number
//! generator so a run repeats. SSE faults are plain counters kept with the dispatch state
//! ([`SseFaults`]).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::state::App;

/// The faults a devserver injects. `POST /_dev/faults` takes this object as JSON (every key
/// optional) and replaces the current faults; `DELETE /_dev/faults` clears them.
///
/// ```
/// use xpander_devserver::{ErrorFault, Faults};
///
/// let faults: Faults = serde_json::from_value(serde_json::json!({
///     "seed": 7,
///     "drop_sse_every": 3,
///     "errors": [{"pattern": "/agent-execution/*/update", "status": 503, "rate": 0.5}],
/// })).unwrap();
/// assert_eq!(faults.errors[0], ErrorFault {
///     pattern: "/agent-execution/*/update".into(), method: None, status: 503, rate: 0.5 });
/// assert!(faults.validate().is_ok());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    /// Seeds the generator that decides rates, so the same requests get the same faults.
    #[serde(default)]
    pub seed: u64,
    /// After every N-th SSE event (registration or delivery, over all streams), that stream is
    /// closed. With N = 1 every stream closes right after its `worker-registration`, before any
    /// delivery: the way to test a server that registers a worker and drops the stream, on
    /// every reconnection.
    #[serde(default)]
    pub drop_sse_every: Option<u32>,
    /// Each task event stream (`GET /{org}/agent-execution/{id}/events`) is closed after
    /// every N events it sent (its `connected` not counted), so a watcher has to resume with
    /// `Last-Event-ID`. `drop_sse_every` counts worker streams only.
    #[serde(default)]
    pub drop_task_events_every: Option<u32>,
    /// Before every N-th `agent-execution` delivery, a malformed `agent-execution` is sent
    /// (alternately truncated JSON and an object that is not a task). The real delivery still
    /// follows.
    #[serde(default)]
    pub malformed_every: Option<u32>,
    /// Routes answered with an error status.
    #[serde(default)]
    pub errors: Vec<ErrorFault>,
    /// Routes answered late.
    #[serde(default)]
    pub delays: Vec<DelayFault>,
    /// Worker messages (`POST /{org}/events/{worker_id}`) of one kind answered late, e.g.
    /// `{"event": "worker-capacity-update", "delay_ms": 3000}`: all kinds share one route,
    /// so a route delay cannot single one out.
    #[serde(default)]
    pub slow_worker_messages: Vec<SlowWorkerMessage>,
}

/// Answer worker messages whose `event` is this one `delay_ms` late.
///
/// ```
/// use xpander_devserver::SlowWorkerMessage;
///
/// let slow: SlowWorkerMessage =
///     serde_json::from_str(r#"{"event": "worker-capacity-update", "delay_ms": 3000}"#).unwrap();
/// assert_eq!(slow.delay_ms, 3000);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlowWorkerMessage {
    /// The message's `event` (`worker-heartbeat`, `worker-capacity-update`, `worker-finished`).
    pub event: String,
    /// The delay in milliseconds.
    pub delay_ms: u64,
}

/// Answer requests whose path matches `pattern` with `status`, at `rate` (0..=1).
///
/// ```
/// use xpander_devserver::ErrorFault;
///
/// let fault: ErrorFault = serde_json::from_str(r#"{"pattern": "/agents/*", "status": 503}"#).unwrap();
/// assert_eq!(fault.rate, 1.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorFault {
    /// A path glob: `*` matches any run of characters, `/` included
    /// (`/agent-execution/*/update`).
    pub pattern: String,
    /// Only this method (any when `None`).
    #[serde(default)]
    pub method: Option<String>,
    /// The status answered (400–599).
    pub status: u16,
    /// The share of matching requests that fail (default 1).
    #[serde(default = "always")]
    pub rate: f64,
}

/// Delay requests whose path matches `pattern` by `delay_ms`, at `rate` (0..=1).
///
/// ```
/// use xpander_devserver::DelayFault;
///
/// let fault: DelayFault = serde_json::from_str(r#"{"pattern": "*", "delay_ms": 50}"#).unwrap();
/// assert_eq!((fault.delay_ms, fault.method), (50, None));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelayFault {
    /// A path glob, as in [`ErrorFault::pattern`].
    pub pattern: String,
    /// Only this method (any when `None`).
    #[serde(default)]
    pub method: Option<String>,
    /// The delay in milliseconds.
    pub delay_ms: u64,
    /// The share of matching requests delayed (default 1).
    #[serde(default = "always")]
    pub rate: f64,
}

fn always() -> f64 {
    1.0
}

impl Faults {
    /// [`Faults::validate`] as the 400 answer a bad fault configuration gets.
    pub(crate) fn checked(&self) -> Result<(), ApiError> {
        self.validate()
            .map_err(|e| ApiError::bad_request(format!("faults: {e}")))
    }

    /// Checks the values: rates within 0..=1, statuses 400–599, counts at least 1, no empty
    /// pattern.
    pub fn validate(&self) -> Result<(), String> {
        if self.drop_sse_every == Some(0) {
            return Err("drop_sse_every: must be at least 1".into());
        }
        if self.drop_task_events_every == Some(0) {
            return Err("drop_task_events_every: must be at least 1".into());
        }
        if self.malformed_every == Some(0) {
            return Err("malformed_every: must be at least 1".into());
        }
        for (i, e) in self.errors.iter().enumerate() {
            check_route(
                &format!("errors[{i}]"),
                &e.pattern,
                e.method.as_deref(),
                e.rate,
            )?;
            if !(400..=599).contains(&e.status) {
                return Err(format!("errors[{i}].status: must be 400-599"));
            }
        }
        for (i, d) in self.delays.iter().enumerate() {
            check_route(
                &format!("delays[{i}]"),
                &d.pattern,
                d.method.as_deref(),
                d.rate,
            )?;
            if d.delay_ms > 600_000 {
                return Err(format!("delays[{i}].delay_ms: at most 600000"));
            }
        }
        for (i, slow) in self.slow_worker_messages.iter().enumerate() {
            if slow.event.is_empty() {
                return Err(format!(
                    "slow_worker_messages[{i}].event: must not be empty"
                ));
            }
            if slow.delay_ms > 600_000 {
                return Err(format!(
                    "slow_worker_messages[{i}].delay_ms: at most 600000"
                ));
            }
        }
        Ok(())
    }

    fn has_route_faults(&self) -> bool {
        !self.errors.is_empty() || !self.delays.is_empty()
    }
}

fn check_route(at: &str, pattern: &str, method: Option<&str>, rate: f64) -> Result<(), String> {
    if pattern.is_empty() {
        return Err(format!("{at}.pattern: must not be empty"));
    }
    if !(0.0..=1.0).contains(&rate) {
        return Err(format!("{at}.rate: must be between 0 and 1"));
    }
    if let Some(m) = method
        && Method::from_bytes(m.to_ascii_uppercase().as_bytes()).is_err()
    {
        return Err(format!("{at}.method: {m:?} is not an HTTP method"));
    }
    Ok(())
}

/// Whether `path` matches the glob `pattern` (`*` matches any run of characters).
pub(crate) fn glob_matches(pattern: &str, path: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == path;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !path.starts_with(first) || path.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &path[first.len()..];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// Route faults and their generator.
#[derive(Debug)]
pub(crate) struct RouteFaults {
    pub config: Faults,
    rng: fastrand::Rng,
    pub injected_errors: u64,
    pub injected_delays: u64,
}

impl RouteFaults {
    pub fn new(config: Faults) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(config.seed),
            config,
            injected_errors: 0,
            injected_delays: 0,
        }
    }

    /// How late a worker message of this kind is answered.
    pub fn worker_message_delay(&self, event: &str) -> Duration {
        let delay_ms = self
            .config
            .slow_worker_messages
            .iter()
            .filter(|slow| slow.event == event)
            .map(|slow| slow.delay_ms)
            .sum();
        Duration::from_millis(delay_ms)
    }

    /// What happens to this request: a delay, then maybe an error status.
    fn decide(&mut self, method: &Method, path: &str) -> (Duration, Option<u16>) {
        let applies = |pattern: &str, only: &Option<String>| {
            glob_matches(pattern, path)
                && only
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()))
        };
        let mut delay = Duration::ZERO;
        for d in &self.config.delays {
            if applies(&d.pattern, &d.method) && self.rng.f64() < d.rate {
                delay += Duration::from_millis(d.delay_ms);
                self.injected_delays += 1;
            }
        }
        let mut status = None;
        for e in &self.config.errors {
            if applies(&e.pattern, &e.method) && self.rng.f64() < e.rate {
                status = Some(e.status);
                self.injected_errors += 1;
                break;
            }
        }
        (delay, status)
    }
}

/// SSE faults: counters over all streams.
#[derive(Debug, Default)]
pub(crate) struct SseFaults {
    pub drop_every: Option<u32>,
    /// Read by each task event stream when it opens.
    pub drop_task_events_every: Option<u32>,
    pub malformed_every: Option<u32>,
    pub events: u64,
    pub executions: u64,
    pub dropped: u64,
    pub malformed: u64,
}

impl SseFaults {
    pub fn new(config: &Faults) -> Self {
        Self {
            drop_every: config.drop_sse_every,
            drop_task_events_every: config.drop_task_events_every,
            malformed_every: config.malformed_every,
            ..Self::default()
        }
    }

    /// Counts an event; whether its stream is to be closed after it.
    pub fn count_event(&mut self) -> bool {
        self.events += 1;
        let drop = self
            .drop_every
            .is_some_and(|n| self.events.is_multiple_of(u64::from(n)));
        if drop {
            self.dropped += 1;
        }
        drop
    }

    /// Counts a delivery; the malformed payload to send before it, if any.
    pub fn malformed_before_delivery(&mut self) -> Option<String> {
        self.executions += 1;
        let n = u64::from(self.malformed_every?);
        if !self.executions.is_multiple_of(n) {
            return None;
        }
        self.malformed += 1;
        Some(if self.malformed % 2 == 1 {
            format!(r#"{{"id": "MALFORMED-{}", "agent_id": "#, self.malformed)
        } else {
            format!(
                r#"{{"id": "MALFORMED-{}", "agent_id": 42, "input": "not an object"}}"#,
                self.malformed
            )
        })
    }
}

/// Middleware: applies route faults to platform routes (never to `/_dev/*` or `/`).
pub(crate) async fn middleware(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !app.route_faults_active.load(Ordering::Relaxed) || crate::auth::is_dev_path(path) {
        return next.run(req).await;
    }
    let (delay, status) = app.route_faults.lock().await.decide(req.method(), path);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match status.and_then(|s| StatusCode::from_u16(s).ok()) {
        Some(status) => {
            ApiError::new(status, format!("injected fault: {}", status.as_u16())).into_response()
        }
        None => next.run(req).await,
    }
}

/// The faults in force and what they did, as `GET /_dev/faults` answers: `faults`, then the
/// counters `injected_errors`, `injected_delays`, `sse_events`, `dropped_streams` and
/// `malformed_sent`.
pub(crate) async fn report(app: &App) -> serde_json::Value {
    let (config, injected_errors, injected_delays) = {
        let route = app.route_faults.lock().await;
        (
            route.config.clone(),
            route.injected_errors,
            route.injected_delays,
        )
    };
    let store = app.store.lock().await;
    let sse = &store.sse_faults;
    serde_json::json!({
        "faults": config,
        "injected_errors": injected_errors,
        "injected_delays": injected_delays,
        "sse_events": sse.events,
        "dropped_streams": sse.dropped,
        "malformed_sent": sse.malformed,
    })
}

/// Replaces the route faults and the SSE faults (one lock at a time), resetting counters and
/// the generator.
pub(crate) async fn apply(app: &App, config: &Faults) {
    let active = config.has_route_faults();
    *app.route_faults.lock().await = RouteFaults::new(config.clone());
    app.route_faults_active.store(active, Ordering::Relaxed);
    app.store.lock().await.sse_faults = SseFaults::new(config);
    app.pulse.faults();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_matches(
            "/agent-execution/*/update",
            "/agent-execution/t1/update"
        ));
        assert!(glob_matches("*", "/anything"));
        assert!(glob_matches("/a*b*c", "/a-b-b-c"));
        assert!(!glob_matches("/agents/*", "/agent-execution/x"));
        assert!(!glob_matches("/a*a", "/a"));
        assert!(glob_matches("/exact", "/exact"));
        assert!(!glob_matches("/exact", "/exact/"));
    }

    #[test]
    fn seeded_rates_repeat() {
        let faults = Faults {
            seed: 3,
            errors: vec![ErrorFault {
                pattern: "*".into(),
                method: None,
                status: 503,
                rate: 0.5,
            }],
            ..Faults::default()
        };
        let run = || {
            let mut f = RouteFaults::new(faults.clone());
            (0..64)
                .map(|_| f.decide(&Method::GET, "/x").1.is_some())
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        assert!(first.iter().any(|x| *x) && first.iter().any(|x| !*x));
    }

    #[test]
    fn sse_counters() {
        let mut f = SseFaults::new(&Faults {
            drop_sse_every: Some(2),
            malformed_every: Some(3),
            ..Faults::default()
        });
        assert_eq!(
            (f.count_event(), f.count_event(), f.count_event()),
            (false, true, false)
        );
        let m: Vec<bool> = (0..6)
            .map(|_| f.malformed_before_delivery().is_some())
            .collect();
        assert_eq!(m, [false, false, true, false, false, true]);
    }
}
