//! What `#[register_tool]` and the tool hooks register: [`LocalTool`]s, and
//! [`BeforeToolHook`], [`AfterToolHook`] and [`ToolErrorHook`]s.

use std::fmt;

use serde_json::Value;

use super::HandlerInfo;
use crate::handler::{BoxFuture, HookResult};
use crate::model::ToolCallInfo;

/// What a local tool's call produced: its output as JSON, or the error the model sees.
pub type ToolResult = Result<Value, String>;

/// How a local tool is called: with its arguments as JSON.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum ToolFn {
    /// An `async fn`.
    Async(fn(Value) -> BoxFuture<'static, ToolResult>),
    /// A plain `fn`, run on a thread of its own.
    Blocking(fn(Value) -> ToolResult),
}

/// A function of yours the agent can call: registered by `#[register_tool]`.
pub struct LocalTool {
    info: HandlerInfo,
    name: &'static str,
    description: &'static str,
    schema: fn() -> Value,
    call: ToolFn,
    add_to_graph: bool,
}

impl LocalTool {
    #[doc(hidden)]
    pub const fn new(
        info: HandlerInfo,
        name: &'static str,
        description: &'static str,
        schema: fn() -> Value,
        call: ToolFn,
        add_to_graph: bool,
    ) -> Self {
        Self {
            info,
            name,
            description,
            schema,
            call,
            add_to_graph,
        }
    }

    /// Where it was declared.
    pub fn info(&self) -> &HandlerInfo {
        &self.info
    }

    /// The name the model calls it by: the fn's name, or `name = "..."`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What it does: the fn's doc comment.
    pub fn description(&self) -> &'static str {
        self.description
    }

    /// The JSON schema of its arguments.
    pub fn parameters(&self) -> Value {
        (self.schema)()
    }

    /// How it is called.
    pub fn call(&self) -> ToolFn {
        self.call
    }

    /// Whether it goes into the agent's graph when synced (`add_to_graph = true`).
    pub fn add_to_graph(&self) -> bool {
        self.add_to_graph
    }
}

impl fmt::Debug for LocalTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalTool")
            .field("name", &self.name)
            .field("info", &self.info)
            .field("add_to_graph", &self.add_to_graph)
            .finish_non_exhaustive()
    }
}

/// How an `#[on_tool_before]` hook is called.
pub type BeforeToolFn = for<'a> fn(&'a ToolCallInfo) -> BoxFuture<'a, HookResult>;
/// How an `#[on_tool_after]` hook is called: with the tool's result.
pub type AfterToolFn = for<'a> fn(&'a ToolCallInfo, &'a Value) -> BoxFuture<'a, HookResult>;
/// How an `#[on_tool_error]` hook is called: with the error's text.
pub type ToolErrorFn = for<'a> fn(&'a ToolCallInfo, &'a str) -> BoxFuture<'a, HookResult>;

macro_rules! tool_hook {
    ($(#[$doc:meta])* $name:ident, $call:ty) => {
        $(#[$doc])*
        pub struct $name {
            info: HandlerInfo,
            call: $call,
        }

        impl $name {
            #[doc(hidden)]
            pub const fn new(info: HandlerInfo, call: $call) -> Self {
                Self { info, call }
            }

            /// Where it was declared.
            pub fn info(&self) -> &HandlerInfo {
                &self.info
            }

            /// How it is called.
            pub fn call(&self) -> $call {
                self.call
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).field("info", &self.info).finish()
            }
        }

        inventory::collect!($name);
    };
}

tool_hook!(
    /// A registered `#[on_tool_before]` hook: runs before every tool call.
    BeforeToolHook,
    BeforeToolFn
);
tool_hook!(
    /// A registered `#[on_tool_after]` hook: runs after every tool call that succeeded.
    AfterToolHook,
    AfterToolFn
);
tool_hook!(
    /// A registered `#[on_tool_error]` hook: runs after every tool call that failed.
    ToolErrorHook,
    ToolErrorFn
);

inventory::collect!(LocalTool);
