//! One task's life on the worker, top to bottom: mark it executing, run the handler, follow
//! the plan, save the outcome once, report metrics.

use std::sync::Arc;
use std::time::Duration;

use tracing::{Instrument, error, info, info_span, warn};

use super::capacity::Slot;
use super::worker::AgentWorker;
use crate::backoff::Backoff;
use crate::model::{AgentExecutionStatus, Task, TaskUpdate};
use crate::{Tasks, runner};

/// The result of a task the worker had to abandon on shutdown.
pub(crate) const SHUTDOWN_MESSAGE: &str = "worker shut down before the task finished";

/// Extra rounds for the final save, beyond the client's own retries.
const FINAL_SAVE_ROUNDS: u32 = 5;

/// Runs one accepted task to a saved terminal status. `slot` is held until the end, so the
/// worker's concurrency limit covers the whole life of the task.
pub(crate) async fn run(worker: Arc<AgentWorker>, task: Task, slot: Option<Slot>) -> Task {
    let span = info_span!(
        "xpander.task",
        task_id = %task.id,
        agent_id = %task.agent_id,
        worker_id = %worker.worker_id().unwrap_or_default(),
        attempt = task.execution_attempts,
    );
    let done = execute(&worker, task).instrument(span).await;
    drop(slot);
    done
}

async fn execute(worker: &AgentWorker, task: Task) -> Task {
    let mut task = task.with_configuration(worker.platform.clone());
    info!("task accepted");
    task.status = AgentExecutionStatus::Executing;
    if let Err(e) = task.save().await {
        warn!(error = %e, "could not mark the task executing; running it anyway");
    }
    let mut done = run_handler(worker, task).await;
    let mut plan_retries = 0;
    while done.status == AgentExecutionStatus::Completed
        && plan_retries < worker.settings.max_plan_retries
    {
        // The platform's copy holds the plan the handler's tools updated; adopt only the plan,
        // so the handler's result, tools and tokens are kept.
        match Tasks::new(worker.platform.clone()).aget(&done.id).await {
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
        done = run_handler(worker, done).await;
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

/// Runs the handler on its own task, so a shutdown can abort it and still report the task.
async fn run_handler(worker: &AgentWorker, task: Task) -> Task {
    let before = task.clone();
    let handler = worker.handler.clone();
    let timeout = worker.settings.task_timeout;
    let mut running = tokio::spawn(
        async move { runner::execute(&handler, task, timeout).await }.in_current_span(),
    );
    tokio::select! {
        joined = &mut running => joined.unwrap_or_else(|e| runner::failed(before, format!("handler task failed: {e}"))),
        _ = worker.force.cancelled() => {
            running.abort();
            warn!("aborting the handler: the shutdown timeout passed");
            runner::failed(before, SHUTDOWN_MESSAGE.to_owned())
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

/// Reports a task whose `agent-execution` payload did not decode, when its id can be read.
pub(crate) async fn report_malformed(worker: Arc<AgentWorker>, payload: String, problem: String) {
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
    if let Err(e) = Tasks::new(worker.platform.clone())
        .aupdate(&id, &update)
        .await
    {
        warn!(task_id = %id, error = %e, "could not report the malformed task");
    }
}
