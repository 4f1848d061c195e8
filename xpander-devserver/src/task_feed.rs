//! A task's live events, for tasks created with `events_streaming`: the per-task log
//! (`task_created`, a `task_updated` per status or result change, every pushed event, and
//! `task_finished`) with the server's event ids, and the stream a watcher reads
//! (`GET /{org}/agent-execution/{task_id}/events`). Watchers wait on the app's change counter,
//! so every watcher of a task gets every event, and a late one gets the backlog first.

use std::sync::Arc;

use axum::body::Bytes;
use futures_util::stream::{self, Stream, StreamExt};
use serde_json::Value;
use xpander_runtime::model::{AgentExecutionStatus, TaskUpdateEvent, TaskUpdateEventType};

use crate::sse;
use crate::state::{App, Store};

/// One logged event: its id, its type and the JSON envelope sent as `data`.
#[derive(Debug, Clone)]
pub(crate) struct FeedEntry {
    pub id: u64,
    pub event: String,
    pub data: String,
}

/// What a change is compared against: the status and result before it.
pub(crate) type Before = (AgentExecutionStatus, Option<String>);

/// The status and result of a task now, for [`changed`].
pub(crate) fn before(store: &Store, task_id: &str) -> Option<Before> {
    let info = store.tasks.get(task_id)?;
    Some((info.task.status.clone(), info.task.result.clone()))
}

/// Logs `task_created` for a new (or restarted) streaming task; a restart starts a new log.
pub(crate) fn created(store: &mut Store, task_id: &str) {
    if let Some(info) = store.tasks.get_mut(task_id) {
        info.feed.clear();
    }
    log_task(store, task_id, TaskUpdateEventType::TaskCreated);
}

/// Logs `task_updated` when the status or result differs from `before`, and `task_finished`
/// when the status became terminal.
pub(crate) fn changed(store: &mut Store, task_id: &str, before: Option<Before>) {
    let (Some((status, result)), Some(now)) = (before, self::before(store, task_id)) else {
        return;
    };
    if (&status, &result) == (&now.0, &now.1) {
        return;
    }
    log_task(store, task_id, TaskUpdateEventType::TaskUpdated);
    if now.0.is_terminal() && !status.is_terminal() {
        log_task(store, task_id, TaskUpdateEventType::TaskFinished);
    }
}

/// Logs pushed events (`POST …/events/push`), each as sent.
pub(crate) fn pushed(store: &mut Store, task_id: &str, items: &[Value]) {
    for item in items {
        let event = item["type"].as_str().unwrap_or("message").to_owned();
        log(store, task_id, event, item.to_string());
    }
}

fn log_task(store: &mut Store, task_id: &str, kind: TaskUpdateEventType) {
    let Some(info) = store.tasks.get(task_id) else {
        return;
    };
    let task = &info.task;
    let envelope = TaskUpdateEvent::new(
        kind.clone(),
        &task.id,
        &task.organization_id,
        serde_json::to_value(task).unwrap_or_default(),
    );
    let data = serde_json::to_string(&envelope).unwrap_or_default();
    log(store, task_id, kind.as_str().to_owned(), data);
}

fn log(store: &mut Store, task_id: &str, event: String, data: String) {
    let streaming = store
        .tasks
        .get(task_id)
        .is_some_and(|info| info.task.events_streaming);
    if !streaming {
        return;
    }
    let id = store.take_event_id();
    if let Some(info) = store.tasks.get_mut(task_id) {
        info.feed.push(FeedEntry { id, event, data });
    }
}

/// The `connected` frame that opens every watch (no id: it is not in the log).
fn connected_frame(org: &str, task_id: &str) -> Bytes {
    let envelope = TaskUpdateEvent::new(
        TaskUpdateEventType::Connected,
        task_id,
        org,
        Value::Object(Default::default()),
    );
    let data = serde_json::to_string(&envelope).unwrap_or_default();
    Bytes::from(format!("event: connected\ndata: {data}\n\n"))
}

/// A watcher's frames: `connected`, then the log after `last_event_id`, live, ending after
/// `task_finished`, at shutdown, or after `drop_every` events (the fault).
pub(crate) fn watch(
    app: Arc<App>,
    task_id: String,
    last_event_id: Option<u64>,
    drop_every: Option<u32>,
) -> impl Stream<Item = Bytes> + Send {
    let first = connected_frame(&app.org, &task_id);
    let state = Watcher {
        app,
        task_id,
        after: last_event_id.unwrap_or(0),
        pending: Vec::new(),
        sent: 0,
        drop_every,
        done: false,
    };
    stream::once(async move { first }).chain(stream::unfold(state, |mut w| async move {
        let frame = w.next().await?;
        Some((frame, w))
    }))
}

struct Watcher {
    app: Arc<App>,
    task_id: String,
    /// The id of the last event sent (or resumed from).
    after: u64,
    /// Read from the log, not sent yet (oldest last).
    pending: Vec<FeedEntry>,
    sent: u32,
    drop_every: Option<u32>,
    done: bool,
}

impl Watcher {
    async fn next(&mut self) -> Option<Bytes> {
        if self.done || self.drop_every.is_some_and(|n| self.sent >= n) {
            return None;
        }
        let mut changes = self.app.changes.subscribe();
        let mut shutdown = self.app.shutdown.clone();
        while self.pending.is_empty() {
            changes.borrow_and_update();
            {
                let store = self.app.store.lock().await;
                let info = store.tasks.get(&self.task_id)?;
                let after = self.after;
                self.pending = info
                    .feed
                    .iter()
                    .filter(|e| e.id > after)
                    .rev()
                    .cloned()
                    .collect();
            }
            if !self.pending.is_empty() {
                break;
            }
            tokio::select! {
                changed = changes.changed() => changed.ok()?,
                _ = shutdown.wait_for(|down| *down) => return None,
            }
        }
        let entry = self.pending.pop()?;
        self.after = entry.id;
        self.sent += 1;
        self.done = entry.event == TaskUpdateEventType::TaskFinished.as_str();
        Some(sse::event(entry.id, &entry.event, &entry.data))
    }
}
