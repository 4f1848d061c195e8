// Rule: a task handler takes one argument, or two to stream.
use xpander_runtime::{Task, TaskStream, on_task};

#[on_task]
async fn handle(task: Task, stream: TaskStream, retries: u32) -> Task {
    let _ = (stream, retries);
    task
}

fn main() {}
