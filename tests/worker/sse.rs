//! The worker's SSE reader against a hostile server (the devserver writing raw bytes into the
//! worker's stream): a byte-order mark, invalid UTF-8, an oversized line, a huge `retry:`, an
//! id that is no header value, and Last-Event-ID sent back on reconnect.

use super::*;

/// The worker connections so far, oldest first.
async fn connections(ds: &DevServerHandle) -> Vec<xpander_devserver::WorkerInfo> {
    let mut workers = ds.workers().await;
    workers.sort_by_key(|w| w.connected_at.parse());
    workers
}

/// The one live connection's worker id, once registered.
async fn live_worker(ds: &DevServerHandle) -> String {
    registered(ds, 1).await;
    let workers = connections(ds).await;
    let live = workers.iter().rev().find(|w| w.gone_at.is_none());
    live.expect("a live worker").id.clone()
}

/// Waits until the worker has connected `count` times in all.
async fn connected_times(ds: &DevServerHandle, count: usize) {
    ds.wait_for_workers(WAIT, |w| w.len() >= count)
        .await
        .unwrap_or_else(|| panic!("fewer than {count} connections"));
}

/// A line over the worker's 16 MiB limit, which makes it drop the connection.
fn oversized_line() -> Vec<u8> {
    let mut line = b"data: ".to_vec();
    line.resize(17 * 1024 * 1024, b'x');
    line.push(b'\n');
    line
}

#[tokio::test]
async fn a_stream_that_starts_with_a_byte_order_mark_is_read() {
    let ds = DevServer::start(DevServerOptions::default().sse_bom(true))
        .await
        .unwrap();
    let (handle, probe) = serve_echo(&ds, events(&ds));
    let ids = create_and_complete(&ds, 3).await;
    assert!(ids.iter().all(|id| probe.runs_of(id) == 1));
    assert_eq!(connections(&ds).await.len(), 1, "no reconnect was needed");
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn invalid_utf8_does_not_deafen_the_worker() {
    let ds = devserver().await;
    let (handle, _probe) = serve_echo(&ds, events(&ds));
    let worker = live_worker(&ds).await;
    assert!(
        ds.inject_raw(
            &worker,
            &b"event: agent-execution\ndata: {\xFF\xFE}\n\n"[..]
        )
        .await
    );
    assert!(ds.inject_raw(&worker, &b": \xC3\x28 keepalive\n"[..]).await);
    create_and_complete(&ds, 2).await;
    assert_eq!(
        connections(&ds).await.len(),
        1,
        "the same connection still reads"
    );
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn an_oversized_event_replaces_the_connection_and_later_tasks_run() {
    let ds = devserver().await;
    let (handle, _probe) = serve_echo(&ds, events(&ds));
    let worker = live_worker(&ds).await;
    assert!(ds.inject_raw(&worker, oversized_line()).await);
    connected_times(&ds, 2).await;
    create_and_complete(&ds, 2).await;
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn a_huge_retry_is_capped_by_the_reconnect_backoff() {
    let ds = devserver().await;
    // The backoff's cap is 400 ms (see `events`).
    let (handle, _probe) = serve_echo(&ds, events(&ds));
    let worker = live_worker(&ds).await;
    assert!(ds.inject_raw(&worker, &b"retry: 999999999\n\n"[..]).await);
    let dropped = std::time::Instant::now();
    assert!(ds.inject_raw(&worker, oversized_line()).await);
    connected_times(&ds, 2).await;
    assert!(
        dropped.elapsed() < Duration::from_secs(5),
        "reconnected after {:?}",
        dropped.elapsed()
    );
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn last_event_id_is_sent_back_and_an_id_that_is_no_header_value_is_ignored() {
    let ds = devserver().await;
    let (handle, _probe) = serve_echo(&ds, events(&ds));
    let worker = live_worker(&ds).await;
    // The registration carried the server's id; this event's id cannot be a header.
    assert!(
        ds.inject_raw(&worker, &b"id: bad\x01id\ndata: ignored\n\n"[..])
            .await
    );
    assert!(ds.inject_raw(&worker, oversized_line()).await);
    connected_times(&ds, 2).await;
    let workers = connections(&ds).await;
    let sent: Vec<_> = workers
        .iter()
        .filter_map(|w| w.last_event_id.clone())
        .collect();
    assert_eq!(
        sent.len(),
        1,
        "only the reconnect sends Last-Event-ID: {sent:?}"
    );
    assert!(
        sent[0].parse::<u64>().is_ok(),
        "the last valid id (the server's), not the bad one: {:?}",
        sent[0]
    );
    // And the worker still serves.
    create_and_complete(&ds, 1).await;
    handle.stop().await.unwrap();
}
