//! [`AgentArgs`]: everything a framework needs to run an agent, resolved from the stored agent
//! and the task, independent of any framework. Plain data: resolving fills it
//! ([`crate::backend::dispatch_get_args`]), rendering reads it ([`crate::backend::frameworks`]).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value};

use super::llm::ModelSpec;
use super::platform::Bound;
use super::tools::PlatformTool;
use crate::Secret;
use crate::model::Framework;

/// An agent's runtime arguments: the model, the prompt pieces, the tools, session and team
/// settings, as the Python SDK's `get_args` resolves them, but typed and framework-neutral.
///
/// Build it with [`Backend::aget_args`](super::Backend::aget_args) (or
/// [`dispatch_get_args`](super::dispatch_get_args)); turn it into one framework's constructor
/// arguments with [`AgentArgs::render`] (Agno's shape) or
/// [`Backend::render`](super::Backend::render) (the adapter the Backend holds for
/// [`AgentArgs::framework`]).
/// Secrets (keys, tokens, header values) are [`Secret`]s: `Debug` and `render` never show them.
///
/// The fields are public: change them before handing the args to your framework. Python's
/// `override=` is [`AgentArgs::overrides`], applied by `render`.
///
/// ```
/// use xpander_runtime::backend::{AgentArgs, dispatch_get_args};
/// use xpander_runtime::model::Agent;
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let agent: Agent = serde_json::from_value(serde_json::json!({
///     "id": "a1", "organization_id": "o1", "name": "Helper", "unique_name": "helper",
///     "framework": "agno", "model_provider": "openai", "model_name": "gpt-4.1",
///     "instructions": {"role": ["Be concise"], "goal": ["Help"], "general": "A helper"},
/// })).unwrap();
/// // Offline (the agent is bound to no platform): nothing is fetched.
/// let args: AgentArgs = dispatch_get_args(&agent, None).await.unwrap();
/// assert_eq!(args.model.as_ref().unwrap().model_id, "gpt-4.1");
/// assert!(args.instructions.contains("['Be concise']"));
/// let agno = args.render();
/// assert_eq!(agno["model"]["class"], "OpenAIChat");
/// # });
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AgentArgs {
    /// The agent id.
    pub id: String,
    /// The agent's name.
    pub name: String,
    /// The agent's framework as the platform stores it (never rewritten);
    /// [`Backend::render`](super::Backend::render) picks the adapter by it.
    pub framework: Framework,
    /// The model and how to reach it; `None` only when the overrides supply `model`.
    pub model: Option<ModelSpec>,
    /// The agent's description (`description`, else `instructions.general`).
    pub description: String,
    /// The system instructions: the task's `instructions_override`, else the agent's
    /// `<instructions>`/`<goals>` blocks (see
    /// [`render_instructions`](super::render_instructions)), plus a team's `<expected_output>`
    /// block.
    pub instructions: String,
    /// What the result should look like (the task's, else the agent's), plus the deep-planning
    /// line when a plan is active.
    pub expected_output: String,
    /// Context for the prompt: the plan, the user's details, the task's additional context.
    pub additional_context: Option<String>,
    /// Whether the current date and time go into the context, and how.
    pub datetime: DatetimeSpec,
    /// Output format settings.
    pub output: OutputSpec,
    /// Session history settings, when session storage is on.
    pub session: Option<SessionSpec>,
    /// Whether the agent learns from each interaction (`agno_settings.learning`).
    pub learning: bool,
    /// The knowledge bases the agent can search.
    pub knowledge: Option<KnowledgeSpec>,
    /// Input guardrails, in the order they run.
    pub guardrails: Vec<Guardrail>,
    /// The most tool calls per run.
    pub tool_call_limit: i64,
    /// Tools: the agent's platform tools, its MCP servers (credentials resolved), reasoning
    /// tools, and the extra tools passed in.
    pub tools: Vec<ToolSpec>,
    /// The members, when the agent is a team (each shares the leader's model).
    pub team: Option<TeamSpec>,
    /// The active plan, when deep planning is on for the task.
    pub deep_planning: Option<PlanSpec>,
    /// Python's `override=`: framework argument keys that replace whatever the adapter
    /// renders (a shallow update), applied by [`AgentArgs::render`]. Under an active plan an
    /// overriding `expected_output` or `additional_context` already carries the plan's
    /// additions.
    pub overrides: Map<String, Value>,
    /// Whether the blocking API resolved the args; see [`AgentArgs::render_options`].
    pub(crate) blocking: ResolvedBlocking,
}

impl AgentArgs {
    /// Whether the agent runs as a team.
    pub fn is_team(&self) -> bool {
        self.team.is_some()
    }

    /// Records whether the blocking API resolved these args (and their members).
    pub(crate) fn set_blocking(&mut self, blocking: bool) {
        self.blocking = ResolvedBlocking(blocking);
        for member in self
            .team
            .iter_mut()
            .flat_map(|team| team.members.iter_mut())
        {
            member.set_blocking(blocking);
        }
    }
}

/// Whether the blocking API (`get_args().call()`) resolved the args: how the caller runs the
/// agent, the default of [`RenderOptions::blocking`](super::RenderOptions::blocking). Not
/// resolved data: it takes no part in equality (the same agent resolved either way is the same
/// args), and resolution never reads it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ResolvedBlocking(pub bool);

impl PartialEq for ResolvedBlocking {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Output format settings, as resolved from the agent's and the task's formats. Each is
/// `None` when nothing decided it (the framework's default then applies).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct OutputSpec {
    /// Whether the model must answer JSON.
    pub json_mode: Option<bool>,
    /// Whether the model should answer in markdown.
    pub markdown: Option<bool>,
    /// The JSON schema of the answer (`StructuredOutput`), when JSON output has one.
    pub schema: Option<Value>,
}

/// Session history settings.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SessionSpec {
    /// The session: the task's conversation, else the task; `None` without a task.
    pub session_id: Option<String>,
    /// The task's user id.
    pub user_id: Option<String>,
    /// Whether session summaries are generated.
    pub summaries: bool,
    /// How many past runs go into the context.
    pub num_history_runs: Option<i64>,
    /// A cap on the tool calls taken from history.
    pub max_tool_calls_from_history: Option<i64>,
    /// Where sessions are stored, when the platform has a database for the agent.
    pub db: Option<DbSpec>,
}

/// The agent's session database (`GET /agents/{id}/db`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DbSpec {
    /// The connection URI, as the platform gives it (`postgresql://…`).
    pub uri: Secret,
    /// The schema: `ag_` plus the agent id with `-` as `_`.
    pub schema: String,
}

/// The knowledge bases an agent searches ([`KnowledgeSpec::search`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct KnowledgeSpec {
    /// The knowledge base ids.
    pub knowledge_base_ids: Vec<String>,
    /// How many documents a search returns by default.
    pub num_documents: usize,
    pub(crate) platform: Bound,
}

