//! The platform's wire types, with the exact JSON names, types and defaults.
//!
//! Two rules hold throughout: a message decodes even when the platform adds enum values (they are
//! kept as `Other`) or keys (a [`Task`] and an [`Agent`] keep unknown keys and send them back), and
//! a decode error names the JSON path of the problem (see [`decode`]).

pub(crate) mod open_enum;

mod agent;
mod decode;
mod enums;
mod event_builders;
mod events;
mod history;
mod knowledge;
mod local;
mod mcp;
mod reports;
mod requests;
mod task;
mod time;
mod tokens;
mod tool_call;

#[cfg(test)]
mod redaction_tests;

pub use agent::*;
pub use decode::{DecodeError, decode, decode_value};
pub use enums::*;
pub(crate) use event_builders::reasoning_data;
pub use events::*;
pub use history::*;
pub use knowledge::KnowledgeHit;
pub use local::*;
pub use mcp::*;
pub use reports::*;
pub use requests::*;
pub use task::*;
pub use time::Timestamp;
pub use tokens::*;
pub use tool_call::{ToolCallInfo, ToolKind};
