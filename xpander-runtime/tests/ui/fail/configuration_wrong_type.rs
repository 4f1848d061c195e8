// Rule: `configuration` is a `Configuration` or a `Result` of one.
use xpander_runtime::{Task, on_task};

#[on_task(configuration = "https://inbound.xpander.ai")]
async fn handle(task: Task) -> Task {
    task
}

fn main() {}
