//! The Backend: an agent's runtime arguments for your framework ([`Backend::aget_args`]),
//! invoking an agent ([`Backend::ainvoke_agent`]) and recording runs made elsewhere
//! ([`Backend::areport_external_task`]), as the Python SDK's `Backend` module does.
//!
//! ```no_run
//! use xpander_runtime::{Backend, Task, on_task};
//!
//! #[on_task]
//! async fn handle(mut task: Task) -> Result<Task, xpander_runtime::Error> {
//!     // The agent and version the task was created for, with the task's context.
//!     let args = Backend::default().aget_args().for_task(&mut task).await?;
//!     let model = args.model.as_ref().map_or("(override)", |m| m.model_id.as_str());
//!     task.result = Some(format!("{} would answer with {model}", args.name));
//!     Ok(task)
//! }
//! ```
//!
//! Each Python keyword argument is a builder method of the same name (`override` is
//! [`GetArgs::overrides`], a reserved word in Rust); each blocking method (`get_args`,
//! `invoke_agent`, `report_external_task`) is finished with `.call()` and works from plain
//! code and inside a tokio runtime alike.
//!
//! Without `XPANDER_API_KEY`, point `XPANDER_AGENT_FILE` at an agent JSON file (or pass an
//! agent to [`BackendBuilder::local_agent`]) and args resolve with no platform and no HTTP.
//!
//! Inside, data flows one way: the call builders (`request`) resolve (`resolve`: every
//! platform read) and assemble (`assemble`: pure rules) an [`AgentArgs`], plain data that a
//! [`frameworks::FrameworkAdapter`] renders. The LLM rules live in `llm`.

// Leaves: data, errors, helpers.
mod agent_file;
mod args;
mod cache;
mod env;
mod platform;
mod pyrepr;
mod tools;
// What resolution reads and decides.
mod assemble;
mod auth;
mod knowledge;
mod llm;
mod loader;
mod mcp;
mod resolve;
// Rendering, then the entry points.
#[cfg(feature = "agent")]
mod engine;
pub mod frameworks;
mod request;
mod service;
mod settings;

#[cfg(test)]
mod tests;

pub use crate::error::BackendError;
pub use crate::model::KnowledgeHit;
pub use args::{
    AgentArgs, CustomTool, DatetimeSpec, DbSpec, Guardrail, KnowledgeSpec, LocalToolSpec,
    McpConnection, McpToolSpec, OutputSpec, PlanSpec, SessionSpec, TeamSpec, ToolSpec,
};
pub use assemble::render_instructions;
pub use auth::{AuthCallback, AuthCallbackFn, AuthEventData, AuthPolling};
#[cfg(feature = "agent")]
pub use engine::{GetAgent, RunnableAgent};
pub use frameworks::{RenderOptions, Secrets};
pub use llm::{LlmProvider, ModelSpec};
pub use request::{Async, Blocking, GetArgs, InvokeAgent, ReportExternalTask, TaskRef};
pub use resolve::dispatch_get_args;
pub use service::{Backend, BackendBuilder};
pub use tools::{PlatformTool, ToolCall, ToolInvocationResult};
