//! One SSE connection to the worker channel: the request, the response checks, and a stream of
//! events that ends with an error when no byte (keep-alives included) arrives for a while.

use std::pin::Pin;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;

use crate::Platform;
use crate::model::WorkerEnvironment;
use crate::platform::endpoint::Endpoint;
use crate::platform::error_text::error_chain;
use crate::platform::routes::WorkerEvents;
use crate::sse::{self, SseEvent};

/// The events of an open connection; an `Err` ends it.
pub(crate) type EventStream = Pin<Box<dyn Stream<Item = Result<SseEvent, String>> + Send>>;

/// Why a connection could not be opened.
pub(crate) enum ConnectError {
    /// The platform refused the worker (401, 403, 404): a configuration problem.
    Rejected { url: String, status: u16 },
    /// Anything worth retrying: transport errors, 5xx, 429, a wrong content type.
    Transient(String),
}

/// Opens the agent's worker channel ([`WorkerEvents`]).
pub(crate) async fn open(
    platform: &Platform,
    agent_id: &str,
    last_event_id: Option<&str>,
    idle_timeout: Duration,
) -> Result<EventStream, ConnectError> {
    let environment = if platform.configuration().is_cloud() {
        WorkerEnvironment::Xpander
    } else {
        WorkerEnvironment::Local
    };
    let channel = WorkerEvents {
        agent_id,
        environment,
        last_event_id,
    };
    let url = platform.url(&channel.clone().route());
    // Only the response head is bounded: the stream itself is watched by `idle_timeout`.
    let response = platform
        .open_stream(channel)
        .await
        .map_err(|e| ConnectError::Transient(e.to_string()))?;
    let status = response.status();
    if matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ) {
        return Err(ConnectError::Rejected {
            url,
            status: status.as_u16(),
        });
    }
    if !status.is_success() {
        return Err(ConnectError::Transient(format!(
            "GET {url} returned HTTP {}",
            status.as_u16()
        )));
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.contains("text/event-stream") {
        return Err(ConnectError::Transient(format!(
            "GET {url} answered `{content_type}`, not an event stream"
        )));
    }
    let seconds = idle_timeout.as_secs_f64();
    let timed = tokio_stream::StreamExt::timeout(response.bytes_stream(), idle_timeout);
    let bytes = timed.map(move |item| match item {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => Err(error_chain(&e)),
        Err(_) => Err(format!(
            "no data (not even a keep-alive) for {seconds:.0} s"
        )),
    });
    Ok(Box::pin(sse::EventStream::new(
        Box::pin(bytes),
        sse::DEFAULT_MAX_EVENT,
    )))
}
