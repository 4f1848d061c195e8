//! A Server-Sent Events parser written to the WHATWG event-stream rules, hardened for a
//! long-lived connection to a server we do not control. The worker reads its channel with it.
//!
//! ```
//! use futures_util::StreamExt;
//! use xpander_runtime::sse::{DEFAULT_MAX_EVENT, EventStream};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! // Any stream of byte chunks: here a mark, then a CRLF and a character split across chunks.
//! let chunks = [&b"\xEF\xBB\xBFevent: greeting\r"[..], &b"\ndata: gr\xC3"[..], &b"\xBC\xC3\x9Fe\n\n"[..]];
//! let bytes = futures_util::stream::iter(chunks.map(|c| Ok::<_, std::io::Error>(bytes::Bytes::from_static(c))));
//! let mut events = EventStream::new(bytes, DEFAULT_MAX_EVENT);
//! let event = events.next().await.unwrap().unwrap();
//! assert_eq!((event.event.as_str(), event.data.as_str()), ("greeting", "grüße"));
//! # });
//! ```
//!
//! What it guarantees:
//!
//! - a byte-order mark is stripped as bytes, also when it is split across chunks;
//! - lines end at CR, LF or CRLF, also when a CRLF is split across chunks;
//! - lines are decoded only once complete, so a character split across chunks is whole, and
//!   invalid UTF-8 becomes U+FFFD instead of stalling the stream;
//! - a line or an event longer than the limit is an error (the caller reconnects) rather than
//!   a buffer that grows without bound, and each byte is scanned once;
//! - an `id` holding NUL is ignored (as the standard says), and `retry` must be digits.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::Stream;

#[cfg(test)]
mod tests;

/// The longest line or event accepted by default: far above any task the platform sends, far
/// below what would hurt the worker.
pub const DEFAULT_MAX_EVENT: usize = 16 * 1024 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One dispatched event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The event type; `message` when the server named none.
    pub event: String,
    /// The data lines, joined by `\n`.
    pub data: String,
    /// The last event id as of this event (empty when the server sent none).
    pub id: String,
    /// A `retry:` field in this event, as the server sent it.
    pub retry: Option<Duration>,
}

/// Why a stream cannot be read further.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SseError {
    /// A line, or the data of one event, grew past the limit.
    #[error("an event-stream line or event is over {limit} bytes; dropping the connection")]
    TooLong {
        /// The limit, in bytes.
        limit: usize,
    },
}

/// The parser's state between chunks.
#[derive(Debug)]
pub(crate) struct Decoder {
    max: usize,
    /// Bytes of the current, incomplete line.
    line: Vec<u8>,
    /// Whether the stream's start has been checked for a byte-order mark.
    started: bool,
    /// The last chunk ended in CR: an LF starting the next one ends no new line.
    after_cr: bool,
    event: String,
    data: String,
    has_data: bool,
    id: String,
    retry: Option<Duration>,
}

impl Decoder {
    /// A decoder that refuses lines and events over `max` bytes.
    pub(crate) fn new(max: usize) -> Self {
        Self {
            max,
            line: Vec::new(),
            started: false,
            after_cr: false,
            event: String::new(),
            data: String::new(),
            has_data: false,
            id: String::new(),
            retry: None,
        }
    }

    /// Feeds a chunk; complete events are pushed onto `out`.
    pub(crate) fn feed(
        &mut self,
        chunk: &[u8],
        out: &mut VecDeque<SseEvent>,
    ) -> Result<(), SseError> {
        let mut rest = chunk;
        if !self.started {
            // The mark may arrive a byte at a time: hold bytes until they can or cannot be it.
            self.line.extend_from_slice(rest);
            if self.line.len() < BOM.len() && BOM.starts_with(&self.line) {
                return Ok(());
            }
            self.started = true;
            let held = std::mem::take(&mut self.line);
            let held = held.strip_prefix(BOM).unwrap_or(&held).to_vec();
            return self.feed_lines(&held, out);
        }
        // An empty chunk says nothing about whether the CR is followed by an LF.
        if self.after_cr && !rest.is_empty() {
            self.after_cr = false;
            if let Some(after) = rest.strip_prefix(b"\n") {
                rest = after;
            }
        }
        self.feed_lines(rest, out)
    }

