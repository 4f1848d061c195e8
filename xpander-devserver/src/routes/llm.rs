//! The scripted LLM's routes (developer routes: no platform key; see [`crate::llm`]): the
//! OpenAI and Anthropic compatible endpoints, plain and per agent, the scripts and the record
//! of requests.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use crate::error::ApiError;
use crate::http::{P, decode_object, ok};
use crate::llm::{self, Dialect, LlmScripts};
use crate::state::App;

/// `POST /_dev/llm/{openai/v1/chat/completions,anthropic/v1/messages}`: the default script.
pub(super) async fn plain<D: Dialect>(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    llm::complete::<D>(&app, None, &headers, &body).await
}

/// `POST /_dev/llm/agents/{agent_id}/...`: the agent's script (the default one when it has
/// none).
pub(super) async fn for_agent<D: Dialect>(
    State(app): State<Arc<App>>,
    P(agent): P<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    llm::complete::<D>(&app, Some(agent), &headers, &body).await
}

/// `GET /_dev/llm/scripts`: every script.
pub(super) async fn scripts(State(app): State<Arc<App>>) -> Response {
    ok(&app.llm.lock().await.scripts.snapshot())
}

/// `POST /_dev/llm/scripts`: replaces the scripts given ([`LlmScripts`]); answers them all.
pub(super) async fn set_scripts(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let scripts: LlmScripts = decode_object("llm scripts", &body)?;
    llm::set_scripts(&app, scripts)
        .await
        .map_err(|e| ApiError::bad_request(format!("llm scripts: {e}")))?;
    Ok(self::scripts(State(app)).await)
}

/// `GET /_dev/llm/requests`: every request recorded, oldest first.
pub(super) async fn requests(State(app): State<Arc<App>>) -> Response {
    let state = app.llm.lock().await;
    let list: Vec<_> = state.log.records().collect();
    ok(&list)
}

/// `DELETE /_dev/llm/requests`: empties the record.
pub(super) async fn clear_requests(State(app): State<Arc<App>>) -> Response {
    app.llm.lock().await.log.clear();
    app.pulse.llm();
    ok(&json!({"cleared": true}))
}
