//! Watching a task live (`Task::aevents`, `Task::events`) against the devserver over loopback,
//! and the same watch made with the official Python SDK (`Task.aevents()`, 2.0.537).

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use xpander_devserver::{DevServer, DevServerHandle, DevServerOptions, Faults};
use xpander_runtime::model::{
    AgentExecutionStatus, CreateTaskRequest, TaskEventData, TaskUpdateEvent, TaskUpdateEventType,
};
use xpander_runtime::{Configuration, Error, Task, TaskEvent, Tasks};

const LIMIT: Duration = Duration::from_secs(30);

async fn start() -> DevServerHandle {
    DevServer::start(DevServerOptions::default())
        .await
        .expect("devserver starts")
}

fn config(server: &DevServerHandle) -> Configuration {
    server.configuration().build().unwrap()
}

async fn create(server: &DevServerHandle, streaming: bool) -> Task {
    let request = CreateTaskRequest::new("watch me").events_streaming(streaming);
    Tasks::new(config(server))
        .acreate(server.agent_id(), request)
        .await
        .unwrap()
}

/// An event as both consumers describe it: `[type, status]` for a typed task, else
/// `[type, data]`.
fn summary(event: &TaskEvent) -> Value {
    match &event.data {
        TaskEventData::Task(task) => json!([event.event_type.as_str(), task.status.as_str()]),
        TaskEventData::Json(data) => json!([event.event_type.as_str(), data]),
    }
}

/// What a worker does with the task: `executing`, two chunks, then `completed` with a result.
async fn run_scenario(server: &DevServerHandle, task_id: &str) {
    let mut task = Tasks::new(config(server)).aget(task_id).await.unwrap();
    task.set_status(AgentExecutionStatus::Executing)
        .await
        .unwrap();
    for chunk in ["Hel", "lo"] {
        push(&task, TaskUpdateEventType::Chunk, json!(chunk)).await;
    }
    task.result = Some("Hello".into());
    task.status = AgentExecutionStatus::Completed;
    task.save().await.unwrap();
}

/// A worker (the runtime's own) serving the devserver's agent: it pushes two chunks, then
/// completes with a result. Stop it when done.
fn serve(server: &DevServerHandle) -> xpander_runtime::EventsHandle {
    let handler = xpander_runtime::Handler::new(|mut task: Task| async move {
        for chunk in ["Hel", "lo"] {
            push(&task, TaskUpdateEventType::Chunk, json!(chunk)).await;
        }
        task.result = Some("Hello".into());
        Ok::<_, String>(task)
    });
    spawn_worker(server, handler)
}

/// The same worker, with a streaming handler: its chunks go through a `TaskStream`.
fn serve_streaming(server: &DevServerHandle) -> xpander_runtime::EventsHandle {
    let handler = xpander_runtime::Handler::streaming(
        |mut task: Task, stream: xpander_runtime::TaskStream| async move {
            for chunk in ["Hel", "lo"] {
                stream.chunk(chunk).await;
            }
            task.result = Some("Hello".into());
            task
        },
    );
    spawn_worker(server, handler)
}

fn spawn_worker(
    server: &DevServerHandle,
    handler: xpander_runtime::Handler,
) -> xpander_runtime::EventsHandle {
    xpander_runtime::Events::new()
        .configuration(config(server).with_agent_id(server.agent_id()))
        .invoke_server(false)
        .register_agent_worker(server.agent_id(), handler)
        .spawn()
        .unwrap()
}

async fn push(task: &Task, kind: TaskUpdateEventType, data: Value) {
    let event = TaskUpdateEvent::new(kind, &task.id, &task.organization_id, data);
    task.push_event(&event).await.unwrap();
}

fn expected_sequence() -> Value {
    json!([
        ["connected", {}],
        ["task_created", "pending"],
        ["task_updated", "executing"],
        ["chunk", "Hel"],
        ["chunk", "lo"],
        ["task_updated", "completed"],
        ["task_finished", "completed"],
    ])
}

