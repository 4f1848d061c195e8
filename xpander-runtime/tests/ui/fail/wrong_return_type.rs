// Rule: a task handler returns `Task` or `Result<Task, E>` (the error is on the return type).
use xpander_runtime::{Task, on_task};

#[on_task]
async fn handle(task: Task) -> String {
    task.input.text
}

fn main() {}
