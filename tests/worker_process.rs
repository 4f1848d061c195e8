//! The example worker as a real process against xpander-devserver: SIGTERM with tasks in
//! flight ends every task and exits 0; the local test flow with credentials.

mod support;

use std::time::{Duration, Instant};

use xpander_devserver::{DelayFault, DevServer, DevServerOptions, Faults};
use xpander_runtime::model::CreateTaskRequest;
use xpander_runtime::{AgentExecutionStatus, Events, Handler, Task};

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

/// The worker of the next test, run as a process by it: a sync handler that never returns.
#[test]
fn stuck_sync_worker() {
    if std::env::var_os("XPANDER_TEST_AS_WORKER").is_none() {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let stuck = Handler::blocking(|_task: Task| -> Task {
        loop {
            std::thread::sleep(Duration::from_secs(1));
        }
    });
    runtime.block_on(Events::new().start(stuck)).unwrap();
    // Dropping the runtime must not wait for the handler's thread.
    drop(runtime);
}

#[tokio::test]
async fn sigterm_with_a_stuck_sync_handler_and_a_slow_platform_ends_within_the_deadline() {
    let ds = DevServer::start(DevServerOptions::default()).await.unwrap();
    let mut worker = WorkerProcess::spawn_test(
        "stuck_sync_worker",
        &ds,
        &[("XPANDER_SHUTDOWN_TIMEOUT", "2")],
    );
    ds.wait_for_workers(WAIT, |w| !w.is_empty())
        .await
        .expect("registered");
    let mut ids = Vec::new();
    for i in 0..3 {
        let task = ds
            .create_task(ds.agent_id(), CreateTaskRequest::new(format!("t{i}")))
            .await
            .unwrap();
        ids.push(task.id);
    }
    ds.wait_for_tasks(3, WAIT, |t| {
        t.task.status == AgentExecutionStatus::Executing
    })
    .await
    .expect("all running");
    // From now on the platform answers every update a second late.
    let slow = Faults {
        delays: vec![DelayFault {
            pattern: "/agent-execution/*/update".into(),
            method: Some("PATCH".into()),
            delay_ms: 1000,
            rate: 1.0,
        }],
        ..Faults::default()
    };
    ds.set_faults(slow).await.unwrap();
    let signalled = Instant::now();
    worker.sigterm();
    let status = worker.wait_exit(WAIT).await;
    let took = signalled.elapsed();
    assert_eq!(status.code(), Some(0), "{:?}", worker.output());
    // The 2 s timeout, the 3 s window for the final reports, the goodbye, and some slack.
    assert!(took < Duration::from_secs(8), "exited after {took:?}");
    for id in &ids {
        let task = ds.task(id).await.unwrap();
        assert_eq!(task.status, AgentExecutionStatus::Error, "{id}");
        assert_eq!(
            task.result.as_deref(),
            Some("worker shut down before the task finished")
        );
    }
}

#[tokio::test]
async fn the_streaming_example_is_watched_live_by_the_watch_example() {
    let ds = DevServer::start(DevServerOptions::default()).await.unwrap();
    let _worker = WorkerProcess::spawn(
        "streaming_worker",
        &ds,
        &[("STREAM_WORD_DELAY_MS", "20")],
        &[],
    );
    ds.wait_for_workers(WAIT, |w| !w.is_empty())
        .await
        .expect("registered");
    let mut watcher =
        WorkerProcess::spawn("watch_task", &ds, &[], &["streamed", "word", "by", "word"]);
    let status = watcher.wait_exit(WAIT).await;
    let (stdout, stderr) = watcher.output();
    assert!(status.success(), "{stderr}");
    assert_eq!(
        stdout,
        "streamed word by word\n[completed] streamed word by word\n"
    );
    let chunks = ds
        .task_infos()
        .await
        .into_iter()
        .flat_map(|info| info.events)
        .filter(|event| event["type"] == "chunk")
        .count();
    assert_eq!(chunks, 4, "one pushed chunk per word");
}
