//! One agent's worker: the SSE connection with its reconnect policy, and what each event does.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use eventsource_stream::Event;
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{Instrument, debug, info, info_span, trace, warn};

use super::Settings;
use super::capacity::Capacity;
use super::connection::{self, ConnectError};
use super::control::Control;
use super::lifecycle;
use super::recent::RecentIds;
use super::redact;
use crate::handler::Handler;
use crate::model::{
    CreateTaskRequest, DeployedAsset, EnvironmentConflict, LocalTaskTest, Task, WorkerEventType,
    decode,
};
use crate::{Error, Platform, Result, Tasks};

/// How many task ids are remembered to drop duplicate deliveries.
const RECENT_TASKS: usize = 4096;

/// Everything one agent's worker needs, shared with its tasks.
pub(crate) struct AgentWorker {
    pub(crate) agent_id: String,
    pub(crate) platform: Platform,
    pub(crate) handler: Handler,
    pub(crate) settings: Arc<Settings>,
    /// Set: stop reading new tasks and drain.
    pub(crate) stop: CancellationToken,
    /// Set: abort the handlers still running (the shutdown timeout passed).
    pub(crate) force: CancellationToken,
    /// Run this test task once, then stop (the local test flow).
    pub(crate) test_task: Option<LocalTaskTest>,
    pub(crate) test_result: Mutex<Option<Task>>,
    worker_id: Mutex<Option<String>>,
}

impl AgentWorker {
    pub(crate) fn new(
        agent_id: String,
        platform: Platform,
        handler: Handler,
        settings: Arc<Settings>,
        stop: CancellationToken,
        force: CancellationToken,
        test_task: Option<LocalTaskTest>,
    ) -> Arc<Self> {
        Arc::new(Self {
            agent_id,
            platform,
            handler,
            settings,
            stop,
            force,
            test_task,
            test_result: Mutex::new(None),
            worker_id: Mutex::new(None),
        })
    }

    /// The id the platform registered this worker under, once it did.
    pub(crate) fn worker_id(&self) -> Option<String> {
        self.worker_id
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Serves the agent until `stop`, then drains its tasks and says goodbye.
    pub(crate) async fn run(self: Arc<Self>) -> Result<()> {
        let control = Control::spawn(
            self.platform.clone(),
            self.agent_id.clone(),
            self.settings.heartbeat_interval,
        );
        let capacity = Capacity::new(self.settings.max_sync_workers, control.clone());
        let tracker = TaskTracker::new();
        let mut reader = Reader {
            worker: self.clone(),
            control: control.clone(),
            capacity,
            tracker: tracker.clone(),
            recent: RecentIds::new(RECENT_TASKS),
            last_event_id: None,
            connected_once: false,
            test_created: false,
        };
        let outcome = reader.read().await;
        drop(reader);
        if !tracker.is_empty() {
            // The stream is closed; tell the platform not to count on this worker.
            control.capacity(true);
            info!(agent_id = %self.agent_id, in_flight = tracker.len(), "waiting for tasks to finish");
        }
        tracker.close();
        tracker.wait().await;
        control.finish().await;
        outcome
    }
}

/// How a connection ended.
enum Ended {
    Stopped,
    Lost { reason: String, healthy: bool },
}

struct Reader {
    worker: Arc<AgentWorker>,
    control: Control,
    capacity: Arc<Capacity>,
    tracker: TaskTracker,
    recent: RecentIds,
    last_event_id: Option<String>,
    connected_once: bool,
    test_created: bool,
}

impl Reader {
    /// Connects, reads, and reconnects with jittered backoff until `stop`. The backoff resets
    /// only after a connection delivered tasks or stayed up for a while, so a server that
    /// accepts and drops at once is not hammered.
    async fn read(&mut self) -> Result<()> {
        let settings = self.worker.settings.clone();
        let mut attempt: u32 = 0;
        let mut retry_floor = std::time::Duration::ZERO;
        loop {
            let span = info_span!("xpander.connection", agent_id = %self.worker.agent_id, attempt);
            let ended = self.connection(&mut retry_floor).instrument(span).await?;
            let (reason, healthy) = match ended {
                Ended::Stopped => return Ok(()),
                Ended::Lost { reason, healthy } => (reason, healthy),
            };
            attempt = if healthy { 1 } else { attempt + 1 };
            let delay = settings.reconnect_backoff.delay(attempt).max(retry_floor);
            info!(
                agent_id = %self.worker.agent_id, attempt, delay_ms = delay.as_millis() as u64,
                %reason, "worker connection lost; reconnecting"
            );
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = self.worker.stop.cancelled() => return Ok(()),
            }
        }
    }

