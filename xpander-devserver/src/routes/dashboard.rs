//! The dashboard's routes (developer routes: loopback only, see [`crate::dev_guard`]): the page
//! at `/`, its parts, its change stream and its assets ([`crate::dashboard`]), and the two
//! platform routes its actions need, mounted under `/_dev/platform` so that the page never
//! holds the API key.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use http_body_util::BodyExt;
use serde_json::{Value, json};

use super::tasks;
use crate::dashboard::{self, View};
use crate::error::ApiError;
use crate::http::{P, ok};
use crate::query::Q;
use crate::redact::redacted;
use crate::state::App;

/// What the page may load and where it may send: only this server. `frame-ancestors 'none'`
/// keeps another site from framing the page and borrowing clicks on its buttons.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// `GET /`: the dashboard.
pub(super) async fn page(State(app): State<Arc<App>>, Q(view): Q<View>) -> Response {
    let mut response = Html(dashboard::page(&app, &view).await).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /_dev/dashboard/parts?…`: `{"parts": {element id: HTML}}` for the page's query.
pub(super) async fn parts(State(app): State<Arc<App>>, Q(view): Q<View>) -> Response {
    let parts: serde_json::Map<String, Value> = dashboard::parts(&app, &view)
        .await
        .into_iter()
        .map(|(id, html)| (id.to_owned(), Value::String(html)))
        .collect();
    ok(&json!({ "parts": parts }))
}

/// `GET /_dev/dashboard/live`: the change stream.
pub(super) async fn live(State(app): State<Arc<App>>) -> Response {
    let keep_alive = app.settings.keep_alive;
    crate::sse::response(dashboard::live::changes(app), keep_alive, false)
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Compiled into the binary: a rebuilt server serves the new file at once.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `GET /_dev/dashboard/app.js`.
pub(super) async fn script() -> Response {
    asset(dashboard::SCRIPT, "text/javascript; charset=utf-8")
}

/// `GET /_dev/dashboard/style.css`.
pub(super) async fn style() -> Response {
    asset(dashboard::STYLE, "text/css; charset=utf-8")
}

/// `POST /_dev/platform/agent-execution/{agent_id}`: the platform's create route itself (same
/// handler, same checks), with the answer's secrets redacted as on every developer route.
pub(super) async fn create_task(
    state: State<Arc<App>>,
    agent_id: P<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    Ok(redact_answer(tasks::create(state, agent_id, headers, body).await?).await)
}

/// `DELETE /_dev/platform/agent-execution/{task_id}`: the platform's stop route itself.
pub(super) async fn stop_task(
    state: State<Arc<App>>,
    task_id: P<String>,
) -> Result<Response, ApiError> {
    Ok(redact_answer(tasks::stop(state, task_id).await?).await)
}

/// A JSON answer with its secrets replaced by `[REDACTED]`.
async fn redact_answer(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let Ok(collected) = body.collect().await else {
        return ApiError::new(parts.status, "the answer could not be read").into_response();
    };
    let bytes = collected.to_bytes();
    let body = match serde_json::from_slice::<Value>(&bytes) {
        Ok(value) => Body::from(serde_json::to_vec(&redacted(&value)).unwrap_or_default()),
        Err(_) => Body::from(bytes),
    };
    Response::from_parts(parts, body)
}
