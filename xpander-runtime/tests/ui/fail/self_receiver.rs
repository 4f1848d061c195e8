// Rule: handlers are free functions, not methods (no `self`).
use xpander_runtime::{Task, on_task};

struct Worker;

impl Worker {
    #[on_task]
    async fn handle(&self, task: Task) -> Task {
        task
    }
}

fn main() {}
