//! The platform operations of a [`Task`]: save, status, reload, stop, metrics, external
//! reports and event pushes, through the platform the task is bound to.

use serde_json::Value;

use crate::model::{
    AgentExecutionStatus, ExecutionMetricsReport, ExecutionTokens, Task, TaskReportRequest,
    TaskUpdateEvent,
};
use crate::platform::routes::{
    GetTask, PushTaskEvents, ReportExternalTask, ReportMetrics, StopTask, UpdateTask,
};
use crate::{Configuration, Error, Platform, Result};

impl Task {
    /// The platform this task came from.
    pub fn platform(&self) -> Option<&Platform> {
        self.context.platform.as_ref()
    }

    /// The configuration of the platform this task came from.
    pub fn configuration(&self) -> Option<&Configuration> {
        self.platform().map(Platform::configuration)
    }

    /// Binds the task to a platform (or a [`Configuration`]), for a task built by hand or
    /// decoded from JSON.
    pub fn with_configuration(mut self, platform: impl Into<Platform>) -> Self {
        self.context.platform = Some(platform.into());
        self
    }

    fn bound_platform(&self) -> Result<&Platform> {
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
        let platform = self.bound_platform()?;
        let fresh = platform.send(GetTask { task_id: &self.id }).await?;
        self.adopt(fresh);
        Ok(())
    }

    /// Stops the task (`DELETE /agent-execution/{id}`) and takes the platform's copy.
    pub async fn stop(&mut self) -> Result<()> {
        let platform = self.bound_platform()?;
        let fresh = platform.send(StopTask { task_id: &self.id }).await?;
        self.adopt(fresh);
        Ok(())
    }

    /// Reports the task's token use and tools (`POST /agents-metrics/{agent_id}/execution`),
    /// with this task's own configuration and its `duration`.
    ///
    /// Fails when `tokens` is not set. A task without a `source` is reported as `sdk`.
    pub async fn report_metrics(&self) -> Result<()> {
        let report = self.metrics_report()?;
        let agent_id = &self.agent_id;
        let report = ReportMetrics {
            agent_id,
            report: &report,
        };
        self.bound_platform()?.send(report).await?;
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
        platform: impl Into<Platform>,
        agent_id: &str,
        report: &TaskReportRequest,
    ) -> Result<Task> {
        let platform = platform.into();
        let task = platform
            .send(ReportExternalTask { agent_id, report })
            .await?;
        Ok(task.with_configuration(platform))
    }

    /// Pushes an event about this task (`POST /agent-execution/{id}/events/push`).
    pub async fn push_event(&self, event: &TaskUpdateEvent) -> Result<()> {
        let push = PushTaskEvents {
            task_id: &self.id,
            events: std::slice::from_ref(event),
        };
        self.bound_platform()?.send(push).await?;
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
        let platform = self.bound_platform()?.clone();
        let body = self.to_update_body(with_deep_planning);
        let update = UpdateTask {
            task_id: &self.id,
            body: &body,
        };
        let fresh = platform.send(update).await?;
        self.adopt(fresh.with_configuration(platform));
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
