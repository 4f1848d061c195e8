//! What several integration tests share.

#![allow(dead_code)]

use std::path::PathBuf;

/// An example binary: examples are built next to the test binaries (target/<profile>/examples)
/// by `cargo test`.
pub fn example(name: &str) -> PathBuf {
    let deps = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    deps.parent().unwrap().join("examples").join(name)
}

/// Opens a devserver login URL as the user's browser would (the devserver then approves the
/// login).
pub async fn open_login(url: &str) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (host, path) = url
        .strip_prefix("http://")
        .expect("a loopback URL")
        .split_once('/')
        .unwrap();
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// Waits (up to 10 s) for the platform to hold a login event for the task, then opens its URL
/// as the user would.
pub async fn approve_when_asked(
    server: std::sync::Arc<xpander_devserver::DevServerHandle>,
    task_id: String,
) {
    let url = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let events = server
                .task_info(&task_id)
                .await
                .map(|t| t.events)
                .unwrap_or_default();
            if let Some(url) = events
                .iter()
                .find_map(|e| e["data"]["data"]["url"].as_str())
            {
                return url.to_owned();
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("a login event within 10 s");
    open_login(&url).await;
}

mod process;

#[allow(unused_imports)] // not every test binary runs a worker process
pub use process::WorkerProcess;
