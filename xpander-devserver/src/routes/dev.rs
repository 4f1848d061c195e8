//! The developer pages (no API key; loopback peers and Host names only, JSON writes only: see
//! [`crate::dev_guard`]): the request log, tasks, workers, raw SSE injection,
//! agent and knowledge-base upserts, faults, and the simulated MCP login. Answers that carry
//! agents or tasks have their secrets redacted ([`crate::redact`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use xpander_runtime::model::decode_value;

use crate::agents::agent_from_json;
use crate::dispatch;
use crate::error::ApiError;
use crate::faults::{self, Faults};
use crate::http::{P, decode_body, decode_object, ok, optional_json};
use crate::options::KnowledgeBase;
use crate::query::{Q, number, text};
use crate::redact::redacted;
use crate::state::App;

type Result<T = Response> = std::result::Result<T, ApiError>;

/// `GET /_dev/health`.
pub(super) async fn health() -> Response {
    ok(&json!({"status": "ok"}))
}

/// The query of [`requests`]; an absent filter keeps every entry.
#[derive(Deserialize)]
pub(super) struct RequestsQuery {
    /// Only entries after this sequence number.
    #[serde(default, deserialize_with = "number")]
    since: Option<u64>,
    /// The HTTP method, any case.
    #[serde(default, deserialize_with = "text")]
    method: Option<String>,
    /// A substring of the path.
    #[serde(default, deserialize_with = "text")]
    path: Option<String>,
    /// The entry's event.
    #[serde(default, deserialize_with = "text")]
    event: Option<String>,
}

/// `GET /_dev/requests?method=&path=&event=&since=`: the request log, oldest first; `path` is
/// a substring, `since` a sequence number.
pub(super) async fn requests(State(app): State<Arc<App>>, Q(query): Q<RequestsQuery>) -> Response {
    let since = query.since.unwrap_or(0);
    let method = query.method.map(|m| m.to_ascii_uppercase());
    let log = app.log.lock().await;
    let list: Vec<_> = log
        .entries()
        .filter(|r| r.seq > since)
        .filter(|r| method.as_deref().is_none_or(|m| r.method == m))
        .filter(|r| query.path.as_deref().is_none_or(|p| r.path.contains(p)))
        .filter(|r| {
            query
                .event
                .as_deref()
                .is_none_or(|e| r.event.as_deref() == Some(e))
        })
        .collect();
    ok(&list)
}

/// `DELETE /_dev/requests`: empties the request log.
pub(super) async fn clear_requests(State(app): State<Arc<App>>) -> Response {
    app.log.lock().await.clear();
    app.pulse.request();
    ok(&json!({"cleared": true}))
}

/// `GET /_dev/tasks`: every task with what happened to it, in creation order, secrets
/// redacted.
pub(super) async fn tasks(State(app): State<Arc<App>>) -> Response {
    let store = app.store.lock().await;
    let list: Vec<_> = store.tasks_in_order().collect();
    ok(&redacted(&list))
}

/// `GET /_dev/tasks/{id}`, secrets redacted.
pub(super) async fn task(State(app): State<Arc<App>>, P(task_id): P<String>) -> Result {
    let store = app.store.lock().await;
    let info = store
        .tasks
        .get(&task_id)
        .ok_or_else(|| ApiError::unknown_task(&task_id))?;
    Ok(ok(&redacted(info)))
}

/// `GET /_dev/workers`: connected workers, then those that left.
pub(super) async fn workers(State(app): State<Arc<App>>) -> Response {
    ok(&app.store.lock().await.worker_infos())
}

/// `POST /_dev/workers/{worker_id}/raw`: writes the body, whatever it is, verbatim into the
/// worker's SSE stream between two events (a hostile server for SSE reader tests); 404 when
/// the worker is not connected.
pub(super) async fn inject_raw(
    State(app): State<Arc<App>>,
    P(worker_id): P<String>,
    body: Bytes,
) -> Result {
    let size = body.len();
    if !dispatch::inject_raw(&*app.store.lock().await, &worker_id, body) {
        return Err(ApiError::not_found(format!(
            "worker {worker_id:?} is not connected"
        )));
    }
    Ok(ok(&json!({"worker_id": worker_id, "injected_bytes": size})))
}

/// `GET /_dev/agents`: every agent (default versions), secrets redacted.
pub(super) async fn agents(State(app): State<Arc<App>>) -> Response {
    let store = app.store.lock().await;
    let list: Vec<_> = store.agents.list().collect();
    ok(&redacted(&list))
}

