//! The Backend: an agent's runtime arguments for your framework ([`Backend::aget_args`]),
//! invoking an agent ([`Backend::ainvoke_agent`]) and recording runs made elsewhere
//! ([`Backend::areport_external_task`]), as the Python SDK's `Backend` module does.
//!
//! ```no_run
//! use xpander_runtime::{Backend, Task, on_task};
//!
//! #[on_task]
//! async fn handle(mut task: Task) -> Result<Task, xpander_runtime::Error> {
//!     // The agent and version the task was created for, with the task's context.
//!     let args = Backend::default().aget_args().for_task(&mut task).await?;
//!     let model = args.model.as_ref().map_or("(override)", |m| m.model_id.as_str());
//!     task.result = Some(format!("{} would answer with {model}", args.name));
//!     Ok(task)
//! }
//! ```
//!
//! Each Python keyword argument is a builder method of the same name (`override` is
//! [`GetArgs::overrides`], a reserved word in Rust); each blocking method (`get_args`,
//! `invoke_agent`, `report_external_task`) is finished with `.call()` and works from plain
//! code and inside a tokio runtime alike.
//!
//! Without `XPANDER_API_KEY`, point `XPANDER_AGENT_FILE` at an agent JSON file (or pass an
//! agent to [`BackendBuilder::local_agent`]) and args resolve with no platform and no HTTP.

mod agent_file;
mod args;
mod auth;
mod build;
mod cache;
mod env;
mod error;
pub mod frameworks;
mod knowledge;
mod llm;
mod loader;
mod mcp;
mod platform;
mod pyrepr;
mod request;
mod tools;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use args::{
    AgentArgs, CustomTool, DatetimeSpec, DbSpec, Guardrail, KnowledgeSpec, McpConnection,
    McpToolSpec, ModelSpec, OutputSpec, PlanSpec, Secrets, SessionSpec, TeamSpec, ToolSpec,
    render_instructions,
};
pub use auth::{AuthCallback, AuthCallbackFn, AuthEventData, AuthPolling};
pub use error::BackendError;
pub use frameworks::dispatch_get_args;
pub use knowledge::KnowledgeHit;
pub use llm::LlmProvider;
pub use request::{Async, Blocking, GetArgs, InvokeAgent, ReportExternalTask, TaskRef};
pub use tools::{PlatformTool, ToolCall, ToolInvocationResult};

use crate::model::{Agent, CreateTaskRequest, TaskReportRequest};
use crate::{Configuration, ConfigurationBuilder};
use agent_file::LocalAgents;
use env::Env;

/// How long the current version of a loaded agent is reused (a pinned version is reused for
/// good: it never changes).
const DEFAULT_AGENT_CACHE_TTL: Duration = Duration::from_secs(5);

/// The xpander Backend: resolves agents' runtime arguments, invokes agents and reports external
/// runs. Cheap to clone; clones share their settings. Loaded agents and the organization's
/// default LLM headers are cached process-wide per platform and key.
///
/// ```no_run
/// use xpander_runtime::{Backend, Configuration};
///
/// # async fn demo() -> Result<(), xpander_runtime::backend::BackendError> {
/// let backend = Backend::new(Configuration::from_env()?);
/// let args = backend.aget_args().agent_id("agent-123").await?;
/// let same = backend.get_args().agent_id("agent-123").call()?; // blocking
/// assert_eq!(args.id, same.id);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Backend {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    platform: Result<Configuration, String>,
    local: LocalAgents,
    env: Env,
    polling: AuthPolling,
    agent_cache_ttl: Duration,
}

impl Backend {
    /// A Backend for the platform this configuration points at. Its `agent_id` (e.g.
    /// `XPANDER_AGENT_ID`) is the agent used when a call names none.
    pub fn new(config: Configuration) -> Self {
        Self::builder().configuration(config).build()
    }

    /// A builder with nothing set (no platform, no local agent).
    pub fn builder() -> BackendBuilder {
        BackendBuilder::default()
    }

    /// The platform configuration, when there is one.
    pub fn configuration(&self) -> Option<&Configuration> {
        self.inner.platform.as_ref().ok()
    }

