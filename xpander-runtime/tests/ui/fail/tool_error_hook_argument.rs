// Rule: an `#[on_tool_error]` hook's second argument is the error's text, `&str`.
use xpander_runtime::model::ToolCallInfo;
use xpander_runtime::on_tool_error;

#[on_tool_error]
async fn failed(call: &ToolCallInfo, error: &std::io::Error) {
    let _ = (call, error);
}

fn main() {}
