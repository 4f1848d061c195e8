//! The worker stream's bytes. The devserver frames SSE itself instead of using axum's `Sse`,
//! so a test can put any bytes between events (`POST /_dev/workers/{id}/raw`) and start a
//! stream with a byte-order mark: a hostile server, for the runtime's SSE reader.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};

/// The developer route that writes a request body, whatever it is, into a worker's stream.
pub(crate) const RAW_ROUTE: &str = "/_dev/workers/*/raw";

/// The comment an idle stream gets once per keep-alive interval (what axum's `Sse` sent).
pub(crate) const KEEP_ALIVE: &[u8] = b": keepalive\n\n";

/// The UTF-8 byte-order mark, which an SSE reader must skip at the start of a stream.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One event: `event:`, a `data:` line per line of `data`, `id:`, then the blank line that
/// ends it. The id goes last so the lines start as they did before events had ids.
///
/// `event` and `id` are ours and hold no line break; `data` is JSON, split on line breaks
/// anyway so a multi-line value stays one event.
pub(crate) fn event(id: u64, event: &str, data: &str) -> Bytes {
    let mut frame = format!("event: {event}\n");
    for line in data.split('\n') {
        frame.push_str("data: ");
        frame.push_str(line.strip_suffix('\r').unwrap_or(line));
        frame.push('\n');
    }
    frame.push_str(&format!("id: {id}\n\n"));
    Bytes::from(frame)
}

/// A `text/event-stream` response (with `Cache-Control: no-cache`, as axum's `Sse` answered)
/// whose body is `frames`, after a byte-order mark when `bom` is set, with a keep-alive comment
/// after every `keep_alive` in which nothing was sent.
pub(crate) fn response(
    frames: impl Stream<Item = Bytes> + Send + 'static,
    keep_alive: Duration,
    bom: bool,
) -> Response {
    let bom = stream::iter(bom.then(|| Bytes::from_static(BOM)));
    let body = bom.chain(with_keep_alive(frames, keep_alive));
    stream_response(body)
}

/// A `text/event-stream` response (with `Cache-Control: no-cache`) whose body is `frames`, as
/// they are.
pub(crate) fn stream_response(frames: impl Stream<Item = Bytes> + Send + 'static) -> Response {
    let mut response = Body::from_stream(frames.map(Ok::<_, Infallible>)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `frames`, with [`KEEP_ALIVE`] whenever `interval` passes without a frame. Waiting on the
/// inner stream again after a timeout loses nothing: `next()` only polls it.
fn with_keep_alive(
    frames: impl Stream<Item = Bytes> + Send + 'static,
    interval: Duration,
) -> impl Stream<Item = Bytes> + Send + 'static {
    stream::unfold(Box::pin(frames), move |mut frames| async move {
        match tokio::time::timeout(interval, frames.next()).await {
            Ok(Some(frame)) => Some((frame, frames)),
            Ok(None) => None,
            Err(_) => Some((Bytes::from_static(KEEP_ALIVE), frames)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_framing() {
        assert_eq!(
            event(7, "agent-execution", r#"{"a":1}"#),
            "event: agent-execution\ndata: {\"a\":1}\nid: 7\n\n"
        );
        assert_eq!(
            event(1, "e", "a\r\nb"),
            "event: e\ndata: a\ndata: b\nid: 1\n\n"
        );
    }

    #[tokio::test]
    async fn bom_first_then_keep_alive_when_idle() {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Bytes>();
        let frames = stream::unfold(rx, |mut rx| async move { Some((rx.recv().await?, rx)) });
        let response = response(frames, Duration::from_millis(20), true);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        assert_eq!(response.headers()["cache-control"], "no-cache");
        let mut body = response.into_body().into_data_stream();
        assert_eq!(body.next().await.unwrap().unwrap(), BOM);
        assert_eq!(body.next().await.unwrap().unwrap(), KEEP_ALIVE);
        tx.send(Bytes::from_static(b"raw")).unwrap();
        assert_eq!(body.next().await.unwrap().unwrap(), "raw");
        drop(tx);
        assert!(body.next().await.is_none());
    }
}
