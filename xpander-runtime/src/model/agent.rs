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

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::decode::{null_default, wire_default};
use super::open_enum::open_enum;
use super::{LlmReasoningEffort, McpServerDetails, OutputFormat, Timestamp};
use crate::Secret;

// ---------------------------------------------------------------------------------------------
// Defaults

wire_default! {
    default_true, true_if_null: bool = true;
    default_icon, icon_if_null: String = "🚀".to_owned();
    default_output_format, output_format_if_null: OutputFormat = OutputFormat::Markdown;
    default_version, version_if_null: i64 = 1;
    default_max_self_schedules, max_self_schedules_if_null: i64 = 3;
}

/// `access_scope` defaults to organizational; `null` stays `None` (the Python SDK models "unset").
fn default_access_scope() -> Option<AccessScope> {
    Some(AccessScope::Organizational)
}

/// `agno_settings.num_history_runs` defaults to 50; `null` stays `None` (Agno's own default).
fn default_num_history_runs() -> Option<i64> {
    Some(50)
}

// ---------------------------------------------------------------------------------------------
// Enums

open_enum! {
    /// The agent framework (`framework`).
    ///
    /// ```
    /// use xpander_runtime::model::Framework;
    ///
    /// let f: Framework = serde_json::from_str("\"google-adk\"").unwrap();
    /// assert_eq!(f, Framework::GoogleAdk);
    /// let new: Framework = serde_json::from_str("\"crewai\"").unwrap();
    /// assert_eq!(new, Framework::Other("crewai".into()));
    /// ```
    pub enum Framework {
        /// Agno (every agent is run with Agno arguments).
        Agno = "agno",
        /// Google ADK.
        GoogleAdk = "google-adk",
        /// LangChain.
        LangChain = "langchain",
        /// OpenAI Agents SDK.
        OpenAiAgents = "open-ai-agents",
        /// Strands Agents.
        StrandsAgents = "strands-agents",
        /// OpenClaw.
        OpenClaw = "open-claw",
        /// The always-on container that runs every installed coding CLI.
        ExternalHarness = "external-harness",
        /// Legacy single-CLI harness value (Claude Code).
        ClaudeCode = "claude-code",
        /// Legacy single-CLI harness value (Codex).
        Codex = "codex",
    }
}

impl Framework {
    /// Whether this is a CLI harness framework (`external-harness` or a legacy `claude-code` /
    /// `codex`). Like the Python SDK, an unknown value is compared trimmed and lower-cased.
    pub fn is_harness(&self) -> bool {
        match self {
            Self::ExternalHarness | Self::ClaudeCode | Self::Codex => true,
            Self::Other(value) => matches!(
                Self::from(value.trim().to_ascii_lowercase().as_str()),
                Self::ExternalHarness | Self::ClaudeCode | Self::Codex
            ),
            _ => false,
        }
    }
}

open_enum! {
    /// An agent's status (`status`), upper case on the wire.
    #[derive(Default)]
    pub enum AgentStatus {
        /// Not published yet.
        Draft = "DRAFT",
        /// Operational (the default).
        #[default]
        Active = "ACTIVE",
        /// Switched off.
        Inactive = "INACTIVE",
    }
}

open_enum! {
    /// What kind of agent this is (`type`).
    pub enum AgentType {
        /// Manages and coordinates other agents.
        Manager = "manager",
        /// A standard agent.
        Regular = "regular",
        /// An external agent reached over the A2A protocol.
        A2A = "a2a",
        /// An external agent reached with a curl command.
        Curl = "curl",
        /// An orchestration object.
        Orchestration = "orchestration",
    }
}

open_enum! {
    /// Where the agent runs (`deployment_type`).
    #[derive(Default)]
    pub enum AgentDeploymentType {
        /// Serverless (the default).
        #[default]
        Serverless = "serverless",
        /// A container.
        Container = "container",
    }
}

open_enum! {
    /// Who can see the agent (`access_scope`).
    pub enum AccessScope {
        /// Only its creator.
        Personal = "personal",
        /// The whole organization (the default).
        Organizational = "organizational",
        /// The members of its project.
        Project = "project",
    }
}

