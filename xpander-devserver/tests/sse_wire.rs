//! The worker stream's bytes, for the runtime's SSE reader tests: event ids and
//! `Last-Event-ID`, raw bytes injected between events, a byte-order mark, and a stream dropped
//! right after its registration.

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};
use xpander_devserver::{DevServerHandle, DevServerOptions, Faults, WorkerState};

/// Options with keep-alives too rare to show up: the bytes on the wire are exactly the events.
fn quiet() -> DevServerOptions {
    options().keep_alive(Duration::from_secs(60))
}

/// A worker stream read as bytes.
struct RawStream {
    response: reqwest::Response,
    bytes: Vec<u8>,
    /// Where the last match ended: the next search starts there.
    cursor: usize,
}

impl RawStream {
    async fn open(server: &DevServerHandle, headers: &[(&str, &str)]) -> RawStream {
        let mut req = client_builder()
            .build()
            .unwrap()
            .get(format!(
                "{}/{}/events/demo-agent?environment=local",
                server.base_url(),
                server.org()
            ))
            .header("x-api-key", KEY);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let response = req.send().await.expect("stream opens");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        assert_eq!(response.headers()["cache-control"], "no-cache");
        RawStream {
            response,
            bytes: Vec::new(),
            cursor: 0,
        }
    }

    /// Reads until `needle` comes after the cursor; where it ends (the new cursor).
    async fn read_until(&mut self, needle: &[u8]) -> usize {
        let mut from = self.cursor;
        loop {
            if let Some(at) = self.bytes[from..]
                .windows(needle.len())
                .position(|w| w == needle)
            {
                self.cursor = from + at + needle.len();
                return self.cursor;
            }
            // Only the new bytes (and a needle's length before them) are searched next time.
            from = self.bytes.len().saturating_sub(needle.len()).max(from);
            let chunk = tokio::time::timeout(WAIT, self.response.chunk())
                .await
                .expect("bytes in time")
                .expect("the stream reads")
                .unwrap_or_else(|| panic!("the stream ended before {needle:?}"));
            self.bytes.extend_from_slice(&chunk);
        }
    }

    /// Reads until the stream ends; false when it is still open after `WAIT`.
    async fn read_to_end(&mut self) -> bool {
        loop {
            match tokio::time::timeout(WAIT, self.response.chunk()).await {
                Ok(Ok(Some(chunk))) => self.bytes.extend_from_slice(&chunk),
                Ok(_) => return true,
                Err(_) => return false,
            }
        }
    }

    /// The first event's worker id (its registration).
    async fn worker_id(&mut self) -> String {
        let end = self.read_until(b"\n\n").await;
        let text = String::from_utf8_lossy(&self.bytes[..end]).into_owned();
        let data = text
            .lines()
            .find_map(|l| l.strip_prefix("data: "))
            .expect("a data line");
        let asset: Value = serde_json::from_str(data).unwrap();
        asset["id"].as_str().unwrap().to_owned()
    }
}

/// The `id:` values of the complete events in `bytes`.
fn ids(bytes: &[u8]) -> Vec<u64> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .map(|id| id.parse().unwrap())
        .collect()
}

#[tokio::test]
async fn every_event_has_a_growing_id_and_last_event_id_is_recorded() {
    let server = start_with(quiet()).await;
    let mut first = RawStream::open(&server, &[]).await;
    let first_id = first.worker_id().await;
    let task = create_task(&server, "demo-agent", "one").await;
    first.read_until(b"event: agent-execution\n").await;
    first.read_until(b"\n\n").await;
    let text = String::from_utf8_lossy(&first.bytes).into_owned();
    assert!(
        text.starts_with("event: worker-registration\ndata: {"),
        "{text}"
    );
    let seen = ids(&first.bytes);
    assert_eq!(seen.len(), 2, "{text}");
    assert!(seen[0] < seen[1], "{seen:?}");
    assert!(text.contains(task["id"].as_str().unwrap()));

    // A reader that reconnects resends the last id it saw; the server keeps it for the test.
    let last = seen[1].to_string();
    let mut again = RawStream::open(&server, &[("last-event-id", last.as_str())]).await;
    let again_id = again.worker_id().await;
    assert!(ids(&again.bytes)[0] > seen[1], "ids never repeat");
    let workers = server.workers().await;
    let by_id = |id: &str| workers.iter().find(|w| w.id == id).unwrap().clone();
    assert_eq!(by_id(&first_id).last_event_id, None);
    assert_eq!(
        by_id(&again_id).last_event_id.as_deref(),
        Some(last.as_str())
    );
    // `/_dev/workers` shows it only when one was sent.
    let listed = call_with(&server, Method::GET, "/_dev/workers", None, &[]).await;
    let listed = listed.body.as_array().unwrap().clone();
    let find = |id: &str| listed.iter().find(|w| w["id"] == id).unwrap().clone();
    assert!(find(&first_id).get("last_event_id").is_none());
    assert_eq!(find(&again_id)["last_event_id"], json!(last));
}

