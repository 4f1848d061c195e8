//! A local implementation of the xpander.ai platform's HTTP and SSE API, for development and
//! tests: agents, tasks, the worker channel (SSE plus POST-back), MCP auth, knowledge bases, a
//! request log, fault injection, and a scripted LLM (OpenAI and Anthropic compatible, see
//! [`LlmTurn`]). It speaks the wire protocol of the official Python SDK
//! (both the March 2026 snapshot and release 2.0.537), so the same workers run against it and
//! against the real platform.
//!
//! ```
//! use xpander_devserver::{DevServer, DevServerOptions};
//!
//! # #[tokio::main] async fn main() -> xpander_devserver::Result<()> {
//! let server = DevServer::start(DevServerOptions::default()).await?;
//! // Point a worker at it:
//! println!(
//!     "XPANDER_BASE_URL={} XPANDER_ORGANIZATION_ID={} XPANDER_AGENT_ID={}",
//!     server.base_url(),
//!     server.org(),
//!     server.agent_id()
//! );
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Routes: see the crate's README. The devserver depends on `xpander-runtime`'s wire model
//! only, never on its client.

#![warn(missing_docs)]

mod agents;
mod auth;
mod dashboard;
mod dev_guard;
mod dispatch;
mod error;
mod faults;
mod http;
mod llm;
mod mcp;
mod options;
mod persist;
mod pulse;
pub mod python;
mod query;
mod redact;
mod reqlog;
mod routes;
mod server;
mod sse;
mod state;
mod task_feed;
mod tasks;

pub use agents::{DEMO_AGENT_ID, DEMO_ANSWER};
/// The bytes type of [`DevServerHandle::inject_raw`] (the `bytes` crate's, as axum uses).
pub use axum::body::Bytes;
pub use error::{Error, Result};
pub use faults::{DelayFault, ErrorFault, Faults, SlowWorkerMessage};
pub use llm::{
    LlmAction, LlmApi, LlmFailure, LlmRequestRecord, LlmScripts, LlmTool, LlmToolCall, LlmTurn,
    LlmUsage,
};
pub use options::{DevServerOptions, KnowledgeBase, LlmGatewayRoute};
pub use reqlog::RequestRecord;
pub use server::{DevServer, DevServerHandle};
pub use state::{StatusChange, TaskInfo, WorkerInfo, WorkerState};
