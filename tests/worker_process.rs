//! The example worker as a real process against xpander-devserver: SIGTERM with tasks in
//! flight ends every task and exits 0; the local test flow with credentials.

mod support;

use std::time::Duration;

use xpander_devserver::{DevServer, DevServerOptions};
use xpander_runtime::AgentExecutionStatus;
use xpander_runtime::model::CreateTaskRequest;

use support::WorkerProcess;

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn sigterm_with_tasks_in_flight_finishes_them_and_exits_zero() {
    let ds = DevServer::start(DevServerOptions::default()).await.unwrap();
    let mut worker = WorkerProcess::spawn(
        "echo_worker",
        &ds,
        &[("XPANDER_MAX_SYNC_WORKERS", "20")],
        &[],
    );
    ds.wait_for_workers(WAIT, |w| !w.is_empty())
        .await
        .expect("registered");
    let mut ids = Vec::new();
    for i in 0..10 {
        let task = ds
            .create_task(
                ds.agent_id(),
                CreateTaskRequest::new(format!("sleep:1000 t{i}")),
            )
            .await
            .unwrap();
        ids.push(task.id);
    }
    ds.wait_for_tasks(10, WAIT, |t| {
        t.task.status == AgentExecutionStatus::Executing
    })
    .await
    .expect("all running");
    worker.sigterm();
    let status = worker.wait_exit(WAIT).await;
    assert_eq!(status.code(), Some(0), "a clean shutdown exits 0");
    for id in &ids {
        let task = ds.task(id).await.unwrap();
        assert_eq!(
            task.status,
            AgentExecutionStatus::Completed,
            "{id}: {:?}",
            task.result
        );
    }
}

#[tokio::test]
async fn past_the_shutdown_timeout_running_tasks_end_as_errors_and_the_exit_is_still_zero() {
    let ds = DevServer::start(DevServerOptions::default()).await.unwrap();
    let mut worker = WorkerProcess::spawn(
        "echo_worker",
        &ds,
        &[("XPANDER_SHUTDOWN_TIMEOUT", "1")],
        &[],
    );
    ds.wait_for_workers(WAIT, |w| !w.is_empty())
        .await
        .expect("registered");
    let task = ds
        .create_task(ds.agent_id(), CreateTaskRequest::new("sleep:60000 long"))
        .await
        .unwrap();
    ds.wait_for_task(&task.id, WAIT, |t| {
        t.status == AgentExecutionStatus::Executing
    })
    .await
    .unwrap();
    worker.sigterm();
    assert_eq!(worker.wait_exit(WAIT).await.code(), Some(0));
    let task = ds.task(&task.id).await.unwrap();
    assert_eq!(task.status, AgentExecutionStatus::Error);
    assert_eq!(
        task.result.as_deref(),
        Some("worker shut down before the task finished")
    );
}

#[tokio::test]
async fn the_test_task_runs_on_the_platform_once_and_the_worker_exits() {
    let ds = DevServer::start(DevServerOptions::default()).await.unwrap();
    let mut worker = WorkerProcess::spawn("quickstart", &ds, &[], &[]);
    let status = worker.wait_exit(WAIT).await;
    let (stdout, stderr) = worker.output();
    assert!(status.success(), "{stdout}{stderr}");
    assert_eq!(stdout, "I received 16 characters: What can you do?\n");
    let tasks = ds.task_infos().await;
    assert_eq!(tasks.len(), 1, "created once");
    assert!(tasks[0].run_locally);
    assert_eq!(tasks[0].task.status, AgentExecutionStatus::Completed);
}
