//! Access control: every platform route needs the `x-api-key`; `/_dev/*` and the index page
//! need none but answer loopback peers, loopback Host names and JSON writes only
//! ([`crate::dev_guard`]).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::dev_guard;
use crate::error::ApiError;
use crate::state::App;

/// Whether a path is one of the open developer pages (`/` and `/_dev/*`).
pub(crate) fn is_dev_path(path: &str) -> bool {
    path == "/" || path == "/_dev" || path.starts_with("/_dev/")
}

/// Middleware: 403 JSON on a missing or wrong key; on a developer page, what
/// [`crate::dev_guard`] refuses (a remote peer, a foreign Host or Origin, a body not JSON).
pub(crate) async fn middleware(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    if is_dev_path(req.uri().path()) {
        if let Err(refused) = dev_guard::check(&req, app.settings.dev_routes_loopback_only) {
            return refused.into_response();
        }
        return next.run(req).await;
    }
    let given = req
        .headers()
        .get("x-api-key")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if given.is_empty() {
        return ApiError::new(StatusCode::FORBIDDEN, "missing x-api-key header").into_response();
    }
    if !same(given, app.api_key.as_bytes()) {
        return ApiError::new(StatusCode::FORBIDDEN, "invalid API key").into_response();
    }
    next.run(req).await
}

/// Compares in time that depends on the lengths only.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_keys() {
        assert!(is_dev_path("/") && is_dev_path("/_dev/tasks") && is_dev_path("/_dev"));
        assert!(!is_dev_path("/_devx") && !is_dev_path("/agents/list"));
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd") && !same(b"abc", b"ab"));
    }
}
