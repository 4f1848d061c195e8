//! Run xpander.ai agent task handlers in Rust.
//!
//! Mark an async fn with [`on_task`], call [`run`] from `main`, and the runtime connects the
//! handler to the platform:
//!
//! ```no_run
//! use xpander_runtime::{on_task, Task};
//!
//! #[on_task(test_task = "What can you do?")]
//! async fn handle(mut task: Task) -> Task {
//!     task.result = Some(format!("You said: {}", task.input.text));
//!     task
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), xpander_runtime::Error> {
//!     xpander_runtime::run().await
//! }
//! ```
//!
//! [`model`] holds the platform's wire types, [`Configuration`] the settings, [`Agents`] and
//! [`Tasks`] the platform's REST operations, and [`registry`] what the macros registered.

// The macros name `::xpander_runtime::...`; this lets the crate use them on itself.
extern crate self as xpander_runtime;

mod agents;
pub mod backend;
mod backoff;
mod blocking;
mod config;
mod error;
mod events;
mod handler;
mod hooks;
mod local;
mod logging;
mod message;
pub mod model;
mod panic;
mod platform;
mod pyjson;
pub mod registry;
mod runner;
mod secret;
pub mod sse;
mod task_events;
mod task_ops;
mod task_stream;
mod tasks;
mod tool_calls;
mod tool_traits;

pub use agents::Agents;
pub use backend::{AgentArgs, Backend, BackendError, dispatch_get_args};
pub use backoff::{Backoff, RetryPolicy};
pub use config::{ConfigError, Configuration, ConfigurationBuilder};
pub use error::{Error, Result};
pub use events::{DEFAULT_INVOKE_PORT, DEFAULT_MAX_PLAN_RETRIES, Events, EventsHandle};
pub use handler::{Handler, HandlerError, HandlerResult, HookResult};
pub use local::{run, run_with_args};
pub use logging::{init_tracing, init_tracing_with};
pub use model::{
    Agent, AgentExecutionStatus, LocalTaskTest, OutputFormat, Task, TaskUpdateEvent, Tokens, User,
};
pub use model::{TaskFilters, TaskSummary};
pub use platform::Platform;
pub use secret::Secret;
pub use task_events::{BlockingTaskEvents, TaskEvent, TaskEvents};
pub use task_stream::TaskStream;
pub use tasks::Tasks;
pub use xpander_macros::{
    on_auth_event, on_boot, on_shutdown, on_task, on_tool_after, on_tool_before, on_tool_error,
    register_tool,
};

/// What the macros' output names. Not a public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::handler::{
        AuthAgentArgument, AuthEventArgument, AuthTaskArgument, BoxFuture, HandlerResult,
        HookResult, IntoConfiguration, IntoHookResult, IntoTaskResult, IntoTestTask, TaskArgument,
        TaskStreamArgument,
    };
    pub use crate::model::ToolCallInfo;
    pub use crate::model::{Agent, LocalTaskTest, Task, TaskUpdateEvent};
    pub use crate::registry::{
        AfterToolHook, BeforeToolHook, LocalTool, ToolErrorHook, ToolFn, ToolResult,
    };
    pub use crate::registry::{
        AuthHook, BootHook, HandlerInfo, HookFn, ShutdownHook, TaskFn, TaskHandler,
    };
    pub use crate::tool_traits::{
        ToolCallArgument, ToolErrorArgument, ToolOutcome, ToolOutput, ToolResultArgument,
        tool_arguments, tool_schema,
    };
    pub use crate::{Configuration, Error, TaskStream};
    pub use inventory;
    pub use schemars;
    pub use serde;
    pub use serde_json::Value;
}
