// Rule: a `test_task` expression converts into `LocalTaskTest`.
use xpander_runtime::{Task, on_task};

#[on_task(test_task = vec!["a prompt"])]
async fn handle(task: Task) -> Task {
    task
}

fn main() {}