open_enum! {
    /// The kind of a graph item (`graph[].type`).
    pub enum GraphItemType {
        /// An entry point.
        SourceNode = "source_node",
        /// A sub-agent: an agent with such items runs as a team.
        Agent = "agent",
        /// A workflow.
        Workflow = "workflow",
        /// A tool.
        Tool = "tool",
        /// A human approval step.
        HumanInTheLoop = "human_in_the_loop",
        /// A delay between iterations.
        Sleep = "xpsleep-agent-delay",
        /// A custom agent.
        CustomAgent = "custom_agent",
        /// Storage.
        Storage = "storage",
        /// A coding agent.
        CodingAgent = "coding_agent",
        /// An MCP server (its `settings.mcp_settings` describe it).
        Mcp = "mcp",
        /// A local database.
        LocalDb = "local_db",
        /// A list of skills.
        Skills = "skills",
    }
}

open_enum! {
    /// The sub-kind of a graph item (`graph[].sub_type`).
    pub enum GraphItemSubType {
        /// Source node: SDK.
        Sdk = "sdk",
        /// Source node: task.
        Task = "task",
        /// Source node: assistant.
        Assistant = "assistant",
        /// Source node: webhook.
        Webhook = "webhook",
        /// Tool: an operation.
        Operation = "operation",
        /// Tool: a custom function.
        CustomFunction = "custom_function",
        /// Tool: a local tool.
        LocalTool = "local_tool",
    }
}

open_enum! {
    /// Where tasks for the agent come from (`source_nodes[].type`).
    pub enum SourceNodeType {
        /// The workbench.
        Workbench = "workbench",
        /// The SDK.
        Sdk = "sdk",
        /// A task.
        Task = "task",
        /// An assistant.
        Assistant = "assistant",
        /// A webhook.
        Webhook = "webhook",
        /// An MCP client.
        Mcp = "mcp",
        /// Another agent, over A2A.
        A2A = "a2a",
        /// A Telegram bot.
        Telegram = "telegram",
        /// A Slack bot.
        Slack = "slack",
        /// Inbound email.
        Email = "email",
        /// The REST API.
        Api = "api",
    }
}

open_enum! {
    /// Where the dynamic prompt's text goes relative to the system prompt.
    #[derive(Default)]
    pub enum DynamicPromptPosition {
        /// Before it.
        Before = "before",
        /// After it (the default).
        #[default]
        After = "after",
    }
}

open_enum! {
    /// How an external agent authenticates calls (`connectivity_details.auth_type`).
    pub enum ConnectivityAuthType {
        /// No authentication (the Python default).
        NoAuth = "none",
        /// An API key in a header.
        ApiKey = "api_key",
        /// HTTP basic.
        Basic = "basic",
        /// A bearer token.
        Bearer = "bearer",
    }
}

// ---------------------------------------------------------------------------------------------
// Agent

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

/// A custom LLM key (`llm_credentials`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlmCredentials {
    /// The credential's name.
    pub name: String,
    /// A description.
    pub description: Option<String>,
    /// The key itself.
    pub value: Secret,
}

/// How to reach an external agent (`connectivity_details`): A2A (`agent_url`) or curl
/// (`curl_command`).
///
/// Keys that were not sent stay absent when serialised, so the default `{}` stays `{}`. Where the
/// Python SDK fills a default in, it is `auth_type: none`, `api_key_header_name: X-API-Key`,
/// `method: POST`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConnectivityDetails {
    /// A2A: the agent's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_url: Option<String>,
    /// Curl: the command that invokes the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curl_command: Option<String>,
    /// Curl: the URL found in the command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoke_url: Option<String>,
    /// Curl: the HTTP method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Curl: the request field that carries the prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_field_name: Option<String>,
    /// Curl: the request field that carries files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files_field_name: Option<String>,
    /// Curl: the request field that carries the task id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id_field_name: Option<String>,
    /// Headers sent with each call. Values are secrets: they often carry keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_headers: Option<BTreeMap<String, Secret>>,
    /// How calls authenticate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<ConnectivityAuthType>,
    /// The header that carries an API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_header_name: Option<String>,
    /// The key, password or token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_value: Option<Secret>,
    /// Keys this version does not know, kept and sent back.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The agent's instructions (`instructions`), which make up the system prompt.
