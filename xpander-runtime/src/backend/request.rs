//! The call builders of [`Backend`](crate::Backend): set what Python passes as keyword
//! arguments, then `.await` (async) or `.call()` (blocking).

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use serde_json::{Map, Value};

use super::agent_file::LocalAgents;
use super::args::{AgentArgs, ToolSpec};
use super::auth::AuthCallback;
use super::loader;
use super::resolve::{ResolveContext, resolve};
use super::settings::Settings;
use crate::error::BackendError;
use crate::model::{Agent, CreateTaskRequest, Task, TaskReportRequest};
use crate::{Platform, Tasks};

/// Marks a builder finished with `.await`.
#[derive(Debug, Clone, Copy)]
pub struct Async;

/// Marks a builder finished with `.call()`, which blocks.
#[derive(Debug, Clone, Copy)]
pub struct Blocking;

type Boxed<'a, T> = Pin<Box<dyn Future<Output = Result<T, BackendError>> + Send + 'a>>;

/// The task an args call is for. With `&mut Task`, the model that will serve the task is also
/// recorded on it (reported as the metrics' `ai_model`); nothing the platform sees changes.
#[derive(Debug)]
pub enum TaskRef<'a> {
    /// Read only.
    Shared(&'a Task),
    /// Read, and the served model recorded.
    Exclusive(&'a mut Task),
}

impl TaskRef<'_> {
    fn get(&self) -> &Task {
        match self {
            Self::Shared(task) => task,
            Self::Exclusive(task) => task,
        }
    }
}

impl<'a> From<&'a Task> for TaskRef<'a> {
    fn from(task: &'a Task) -> Self {
        Self::Shared(task)
    }
}

impl<'a> From<&'a mut Task> for TaskRef<'a> {
    fn from(task: &'a mut Task) -> Self {
        Self::Exclusive(task)
    }
}

/// An args call, from [`Backend::aget_args`](crate::Backend::aget_args) (`.await` it) or
/// [`Backend::get_args`](crate::Backend::get_args) (`.call()` it).
///
/// ```no_run
/// # async fn demo(backend: xpander_runtime::Backend, mut task: xpander_runtime::Task) -> Result<(), xpander_runtime::backend::BackendError> {
/// use xpander_runtime::backend::AuthCallback;
///
/// let args = backend
///     .aget_args()
///     .agent_id("agent-123")
///     .agent_version(3)
///     .task(&mut task)
///     .overrides(serde_json::json!({"temperature": 0.7, "max_tokens": 2000}))
///     .auth_events_callback(AuthCallback::owned(|_agent, _task, event| async move {
///         println!("Authentication required: {}", event.data);
///     }))
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "an args call does nothing until awaited or called"]
pub struct GetArgs<'a, M> {
    settings: &'a Settings,
    agent_id: Option<String>,
    agent: Option<&'a Agent>,
    agent_version: Option<u32>,
    task: Option<TaskRef<'a>>,
    overrides: Option<Value>,
    tools: Vec<ToolSpec>,
    callback: Option<AuthCallback>,
    mode: PhantomData<M>,
}

impl<M> std::fmt::Debug for GetArgs<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GetArgs")
            .field("agent_id", &self.agent_id)
            .field("agent", &self.agent.map(|a| &a.id))
            .field("agent_version", &self.agent_version)
            .field("task", &self.task.as_ref().map(|t| &t.get().id))
            .finish_non_exhaustive()
    }
}

impl<'a, M> GetArgs<'a, M> {
    pub(super) fn new(settings: &'a Settings) -> Self {
        Self {
            settings,
            agent_id: None,
            agent: None,
            agent_version: None,
            task: None,
            overrides: None,
            tools: Vec::new(),
            callback: None,
            mode: PhantomData,
        }
    }

    /// The agent to load (Python `agent_id=`).
    pub fn agent_id(mut self, agent_id: impl Into<String>) -> Self {
        self.agent_id = Some(agent_id.into());
        self
    }

    /// An agent already loaded (Python `agent=`); it wins over `agent_id`.
    pub fn agent(mut self, agent: &'a Agent) -> Self {
        self.agent = Some(agent);
        self
    }

    /// The agent version to load (Python `agent_version=`; 0 means the current one).
    pub fn agent_version(mut self, version: u32) -> Self {
        self.agent_version = Some(version);
        self
    }

