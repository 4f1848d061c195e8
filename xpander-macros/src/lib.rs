//! Attribute macros for `xpander-runtime`: `#[on_task]`, `#[on_auth_event]`, `#[on_boot]`,
//! `#[on_shutdown]`, `#[register_tool]` and the tool hooks `#[on_tool_before]`,
//! `#[on_tool_after]`, `#[on_tool_error]`. Use them through `xpander_runtime`, which re-exports them and documents
//! them.
//!
//! Each macro keeps the user's function exactly as written and adds a hidden registration
//! (`const _: () = { ... };`) that names only `::xpander_runtime::__private::...` (or the path
//! given with `crate = "..."`) and `::core`/`::std`. The macro checks shapes (a free `fn`, no
//! generics, the number of arguments, the attribute keys); types are checked by traits of the
//! runtime, so a wrong type is reported on that type. On an error the function is still
//! emitted, next to the `compile_error!`, so one mistake gives one error.

use proc_macro::TokenStream;

mod args;
mod emit;
mod shape;
mod tool;

#[cfg(test)]
mod snapshots;

/// Registers an async (or plain) fn as the handler of every task the platform pushes.
///
/// Forms: `async fn(Task) -> Task`, `async fn(Task) -> Result<Task, E>` (`E: Display`), the
/// same as a plain `fn` (run on a thread of its own), and a streaming handler,
/// `async fn(Task, TaskStream)` returning either, which sends live events while it runs. Keys: `test_task = EXPR` (a prompt
/// string, or anything converting into `LocalTaskTest`), `configuration = EXPR` (a
/// `Configuration`, or a `Result` of one, evaluated at start-up), `agent_id = "..."` (route
/// one agent's tasks here), `crate = "path"` (the runtime under another name).
#[proc_macro_attribute]
pub fn on_task(attr: TokenStream, item: TokenStream) -> TokenStream {
    emit::expand(emit::Kind::Task, attr.into(), item.into()).into()
}

/// Registers a global hook for authentication events (MCP OAuth logins):
/// `async fn(&Agent, &Task, &TaskUpdateEvent)` returning `()` or `Result<(), E>`, or the same
/// as a plain `fn`. Key: `crate = "path"`.
#[proc_macro_attribute]
pub fn on_auth_event(attr: TokenStream, item: TokenStream) -> TokenStream {
    emit::expand(emit::Kind::AuthEvent, attr.into(), item.into()).into()
}

/// Registers a hook run before the worker connects: `async fn()` or `fn()`, returning `()` or
/// `Result<(), E>`; an error stops start-up. Key: `crate = "path"`.
#[proc_macro_attribute]
pub fn on_boot(attr: TokenStream, item: TokenStream) -> TokenStream {
    emit::expand(emit::Kind::Boot, attr.into(), item.into()).into()
}

/// Registers a hook run after the worker drained: `async fn()` or `fn()`, returning `()` or
/// `Result<(), E>`; an error is logged. Key: `crate = "path"`.
#[proc_macro_attribute]
pub fn on_shutdown(attr: TokenStream, item: TokenStream) -> TokenStream {
    emit::expand(emit::Kind::Shutdown, attr.into(), item.into()).into()
}

/// Registers a fn as a local tool the agent can call: its name (or `name = "..."`), its doc
/// comment as the description (required), the JSON schema of its arguments (named arguments
/// gathered into one object, or one argument of a struct type as the whole input; each
/// `Deserialize + JsonSchema`), and its output (`Serialize`, or `Result<T, E: Display>`).
/// `add_to_graph = true` puts it in the agent's graph when synced. Key: `crate = "path"`.
#[proc_macro_attribute]
pub fn register_tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    tool::expand(attr.into(), item.into()).into()
}

/// Registers a hook run before every tool call the agent makes (and every
/// `PlatformTool::ainvoke`): `async fn(&ToolCallInfo)` returning `()` or `Result<(), E>`, or
/// the same as a plain `fn`. Key: `crate = "path"`.
#[proc_macro_attribute]
pub fn on_tool_before(attr: TokenStream, item: TokenStream) -> TokenStream {
    emit::expand(emit::Kind::ToolBefore, attr.into(), item.into()).into()
}

/// Registers a hook run after every tool call that succeeded, with its result:
/// `async fn(&ToolCallInfo, &Value)` returning `()` or `Result<(), E>`, or the same as a plain
/// `fn`. Key: `crate = "path"`.
#[proc_macro_attribute]
pub fn on_tool_after(attr: TokenStream, item: TokenStream) -> TokenStream {
    emit::expand(emit::Kind::ToolAfter, attr.into(), item.into()).into()
}

/// Registers a hook run after every tool call that failed, with the error's text:
/// `async fn(&ToolCallInfo, &str)` returning `()` or `Result<(), E>`, or the same as a plain
/// `fn`. Key: `crate = "path"`.
#[proc_macro_attribute]
pub fn on_tool_error(attr: TokenStream, item: TokenStream) -> TokenStream {
    emit::expand(emit::Kind::ToolError, attr.into(), item.into()).into()
}
