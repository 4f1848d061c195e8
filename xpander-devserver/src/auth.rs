//! Access control: every platform route needs the `x-api-key`; `/_dev/*` and the index page
//! need none but answer loopback peers only (unless configured otherwise).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::App;

/// Whether a path is one of the open developer pages (`/` and `/_dev/*`).
pub(crate) fn is_dev_path(path: &str) -> bool {
    path == "/" || path == "/_dev" || path.starts_with("/_dev/")
}

/// Middleware: 403 JSON on a missing or wrong key, or a remote peer on a developer page.
pub(crate) async fn middleware(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    if is_dev_path(req.uri().path()) {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if app.settings.dev_routes_loopback_only && peer.is_some_and(|ip| !ip.is_loopback()) {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "the developer routes answer loopback clients only",
            )
            .into_response();
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
