//! Request bodies: task creation and the sparse task update.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer, ser::SerializeMap};
use serde_json::{Map, Value};

use super::decode::null_default;
use super::enums::{AgentExecutionStatus, LlmReasoningEffort, OutputFormat, ThinkMode};
use super::mcp::McpServerDetails;
use super::task::{AgentExecutionInput, User, UserTokens};
use crate::Secret;
use crate::secret::redact::ValuesRedacted;

/// The body of `POST /agent-execution/{agent_id}`: a new task. Every key is always sent, as
/// the platform expects; `agent_version` travels in the `x-agent-version` header instead.
///
/// ```
/// use xpander_runtime::model::{CreateTaskRequest, OutputFormat, User};
///
/// let req = CreateTaskRequest::new("Analyze this dataset")
///     .output_format(OutputFormat::Json)
///     .user(User::new("ada@example.com"));
/// let wire = serde_json::to_value(&req).unwrap();
/// assert_eq!(wire["input"]["text"], "Analyze this dataset");
/// assert!(wire["input"].get("principal").is_none()); // only sent when set
/// assert_eq!(wire["think_mode"], "default");
/// assert_eq!(wire.as_object().unwrap().len(), 27);
///
/// // `Debug` shows the payload extension's keys, not their values.
/// let mut extension = serde_json::Map::new();
/// extension.insert("sso_fetch_key".into(), "sso-1".into());
/// let debug = format!("{:?}", req.payload_extension(extension));
/// assert!(debug.contains("sso_fetch_key") && !debug.contains("sso-1"));
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateTaskRequest {
    /// An existing task to continue.
    #[serde(default)]
    pub id: Option<String>,
    /// Prompt, files and user.
    #[serde(default, serialize_with = "create_input")]
    pub input: AgentExecutionInput,
    /// Extra payload for tool calls.
    #[serde(default)]
    pub payload_extension: Option<Map<String, Value>>,
    /// Who creates it (`sdk`, ...).
    #[serde(default)]
    pub source: Option<String>,
    /// The worker that runs a local task.
    #[serde(default)]
    pub worker_id: Option<String>,
    /// The result's format.
    #[serde(default)]
    pub output_format: Option<OutputFormat>,
    /// A JSON schema for the result.
    #[serde(default)]
    pub output_schema: Option<Value>,
    /// Run by the creating worker itself, never dispatched.
    #[serde(default, deserialize_with = "null_default")]
    pub run_locally: bool,
    /// Stream task events to the caller.
    #[serde(default, deserialize_with = "null_default")]
    pub events_streaming: bool,
    /// Context added to the prompt.
    #[serde(default)]
    pub additional_context: Option<String>,
    /// Instructions replacing the agent's.
    #[serde(default)]
    pub instructions_override: Option<String>,
    /// A workflow node to test.
    #[serde(default)]
    pub test_run_node_id: Option<String>,
    /// The caller's OIDC token.
    #[serde(default)]
    pub user_oidc_token: Option<Secret>,
    /// What the result should look like.
    #[serde(default)]
    pub expected_output: Option<String>,
    /// MCP servers to add.
    #[serde(default, deserialize_with = "null_default")]
    pub mcp_servers: Vec<McpServerDetails>,
    /// The agent triggering this task.
    #[serde(default)]
    pub triggering_agent_id: Option<String>,
    /// A title.
    #[serde(default)]
    pub title: Option<String>,
    /// Thinking effort.
    #[serde(default, deserialize_with = "null_default")]
    pub think_mode: ThinkMode,
    /// Keep file contents out of the prompt.
    #[serde(default, deserialize_with = "null_default")]
    pub disable_attachment_injection: bool,
    /// Cap on tool calls.
    #[serde(default)]
    pub tool_call_limit: Option<i64>,
    /// Tokens for tools and MCP servers.
    #[serde(default)]
    pub user_tokens: Option<UserTokens>,
    /// Return a metrics report.
    #[serde(default, deserialize_with = "null_default")]
    pub return_metrics: bool,
    /// Model provider override.
    #[serde(default)]
    pub llm_model_provider: Option<String>,
    /// Model name override.
    #[serde(default)]
    pub llm_model_name: Option<String>,
    /// Reasoning effort override.
    #[serde(default)]
    pub llm_reasoning_effort: Option<LlmReasoningEffort>,
    /// Harness CLI (lower-cased).
    #[serde(default)]
    pub harness_cli: Option<String>,
    /// Harness permission mode (lower-cased).
    #[serde(default)]
    pub permission_mode: Option<String>,
    /// The agent version to run (sent as `x-agent-version`).
    #[serde(skip)]
    pub agent_version: Option<String>,
}