    /// The task the args are for (Python `task=`): its user, context, output format, model
    /// and tokens shape the args. Pass `&mut task` to also record the served model on it.
    pub fn task(mut self, task: impl Into<TaskRef<'a>>) -> Self {
        self.task = Some(task.into());
        self
    }

    /// The documented handler pattern in one call: the task's agent, at the task's version,
    /// for the task (Python `agent_id=task.agent_id, agent_version=task.agent_version,
    /// task=task`).
    pub fn for_task(mut self, task: &'a mut Task) -> Self {
        if !task.agent_id.is_empty() {
            self.agent_id = Some(task.agent_id.clone());
        }
        self.agent_version = task
            .agent_version
            .as_deref()
            .and_then(|v| v.trim().parse().ok());
        self.task = Some(TaskRef::Exclusive(task));
        self
    }

    /// Python `override=`: framework argument keys (a JSON object) that replace what the
    /// framework rendering produces, applied by [`AgentArgs::render`]. A `model` key also skips
    /// the model resolution.
    pub fn overrides(mut self, overrides: Value) -> Self {
        self.overrides = Some(overrides);
        self
    }

    /// Adds a tool for the top-level agent (Python `tools=`; not given to team members).
    pub fn tool(mut self, tool: ToolSpec) -> Self {
        self.tools.push(tool);
        self
    }

    /// Adds tools (Python `tools=`).
    pub fn tools(mut self, tools: impl IntoIterator<Item = ToolSpec>) -> Self {
        self.tools.extend(tools);
        self
    }

    /// A handler of the auth events this call raises (Python `auth_events_callback=`). It
    /// runs after the event reaches the platform and before the `#[on_auth_event]` hooks.
    pub fn auth_events_callback(mut self, callback: AuthCallback) -> Self {
        self.callback = Some(callback);
        self
    }

    async fn resolve(self, blocking: bool) -> Result<AgentArgs, BackendError> {
        let inner = self.settings;
        let overrides = match self.overrides {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map,
            Some(other) => {
                return Err(BackendError::Usage(format!(
                    "overrides must be a JSON object of argument names to values, not {other}"
                )));
            }
        };
        let backend_platform = inner.platform.as_ref().ok();
        let loaded;
        let agent = match self.agent {
            Some(agent) => agent,
            None => {
                let id = self.agent_id.or_else(|| {
                    backend_platform.and_then(|c| c.configuration().agent_id().map(str::to_owned))
                });
                loaded = match id {
                    Some(id) => {
                        loader::load_agent(
                            backend_platform,
                            &inner.local,
                            &id,
                            self.agent_version,
                            inner.agent_cache_ttl,
                        )
                        .await?
                    }
                    None => inner.local.first()?.ok_or(BackendError::NoAgent)?,
                };
                &loaded
            }
        };
        let platform = agent.platform().or(backend_platform).cloned();
        let ctx = ResolveContext {
            polling: inner.polling,
            callback: self.callback.as_ref(),
            agent_ttl: inner.agent_cache_ttl,
            extra_tools: &self.tools,
            ..ResolveContext::new(platform, &inner.env, &inner.local, &overrides)
        };
        let mut task = self.task;
        let mut args = resolve(&ctx, agent, task.as_ref().map(TaskRef::get), false).await?;
        // The caller's kind is a rendering option: resolution never sees it.
        args.set_blocking(blocking);
        if let (Some(TaskRef::Exclusive(task)), Some(model)) = (task.as_mut(), &args.model) {
            let served = model.model_id.trim().to_lowercase();
            if !served.is_empty() {
                task.context.served_model = Some(served);
            }
        }
        Ok(args)
    }
}

impl<'a> IntoFuture for GetArgs<'a, Async> {
    type Output = Result<AgentArgs, BackendError>;
    type IntoFuture = Boxed<'a, AgentArgs>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.resolve(false))
    }
}

impl GetArgs<'_, Blocking> {
    /// Resolves the args, blocking; works from plain code and inside a tokio runtime. It
    /// blocks the calling thread: inside a current-thread runtime, everything else on that
    /// runtime waits until it returns.
    pub fn call(self) -> Result<AgentArgs, BackendError> {
        crate::blocking::block_on(self.resolve(true))
    }
}

/// An agent invocation, from [`Backend::ainvoke_agent`](crate::Backend::ainvoke_agent) or
/// [`Backend::invoke_agent`](crate::Backend::invoke_agent).
#[must_use = "an invocation does nothing until awaited or called"]
#[derive(Debug)]
pub struct InvokeAgent<'a, M> {
    settings: &'a Settings,
    request: CreateTaskRequest,
    agent_id: Option<String>,
    mode: PhantomData<M>,
}

