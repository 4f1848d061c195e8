// Rule: a task handler returns the task.
use xpander_runtime::{Task, on_task};

#[on_task]
async fn handle(task: Task) {
    let _ = task;
}

fn main() {}
