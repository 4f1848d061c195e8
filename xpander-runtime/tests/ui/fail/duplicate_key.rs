// Rule: each attribute key is given once.
use xpander_runtime::{Task, on_task};

#[on_task(test_task = "first", test_task = "second")]
async fn handle(task: Task) -> Task {
    task
}

fn main() {}
