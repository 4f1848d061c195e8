//! A long-running worker whose handler makes every path observable:
//!
//! - it answers the prompt (as `{"echo": text}` when the task's output format is json);
//! - `sleep:MS rest` sleeps MS milliseconds first, then answers `rest`;
//! - a prompt starting with `panic` panics; one starting with `fail` returns an error.
//!
//! Run it against `xpander-devserver` (see the README), with `RUST_LOG=debug` for more.

use std::time::Duration;

use xpander_runtime::{OutputFormat, Task, on_task};

#[on_task]
async fn echo(mut task: Task) -> Result<Task, String> {
    let prompt = task.input.text.clone();
    let mut text = prompt.as_str();
    if let Some(rest) = text.strip_prefix("sleep:") {
        let (millis, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        let millis: u64 = millis
            .parse()
            .map_err(|_| format!("`sleep:{millis}` is not a number of milliseconds"))?;
        tokio::time::sleep(Duration::from_millis(millis)).await;
        text = rest;
    }
    if text.starts_with("panic") {
        panic!("asked to panic: {text}");
    }
    if text.starts_with("fail") {
        return Err(format!("asked to fail: {text}"));
    }
    if task.output_format == Some(OutputFormat::Json) {
        task.set_result_json(&serde_json::json!({ "echo": text }));
    } else {
        task.result = Some(text.to_owned());
    }
    Ok(task)
}

#[tokio::main]
async fn main() -> Result<(), xpander_runtime::Error> {
    xpander_runtime::init_tracing();
    xpander_runtime::run().await
}