/// An input guardrail.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Guardrail {
    /// Detects personal data; masks it when `mask` is set, else rejects the input.
    PiiDetection {
        /// Mask rather than reject.
        mask: bool,
    },
    /// Rejects prompt injection attempts.
    PromptInjection,
    /// Rejects input OpenAI's moderation flags.
    OpenAiModeration {
        /// The OpenAI key (the model's, when the model is OpenAI's).
        api_key: Option<Secret>,
        /// Only these categories raise; all when `None`.
        categories: Option<Vec<String>>,
    },
}

/// The date and time put into the context.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DatetimeSpec {
    /// Whether it is added at all.
    pub enabled: bool,
    /// A `strftime` format: to the hour, so the prompt prefix stays cacheable within an hour.
    pub format: String,
    /// The time zone.
    pub timezone: String,
}

impl Default for DatetimeSpec {
    fn default() -> Self {
        Self {
            enabled: true,
            format: "%Y-%m-%d %H:00 %Z".into(),
            timezone: "UTC".into(),
        }
    }
}

/// A tool the agent can call.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ToolSpec {
    /// A platform tool, invoked with [`PlatformTool::ainvoke`].
    Platform(Box<PlatformTool>),
    /// An MCP server, with its credentials resolved.
    Mcp(McpToolSpec),
    /// Think/analyze reasoning scaffolding (added for smaller models).
    Reasoning,
    /// A tool of your own, passed in with the request.
    Custom(CustomTool),
    /// A local tool (`#[register_tool]`), called in this process.
    Local(LocalToolSpec),
}

/// A local tool registered with `#[register_tool]`, as the agent is offered it. Every agent
/// gets every registered local tool, except where a platform tool has its name (the platform's
/// wins, as in the Python SDK).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LocalToolSpec {
    /// The name the model calls it by.
    pub name: String,
    /// What it does (the fn's doc comment).
    pub description: String,
    /// The JSON schema of its arguments.
    pub parameters: Value,
    /// Whether it is synced into the agent's graph.
    pub add_to_graph: bool,
}

impl LocalToolSpec {
    pub(crate) fn of(tool: &crate::registry::LocalTool) -> Self {
        Self {
            name: tool.name().to_owned(),
            description: tool.description().to_owned(),
            parameters: tool.parameters(),
            add_to_graph: tool.add_to_graph(),
        }
    }
}

/// A tool you pass in with [`GetArgs::tool`](super::GetArgs::tool); it goes to the top-level
/// agent only, not to team members.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CustomTool {
    /// The name the model calls it by.
    pub name: String,
    /// What it does.
    pub description: String,
    /// The JSON schema of its arguments.
    pub parameters: Value,
}

impl CustomTool {
    /// A tool with this name, description and JSON schema of its arguments.
    pub fn new(name: impl Into<String>, description: impl Into<String>, parameters: Value) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
            parameters,
        }
    }
}

/// An MCP server the agent connects to.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct McpToolSpec {
    /// The server's name (its URL or command when it has none).
    pub name: String,
    /// How to reach it.
    pub connection: McpConnection,
    /// Only these tools are offered to the model; all when empty.
    pub allowed_tools: Vec<String>,
    /// The prefix of the tool names the model sees (`mcp_tool`).
    pub tool_name_prefix: String,
    /// How long one tool call may take.
    pub call_timeout: Duration,
}

/// How an MCP server is reached.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum McpConnection {
    /// A local command over stdio.
    Stdio {
        /// The program.
        command: String,
        /// Its arguments (the command line split as a POSIX shell would).
        args: Vec<String>,
        /// Its environment.
        env: BTreeMap<String, Secret>,
    },
    /// A remote server over HTTP.
    Http {
        /// The URL.
        url: String,
        /// Server-sent events rather than streamable HTTP.
        sse: bool,
        /// Headers, `Authorization: Bearer …` included once resolved.
        headers: BTreeMap<String, Secret>,
        /// The transport's connect and read timeout.
        timeout: Duration,
    },
}

/// A team's members.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TeamSpec {
    /// Each member's args (built with the same task; each has the leader's model).
    pub members: Vec<AgentArgs>,
}

/// The task's active plan (deep planning).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PlanSpec {
    /// The plan line put at the front of `additional_context`.
    pub plan_block: String,
    /// The line appended to `expected_output`.
    pub expected_output_suffix: String,
}