    /// Resolves an agent's runtime arguments; `.await` the returned builder after setting what
    /// Python passes as keywords (`agent_id`, `agent`, `agent_version`, `task`, `override`,
    /// `tools`, `auth_events_callback`).
    ///
    /// The agent is the one given with [`GetArgs::agent`], else loaded by [`GetArgs::agent_id`],
    /// else the configuration's agent id (`XPANDER_AGENT_ID`), else the first local agent
    /// (`XPANDER_AGENT_FILE`).
    pub fn aget_args(&self) -> GetArgs<'_, Async> {
        GetArgs::new(self)
    }

    /// Blocking [`Backend::aget_args`]: set the same options, then `.call()`.
    pub fn get_args(&self) -> GetArgs<'_, Blocking> {
        GetArgs::new(self)
    }

    /// Creates a task for an agent (the agent is loaded first); a prompt that is a JSON object
    /// with `xpander_task_id` returns that existing task instead.
    ///
    /// ```no_run
    /// # async fn demo(backend: xpander_runtime::Backend) -> Result<(), xpander_runtime::backend::BackendError> {
    /// use xpander_runtime::model::CreateTaskRequest;
    ///
    /// let task = backend.ainvoke_agent(CreateTaskRequest::new("Hello")).agent_id("agent-123").await?;
    /// println!("{} is {}", task.id, task.status);
    /// # Ok(()) }
    /// ```
    pub fn ainvoke_agent(&self, request: CreateTaskRequest) -> InvokeAgent<'_, Async> {
        InvokeAgent::new(self, request)
    }

    /// Blocking [`Backend::ainvoke_agent`], finished with `.call()`.
    pub fn invoke_agent(&self, request: CreateTaskRequest) -> InvokeAgent<'_, Blocking> {
        InvokeAgent::new(self, request)
    }

    /// Records a run that happened outside the platform
    /// (`POST /agent-execution/{agent_id}/report_task`) and returns the task it became.
    ///
    /// ```no_run
    /// # async fn demo(backend: xpander_runtime::Backend) -> Result<(), xpander_runtime::backend::BackendError> {
    /// use xpander_runtime::model::TaskReportRequest;
    ///
    /// let task = backend
    ///     .areport_external_task(TaskReportRequest {
    ///         id: Some(uuid::Uuid::new_v4().to_string()),
    ///         input: Some("Process data batch".into()),
    ///         result: Some("Successfully processed 1000 records".into()),
    ///         duration: 3.2,
    ///         ..Default::default()
    ///     })
    ///     .agent_id("agent-123")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn areport_external_task(
        &self,
        report: TaskReportRequest,
    ) -> ReportExternalTask<'_, Async> {
        ReportExternalTask::new(self, report)
    }

    /// Blocking [`Backend::areport_external_task`], finished with `.call()`.
    pub fn report_external_task(
        &self,
        report: TaskReportRequest,
    ) -> ReportExternalTask<'_, Blocking> {
        ReportExternalTask::new(self, report)
    }

    /// Why there is no platform, for error messages.
    fn platform_or(&self, needed_for: &str) -> Result<&Configuration, BackendError> {
        self.inner
            .platform
            .as_ref()
            .map_err(|reason| BackendError::no_platform(needed_for, reason.clone()))
    }
}

/// `Backend::default()` reads the environment like the Python `Backend()`: the platform from
/// `XPANDER_API_KEY`, `XPANDER_ORGANIZATION_ID`, `XPANDER_BASE_URL` and `XPANDER_AGENT_ID`,
/// and a local agent file from `XPANDER_AGENT_FILE`. Missing platform variables are reported
/// only when a call needs the platform.
impl Default for Backend {
    fn default() -> Self {
        BackendBuilder::from_env().build()
    }
}

/// Builds a [`Backend`].
///
/// ```
/// use std::time::Duration;
/// use xpander_runtime::backend::{AuthPolling, Backend};
///
/// let backend = Backend::builder()
///     .agent_file("examples/agent.json")
///     .auth_polling(AuthPolling { interval: Duration::from_millis(500), timeout: Duration::from_secs(120) })
///     .env_lookup(|name| (name == "OPENAI_API_KEY").then(|| "sk-test".to_owned()))
///     .build();
/// assert!(backend.configuration().is_none());
/// ```
#[derive(Debug, Default)]
pub struct BackendBuilder {
    platform: Option<Result<Configuration, String>>,
    local: LocalAgents,
    env: Option<Env>,
    polling: AuthPolling,
    agent_cache_ttl: Option<Duration>,
}

impl BackendBuilder {
    /// A builder holding what the environment says: the platform configuration (when its
    /// variables are set) and `XPANDER_AGENT_FILE`.
    pub fn from_env() -> Self {
        let platform = ConfigurationBuilder::from_env()
            .build()
            .map_err(|e| e.to_string());
        let local = match std::env::var_os("XPANDER_AGENT_FILE").filter(|v| !v.is_empty()) {
            Some(path) => LocalAgents::File(PathBuf::from(path)),
            None => LocalAgents::None,
        };
        Self {
            platform: Some(platform),
            local,
            ..Self::default()
        }
    }

    /// Uses this platform.
    pub fn configuration(mut self, config: Configuration) -> Self {
        self.platform = Some(Ok(config));
        self
    }

    /// Reads agents from this JSON file (one agent object, or an array of them): an agent
    /// found there needs no platform to resolve.
    pub fn agent_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.local = LocalAgents::File(path.into());
        self
    }

    /// Adds an agent given in code, found by its id (and used when no id is named).
    pub fn local_agent(mut self, agent: Agent) -> Self {
        let mut agents = match self.local {
            LocalAgents::Given(given) => given.as_ref().clone(),
            _ => Vec::new(),
        };
        agents.push(agent);
        self.local = LocalAgents::Given(Arc::new(agents));
        self
    }

    /// Reads LLM keys and tunables (`OPENAI_API_KEY`, `AWS_REGION`, …) through `lookup`
    /// instead of the process environment.
    pub fn env_lookup(
        mut self,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.env = Some(Env::from_fn(lookup));
        self
    }

    /// How MCP logins are polled (default every 1 s, up to 600 s).
    pub fn auth_polling(mut self, polling: AuthPolling) -> Self {
        self.polling = polling;
        self
    }

    /// How long a loaded agent's current version is reused (default 5 s; zero reloads on
    /// every call, concurrent loads still share one request).
    pub fn agent_cache_ttl(mut self, ttl: Duration) -> Self {
        self.agent_cache_ttl = Some(ttl);
        self
    }

    /// The Backend.
    pub fn build(self) -> Backend {
        Backend {
            inner: Arc::new(Inner {
                platform: self.platform.unwrap_or_else(|| {
                    Err("no configuration was given: set XPANDER_API_KEY and \
                         XPANDER_ORGANIZATION_ID, or pass one to Backend::new"
                        .into())
                }),
                local: self.local,
                env: self.env.unwrap_or_default(),
                polling: self.polling,
                agent_cache_ttl: self.agent_cache_ttl.unwrap_or(DEFAULT_AGENT_CACHE_TTL),
            }),
        }
    }
}
