//! The smallest xpander worker: one task handler with a local test task, one auth-event hook.
//!
//! `cargo run --example quickstart` with no variables set runs the test task locally and prints
//! the result. With XPANDER_API_KEY, XPANDER_ORGANIZATION_ID and XPANDER_AGENT_ID set, the test
//! task runs on the platform (created for this worker, never dispatched elsewhere) and the
//! process exits; a handler without `test_task` serves the agent's tasks until SIGTERM.
//!
//! `XPANDER_AGENT_FILE=examples/agent.json cargo run --example quickstart` also resolves the
//! agent's runtime arguments (model, instructions, tools) from that file, with no platform.

use xpander_runtime::{Agent, Backend, Task, TaskUpdateEvent, on_auth_event, on_task};

#[on_task(test_task = "What can you do?")]
async fn handle(mut task: Task) -> Result<Task, xpander_runtime::Error> {
    let prompt = task.to_message().await;
    let mut result = format!("I received {} characters: {prompt}", prompt.chars().count());
    // An agent file makes the Backend work offline: resolve what a framework would run.
    if std::env::var_os("XPANDER_AGENT_FILE").is_some() {
        let args = Backend::default().aget_args().task(&mut task).await?;
        let model = args
            .model
            .as_ref()
            .map_or("the overriding model", |m| m.model_id.as_str());
        result.push_str(&format!("\n{} would answer with {model}", args.name));
    }
    task.result = Some(result);
    Ok(task)
}

#[on_auth_event]
async fn login(agent: &Agent, task: &Task, event: &TaskUpdateEvent) {
    println!(
        "{} needs a login for task {}: {}",
        agent.name, task.id, event.data
    );
}

#[tokio::main]
async fn main() -> Result<(), xpander_runtime::Error> {
    xpander_runtime::run().await
}
