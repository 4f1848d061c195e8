//! The agent as the platform sends it (`GET /agents/{id}`), the types inside it, and the
//! `GET /agents/list` item.
//!
//! Key names, types and defaults follow the Python SDK 2.0.537. Three rules hold here:
//! - A key the platform leaves out takes the Python default. JSON `null` on a field whose Python
//!   default is not `None` reads as that default too (the Python SDK keeps `None`), except where
//!   the SDK tells `None` apart from the default, such as `agno_settings.num_history_runs`.
//! - Arrays (`graph`, `tools`, `knowledge_bases`, `source_nodes`, …) never serialise as `null`:
//!   the Python client crashes on `"graph": null`.
//! - Keys this version does not know are kept in `extra` and serialised back.

mod defaults;
mod enums;
mod graph;
mod resources;
mod settings;
mod summary;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use enums::*;
pub use graph::*;
pub use resources::*;
pub use settings::*;
pub use summary::*;

use crate::Secret;
use crate::model::decode::null_default;
use crate::model::enums::{LlmReasoningEffort, OutputFormat};
use crate::model::mcp::McpServerDetails;
use crate::model::time::Timestamp;
use defaults::{
    default_access_scope, default_icon, default_max_self_schedules, default_output_format,
    default_true, default_version, icon_if_null, max_self_schedules_if_null, output_format_if_null,
    true_if_null, version_if_null,
};

