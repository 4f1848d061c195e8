//! The parser's contract: the WHATWG rules on the cases that broke eventsource-stream, each fed
//! whole and cut at every byte, plus properties over random chunking and random bytes.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::StreamExt;
use proptest::prelude::*;

use super::*;

fn event(event: &str, data: &str, id: &str) -> SseEvent {
    SseEvent {
        event: event.into(),
        data: data.into(),
        id: id.into(),
        retry: None,
    }
}

/// Feeds `chunks` to a fresh decoder: the events, and the error that ended it if any.
fn decode_chunks(chunks: &[&[u8]], max: usize) -> (Vec<SseEvent>, Option<SseError>) {
    let mut decoder = Decoder::new(max);
    let mut out = VecDeque::new();
    for chunk in chunks {
        if let Err(e) = decoder.feed(chunk, &mut out) {
            return (out.into(), Some(e));
        }
    }
    (out.into(), None)
}

/// The events of `stream` fed whole, checked to be the same for every cut into two chunks
/// and for one byte at a time.
fn decode(stream: &[u8]) -> Vec<SseEvent> {
    let (whole, error) = decode_chunks(&[stream], DEFAULT_MAX_EVENT);
    assert_eq!(error, None);
    for cut in 0..=stream.len() {
        let (split, _) = decode_chunks(&[&stream[..cut], &stream[cut..]], DEFAULT_MAX_EVENT);
        assert_eq!(split, whole, "cut at byte {cut}");
    }
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    assert_eq!(
        decode_chunks(&bytes, DEFAULT_MAX_EVENT).0,
        whole,
        "byte by byte"
    );
    whole
}

#[test]
fn a_byte_order_mark_is_stripped_whole_or_split() {
    let stream = b"\xEF\xBB\xBFevent: agent-execution\ndata: {}\n\n";
    assert_eq!(decode(stream), [event("agent-execution", "{}", "")]);
    // Only at the start of the stream: a later one is part of the field name.
    let later = b"data: a\n\n\xEF\xBB\xBFdata: b\n\n";
    assert_eq!(decode(later), [event("message", "a", "")]);
}

#[test]
fn a_stream_of_only_part_of_a_mark_is_not_an_error() {
    assert_eq!(decode(b"\xEF\xBB"), []);
    assert_eq!(decode(b"\xEFdata: x\n\n"), []); // a field named "\u{FFFD}data"
}

#[test]
fn cr_lf_and_crlf_end_lines_across_chunk_boundaries() {
    let expected = [event("a", "1", ""), event("b", "2", "")];
    assert_eq!(
        decode(b"event: a\ndata: 1\n\nevent: b\ndata: 2\n\n"),
        expected
    );
    assert_eq!(
        decode(b"event: a\rdata: 1\r\revent: b\rdata: 2\r\r"),
        expected
    );
    assert_eq!(
        decode(b"event: a\r\ndata: 1\r\n\r\nevent: b\r\ndata: 2\r\n\r\n"),
        expected
    );
    // A CRLF split by an empty chunk is still one line break.
    let (events, _) = decode_chunks(&[b"data: 1\r", b"", b"\ndata: 2\n\n"], DEFAULT_MAX_EVENT);
    assert_eq!(events, [event("message", "1\n2", "")]);
    // A CR that ends a chunk, then a chunk that does not start with LF.
    let (events, _) = decode_chunks(&[b"data: 1\r", b"\rdata: 2\n\n"], DEFAULT_MAX_EVENT);
    assert_eq!(
        events,
        [event("message", "1", ""), event("message", "2", "")]
    );
}

#[test]
fn a_character_split_across_chunks_arrives_whole() {
    let stream = "data: grüße 👋\n\n".as_bytes();
    assert_eq!(decode(stream), [event("message", "grüße 👋", "")]);
}

#[test]
fn invalid_utf8_is_replaced_and_the_next_task_still_arrives() {
    let stream = b"data: bad \xFF\xFE byte\n\nevent: agent-execution\ndata: {\"id\":\"t1\"}\n\n";
    assert_eq!(
        decode(stream),
        [
            event("message", "bad \u{FFFD}\u{FFFD} byte", ""),
            event("agent-execution", "{\"id\":\"t1\"}", ""),
        ]
    );
}