/// `POST /_dev/agents`: upserts one agent object or an array of them (each stored under its
/// `version`); answers them with secrets redacted.
pub(super) async fn upsert_agents(State(app): State<Arc<App>>, body: Bytes) -> Result {
    let body: Value = decode_body("agents", &body)?;
    let items = match body {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| agent_from_json(&format!("agents[{i}]"), v, &app.org))
            .collect::<std::result::Result<Vec<_>, _>>()?,
        other => vec![agent_from_json("agent", other, &app.org)?],
    };
    {
        let mut store = app.store.lock().await;
        for agent in &items {
            store.agents.upsert(agent.clone());
        }
    }
    app.changed();
    Ok(ok(&redacted(&items)))
}

/// `POST /_dev/knowledge_bases`: upserts one knowledge base or an array of them.
pub(super) async fn upsert_knowledge_bases(State(app): State<Arc<App>>, body: Bytes) -> Result {
    let body: Value = decode_body("knowledge bases", &body)?;
    let items: Vec<KnowledgeBase> = match body {
        Value::Array(_) => decode_value("knowledge bases", body)?,
        other => vec![decode_value("knowledge base", other)?],
    };
    let mut store = app.store.lock().await;
    for kb in &items {
        store.knowledge_bases.insert(kb.id.clone(), kb.clone());
    }
    Ok(ok(&items))
}

/// `GET /_dev/faults`: the faults in force and what they did.
pub(super) async fn faults(State(app): State<Arc<App>>) -> Response {
    ok(&faults::report(&app).await)
}

/// `POST /_dev/faults`: replaces the faults (a [`Faults`] object) and resets their counters
/// and generator.
pub(super) async fn set_faults(State(app): State<Arc<App>>, body: Bytes) -> Result {
    let value: Value = decode_body("faults", &body)?;
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "faults: the body must be a JSON object",
        ));
    }
    let config: Faults = decode_value("faults", value)?;
    config.checked()?;
    faults::apply(&app, &config).await;
    Ok(ok(&json!({"faults": config})))
}

/// `DELETE /_dev/faults`: no more faults.
pub(super) async fn clear_faults(State(app): State<Arc<App>>) -> Response {
    faults::apply(&app, &Faults::default()).await;
    ok(&json!({"faults": Faults::default()}))
}

/// `GET /_dev/mcp_auth`: the simulated logins.
pub(super) async fn mcp_logins(State(app): State<Arc<App>>) -> Response {
    let store = app.store.lock().await;
    let list: Vec<_> = store.mcp.logins().collect();
    ok(&list)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Approve {
    #[serde(default)]
    login_id: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    server_url: Option<String>,
}

/// `POST /_dev/mcp_auth/approve`: completes a login by `login_id`, or every pending login that
/// matches `user_id` / `server_url` (all with no body).
pub(super) async fn mcp_approve(State(app): State<Arc<App>>, body: Bytes) -> Result {
    let value = optional_json("approve", &body)?;
    let approve: Approve = if value.is_null() {
        Approve::default()
    } else {
        decode_value("approve", value)?
    };
    let approved = {
        let mut store = app.store.lock().await;
        match &approve.login_id {
            Some(id) if store.mcp.approve_login(id) => 1,
            Some(id) => return Err(ApiError::not_found(format!("login {id:?} not found"))),
            None => store
                .mcp
                .approve_matching(approve.user_id.as_deref(), approve.server_url.as_deref()),
        }
    };
    app.touched();
    Ok(ok(&json!({"approved": approved})))
}

/// The body of [`mcp_deny`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Deny {
    login_id: String,
}

/// `POST /_dev/mcp_auth/deny` `{login_id}`: the user refuses a pending login; the next token
/// request for it answers `token_issue` (a waiting `aget_args` fails with `McpAuthFailed`).
pub(super) async fn mcp_deny(State(app): State<Arc<App>>, body: Bytes) -> Result {
    let Deny { login_id } = decode_object("deny", &body)?;
    let denied = app.store.lock().await.mcp.deny_login(&login_id);
    match denied {
        None => Err(ApiError::not_found(format!("login {login_id:?} not found"))),
        Some(false) => Err(ApiError::conflict(format!(
            "login {login_id:?} was already approved or denied"
        ))),
        Some(true) => {
            app.touched();
            Ok(ok(&json!({"denied": 1})))
        }
    }
}

/// `GET /_dev/mcp_auth/login/{login_id}`: the login URL a `login_required` answer gives;
/// opening it completes the login.
pub(super) async fn mcp_login(State(app): State<Arc<App>>, P(login_id): P<String>) -> Result {
    if !app.store.lock().await.mcp.approve_login(&login_id) {
        return Err(ApiError::not_found(format!("login {login_id:?} not found")));
    }
    app.touched();
    Ok(Html(
        "<!doctype html><html><body><h1>Logged in</h1>\
         <p>xpander-devserver approved this MCP login; you can close this window.</p></body></html>",
    )
    .into_response())
}