impl fmt::Debug for CreateTaskRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateTaskRequest")
            .field("id", &self.id)
            .field("input", &self.input)
            .field(
                "payload_extension",
                &self.payload_extension.as_ref().map(ValuesRedacted),
            )
            .field("source", &self.source)
            .field("worker_id", &self.worker_id)
            .field("output_format", &self.output_format)
            .field("output_schema", &self.output_schema)
            .field("run_locally", &self.run_locally)
            .field("events_streaming", &self.events_streaming)
            .field("additional_context", &self.additional_context)
            .field("instructions_override", &self.instructions_override)
            .field("test_run_node_id", &self.test_run_node_id)
            .field("user_oidc_token", &self.user_oidc_token)
            .field("expected_output", &self.expected_output)
            .field("mcp_servers", &self.mcp_servers)
            .field("triggering_agent_id", &self.triggering_agent_id)
            .field("title", &self.title)
            .field("think_mode", &self.think_mode)
            .field(
                "disable_attachment_injection",
                &self.disable_attachment_injection,
            )
            .field("tool_call_limit", &self.tool_call_limit)
            .field("user_tokens", &self.user_tokens)
            .field("return_metrics", &self.return_metrics)
            .field("llm_model_provider", &self.llm_model_provider)
            .field("llm_model_name", &self.llm_model_name)
            .field("llm_reasoning_effort", &self.llm_reasoning_effort)
            .field("harness_cli", &self.harness_cli)
            .field("permission_mode", &self.permission_mode)
            .field("agent_version", &self.agent_version)
            .finish()
    }
}

/// The create body's `input` keeps the legacy `{text, files, user}` shape unless
/// attachments or a principal are set.
fn create_input<S: Serializer>(input: &AgentExecutionInput, s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(None)?;
    map.serialize_entry("text", &input.text)?;
    map.serialize_entry("files", &input.files)?;
    if !input.attachments.is_empty() {
        map.serialize_entry("attachments", &input.attachments)?;
    }
    map.serialize_entry("user", &input.user)?;
    if let Some(principal) = &input.principal {
        map.serialize_entry("principal", principal)?;
    }
    map.end()
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty => $field:ident;)+) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: impl Into<$ty>) -> Self {
                self.$field = Some(value.into());
                self
            }
        )+
    };
}

impl CreateTaskRequest {
    /// A task with this prompt and every option at its default.
    pub fn new(prompt: impl Into<String>) -> Self {
        Self {
            input: AgentExecutionInput::from(prompt.into()),
            ..Self::default()
        }
    }

    /// Adds input file URLs.
    pub fn files(mut self, urls: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.input.files.extend(urls.into_iter().map(Into::into));
        self
    }

    /// Sets the user.
    pub fn user(mut self, user: User) -> Self {
        self.input.user = Some(user);
        self
    }

    /// Adds MCP servers.
    pub fn mcp_servers(mut self, servers: impl IntoIterator<Item = McpServerDetails>) -> Self {
        self.mcp_servers.extend(servers);
        self
    }

    /// Runs the task on the creating worker instead of dispatching it.
    pub fn run_locally(mut self, yes: bool) -> Self {
        self.run_locally = yes;
        self
    }

    /// Streams task events to the caller.
    pub fn events_streaming(mut self, yes: bool) -> Self {
        self.events_streaming = yes;
        self
    }

    /// Sets the thinking effort.
    pub fn think_mode(mut self, mode: ThinkMode) -> Self {
        self.think_mode = mode;
        self
    }