#[test]
fn an_oversized_line_or_event_ends_the_stream_after_what_came_before() {
    let (events, error) = decode_chunks(&[b"data: ok\n\ndata: ", &[b'x'; 40], b"\n\n"], 32);
    assert_eq!(events, [event("message", "ok", "")]);
    assert_eq!(error, Some(SseError::TooLong { limit: 32 }));
    // Many short data lines add up to one oversized event.
    let lines = b"data: 0123456789\n".repeat(4);
    let (_, error) = decode_chunks(&[&lines], 32);
    assert_eq!(error, Some(SseError::TooLong { limit: 32 }));
}

#[test]
fn retry_takes_digits_only() {
    let retries: Vec<_> =
        decode(b"retry: 2500\n\nretry: -5\n\nretry: 1e3\n\nretry: 99999999999999999999999\n\n")
            .into_iter()
            .map(|e| e.retry)
            .collect();
    assert_eq!(
        retries,
        [
            Some(Duration::from_millis(2500)),
            Some(Duration::from_millis(u64::MAX))
        ]
    );
}

#[test]
fn an_id_with_nul_is_ignored_and_ids_carry_over() {
    let stream = b"id: 7\ndata: a\n\nid: bad\0id\ndata: b\n\ndata: c\n\n";
    let ids: Vec<_> = decode(stream).into_iter().map(|e| e.id).collect();
    assert_eq!(ids, ["7", "7", "7"]);
}

#[test]
fn comments_fields_and_multi_line_data_follow_the_rules() {
    let stream = b": keepalive\ndata\ndata:x\ndata:  y\nevent: e\nunknown: z\n\ndata:\n\nevent: orphan\n\ndata: after\n\n";
    assert_eq!(
        decode(stream),
        [
            event("e", "\nx\n y", ""),
            event("message", "", ""),
            // An event type with no data dispatches nothing, and is forgotten.
            event("message", "after", ""),
        ]
    );
}

#[tokio::test]
async fn the_stream_delivers_events_then_the_error_then_ends() {
    let chunks: Vec<Result<Bytes, String>> = vec![
        Ok(Bytes::from_static(b"data: 1\n\n")),
        Ok(Bytes::from_static(
            b"data: 2\n\ndata: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        )),
        Ok(Bytes::from_static(b"data: never\n\n")),
    ];
    let mut stream = EventStream::new(futures_util::stream::iter(chunks), 16);
    assert_eq!(stream.next().await, Some(Ok(event("message", "1", ""))));
    assert_eq!(stream.next().await, Some(Ok(event("message", "2", ""))));
    let error = stream.next().await.unwrap().unwrap_err();
    assert!(error.contains("over 16 bytes"), "{error}");
    assert_eq!(stream.next().await, None);

    let failing: Vec<Result<Bytes, String>> =
        vec![Ok(Bytes::from_static(b"data: 1\n\n")), Err("reset".into())];
    let mut stream = EventStream::new(futures_util::stream::iter(failing), 16);
    assert!(stream.next().await.unwrap().is_ok());
    assert_eq!(stream.next().await, Some(Err("reset".into())));
    assert_eq!(stream.next().await, None);
}

/// Cuts `bytes` at the given points (taken modulo its length).
fn cut(bytes: &[u8], mut points: Vec<usize>) -> Vec<&[u8]> {
    points.iter_mut().for_each(|p| *p %= bytes.len() + 1);
    points.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for point in points {
        chunks.push(&bytes[start..point]);
        start = point;
    }
    chunks.push(&bytes[start..]);
    chunks
}

proptest! {
    #[test]
    fn any_chunking_gives_the_same_events(
        lines in prop::collection::vec("(data|event|id|retry|:)?(: ?)?[a-z0-9 ]{0,8}(\r\n|\r|\n){1,2}", 0..20),
        points in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let stream = lines.concat().into_bytes();
        let whole = decode_chunks(&[&stream], DEFAULT_MAX_EVENT);
        prop_assert_eq!(decode_chunks(&cut(&stream, points), DEFAULT_MAX_EVENT), whole);
    }

    #[test]
    fn a_valid_event_after_any_garbage_arrives(
        bom in any::<bool>(),
        garbage in prop::collection::vec(any::<u8>(), 0..300),
        points in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut stream = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        stream.extend(&garbage);
        stream.extend(b"\n\nevent: agent-execution\ndata: {\"id\":\"t1\"}\n\n");
        let (events, error) = decode_chunks(&cut(&stream, points), DEFAULT_MAX_EVENT);
        prop_assert_eq!(error, None);
        prop_assert_eq!(events.last(), Some(&event("agent-execution", "{\"id\":\"t1\"}", &events.last().unwrap().id)));
    }
}
