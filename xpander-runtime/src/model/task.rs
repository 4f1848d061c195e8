//! [`Task`] and the types it carries.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::decode::{null_default, wire_default};
use super::open_enum::open_enum;
use super::{
    AgentExecutionStatus, LlmReasoningEffort, McpServerDetails, OutputFormat, ThinkMode, Timestamp,
    Tokens,
};
use crate::Secret;

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

    /// The input files whose URL path ends in an image extension.
    ///
    /// ```
    /// use xpander_runtime::model::Task;
    ///
    /// let mut task = Task::from_prompt("look");
    /// task.input.files = vec!["https://x/a.PNG?sig=1".into(), "https://x/b.pdf".into()];
    /// assert_eq!(task.images(), vec!["https://x/a.PNG?sig=1"]);
    /// assert_eq!(task.files(), vec!["https://x/b.pdf"]);
    /// ```
    pub fn images(&self) -> Vec<&str> {
        self.input_files()
            .filter(|url| has_extension(url, IMAGE_EXTENSIONS))
            .collect()
    }

    /// The input files that are PDFs (the files an LLM receives as documents, not inline text).
    pub fn files(&self) -> Vec<&str> {
        self.input_files()
            .filter(|url| has_extension(url, &[".pdf"]))
            .collect()
    }

    /// The input files whose contents are readable text and are inlined by
    /// [`Task::to_message`](crate::model::Task::to_message).
    pub fn readable_files(&self) -> Vec<&str> {
        self.input_files()
            .filter(|url| has_extension(url, READABLE_EXTENSIONS))
            .collect()
    }

    /// The input's file URLs: from `attachments` when present, else `files`.
    pub fn input_files(&self) -> impl Iterator<Item = &str> {
        let attachments = &self.input.attachments;
        let (from_attachments, from_files) = if attachments.is_empty() {
            (&[][..], self.input.files.as_slice())
        } else {
            (attachments.as_slice(), &[][..])
        };
        from_attachments
            .iter()
            .map(|a| a.url.as_str())
            .chain(from_files.iter().map(String::as_str))
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
        self.payload_extension.as_ref()?.llm_gateway.as_ref()
    }
}

const READABLE_EXTENSIONS: &[&str] = &[
    ".txt", ".csv", ".json", ".xml", ".html", ".htm", ".md", ".rst", ".yaml", ".yml", ".py", ".js",
    ".ts", ".java", ".c", ".cpp", ".h", ".cs", ".go", ".rb", ".php", ".sh",
];

const IMAGE_EXTENSIONS: &[&str] = &[
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tiff", ".webp", ".svg",
];

/// Whether the URL's path (query and fragment aside) ends in one of `extensions`, any case.
fn has_extension(url: &str, extensions: &[&str]) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    extensions.iter().any(|ext| path.ends_with(ext))
}

/// What the agent is asked: a prompt, files and the user asking.
///
/// ```
/// use xpander_runtime::model::AgentExecutionInput;
///
/// let input = AgentExecutionInput::from("hello");
/// assert_eq!(input.text, "hello");
/// assert!(input.files.is_empty() && input.user.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentExecutionInput {
    /// The prompt.
    #[serde(default, deserialize_with = "null_default")]
    pub text: String,
    /// File URLs.
    #[serde(default, deserialize_with = "null_default")]
    pub files: Vec<String>,
    /// Per-file metadata; preferred over `files` when present.
    #[serde(default, deserialize_with = "null_default")]
    pub attachments: Vec<Attachment>,
    /// The user asking.
    #[serde(default)]
    pub user: Option<User>,
    /// The typed identity of the caller.
    #[serde(default)]
    pub principal: Option<Principal>,
}

impl From<String> for AgentExecutionInput {
    fn from(text: String) -> Self {
        Self {
            text,
            ..Self::default()
        }
    }
}

impl From<&str> for AgentExecutionInput {
    fn from(text: &str) -> Self {
        Self::from(text.to_owned())
    }
}

