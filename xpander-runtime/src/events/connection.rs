//! One SSE connection to the worker channel: the request, the response checks, and a stream of
//! events that ends with an error when no byte (keep-alives included) arrives for a while.

use std::pin::Pin;
use std::time::Duration;

use eventsource_stream::{Event, Eventsource};
use futures_util::{Stream, StreamExt};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};

use crate::Configuration;
use crate::client::error_chain;

/// The events of an open connection; an `Err` ends it.
pub(crate) type EventStream = Pin<Box<dyn Stream<Item = Result<Event, String>> + Send>>;

/// Why a connection could not be opened.
pub(crate) enum ConnectError {
    /// The platform refused the worker (401, 403, 404): a configuration problem.
    Rejected { url: String, status: u16 },
    /// Anything worth retrying: transport errors, 5xx, 429, a wrong content type.
    Transient(String),
}

/// `GET {events_base}/{agent_id}/?environment=local|xpander` with `Accept: text/event-stream`
/// and `Last-Event-ID` when the server sent ids.
pub(crate) async fn open(
    config: &Configuration,
    agent_id: &str,
    last_event_id: Option<&str>,
    idle_timeout: Duration,
) -> Result<EventStream, ConnectError> {
    let url = format!("{}/{agent_id}/", config.events_base());
    let environment = if config.is_cloud() {
        "xpander"
    } else {
        "local"
    };
    let mut request = config
        .http()
        .get(&url)
        .query(&[("environment", environment)])
        .header("x-api-key", config.api_key().expose())
        .header(ACCEPT, "text/event-stream")
        .header(CACHE_CONTROL, "no-store");
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id);
    }
    // Only the response head is bounded: the stream itself is watched by `idle_timeout`.
    let response = match tokio::time::timeout(config.request_timeout(), request.send()).await {
        Err(_) => {
            return Err(ConnectError::Transient(format!(
                "GET {url}: no response within {:?}",
                config.request_timeout()
            )));
        }
        Ok(Err(e)) => {
            return Err(ConnectError::Transient(format!(
                "GET {url}: {}",
                error_chain(&e)
            )));
        }
        Ok(Ok(response)) => response,
    };
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
    let events = bytes
        .eventsource()
        .map(|item| item.map_err(|e| e.to_string()));
    Ok(Box::pin(events))
}
