// Rule: a tool hook takes the call as `&ToolCallInfo` (the error is on the argument's type).
use xpander_runtime::{Task, on_tool_before};

#[on_tool_before]
async fn before(task: &Task) {
    let _ = task;
}

fn main() {}
