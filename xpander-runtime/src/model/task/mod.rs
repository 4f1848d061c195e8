//! [`Task`] and the types it carries.

mod extension;
mod files;
mod input;
mod pending;
mod plan;
mod user_tokens;

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

pub use extension::*;
pub use input::*;
pub use pending::*;
pub use plan::*;
pub use user_tokens::*;

use crate::Secret;
use crate::model::decode::{null_default, wire_default};
use crate::model::enums::{AgentExecutionStatus, LlmReasoningEffort, OutputFormat, ThinkMode};
use crate::model::mcp::McpServerDetails;
use crate::model::open_enum::open_enum;
use crate::model::time::Timestamp;
use crate::model::tokens::Tokens;

/// One execution of an agent: what the platform pushes to a worker and what the worker saves.
///
/// Every field of the platform's task is here with its JSON name, in the order the Python SDK
/// writes it. Keys this version does not know are kept in [`Task::extra`] and sent back on save.
///
/// A handler receives a `Task`, sets [`Task::result`] (and optionally `status`, `tokens`,
/// `used_tools`), and returns it. For a unit test, build one with [`Task::from_prompt`]:
///
/// ```
/// use xpander_runtime::model::{AgentExecutionStatus, Task};
///
/// let mut task = Task::from_prompt("What can you do?");
/// task.result = Some("Everything".into());
/// assert_eq!(task.status, AgentExecutionStatus::Pending);
/// assert_eq!(task.input.text, "What can you do?");
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Task {
    /// The task id.
    pub id: String,
    /// The agent that runs it.
    pub agent_id: String,
    /// The organization that owns it.
    pub organization_id: String,
    /// The prompt, files and user.
    pub input: AgentExecutionInput,
    /// Where the task stands.
    #[serde(default, deserialize_with = "null_default")]
    pub status: AgentExecutionStatus,
    /// The platform's finer-grained status.
    #[serde(default)]
    pub internal_status: Option<String>,
    /// The last graph node that ran.
    #[serde(default)]
    pub last_executed_node_id: Option<String>,
    /// The agent version this task runs (a string on the wire).
    #[serde(default)]
    pub agent_version: Option<String>,
    /// When the task was created.
    pub created_at: Timestamp,
    /// When it first started executing.
    #[serde(default)]
    pub started_at: Option<Timestamp>,
    /// When it was last paused.
    #[serde(default)]
    pub paused_at: Option<Timestamp>,
    /// When it reached a terminal status.
    #[serde(default)]
    pub finished_at: Option<Timestamp>,
    /// The result. A non-string JSON result from the platform is kept as its JSON text.
    #[serde(default, deserialize_with = "result_text")]
    pub result: Option<String>,
    /// The task that started this one.
    #[serde(default)]
    pub parent_execution: Option<String>,
    /// The conversation this task belongs to.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// The shape of that conversation.
    #[serde(default)]
    pub conversation_kind: Option<ConversationKind>,
    /// Tasks this one started.
    #[serde(default, deserialize_with = "null_default")]
    pub sub_executions: Vec<String>,
    /// Whether finishing this task updates its parent.
    #[serde(default, deserialize_with = "null_default")]
    pub should_update_parent: bool,
    /// Whether a user stopped it.
    #[serde(default, deserialize_with = "null_default")]
    pub is_manually_stopped: bool,
    /// Extra payload merged into tool calls.
    #[serde(default)]
    pub payload_extension: Option<PayloadExtension>,
    /// The kind of execution.
    #[serde(default)]
    pub execution_kind: Option<String>,
    /// A pending human-in-the-loop request.
    #[serde(default)]
    pub hitl_request: Option<HitlRequest>,
    /// A pending external credential authorization.
    #[serde(default)]
    pub pending_eca_request: Option<PendingEcaRequest>,
    /// Who created the task (`sdk`, `orchestration`, a source node type, ...).
    #[serde(default)]
    pub source: Option<String>,
    /// The voice for voice output.
    #[serde(default)]
    pub voice_id: Option<String>,
    /// The format the result should take.
    #[serde(default)]
    pub output_format: Option<OutputFormat>,
    /// A JSON schema for a JSON result.
    #[serde(default)]
    pub output_schema: Option<Value>,
    /// Whether the task streams events to its caller.
    #[serde(default, deserialize_with = "null_default")]
    pub events_streaming: bool,
    /// Whether an orchestration runs the task.
    #[serde(default, deserialize_with = "null_default")]
    pub is_orchestration: bool,
    /// Whether the task came through the agent gateway.
    #[serde(default, deserialize_with = "null_default")]
    pub is_gateway: bool,
    /// Whether the task came from an app.
    #[serde(default, deserialize_with = "null_default")]
    pub is_app: bool,
    /// Whether MCP auth may complete in the background.
    #[serde(default, deserialize_with = "null_default")]
    pub background_auth_eligible: bool,
    /// Context added to the agent's prompt.
    #[serde(default)]
    pub additional_context: Option<String>,
    /// A cap on tool calls for this task.
    #[serde(default)]
    pub tool_call_limit: Option<i64>,
    /// Instructions that replace the agent's.
    #[serde(default)]
    pub instructions_override: Option<String>,
    /// The graph node a test run targets.
    #[serde(default)]
    pub test_run_node_id: Option<String>,
    /// The caller's OIDC token.
    #[serde(default)]
    pub user_oidc_token: Option<Secret>,
    /// What the result should look like.
    #[serde(default)]
    pub expected_output: Option<String>,
    /// MCP servers the task adds to the agent's.
    #[serde(default, deserialize_with = "null_default")]
    pub mcp_servers: Vec<McpServerDetails>,
    /// The agent that triggered this task.
    #[serde(default)]
    pub triggering_agent_id: Option<String>,
    /// A title.
    #[serde(default)]
    pub title: Option<String>,
    /// How hard the agent should think.
    #[serde(default, deserialize_with = "null_default")]
    pub think_mode: ThinkMode,
    /// Whether file contents are kept out of the prompt.
    #[serde(default, deserialize_with = "null_default")]
    pub disable_attachment_injection: bool,
    /// Tokens the caller supplies for tools and MCP servers.
    #[serde(default)]
    pub user_tokens: Option<UserTokens>,
    /// The task's plan. Not sent by an ordinary save.
    #[serde(default, deserialize_with = "null_default")]
    pub deep_planning: DeepPlanning,
    /// Whether the agent must plan before acting.
    #[serde(default, deserialize_with = "null_default")]
    pub must_deep_plan: bool,
    /// How many times the platform has tried this task.
    #[serde(default = "one", deserialize_with = "one_if_null")]
    pub execution_attempts: i64,
    /// Whether the caller wants metrics returned.
    #[serde(default, deserialize_with = "null_default")]
    pub return_metrics: bool,
    /// A model provider that overrides the agent's.
    #[serde(default)]
    pub llm_model_provider: Option<String>,
    /// A model name that overrides the agent's.
    #[serde(default)]
    pub llm_model_name: Option<String>,
    /// A reasoning effort that overrides the agent's.
    #[serde(default)]
    pub llm_reasoning_effort: Option<LlmReasoningEffort>,
    /// The harness CLI of a harness agent.
    #[serde(default)]
    pub harness_cli: Option<String>,
    /// The permission mode of a harness agent.
    #[serde(default)]
    pub permission_mode: Option<String>,
    /// Tokens the handler used (reported as metrics).
    #[serde(default)]
    pub tokens: Option<Tokens>,
    /// Tools the handler used (reported as metrics).
    #[serde(default, deserialize_with = "null_default")]
    pub used_tools: Vec<String>,
    /// How long the handler ran, in seconds.
    #[serde(default, deserialize_with = "null_default")]
    pub duration: f64,
    /// Keys this SDK version does not know, sent back unchanged on save.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// What travels with the task but not on the wire. Leave it at its default when building
    /// a task by hand.
    #[serde(skip)]
    pub context: TaskContext,
}

