// Rule: a handler's future is `Send` (the worker runs tasks on many threads).
use std::rc::Rc;

use xpander_runtime::{Task, on_task};

#[on_task]
async fn handle(task: Task) -> Task {
    let shared = Rc::new(1);
    tokio::task::yield_now().await;
    let _ = shared;
    task
}

fn main() {}
