//! Calling tools the way every tool call is made: a local tool with its panics caught, and
//! any tool call inside the `#[on_tool_before]` / `#[on_tool_after]` / `#[on_tool_error]`
//! hooks (in registry order; a hook's error or panic is logged with its name and stops
//! nothing).

use std::future::Future;

use tracing::error;

use crate::model::ToolCallInfo;
use crate::panic::{caught, panic_message};
use crate::registry::{self, ToolResult};
#[cfg(feature = "agent")]
use {
    crate::panic::on_own_thread,
    crate::registry::{LocalTool, ToolFn},
    serde_json::Value,
};

/// Calls `tool` with `arguments`: its output, or the error the model sees (a panic included).
#[cfg(feature = "agent")]
pub(crate) async fn call_local(tool: &LocalTool, arguments: Value) -> ToolResult {
    let outcome = match tool.call() {
        ToolFn::Async(call) => caught(|| call(arguments)).await,
        ToolFn::Blocking(call) => on_own_thread(move || call(arguments)).await,
    };
    outcome.unwrap_or_else(|panic| Err(format!("the tool panicked: {}", panic_message(&*panic))))
}

/// Runs `call` between the tool hooks: the before hooks, then the call, then the after hooks
/// with its result or the error hooks with its error. Returns the call's outcome unchanged.
pub(crate) async fn with_hooks(
    info: &ToolCallInfo,
    call: impl Future<Output = ToolResult>,
) -> ToolResult {
    for hook in registry::before_tool_hooks() {
        let run = hook.call();
        report(hook.info(), info, "before", caught(|| run(info)).await);
    }
    let outcome = call.await;
    match &outcome {
        Ok(result) => {
            for hook in registry::after_tool_hooks() {
                let run = hook.call();
                report(
                    hook.info(),
                    info,
                    "after",
                    caught(|| run(info, result)).await,
                );
            }
        }
        Err(message) => {
            for hook in registry::tool_error_hooks() {
                let run = hook.call();
                report(
                    hook.info(),
                    info,
                    "error",
                    caught(|| run(info, message)).await,
                );
            }
        }
    }
    outcome
}

/// Logs a hook's failure, naming the hook and the tool.
fn report(
    hook: &registry::HandlerInfo,
    call: &ToolCallInfo,
    when: &str,
    outcome: crate::panic::Caught<crate::HookResult>,
) {
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => error!(hook = %hook, tool = %call.name, when, error = %e, "tool hook failed"),
        Err(panic) => error!(
            hook = %hook, tool = %call.name, when, panic = %panic_message(&*panic),
            "tool hook panicked"
        ),
    }
}
