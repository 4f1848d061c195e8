//! Run xpander.ai agent task handlers in Rust.
//!
//! Mark an async fn with `#[on_task]`, call `run()` from `main`, and the runtime connects the
//! handler to the platform. [`model`] holds the platform's wire types, [`Configuration`] the
//! settings, and [`Agents`] / [`Tasks`] the platform's REST operations.

mod agents;
mod backoff;
mod blocking;
mod client;
mod config;
mod error;
mod message;
pub mod model;
mod pyjson;
mod secret;
mod tasks;

pub use agents::Agents;
pub use backoff::Backoff;
pub use client::RetryPolicy;
pub use config::{ConfigError, Configuration, ConfigurationBuilder};
pub use error::{Error, Result};
pub use model::{
    Agent, AgentExecutionStatus, LocalTaskTest, OutputFormat, Task, TaskUpdateEvent, Tokens, User,
};
pub use secret::Secret;
pub use tasks::{TaskFilters, TaskSummary, Tasks};
