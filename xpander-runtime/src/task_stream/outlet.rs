//! The receiving end of a [`TaskStream`](super::TaskStream): the feed of a handler's events,
//! forwarded in order, in batches, to where the caller wants them.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

use crate::Platform;
use crate::model::{TaskUpdateEvent, TaskUpdateEventType};
use crate::platform::routes::PushTaskEvents;

/// Events pushed to the platform in one request at most: a handler that streams faster than
/// the platform answers gets its events batched, not one request each.
const MAX_BATCH: usize = 64;

/// Where a streaming handler's events go.
#[derive(Clone)]
pub(crate) enum Outlet {
    /// Pushed to the task on the platform, for its watchers.
    Platform(Platform),
    /// Handed to the caller (the `/invoke` answer); dropped once the caller hung up.
    Channel(mpsc::Sender<TaskUpdateEvent>),
    /// Printed to stderr as they come, chunks as plain text (a local run: stdout is for the
    /// result).
    Print,
}

impl Outlet {
    async fn deliver(&self, task_id: &str, batch: Vec<TaskUpdateEvent>) {
        match self {
            Self::Platform(platform) => {
                let push = PushTaskEvents {
                    task_id,
                    events: &batch,
                };
                if let Err(e) = platform.send(push).await {
                    warn!(task_id, events = batch.len(), error = %e,
                        "could not push the handler's events to the task's watchers");
                }
            }
            Self::Channel(caller) => {
                for event in batch {
                    if caller.send(event).await.is_err() {
                        debug!(task_id, "the caller hung up; its events are dropped");
                        return;
                    }
                }
            }
            Self::Print => print(&batch),
        }
    }
}

fn print(batch: &[TaskUpdateEvent]) {
    let mut out = std::io::stderr().lock();
    for event in batch {
        let _ = match (&event.event_type, &event.data) {
            (TaskUpdateEventType::Chunk, Value::String(text)) => out.write_all(text.as_bytes()),
            (kind, data) => writeln!(out, "\n[{kind}] {data}"),
        };
    }
    let _ = out.flush();
}

/// What a handler sent as its `task_finished` payload, if it sent one (the last one counts).
#[derive(Clone, Default)]
pub(crate) struct Finished(Arc<Mutex<Option<Value>>>);

impl Finished {
    pub(crate) fn set(&self, payload: Value) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(payload);
    }

    pub(crate) fn take(&self) -> Option<Value> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// The events a handler sent, waiting for their outlet.
pub(crate) struct Feed {
    task_id: String,
    events: mpsc::Receiver<TaskUpdateEvent>,
}

impl Feed {
    pub(crate) fn new(task_id: String, events: mpsc::Receiver<TaskUpdateEvent>) -> Self {
        Self { task_id, events }
    }

    /// Forwards every event to `outlet`, in order, until `handler_done`; then the events sent
    /// before it, and no more (a clone of the stream kept past the handler cannot hold the
    /// task open).
    pub(crate) async fn forward(mut self, outlet: Outlet, handler_done: CancellationToken) {
        let mut closed = false;
        loop {
            let first = if closed {
                self.events.recv().await
            } else {
                tokio::select! {
                    event = self.events.recv() => event,
                    () = handler_done.cancelled() => {
                        self.events.close();
                        closed = true;
                        continue;
                    }
                }
            };
            let Some(first) = first else {
                if matches!(outlet, Outlet::Print) {
                    eprintln!();
                }
                return;
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match self.events.try_recv() {
                    Ok(event) => batch.push(event),
                    Err(_) => break,
                }
            }
            outlet.deliver(&self.task_id, batch).await;
        }
    }
}