#[tokio::test]
async fn raw_bytes_go_out_verbatim_between_events() {
    let server = start_with(quiet()).await;
    let mut stream = RawStream::open(&server, &[]).await;
    let worker = stream.worker_id().await;
    let registration_end = stream.bytes.len();

    // Invalid UTF-8, a retry field and an id with a control character, from the handle.
    let hostile: &[u8] = b"data: \xff\xfe\n\nretry: 10\nid: 4\x012\n\n";
    assert!(server.inject_raw(&worker, hostile).await);
    // Any body over HTTP (not JSON), with no content type to speak of.
    let posted = client()
        .post(format!("{}/_dev/workers/{worker}/raw", server.base_url()))
        .header("content-type", "text/plain")
        .body(&b": posted\n\n"[..])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    let answer: Value = posted.json().await.unwrap();
    assert_eq!(answer["injected_bytes"], 10);
    let task = create_task(&server, "demo-agent", "after the noise").await;
    let end = stream.read_until(b"event: agent-execution\n").await;
    stream.read_until(b"\n\n").await;

    let mut expected = hostile.to_vec();
    expected.extend_from_slice(b": posted\n\n");
    expected.extend_from_slice(b"event: agent-execution\n");
    assert_eq!(
        &stream.bytes[registration_end..end],
        &expected[..],
        "{:?}",
        String::from_utf8_lossy(&stream.bytes[registration_end..])
    );
    assert!(String::from_utf8_lossy(&stream.bytes[end..]).contains(task["id"].as_str().unwrap()));

    // A line of 17 MiB, then the stream goes on.
    let mut long = b"data: ".to_vec();
    long.extend(std::iter::repeat_n(b'a', 17 * 1024 * 1024));
    long.extend_from_slice(b"\n\n");
    let before = stream.bytes.len();
    assert!(server.inject_raw(&worker, long.clone()).await);
    create_task(&server, "demo-agent", "after the long line").await;
    let end = stream.read_until(b"event: agent-execution\n").await;
    assert_eq!(&stream.bytes[before..end - 23], &long[..]);

    // Nobody to write to.
    assert!(!server.inject_raw("WORKER-nope", &b"x"[..]).await);
    let missing = call_with(
        &server,
        Method::POST,
        "/_dev/workers/WORKER-nope/raw",
        Some(json!("x")),
        &[],
    )
    .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn a_byte_order_mark_starts_every_stream_when_asked() {
    let server = start_with(quiet().sse_bom(true)).await;
    for _ in 0..2 {
        let mut stream = RawStream::open(&server, &[]).await;
        stream.read_until(b"\n\n").await;
        assert!(
            stream
                .bytes
                .starts_with(b"\xEF\xBB\xBFevent: worker-registration\ndata: {"),
            "{:?}",
            String::from_utf8_lossy(&stream.bytes)
        );
    }
    // Off by default.
    let plain = start_with(quiet()).await;
    let mut stream = RawStream::open(&plain, &[]).await;
    stream.read_until(b"\n\n").await;
    assert!(stream.bytes.starts_with(b"event: worker-registration\n"));
}

#[tokio::test]
async fn drop_sse_every_1_registers_then_drops_every_stream() {
    let faults = Faults {
        drop_sse_every: Some(1),
        ..Faults::default()
    };
    let server = start_with(quiet().faults(faults)).await;
    let task = create_task(&server, "demo-agent", "never delivered").await;
    for _ in 0..2 {
        let mut stream = RawStream::open(&server, &[]).await;
        let worker = stream.worker_id().await;
        assert!(stream.read_to_end().await, "the stream ends");
        let text = String::from_utf8_lossy(&stream.bytes).into_owned();
        assert_eq!(text.matches("event: ").count(), 1, "{text}");
        assert!(text.starts_with("event: worker-registration\n"), "{text}");
        let gone = server
            .wait_for_workers(WAIT, |ws| {
                ws.iter()
                    .any(|w| w.id == worker && w.state == WorkerState::Disconnected)
            })
            .await;
        assert!(gone.is_some(), "the worker is gone");
    }
    let info = server
        .task_info(task["id"].as_str().unwrap())
        .await
        .unwrap();
    assert!(info.delivered_to.is_empty());
}