///
/// ```
/// use xpander_runtime::model::{AgentInstructions, DynamicPromptPosition};
///
/// let i: AgentInstructions = serde_json::from_str(r#"{"role": ["be nice"]}"#).unwrap();
/// assert_eq!(i.role, ["be nice"]);
/// assert_eq!(i.general, "");
/// assert_eq!(i.dynamic_prompt_position, DynamicPromptPosition::After);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgentInstructions {
    /// Role instructions.
    #[serde(default, deserialize_with = "null_default")]
    pub role: Vec<String>,
    /// Goals.
    #[serde(default, deserialize_with = "null_default")]
    pub goal: Vec<String>,
    /// General instructions; also the agent's description in the prompt.
    #[serde(default, deserialize_with = "null_default")]
    pub general: String,
    /// Whether `dynamic_prompt_code` runs when the prompt is built.
    #[serde(default, deserialize_with = "null_default")]
    pub dynamic_prompt_enabled: bool,
    /// Python code defining `xpander_dynamic_prompt() -> str`, whose result joins the prompt.
    pub dynamic_prompt_code: Option<String>,
    /// Where the dynamic prompt's text goes.
    #[serde(default, deserialize_with = "null_default")]
    pub dynamic_prompt_position: DynamicPromptPosition,
    /// Keys this version does not know (e.g. the computed `description`), kept and sent back.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Agno framework settings (`agno_settings`). `Default` gives the Python SDK 2.0.537 defaults.
///
/// ```
/// use xpander_runtime::model::AgnoSettings;
///
/// let s: AgnoSettings = serde_json::from_str(r#"{"tool_call_limit": 20}"#).unwrap();
/// assert_eq!(s.tool_call_limit, Some(20));
/// assert_eq!(s.num_history_runs, Some(50));
/// assert!(s.reasoning_tools_enabled);
/// assert_eq!(AgnoSettings::default(), serde_json::from_str("{}").unwrap());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgnoSettings {
    /// Whether session storage is on.
    #[serde(default = "default_true", deserialize_with = "true_if_null")]
    pub session_storage: bool,
    /// Whether the agent learns from each interaction.
    #[serde(default, deserialize_with = "null_default")]
    pub learning: bool,
    /// Deprecated: accepted and ignored (the xpander memory layer replaced it).
    #[serde(default, deserialize_with = "null_default")]
    pub user_memories: bool,
    /// Deprecated: accepted and ignored.
    #[serde(default, deserialize_with = "null_default")]
    pub agentic_memory: bool,
    /// Deprecated: accepted and ignored.
    #[serde(default, deserialize_with = "null_default")]
    pub agent_memories: bool,
    /// Deprecated: accepted and ignored.
    #[serde(default, deserialize_with = "null_default")]
    pub agentic_culture: bool,
    /// Whether session summaries are generated.
    #[serde(default, deserialize_with = "null_default")]
    pub session_summaries: bool,
    /// How many past runs go into the context; `None` leaves Agno's own default.
    #[serde(default = "default_num_history_runs")]
    pub num_history_runs: Option<i64>,
    /// A cap on tool calls taken from history; `None` and 0 mean unset.
    pub max_tool_calls_from_history: Option<i64>,
    /// The most tool calls per run; `None` and 0 mean the SDK default.
    pub tool_call_limit: Option<i64>,
    /// Whether the agent is loaded as an Agno team.
    #[serde(default, deserialize_with = "null_default")]
    pub coordinate_mode: bool,
    /// Whether the PII detection guardrail is on.
    #[serde(default, deserialize_with = "null_default")]
    pub pii_detection_enabled: bool,
    /// Whether detected PII is masked rather than blocked.
    #[serde(default = "default_true", deserialize_with = "true_if_null")]
    pub pii_detection_mask: bool,
    /// Whether the prompt injection guardrail is on.
    #[serde(default, deserialize_with = "null_default")]
    pub prompt_injection_detection_enabled: bool,
    /// Whether the OpenAI moderation guardrail is on.
    #[serde(default, deserialize_with = "null_default")]
    pub openai_moderation_enabled: bool,
    /// The moderation categories enforced; `None` checks all.
    pub openai_moderation_categories: Option<Vec<String>>,
    /// Whether Agno's reasoning tools are on.
    #[serde(default = "default_true", deserialize_with = "true_if_null")]
    pub reasoning_tools_enabled: bool,
    /// Keys this version does not know (e.g. the removed `tool_calls_compression`), kept and sent
    /// back.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for AgnoSettings {
    fn default() -> Self {
        Self {
            session_storage: true,
            learning: false,
            user_memories: false,
            agentic_memory: false,
            agent_memories: false,
            agentic_culture: false,
            session_summaries: false,
            num_history_runs: default_num_history_runs(),
            max_tool_calls_from_history: None,
            tool_call_limit: None,
            coordinate_mode: false,
            pii_detection_enabled: false,
            pii_detection_mask: true,
            prompt_injection_detection_enabled: false,
            openai_moderation_enabled: false,
            openai_moderation_categories: None,
            reasoning_tools_enabled: true,
            extra: Map::new(),
        }
    }
}

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

