//! [`GetAgent`]: the call builder of [`Backend::aget_agent`](crate::Backend::aget_agent), the
//! args call's options plus building the runnable agent.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use serde_json::Value;

use super::RunnableAgent;
use crate::backend::{Async, Blocking};
use crate::backend::{AuthCallback, GetArgs, TaskRef, ToolSpec};
use crate::error::BackendError;
use crate::model::{Agent, Task};

/// A runnable-agent call, from [`Backend::aget_agent`](crate::Backend::aget_agent) (`.await`
/// it) or [`Backend::get_agent`](crate::Backend::get_agent) (`.call()` it). It takes the
/// options [`GetArgs`] takes and resolves the same args.
///
/// ```no_run
/// # async fn demo(mut task: xpander_runtime::Task) -> Result<(), xpander_runtime::backend::BackendError> {
/// use xpander_runtime::Backend;
///
/// let agent = Backend::default()
///     .aget_agent()
///     .for_task(&mut task)
///     .overrides(serde_json::json!({"temperature": 0.2}))
///     .await?;
/// agent.run(&mut task).await?;
/// # Ok(()) }
/// ```
#[must_use = "an agent call does nothing until awaited or called"]
#[derive(Debug)]
pub struct GetAgent<'a, M>(GetArgs<'a, M>);

impl<'a, M> GetAgent<'a, M> {
    pub(crate) fn new(args: GetArgs<'a, M>) -> Self {
        Self(args)
    }

    /// The agent to load; see [`GetArgs::agent_id`].
    pub fn agent_id(self, agent_id: impl Into<String>) -> Self {
        Self(self.0.agent_id(agent_id))
    }

    /// An agent already loaded; see [`GetArgs::agent`].
    pub fn agent(self, agent: &'a Agent) -> Self {
        Self(self.0.agent(agent))
    }

    /// The agent version; see [`GetArgs::agent_version`].
    pub fn agent_version(self, version: u32) -> Self {
        Self(self.0.agent_version(version))
    }

    /// The task the agent runs for; see [`GetArgs::task`].
    pub fn task(self, task: impl Into<TaskRef<'a>>) -> Self {
        Self(self.0.task(task))
    }

    /// The task's agent, at the task's version, for the task; see [`GetArgs::for_task`].
    pub fn for_task(self, task: &'a mut Task) -> Self {
        Self(self.0.for_task(task))
    }

    /// Settings that replace what the agent resolves to (`temperature`, `max_tokens`, ...);
    /// see [`GetArgs::overrides`].
    pub fn overrides(self, overrides: Value) -> Self {
        Self(self.0.overrides(overrides))
    }

    /// Adds a tool; see [`GetArgs::tool`].
    pub fn tool(self, tool: ToolSpec) -> Self {
        Self(self.0.tool(tool))
    }

    /// Adds tools; see [`GetArgs::tools`].
    pub fn tools(self, tools: impl IntoIterator<Item = ToolSpec>) -> Self {
        Self(self.0.tools(tools))
    }

    /// A handler of the auth events; see [`GetArgs::auth_events_callback`].
    pub fn auth_events_callback(self, callback: AuthCallback) -> Self {
        Self(self.0.auth_events_callback(callback))
    }
}

impl<'a> IntoFuture for GetAgent<'a, Async> {
    type Output = Result<RunnableAgent, BackendError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { RunnableAgent::new(self.0.await?) })
    }
}

impl GetAgent<'_, Blocking> {
    /// Resolves the args and builds the agent, blocking; works inside a runtime too.
    pub fn call(self) -> Result<RunnableAgent, BackendError> {
        RunnableAgent::new(self.0.call()?)
    }
}
