//! The local test flow on the platform: once the worker is registered, create the test task
//! for it (`run_locally`), run it directly (no slot, no capacity updates), and stop.

use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::warn;

use super::recent::RecentIds;
use super::run_task::TaskRunner;
use crate::model::{AgentExecutionStatus, CreateTaskRequest, LocalTaskTest, Task};
use crate::platform::routes::CreateTask;
use crate::{Error, Result};

/// Runs `test` once the worker has an id, then sets `stop`; returns the finished task (or a
/// stand-in saying why it could not be created).
pub(crate) async fn drive(
    runner: Arc<TaskRunner>,
    agent_id: String,
    test: LocalTaskTest,
    mut worker_id: watch::Receiver<Option<String>>,
    recent: Arc<Mutex<RecentIds>>,
    stop: CancellationToken,
) -> Option<Task> {
    let registered = tokio::select! {
        id = worker_id.wait_for(Option::is_some) => id.ok().and_then(|id| id.clone()),
        _ = stop.cancelled() => None,
    };
    let worker_id = registered?;
    let request = CreateTaskRequest {
        input: test.input,
        agent_version: test.agent_version.filter(|v| !v.is_empty()),
        output_format: test.output_format,
        output_schema: test.output_schema,
        ..CreateTaskRequest::default()
    }
    .worker_id(&worker_id)
    .source("sdk")
    .run_locally(true);
    let created = runner
        .platform
        .send(CreateTask {
            agent_id: &agent_id,
            request: &request,
        })
        .await;
    let done = match created {
        Ok(task) => {
            // Should the platform also deliver it over the channel, it runs here only once.
            recent
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(&task.id);
            let events = runner.push_to_platform();
            runner.run(task, &worker_id, None, events).await
        }
        Err(e) => {
            warn!(error = %e, "could not create the test task");
            Task {
                result: Some(format!("could not create the test task: {e}")),
                ..Task::default()
            }
        }
    };
    stop.cancel();
    Some(done)
}

/// Prints the test task's result; an error unless it completed.
pub(crate) fn outcome(task: Task) -> Result<()> {
    print_result(&task);
    if task.status == AgentExecutionStatus::Completed {
        Ok(())
    } else {
        Err(Error::TaskFailed {
            task_id: task.id,
            status: task.status.to_string(),
            result: task.result.unwrap_or_default(),
        })
    }
}

/// Prints a finished task's result on stdout: pretty JSON for a JSON result.
fn print_result(task: &Task) {
    let Some(result) = task.result.as_deref() else {
        eprintln!("task {} {} with no result set", task.id, task.status);
        return;
    };
    let pretty = (task.output_format == Some(crate::model::OutputFormat::Json))
        .then(|| serde_json::from_str::<serde_json::Value>(result).ok())
        .flatten()
        .and_then(|value| serde_json::to_string_pretty(&value).ok());
    println!("{}", pretty.as_deref().unwrap_or(result));
}