/// Watches `task` in the background; every event is sent on as it arrives. The returned
/// receiver's first item is `connected`, so awaiting it means the watcher is live.
fn watch(task: &Task) -> mpsc::UnboundedReceiver<xpander_runtime::Result<TaskEvent>> {
    let mut events = task.aevents().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(event) = events.next().await {
            if tx.send(event).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next event, within the limit.
async fn next(rx: &mut mpsc::UnboundedReceiver<xpander_runtime::Result<TaskEvent>>) -> TaskEvent {
    tokio::time::timeout(LIMIT, rx.recv())
        .await
        .expect("an event in time")
        .expect("the stream has not ended")
        .expect("an event, not an error")
}

/// Every remaining event's summary, until the stream ends.
async fn rest(mut rx: mpsc::UnboundedReceiver<xpander_runtime::Result<TaskEvent>>) -> Vec<Value> {
    let mut out = Vec::new();
    while let Some(event) = tokio::time::timeout(LIMIT, rx.recv())
        .await
        .expect("the stream ends in time")
    {
        out.push(summary(&event.expect("an event, not an error")));
    }
    out
}

#[tokio::test]
async fn a_watcher_sees_created_updates_chunks_and_finished_then_the_stream_ends() {
    let server = start().await;
    let task = create(&server, true).await;
    assert!(task.events_streaming);
    let mut rx = watch(&task);
    let connected = next(&mut rx).await;
    assert_eq!(connected.event_type, TaskUpdateEventType::Connected);
    let created = next(&mut rx).await;
    assert_eq!(created.event_type, TaskUpdateEventType::TaskCreated);
    let typed = created
        .data
        .task()
        .expect("task_created carries a typed task");
    assert_eq!(
        (typed.id.as_str(), typed.input.text.as_str()),
        (task.id.as_str(), "watch me")
    );
    assert_eq!(created.organization_id, server.org());
    run_scenario(&server, &task.id).await;
    let mut seen = vec![summary(&connected), summary(&created)];
    seen.extend(rest(rx).await);
    assert_eq!(Value::Array(seen), expected_sequence());
}

#[tokio::test]
async fn a_worker_running_the_task_is_watched_live() {
    let server = start().await;
    let task = create(&server, true).await;
    let mut rx = watch(&task);
    let first = next(&mut rx).await;
    let worker = serve(&server);
    let mut seen = vec![summary(&first)];
    seen.extend(rest(rx).await);
    worker.stop().await.unwrap();
    assert_eq!(Value::Array(seen), expected_sequence());
}

#[tokio::test]
async fn a_streaming_handlers_events_reach_the_watchers_in_order() {
    let server = start().await;
    let task = create(&server, true).await;
    let mut rx = watch(&task);
    let first = next(&mut rx).await;
    let worker = serve_streaming(&server);
    let mut seen = vec![summary(&first)];
    seen.extend(rest(rx).await);
    worker.stop().await.unwrap();
    assert_eq!(Value::Array(seen), expected_sequence());
}

#[tokio::test]
async fn two_watchers_of_one_task_each_get_every_event() {
    let server = start().await;
    let task = create(&server, true).await;
    let (mut a, mut b) = (watch(&task), watch(&task));
    let (first_a, first_b) = (next(&mut a).await, next(&mut b).await);
    run_scenario(&server, &task.id).await;
    for (first, rx) in [(first_a, a), (first_b, b)] {
        let mut seen = vec![summary(&first)];
        seen.extend(rest(rx).await);
        assert_eq!(Value::Array(seen), expected_sequence());
    }
}

#[tokio::test]
async fn a_late_watcher_gets_the_backlog() {
    let server = start().await;
    let task = create(&server, true).await;
    run_scenario(&server, &task.id).await;
    assert_eq!(Value::Array(rest(watch(&task)).await), expected_sequence());
}

#[tokio::test]
async fn an_unknown_event_type_is_kept_and_a_task_event_that_is_no_task_stays_json() {
    let server = start().await;
    let task = create(&server, true).await;
    let odd = TaskUpdateEventType::from("hologram_projected");
    push(&task, odd.clone(), json!({"frames": 3})).await;
    push(
        &task,
        TaskUpdateEventType::TaskUpdated,
        json!({"status": "warp"}),
    )
    .await;
    push(
        &task,
        TaskUpdateEventType::ToolCallRequest,
        json!({"request_id": "r1", "operation_id": "op"}),
    )
    .await;
    Tasks::new(config(&server)).astop(&task.id).await.unwrap();
    let mut rx = watch(&task);
    let mut events = Vec::new();
    while let Some(event) = tokio::time::timeout(LIMIT, rx.recv()).await.unwrap() {
        events.push(event.unwrap());
    }
    let kinds: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "connected",
            "task_created",
            "hologram_projected",
            "task_updated",
            "tool_call_request",
            "task_updated",
            "task_finished"
        ]
    );
    assert_eq!(
        events[2].event_type,
        TaskUpdateEventType::Other("hologram_projected".into())
    );
    assert_eq!(events[2].data.json(), Some(&json!({"frames": 3})));
    // A task-typed event whose payload is no task falls back to its JSON.
    assert!(events[3].data.task().is_none());
    assert_eq!(events[3].data.json(), Some(&json!({"status": "warp"})));
    // A tool call's payload decodes as the model's type.
    let call: xpander_runtime::model::ToolCallRequest =
        serde_json::from_value(events[4].data.json().unwrap().clone()).unwrap();
    assert_eq!(call.operation_id, "op");
    let stopped = events[5].data.task().expect("a real task update is typed");
    assert_eq!(stopped.status, AgentExecutionStatus::Stopped);
}