/// State a [`Task`] carries in this process only: the platform it came from (set by `Tasks`, the
/// worker and `Backend`) and the model that served it (reported as metrics `ai_model`).
#[derive(Clone, Default)]
pub struct TaskContext {
    pub(crate) platform: Option<crate::Platform>,
    pub(crate) served_model: Option<String>,
}

impl fmt::Debug for TaskContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskContext")
            .field("bound", &self.platform.is_some())
            .field("served_model", &self.served_model)
            .finish()
    }
}

wire_default! {
    one, one_if_null: i64 = 1;
}

/// `result` is a string on the wire, but handlers of other SDKs may store any JSON value.
fn result_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text),
        Some(other) => Some(other.to_string()),
    })
}

impl Default for Task {
    fn default() -> Self {
        Self {
            id: String::new(),
            agent_id: String::new(),
            organization_id: String::new(),
            input: AgentExecutionInput::default(),
            status: AgentExecutionStatus::Pending,
            internal_status: None,
            last_executed_node_id: None,
            agent_version: None,
            created_at: Timestamp::now(),
            started_at: None,
            paused_at: None,
            finished_at: None,
            result: None,
            parent_execution: None,
            conversation_id: None,
            conversation_kind: None,
            sub_executions: Vec::new(),
            should_update_parent: false,
            is_manually_stopped: false,
            payload_extension: None,
            execution_kind: None,
            hitl_request: None,
            pending_eca_request: None,
            source: None,
            voice_id: None,
            output_format: None,
            output_schema: None,
            events_streaming: false,
            is_orchestration: false,
            is_gateway: false,
            is_app: false,
            background_auth_eligible: false,
            additional_context: None,
            tool_call_limit: None,
            instructions_override: None,
            test_run_node_id: None,
            user_oidc_token: None,
            expected_output: None,
            mcp_servers: Vec::new(),
            triggering_agent_id: None,
            title: None,
            think_mode: ThinkMode::Default,
            disable_attachment_injection: false,
            user_tokens: None,
            deep_planning: DeepPlanning::default(),
            must_deep_plan: false,
            execution_attempts: 1,
            return_metrics: false,
            llm_model_provider: None,
            llm_model_name: None,
            llm_reasoning_effort: None,
            harness_cli: None,
            permission_mode: None,
            tokens: None,
            used_tools: Vec::new(),
            duration: 0.0,
            extra: Map::new(),
            context: TaskContext::default(),
        }
    }
}

