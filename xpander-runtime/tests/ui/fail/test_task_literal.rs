// Rule: a literal `test_task` is a prompt string.
use xpander_runtime::{Task, on_task};

#[on_task(test_task = 42)]
async fn handle(task: Task) -> Task {
    task
}

fn main() {}
