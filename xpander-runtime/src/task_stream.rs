//! [`TaskStream`]: what a streaming handler sends its live events through while it runs.
//! Where the events go is the caller's choice ([`Outlet`]): pushed to the task's watchers on
//! the platform (a task delivered to the worker), written to the `/invoke` answer, or printed
//! (a local run).

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};
use tokio::sync::mpsc;
use tracing::debug;

use crate::model::{
    Task, TaskUpdateEvent, TaskUpdateEventType, ToolCallRequest, ToolCallResult, reasoning_data,
};

mod outlet;

pub(crate) use outlet::{Feed, Finished, Outlet};

/// Events a handler may have sent before the outlet took them; past this, `send` waits, so a
/// handler cannot outrun a slow watcher without bound.
const BUFFERED_EVENTS: usize = 256;

/// The live events of the task a streaming handler runs: answer chunks, tool calls, thinking.
///
/// A handler that takes a `TaskStream` as its second argument is a streaming handler. For a
/// task the platform delivers, its events are pushed to the task (so [`Task::aevents`]
/// watchers see them, in order); on the worker's `/invoke` server they are the answer's
/// `text/event-stream`; in a local run they are printed. The task the handler returns is
/// saved once, as for any handler.
///
/// A `task_finished` event sent here is not forwarded: its payload becomes the outcome, as in
/// the Python SDK (a task replaces the returned task, keeping its id; a string replaces the
/// result). Events sent after the handler returned are dropped.
///
/// ```
/// use xpander_runtime::{Task, TaskStream, on_task};
///
/// #[on_task]
/// async fn tell(mut task: Task, stream: TaskStream) -> Task {
///     let mut answer = String::new();
///     for word in ["Once", "upon", "a", "time"] {
///         let chunk = format!("{word} ");
///         stream.chunk(&chunk).await;
///         answer.push_str(&chunk);
///     }
///     task.result = Some(answer);
///     task
/// }
/// ```
#[derive(Clone)]
pub struct TaskStream {
    task_id: Arc<str>,
    organization_id: Arc<str>,
    sender: mpsc::Sender<TaskUpdateEvent>,
    finished: Finished,
}

impl TaskStream {
    /// A stream for `task`, the feed its events arrive on, and where a `task_finished`
    /// payload is kept.
    pub(crate) fn open(task: &Task) -> (Self, Feed, Finished) {
        let (sender, receiver) = mpsc::channel(BUFFERED_EVENTS);
        let finished = Finished::default();
        let stream = Self {
            task_id: task.id.as_str().into(),
            organization_id: task.organization_id.as_str().into(),
            sender,
            finished: finished.clone(),
        };
        (stream, Feed::new(task.id.clone(), receiver), finished)
    }

    /// The id of the task the events are about.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }

    /// Sends `event`; waits while the outlet is behind by many events.
    ///
    /// ```
    /// # async fn demo(stream: xpander_runtime::TaskStream) {
    /// use xpander_runtime::model::{TaskUpdateEvent, TaskUpdateEventType};
    ///
    /// let progress = serde_json::json!({"step": 2, "of": 5});
    /// stream
    ///     .send(TaskUpdateEvent::new(
    ///         TaskUpdateEventType::ProcessUpdate,
    ///         stream.task_id(),
    ///         "org-1",
    ///         progress,
    ///     ))
    ///     .await;
    /// # }
    /// ```
    pub async fn send(&self, event: TaskUpdateEvent) {
        if event.event_type == TaskUpdateEventType::TaskFinished {
            self.finished.set(event.data);
            return;
        }
        if self.sender.send(event).await.is_err() {
            debug!(task_id = %self.task_id, "an event sent after the handler returned is dropped");
        }
    }

    /// Sends a `chunk` of the answer.
    ///
    /// ```
    /// # async fn demo(stream: xpander_runtime::TaskStream) {
    /// stream.chunk("The answer is ").await;
    /// stream.chunk("42.").await;
    /// # }
    /// ```
    pub async fn chunk(&self, text: impl Into<String>) {
        self.send(self.event(TaskUpdateEventType::Chunk, Value::String(text.into())))
            .await;
    }

    /// Sends a `tool_call_request`: a tool is about to be called.
    ///
    /// ```
    /// # async fn demo(stream: xpander_runtime::TaskStream) {
    /// use xpander_runtime::model::ToolCallRequest;
    ///
    /// let call = ToolCallRequest::new("weather").payload(serde_json::json!({"city": "Oslo"}));
    /// stream.tool_call_request(&call).await;
    /// stream.tool_call_result(&call.result(serde_json::json!({"sky": "clear"}), false)).await;
    /// # }
    /// ```
    pub async fn tool_call_request(&self, request: &ToolCallRequest) {
        let data = serde_json::to_value(request).unwrap_or_default();
        self.send(self.event(TaskUpdateEventType::ToolCallRequest, data))
            .await;
    }

    /// Sends a `tool_call_result`: what a tool call returned.
    pub async fn tool_call_result(&self, result: &ToolCallResult) {
        let data = serde_json::to_value(result).unwrap_or_default();
        self.send(self.event(TaskUpdateEventType::ToolCallResult, data))
            .await;
    }

    /// Sends a `think` step (`title`, `thought`, `confidence`, ...), shaped as
    /// [`TaskUpdateEvent::think`] shapes it.
    ///
    /// ```
    /// # async fn demo(stream: xpander_runtime::TaskStream) {
    /// let step = serde_json::json!({"title": "Plan", "thought": "Search first"});
    /// stream.think(step.as_object().cloned().unwrap_or_default()).await;
    /// # }
    /// ```
    pub async fn think(&self, input: Map<String, Value>) {
        let data = reasoning_data("think", input);
        self.send(self.event(TaskUpdateEventType::Think, data))
            .await;
    }

    /// Sends an `analyze` step (`title`, `result`, `analysis`, ...).
    pub async fn analyze(&self, input: Map<String, Value>) {
        let data = reasoning_data("analyze", input);
        self.send(self.event(TaskUpdateEventType::Analyze, data))
            .await;
    }

    fn event(&self, event_type: TaskUpdateEventType, data: Value) -> TaskUpdateEvent {
        TaskUpdateEvent::new(event_type, &*self.task_id, &*self.organization_id, data)
    }
}

impl fmt::Debug for TaskStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskStream")
            .field("task_id", &self.task_id)
            .finish_non_exhaustive()
    }
}

/// The outcome of a handler that sent a `task_finished` event: its task replaces `returned`
/// (keeping the id and what travels with the task in this process), a string or other JSON
/// replaces the result. A payload that looks like a task but does not read as one is an error.
pub(crate) fn finished_with(mut returned: Task, payload: Value) -> Result<Task, String> {
    match payload {
        Value::Null => Ok(returned),
        Value::String(text) => {
            returned.result = Some(text);
            Ok(returned)
        }
        Value::Object(fields) => {
            let mut task: Task = serde_json::from_value(Value::Object(fields)).map_err(|e| {
                format!("the handler's task_finished event does not hold a task: {e}")
            })?;
            task.id = std::mem::take(&mut returned.id);
            task.context = std::mem::take(&mut returned.context);
            if let (Some(new), Some(old)) = (
                task.payload_extension.as_mut(),
                returned.payload_extension.as_mut(),
            ) {
                new.take_private_from(old);
            }
            Ok(task)
        }
        other => {
            returned.result = Some(other.to_string());
            Ok(returned)
        }
    }
}
