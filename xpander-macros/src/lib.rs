//! Attribute macros for `xpander-runtime`: `#[on_task]`, `#[on_auth_event]`, `#[on_boot]` and
//! `#[on_shutdown]`. Use them through `xpander_runtime`, which re-exports them and documents
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
