//! Watching a task live: [`Task::aevents`] (a `Stream`) and [`Task::events`] (its blocking
//! iterator) read `GET {events root}/agent-execution/{task_id}/events` with the runtime's SSE
//! parser, and resume a dropped connection with `Last-Event-ID`.

use std::collections::HashSet;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::{self, BoxStream};
use futures_util::{Stream, StreamExt};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use tracing::{debug, warn};

use crate::model::{Task, TaskEventData, TaskUpdateEvent, TaskUpdateEventType};
use crate::platform::endpoint::Endpoint;
use crate::platform::error_text::{error_chain, truncate};
use crate::platform::routes::TaskEvents as TaskEventsRoute;
use crate::sse::{self, SseEvent};
use crate::{Error, Platform, Result};

/// One event read live from a task: a typed [`Task`] in `data` for the task-typed events,
/// JSON for the rest ([`TaskEventData`]).
///
/// ```
/// use xpander_runtime::TaskEvent;
/// use xpander_runtime::model::{TaskEventData, TaskUpdateEvent, TaskUpdateEventType};
///
/// let event: TaskEvent = TaskUpdateEvent::new(TaskUpdateEventType::Chunk, "t1", "org", "Hi".into())
///     .map_data(TaskEventData::Json);
/// assert!(event.data.task().is_none());
/// ```
pub type TaskEvent = TaskUpdateEvent<TaskEventData>;

type Events = BoxStream<'static, std::result::Result<SseEvent, String>>;

impl Task {
    /// The task's events as they happen: `connected`, `task_created`, a `task_updated` per
    /// change, what its worker pushes (chunks, tool calls, auth events) and `task_finished`,
    /// after which the stream ends. A dropped connection is reopened with `Last-Event-ID`, so
    /// no event is lost or seen twice; an `Err` item ends the stream (the platform refused,
    /// or reconnecting failed as many times as the retry policy allows).
    ///
    /// Fails at once, as the Python SDK does, when the task was not created with
    /// [`CreateTaskRequest::events_streaming`](crate::model::CreateTaskRequest::events_streaming)
    /// or is not bound to a platform.
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// use xpander_runtime::model::{CreateTaskRequest, TaskUpdateEventType};
    /// use xpander_runtime::{Configuration, Tasks};
    ///
    /// # async fn demo() -> xpander_runtime::Result<()> {
    /// let request = CreateTaskRequest::new("Summarise the report").events_streaming(true);
    /// let task = Tasks::new(Configuration::from_env()?).acreate("agent-1", request).await?;
    /// let mut events = task.aevents()?;
    /// while let Some(event) = events.next().await {
    ///     let event = event?;
    ///     match (&event.event_type, event.data.task()) {
    ///         (TaskUpdateEventType::Chunk, _) => print!("{}", event.data.json().unwrap()),
    ///         (_, Some(task)) => println!("[{}] {}", event.event_type, task.status),
    ///         _ => println!("[{}]", event.event_type),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn aevents(&self) -> Result<TaskEvents> {
        if !self.events_streaming {
            return Err(Error::Usage(format!(
                "task {} was not created with events streaming: create it with \
                 CreateTaskRequest::events_streaming(true) to watch its events",
                self.id
            )));
        }
        let platform = self.platform().cloned().ok_or_else(|| {
            Error::Usage(format!(
                "task {} is not bound to a platform: load it with Tasks, or call \
                 task.with_configuration(Configuration::from_env()?) first",
                self.id
            ))
        })?;
        let watch = Watch {
            platform,
            task_id: self.id.clone(),
            last_event_id: None,
            seen: HashSet::new(),
            connected: false,
            finished: false,
            failures: 0,
            events: None,
        };
        let inner = stream::unfold(Some(watch), |watch| async move {
            let mut watch = watch?;
            match watch.next().await {
                Some(Ok(event)) => Some((Ok(event), Some(watch))),
                Some(Err(e)) => Some((Err(e), None)),
                None => None,
            }
        });
        Ok(TaskEvents {
            inner: inner.boxed(),
        })
    }

    /// [`Task::aevents`] as a blocking iterator, for synchronous code (also usable inside a
    /// tokio runtime). Unlike the Python SDK's, it yields each event as it arrives.
    ///
    /// ```no_run
    /// # fn demo(task: xpander_runtime::Task) -> xpander_runtime::Result<()> {
    /// for event in task.events()? {
    ///     let event = event?;
    ///     println!("{}: {}", event.event_type, event.task_id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn events(&self) -> Result<BlockingTaskEvents> {
        Ok(BlockingTaskEvents {
            inner: self.aevents()?,
        })
    }
}

