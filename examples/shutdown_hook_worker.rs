//! A worker whose `#[on_shutdown]` hook says it ran, so a test can see a graceful shutdown end
//! to end: the chaos suite (tests/chaos/shutdown.rs) sends it SIGTERM with tasks in flight, then reads
//! the hook's line from its stdout.
//!
//! A prompt `sleep:MS rest` sleeps MS milliseconds, then answers `rest`; any other prompt is
//! echoed. Run it against `xpander-devserver` like `echo_worker`.

use std::time::Duration;

use xpander_runtime::{Task, on_shutdown, on_task};

/// The line the shutdown hook prints.
const GOODBYE: &str = "shutdown hook ran";

#[on_task]
async fn slow_echo(mut task: Task) -> Task {
    let prompt = task.input.text.clone();
    let mut text = prompt.as_str();
    if let Some((millis, rest)) = text
        .strip_prefix("sleep:")
        .and_then(|rest| rest.split_once(' '))
        && let Ok(millis) = millis.parse()
    {
        tokio::time::sleep(Duration::from_millis(millis)).await;
        text = rest;
    }
    task.result = Some(text.to_owned());
    task
}

#[on_shutdown]
fn say_goodbye() {
    // Runs after every task was saved and `worker-finished` was sent.
    println!("{GOODBYE}");
}

#[tokio::main]
async fn main() -> Result<(), xpander_runtime::Error> {
    xpander_runtime::init_tracing();
    xpander_runtime::run().await
}
