//! SIGTERM to a worker process with 50 tasks in flight: all 50 end on the platform, the
//! shutdown hook runs, and the process exits 0.

use std::time::Duration;

use xpander_devserver::{DevServer, DevServerOptions};
use xpander_runtime::AgentExecutionStatus;
use xpander_runtime::model::CreateTaskRequest;

use crate::support::WorkerProcess;

const IN_FLIGHT: usize = 50;
const WAIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn sigterm_with_50_tasks_in_flight_ends_them_all_runs_the_hooks_and_exits_0() {
    let ds = DevServer::start(DevServerOptions::default()).await.unwrap();
    let mut worker = WorkerProcess::spawn(
        "shutdown_hook_worker",
        &ds,
        &[("XPANDER_MAX_SYNC_WORKERS", "64"), ("RUST_LOG", "warn")],
        &[],
    );
    ds.wait_for_workers(WAIT, |w| !w.is_empty())
        .await
        .expect("the worker registered");
    for i in 0..IN_FLIGHT {
        let request = CreateTaskRequest::new(format!("sleep:1500 task {i}"));
        ds.create_task(ds.agent_id(), request).await.unwrap();
    }
    ds.wait_for_tasks(IN_FLIGHT, WAIT, |t| {
        t.task.status == AgentExecutionStatus::Executing
    })
    .await
    .expect("all 50 running");

    worker.sigterm();
    let status = worker.wait_exit(WAIT).await;
    let (stdout, stderr) = worker.output();

    assert_eq!(
        status.code(),
        Some(0),
        "a clean shutdown exits 0:\n{stderr}"
    );
    assert!(
        stdout.lines().any(|l| l == "shutdown hook ran"),
        "the shutdown hook ran: {stdout:?}\n{stderr}"
    );
    let completed = ds
        .count_tasks(|t| t.task.status == AgentExecutionStatus::Completed)
        .await;
    assert_eq!(
        completed, IN_FLIGHT,
        "every task in flight finished and was saved"
    );
}