impl Task {
    /// A local task with this prompt and a fresh `local-…` id, for tests and offline runs.
    pub fn from_prompt(text: impl Into<String>) -> Self {
        Self {
            id: format!("local-{}", uuid::Uuid::new_v4()),
            input: AgentExecutionInput::from(text.into()),
            ..Self::default()
        }
    }

    /// Sets the result to `value` as JSON text, written as the Python SDK's `json.dumps` writes
    /// it (`{"answer": 42}`), so a JSON result reads the same whichever SDK produced it.
    ///
    /// ```
    /// use xpander_runtime::model::Task;
    ///
    /// let mut task = Task::from_prompt("q");
    /// task.set_result_json(&serde_json::json!({"answer": 42}));
    /// assert_eq!(task.result.as_deref(), Some(r#"{"answer": 42}"#));
    /// ```
    pub fn set_result_json(&mut self, value: &impl Serialize) {
        self.result = Some(crate::pyjson::dumps(value));
    }

    /// The LLM gateway route delivered with this task, if any. It is never sent back.
    pub fn llm_gateway(&self) -> Option<&LlmGateway> {
        self.payload_extension.as_ref()?.llm_gateway()
    }
}

open_enum! {
    /// The shape of a conversation.
    pub enum ConversationKind {
        /// One task per turn.
        Direct = "direct",
        /// Through the agent gateway.
        Gateway = "gateway",
    }
}
