//! The `/invoke` server's answers: JSON (a task, `{"error"}`, or `{"detail"}` for a refused
//! request, as the Python SDK's server words them) and the event stream of a streaming handler.

use std::convert::Infallible;

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use serde::Serialize;
use serde_json::json;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::model::TaskUpdateEvent;

/// The body of every answer.
pub(crate) type Body = BoxBody<Bytes, Infallible>;

/// `value` as JSON with `status`.
pub(crate) fn json(status: StatusCode, value: &impl Serialize) -> Response<Body> {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = Response::new(Full::new(Bytes::from(body)).boxed());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A refused request: `{"detail": message}`.
pub(crate) fn detail(status: StatusCode, message: impl Into<String>) -> Response<Body> {
    json(status, &json!({ "detail": message.into() }))
}

/// A `text/event-stream` of `events`, one `data:` line each, ending when the sender does.
pub(crate) fn events(events: mpsc::Receiver<TaskUpdateEvent>) -> Response<Body> {
    let frames = ReceiverStream::new(events).map(|event| {
        let json = serde_json::to_string(&event).unwrap_or_else(|_| "{}".into());
        Ok::<_, Infallible>(Frame::data(Bytes::from(format!("data: {json}\n\n"))))
    });
    let mut response = Response::new(BodyExt::boxed(StreamBody::new(frames)));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
