//! What an agent uses besides its graph: its xpander tools, knowledge bases and task sources.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::enums::SourceNodeType;
use super::graph::AgentGraphItemSchema;
use crate::model::decode::null_default;

/// An xpander tool attached to the agent (an element of `tools`).
///
/// ```
/// use xpander_runtime::model::AgentTool;
///
/// let tool: AgentTool = serde_json::from_str(
///     r#"{"id": "t1", "name": "Search", "method": "POST", "path": "/search", "function_description": "Searches."}"#,
/// )
/// .unwrap();
/// assert_eq!(tool.description, "");
/// assert_eq!(tool.effective_description(), "Searches.");
/// assert!(!tool.is_local);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentTool {
    /// The tool id.
    pub id: String,
    /// The tool name.
    pub name: String,
    /// The HTTP method of a remote call.
    pub method: String,
    /// The endpoint path.
    pub path: String,
    /// Whether the tool should be added to the graph.
    #[serde(default, deserialize_with = "null_default")]
    pub should_add_to_graph: bool,
    /// Whether the tool runs locally.
    #[serde(default, deserialize_with = "null_default")]
    pub is_local: bool,
    /// Whether the tool was loaded on its own, outside an agent.
    #[serde(default, deserialize_with = "null_default")]
    pub is_standalone: bool,
    /// Whether a local tool has been synced to the platform.
    #[serde(default, deserialize_with = "null_default")]
    pub is_synced: bool,
    /// Schema overrides from the tool's graph item.
    pub schema_overrides: Option<AgentGraphItemSchema>,
    /// The description; see [`AgentTool::effective_description`].
    #[serde(default, deserialize_with = "null_default")]
    pub description: String,
    /// The description some payloads send instead of `description`.
    pub function_description: Option<String>,
    /// The JSON schema of the tool's parameters.
    #[serde(default, deserialize_with = "null_default")]
    pub parameters: Map<String, Value>,
    /// The connector the tool belongs to.
    pub connector_id: Option<String>,
    /// The connector operation.
    pub operation_id: Option<String>,
    /// Keys this version does not know, kept and sent back.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AgentTool {
    /// `description`, or `function_description` when that is empty (as the Python SDK reads it).
    pub fn effective_description(&self) -> &str {
        match &self.function_description {
            Some(fallback) if self.description.is_empty() => fallback,
            _ => &self.description,
        }
    }
}

/// A knowledge base the agent can search (an element of `knowledge_bases`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeBaseRef {
    /// The knowledge base id.
    pub id: String,
    /// Whether the agent may also write to it.
    #[serde(default, deserialize_with = "null_default")]
    pub rw: bool,
}

/// Where tasks for the agent come from (an element of `source_nodes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceNode {
    /// The node id.
    pub id: Option<String>,
    /// The kind of source.
    #[serde(rename = "type")]
    pub node_type: SourceNodeType,
    /// The graph nodes it feeds.
    pub targets: Option<Vec<String>>,
    /// Source-specific metadata.
    #[serde(default, deserialize_with = "null_default")]
    pub metadata: Map<String, Value>,
}
