//! Task routes: create, status, update, stop, external report, event push, history, metrics
//! and the activity log.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};
use xpander_runtime::model::{
    CreateTaskRequest, ExecutionMetricsReport, TaskReportRequest, TaskUpdateEvent, decode_value,
};

use crate::error::ApiError;
use crate::http::{P, decode_body, decode_object, header_str, ok};
use crate::query::Q;
use crate::state::App;
use crate::tasks::{self, HistoryFilters, NewTask};

type Result<T = Response> = std::result::Result<T, ApiError>;

/// `POST /agent-execution/{agent_id}`: every create key accepted; `x-agent-version` selects a
/// stored version.
pub(super) async fn create(
    State(app): State<Arc<App>>,
    P(agent_id): P<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result {
    let request: CreateTaskRequest = decode_object("create task", &body)?;
    let agent_version = header_str(&headers, "x-agent-version")
        .filter(|v| !matches!(v.trim(), "" | "0"))
        .map(str::to_owned);
    let new = NewTask {
        agent_id,
        agent_version,
        request,
    };
    let task = {
        let mut store = app.store.lock().await;
        tasks::create(&mut store, &app.org, new, app.settings.llm_gateway.as_ref())?
    };
    app.changed();
    Ok(ok(&task))
}

/// `GET /agent-execution/{task_id}/status`.
pub(super) async fn get(State(app): State<Arc<App>>, P(task_id): P<String>) -> Result {
    let store = app.store.lock().await;
    let info = store
        .tasks
        .get(&task_id)
        .ok_or_else(|| ApiError::unknown_task(&task_id))?;
    Ok(ok(&info.task))
}

/// `PATCH /agent-execution/{task_id}/update`: a full task save or a sparse update.
pub(super) async fn update(
    State(app): State<Arc<App>>,
    P(task_id): P<String>,
    body: Bytes,
) -> Result {
    let body: Value = decode_body("update task", &body)?;
    let task = {
        let mut store = app.store.lock().await;
        tasks::update(&mut store, &task_id, body)?
    };
    app.changed();
    Ok(ok(&task))
}

/// `DELETE /agent-execution/{task_id}`: the task becomes `stopped`.
pub(super) async fn stop(State(app): State<Arc<App>>, P(task_id): P<String>) -> Result {
    let task = tasks::stop(&mut *app.store.lock().await, &task_id)?;
    app.changed();
    Ok(ok(&task))
}

/// `POST /agent-execution/{agent_id}/report_task`.
pub(super) async fn report(
    State(app): State<Arc<App>>,
    P(agent_id): P<String>,
    body: Bytes,
) -> Result {
    let report: TaskReportRequest = decode_object("report task", &body)?;
    let task = tasks::report(&mut *app.store.lock().await, &app.org, &agent_id, report)?;
    app.changed();
    Ok(ok(&task))
}

/// `POST /agent-execution/{task_id}/events/push`: a JSON array of task update events, stored
/// with the task as sent.
pub(super) async fn push_events(
    State(app): State<Arc<App>>,
    P(task_id): P<String>,
    body: Bytes,
) -> Result {
    let events: Value = decode_body("push events", &body)?;
    let Value::Array(items) = &events else {
        return Err(ApiError::bad_request(
            "push events: the body must be a JSON array of task update events",
        ));
    };
    decode_value::<Vec<TaskUpdateEvent>>("push events", events.clone())?;
    let stored = {
        let mut store = app.store.lock().await;
        let info = store
            .tasks
            .get_mut(&task_id)
            .ok_or_else(|| ApiError::unknown_task(&task_id))?;
        info.events.extend(items.iter().cloned());
        let stored = info.events.len();
        crate::task_feed::pushed(&mut store, &task_id, items);
        stored
    };
    app.changed();
    Ok(ok(&json!({"task_id": task_id, "events": stored})))
}

/// `GET /{org}/agent-execution/{task_id}/events`: the task's live events (SSE), for a task
/// created with `events_streaming`: `connected`, then its log after `Last-Event-ID`, live,
/// until `task_finished`.
pub(super) async fn watch_events(
    State(app): State<Arc<App>>,
    P((org, task_id)): P<(String, String)>,
    headers: HeaderMap,
) -> Result {
    if org != app.org {
        return Err(ApiError::not_found(format!(
            "organization {org:?} not found (this devserver serves {:?})",
            app.org
        )));
    }
    let last_event_id = match header_str(&headers, "last-event-id").map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(id.parse::<u64>().map_err(|_| {
            ApiError::bad_request(format!("Last-Event-ID: {id:?} is not an event id"))
        })?),
    };
    let drop_every = {
        let store = app.store.lock().await;
        let info = store
            .tasks
            .get(&task_id)
            .ok_or_else(|| ApiError::unknown_task(&task_id))?;
        if !info.task.events_streaming {
            return Err(ApiError::conflict(format!(
                "task {task_id:?} was not created with events_streaming"
            )));
        }
        store.sse_faults.drop_task_events_every
    };
    let frames = crate::task_feed::watch(app.clone(), task_id, last_event_id, drop_every);
    Ok(crate::sse::response(frames, app.settings.keep_alive, false))
}

