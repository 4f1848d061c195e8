//! `POST /mcp_auth/{agent_id}/{user}/get_token?generate_login_url=`: simulated MCP OAuth
//! (see [`crate::mcp`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use xpander_runtime::model::McpServerDetails;

use crate::error::ApiError;
use crate::http::{P, decode_object, ok};
use crate::query::{Q, flag};
use crate::state::App;

/// The query of [`get_token`]. The simulation answers the same whatever the flags say; they
/// are read so that a malformed one is refused.
#[derive(Deserialize)]
#[expect(dead_code, reason = "the flags are only checked, never used")]
pub(super) struct GetTokenQuery {
    #[serde(default, deserialize_with = "flag")]
    generate_login_url: Option<bool>,
    #[serde(default, deserialize_with = "flag")]
    is_app: Option<bool>,
    #[serde(default, deserialize_with = "flag")]
    force_refresh: Option<bool>,
}

/// Answers `{type, data}`: `token_ready`, `login_required` (until the login URL is opened or
/// `POST /_dev/mcp_auth/approve` is called) or `not_supported`.
pub(super) async fn get_token(
    State(app): State<Arc<App>>,
    P((agent_id, user)): P<(String, String)>,
    // Read after the body, whose problem is the one reported when both are malformed.
    query: Result<Q<GetTokenQuery>, ApiError>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let server: McpServerDetails = decode_object("mcp server", &body)?;
    query?;
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
