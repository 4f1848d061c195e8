//! The agent's settings blocks: its LLM credentials, how an external agent is reached, its
//! instructions, its Agno settings and its task-level strategies.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::defaults::{default_num_history_runs, default_true, true_if_null};
use super::enums::{ConnectivityAuthType, DynamicPromptPosition};
use crate::Secret;
use crate::model::decode::null_default;

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
/// `method: POST`. The curl command and its URL are [`Secret`]s: a command usually carries its
/// credentials (`-H 'Authorization: …'`), and a URL may (`?code=…`).
///
/// ```
/// use xpander_runtime::model::ConnectivityDetails;
///
/// let c: ConnectivityDetails = serde_json::from_str(r#"{"curl_command":
///     "curl -H 'x-key: k1' https://a.example/run?code=k2","invoke_url":"https://a.example/run?code=k2"}"#,
/// ).unwrap();
/// assert_eq!(c.invoke_url.as_ref().unwrap().expose(), "https://a.example/run?code=k2");
/// assert!(!format!("{c:?}").contains("k1") && !format!("{c:?}").contains("k2"));
/// assert_eq!(serde_json::to_value(&c).unwrap()["invoke_url"], "https://a.example/run?code=k2");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConnectivityDetails {
    /// A2A: the agent's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_url: Option<String>,
    /// Curl: the command that invokes the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curl_command: Option<Secret>,
    /// Curl: the URL found in the command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoke_url: Option<Secret>,
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
