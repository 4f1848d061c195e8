//! `POST /mcp_auth/{agent_id}/{user}/get_token?generate_login_url=`: simulated MCP OAuth
//! (see [`crate::mcp`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use xpander_runtime::model::McpServerDetails;

use crate::error::ApiError;
use crate::http::{P, Q, decode_object, ok};
use crate::state::App;

/// Answers `{type, data}`: `token_ready`, `login_required` (until the login URL is opened or
/// `POST /_dev/mcp_auth/approve` is called) or `not_supported`.
pub(super) async fn get_token(
    State(app): State<Arc<App>>,
    P((agent_id, user)): P<(String, String)>,
    query: Q,
    body: Bytes,
) -> Result<Response, ApiError> {
    let server: McpServerDetails = decode_object("mcp server", &body)?;
    for flag in ["generate_login_url", "is_app", "force_refresh"] {
        query.flag(flag)?;
    }
    let answer = {
        let mut store = app.store.lock().await;
        if !store.agents.contains(&agent_id) {
            return Err(ApiError::unknown_agent(&agent_id));
        }
        store
            .mcp
            .get_token(&app.base_url, &agent_id, &user, &server)
    };
    app.touched();
    Ok(ok(&answer))
}
