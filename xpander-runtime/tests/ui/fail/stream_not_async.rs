// Rule: a streaming handler (one taking a `TaskStream`) is an `async fn`.
use xpander_runtime::{Task, TaskStream, on_task};

#[on_task]
fn handle(task: Task, stream: TaskStream) -> Task {
    let _ = stream;
    task
}

fn main() {}
