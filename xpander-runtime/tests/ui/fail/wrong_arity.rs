// Rule: a task handler takes exactly one argument.
use xpander_runtime::{Task, on_task};

#[on_task]
async fn handle(task: Task, retries: u32) -> Task {
    let _ = retries;
    task
}

fn main() {}
