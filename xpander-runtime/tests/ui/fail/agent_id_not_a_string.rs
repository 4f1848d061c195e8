// Rule: `agent_id` is a string literal.
use xpander_runtime::{Task, on_task};

#[on_task(agent_id = 42)]
async fn handle(task: Task) -> Task {
    task
}

fn main() {}
