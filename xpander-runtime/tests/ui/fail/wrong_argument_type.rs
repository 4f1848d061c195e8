// Rule: a task handler's argument is a `Task` (the error is on the argument's type).
use xpander_runtime::{Task, on_task};

#[on_task]
async fn handle(prompt: String) -> Task {
    Task::from_prompt(prompt)
}

fn main() {}
