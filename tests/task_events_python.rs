//! The official Python SDK (2.0.537) watching tasks on the devserver: its own
//! `test_create_task_with_events`, and a `Task.aevents()` consumer that sees what the Rust
//! consumer sees. Skipped with `XPANDER_SKIP_PYTHON_INTEROP=1`.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};
use xpander_devserver::DevServerHandle;
use xpander_devserver::python::{sdk_python, sdk_worker_command};

use super::*;

async fn python() -> Option<PathBuf> {
    match tokio::task::spawn_blocking(sdk_python).await.unwrap() {
        Ok(found) => found,
        Err(e) => panic!("{e}"),
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../xpander-devserver/tests/python/interop_task_events.py")
}

/// `interop_task_events.py mode arg`, its output read line by line.
struct Script {
    _child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    seen: Vec<String>,
}

impl Script {
    fn spawn(python: &Path, server: &DevServerHandle, mode: &str, arg: &str) -> Self {
        let mut child = Command::from(sdk_worker_command(python, server))
            .arg(script())
            .args([mode, arg])
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python starts");
        let stdout = child.stdout.take().unwrap();
        Self {
            _child: child,
            lines: BufReader::new(stdout).lines(),
            seen: Vec::new(),
        }
    }

    /// Reads until a line starting with `prefix`; the rest of that line.
    async fn until(&mut self, prefix: &str) -> String {
        loop {
            let line = tokio::time::timeout(Duration::from_secs(180), self.lines.next_line())
                .await
                .unwrap_or_else(|_| panic!("no {prefix} line in time; output: {:?}", self.seen))
                .unwrap();
            let Some(line) = line else {
                panic!("the script ended before {prefix}; output: {:?}", self.seen);
            };
            if let Some(rest) = line.strip_prefix(prefix) {
                return rest.trim().to_owned();
            }
            self.seen.push(line);
        }
    }

    async fn result(&mut self) -> Value {
        serde_json::from_str(&self.until("RESULT ").await).unwrap()
    }
}

#[tokio::test]
async fn the_sdks_test_create_task_with_events_passes() {
    let Some(python) = python().await else { return };
    let server = start().await;
    let mut script = Script::spawn(&python, &server, "sdk_test", server.agent_id());
    let result = script.result().await;
    assert_eq!(result["content_type"], "text/event-stream");
    assert_eq!(
        result["events"],
        json!([["connected", {}], ["task_created", "pending"]])
    );
    let task = server
        .task(result["task_id"].as_str().unwrap())
        .await
        .unwrap();
    assert!(task.events_streaming);
}

#[tokio::test]
async fn a_python_consumer_sees_what_the_rust_consumer_sees() {
    let Some(python) = python().await else { return };
    let server = start().await;
    let task = create(&server, true).await;
    let mut script = Script::spawn(&python, &server, "watch", &task.id);
    script.until("CONNECTED").await;
    let mut rx = watch(&task);
    let first = next(&mut rx).await;
    // Create with streaming, a worker runs it, pushes two chunks, completes.
    let worker = serve(&server);
    let mut rust = vec![summary(&first)];
    rust.extend(rest(rx).await);
    worker.stop().await.unwrap();
    let python = script.result().await;
    assert_eq!(python["events"], Value::Array(rust));
    assert_eq!(python["events"], expected_sequence());
}