/// An agent as returned by `GET /agents/{id}`.
///
/// ```
/// use xpander_runtime::model::{Agent, Framework};
///
/// let agent: Agent = serde_json::from_value(serde_json::json!({
///     "id": "a1", "organization_id": "o1", "name": "Support bot", "unique_name": "support-bot",
///     "framework": "agno", "model_provider": "openai", "model_name": "gpt-4.1",
///     "graph": [{"item_id": "a2", "type": "agent", "targets": []}],
/// }))
/// .unwrap();
/// assert_eq!(agent.framework, Framework::Agno);
/// assert!(agent.deep_planning);
/// assert_eq!(agent.agno_settings.num_history_runs, Some(50));
/// assert!(agent.is_a_team());
/// assert_eq!(agent.sanitized_name(), "Support_bot");
/// // Arrays are never written as null.
/// assert_eq!(serde_json::to_value(&agent).unwrap()["tools"], serde_json::json!([]));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    /// The agent id.
    pub id: String,
    /// The owning organization (also the LLM usage identifier).
    pub organization_id: String,
    /// The display name; see [`Agent::sanitized_name`].
    pub name: String,
    /// A free-text description.
    pub description: Option<String>,
    /// The unique slug used in the chat URL.
    pub unique_name: String,
    /// The template the agent was created from.
    pub origin_template: Option<String>,
    /// The deployment location.
    pub environment_id: Option<String>,
    /// The runtime environment (toolchain layer) for the agent's turns; `None` is the default one.
    pub runtime_environment_id: Option<String>,
    /// The xpander tools attached to the agent.
    #[serde(default, deserialize_with = "null_default")]
    pub tools: Vec<AgentTool>,
    /// The icon (an emoji or URL).
    #[serde(default = "default_icon", deserialize_with = "icon_if_null")]
    pub icon: String,
    /// How to reach an external (A2A or curl) agent; `{}` for a regular one.
    #[serde(default, deserialize_with = "null_default")]
    pub connectivity_details: ConnectivityDetails,
    /// Where the agent runs.
    #[serde(default, deserialize_with = "null_default")]
    pub deployment_type: AgentDeploymentType,
    /// Where tasks for the agent come from.
    #[serde(default, deserialize_with = "null_default")]
    pub source_nodes: Vec<SourceNode>,
    /// Who can see the agent.
    #[serde(default = "default_access_scope")]
    pub access_scope: Option<AccessScope>,
    /// The instructions that make up the system prompt.
    #[serde(default, deserialize_with = "null_default")]
    pub instructions: AgentInstructions,
    /// The agent framework.
    pub framework: Framework,
    /// The graph: tools, MCP servers, sub-agents and other nodes.
    #[serde(default, deserialize_with = "null_default")]
    pub graph: Vec<AgentGraphItem>,
    /// Whether this is an "omni" agent (all agents today are custom, i.e. `false`).
    #[serde(default, deserialize_with = "null_default")]
    pub is_omni: bool,
    /// The enabled skills (`{name, description, version, …}`), embedded for the agent's context.
    #[serde(default, deserialize_with = "null_default")]
    pub skills: Vec<Map<String, Value>>,
    /// The resolved runtime environment spec (`{context_layers, …}`), computed at read time.
    pub runtime_environment: Option<Map<String, Value>>,
    /// The agent's status.
    #[serde(default, deserialize_with = "null_default")]
    pub status: AgentStatus,
    /// The knowledge bases the agent can search.
    #[serde(default, deserialize_with = "null_default")]
    pub knowledge_bases: Vec<KnowledgeBaseRef>,
    /// The agent version (sent as `x-agent-version` on tool calls).
    #[serde(default = "default_version", deserialize_with = "version_if_null")]
    pub version: i64,
    /// The user who created the agent.
    pub created_by: Option<String>,
    /// Whether the agent runs on NVIDIA NeMo (disables the tool hook).
    #[serde(default, deserialize_with = "null_default")]
    pub using_nemo: bool,
    /// Whether LLM calls go through the platform's agent gateway.
    #[serde(default, deserialize_with = "null_default")]
    pub use_agent_gateway: bool,
    /// The LLM provider, as sent (the args resolver lower-cases it).
    pub model_provider: String,
    /// The model id.
    pub model_name: String,
    /// The reasoning effort asked of the model.
    #[serde(default, deserialize_with = "null_default")]
    pub llm_reasoning_effort: LlmReasoningEffort,
    /// Whether planning guidance is on.
    #[serde(default = "default_true", deserialize_with = "true_if_null")]
    pub deep_planning: bool,
    /// Whether the plan must be followed.
    #[serde(default = "default_true", deserialize_with = "true_if_null")]
    pub enforce_deep_planning: bool,
    /// A custom LLM base URL.
    pub llm_api_base: Option<String>,
    /// Extra headers for LLM calls (highest precedence). Values are secrets: they often carry keys.
    #[serde(default, deserialize_with = "null_default")]
    pub llm_extra_headers: BTreeMap<String, Secret>,
    /// A webhook URL.
    pub webhook_url: Option<String>,
    /// When the agent was created.
    pub created_at: Option<Timestamp>,
    /// What kind of agent this is.
    #[serde(rename = "type")]
    pub agent_type: Option<AgentType>,
    /// The format of the agent's results.
    #[serde(
        default = "default_output_format",
        deserialize_with = "output_format_if_null"
    )]
    pub output_format: OutputFormat,
    /// The voice for voice output.
    pub voice_id: Option<String>,
    /// The JSON schema of structured output (used with `output_format: json`).
    pub output_schema: Option<Map<String, Value>>,
    /// A custom LLM key.
    pub llm_credentials: Option<LlmCredentials>,
    /// A description of the expected output.
    #[serde(default, deserialize_with = "null_default")]
    pub expected_output: String,
    /// Agno-specific settings (memory, storage, guardrails).
    #[serde(default, deserialize_with = "null_default")]
    pub agno_settings: AgnoSettings,
    /// The nodes of an orchestration agent (kept as sent).
    #[serde(default, deserialize_with = "null_default")]
    pub orchestration_nodes: Vec<Value>,
    /// Notification settings (`{on_success, on_error}`, kept as sent).
    #[serde(default, deserialize_with = "null_default")]
    pub notification_settings: Map<String, Value>,
    /// Task-level execution strategies.
    pub task_level_strategies: Option<TaskLevelStrategies>,
    /// Whether callers must present an OIDC token.
    #[serde(default, deserialize_with = "null_default")]
    pub use_oidc_pre_auth: bool,
    /// The accepted OIDC audiences.
    #[serde(default, deserialize_with = "null_default")]
    pub pre_auth_audiences: Vec<String>,
    /// Whether the caller's OIDC token is used as the LLM key.
    #[serde(default, deserialize_with = "null_default")]
    pub use_oidc_pre_auth_token_for_llm: bool,
    /// The audience whose token (in `task.user_tokens.oidc_tokens`) is used for the LLM.
    pub oidc_pre_auth_token_llm_audience: Option<String>,
    /// The audience whose token is used for MCP servers.
    pub oidc_pre_auth_token_mcp_audience: Option<String>,
    /// Whether the agent may schedule its own future runs.
    #[serde(default = "default_true", deserialize_with = "true_if_null")]
    pub can_self_schedule: bool,
    /// The most self-schedules the agent may hold (the platform enforces 1–1000).
    #[serde(
        default = "default_max_self_schedules",
        deserialize_with = "max_self_schedules_if_null"
    )]
    pub max_self_schedules: i64,
    /// Whether the tool catalog is exposed through search meta-tools instead of in full.
    #[serde(default, deserialize_with = "null_default")]
    pub use_dynamic_tools: bool,
    /// Whether the workspace tools are on.
    #[serde(default = "default_true", deserialize_with = "true_if_null")]
    pub workspace_tools_enabled: bool,
    /// Whether live surfaces may be shared.
    #[serde(default = "default_true", deserialize_with = "true_if_null")]
    pub live_surface_sharing_enabled: bool,
    /// Whether the agent runs autonomously.
    #[serde(default, deserialize_with = "null_default")]
    pub is_autonomous: bool,
    /// Whether other agents can discover this one.
    #[serde(default = "default_true", deserialize_with = "true_if_null")]
    pub discoverable: bool,
    /// Whether the context is managed (compacted) automatically.
    #[serde(default = "default_true", deserialize_with = "true_if_null")]
    pub with_auto_context_management: bool,
    /// Whether developers have access.
    #[serde(default = "default_true", deserialize_with = "true_if_null")]
    pub developer_access: bool,
    /// Whether changes are staged before publishing.
    #[serde(default, deserialize_with = "null_default")]
    pub should_stage_before_publish: bool,
    /// Keys this version does not know, kept and sent back.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The platform this agent was loaded from (not on the wire). Leave it at its default
    /// when building an agent by hand.
    #[serde(skip)]
    pub context: AgentContext,
}

