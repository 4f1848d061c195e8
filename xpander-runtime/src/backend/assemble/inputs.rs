//! [`Inputs`]: everything the assembly of an agent's args reads, the resolver's fetches
//! included, so assembling needs no network.

use serde_json::{Map, Value};

use crate::Platform;
use crate::backend::args::{AgentArgs, McpToolSpec, ToolSpec};
use crate::backend::env::Env;
use crate::backend::llm::ModelSpec;
use crate::model::{Agent, DeepPlanning, Task};

/// What [`assemble`](super::assemble) turns into [`AgentArgs`].
pub(crate) struct Inputs<'a> {
    /// The agent.
    pub agent: &'a Agent,
    /// The task the args are for, if any.
    pub task: Option<&'a Task>,
    /// Whether the agent is a team member (no task format, task limit or extra tools).
    pub is_member: bool,
    /// The resolved model; `None` when the overrides supply `model`.
    pub model: Option<ModelSpec>,
    /// The agent's session database URI, when the platform has one.
    pub db_uri: Option<String>,
    /// The MCP servers, credentials resolved.
    pub mcp_tools: Vec<McpToolSpec>,
    /// The members' args, when the agent is a team (they get the leader's model here).
    pub members: Option<Vec<AgentArgs>>,
    /// The platform's copy of the task's plan, when fresher than the task's own.
    pub fresh_plan: Option<DeepPlanning>,
    /// The platform tools and knowledge bases call back into, or `None` offline.
    pub platform: Option<&'a Platform>,
    /// Tunables (`XPANDER_TOOL_CALL_LIMIT`).
    pub env: &'a Env,
    /// Python's `override=`.
    pub overrides: &'a Map<String, Value>,
    /// The caller's extra tools (root agent only).
    pub extra_tools: &'a [ToolSpec],
}
