// Rule: a streaming handler's second argument is a `TaskStream` (the error is on its type).
use xpander_runtime::{Task, on_task};

#[on_task]
async fn handle(task: Task, retries: u32) -> Task {
    let _ = retries;
    task
}

fn main() {}
