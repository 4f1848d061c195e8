//! The reader of one agent's worker channel: connect (and reconnect with backoff), then for
//! every event: a registration is passed to the control task, a task is decoded, dropped if it
//! already ran here, given a slot (a full worker stops reading) and run on its own task.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::header::HeaderValue;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{Instrument, debug, info, info_span, trace, warn};

use super::connection::{self, ConnectError};
use super::control::Control;
use super::recent::RecentIds;
use super::run_task::TaskRunner;
use super::slots::{Slot, Slots};
use crate::model::{DeployedAsset, EnvironmentConflict, Task, WorkerEventType, decode};
use crate::secret::redact;
use crate::sse::SseEvent;
use crate::{Error, Result};

/// What reading goes on with after an event.
enum Next {
    Read,
    /// A task was accepted: the connection is healthy.
    Delivered,
    Stop,
}

/// How a connection ended.
enum Ended {
    Stopped,
    Lost { reason: String, healthy: bool },
}

/// One agent's reader, with what its events feed.
pub(crate) struct Reader {
    pub(crate) agent_id: String,
    pub(crate) runner: Arc<TaskRunner>,
    pub(crate) control: Control,
    pub(crate) slots: Slots,
    pub(crate) tracker: TaskTracker,
    /// Task ids accepted lately (shared with the test-task driver).
    pub(crate) recent: Arc<Mutex<RecentIds>>,
    /// The id the platform registered this worker under, once it did.
    pub(crate) worker_id: watch::Sender<Option<String>>,
    /// Set: stop reading.
    pub(crate) stop: CancellationToken,
}

