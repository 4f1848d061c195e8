//! The request log (`GET /_dev/requests`) and the body size limit, in one middleware: it reads
//! the whole body (413 past the limit; a larger one for raw SSE injection), runs the request,
//! and records what happened.

use std::collections::VecDeque;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;
use xpander_runtime::model::Timestamp;

use crate::error::ApiError;
use crate::faults::glob_matches;
use crate::sse::RAW_ROUTE;
use crate::state::App;

/// The body limit of the raw SSE injection route, whatever the configured one: room for a
/// test's line of many MiB.
const RAW_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// One request as `GET /_dev/requests` shows it.
///
/// ```
/// use xpander_devserver::RequestRecord;
///
/// let r: RequestRecord = serde_json::from_value(serde_json::json!({
///     "seq": 1, "time": "2026-01-01T00:00:00Z", "method": "GET", "path": "/agents/list",
///     "query": null, "status": 200, "body_size": 0, "event": null, "duration_ms": 0.2,
/// })).unwrap();
/// assert_eq!(r.status, 200);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// Order of arrival, from 1.
    pub seq: u64,
    /// When it arrived (UTC).
    pub time: Timestamp,
    /// The method.
    pub method: String,
    /// The path.
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// The status answered (200 for an SSE stream, when it opened).
    pub status: u16,
    /// The request body's size in bytes.
    pub body_size: usize,
    /// For a worker's POST-back, its `event` (`worker-heartbeat`, ...).
    pub event: Option<String>,
    /// How long the answer took, in milliseconds (for SSE: until the stream opened).
    pub duration_ms: f64,
}

/// The last requests, oldest first.
#[derive(Debug)]
pub(crate) struct RequestLog {
    capacity: usize,
    next_seq: u64,
    entries: VecDeque<RequestRecord>,
}

impl RequestLog {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            next_seq: 1,
            entries: VecDeque::new(),
        }
    }

    fn push(&mut self, mut record: RequestRecord) {
        record.seq = self.next_seq;
        self.next_seq += 1;
        self.entries.push_back(record);
        while self.entries.len() > self.capacity {
            self.entries.pop_front();
        }
    }

    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &RequestRecord> {
        self.entries.iter()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// A note a handler attaches to its response for the log (the POST-back's event name).
#[derive(Debug, Clone)]
pub(crate) struct Note(pub String);

/// Middleware: buffers the body (413 past the limit), runs the request, logs it.
pub(crate) async fn middleware(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let time = Timestamp::now();
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let limit = if glob_matches(RAW_ROUTE, &path) {
        app.settings.body_limit.max(RAW_BODY_LIMIT)
    } else {
        app.settings.body_limit
    };

    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let (response, body_size) = if declared.is_some_and(|n| n > limit) {
        (too_large(limit), declared.unwrap_or_default())
    } else {
        match Limited::new(body, limit).collect().await {
            Ok(collected) => {
                let bytes = collected.to_bytes();
                let size = bytes.len();
                let req = Request::from_parts(parts, Body::from(bytes));
                (next.run(req).await, size)
            }
            Err(e) if e.is::<LengthLimitError>() => (too_large(limit), limit + 1),
            Err(e) => (
                ApiError::bad_request(format!("the request body could not be read: {e}"))
                    .into_response(),
                0,
            ),
        }
    };

    let status = response.status().as_u16();
    let event = response.extensions().get::<Note>().map(|n| n.0.clone());
    tracing::debug!(%method, %path, status, "request");
    let platform = !crate::auth::is_dev_path(&path);
    app.log.lock().await.push(RequestRecord {
        seq: 0,
        time,
        method,
        path,
        query,
        status,
        body_size,
        event,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
    });
    if platform {
        app.pulse.request();
    }
    response
}

fn too_large(limit: usize) -> Response {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is over the limit of {limit} bytes"),
    )
    .into_response()
}