impl<'a, M> InvokeAgent<'a, M> {
    pub(super) fn new(settings: &'a Settings, request: CreateTaskRequest) -> Self {
        Self {
            settings,
            request,
            agent_id: None,
            mode: PhantomData,
        }
    }

    /// The agent to invoke (default: the configuration's agent id, `XPANDER_AGENT_ID`).
    pub fn agent_id(mut self, agent_id: impl Into<String>) -> Self {
        self.agent_id = Some(agent_id.into());
        self
    }

    async fn resolve(self) -> Result<Task, BackendError> {
        let platform = self.settings.platform_or("invoking an agent")?;
        // A prompt `{"xpander_task_id": "..."}` continues that task instead of creating one.
        if let Ok(Value::Object(prompt)) = serde_json::from_str::<Value>(&self.request.input.text)
            && let Some(task_id) = prompt.get("xpander_task_id").and_then(Value::as_str)
        {
            return Ok(Tasks::new(platform.clone()).aget(task_id).await?);
        }
        let agent_id = self
            .agent_id
            .or_else(|| platform.configuration().agent_id().map(str::to_owned))
            .ok_or(BackendError::NoAgent)?;
        let agent = loader::load_agent(
            Some(platform),
            &LocalAgents::None,
            &agent_id,
            None,
            self.settings.agent_cache_ttl,
        )
        .await?;
        Ok(agent.acreate_task(self.request).await?)
    }
}

impl<'a> IntoFuture for InvokeAgent<'a, Async> {
    type Output = Result<Task, BackendError>;
    type IntoFuture = Boxed<'a, Task>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.resolve())
    }
}

impl InvokeAgent<'_, Blocking> {
    /// Invokes the agent, blocking; works from plain code and inside a tokio runtime.
    pub fn call(self) -> Result<Task, BackendError> {
        crate::blocking::block_on(self.resolve())
    }
}

/// An external run report, from
/// [`Backend::areport_external_task`](crate::Backend::areport_external_task) or
/// [`Backend::report_external_task`](crate::Backend::report_external_task).
#[must_use = "a report does nothing until awaited or called"]
#[derive(Debug)]
pub struct ReportExternalTask<'a, M> {
    settings: &'a Settings,
    report: TaskReportRequest,
    agent_id: Option<String>,
    configuration: Option<Platform>,
    mode: PhantomData<M>,
}

impl<'a, M> ReportExternalTask<'a, M> {
    pub(super) fn new(settings: &'a Settings, report: TaskReportRequest) -> Self {
        Self {
            settings,
            report,
            agent_id: None,
            configuration: None,
            mode: PhantomData,
        }
    }

    /// The agent that ran (Python `agent_id=`; default `XPANDER_AGENT_ID`).
    pub fn agent_id(mut self, agent_id: impl Into<String>) -> Self {
        self.agent_id = Some(agent_id.into());
        self
    }

    /// The agent that ran, already loaded (Python `agent=`); its id wins.
    pub fn agent(mut self, agent: &Agent) -> Self {
        self.agent_id = Some(agent.id.clone());
        self
    }

    /// Reports to this platform instead of the Backend's (Python `configuration=`).
    pub fn configuration(mut self, platform: impl Into<Platform>) -> Self {
        self.configuration = Some(platform.into());
        self
    }

    async fn resolve(self) -> Result<Task, BackendError> {
        let config = match self.configuration {
            Some(config) => config,
            None => self
                .settings
                .platform_or("reporting an external task")?
                .clone(),
        };
        let agent_id = self
            .agent_id
            .or_else(|| config.configuration().agent_id().map(str::to_owned))
            .ok_or(BackendError::NoAgent)?;
        Ok(Task::report_external_task(&config, &agent_id, &self.report).await?)
    }
}

impl<'a> IntoFuture for ReportExternalTask<'a, Async> {
    type Output = Result<Task, BackendError>;
    type IntoFuture = Boxed<'a, Task>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.resolve())
    }
}

impl ReportExternalTask<'_, Blocking> {
    /// Sends the report, blocking; works from plain code and inside a tokio runtime.
    pub fn call(self) -> Result<Task, BackendError> {
        crate::blocking::block_on(self.resolve())
    }
}
