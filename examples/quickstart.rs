//! The smallest xpander worker: one task handler with a local test task, one auth-event hook.
//!
//! `cargo run --example quickstart` with no variables set runs the test task locally and prints
//! the result. With XPANDER_API_KEY, XPANDER_ORGANIZATION_ID and XPANDER_AGENT_ID set, the test
//! task runs on the platform (created for this worker, never dispatched elsewhere) and the
//! process exits; a handler without `test_task` serves the agent's tasks until SIGTERM.

use xpander_runtime::{Agent, Task, TaskUpdateEvent, on_auth_event, on_task};

#[on_task(test_task = "What can you do?")]
async fn handle(mut task: Task) -> Task {
    let prompt = task.to_message().await;
    task.result = Some(format!(
        "I received {} characters: {prompt}",
        prompt.chars().count()
    ));
    task
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
