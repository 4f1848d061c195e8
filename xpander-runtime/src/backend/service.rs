//! [`Backend`] and [`BackendBuilder`]: the entry point. A Backend holds its settings and its
//! framework adapters, starts the call builders, and renders args with the adapter for their
//! framework.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use super::agent_file::LocalAgents;
use super::args::AgentArgs;
use super::auth::AuthPolling;
use super::env::Env;
use super::frameworks::{Adapters, FrameworkAdapter, RenderOptions, Secrets};
use super::loader::DEFAULT_AGENT_CACHE_TTL;
use super::request::{Async, Blocking, GetArgs, InvokeAgent, ReportExternalTask};
use super::settings::Settings;
use crate::model::{Agent, CreateTaskRequest, Framework, TaskReportRequest};
use crate::{Configuration, ConfigurationBuilder, Platform};

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
    settings: Arc<Settings>,
}

impl Backend {
    /// A Backend for the platform this configuration points at. Its `agent_id` (e.g.
    /// `XPANDER_AGENT_ID`) is the agent used when a call names none.
    pub fn new(platform: impl Into<Platform>) -> Self {
        Self::builder().configuration(platform).build()
    }

    /// A builder with nothing set (no platform, no local agent).
    pub fn builder() -> BackendBuilder {
        BackendBuilder::default()
    }

    /// The platform configuration, when there is one.
    pub fn configuration(&self) -> Option<&Configuration> {
        self.platform().map(Platform::configuration)
    }

    /// The platform, when there is one.
    pub fn platform(&self) -> Option<&Platform> {
        self.settings.platform.as_ref().ok()
    }

    /// Resolves an agent's runtime arguments; `.await` the returned builder after setting what
    /// Python passes as keywords (`agent_id`, `agent`, `agent_version`, `task`, `override`,
    /// `tools`, `auth_events_callback`).
    ///
    /// The agent is the one given with [`GetArgs::agent`], else loaded by [`GetArgs::agent_id`],
    /// else the configuration's agent id (`XPANDER_AGENT_ID`), else the first local agent
    /// (`XPANDER_AGENT_FILE`).
    pub fn aget_args(&self) -> GetArgs<'_, Async> {
        GetArgs::new(&self.settings)
    }

    /// The agent as [`Backend::aget_args`] resolves it (the same options), ready to run on a
    /// task with rig: `Backend::default().aget_agent().for_task(&mut task).await?.run(&mut
    /// task).await?`. Feature `agent`.
    #[cfg(feature = "agent")]
    pub fn aget_agent(&self) -> super::engine::GetAgent<'_, Async> {
        super::engine::GetAgent::new(self.aget_args())
    }

    /// Blocking [`Backend::aget_agent`]: set the same options, then `.call()`.
    #[cfg(feature = "agent")]
    pub fn get_agent(&self) -> super::engine::GetAgent<'_, Blocking> {
        super::engine::GetAgent::new(self.get_args())
    }

    /// Blocking [`Backend::aget_args`]: set the same options, then `.call()`.
    pub fn get_args(&self) -> GetArgs<'_, Blocking> {
        GetArgs::new(&self.settings)
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
        InvokeAgent::new(&self.settings, request)
    }

    /// Blocking [`Backend::ainvoke_agent`], finished with `.call()`.
    pub fn invoke_agent(&self, request: CreateTaskRequest) -> InvokeAgent<'_, Blocking> {
        InvokeAgent::new(&self.settings, request)
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
        ReportExternalTask::new(&self.settings, report)
    }

    /// Blocking [`Backend::areport_external_task`], finished with `.call()`.
    pub fn report_external_task(
        &self,
        report: TaskReportRequest,
    ) -> ReportExternalTask<'_, Blocking> {
        ReportExternalTask::new(&self.settings, report)
    }

    /// The framework arguments of `args` for their framework: the adapter this Backend holds
    /// for [`AgentArgs::framework`] (see [`BackendBuilder::adapter`]), else Agno's; secrets
    /// redacted, with [`AgentArgs::render_options`].
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use xpander_runtime::Backend;
    ///
    /// let agent = serde_json::from_value(serde_json::json!({
    ///     "id": "a1", "organization_id": "o1", "name": "Helper", "unique_name": "helper",
    ///     "framework": "google-adk", "model_provider": "openai", "model_name": "gpt-4.1",
    /// })).unwrap();
    /// let backend = Backend::builder().local_agent(agent).build();
    /// let args = backend.aget_args().await.unwrap();
    /// // No adapter is held for Google ADK: the Agno shape, as AgentArgs::render gives.
    /// assert_eq!(backend.render(&args), args.render());
    /// # });
    /// ```
    pub fn render(&self, args: &AgentArgs) -> Map<String, Value> {
        self.render_with(args, args.render_options(Secrets::Redact))
    }

    /// [`Backend::render`] with these options (e.g. secrets in clear, for the framework itself).
    pub fn render_with(&self, args: &AgentArgs, options: RenderOptions) -> Map<String, Value> {
        self.adapter(&args.framework).render(args, options)
    }

    /// The adapter used for `framework`: the one this Backend holds for it, else the one held
    /// for Agno, else the built-in [`AgnoAdapter`](super::frameworks::AgnoAdapter).
    pub fn adapter(&self, framework: &Framework) -> Arc<dyn FrameworkAdapter> {
        self.settings.adapters.get(framework)
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
    platform: Option<Result<Platform, String>>,
    local: LocalAgents,
    env: Option<Env>,
    polling: AuthPolling,
    agent_cache_ttl: Option<Duration>,
    adapters: Adapters,
}

impl BackendBuilder {
    /// A builder holding what the environment says: the platform configuration (when its
    /// variables are set) and `XPANDER_AGENT_FILE`.
    pub fn from_env() -> Self {
        let platform = ConfigurationBuilder::from_env()
            .build()
            .map(Platform::new)
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
    pub fn configuration(mut self, platform: impl Into<Platform>) -> Self {
        self.platform = Some(Ok(platform.into()));
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

    /// Renders agents whose framework is `framework` with `adapter` (see [`Backend::render`]);
    /// given for [`Framework::Agno`], it also replaces the Agno shape as the fallback of
    /// frameworks without an adapter. [`AgentArgs::render`] always gives the built-in Agno
    /// shape.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use xpander_runtime::Backend;
    /// use xpander_runtime::backend::frameworks::AgnoAdapter;
    /// use xpander_runtime::model::Framework;
    ///
    /// let backend = Backend::builder().adapter(Framework::GoogleAdk, Arc::new(AgnoAdapter)).build();
    /// assert_eq!(backend.adapter(&Framework::GoogleAdk).name(), "agno");
    /// ```
    pub fn adapter(mut self, framework: Framework, adapter: Arc<dyn FrameworkAdapter>) -> Self {
        self.adapters.insert(framework, adapter);
        self
    }

    /// The Backend.
    pub fn build(self) -> Backend {
        Backend {
            settings: Arc::new(Settings {
                platform: self.platform.unwrap_or_else(|| {
                    Err("no configuration was given: set XPANDER_API_KEY and \
                         XPANDER_ORGANIZATION_ID, or pass one to Backend::new"
                        .into())
                }),
                local: self.local,
                env: self.env.unwrap_or_default(),
                polling: self.polling,
                agent_cache_ttl: self.agent_cache_ttl.unwrap_or(DEFAULT_AGENT_CACHE_TTL),
                adapters: self.adapters,
            }),
        }
    }
}