impl Reader {
    /// Connects, reads, and reconnects with jittered backoff until `stop`. The backoff resets
    /// only after a connection delivered a task or stayed up for a while: a registration or a
    /// keep-alive does not count, so a server that registers and drops at once is not hammered.
    pub(crate) async fn read(&mut self) -> Result<()> {
        let settings = self.runner.settings.clone();
        let mut last_event_id = None;
        let mut connected_once = false;
        let mut retry_floor = Duration::ZERO;
        let mut attempt: u32 = 0;
        loop {
            let span = info_span!("xpander.connection", agent_id = %self.agent_id, attempt);
            let opening = connection::open(
                &self.runner.platform,
                &self.agent_id,
                last_event_id.as_deref(),
                settings.read_idle_timeout,
            );
            let opened = tokio::select! {
                opened = opening => opened,
                _ = self.stop.cancelled() => return Ok(()),
            };
            let ended = match opened {
                Ok(events) => {
                    connected_once = true;
                    let reading = self.events(events, &mut last_event_id, &mut retry_floor);
                    reading.instrument(span).await?
                }
                Err(ConnectError::Rejected { url, status }) if !connected_once => {
                    return Err(Error::WorkerRejected { url, status });
                }
                Err(ConnectError::Rejected { url, status }) => Ended::Lost {
                    reason: format!("GET {url} returned HTTP {status}"),
                    healthy: false,
                },
                Err(ConnectError::Transient(reason)) => Ended::Lost {
                    reason,
                    healthy: false,
                },
            };
            let (reason, healthy) = match ended {
                Ended::Stopped => return Ok(()),
                Ended::Lost { reason, healthy } => (reason, healthy),
            };
            attempt = if healthy { 1 } else { attempt + 1 };
            let delay = settings.reconnect_backoff.delay(attempt).max(retry_floor);
            info!(
                agent_id = %self.agent_id, attempt, delay_ms = delay.as_millis() as u64,
                %reason, "worker connection lost; reconnecting"
            );
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = self.stop.cancelled() => return Ok(()),
            }
        }
    }

    /// Reads one open connection until it ends.
    async fn events(
        &mut self,
        mut events: connection::EventStream,
        last_event_id: &mut Option<String>,
        retry_floor: &mut Duration,
    ) -> Result<Ended> {
        debug!("connected");
        let healthy_after = self.runner.settings.healthy_after;
        let since = Instant::now();
        let mut delivered = false;
        loop {
            let next = tokio::select! {
                next = events.next() => next,
                _ = self.stop.cancelled() => return Ok(Ended::Stopped),
            };
            let healthy = delivered || since.elapsed() >= healthy_after;
            let event = match next {
                None => {
                    return Ok(Ended::Lost {
                        reason: "the server closed the stream".into(),
                        healthy,
                    });
                }
                Some(Err(reason)) => return Ok(Ended::Lost { reason, healthy }),
                Some(Ok(event)) => event,
            };
            if !event.id.is_empty() {
                // Sent back as `Last-Event-ID`: an id that is no valid header value would make
                // every later reconnect fail.
                if HeaderValue::from_str(&event.id).is_ok() {
                    *last_event_id = Some(event.id.clone());
                } else {
                    warn!("ignoring an event id that cannot be sent back as a header");
                }
            }
            if let Some(retry) = event.retry {
                // The server may slow reconnects down, but not past our own backoff's cap.
                let cap = self.runner.settings.reconnect_backoff.cap;
                *retry_floor = retry.clamp(Duration::from_millis(100).min(cap), cap);
            }
            match self.on_event(event).await? {
                Next::Read => {}
                Next::Delivered => delivered = true,
                Next::Stop => return Ok(Ended::Stopped),
            }
        }
    }

    /// Handles one event.
    async fn on_event(&mut self, event: SseEvent) -> Result<Next> {
        match WorkerEventType::from(event.event.as_str()) {
            WorkerEventType::WorkerRegistration => self.on_registration(&event.data),
            WorkerEventType::AgentExecution => return Ok(self.on_task(event.data).await),
            WorkerEventType::WorkerEnvironmentConflict => {
                let message = decode::<EnvironmentConflict>(
                    "worker-environment-conflict",
                    event.data.as_bytes(),
                )
                .map_or(event.data, |conflict| conflict.error);
                return Err(Error::EnvironmentConflict(message));
            }
            other => debug!(event = %other, "ignoring an event"),
        }
        Ok(Next::Read)
    }

    fn on_registration(&mut self, data: &str) {
        let asset: DeployedAsset = match decode("worker-registration", data.as_bytes()) {
            Ok(asset) => asset,
            Err(e) => {
                warn!(error = %e, "ignoring a malformed worker-registration");
                return;
            }
        };
        info!(agent_id = %self.agent_id, worker_id = %asset.id, "worker registered");
        self.control.registered(&asset.id);
        self.worker_id.send_replace(Some(asset.id));
    }

    /// Accepts one task: decode, drop duplicates, wait for a slot (so a full worker stops
    /// reading), and run it on its own task.
    async fn on_task(&mut self, data: String) -> Next {
        let task: Task = match decode("agent-execution", data.as_bytes()) {
            Ok(task) => task,
            Err(e) => {
                warn!(error = %e, "skipping a malformed agent-execution event");
                trace!(payload = %redact::for_log(&data), "the malformed payload");
                // Its report takes a slot too, so a flood of garbage is bounded like tasks.
                let Some(slot) = self.slot().await else {
                    return Next::Stop;
                };
                let runner = self.runner.clone();
                let problem = e.to_string();
                self.tracker.spawn(async move {
                    runner.report_malformed(data, problem).await;
                    drop(slot);
                });
                return Next::Read;
            }
        };
        let first_time = self
            .recent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(&task.id);
        if !first_time {
            info!(task_id = %task.id, "task delivered again; it already ran here");
            return Next::Read;
        }
        let Some(slot) = self.slot().await else {
            return Next::Stop;
        };
        let runner = self.runner.clone();
        let worker_id = self.worker_id.borrow().clone().unwrap_or_default();
        let events = runner.push_to_platform();
        self.tracker
            .spawn(async move { runner.run(task, &worker_id, Some(slot), events).await });
        Next::Delivered
    }

    /// A free slot; `None` when the worker stops first.
    async fn slot(&self) -> Option<Slot> {
        tokio::select! {
            slot = self.slots.acquire() => Some(slot),
            _ = self.stop.cancelled() => None,
        }
    }
}
