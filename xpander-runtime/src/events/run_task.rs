//! One accepted task, top to bottom: mark it executing, run the handler (its error, panic and
//! timeout caught, aborted by a forced shutdown), follow the plan, save the outcome once,
//! report metrics.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, error, info, info_span, warn};

use super::settings::Settings;
use super::slots::Slot;
use crate::backoff::Backoff;
use crate::handler::Handler;
use crate::model::{AgentExecutionStatus, Task, TaskUpdate};
use crate::platform::routes::{GetTask, UpdateTask};
use crate::runner::{self, Failure};
use crate::task_stream::Outlet;
use crate::{Error, Platform, Result};

/// Extra rounds for the final save, beyond each request's own retries.
const FINAL_SAVE_ROUNDS: u32 = 5;
/// Past the shutdown timeout, the one final save attempt gets this long.
const FORCED_SAVE_LIMIT: Duration = Duration::from_millis(2500);
/// Statuses that refuse a save for good: sending the same body again cannot succeed.
const REFUSED_FOR_GOOD: [u16; 3] = [400, 413, 422];

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
    /// the end, so the worker's concurrency limit covers the whole life of the task. A
    /// streaming handler's events go to `events`.
    pub(crate) async fn run(
        &self,
        task: Task,
        worker_id: &str,
        slot: Option<Slot>,
        events: Outlet,
    ) -> Task {
        let span = info_span!(
            "xpander.task",
            task_id = %task.id,
            agent_id = %task.agent_id,
            worker_id = %worker_id,
            attempt = task.execution_attempts,
        );
        let done = self.execute(task, events).instrument(span).await;
        drop(slot);
        done
    }

    /// Pushes a streaming handler's events to the task's watchers on the platform.
    pub(crate) fn push_to_platform(&self) -> Outlet {
        Outlet::Platform(self.platform.clone())
    }

    async fn execute(&self, task: Task, events: Outlet) -> Task {
        let mut task = task.with_configuration(self.platform.clone());
        info!("task accepted");
        task.status = AgentExecutionStatus::Executing;
        if let Err(e) = task.save().await {
            warn!(error = %e, "could not mark the task executing; running it anyway");
        }
        let mut done = match self.run_handler(task, &events).await {
            Ran::Done(done) => done,
            Ran::Stopped(task) => return stopped(task),
        };
        let mut plan_retries = 0;
        // Past the shutdown timeout there is time only for the final report.
        while !self.force.is_cancelled() {
            // The platform's copy says whether the task was stopped meanwhile, and holds the
            // plan the handler's tools updated: adopt only the plan, so the handler's result,
            // tools and tokens are kept.
            match self.platform.send(GetTask { task_id: &done.id }).await {
                Ok(fresh) if fresh.status == AgentExecutionStatus::Stopped => return stopped(done),
                Ok(fresh) => done.deep_planning = fresh.deep_planning,
                Err(e) => {
                    warn!(error = %e, "could not read the task back; finishing it");
                    break;
                }
            }
            if done.status != AgentExecutionStatus::Completed
                || plan_retries >= self.settings.max_plan_retries
            {
                break;
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
            done = match self.run_handler(done, &events).await {
                Ran::Done(done) => done,
                Ran::Stopped(task) => return stopped(task),
            };
        }
        self.save_final(&mut done).await;
        if self.force.is_cancelled() {
            debug!("shutting down: the task's metrics are not reported");
        } else if done.tokens.is_some()
            && let Err(e) = done.report_metrics().await
        {
            warn!(error = %e, "could not report the task's metrics");
        }
        info!(status = %done.status, "task finished");
        done
    }

    /// Runs the handler on its own task, so that a forced shutdown, or the task being stopped
    /// on the platform, can abort it. `task` is already marked executing.
    async fn run_handler(&self, task: Task, events: &Outlet) -> Ran {
        // The handler owns the task while it runs; this copy is what a failure is reported on.
        let before = task.clone();
        let started = Instant::now();
        let handler = self.handler.clone();
        let timeout = self.settings.task_timeout;
        let events = events.clone();
        let mut running = tokio::spawn(
            async move { runner::call(&handler, task, timeout, &events).await }.in_current_span(),
        );
        let outcome = tokio::select! {
            // Panics are caught inside; a join error is the task's own machinery failing.
            joined = &mut running => joined.unwrap_or_else(|e| Err(Failure::Panic(e.to_string()))),
            _ = self.force.cancelled() => {
                running.abort();
                warn!("aborting the handler: the shutdown timeout passed");
                Err(Failure::Shutdown)
            }
            () = self.stopped_on_platform(&before.id) => {
                running.abort();
                info!("the task was stopped on the platform; cancelling its handler");
                return Ran::Stopped(before);
            }
        };
        Ran::Done(runner::conclude(before, outcome, started))
    }

    /// Returns once the platform says the task is stopped; checks every
    /// `stop_check_interval` while the handler runs.
    async fn stopped_on_platform(&self, task_id: &str) {
        loop {
            tokio::time::sleep(self.settings.stop_check_interval).await;
            match self.platform.send(GetTask { task_id }).await {
                Ok(fresh) if fresh.status == AgentExecutionStatus::Stopped => return,
                Ok(_) => {}
                Err(e) => debug!(error = %e, "could not check whether the task was stopped"),
            }
        }
    }

    /// Saves the finished task once; transient failures are retried for about a minute, or
    /// past the shutdown timeout once more, briefly. A save the platform refuses for good
    /// (the result too large, say) falls back to a small update that still ends the task.
    async fn save_final(&self, task: &mut Task) {
        let backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(15));
        for round in 1..=FINAL_SAVE_ROUNDS {
            let forced = self.force.is_cancelled();
            let saved = if forced {
                tokio::time::timeout(FORCED_SAVE_LIMIT, task.save())
                    .await
                    .unwrap_or_else(|_| {
                        Err(Error::Timeout {
                            method: "PATCH".into(),
                            url: format!("/agent-execution/{}/update", task.id),
                            seconds: FORCED_SAVE_LIMIT.as_secs_f64(),
                        })
                    })
            } else {
                task.save().await
            };
            let error = match saved {
                Ok(()) => return,
                Err(e) => e,
            };
            if let Some(status) = error.status().filter(|s| REFUSED_FOR_GOOD.contains(s)) {
                return self.report_refused(task, status, &error).await;
            }
            if forced || round == FINAL_SAVE_ROUNDS || !error.is_transient() {
                error!(error = %error, status = %task.status, "could not save the task's final status");
                return;
            }
            let delay = backoff.delay(round);
            warn!(error = %error, round, delay_ms = delay.as_millis() as u64, "final save failed; retrying");
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                // The next round is the short one.
                _ = self.force.cancelled() => {}
            }
        }
    }

    /// Ends a task whose final save the platform refused (`status`) with a small update:
    /// `error`, and why.
    async fn report_refused(&self, task: &mut Task, status: u16, refusal: &Error) {
        let why = match status {
            413 => "the task was too large to save (HTTP 413); shorten its result".to_owned(),
            _ => format!("the platform refused the task's final save (HTTP {status})"),
        };
        warn!(error = %refusal, "the final save was refused; reporting the task as an error");
        task.status = AgentExecutionStatus::Error;
        task.result = Some(why.clone());
        let update = TaskUpdate {
            status: Some(AgentExecutionStatus::Error),
            result: Some(why),
            ..TaskUpdate::default()
        };
        let sent = self
            .platform
            .send(UpdateTask {
                task_id: &task.id,
                body: &update,
            })
            .await;
        if let Err(e) = sent {
            error!(error = %e, "could not report the refused task either");
        }
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

/// How a handler run ended.
enum Ran {
    Done(Task),
    /// Stopped on the platform meanwhile: the task as it was given to the handler.
    Stopped(Task),
}

/// A task stopped on the platform stays stopped: nothing is saved over it.
fn stopped(mut task: Task) -> Task {
    info!("the task was stopped on the platform; it stays stopped");
    task.status = AgentExecutionStatus::Stopped;
    task
}
