//! Agent routes: list, get (with `x-agent-version`), the DB connection, local tool sync, and
//! tool invocation / preflight.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};
use xpander_runtime::model::{Timestamp, decode_value};

use crate::agents::{agent_json, summary};
use crate::error::ApiError;
use crate::http::{P, header_str, ok, optional_json};
use crate::state::App;

type Result<T = Response> = std::result::Result<T, ApiError>;

/// `GET /agents/list`.
pub(super) async fn list(State(app): State<Arc<App>>) -> Response {
    let store = app.store.lock().await;
    let list: Vec<_> = store
        .agents
        .list()
        .map(|a| summary(a, &app.started_at))
        .collect();
    ok(&list)
}

/// `GET /agents/{agent_id}`; `x-agent-version: N` selects a stored version.
pub(super) async fn get(
    State(app): State<Arc<App>>,
    P(agent_id): P<String>,
    headers: HeaderMap,
) -> Result {
    let version = match header_str(&headers, "x-agent-version").map(str::trim) {
        None | Some("" | "0") => None,
        Some(v) => Some(v.parse::<i64>().map_err(|_| {
            ApiError::bad_request(format!("x-agent-version: {v:?} is not a number"))
        })?),
    };
    let store = app.store.lock().await;
    let agent = match version {
        None => store.agents.latest(&agent_id),
        Some(v) => store.agents.version(&agent_id, v),
    };
    match (agent, version) {
        (Some(agent), _) => Ok(ok(&agent_json(agent))),
        (None, Some(v)) if store.agents.contains(&agent_id) => Err(ApiError::not_found(format!(
            "agent {agent_id:?} has no version {v}"
        ))),
        (None, _) => Err(ApiError::unknown_agent(&agent_id)),
    }
}

/// `GET /agents/{agent_id}/db`: the configured connection URI, else 404 saying what to do.
pub(super) async fn db(State(app): State<Arc<App>>, P(agent_id): P<String>) -> Result {
    if !app.store.lock().await.agents.contains(&agent_id) {
        return Err(ApiError::unknown_agent(&agent_id));
    }
    match &app.settings.db_uri {
        Some(uri) => Ok(ok(&json!({
            "id": format!("{agent_id}-db"),
            "name": "xpander-devserver",
            "organization_id": app.org,
            "connection_uri": {"uri": uri},
        }))),
        None => Err(ApiError::not_found(
            "no agent database is configured on this devserver: start it with a database URI \
             (XPANDER_DEVSERVER_DB_URI, or DevServerOptions::db_uri), or set \
             agno_settings.session_storage=false on the agent",
        )),
    }
}

/// `PATCH /agents/{agent_id}/sync_local_tools`: takes the array of local tools, places each
/// one marked `should_add_to_graph` in the agent's graph (once, as a `tool` node), and answers
/// the agent (whose `graph` the client adopts).
pub(super) async fn sync_local_tools(
    State(app): State<Arc<App>>,
    P(agent_id): P<String>,
    body: Bytes,
) -> Result {
    let tools = optional_json("sync local tools", &body)?;
    let Value::Array(tools) = tools else {
        return Err(ApiError::bad_request(
            "sync local tools: the body must be a JSON array of tools",
        ));
    };
    let mut store = app.store.lock().await;
    let mut agent = store
        .agents
        .latest(&agent_id)
        .ok_or_else(|| ApiError::unknown_agent(&agent_id))?
        .clone();
    for tool in &tools {
        let Some(id) = tool["id"].as_str().filter(|id| !id.is_empty()) else {
            return Err(ApiError::bad_request(
                "sync local tools: every tool needs an `id`",
            ));
        };
        let placed = agent.graph.iter().any(|item| item.item_id == id);
        if tool["should_add_to_graph"] == true && !placed {
            let node = json!({
                "id": format!("local-{id}"), "item_id": id, "name": tool["name"],
                "type": "tool", "targets": [],
            });
            agent.graph.push(
                decode_value("a local tool's graph node", node)
                    .map_err(|e| ApiError::bad_request(format!("sync local tools: {e}")))?,
            );
        }
    }
    store.local_tools.insert(agent_id, tools);
    store.agents.upsert(agent.clone());
    drop(store);
    app.changed();
    Ok(ok(&agent_json(&agent)))
}

/// `POST /agents/{agent_id}/operations/{tool_id}`: a seeded response for the tool, else an
/// echo `{tool_id, payload}`. With `x-preflight-check: true` it is an activity report, answered
/// `{"success": true}`. Calls carrying `x-execution-id` are kept with that task.
pub(super) async fn invoke_tool(
    State(app): State<Arc<App>>,
    P((agent_id, tool_id)): P<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result {
    let payload = optional_json("tool call", &body)?;
    let preflight =
        header_str(&headers, "x-preflight-check").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let result = if preflight {
        json!({"success": true})
    } else {
        app.settings
            .tool_responses
            .get(&tool_id)
            .cloned()
            .unwrap_or_else(|| json!({"tool_id": tool_id, "payload": payload}))
    };
    let mut recorded = false;
    {
        let mut store = app.store.lock().await;
        if !store.agents.contains(&agent_id) {
            return Err(ApiError::unknown_agent(&agent_id));
        }
        let execution = header_str(&headers, "x-execution-id").unwrap_or_default();
        if let Some(info) = store.tasks.get_mut(execution) {
            recorded = true;
            info.tool_calls.push(json!({
                "time": Timestamp::now(),
                "tool_id": tool_id,
                "tool_call_id": header_str(&headers, "x-tool-call-id"),
                "preflight": preflight,
                "payload": payload,
                "result": if preflight { Value::Null } else { result.clone() },
            }));
        }
    }
    if recorded {
        app.changed();
    }
    Ok(ok(&result))
}

/// `POST /agents/{agent_id}/llm-gateway-route/{task_id}` and `…/custom-llm-endpoint/…`:
/// this devserver parks no routes, so always 404 ("no route").
pub(super) async fn no_route(P((agent_id, task_id)): P<(String, String)>) -> ApiError {
    ApiError::not_found(format!(
        "no route is parked for task {task_id:?} of agent {agent_id:?}"
    ))
}
