// Rule: an `#[on_tool_after]` hook takes the call and the result.
use xpander_runtime::model::ToolCallInfo;
use xpander_runtime::on_tool_after;

#[on_tool_after]
async fn after(call: &ToolCallInfo) {
    let _ = call;
}

fn main() {}
