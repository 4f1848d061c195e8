//! 1,000 handlers that panic: 1,000 tasks saved as `error`, and the worker still serves.

use std::sync::Once;
use std::time::Duration;

use xpander_devserver::{DevServer, DevServerOptions};
use xpander_runtime::model::CreateTaskRequest;
use xpander_runtime::{AgentExecutionStatus, Events, Handler, Task};

use crate::{all_terminal, config, logs};

const COUNT: usize = 1_000;
const PANIC: &str = "chaos: asked to panic";

/// Keeps the expected panics off the test output; any other panic still prints.
fn silence_expected_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str));
            if message != Some(PANIC) {
                default(info);
            }
        }));
    });
}

fn panicking() -> Handler {
    Handler::new(|mut task: Task| async move {
        if task.input.text.starts_with("panic") {
            panic!("{PANIC}");
        }
        task.result = Some("still serving".into());
        task
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_panicking_handlers_fail_their_tasks_and_the_worker_keeps_serving() {
    logs::capture();
    silence_expected_panics();
    let ds = DevServer::start(DevServerOptions::default()).await.unwrap();
    let worker = Events::new()
        .invoke_server(false)
        .configuration(config(&ds))
        .max_sync_workers(16)
        .register_agent_worker(ds.agent_id(), panicking())
        .spawn()
        .unwrap();
    for i in 0..COUNT {
        let request = CreateTaskRequest::new(format!("panic {i}"));
        ds.create_task(ds.agent_id(), request).await.unwrap();
    }
    all_terminal(&ds, &worker, COUNT, Duration::from_secs(120)).await;
    let expected = format!("handler panicked: {PANIC}");
    let errors = ds
        .count_tasks(|t| {
            t.task.status == AgentExecutionStatus::Error
                && t.task.result.as_deref() == Some(expected.as_str())
        })
        .await;
    assert_eq!(errors, COUNT, "every panic is an `error` with its message");

    let after = ds
        .create_task(ds.agent_id(), CreateTaskRequest::new("fine"))
        .await
        .unwrap();
    let done = ds
        .wait_for_task(&after.id, Duration::from_secs(20), |t| {
            t.status.is_terminal()
        })
        .await
        .expect("the worker still serves");
    assert_eq!(done.status, AgentExecutionStatus::Completed);
    assert_eq!(done.result.as_deref(), Some("still serving"));
    assert!(!worker.is_finished());
    worker.stop().await.unwrap();
}