    fn feed_lines(
        &mut self,
        mut rest: &[u8],
        out: &mut VecDeque<SseEvent>,
    ) -> Result<(), SseError> {
        while let Some(end) = rest.iter().position(|b| *b == b'\n' || *b == b'\r') {
            self.push_line_bytes(&rest[..end])?;
            let line = std::mem::take(&mut self.line);
            self.line_done(&line, out)?;
            self.line = line;
            self.line.clear();
            let cr = rest[end] == b'\r';
            rest = &rest[end + 1..];
            if cr {
                match rest.first() {
                    Some(b'\n') => rest = &rest[1..],
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
        }
        self.push_line_bytes(rest)
    }

    fn push_line_bytes(&mut self, bytes: &[u8]) -> Result<(), SseError> {
        if self.line.len() + bytes.len() > self.max {
            self.line.clear();
            return Err(SseError::TooLong { limit: self.max });
        }
        self.line.extend_from_slice(bytes);
        Ok(())
    }

    /// One complete line (without its line break).
    fn line_done(&mut self, line: &[u8], out: &mut VecDeque<SseEvent>) -> Result<(), SseError> {
        if line.is_empty() {
            self.dispatch(out);
            return Ok(());
        }
        if line[0] == b':' {
            return Ok(()); // a comment: keep-alives
        }
        let text = String::from_utf8_lossy(line);
        let (field, value) = match text.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (text.as_ref(), ""),
        };
        match field {
            "event" => value.clone_into(&mut self.event),
            "data" => {
                if self.data.len() + value.len() + 1 > self.max {
                    self.discard();
                    return Err(SseError::TooLong { limit: self.max });
                }
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "id" if !value.contains('\0') => value.clone_into(&mut self.id),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // Digits only; a value too large for u64 is as good as "very long".
                let millis = value.parse::<u64>().unwrap_or(u64::MAX);
                self.retry = Some(Duration::from_millis(millis));
            }
            _ => {} // unknown fields, and ids or retries the rules say to ignore
        }
        Ok(())
    }

    fn dispatch(&mut self, out: &mut VecDeque<SseEvent>) {
        let retry = self.retry.take();
        if !self.has_data {
            self.event.clear();
            if retry.is_some() {
                // A bare `retry:` still sets the reconnection time.
                out.push_back(SseEvent {
                    event: String::new(),
                    data: String::new(),
                    id: self.id.clone(),
                    retry,
                });
            }
            return;
        }
        let event = std::mem::take(&mut self.event);
        out.push_back(SseEvent {
            event: if event.is_empty() {
                "message".to_owned()
            } else {
                event
            },
            data: std::mem::take(&mut self.data),
            id: self.id.clone(),
            retry,
        });
        self.has_data = false;
    }

    fn discard(&mut self) {
        self.event.clear();
        self.data.clear();
        self.has_data = false;
        self.retry = None;
    }
}

/// The events of a byte stream; an `Err` ends it (the transport's error, or an [`SseError`],
/// as text), after the events parsed before it.
#[derive(Debug)]
pub struct EventStream<S> {
    bytes: S,
    decoder: Decoder,
    ready: VecDeque<SseEvent>,
    /// Delivered after the events parsed before it; the stream ends after it.
    error: Option<String>,
    ended: bool,
}

impl<S> EventStream<S> {
    /// Parses `bytes`, refusing lines and events over `max` bytes.
    pub fn new(bytes: S, max: usize) -> Self {
        Self {
            bytes,
            decoder: Decoder::new(max),
            ready: VecDeque::new(),
            error: None,
            ended: false,
        }
    }
}

impl<S, E> Stream for EventStream<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    type Item = Result<SseEvent, String>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(event) = this.ready.pop_front() {
                return Poll::Ready(Some(Ok(event)));
            }
            if let Some(error) = this.error.take() {
                return Poll::Ready(Some(Err(error)));
            }
            if this.ended {
                return Poll::Ready(None);
            }
            match Pin::new(&mut this.bytes).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => this.ended = true,
                Poll::Ready(Some(Err(e))) => {
                    this.ended = true;
                    this.error = Some(e.to_string());
                }
                Poll::Ready(Some(Ok(chunk))) => {
                    if let Err(e) = this.decoder.feed(&chunk, &mut this.ready) {
                        this.ended = true;
                        this.error = Some(e.to_string());
                    }
                }
            }
        }
    }
}
