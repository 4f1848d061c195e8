//! `Task::to_message` fetches the task's file URLs only from allowed hosts, re-checks every
//! redirect, and caps the size.

mod common;

use axum::body::Body;
use axum::response::Response;
use common::{TestServer, config_for, text};
use xpander_runtime::Configuration;
use xpander_runtime::model::Task;

fn redirect(to: &str) -> Response {
    Response::builder()
        .status(302)
        .header("location", to)
        .body(Body::empty())
        .unwrap()
}

/// The `content` of the `n`-th inlined file.
fn content(message: &str, n: usize) -> String {
    let line = message
        .lines()
        .skip_while(|l| *l != "Files contents:")
        .nth(n + 1)
        .unwrap_or_else(|| panic!("no file {n} in {message}"));
    let entry: serde_json::Value = serde_json::from_str(line).unwrap();
    entry["content"].as_str().unwrap().to_owned()
}

fn public_platform() -> Configuration {
    config_for("https://platform.example.com")
}

#[tokio::test]
async fn metadata_and_link_local_urls_are_never_fetched() {
    let mut task = Task::from_prompt("Read").with_configuration(public_platform());
    task.input.files = vec![
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/role.txt".into(),
        "http://metadata.google.internal/computeMetadata/v1/token.json".into(),
        "http://[fd00:ec2::254]/latest/meta-data/x.txt".into(),
    ];
    let started = std::time::Instant::now();
    let message = task.to_message().await;
    for n in 0..3 {
        let content = content(&message, n);
        assert!(content.starts_with("Error: not fetched"), "{content}");
    }
    assert!(started.elapsed().as_secs() < 2, "nothing was attempted");
}

#[tokio::test]
async fn local_urls_are_refused_for_a_task_from_a_public_platform() {
    let files = TestServer::start(|_, _| text(200, "text/plain", "internal data")).await;
    let mut task = Task::from_prompt("Read").with_configuration(public_platform());
    task.input.files = vec![
        format!("{}/notes.txt", files.base_url),
        "http://localhost:1/notes.txt".into(),
        "http://10.0.0.7/notes.txt".into(),
    ];
    let message = task.to_message().await;
    for n in 0..3 {
        let content = content(&message, n);
        assert!(content.starts_with("Error: not fetched"), "{content}");
    }
    assert_eq!(files.requests().len(), 0, "the local server saw no request");
}

#[tokio::test]
async fn a_redirect_is_checked_before_it_is_followed() {
    let files = TestServer::start(|seen, _| match seen.uri.path() {
        "/to-metadata.txt" => redirect("http://169.254.169.254/latest/meta-data/x.txt"),
        "/moved.txt" => redirect("/notes.txt"),
        "/loop.txt" => redirect("/loop.txt"),
        "/notes.txt" => text(200, "text/plain", "the notes"),
        _ => text(404, "text/plain", "nope"),
    })
    .await;
    // A devserver-like platform on loopback: its own files may be fetched.
    let mut task = Task::from_prompt("Read").with_configuration(files.config());
    task.input.files = ["/to-metadata.txt", "/moved.txt", "/loop.txt"]
        .map(|path| format!("{}{path}", files.base_url))
        .to_vec();
    let message = task.to_message().await;
    let refused = content(&message, 0);
    assert!(refused.starts_with("Error: not fetched"), "{refused}");
    assert_eq!(content(&message, 1), "the notes");
    let looped = content(&message, 2);
    assert_eq!(looped, "Error: more than 5 redirects");
}

#[tokio::test]
async fn a_file_over_the_cap_is_not_read_whole() {
    let big = "x".repeat(4 * 1024 * 1024 + 1);
    let files = TestServer::start(move |seen, _| match seen.uri.path() {
        // Without a length: the cap holds while streaming.
        "/streamed.txt" => {
            let chunks = (0..5).map(|_| Ok::<_, std::io::Error>(vec![b'y'; 1024 * 1024]));
            Response::builder()
                .header("content-type", "text/plain")
                .body(Body::from_stream(futures_util::stream::iter(chunks)))
                .unwrap()
        }
        "/small.txt" => text(200, "text/plain", "small"),
        _ => text(200, "text/plain", &big),
    })
    .await;
    let mut task = Task::from_prompt("Read").with_configuration(files.config());
    task.input.files = ["/big.txt", "/streamed.txt", "/small.txt"]
        .map(|path| format!("{}{path}", files.base_url))
        .to_vec();
    let message = task.to_message().await;
    for n in 0..2 {
        let content = content(&message, n);
        assert!(
            content.starts_with("Error: the file is larger than 4194304 bytes"),
            "{}",
            &content[..content.len().min(200)]
        );
    }
    assert_eq!(content(&message, 2), "small");
    assert!(message.len() < 10_000, "no large content inlined");
}
