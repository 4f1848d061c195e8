// Rule: only the listed attribute keys are accepted.
use xpander_runtime::{Task, on_task};

#[on_task(retries = 3)]
async fn handle(task: Task) -> Task {
    task
}

fn main() {}
