//! [`Tasks`]: the platform's tasks (create, get, update, stop, list).

use crate::blocking::block_on;
use crate::model::{CreateTaskRequest, Task, TaskFilters, TaskSummary, TaskUpdate};
use crate::platform::routes::{CreateTask, GetTask, HistoryOf, StopTask, TaskHistory, UpdateTask};
use crate::{Platform, Result};

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
    platform: Platform,
}

impl Tasks {
    /// Tasks of the platform this configuration points at.
    pub fn new(platform: impl Into<Platform>) -> Self {
        Self {
            platform: platform.into(),
        }
    }

    /// Tasks of the platform the environment points at.
    pub fn from_env() -> Result<Self> {
        Ok(Self::new(Platform::from_env()?))
    }

    /// Loads a task (`GET /agent-execution/{id}/status`).
    pub async fn aget(&self, task_id: &str) -> Result<Task> {
        self.bound(self.platform.send(GetTask { task_id }).await?)
    }

    /// Creates a task for an agent (`POST /agent-execution/{agent_id}`).
    pub async fn acreate(&self, agent_id: &str, request: CreateTaskRequest) -> Result<Task> {
        let create = CreateTask {
            agent_id,
            request: &request,
        };
        self.bound(self.platform.send(create).await?)
    }

    /// Updates some fields of a task (sparse `PATCH /agent-execution/{id}/update`).
    pub async fn aupdate(&self, task_id: &str, update: &TaskUpdate) -> Result<Task> {
        let update = UpdateTask {
            task_id,
            body: update,
        };
        self.bound(self.platform.send(update).await?)
    }

    /// Stops a task (`DELETE /agent-execution/{id}`).
    pub async fn astop(&self, task_id: &str) -> Result<Task> {
        self.bound(self.platform.send(StopTask { task_id }).await?)
    }

    /// Lists an agent's tasks (`GET /agent-execution/executions/history/{agent_id}`).
    pub async fn alist(&self, agent_id: &str, filters: &TaskFilters) -> Result<Vec<TaskSummary>> {
        let of = HistoryOf::Agent(agent_id);
        self.platform.send(TaskHistory { of, filters }).await
    }

    /// Lists a user's tasks (`GET /agent-execution/executions/history/user/{user_id}`).
    pub async fn alist_user_tasks(
        &self,
        user_id: &str,
        filters: &TaskFilters,
    ) -> Result<Vec<TaskSummary>> {
        let of = HistoryOf::User(user_id);
        self.platform.send(TaskHistory { of, filters }).await
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

    fn bound(&self, mut task: Task) -> Result<Task> {
        task.context.platform = Some(self.platform.clone());
        Ok(task)
    }
}
