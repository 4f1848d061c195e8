//! The agent's graph (`graph`): its nodes and their settings.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::enums::{GraphItemSubType, GraphItemType};
use crate::model::decode::null_default;
use crate::model::mcp::McpServerDetails;

/// A node of the agent's graph (an element of `graph`).
///
/// ```
/// use xpander_runtime::model::{AgentGraphItem, GraphItemType};
///
/// let item: AgentGraphItem = serde_json::from_str(
///     r#"{"item_id": "mcp-1", "type": "mcp", "targets": [], "settings": {"mcp_settings": {"url": "https://mcp.example"}}}"#,
/// )
/// .unwrap();
/// assert_eq!(item.item_type, GraphItemType::Mcp);
/// assert!(item.settings.unwrap().mcp_settings.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentGraphItem {
    /// The node id.
    pub id: Option<String>,
    /// The id of what the node stands for (tool, agent, MCP server, …).
    pub item_id: String,
    /// A display name.
    pub name: Option<String>,
    /// The kind of node.
    #[serde(rename = "type")]
    pub item_type: GraphItemType,
    /// The sub-kind of node.
    pub sub_type: Option<GraphItemSubType>,
    /// The ids of the nodes that follow.
    pub targets: Vec<String>,
    /// The node's settings (an `mcp` node has them).
    pub settings: Option<AgentGraphItemSettings>,
    /// Whether this is the first node.
    #[serde(default, deserialize_with = "null_default")]
    pub is_first: bool,
    /// Keys this version does not know (e.g. the removed `llm_settings`), kept and sent back.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The settings of a graph item (`graph[].settings`). The loosely shaped options are kept as JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgentGraphItemSettings {
    /// Instructions for this node.
    pub instructions: Option<String>,
    /// What this node is for.
    pub description: Option<String>,
    /// Input/output schema overrides (for a tool node, matched on `item_id == tool.id`).
    pub schemas: Option<AgentGraphItemSchema>,
    /// `{returnables, searchables, globally_enabled}`.
    pub advanced_filtering_options: Option<Value>,
    /// Human-in-the-loop settings (`{title, description, recipients, hitl_type, enabled, approvers,
    /// on_deny, tool_names, …}`).
    pub hitl_options: Option<Value>,
    /// Agent-to-agent settings (`{url}`).
    pub a2a_options: Option<Value>,
    /// Coding agent settings (`{type: "codex"}`).
    pub coding_agent_settings: Option<Value>,
    /// The MCP server of an `mcp` node.
    pub mcp_settings: Option<McpServerDetails>,
    /// Skills settings (`{enabled_skills}`).
    pub skills_settings: Option<Value>,
    /// Keys this version does not know, kept and sent back.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Input and output JSON schemas (`settings.schemas`, `tools[].schema_overrides`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgentGraphItemSchema {
    /// The input schema.
    pub input: Option<Map<String, Value>>,
    /// The output schema.
    pub output: Option<Map<String, Value>>,
}
