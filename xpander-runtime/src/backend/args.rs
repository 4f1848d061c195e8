//! [`AgentArgs`]: everything a framework needs to run an agent, resolved from the stored agent
//! and the task, independent of any framework.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value};

use super::frameworks;
use super::llm::LlmProvider;
use super::tools::PlatformTool;
use crate::Secret;
use crate::model::{Framework, LlmReasoningEffort};

/// An agent's runtime arguments: the model, the prompt pieces, the tools, session and team
/// settings, as the Python SDK's `get_args` resolves them, but typed and framework-neutral.
///
/// Build it with [`Backend::aget_args`](super::Backend::aget_args) (or
/// [`dispatch_get_args`](super::dispatch_get_args)); turn it into one framework's constructor
/// arguments with [`AgentArgs::render`], which dispatches on [`AgentArgs::framework`].
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
    /// The agent's framework as the platform stores it (never rewritten); [`AgentArgs::render`]
    /// picks the adapter by it.
    pub framework: Framework,
    /// The model and how to reach it; `None` only when the overrides supply `model`.
    pub model: Option<ModelSpec>,
    /// The agent's description (`description`, else `instructions.general`).
    pub description: String,
    /// The system instructions: the task's `instructions_override`, else the agent's
    /// `<instructions>`/`<goals>` blocks (see [`render_instructions`]), plus a team's
    /// `<expected_output>` block.
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
}

impl AgentArgs {
    /// The constructor arguments of this agent's framework (the adapter registered for
    /// [`AgentArgs::framework`], else Agno), with secrets redacted as `"[REDACTED]"`.
    pub fn render(&self) -> Map<String, Value> {
        frameworks::adapter_for(&self.framework).render(self, Secrets::Redact)
    }

    /// [`AgentArgs::render`] with keys and tokens in clear: only for handing the arguments to
    /// the framework itself, never to logs.
    pub fn render_with_secrets(&self) -> Map<String, Value> {
        frameworks::adapter_for(&self.framework).render(self, Secrets::Reveal)
    }

    /// Whether the agent runs as a team.
    pub fn is_team(&self) -> bool {
        self.team.is_some()
    }
}

/// Whether a rendering shows secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrets {
    /// Every secret is written as `"[REDACTED]"`.
    Redact,
    /// Secrets are written in clear.
    Reveal,
}

impl Secrets {
    /// A secret as JSON, per this mode.
    pub fn show(self, secret: &Secret) -> Value {
        match self {
            Self::Redact => Value::String("[REDACTED]".into()),
            Self::Reveal => Value::String(secret.expose().to_owned()),
        }
    }

    /// Headers as a JSON object, values per this mode.
    pub fn headers(self, headers: &BTreeMap<String, Secret>) -> Value {
        Value::Object(
            headers
                .iter()
                .map(|(name, value)| (name.clone(), self.show(value)))
                .collect(),
        )
    }
}

/// The model an agent runs on, and how to reach it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ModelSpec {
    /// The provider (the platform's name, lower-cased); an unknown provider with a base URL is
    /// [`LlmProvider::OpenAiCompatible`].
    pub provider: LlmProvider,
    /// The model id, lower-cased (the task's `llm_model_name` wins over the agent's).
    pub model_id: String,
    /// The key; `None` when neither the agent, the task's OIDC token nor the environment has
    /// one. `"EMPTY"` stands for "no key" at an endpoint that takes none.
    pub api_key: Option<Secret>,
    /// A custom endpoint (the agent's `llm_api_base`, or the provider's fixed one).
    pub base_url: Option<String>,
    /// Headers for every LLM request: the OIDC token, the organization's defaults, the
    /// agent's own, in that order (later wins); for Anthropic also `User-Agent`.
    pub headers: BTreeMap<String, Secret>,
    /// The sampling temperature; `None` leaves the provider default (reasoning models).
    pub temperature: Option<f64>,
    /// The reasoning effort, when not the default (`medium`) and the model takes one.
    pub reasoning_effort: Option<LlmReasoningEffort>,
    /// Whether OpenAI's Responses API must be used instead of Chat Completions.
    pub responses_api: bool,
    /// The end-user attribution sent as the OpenAI-style `user` field (the organization id).
    pub user: Option<String>,
    /// A cap on output tokens, where the provider's default is too small.
    pub max_tokens: Option<u32>,
    /// A prompt-cache routing key (`{organization}:{agent}`, hashed past 64 characters).
    pub prompt_cache_key: Option<String>,
    /// Whether the system prompt is marked for prompt caching (Anthropic).
    pub cache_system_prompt: bool,
    /// Retries of a failed LLM call.
    pub retries: u32,
    /// Whether retries back off exponentially.
    pub exponential_backoff: bool,
    /// How long one LLM request may take.
    pub request_timeout: Duration,
    /// The AWS region (Bedrock), from `AWS_REGION`.
    pub aws_region: Option<String>,
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
    /// Whether the caller resolved the args with the blocking API (Agno then uses its
    /// synchronous driver).
    pub blocking: bool,
}

/// The knowledge bases an agent searches ([`KnowledgeSpec::search`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct KnowledgeSpec {
    /// The knowledge base ids.
    pub knowledge_base_ids: Vec<String>,
    /// How many documents a search returns by default.
    pub num_documents: usize,
    pub(crate) platform: super::platform::Bound,
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

/// The agent's `<instructions>`/`<goals>` text as the platform renders it: only the non-empty
/// blocks, the role list in Python's `repr` form (it reaches the LLM that way), goals one per
/// line; `""` when both are empty.
///
/// ```
/// use xpander_runtime::backend::render_instructions;
///
/// let text = render_instructions(&["be nice".into()], &["help".into()]);
/// assert_eq!(
///     text,
///     "\n        <instructions>\n            ['be nice']\n        </instructions>\n        \
///      <goals>\n            help\n        </goals>\n        "
/// );
/// assert_eq!(render_instructions(&[], &[]), "");
/// ```
pub fn render_instructions(role: &[String], goal: &[String]) -> String {
    let mut blocks = Vec::new();
    if !role.is_empty() {
        blocks.push(format!(
            "        <instructions>\n            {}\n        </instructions>",
            super::pyrepr::list_of_str(role)
        ));
    }
    if !goal.is_empty() {
        blocks.push(format!(
            "        <goals>\n            {}\n        </goals>",
            goal.join("\n")
        ));
    }
    if blocks.is_empty() {
        String::new()
    } else {
        format!("\n{}\n        ", blocks.join("\n"))
    }
}
