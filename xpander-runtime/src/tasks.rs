//! [`Tasks`] and the platform operations of a [`Task`]: save, status, reload, stop, metrics,
//! external reports and event pushes.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::blocking::block_on;
use crate::model::{
    AgentExecutionStatus, ConversationKind, CreateTaskRequest, ExecutionMetricsReport,
    ExecutionTokens, Task, TaskReportRequest, TaskUpdate, TaskUpdateEvent, Timestamp,
};
use crate::{Configuration, Error, Result};

/// The platform's tasks: create, get, update, stop and list.
///
/// ```no_run
/// use xpander_runtime::{Configuration, Tasks};
/// use xpander_runtime::model::CreateTaskRequest;
///
/// # async fn demo() -> xpander_runtime::Result<()> {
/// let tasks = Tasks::new(Configuration::from_env()?);
/// let task = tasks.acreate("agent-123", CreateTaskRequest::new("hello")).await?;
/// let same = tasks.aget(&task.id).await?;
/// assert_eq!(same.id, task.id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Tasks {
    config: Configuration,
}

/// Filters for [`Tasks::alist`]; unset ones are not sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFilters {
    /// Only this user's tasks.
    pub user_id: Option<String>,
    /// Only sub-tasks of this task.
    pub parent_task_id: Option<String>,
    /// Only tasks triggered by this agent.
    pub triggering_agent_id: Option<String>,
    /// Only tasks in this status.
    pub status: Option<AgentExecutionStatus>,
    /// Only tasks in this internal status.
    pub internal_status: Option<String>,
}

/// An element of a task history listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSummary {
    /// Task id.
    pub id: String,
    /// The agent.
    pub agent_id: String,
    /// The organization.
    pub organization_id: String,
    /// Status.
    pub status: AgentExecutionStatus,
    /// The user.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The parent task.
    #[serde(default)]
    pub parent_task_id: Option<String>,
    /// The triggering agent.
    #[serde(default)]
    pub triggering_agent_id: Option<String>,
    /// Created.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last updated.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// The source node type.
    #[serde(default)]
    pub source_node_type: Option<String>,
    /// The result.
    #[serde(default)]
    pub result: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// The kind of execution.
    #[serde(default)]
    pub execution_kind: Option<String>,
    /// Process state.
    #[serde(default)]
    pub process: Option<Map<String, Value>>,
    /// Conversation shape.
    #[serde(default)]
    pub conversation_kind: Option<ConversationKind>,
    /// Keys this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Tasks {
    /// Tasks of the platform this configuration points at.
    pub fn new(config: Configuration) -> Self {
        Self { config }
    }

    /// Tasks of the platform the environment points at.
    pub fn from_env() -> Result<Self> {
        Ok(Self::new(Configuration::from_env()?))
    }

    /// Loads a task (`GET /agent-execution/{id}/status`).
    pub async fn aget(&self, task_id: &str) -> Result<Task> {
        let route = format!("/agent-execution/{task_id}/status");
        self.bound(self.config.request(Method::GET, &route).send_json().await?)
    }

    /// Creates a task for an agent (`POST /agent-execution/{agent_id}`).
    pub async fn acreate(&self, agent_id: &str, request: CreateTaskRequest) -> Result<Task> {
        let mut call = self
            .config
            .request(Method::POST, &format!("/agent-execution/{agent_id}"));
        if let Some(version) = request
            .agent_version
            .as_deref()
            .filter(|v| !v.is_empty() && *v != "0")
        {
            call = call.header("x-agent-version", version);
        }
        self.bound(call.json(&request).send_json().await?)
    }

    /// Updates some fields of a task (sparse `PATCH /agent-execution/{id}/update`).
    pub async fn aupdate(&self, task_id: &str, update: &TaskUpdate) -> Result<Task> {
        let route = format!("/agent-execution/{task_id}/update");
        self.bound(
            self.config
                .request(Method::PATCH, &route)
                .json(update)
                .send_json()
                .await?,
        )
    }

    /// Stops a task (`DELETE /agent-execution/{id}`).
    pub async fn astop(&self, task_id: &str) -> Result<Task> {
        let route = format!("/agent-execution/{task_id}");
        self.bound(
            self.config
                .request(Method::DELETE, &route)
                .send_json()
                .await?,
        )
    }

    /// Lists an agent's tasks (`GET /agent-execution/executions/history/{agent_id}`).
    pub async fn alist(&self, agent_id: &str, filters: &TaskFilters) -> Result<Vec<TaskSummary>> {
        self.history(
            &format!("/agent-execution/executions/history/{agent_id}"),
            filters,
        )
        .await
    }

    /// Lists a user's tasks (`GET /agent-execution/executions/history/user/{user_id}`).
    pub async fn alist_user_tasks(
        &self,
        user_id: &str,
        filters: &TaskFilters,
    ) -> Result<Vec<TaskSummary>> {
        self.history(
            &format!("/agent-execution/executions/history/user/{user_id}"),
            filters,
        )
        .await
    }

    /// Blocking [`Tasks::aget`].
    pub fn get(&self, task_id: &str) -> Result<Task> {
        block_on(self.aget(task_id))
    }

    /// Blocking [`Tasks::acreate`].
    pub fn create(&self, agent_id: &str, request: CreateTaskRequest) -> Result<Task> {
        block_on(self.acreate(agent_id, request))
    }

    /// Blocking [`Tasks::aupdate`].
    pub fn update(&self, task_id: &str, update: &TaskUpdate) -> Result<Task> {
        block_on(self.aupdate(task_id, update))
    }

    /// Blocking [`Tasks::astop`].
    pub fn stop(&self, task_id: &str) -> Result<Task> {
        block_on(self.astop(task_id))
    }

    /// Blocking [`Tasks::alist`].
    pub fn list(&self, agent_id: &str, filters: &TaskFilters) -> Result<Vec<TaskSummary>> {
        block_on(self.alist(agent_id, filters))
    }

    async fn history(&self, route: &str, filters: &TaskFilters) -> Result<Vec<TaskSummary>> {
        let mut call = self.config.request(Method::GET, route);
        let status = filters.status.as_ref().map(|s| s.as_str().to_owned());
        for (name, value) in [
            ("user_id", &filters.user_id),
            ("parent_task_id", &filters.parent_task_id),
            ("triggering_agent_id", &filters.triggering_agent_id),
            ("status", &status),
            ("internal_status", &filters.internal_status),
        ] {
            if let Some(value) = value {
                call = call.query(name, value.clone());
            }
        }
        call.send_json().await
    }

    fn bound(&self, mut task: Task) -> Result<Task> {
        task.context.platform = Some(self.config.clone());
        Ok(task)
    }
}