    /// Keeps file contents out of the prompt.
    pub fn disable_attachment_injection(mut self, yes: bool) -> Self {
        self.disable_attachment_injection = yes;
        self
    }

    /// Asks for a metrics report.
    pub fn return_metrics(mut self, yes: bool) -> Self {
        self.return_metrics = yes;
        self
    }

    /// Caps tool calls.
    pub fn tool_call_limit(mut self, limit: i64) -> Self {
        self.tool_call_limit = Some(limit);
        self
    }

    /// Sets the caller's tokens for tools and MCP servers.
    pub fn user_tokens(mut self, tokens: UserTokens) -> Self {
        self.user_tokens = Some(tokens);
        self
    }

    /// Sets the harness CLI (trimmed, lower-cased; blank means none).
    pub fn harness_cli(mut self, cli: &str) -> Self {
        self.harness_cli = normalized(cli);
        self
    }

    /// Sets the harness permission mode (trimmed, lower-cased; blank means none).
    pub fn permission_mode(mut self, mode: &str) -> Self {
        self.permission_mode = normalized(mode);
        self
    }

    setters! {
        /// Continues an existing task.
        existing_task_id: String => id;
        /// Sets the payload extension for tool calls.
        payload_extension: Map<String, Value> => payload_extension;
        /// Sets the source (`sdk`, ...).
        source: String => source;
        /// Sets the worker that runs a local task.
        worker_id: String => worker_id;
        /// Sets the result's format.
        output_format: OutputFormat => output_format;
        /// Sets the result's JSON schema.
        output_schema: Value => output_schema;
        /// Adds context to the prompt.
        additional_context: String => additional_context;
        /// Replaces the agent's instructions.
        instructions_override: String => instructions_override;
        /// Targets a workflow node.
        test_run_node_id: String => test_run_node_id;
        /// Sets the caller's OIDC token.
        user_oidc_token: Secret => user_oidc_token;
        /// Describes the expected result.
        expected_output: String => expected_output;
        /// Names the triggering agent.
        triggering_agent_id: String => triggering_agent_id;
        /// Sets a title.
        title: String => title;
        /// Overrides the model provider.
        llm_model_provider: String => llm_model_provider;
        /// Overrides the model name.
        llm_model_name: String => llm_model_name;
        /// Overrides the reasoning effort.
        llm_reasoning_effort: LlmReasoningEffort => llm_reasoning_effort;
        /// Runs this agent version.
        agent_version: String => agent_version;
    }
}

fn normalized(value: &str) -> Option<String> {
    let value = value.trim().to_lowercase();
    (!value.is_empty()).then_some(value)
}

/// The sparse body of `PATCH /agent-execution/{id}/update`: only the keys that are set.
///
/// ```
/// use xpander_runtime::model::{AgentExecutionStatus, TaskUpdate};
///
/// let update = TaskUpdate { status: Some(AgentExecutionStatus::Completed), ..Default::default() };
/// assert_eq!(serde_json::to_string(&update).unwrap(), r#"{"status":"completed"}"#);
/// // `Debug` shows the payload extension's keys, not their values.
/// let mut extension = serde_json::Map::new();
/// extension.insert("sso_fetch_key".into(), "sso-1".into());
/// let update = TaskUpdate { tool_call_payload_extension: Some(extension), ..update };
/// assert!(!format!("{update:?}").contains("sso-1"));
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskUpdate {
    /// Payload extension for tool calls (this key name, not `payload_extension`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_payload_extension: Option<Map<String, Value>>,
    /// Source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AgentExecutionStatus>,
    /// Last executed node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_executed_node_id: Option<String>,
    /// Result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

impl fmt::Debug for TaskUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskUpdate")
            .field(
                "tool_call_payload_extension",
                &self
                    .tool_call_payload_extension
                    .as_ref()
                    .map(ValuesRedacted),
            )
            .field("source", &self.source)
            .field("status", &self.status)
            .field("last_executed_node_id", &self.last_executed_node_id)
            .field("result", &self.result)
            .finish()
    }
}