#[tokio::test]
async fn a_task_without_events_streaming_is_a_clear_error() {
    let server = start().await;
    let task = create(&server, false).await;
    let err = task.aevents().unwrap_err();
    assert!(matches!(err, Error::Usage(_)), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&task.id), "{message}");
    assert!(message.contains("events_streaming(true)"), "{message}");
    assert!(task.events().is_err());
    // The devserver refuses the route for it too.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let url = format!(
        "{}/{}/agent-execution/{}/events",
        server.base_url(),
        server.org(),
        task.id
    );
    let response = reqwest::Client::new()
        .get(url)
        .header("x-api-key", server.api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 409);
}

#[tokio::test]
async fn a_dropped_stream_resumes_with_last_event_id_without_duplicates() {
    let server = start().await;
    server
        .set_faults(Faults {
            drop_task_events_every: Some(2),
            ..Faults::default()
        })
        .await
        .unwrap();
    let task = create(&server, true).await;
    let mut rx = watch(&task);
    let first = next(&mut rx).await;
    run_scenario(&server, &task.id).await;
    let mut seen = vec![summary(&first)];
    seen.extend(rest(rx).await);
    assert_eq!(Value::Array(seen), expected_sequence());
    // Six logged events, two per connection: three connections.
    let path = format!("/{}/agent-execution/{}/events", server.org(), task.id);
    let opened = server
        .requests()
        .await
        .into_iter()
        .filter(|r| r.path == path && r.method == "GET")
        .count();
    assert_eq!(opened, 3);
}

#[tokio::test]
async fn the_blocking_iterator_yields_the_same_events() {
    let server = start().await;
    let task = create(&server, true).await;
    run_scenario(&server, &task.id).await;
    let seen = tokio::task::spawn_blocking(move || {
        task.events()
            .unwrap()
            .map(|event| summary(&event.unwrap()))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert_eq!(Value::Array(seen), expected_sequence());
    // And from plain synchronous code, outside any runtime.
    let task = create(&server, true).await;
    Tasks::new(config(&server)).astop(&task.id).await.unwrap();
    let outside = std::thread::spawn(move || {
        task.events()
            .unwrap()
            .map(|event| event.unwrap().event_type.as_str().to_owned())
            .collect::<Vec<_>>()
    });
    // Joined off the test's runtime thread, which serves the devserver meanwhile.
    let kinds = tokio::task::spawn_blocking(move || outside.join().unwrap())
        .await
        .unwrap();
    assert_eq!(
        kinds,
        ["connected", "task_created", "task_updated", "task_finished"]
    );
}

#[path = "task_events_python.rs"]
mod python;