impl Task {
    /// The configuration of the platform this task came from.
    pub fn configuration(&self) -> Option<&Configuration> {
        self.context.platform.as_ref()
    }

    /// Binds the task to a platform, for a task built by hand or decoded from JSON.
    pub fn with_configuration(mut self, config: Configuration) -> Self {
        self.context.platform = Some(config);
        self
    }

    fn bound_platform(&self) -> Result<&Configuration> {
        self.context.platform.as_ref().ok_or_else(|| {
            Error::Usage(format!(
                "task {} is not bound to a platform: load it with Tasks, or call \
                 task.with_configuration(Configuration::from_env()?) first",
                self.id
            ))
        })
    }

    /// Saves the whole task (`PATCH /agent-execution/{id}/update`) without its plan. The
    /// platform's answer is authoritative: every field is replaced by what it returns.
    pub async fn save(&mut self) -> Result<()> {
        self.save_body(false).await
    }

    /// [`Task::save`], plan (`deep_planning`) included.
    pub async fn save_with_deep_planning(&mut self) -> Result<()> {
        self.save_body(true).await
    }

    /// Sets the status and saves. Unlike the Python SDK, the result is kept.
    pub async fn set_status(&mut self, status: AgentExecutionStatus) -> Result<()> {
        self.status = status;
        self.save().await
    }

    /// Replaces the task with the platform's copy (`GET /agent-execution/{id}/status`).
    pub async fn reload(&mut self) -> Result<()> {
        let config = self.bound_platform()?.clone();
        let fresh = Tasks::new(config).aget(&self.id).await?;
        self.adopt(fresh);
        Ok(())
    }

    /// Stops the task (`DELETE /agent-execution/{id}`) and takes the platform's copy.
    pub async fn stop(&mut self) -> Result<()> {
        let config = self.bound_platform()?.clone();
        let fresh = Tasks::new(config).astop(&self.id).await?;
        self.adopt(fresh);
        Ok(())
    }

    /// Reports the task's token use and tools (`POST /agents-metrics/{agent_id}/execution`),
    /// with this task's own configuration and its `duration`.
    ///
    /// Fails when `tokens` is not set. A task without a `source` is reported as `sdk`.
    pub async fn report_metrics(&self) -> Result<()> {
        let report = self.metrics_report()?;
        let route = format!("/agents-metrics/{}/execution", self.agent_id);
        self.bound_platform()?
            .request(Method::POST, &route)
            .json(&report)
            .send()
            .await?;
        Ok(())
    }