/// The user a task runs for. `email` is required by the platform.
///
/// ```
/// use xpander_runtime::model::User;
///
/// let user = User::new("ada@example.com").with_id("u1");
/// assert_eq!(serde_json::to_value(&user).unwrap()["first_name"], serde_json::Value::Null);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// The user's id.
    #[serde(default)]
    pub id: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Email address (required).
    pub email: String,
    /// Anything else the caller knows about the user.
    #[serde(default)]
    pub additional_attributes: Option<Map<String, Value>>,
    /// IANA time zone, e.g. `America/New_York`.
    #[serde(default)]
    pub timezone: Option<String>,
}

impl User {
    /// A user with this email.
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            ..Self::default()
        }
    }

    /// The same user with this id.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
}

open_enum! {
    /// The door a caller came through.
    pub enum PrincipalKind {
        /// A person.
        User = "user",
        /// A Slack user.
        Slack = "slack",
        /// An API key.
        ApiKey = "api_key",
        /// A machine.
        System = "system",
        /// A guest.
        Anonymous = "anonymous",
    }
}

/// The typed identity behind a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Principal {
    /// The door the caller came through.
    pub kind: PrincipalKind,
    /// The caller's id (no `:` or whitespace).
    pub id: String,
    /// Email, if known.
    #[serde(default)]
    pub email: Option<String>,
    /// Display name, if known.
    #[serde(default)]
    pub display_name: Option<String>,
}

open_enum! {
    /// A coarse class of attachment.
    pub enum AttachmentKind {
        /// An image.
        Image = "image",
        /// A PDF.
        Pdf = "pdf",
        /// An office document.
        Document = "document",
        /// Text.
        Text = "text",
        /// Audio.
        Audio = "audio",
        /// Video.
        Video = "video",
        /// An archive.
        Archive = "archive",
        /// Anything else.
        Unknown = "unknown",
    }
}

/// Metadata of an input file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// Where the file is.
    pub url: String,
    /// File name.
    #[serde(default)]
    pub name: Option<String>,
    /// MIME type.
    #[serde(default)]
    pub mime: Option<String>,
    /// Size in bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// Coarse class.
    #[serde(default)]
    pub kind: Option<AttachmentKind>,
    /// SHA-256 of the content.
    #[serde(default)]
    pub sha256: Option<String>,
    /// When `url` stops working (ISO-8601).
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Where the file came from.
    #[serde(default)]
    pub source: Option<String>,
    /// Text derived from audio or images.
    #[serde(default)]
    pub transcript: Option<String>,
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

/// A pending human-in-the-loop request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HitlRequest {
    /// The graph node waiting for the person.
    pub wait_node_id: String,
}

/// A pending external credential authorization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingEcaRequest {
    /// The connector asking.
    pub connector_name: String,
    /// Where the user authorizes it.
    pub auth_url: String,
}

/// A task's plan (deep planning).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeepPlanning {
    /// Whether planning is on.
    #[serde(default, deserialize_with = "null_default")]
    pub enabled: bool,
    /// Whether the plan must be completed before the task may finish.
    #[serde(default, deserialize_with = "null_default")]
    pub enforce: bool,
    /// Whether planning has started.
    #[serde(default, deserialize_with = "null_default")]
    pub started: bool,
    /// Whether the agent asked the user a question.
    #[serde(default, deserialize_with = "null_default")]
    pub question_raised: bool,
    /// The plan's items.
    #[serde(default, deserialize_with = "null_default")]
    pub tasks: Vec<DeepPlanningItem>,
}

/// One item of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeepPlanningItem {
    /// Item id.
    pub id: String,
    /// What to do.
    pub title: String,
    /// Whether it is done.
    #[serde(default, deserialize_with = "null_default")]
    pub completed: bool,
}

/// Whether a task may finish, given its plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanFollowingStatus {
    /// Whether the task may finish.
    pub can_finish: bool,
    /// The plan items still open.
    #[serde(default, deserialize_with = "null_default")]
    pub uncompleted_tasks: Vec<DeepPlanningItem>,
}