/// Fills what the platform sets on every agent, where agent JSON written by hand leaves it
/// out (missing or null): `organization_id`, `unique_name` (a slug of the name) and
/// `framework` (`agno`). Local agent files and xpander-devserver read agents this way.
///
/// ```
/// use serde_json::json;
/// use xpander_runtime::model::fill_platform_defaults;
///
/// let mut agent = json!({"id": "a1", "name": "My Agent!"});
/// fill_platform_defaults(agent.as_object_mut().unwrap(), "org-1");
/// assert_eq!(agent["unique_name"], "my-agent");
/// assert_eq!(agent["organization_id"], "org-1");
/// assert_eq!(agent["framework"], "agno");
/// ```
pub fn fill_platform_defaults(agent: &mut Map<String, Value>, organization_id: &str) {
    let unique_name = slug(agent.get("name").and_then(Value::as_str).unwrap_or(""));
    for (key, default) in [
        ("organization_id", organization_id.to_owned()),
        ("unique_name", unique_name),
        ("framework", "agno".to_owned()),
    ] {
        if agent.get(key).is_none_or(Value::is_null) {
            agent.insert(key.to_owned(), Value::String(default));
        }
    }
}

/// `My Agent!` → `my-agent` (`agent` when nothing is left).
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    if out.is_empty() {
        "agent".into()
    } else {
        out.into()
    }
}

impl Agent {
    /// Whether the agent runs as a team: it has graph items of type `agent`.
    pub fn is_a_team(&self) -> bool {
        self.graph
            .iter()
            .any(|item| item.item_type == GraphItemType::Agent)
    }

    /// The `settings.mcp_settings` of the `mcp` graph items, in graph order.
    pub fn mcp_servers(&self) -> Vec<&McpServerDetails> {
        self.graph
            .iter()
            .filter(|item| item.item_type == GraphItemType::Mcp)
            .filter_map(|item| item.settings.as_ref()?.mcp_settings.as_ref())
            .collect()
    }

    /// The name as an identifier: every character outside `[A-Za-z0-9_]` becomes `_`, and a `_`
    /// is prepended unless it starts with a letter or `_` (so `""` gives `"_"`).
    ///
    /// A port of the Python SDK's `sanitized_name`; like Python it works per Unicode code point.
    pub fn sanitized_name(&self) -> String {
        let mut sanitized: String = self
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if !sanitized.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            sanitized.insert(0, '_');
        }
        sanitized
    }
}

/// State an [`Agent`] carries in this process only: the platform it was loaded from.
/// It takes no part in equality.
#[derive(Clone, Default)]
pub struct AgentContext {
    pub(crate) platform: Option<crate::Platform>,
}

impl PartialEq for AgentContext {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for AgentContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentContext")
            .field("bound", &self.platform.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests;