/// Task-level execution strategies (`task_level_strategies`); the strategies are kept as JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TaskLevelStrategies {
    /// Retry on failure (`{enabled, max_retries}`).
    pub retry_strategy: Option<Value>,
    /// Repeat until a condition (`{enabled, max_iterations, end_condition}`).
    pub iterative_strategy: Option<Value>,
    /// When to stop (`{enabled, stop_on_failure, stop_on_condition}`).
    pub stop_strategy: Option<Value>,
    /// The most runs per 24 hours.
    pub max_runs_per_day: Option<i64>,
    /// Whether agentic memory is available to the executor.
    #[serde(default, deserialize_with = "null_default")]
    pub agentic_context_enabled: bool,
    /// Duplicate event suppression (`{enabled, ttl_minutes, selectors}`).
    pub duplication_prevention: Option<Value>,
    /// Formatting instructions for the Slack bot.
    pub slackbot_formatting_instructions: Option<String>,
    /// Keys this version does not know, kept and sent back.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An agent as listed by `GET /agents/list`.
///
/// ```
/// use xpander_runtime::model::{AccessScope, AgentStatus, AgentSummary};
///
/// let s: AgentSummary = serde_json::from_value(serde_json::json!({
///     "id": "a1", "name": "Support bot", "icon": "🤖", "instructions": {},
///     "status": "ACTIVE", "organization_id": "o1", "created_at": "2026-01-01T00:00:00Z",
/// }))
/// .unwrap();
/// assert_eq!(s.status, AgentStatus::Active);
/// assert_eq!(s.access_scope, Some(AccessScope::Organizational));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentSummary {
    /// The agent id.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The icon.
    pub icon: String,
    /// The instructions.
    pub instructions: AgentInstructions,
    /// The status.
    pub status: AgentStatus,
    /// The owning organization.
    pub organization_id: String,
    /// When the agent was created.
    pub created_at: Timestamp,
    /// A free-text description.
    pub description: Option<String>,
    /// Who can see the agent.
    #[serde(default = "default_access_scope")]
    pub access_scope: Option<AccessScope>,
    /// The user who created the agent.
    pub created_by: Option<String>,
    /// What kind of agent this is.
    #[serde(rename = "type")]
    pub agent_type: Option<AgentType>,
    /// Keys this version does not know, kept and sent back.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FULL: &str = include_str!("../../../tests/fixtures/agent.full.json");
    const MINIMAL: &str = include_str!("../../../tests/fixtures/agent.minimal.json");

    fn minimal_with(key: &str, value: Value) -> Agent {
        let mut json: Value = serde_json::from_str(MINIMAL).unwrap();
        json[key] = value;
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn full_fixture_round_trips() {
        let sent: Value = serde_json::from_str(FULL).unwrap();
        let agent: Agent = serde_json::from_value(sent.clone()).unwrap();
        assert_eq!(serde_json::to_value(&agent).unwrap(), sent);
        assert_eq!(agent.extra["future_field"], json!({"x": 1}));
        assert_eq!(
            agent.llm_credentials.as_ref().unwrap().value.expose(),
            "sk-test-llm-key-123"
        );
        assert_eq!(agent.tools.len(), 1);
        assert_eq!(agent.graph.len(), 2);
    }

    #[test]
    fn minimal_fixture_gets_the_2_0_537_defaults() {
        let agent: Agent = serde_json::from_str(MINIMAL).unwrap();
        assert_eq!(agent.framework, Framework::Agno);
        assert!(agent.deep_planning);
        assert!(agent.enforce_deep_planning);
        assert_eq!(agent.agno_settings, AgnoSettings::default());
        assert_eq!(agent.agno_settings.num_history_runs, Some(50));
        assert_eq!(agent.agno_settings.max_tool_calls_from_history, None);
        assert!(agent.agno_settings.reasoning_tools_enabled);
        assert!(agent.agno_settings.session_storage);
        assert!(agent.agno_settings.pii_detection_mask);
        assert_eq!(agent.icon, "🚀");
        assert_eq!(agent.status, AgentStatus::Active);
        assert_eq!(agent.deployment_type, AgentDeploymentType::Serverless);
        assert_eq!(agent.access_scope, Some(AccessScope::Organizational));
        assert_eq!(agent.llm_reasoning_effort, LlmReasoningEffort::Medium);
        assert_eq!(agent.output_format, OutputFormat::Markdown);
        assert_eq!(agent.version, 1);
        assert_eq!(agent.max_self_schedules, 3);
        assert!(agent.can_self_schedule && agent.workspace_tools_enabled);
        assert!(agent.discoverable && agent.developer_access);
        assert!(!agent.use_agent_gateway && !agent.is_autonomous);
        assert_eq!(agent.instructions, AgentInstructions::default());
        assert!(agent.llm_credentials.is_none() && agent.extra.is_empty());

        let out = serde_json::to_value(&agent).unwrap();
        for key in [
            "graph",
            "tools",
            "knowledge_bases",
            "source_nodes",
            "skills",
        ] {
            assert_eq!(out[key], json!([]), "{key}");
        }
        assert_eq!(out["connectivity_details"], json!({}));
        assert!(out.get("tool_calls_compression").is_none());
    }

    #[test]
    fn null_reads_as_the_default() {
        assert_eq!(minimal_with("graph", Value::Null).graph, []);
        assert!(minimal_with("deep_planning", Value::Null).deep_planning);
        assert_eq!(minimal_with("icon", Value::Null).icon, "🚀");
        assert_eq!(minimal_with("access_scope", Value::Null).access_scope, None);
        let agent = minimal_with("agno_settings", json!({"num_history_runs": null}));
        assert_eq!(agent.agno_settings.num_history_runs, None);
    }

    #[test]
    fn missing_required_key_is_rejected() {
        let mut json: Value = serde_json::from_str(MINIMAL).unwrap();
        json.as_object_mut().unwrap().remove("unique_name");
        assert!(serde_json::from_value::<Agent>(json).is_err());
    }

    #[test]
    fn unknown_enum_values_are_kept() {
        let agent = minimal_with("framework", json!("crewai-next"));
        assert_eq!(agent.framework, Framework::Other("crewai-next".into()));
        assert_eq!(
            serde_json::to_value(&agent).unwrap()["framework"],
            "crewai-next"
        );

        let agent = minimal_with("status", json!("active"));
        assert_eq!(agent.status, AgentStatus::Other("active".into()));
        assert_eq!(serde_json::to_value(&agent).unwrap()["status"], "active");
    }

    #[test]
    fn debug_redacts_credentials() {
        let agent: Agent = serde_json::from_str(FULL).unwrap();
        let debug = format!("{agent:?}");
        assert!(!debug.contains("sk-test-llm-key-123"));
        assert!(!debug.contains("a2a-secret-token"));
        assert!(!debug.contains("gateway-header-secret"));
        assert!(!debug.contains("mcp-oauth-client-secret"));
        assert!(debug.contains("[REDACTED]"));
    }

    #[test]
    fn team_and_mcp_servers() {
        let agent: Agent = serde_json::from_str(FULL).unwrap();
        assert!(agent.is_a_team());
        let servers = agent.mcp_servers();
        assert_eq!(servers.len(), 1);
        assert_eq!(
            servers[0].url.as_deref(),
            Some("https://mcp.example.com/mcp")
        );

        let agent: Agent = serde_json::from_str(MINIMAL).unwrap();
        assert!(!agent.is_a_team());
        assert!(agent.mcp_servers().is_empty());
    }

    #[test]
    fn sanitized_name_matches_python() {
        let cases = [
            ("Support Bot", "Support_Bot"),
            ("my-agent.v2", "my_agent_v2"),
            ("1st agent", "_1st_agent"),
            ("_private", "_private"),
            ("café", "caf_"),
            ("🚀 Launch", "__Launch"),
            ("", "_"),
        ];
        for (name, expected) in cases {
            let agent = minimal_with("name", json!(name));
            assert_eq!(agent.sanitized_name(), expected, "{name:?}");
        }
    }

    #[test]
    fn harness_frameworks() {
        assert!(Framework::ExternalHarness.is_harness());
        assert!(Framework::Codex.is_harness());
        assert!(Framework::Other(" Claude-Code ".into()).is_harness());
        assert!(!Framework::Agno.is_harness());
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