impl DeepPlanning {
    /// Whether the plan forbids finishing: enforced, started, no open question, and an item
    /// not completed.
    ///
    /// ```
    /// use xpander_runtime::model::{DeepPlanning, DeepPlanningItem};
    ///
    /// let mut plan = DeepPlanning { enabled: true, enforce: true, started: true, ..Default::default() };
    /// plan.tasks.push(DeepPlanningItem { id: "1".into(), title: "step".into(), completed: false });
    /// assert!(!plan.following_status().can_finish);
    /// ```
    pub fn following_status(&self) -> PlanFollowingStatus {
        let open: Vec<DeepPlanningItem> = self
            .tasks
            .iter()
            .filter(|item| !item.completed)
            .cloned()
            .collect();
        if self.enabled && self.started && self.enforce && !self.question_raised && !open.is_empty()
        {
            PlanFollowingStatus {
                can_finish: false,
                uncompleted_tasks: open,
            }
        } else {
            PlanFollowingStatus {
                can_finish: true,
                uncompleted_tasks: Vec::new(),
            }
        }
    }
}

/// A task's `payload_extension`: extra payload the platform merges into tool calls.
///
/// An LLM-gateway route (`llm_gateway`, which holds a token) is taken out when the task is
/// decoded and kept privately ([`Task::llm_gateway`]): it is never saved back, serialised or
/// printed.
#[derive(Clone, Default, PartialEq)]
pub struct PayloadExtension {
    /// Every key but `llm_gateway`.
    pub fields: Map<String, Value>,
    llm_gateway: Option<LlmGateway>,
}

impl PayloadExtension {
    /// An extension with these keys.
    pub fn new(fields: Map<String, Value>) -> Self {
        Self {
            fields,
            llm_gateway: None,
        }
    }

    /// Moves the private gateway route over from an older copy of the same task.
    pub(crate) fn take_private_from(&mut self, older: &mut Self) {
        if self.llm_gateway.is_none() {
            self.llm_gateway = older.llm_gateway.take();
        }
    }
}

impl fmt::Debug for PayloadExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PayloadExtension")
            .field("fields", &self.fields)
            .field("llm_gateway", &self.llm_gateway)
            .finish()
    }
}

impl Serialize for PayloadExtension {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.fields.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for PayloadExtension {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut fields = Map::<String, Value>::deserialize(deserializer)?;
        // A malformed route is dropped rather than failing the task: the worker then calls the
        // model directly, as it would without a route.
        let llm_gateway = fields
            .remove("llm_gateway")
            .and_then(|v| serde_json::from_value(v).ok());
        Ok(Self {
            fields,
            llm_gateway,
        })
    }
}

/// An LLM-gateway route delivered with a task: call the model through `base_url` with `token`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LlmGateway {
    /// The gateway's root URL.
    pub base_url: String,
    /// The run token.
    pub token: Secret,
}

/// Tokens a caller supplies with a task: per graph item (a token or a headers object) and OIDC
/// tokens per audience. Held opaquely; `Debug` shows only the keys.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserTokens(Map<String, Value>);

impl UserTokens {
    /// Wraps a `user_tokens` object.
    pub fn new(tokens: Map<String, Value>) -> Self {
        Self(tokens)
    }

    /// The OIDC token for an audience (`oidc_tokens.<audience>`).
    ///
    /// ```
    /// use xpander_runtime::model::UserTokens;
    ///
    /// let t: UserTokens = serde_json::from_str(r#"{"oidc_tokens":{"llm":"jwt"}}"#).unwrap();
    /// assert_eq!(t.oidc_token("llm").unwrap().expose(), "jwt");
    /// assert!(!format!("{t:?}").contains("jwt"));
    /// ```
    pub fn oidc_token(&self, audience: &str) -> Option<Secret> {
        self.0
            .get("oidc_tokens")?
            .get(audience)?
            .as_str()
            .map(Secret::from)
    }

    /// What the caller supplied for a graph item: a token string or a headers object.
    pub fn for_graph_item(&self, item_id: &str) -> Option<&Value> {
        self.0.get(item_id)
    }
}

impl fmt::Debug for UserTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UserTokens")
            .field(&self.0.keys().collect::<Vec<_>>())
            .finish()
    }
}
