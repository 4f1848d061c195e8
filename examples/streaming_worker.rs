//! A worker whose handler streams its answer word by word, as a model streams tokens: each word
//! is a `chunk` event while the task runs, and the whole answer is the task's result.
//!
//! - Offline (no `XPANDER_API_KEY`): `cargo run --example streaming_worker -- --invoke --prompt
//!   "some words"` runs the handler once, printing the chunks to stderr as they come and the
//!   result to stdout.
//! - Against the platform or `xpander-devserver`: serves the agent's tasks; watch one with
//!   `cargo run --example watch_task -- "some prompt"`, or call the worker's `/invoke` server
//!   (see the README), which answers with the events as `text/event-stream`.

use std::time::Duration;

use xpander_runtime::{Task, TaskStream, on_task};

/// The pause between words (a model's pace; `STREAM_WORD_DELAY_MS` to change it).
fn word_delay() -> Duration {
    let millis = std::env::var("STREAM_WORD_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120);
    Duration::from_millis(millis)
}

#[on_task]
async fn stream_words(mut task: Task, stream: TaskStream) -> Task {
    let delay = word_delay();
    let mut answer = String::new();
    for word in task.input.text.split_whitespace() {
        let piece = if answer.is_empty() {
            word.to_owned()
        } else {
            format!(" {word}")
        };
        stream.chunk(&piece).await;
        answer.push_str(&piece);
        tokio::time::sleep(delay).await;
    }
    task.result = Some(answer);
    task
}

#[tokio::main]
async fn main() -> Result<(), xpander_runtime::Error> {
    xpander_runtime::init_tracing();
    xpander_runtime::run().await
}