/// The stream [`Task::aevents`] returns; it ends after `task_finished`, or after an `Err`.
///
/// ```no_run
/// use futures_util::StreamExt;
///
/// # async fn demo(task: xpander_runtime::Task) -> xpander_runtime::Result<()> {
/// // Only the streamed text, up to the end of the task.
/// let text: String = task
///     .aevents()?
///     .filter_map(|event| async move {
///         let event = event.ok()?;
///         event.data.json()?.as_str().map(str::to_owned)
///     })
///     .collect()
///     .await;
/// # Ok(()) }
/// ```
pub struct TaskEvents {
    inner: BoxStream<'static, Result<TaskEvent>>,
}

impl Stream for TaskEvents {
    type Item = Result<TaskEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl std::fmt::Debug for TaskEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskEvents").finish_non_exhaustive()
    }
}

/// The iterator [`Task::events`] returns: each item waits for the next event.
///
/// ```no_run
/// # fn demo(task: xpander_runtime::Task) -> xpander_runtime::Result<()> {
/// let finished = task.events()?.filter_map(Result::ok).last();
/// println!("{:?}", finished.map(|event| event.event_type));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct BlockingTaskEvents {
    inner: TaskEvents,
}

impl Iterator for BlockingTaskEvents {
    type Item = Result<TaskEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        crate::blocking::block_on(self.inner.next())
    }
}

/// A watch in progress: the open connection, where to resume, what was already seen.
struct Watch {
    platform: Platform,
    task_id: String,
    last_event_id: Option<String>,
    /// The ids of events already yielded: a server that resends one is not believed twice.
    seen: HashSet<String>,
    /// `connected` was yielded (a reconnection's own `connected` is not).
    connected: bool,
    finished: bool,
    /// Failed connections in a row.
    failures: u32,
    events: Option<Events>,
}

impl Watch {
    /// The next event, `None` after `task_finished`, or the error that ends the watch.
    async fn next(&mut self) -> Option<Result<TaskEvent>> {
        loop {
            if self.finished {
                return None;
            }
            let Some(events) = self.events.as_mut() else {
                if let Err(e) = self.connect().await {
                    return Some(Err(e));
                }
                continue;
            };
            match events.next().await {
                Some(Ok(sse)) => {
                    if let Some(event) = self.accept(sse) {
                        self.failures = 0;
                        return Some(Ok(event));
                    }
                }
                Some(Err(e)) => {
                    debug!(task_id = %self.task_id, error = %e, "task event stream dropped; resuming");
                    self.events = None;
                }
                None => {
                    debug!(task_id = %self.task_id, "task event stream closed early; resuming");
                    self.events = None;
                }
            }
        }
    }

    /// Decodes one SSE event; `None` for what is not yielded (keep-alives, repeats, events
    /// that are not JSON envelopes).
    fn accept(&mut self, sse: SseEvent) -> Option<TaskEvent> {
        if sse.data.is_empty() {
            return None;
        }
        if !sse.id.is_empty() {
            if !self.seen.insert(sse.id.clone()) {
                return None;
            }
            self.last_event_id = Some(sse.id.clone());
        }
        let envelope: TaskUpdateEvent = match serde_json::from_str(&sse.data) {
            Ok(envelope) => envelope,
            Err(e) => {
                warn!(task_id = %self.task_id, error = %e, "dropping a task event that is not a task update event");
                return None;
            }
        };
        match envelope.event_type {
            TaskUpdateEventType::Connected if self.connected => return None,
            TaskUpdateEventType::Connected => self.connected = true,
            TaskUpdateEventType::TaskFinished => self.finished = true,
            _ => {}
        }
        let kind = envelope.event_type.clone();
        Some(envelope.map_data(|data| TaskEventData::decode(&kind, data)))
    }