    async fn connection(&mut self, retry_floor: &mut std::time::Duration) -> Result<Ended> {
        let worker = self.worker.clone();
        let settings = &worker.settings;
        let opening = connection::open(
            &worker.platform,
            &worker.agent_id,
            self.last_event_id.as_deref(),
            settings.read_idle_timeout,
        );
        let opened = tokio::select! {
            opened = opening => opened,
            _ = worker.stop.cancelled() => return Ok(Ended::Stopped),
        };
        let mut events = match opened {
            Ok(events) => events,
            Err(ConnectError::Rejected { url, status }) if !self.connected_once => {
                return Err(Error::WorkerRejected { url, status });
            }
            Err(ConnectError::Rejected { url, status }) => {
                let reason = format!("GET {url} returned HTTP {status}");
                return Ok(Ended::Lost {
                    reason,
                    healthy: false,
                });
            }
            Err(ConnectError::Transient(reason)) => {
                return Ok(Ended::Lost {
                    reason,
                    healthy: false,
                });
            }
        };
        self.connected_once = true;
        debug!("connected");
        let since = Instant::now();
        let mut delivered = false;
        loop {
            let next = tokio::select! {
                next = events.next() => next,
                _ = worker.stop.cancelled() => return Ok(Ended::Stopped),
            };
            let healthy = delivered || since.elapsed() >= settings.healthy_after;
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
                self.last_event_id = Some(event.id.clone());
            }
            if let Some(retry) = event.retry {
                *retry_floor = retry.max(std::time::Duration::from_millis(100));
            }
            if !self.on_event(event).await? {
                return Ok(Ended::Stopped);
            }
            delivered = true;
        }
    }

    /// Handles one event; false when the worker is stopping.
    async fn on_event(&mut self, event: Event) -> Result<bool> {
        match WorkerEventType::from(event.event.as_str()) {
            WorkerEventType::WorkerRegistration => self.on_registration(&event.data).await,
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
        Ok(true)
    }

    async fn on_registration(&mut self, data: &str) {
        let asset: DeployedAsset = match decode("worker-registration", data.as_bytes()) {
            Ok(asset) => asset,
            Err(e) => {
                warn!(error = %e, "ignoring a malformed worker-registration");
                return;
            }
        };
        info!(agent_id = %self.worker.agent_id, worker_id = %asset.id, "worker registered");
        *self
            .worker
            .worker_id
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(asset.id.clone());
        if let Some(test) = self.worker.test_task.clone().filter(|_| !self.test_created) {
            self.test_created = true;
            self.start_test_task(test, &asset.id).await;
        }
        self.control.registered(&asset.id);
    }

    /// The local test flow: create the test task for this worker and run it directly (no
    /// slot, no capacity updates), then stop.
    async fn start_test_task(&mut self, test: LocalTaskTest, worker_id: &str) {
        let worker = self.worker.clone();
        let mut request = CreateTaskRequest {
            input: test.input,
            agent_version: test.agent_version,
            output_format: test.output_format,
            output_schema: test.output_schema,
            ..CreateTaskRequest::default()
        }
        .worker_id(worker_id)
        .source("sdk")
        .run_locally(true);
        request.agent_version = request.agent_version.filter(|v| !v.is_empty());
        match Tasks::new(worker.platform.clone())
            .acreate(&worker.agent_id, request)
            .await
        {
            Ok(task) => {
                self.recent.insert(&task.id);
                self.tracker.spawn(async move {
                    let done = lifecycle::run(worker.clone(), task, None).await;
                    *worker.test_result.lock().unwrap_or_else(|e| e.into_inner()) = Some(done);
                    worker.stop.cancel();
                });
            }
            Err(e) => {
                warn!(error = %e, "could not create the test task");
                *worker.test_result.lock().unwrap_or_else(|e| e.into_inner()) = Some(Task {
                    result: Some(format!("could not create the test task: {e}")),
                    ..Task::default()
                });
                worker.stop.cancel();
            }
        }
    }

    /// Accepts one task: decode, drop duplicates, wait for a slot (so a full worker stops
    /// reading), and run it on its own task. False when the worker is stopping.
    async fn on_task(&mut self, data: String) -> bool {
        let task: Task = match decode("agent-execution", data.as_bytes()) {
            Ok(task) => task,
            Err(e) => {
                warn!(error = %e, "skipping a malformed agent-execution event");
                trace!(payload = %redact::for_log(&data), "the malformed payload");
                let worker = self.worker.clone();
                self.tracker
                    .spawn(lifecycle::report_malformed(worker, data, e.to_string()));
                return true;
            }
        };
        if !self.recent.insert(&task.id) {
            info!(task_id = %task.id, "task delivered again; it already ran here");
            return true;
        }
        let slot = tokio::select! {
            slot = self.capacity.acquire() => slot,
            _ = self.worker.stop.cancelled() => return false,
        };
        self.tracker
            .spawn(lifecycle::run(self.worker.clone(), task, Some(slot)));
        true
    }
}
