// Rule: handlers cannot be generic.
use xpander_runtime::{Task, on_task};

#[on_task]
async fn handle<T: Default>(task: Task) -> Task {
    let _ = T::default();
    task
}

fn main() {}
