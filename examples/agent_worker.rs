//! A worker that runs the platform's agent in Rust: the model, its key and headers, the
//! instructions, the platform tools and MCP servers, as the agent is configured on the
//! platform, plus a tool of its own (`#[register_tool]`) and a hook that logs every tool call.
//! Tool calls appear live on the task; the answer, tokens and model are saved.
//!
//! ```sh
//! cargo run --example agent_worker --features agent
//! ```
//!
//! Offline against `xpander-devserver` (its scripted LLM answers): see the README.

use serde_json::Value;
use xpander_runtime::model::ToolCallInfo;
use xpander_runtime::{Backend, Task, on_task, on_tool_after};

#[on_task]
async fn handle(mut task: Task) -> Result<Task, xpander_runtime::Error> {
    Backend::default()
        .aget_agent()
        .for_task(&mut task)
        .await?
        .run(&mut task)
        .await?;
    Ok(task)
}

/// Converts a temperature from Celsius to Fahrenheit.
#[xpander_runtime::register_tool]
fn celsius_to_fahrenheit(celsius: f64) -> f64 {
    celsius * 9.0 / 5.0 + 32.0
}

#[on_tool_after]
fn log_tool_call(call: &ToolCallInfo, result: &Value) {
    tracing::info!(tool = %call.name, kind = ?call.kind, %result, "tool called");
}

#[tokio::main]
async fn main() -> Result<(), xpander_runtime::Error> {
    xpander_runtime::init_tracing();
    xpander_runtime::run().await
}