    /// Opens (or reopens) the stream; retries transient failures by the retry policy.
    async fn connect(&mut self) -> Result<()> {
        let policy = *self.platform.configuration().retry_policy();
        loop {
            if self.failures > 0 {
                tokio::time::sleep(policy.backoff.delay(self.failures).min(policy.backoff.cap))
                    .await;
            }
            match open(&self.platform, &self.task_id, self.last_event_id.as_deref()).await {
                Ok(events) => {
                    self.events = Some(events);
                    return Ok(());
                }
                Err((error, transient)) => {
                    self.failures += 1;
                    if !transient || self.failures >= policy.max_attempts.max(1) {
                        return Err(error);
                    }
                    warn!(task_id = %self.task_id, attempt = self.failures, error = %error,
                        "opening the task event stream failed; retrying");
                }
            }
        }
    }
}

/// One attempt to open the stream; the error says whether another may succeed. (A free
/// function: a `&Watch` held across an await would make the stream lose `Send`.)
async fn open(
    platform: &Platform,
    task_id: &str,
    last_event_id: Option<&str>,
) -> std::result::Result<Events, (Error, bool)> {
    let route = TaskEventsRoute {
        task_id,
        last_event_id,
    };
    let url = platform.url(
        &TaskEventsRoute {
            task_id,
            last_event_id: None,
        }
        .route(),
    );
    let response = platform.open_stream(route).await.map_err(|e| (e, true))?;
    let status = response.status();
    if !status.is_success() {
        let transient = status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS;
        let body = response.text().await.unwrap_or_default();
        let key = platform.configuration().api_key().expose();
        let body = truncate(&crate::secret::redact::http_body(&body, key));
        let error = Error::Http {
            method: "GET".into(),
            url,
            status: status.as_u16(),
            body,
        };
        return Err((error, transient));
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if !content_type.contains("text/event-stream") {
        let message = format!("answered `{content_type}`, not an event stream");
        let error = Error::Transport {
            method: "GET".into(),
            url,
            message,
        };
        return Err((error, true));
    }
    let bytes = response
        .bytes_stream()
        .map(|item| item.map_err(|e| error_chain(&e)));
    Ok(sse::EventStream::new(Box::pin(bytes), sse::DEFAULT_MAX_EVENT).boxed())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Configuration;

    /// `{events root}/agent-execution/{id}/events`, as the Python SDK's `get_events_root` builds
    /// it: the cloud inbound hosts move to the agent controller, loopback 8085 to 9016.
    #[test]
    fn the_url_is_pythons() {
        for (base, url) in [
            (
                "https://inbound.xpander.ai",
                "https://agent-controller.xpander.ai/ORG/agent-execution/t1/events",
            ),
            (
                "https://inbound.stg.xpander.ai",
                "https://agent-controller.stg.xpander.ai/ORG/agent-execution/t1/events",
            ),
            (
                "http://localhost:8085",
                "http://localhost:9016/ORG/agent-execution/t1/events",
            ),
            (
                "http://127.0.0.1:9100",
                "http://127.0.0.1:9100/ORG/agent-execution/t1/events",
            ),
        ] {
            let config = Configuration::builder()
                .api_key("k")
                .organization_id("ORG")
                .base_url(base)
                .build()
                .unwrap();
            let route = TaskEventsRoute {
                task_id: "t1",
                last_event_id: Some("7"),
            }
            .route();
            assert_eq!(Platform::new(config).url(&route), url, "{base}");
            assert!(route.headers.contains(&("last-event-id", "7".into())));
            assert!(
                route
                    .headers
                    .contains(&("accept", "text/event-stream".into()))
            );
        }
    }
}
