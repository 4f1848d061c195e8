//! A worker that runs the platform's agent in Rust: the model, its key and headers, the
//! instructions, the platform tools and MCP servers, as the agent is configured on the
//! platform. Tool calls appear live on the task; the answer, tokens and model are saved.
//!
//! ```sh
//! cargo run --example agent_worker --features agent
//! ```
//!
//! Offline against `xpander-devserver` (its scripted LLM answers): see the README.

use xpander_runtime::{Backend, Task, on_task};

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

#[tokio::main]
async fn main() -> Result<(), xpander_runtime::Error> {
    xpander_runtime::init_tracing();
    xpander_runtime::run().await
}
