//! [`ToolCallInfo`]: one tool call as the tool hooks see it.

use serde::Serialize;
use serde_json::Value;

/// Which kind of tool a call goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ToolKind {
    /// A platform tool (`POST /agents/{agent}/operations/{tool}`).
    Platform,
    /// A tool of an MCP server.
    Mcp,
    /// A local tool (`#[register_tool]`).
    Local,
}

/// One tool call, as `#[on_tool_before]`, `#[on_tool_after]` and `#[on_tool_error]` hooks get
/// it.
///
/// ```
/// use xpander_runtime::model::{ToolCallInfo, ToolKind};
///
/// let call = ToolCallInfo::new("weather", ToolKind::Local, serde_json::json!({"city": "Oslo"}));
/// assert_eq!((call.name.as_str(), call.kind), ("weather", ToolKind::Local));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ToolCallInfo {
    /// The tool's name (a platform tool's id, an MCP tool's `mcp_tool_<name>`).
    pub name: String,
    /// Which kind of tool it is.
    pub kind: ToolKind,
    /// The arguments, as given.
    pub payload: Value,
    /// The task's payload extension merged into a platform tool's payload (`null` if none).
    pub payload_extension: Value,
    /// The id of this logical call (`x-tool-call-id` for platform tools), when there is one.
    pub tool_call_id: Option<String>,
    /// The agent's version, when known.
    pub agent_version: Option<i64>,
    /// The task the call is made for, when there is one.
    pub task_id: Option<String>,
}

impl ToolCallInfo {
    /// A call of `name` with `payload`, everything else unknown.
    pub fn new(name: impl Into<String>, kind: ToolKind, payload: Value) -> Self {
        Self {
            name: name.into(),
            kind,
            payload,
            payload_extension: Value::Null,
            tool_call_id: None,
            agent_version: None,
            task_id: None,
        }
    }
}