/// `GET /agent-execution/executions/history/{agent_id}?filters`: newest first.
pub(super) async fn history(
    State(app): State<Arc<App>>,
    P(agent_id): P<String>,
    Q(filters): Q<HistoryFilters>,
) -> Result {
    let store = app.store.lock().await;
    if !store.agents.contains(&agent_id) {
        return Err(ApiError::unknown_agent(&agent_id));
    }
    let list: Vec<_> = store
        .tasks_in_order()
        .rev()
        .filter(|t| t.task.agent_id == agent_id && tasks::matches_filters(t, &filters))
        .map(tasks::summary)
        .collect();
    Ok(ok(&list))
}

/// `GET /agent-execution/executions/history/user/{user_id}?filters`: newest first.
pub(super) async fn user_history(
    State(app): State<Arc<App>>,
    P(user_id): P<String>,
    Q(mut filters): Q<HistoryFilters>,
) -> Result {
    // The user in the path wins over a `user_id` in the query.
    filters.user_id = Some(user_id);
    let store = app.store.lock().await;
    let list: Vec<_> = store
        .tasks_in_order()
        .rev()
        .filter(|t| tasks::matches_filters(t, &filters))
        .map(tasks::summary)
        .collect();
    Ok(ok(&list))
}

/// `POST /agents-metrics/{agent_id}/execution`: stored with its task (`execution_id`).
pub(super) async fn metrics(
    State(app): State<Arc<App>>,
    P(agent_id): P<String>,
    body: Bytes,
) -> Result {
    let raw: Value = decode_object("metrics", &body)?;
    let report: ExecutionMetricsReport = decode_value("metrics", raw.clone())?;
    {
        let mut store = app.store.lock().await;
        if !store.agents.contains(&agent_id) {
            return Err(ApiError::unknown_agent(&agent_id));
        }
        match store.tasks.get_mut(&report.execution_id) {
            Some(info) => info.metrics.push(raw),
            None => store.orphan_metrics.push(raw),
        }
    }
    app.changed();
    Ok(ok(
        &json!({"execution_id": report.execution_id, "stored": true}),
    ))
}

/// `GET /activity/{agent_id}/{task_id}`: a minimal activity thread (the user's message, the
/// agent's result, and tool calls).
pub(super) async fn activity(
    State(app): State<Arc<App>>,
    P((agent_id, task_id)): P<(String, String)>,
) -> Result {
    let store = app.store.lock().await;
    let info = store
        .tasks
        .get(&task_id)
        .filter(|t| t.task.agent_id == agent_id)
        .ok_or_else(|| ApiError::unknown_task(&task_id))?;
    let t = &info.task;
    let mut messages = vec![json!({
        "id": format!("{}-input", t.id),
        "created_at": t.created_at,
        "role": "user",
        "content": {"text": t.input.text, "files": t.input.files},
        "user": t.input.user,
    })];
    for (i, call) in info.tool_calls.iter().enumerate() {
        messages.push(json!({
            "id": format!("{}-tool-{i}", t.id),
            "created_at": call.get("time").cloned().unwrap_or(Value::Null),
            "tool_name": call.get("tool_id").cloned().unwrap_or(Value::Null),
            "payload": call.get("payload").cloned().unwrap_or(Value::Null),
            "is_error": false,
            "result": call.get("result").cloned().unwrap_or(Value::Null),
        }));
    }
    if let Some(result) = &t.result {
        messages.push(json!({
            "id": format!("{}-result", t.id),
            "created_at": t.finished_at.as_ref().unwrap_or(&info.updated_at),
            "role": "agent",
            "content": {"text": result, "files": []},
        }));
    }
    Ok(ok(&json!({
        "id": t.id,
        "created_at": t.created_at,
        "messages": messages,
        "user": t.input.user,
    })))
}