    /// The metrics report [`Task::report_metrics`] sends.
    pub fn metrics_report(&self) -> Result<ExecutionMetricsReport> {
        let tokens = self.tokens.ok_or_else(|| {
            Error::Usage(format!(
                "task {} has no token counts to report: set task.tokens = Some(Tokens::new(..))",
                self.id
            ))
        })?;
        let orchestrated = self.return_metrics && self.source.as_deref() == Some("orchestration");
        Ok(ExecutionMetricsReport {
            execution_id: self.id.clone(),
            source: self.source.clone().unwrap_or_else(|| "sdk".to_owned()),
            sub_executions: Vec::new(),
            memory_thread_id: self.id.clone(),
            task: self.input.text.clone(),
            triggered_by: Some("N/A".to_owned()),
            skills: Vec::new(),
            status: self.status.as_str().to_owned(),
            internal_status: self.internal_status.clone(),
            duration: self.duration,
            ai_model: self
                .context
                .served_model
                .clone()
                .unwrap_or_else(|| "xpander".to_owned()),
            worker: None,
            ai_employee_id: None,
            api_calls_made: Some(if orchestrated {
                Vec::new()
            } else {
                self.used_tools.iter().cloned().map(Value::String).collect()
            }),
            result: self.result.clone().filter(|r| !r.is_empty()),
            llm_tokens: Some(if orchestrated {
                ExecutionTokens::default()
            } else {
                ExecutionTokens {
                    worker: tokens,
                    ..Default::default()
                }
            }),
        })
    }

    /// Records a run that happened outside the platform
    /// (`POST /agent-execution/{agent_id}/report_task`) and returns the task it became.
    pub async fn report_external_task(
        config: &Configuration,
        agent_id: &str,
        report: &TaskReportRequest,
    ) -> Result<Task> {
        let route = format!("/agent-execution/{agent_id}/report_task");
        let task: Task = config
            .request(Method::POST, &route)
            .json(report)
            .send_json()
            .await?;
        Ok(task.with_configuration(config.clone()))
    }

    /// Pushes an event about this task (`POST /agent-execution/{id}/events/push`).
    pub async fn push_event(&self, event: &TaskUpdateEvent) -> Result<()> {
        let route = format!("/agent-execution/{}/events/push", self.id);
        self.bound_platform()?
            .request(Method::POST, &route)
            .json(&[event])
            .send()
            .await?;
        Ok(())
    }

    /// The body [`Task::save`] sends: every field, unknown keys included, without
    /// `deep_planning` unless asked for.
    pub fn to_update_body(&self, with_deep_planning: bool) -> Value {
        let mut body = serde_json::to_value(self).unwrap_or_default();
        if !with_deep_planning && let Some(map) = body.as_object_mut() {
            map.remove("deep_planning");
        }
        body
    }

    async fn save_body(&mut self, with_deep_planning: bool) -> Result<()> {
        let config = self.bound_platform()?.clone();
        let body = self.to_update_body(with_deep_planning);
        let route = format!("/agent-execution/{}/update", self.id);
        let fresh: Task = config
            .request(Method::PATCH, &route)
            .json(&body)
            .send_json()
            .await?;
        self.adopt(fresh.with_configuration(config));
        Ok(())
    }

    /// Takes the platform's copy, keeping what only this process knows: the binding, the
    /// private gateway route and served model, a local plan the server dropped, and a local
    /// `additional_context` the server returned empty.
    fn adopt(&mut self, mut fresh: Task) {
        if fresh.context.platform.is_none() {
            fresh.context.platform = self.context.platform.take();
        }
        fresh.context.served_model = self.context.served_model.take();
        if let (Some(mine), Some(theirs)) =
            (&mut self.payload_extension, &mut fresh.payload_extension)
        {
            theirs.take_private_from(mine);
        }
        if fresh.deep_planning.tasks.is_empty() && !self.deep_planning.tasks.is_empty() {
            fresh.deep_planning = std::mem::take(&mut self.deep_planning);
        }
        if fresh
            .additional_context
            .as_deref()
            .is_none_or(str::is_empty)
            && self
                .additional_context
                .as_deref()
                .is_some_and(|c| !c.is_empty())
        {
            fresh.additional_context = self.additional_context.take();
        }
        *self = fresh;
    }
}
