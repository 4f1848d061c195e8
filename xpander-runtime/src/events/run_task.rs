//! One accepted task, top to bottom: mark it executing, run the handler (its error, panic and
//! timeout caught, aborted by a forced shutdown), follow the plan, save the outcome once,
//! report metrics.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use tracing::{Instrument, error, info, info_span, warn};

use super::settings::Settings;
use super::slots::Slot;
use crate::backoff::Backoff;
use crate::handler::Handler;
use crate::model::{AgentExecutionStatus, Task, TaskUpdate};
use crate::platform::routes::{GetTask, UpdateTask};
use crate::runner::{self, Failure};
use crate::{Platform, Result};

/// Extra rounds for the final save, beyond each request's own retries.
const FINAL_SAVE_ROUNDS: u32 = 5;

/// What running a task needs, shared by every task of one agent worker.
pub(crate) struct TaskRunner {
    pub(crate) platform: Platform,
    pub(crate) handler: Handler,
    pub(crate) settings: Arc<Settings>,
    /// Set: abort the handlers still running (the shutdown timeout passed).
    pub(crate) force: CancellationToken,
}

impl TaskRunner {
    /// Runs one accepted task to a saved terminal status and returns it. `slot` is held to
    /// the end, so the worker's concurrency limit covers the whole life of the task.
    pub(crate) async fn run(&self, task: Task, worker_id: &str, slot: Option<Slot>) -> Task {
        let span = info_span!(
            "xpander.task",
            task_id = %task.id,
            agent_id = %task.agent_id,
            worker_id = %worker_id,
            attempt = task.execution_attempts,
        );
        let done = self.execute(task).instrument(span).await;
        drop(slot);
        done
    }

    async fn execute(&self, task: Task) -> Task {
        let mut task = task.with_configuration(self.platform.clone());
        info!("task accepted");
        task.status = AgentExecutionStatus::Executing;
        if let Err(e) = task.save().await {
            warn!(error = %e, "could not mark the task executing; running it anyway");
        }
        let mut done = self.run_handler(task).await;
        let mut plan_retries = 0;
        while done.status == AgentExecutionStatus::Completed
            && plan_retries < self.settings.max_plan_retries
        {
            // The platform's copy holds the plan the handler's tools updated; adopt only the
            // plan, so the handler's result, tools and tokens are kept.
            match self.platform.send(GetTask { task_id: &done.id }).await {
                Ok(fresh) => done.deep_planning = fresh.deep_planning,
                Err(e) => {
                    warn!(error = %e, "could not read the plan; finishing the task");
                    break;
                }
            }
            let status = done.deep_planning.following_status();
            if status.can_finish {
                break;
            }
            plan_retries += 1;
            info!(
                open_items = status.uncompleted_tasks.len(),
                plan_retries, "plan not complete; running the handler again"
            );
            done.status = AgentExecutionStatus::Executing;
            done = self.run_handler(done).await;
        }
        save_final(&mut done).await;
        if done.tokens.is_some()
            && let Err(e) = done.report_metrics().await
        {
            warn!(error = %e, "could not report the task's metrics");
        }
        info!(status = %done.status, "task finished");
        done
    }

    /// Runs the handler on its own task, so a forced shutdown can abort it and still report
    /// the task. `task` is already marked executing.
    async fn run_handler(&self, task: Task) -> Task {
        // The handler owns the task while it runs; this copy is what a failure is reported on.
        let before = task.clone();
        let started = Instant::now();
        let handler = self.handler.clone();
        let timeout = self.settings.task_timeout;
        let mut running = tokio::spawn(
            async move { runner::call(&handler, task, timeout).await }.in_current_span(),
        );
        let outcome = tokio::select! {
            // Panics are caught inside; a join error is the task's own machinery failing.
            joined = &mut running => joined.unwrap_or_else(|e| Err(Failure::Panic(e.to_string()))),
            _ = self.force.cancelled() => {
                running.abort();
                warn!("aborting the handler: the shutdown timeout passed");
                Err(Failure::Shutdown)
            }
        };
        runner::conclude(before, outcome, started)
    }

    /// Reports a task whose `agent-execution` payload did not decode, when its id can be read.
    pub(crate) async fn report_malformed(&self, payload: String, problem: String) {
        let Some(id) = serde_json::from_str::<serde_json::Value>(&payload)
            .ok()
            .and_then(|v| v.get("id").and_then(|id| id.as_str()).map(str::to_owned))
        else {
            return;
        };
        let update = TaskUpdate {
            status: Some(AgentExecutionStatus::Error),
            result: Some(format!("the worker could not read this task: {problem}")),
            ..TaskUpdate::default()
        };
        let sent: Result<Task> = self
            .platform
            .send(UpdateTask {
                task_id: &id,
                body: &update,
            })
            .await;
        if let Err(e) = sent {
            warn!(task_id = %id, error = %e, "could not report the malformed task");
        }
    }
}

/// Saves the finished task once; transient failures are retried for about a minute.
async fn save_final(task: &mut Task) {
    let backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(15));
    for round in 1..=FINAL_SAVE_ROUNDS {
        match task.save().await {
            Ok(()) => return,
            Err(e) if round < FINAL_SAVE_ROUNDS && e.is_transient() => {
                let delay = backoff.delay(round);
                warn!(error = %e, round, delay_ms = delay.as_millis() as u64, "final save failed; retrying");
                tokio::time::sleep(delay).await;
            }
            Err(e) => {
                error!(error = %e, status = %task.status, "could not save the task's final status");
                return;
            }
        }
    }
}
